//! Register codes (`PANEL`, `SSC`) and record references (`PANEL-15`), parsed and validated.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::validation::ValidationError;

/// The short code of a register: 2–16 characters of `A-Z`, `0-9` and `_`, starting with a
/// letter. Codes are written in upper case; lower-case input is accepted and upper-cased.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct RegisterCode(String);

impl RegisterCode {
    pub fn parse(value: &str) -> Result<Self, ValidationError> {
        let code = value.trim().to_ascii_uppercase();
        let rule = "must be 2 to 16 characters of A-Z, 0-9 or _, starting with a letter";
        let ok = (2..=16).contains(&code.len())
            && code.starts_with(|c: char| c.is_ascii_uppercase())
            && code
                .chars()
                .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_');
        if ok {
            Ok(Self(code))
        } else {
            Err(ValidationError::new("register", rule))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for RegisterCode {
    type Error = ValidationError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<RegisterCode> for String {
    fn from(code: RegisterCode) -> Self {
        code.0
    }
}

impl fmt::Display for RegisterCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl FromStr for RegisterCode {
    type Err = ValidationError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

/// A reference to a risk or an issue: its register's code and its number, `PANEL-15`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct RecordRef {
    pub register: RegisterCode,
    pub number: u32,
}

impl RecordRef {
    pub fn new(register: RegisterCode, number: u32) -> Self {
        Self { register, number }
    }

    pub fn parse(value: &str) -> Result<Self, ValidationError> {
        let rule = "must be a register code and a number, e.g. PANEL-15";
        let (code, number) = value
            .trim()
            .rsplit_once('-')
            .ok_or_else(|| ValidationError::new("ref", rule))?;
        let register = RegisterCode::parse(code).map_err(|_| ValidationError::new("ref", rule))?;
        let number = parse_number(number).map_err(|_| ValidationError::new("ref", rule))?;
        Ok(Self { register, number })
    }
}

/// Parses a record number: a whole number from 1 up.
pub fn parse_number(value: &str) -> Result<u32, ValidationError> {
    match value.trim().parse::<u32>() {
        Ok(n) if n >= 1 => Ok(n),
        _ => Err(ValidationError::new("number", "must be a whole number from 1 up")),
    }
}

impl TryFrom<String> for RecordRef {
    type Error = ValidationError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<RecordRef> for String {
    fn from(r: RecordRef) -> Self {
        r.to_string()
    }
}

impl fmt::Display for RecordRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}-{}", self.register, self.number)
    }
}

impl FromStr for RecordRef {
    type Err = ValidationError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_upper_cased_and_checked() {
        assert_eq!(RegisterCode::parse("panel").unwrap().as_str(), "PANEL");
        assert!(RegisterCode::parse("P").is_err());
        assert!(RegisterCode::parse("1ABC").is_err());
        assert!(RegisterCode::parse("AB-C").is_err());
        assert!(RegisterCode::parse("ABCDEFGHIJKLMNOPQ").is_err());
    }

    #[test]
    fn refs_round_trip() {
        let r = RecordRef::parse("PANEL-15").unwrap();
        assert_eq!(r.register.as_str(), "PANEL");
        assert_eq!(r.number, 15);
        assert_eq!(r.to_string(), "PANEL-15");
        assert!(RecordRef::parse("PANEL-0").is_err());
        assert!(RecordRef::parse("PANEL15").is_err());
        let e = RecordRef::parse("PANEL-x").unwrap_err();
        assert_eq!(e.field, "ref");
    }
}
