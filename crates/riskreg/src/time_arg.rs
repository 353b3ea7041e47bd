//! `--as-at` values: a date means the end of that day (UTC), the way "as at" is read in
//! committee papers; a date and time (RFC 3339) is exact.

use chrono::{DateTime, NaiveDate, NaiveTime, Utc};

pub fn parse_as_at(value: &str) -> Result<DateTime<Utc>, String> {
    let value = value.trim();
    if let Ok(date) = NaiveDate::parse_from_str(value, "%Y-%m-%d") {
        let end = NaiveTime::from_hms_micro_opt(23, 59, 59, 999_999).unwrap_or(NaiveTime::MIN);
        return Ok(date.and_time(end).and_utc());
    }
    DateTime::parse_from_rfc3339(value)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|_| format!("must be a date (2018-07-31) or a date and time (2018-07-31T09:30:00Z); got {value:?}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_date_is_the_end_of_that_day() {
        let t = parse_as_at("2018-07-31").unwrap();
        assert_eq!(t.to_rfc3339(), "2018-07-31T23:59:59.999999+00:00");
        let t = parse_as_at("2018-07-31T09:30:00Z").unwrap();
        assert_eq!(t.to_rfc3339(), "2018-07-31T09:30:00+00:00");
        assert!(parse_as_at("31/07/2018").is_err());
    }
}
