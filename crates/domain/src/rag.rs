//! RED / AMBER / GREEN: the committee's judgement of a record, set by hand and independent
//! of its severity (the Panel's Risk 3 is severity 9 and GREEN while Risk 5 is 9 and AMBER).

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::validation::ValidationError;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum Rag {
    Red,
    Amber,
    Green,
}

impl Rag {
    pub fn as_str(self) -> &'static str {
        match self {
            Rag::Red => "RED",
            Rag::Amber => "AMBER",
            Rag::Green => "GREEN",
        }
    }

    pub fn parse(value: &str) -> Result<Self, ValidationError> {
        match value.trim().to_ascii_uppercase().as_str() {
            "RED" | "R" => Ok(Rag::Red),
            "AMBER" | "A" => Ok(Rag::Amber),
            "GREEN" | "G" => Ok(Rag::Green),
            _ => Err(ValidationError::new("rag", "must be RED, AMBER or GREEN")),
        }
    }

    /// 3 for RED down to 1 for GREEN, for comparing judgements.
    pub fn rank(self) -> u8 {
        match self {
            Rag::Red => 3,
            Rag::Amber => 2,
            Rag::Green => 1,
        }
    }
}

impl fmt::Display for Rag {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Rag {
    type Err = ValidationError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_words_and_letters() {
        assert_eq!(Rag::parse("amber").unwrap(), Rag::Amber);
        assert_eq!(Rag::parse("R").unwrap(), Rag::Red);
        let e = Rag::parse("PURPLE").unwrap_err();
        assert_eq!(e.field, "rag");
        assert!(e.rule.contains("RED, AMBER or GREEN"));
    }
}
