//! Turning cell values into field values the way a reader of the register would: labelled
//! scale values (`"3 - Possible / Occasional"`), scale labels (`"High"`), dates typed as
//! text or stored as Excel serials, and multi-line cells as bullet lists. Each parser
//! returns the rule the value broke, for the import report.

use chrono::NaiveDate;
use riskreg_domain::{Mitigation, MitigationState, Rag, Response, RiskStatus, Settings};

use crate::grid::Value;
use crate::read::excel_serial_date;

/// A level on a scale of `levels` whose labels are `labels` (level 1 first).
pub fn level(value: &Value, levels: u8, labels: &[String]) -> Result<u8, String> {
    let range = || format!("must be a level from 1 to {levels}");
    let n = match value {
        Value::Number(n) => integral(*n).ok_or_else(|| format!("{}; got a fraction", range()))?,
        Value::Text(t) => text_level(t, levels, labels)
            .ok_or_else(|| format!("{} or one of its labels ({})", range(), labels.join(", ")))?,
        _ => return Err(range()),
    };
    if n < 1 || n > i64::from(levels) {
        return Err(format!("{}; got {n}", range()));
    }
    Ok(n as u8)
}

fn integral(n: f64) -> Option<i64> {
    (n.fract() == 0.0 && n.abs() < 1e9).then_some(n as i64)
}

fn text_level(text: &str, levels: u8, labels: &[String]) -> Option<i64> {
    let t = text.trim();
    // "3", "3.0", "3 - Possible / Occasional", "3: Likely", "(3) Major"
    let digits: String = t
        .trim_start_matches('(')
        .chars()
        .take_while(|c| c.is_ascii_digit())
        .collect();
    if !digits.is_empty() {
        let rest = t.trim_start_matches('(')[digits.len()..].trim_start();
        let whole = rest.is_empty() || rest == ".0";
        let labelled = rest.starts_with(['-', ':', ')', '–', '—', '.', '=']) && !rest.starts_with(".5");
        if whole || labelled {
            return digits.parse().ok();
        }
    }
    let lower = t.to_lowercase();
    if let Some(i) = labels.iter().position(|l| l.trim().to_lowercase() == lower) {
        return Some(i as i64 + 1);
    }
    common_word_level(&lower, levels)
}

/// The words registers use for levels when they do not use riskreg's labels.
fn common_word_level(word: &str, levels: u8) -> Option<i64> {
    let five = match word {
        "very low" | "rare" | "negligible" | "insignificant" | "remote" | "very unlikely" => 1,
        "low" | "unlikely" | "minor" | "marginal" => 2,
        "medium" | "possible" | "moderate" | "occasional" => 3,
        "high" | "likely" | "major" | "severe" | "significant" | "probable" => 4,
        "very high" | "almost certain" | "critical" | "catastrophic" | "certain" | "extreme" => 5,
        _ => return None,
    };
    match levels {
        5 => Some(five),
        3 => Some(match five {
            1 | 2 => 1,
            3 => 2,
            _ => 3,
        }),
        4 => Some(five.min(4)),
        _ => None,
    }
}

/// A date: a date cell, an Excel serial number, or text as `2023-01-31`, `31/01/2023`,
/// `31-01-2023`, `31.01.2023` or `31 Jan 2023` (day first, as UK registers write it).
pub fn date(value: &Value) -> Result<NaiveDate, String> {
    let rule = || "must be a date: YYYY-MM-DD, DD/MM/YYYY or a spreadsheet date".to_owned();
    match value {
        Value::Date(d) => Ok(*d),
        Value::Number(n) => excel_serial_date(*n).ok_or_else(rule),
        Value::Text(t) => {
            let t = t.trim();
            if let Ok(n) = t.parse::<f64>() {
                return excel_serial_date(n).ok_or_else(rule);
            }
            let head = t.split(['T', ' ']).next().unwrap_or(t);
            for (text, format) in [
                (head, "%Y-%m-%d"),
                (t, "%d/%m/%Y"),
                (t, "%d-%m-%Y"),
                (t, "%d.%m.%Y"),
                (t, "%d %b %Y"),
                (t, "%d %B %Y"),
                (t, "%d/%m/%y"),
            ] {
                if let Ok(d) = NaiveDate::parse_from_str(text, format) {
                    return Ok(d);
                }
            }
            Err(rule())
        }
        _ => Err(rule()),
    }
}

/// A whole number of at least 1.
pub fn number(value: &Value) -> Result<u32, String> {
    let rule = || "must be a whole number from 1".to_owned();
    let n = match value {
        Value::Number(n) => integral(*n).ok_or_else(rule)?,
        Value::Text(t) => t.trim().parse::<i64>().map_err(|_| rule())?,
        _ => return Err(rule()),
    };
    u32::try_from(n).ok().filter(|n| *n >= 1).ok_or_else(rule)
}

/// A score as typed (for checking against impact × likelihood), if the cell holds one.
pub fn score(value: &Value) -> Option<i64> {
    match value {
        Value::Number(n) => integral(*n),
        Value::Text(t) => t.trim().parse::<f64>().ok().and_then(integral),
        _ => None,
    }
}

/// RED, AMBER or GREEN, from the letters, the colours or the rating words registers use.
pub fn rag(value: &Value) -> Result<Rag, String> {
    let t = value.display().trim().to_lowercase();
    if let Ok(r) = Rag::parse(&t) {
        return Ok(r);
    }
    match t.as_str() {
        "r" | "red" | "very high" | "high" | "critical" | "extreme" | "severe" => Ok(Rag::Red),
        "a" | "amber" | "medium" | "moderate" | "yellow" | "orange" => Ok(Rag::Amber),
        "g" | "green" | "low" | "very low" | "minimal" | "negligible" => Ok(Rag::Green),
        _ => Err("must be RED, AMBER or GREEN (or High, Medium, Low)".into()),
    }
}

/// A risk's status; live-sounding words are `open`.
pub fn risk_status(value: &Value) -> Result<RiskStatus, String> {
    let t = value.display().trim().to_lowercase();
    if let Ok(s) = RiskStatus::parse(&t) {
        return Ok(s);
    }
    match t.as_str() {
        "active" | "live" | "current" | "new" | "ongoing" | "in progress" => Ok(RiskStatus::Open),
        "retired" | "archived" | "resolved" | "complete" | "completed" | "done" => Ok(RiskStatus::Closed),
        "draft" => Ok(RiskStatus::Proposed),
        _ => Err("must be open, closed, proposed, escalated or converted".into()),
    }
}

/// An ISO 31000 response, from its name or the common synonyms.
pub fn response(value: &Value) -> Result<Response, String> {
    let t = value.display().trim().to_lowercase();
    if let Ok(r) = Response::parse(&t) {
        return Ok(r);
    }
    match t.as_str() {
        "reduce" | "mitigate" | "treated" | "control" => Ok(Response::Treat),
        "accept" | "tolerated" | "retain" => Ok(Response::Tolerate),
        "share" | "insure" | "transferred" => Ok(Response::Transfer),
        "avoid" | "terminated" | "eliminate" => Ok(Response::Terminate),
        "exploit" | "take the opportunity" | "enhance" => Ok(Response::Take),
        _ => Err("must be treat, tolerate, transfer, terminate or take".into()),
    }
}

/// A line's bullet or number marker and its indent: `"  2. Do x"` → `(2, true, "Do x")`.
fn marker(line: &str) -> (usize, bool, &str) {
    let indent = line.len() - line.trim_start().len();
    let t = line.trim_start();
    for bullet in ["- ", "• ", "* ", "– ", "◦ ", "▪ "] {
        if let Some(rest) = t.strip_prefix(bullet) {
            return (indent, true, rest.trim());
        }
    }
    let digits = t.chars().take_while(char::is_ascii_digit).count();
    let letter = t.chars().next().is_some_and(|c| c.is_ascii_lowercase()) && t[1..].starts_with([')', '.']);
    let skip = if digits > 0 && digits <= 3 && t[digits..].starts_with(['.', ')']) {
        digits + 1
    } else if letter {
        2
    } else {
        return (indent, false, t.trim());
    };
    (indent, true, t[skip..].trim())
}

/// An item of a multi-line cell with the lines indented under it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Item {
    pub text: String,
    pub sub_items: Vec<String>,
}

/// A multi-line cell as a list. With bullets or numbers, each marked line starts an item,
/// unmarked lines continue the item above and indented marked lines are its sub-items;
/// without any, each line is an item.
pub fn items(text: &str) -> Vec<Item> {
    let lines: Vec<&str> = text.lines().filter(|l| !l.trim().is_empty()).collect();
    let marked = lines.iter().any(|l| marker(l).1);
    let mut out: Vec<Item> = Vec::new();
    let mut base_indent = None;
    for line in lines {
        let (indent, is_marked, rest) = marker(line);
        if !marked {
            out.push(Item {
                text: rest.to_owned(),
                sub_items: Vec::new(),
            });
            continue;
        }
        let base = *base_indent.get_or_insert(indent);
        match out.last_mut() {
            Some(last) if is_marked && indent > base => last.sub_items.push(rest.to_owned()),
            Some(last) if !is_marked => match last.sub_items.last_mut() {
                Some(sub) if indent > base => join(sub, rest),
                _ => join(&mut last.text, rest),
            },
            _ => out.push(Item {
                text: rest.to_owned(),
                sub_items: Vec::new(),
            }),
        }
    }
    out
}

fn join(text: &mut String, more: &str) {
    if !text.is_empty() {
        text.push(' ');
    }
    text.push_str(more);
}

/// A multi-line cell as a flat bullet list.
pub fn list(value: &Value) -> Vec<String> {
    match value {
        Value::Text(t) => items(t).into_iter().map(|i| i.text).collect(),
        v if v.is_empty() => Vec::new(),
        v => vec![v.display()],
    }
}

/// The bracket riskreg writes after a mitigation's text to carry what else it records:
/// `[ongoing; owner: SECAS; due: 2018-09-30; added: 2018-07-01]`.
const META_OPEN: &str = " [";

/// A mitigations cell: each item a mitigation; an item from riskreg's own export carries
/// its state, owner and dates in a trailing bracket, anything else is `default_state`.
pub fn mitigations(value: &Value, default_state: MitigationState) -> Result<Vec<Mitigation>, String> {
    let Value::Text(t) = value else {
        return Ok(if value.is_empty() {
            Vec::new()
        } else {
            vec![Mitigation::new(value.display(), default_state)]
        });
    };
    items(t)
        .into_iter()
        .map(|item| {
            let mut m = Mitigation::new(item.text.clone(), default_state);
            m.sub_items = item.sub_items;
            if let Some(at) = item.text.rfind(META_OPEN)
                && item.text.ends_with(']')
                && let Some(meta) = parse_meta(&item.text[at + META_OPEN.len()..item.text.len() - 1])?
            {
                m.text = item.text[..at].to_owned();
                meta.apply(&mut m);
            }
            Ok(m)
        })
        .collect()
}

struct Meta {
    state: MitigationState,
    owner: Option<String>,
    due: Option<NaiveDate>,
    added_on: Option<NaiveDate>,
}

impl Meta {
    fn apply(self, m: &mut Mitigation) {
        m.state = self.state;
        m.owner = self.owner;
        m.due = self.due;
        m.added_on = self.added_on;
    }
}

/// `None` when the bracket is ordinary text rather than riskreg's (its first part is not a
/// state); an error when it is riskreg's but broken.
fn parse_meta(inner: &str) -> Result<Option<Meta>, String> {
    let mut parts = inner.split("; ");
    let Some(state) = parts.next().and_then(|s| MitigationState::parse("state", s).ok()) else {
        return Ok(None);
    };
    let mut meta = Meta {
        state,
        owner: None,
        due: None,
        added_on: None,
    };
    for part in parts {
        let (key, v) = part
            .split_once(": ")
            .ok_or_else(|| format!("unreadable mitigation detail {part:?}"))?;
        let day = || date(&Value::Text(v.to_owned()));
        match key {
            "owner" => meta.owner = Some(v.to_owned()),
            "due" => meta.due = Some(day()?),
            "added" => meta.added_on = Some(day()?),
            _ => return Err(format!("unknown mitigation detail {key:?}")),
        }
    }
    Ok(Some(meta))
}

/// A mitigation as one line of a cell, the inverse of [`mitigations`].
pub fn mitigation_line(m: &Mitigation) -> String {
    let mut meta = vec![m.state.as_str().to_owned()];
    if let Some(o) = &m.owner {
        meta.push(format!("owner: {o}"));
    }
    if let Some(d) = m.due {
        meta.push(format!("due: {d}"));
    }
    if let Some(d) = m.added_on {
        meta.push(format!("added: {d}"));
    }
    let mut line = format!("• {} [{}]", m.text, meta.join("; "));
    for s in &m.sub_items {
        line.push_str("\n    ◦ ");
        line.push_str(s);
    }
    line
}

/// A list as the lines of one cell, the inverse of [`list`].
pub fn list_cell(items: &[String]) -> String {
    items.iter().map(|i| format!("• {i}")).collect::<Vec<_>>().join("\n")
}

/// The labels of a scale, level 1 first.
pub fn impact_labels(settings: &Settings) -> Vec<String> {
    settings.impact_scale.iter().map(|l| l.label.clone()).collect()
}

pub fn likelihood_labels(settings: &Settings) -> Vec<String> {
    settings.likelihood_scale.iter().map(|l| l.label.clone()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(t: &str) -> Value {
        Value::Text(t.into())
    }

    #[test]
    fn labelled_levels_and_labels_are_read() {
        let labels: Vec<String> = ["Negligible", "Minor", "Moderate", "Major", "Severe"]
            .map(String::from)
            .into();
        assert_eq!(level(&text("3 - Possible / Occasional "), 5, &labels), Ok(3));
        assert_eq!(level(&text("4 - Severe"), 5, &labels), Ok(4));
        assert_eq!(level(&text("Major"), 5, &labels), Ok(4));
        assert_eq!(level(&text("High"), 5, &labels), Ok(4));
        assert_eq!(level(&Value::Number(2.0), 5, &labels), Ok(2));
        assert!(level(&Value::Number(6.0), 5, &labels).unwrap_err().contains("got 6"));
        assert!(level(&text("2.5"), 5, &labels).is_err());
        assert!(level(&text("soon"), 5, &labels).is_err());
    }

    #[test]
    fn dates_are_read_in_every_usual_form() {
        let d = NaiveDate::from_ymd_opt(2023, 1, 31).unwrap();
        for v in [
            text("2023-01-31"),
            text("31/01/2023"),
            text("31 Jan 2023"),
            Value::Number(44957.0),
            text("44957"),
        ] {
            assert_eq!(date(&v), Ok(d), "{v:?}");
        }
        assert!(date(&text("31/13/2023")).is_err());
        assert!(date(&text("next week")).is_err());
    }

    #[test]
    fn numbered_lines_become_items_with_their_continuations() {
        let cell = "1. Implement MFA - \nPrinciple 10\n2. Secure user management\n   a) remove accounts";
        let got = items(cell);
        assert_eq!(got.len(), 2);
        assert_eq!(got[0].text, "Implement MFA - Principle 10");
        assert_eq!(got[1].sub_items, ["remove accounts"]);
        assert_eq!(list(&text("one\ntwo\n\n")), ["one", "two"]);
    }

    #[test]
    fn mitigation_lines_round_trip() {
        let mut m = Mitigation::new("Check [the] logs", MitigationState::Complete);
        m.owner = Some("SECAS".into());
        m.due = NaiveDate::from_ymd_opt(2018, 9, 30);
        m.added_on = NaiveDate::from_ymd_opt(2018, 7, 1);
        m.sub_items = vec!["weekly".into()];
        let back = mitigations(&text(&mitigation_line(&m)), MitigationState::Planned).unwrap();
        assert_eq!(back, [m]);
        let plain = mitigations(&text("Keep [spare] kit"), MitigationState::Ongoing).unwrap();
        assert_eq!(plain[0].text, "Keep [spare] kit");
    }
}
