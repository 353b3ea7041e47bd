//! Helpers shared by the UI's forms: reading optional text, numbers and dates from form
//! fields into field errors that name the field and the rule, and keeping a post-sign-in
//! redirect on this site.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use riskreg_domain::{ValidationError, ValidationErrors};

/// Where to go after signing in: only a path on this site (`/…`, never `//host` or a URL).
pub fn safe_next(next: &str) -> &str {
    let ok =
        next.starts_with('/') && !next.starts_with("//") && !next.starts_with("/\\") && !next.contains(['\r', '\n']);
    if ok { next } else { "/" }
}

/// Messages by field, for showing each beside its input. A rule on a nested field
/// (`mitigations[0].text`) is also listed under its top-level field (`mitigations`).
#[derive(Debug, Clone, Default)]
pub struct FieldErrors(pub BTreeMap<String, Vec<String>>);

impl FieldErrors {
    pub fn from_validation(errors: &ValidationErrors) -> Self {
        let mut out = Self::default();
        for e in &errors.0 {
            out.add(&e.field, &e.rule);
        }
        out
    }

    pub fn add(&mut self, field: &str, rule: &str) {
        let top = field.split(['[', '.']).next().unwrap_or(field);
        self.0
            .entry(top.to_owned())
            .or_default()
            .push(format!("{field} {rule}"));
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The messages for `field`, joined for display; empty when it has none.
    pub fn of(&self, field: &str) -> String {
        self.0.get(field).map(|m| m.join("; ")).unwrap_or_default()
    }

    pub fn has(&self, field: &str) -> bool {
        self.0.contains_key(field)
    }

    /// Every message, for the summary at the top of a form.
    pub fn all(&self) -> Vec<String> {
        self.0.values().flatten().cloned().collect()
    }
}

/// Blank means none; otherwise the trimmed text.
pub fn optional_text(value: &str) -> Option<String> {
    let t = value.trim();
    (!t.is_empty()).then(|| t.to_owned())
}

/// One entry per non-blank line.
pub fn lines(value: &str) -> Vec<String> {
    value
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(str::to_owned)
        .collect()
}

/// A date in ISO 8601 (`2018-08-10`, as `<input type="date">` sends it), or none if blank.
pub fn optional_date(field: &str, value: &str) -> Result<Option<NaiveDate>, ValidationError> {
    let t = value.trim();
    if t.is_empty() {
        return Ok(None);
    }
    NaiveDate::parse_from_str(t, "%Y-%m-%d")
        .map(Some)
        .map_err(|_| ValidationError::new(field, "must be a date, YYYY-MM-DD"))
}

/// A score level: a whole number.
pub fn level(field: &str, value: &str) -> Result<u8, ValidationError> {
    value
        .trim()
        .parse::<u8>()
        .map_err(|_| ValidationError::new(field, "must be a whole number on the scale"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn next_stays_on_this_site() {
        assert_eq!(safe_next("/registers/PANEL"), "/registers/PANEL");
        assert_eq!(safe_next("//evil.example"), "/");
        assert_eq!(safe_next("https://evil.example"), "/");
        assert_eq!(safe_next("/\\evil.example"), "/");
    }

    #[test]
    fn errors_are_filed_under_their_top_level_field() {
        let mut e = FieldErrors::default();
        e.add("mitigations[0].text", "is required");
        assert_eq!(e.of("mitigations"), "mitigations[0].text is required");
        assert!(!e.has("statement"));
    }

    #[test]
    fn dates_and_levels_name_the_field() {
        assert_eq!(optional_date("review_by", "").unwrap(), None);
        assert_eq!(optional_date("review_by", "nope").unwrap_err().field, "review_by");
        assert_eq!(level("impact", "x").unwrap_err().field, "impact");
        assert_eq!(lines(" a \n\n b"), vec!["a", "b"]);
    }
}
