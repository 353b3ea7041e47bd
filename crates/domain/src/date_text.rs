//! Dates as JSON text, `YYYY-MM-DD`, written and read without chrono's general formatter
//! and parser. A list page of fifty risks carries about four hundred dates, and chrono's
//! `Display` (a character at a time through `fmt`) and its `FromStr` (a general format
//! interpreter) were an eighth of the time the API took to read and write such a page.
//!
//! The text is exactly chrono's: the fast path covers four-digit years, and anything else
//! (years past 9999 or before 1, a malformed or impossible date) goes to chrono itself, so
//! both what is accepted and the wording of an error are unchanged. Stored records hash the
//! same as before.
//!
//! Use on `Option<NaiveDate>` fields: `#[serde(default, with = "crate::date_text::optional")]`.

use std::fmt;

use chrono::{Datelike, NaiveDate};
use serde::de::{self, Visitor};
use serde::{Deserializer, Serialize, Serializer};

/// A date that serialises as its ISO 8601 text.
struct IsoDate(NaiveDate);

impl Serialize for IsoDate {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match write_ymd(self.0) {
            Some(bytes) => {
                // Only ASCII digits and dashes were written.
                let text = std::str::from_utf8(&bytes).map_err(serde::ser::Error::custom)?;
                serializer.serialize_str(text)
            }
            None => self.0.serialize(serializer),
        }
    }
}

/// `YYYY-MM-DD` for a year from 0 to 9999, the form chrono writes for those years.
fn write_ymd(date: NaiveDate) -> Option<[u8; 10]> {
    let year = u32::try_from(date.year()).ok().filter(|y| *y <= 9999)?;
    let (month, day) = (date.month(), date.day());
    let digit = |n: u32| b'0' + (n % 10) as u8;
    Some([
        digit(year / 1000),
        digit(year / 100),
        digit(year / 10),
        digit(year),
        b'-',
        digit(month / 10),
        digit(month),
        b'-',
        digit(day / 10),
        digit(day),
    ])
}

/// `YYYY-MM-DD` read directly; `None` for any other text, which chrono then reads.
fn read_ymd(text: &str) -> Option<NaiveDate> {
    let b = text.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let number = |range: std::ops::Range<usize>| {
        b[range]
            .iter()
            .try_fold(0u32, |n, c| c.is_ascii_digit().then(|| n * 10 + u32::from(c - b'0')))
    };
    NaiveDate::from_ymd_opt(number(0..4)? as i32, number(5..7)?, number(8..10)?)
}

struct DateVisitor;

impl Visitor<'_> for DateVisitor {
    type Value = NaiveDate;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        // chrono's own wording, so that errors read as they did.
        f.write_str("a formatted date string")
    }

    fn visit_str<E: de::Error>(self, text: &str) -> Result<NaiveDate, E> {
        match read_ymd(text) {
            Some(date) => Ok(date),
            None => text.parse().map_err(E::custom),
        }
    }
}

struct OptionalVisitor;

impl<'de> Visitor<'de> for OptionalVisitor {
    type Value = Option<NaiveDate>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a formatted date string or null")
    }

    fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }

    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }

    fn visit_some<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_str(DateVisitor).map(Some)
    }
}

/// For `Option<NaiveDate>` fields.
pub mod optional {
    use super::*;

    pub fn serialize<S: Serializer>(date: &Option<NaiveDate>, serializer: S) -> Result<S::Ok, S::Error> {
        match date {
            Some(d) => serializer.serialize_some(&IsoDate(*d)),
            None => serializer.serialize_none(),
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<NaiveDate>, D::Error> {
        deserializer.deserialize_option(OptionalVisitor)
    }
}

#[cfg(test)]
mod tests {
    use serde::{Deserialize, Serialize};

    use super::*;

    #[derive(Debug, PartialEq, Serialize, Deserialize)]
    struct Fast {
        #[serde(default, with = "optional")]
        on: Option<NaiveDate>,
    }

    #[derive(Debug, PartialEq, Serialize, Deserialize)]
    struct Chrono {
        #[serde(default)]
        on: Option<NaiveDate>,
    }

    /// Every date the fast path writes is chrono's text, and reads back as chrono reads it.
    #[test]
    fn text_is_chronos_across_the_calendar() {
        let days = [
            NaiveDate::from_ymd_opt(0, 1, 1),
            NaiveDate::from_ymd_opt(1, 1, 1),
            NaiveDate::from_ymd_opt(999, 12, 31),
            NaiveDate::from_ymd_opt(2018, 8, 14),
            NaiveDate::from_ymd_opt(2024, 2, 29),
            NaiveDate::from_ymd_opt(9999, 12, 31),
            NaiveDate::from_ymd_opt(10000, 1, 1),
            NaiveDate::from_ymd_opt(-1, 6, 15),
        ];
        let mut day = NaiveDate::from_ymd_opt(1999, 12, 25).unwrap();
        let run = std::iter::from_fn(|| {
            day = day.succ_opt()?;
            Some(day)
        })
        .take(800);
        for d in days.into_iter().map(Option::unwrap).chain(run) {
            let fast = serde_json::to_string(&Fast { on: Some(d) }).unwrap();
            assert_eq!(fast, serde_json::to_string(&Chrono { on: Some(d) }).unwrap(), "{d}");
            assert_eq!(serde_json::from_str::<Fast>(&fast).unwrap().on, Some(d), "{fast}");
        }
        assert_eq!(serde_json::to_string(&Fast { on: None }).unwrap(), r#"{"on":null}"#);
    }

    /// What chrono refuses is refused, in chrono's words; what it accepts, accepted.
    #[test]
    fn other_text_is_read_as_chrono_reads_it() {
        for text in [
            r#"{"on":"2021-02-30"}"#,
            r#"{"on":"2021-13-01"}"#,
            r#"{"on":"2021-1-5"}"#,
            r#"{"on":"20x1-01-05"}"#,
            r#"{"on":"+10000-01-01"}"#,
            r#"{"on":"yesterday"}"#,
            r#"{"on":""}"#,
            r#"{"on":7}"#,
            r#"{"on":null}"#,
            r#"{}"#,
        ] {
            let fast = serde_json::from_str::<Fast>(text).map_err(|e| e.to_string());
            let chrono = serde_json::from_str::<Chrono>(text).map_err(|e| e.to_string());
            match (&fast, &chrono) {
                (Ok(a), Ok(b)) => assert_eq!(a.on, b.on, "{text}"),
                (Err(a), Err(b)) => assert_eq!(a, b, "{text}"),
                _ => panic!("{text}: fast {fast:?}, chrono {chrono:?}"),
            }
        }
    }
}
