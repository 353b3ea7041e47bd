//! An organisation's scoring settings: the impact and likelihood scales (the matrix is
//! impact levels × likelihood levels, 5×5 by default), the severity bands, and the impact
//! classification that tells assessors what each impact level means (the paper's
//! Appendix C is the default).

use std::sync::LazyLock;

use serde::{Deserialize, Serialize};

use crate::validation::{ValidationError, ValidationErrors};

/// The default settings: the SEC Panel's scales and impact classification.
const DEFAULT_SETTINGS: &str = include_str!("../data/default-settings.json");

/// The largest scale riskreg accepts on either axis.
pub const MAX_LEVELS: u8 = 10;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScaleLevel {
    pub level: u8,
    pub label: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Band {
    pub name: String,
    pub min: u16,
    pub max: u16,
    /// A CSS colour (`#rrggbb`) for heat maps and chips.
    pub colour: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ClassificationCategory {
    pub name: String,
    /// One descriptor per impact level, lowest first; `None` where the level has none.
    pub cells: Vec<Option<String>>,
}

#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Classification {
    pub categories: Vec<ClassificationCategory>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Settings {
    pub impact_scale: Vec<ScaleLevel>,
    pub likelihood_scale: Vec<ScaleLevel>,
    pub bands: Vec<Band>,
    #[serde(default)]
    pub classification: Classification,
}

impl Default for Settings {
    fn default() -> Self {
        Self::defaults().clone()
    }
}

impl Settings {
    /// The defaults, read from the embedded file once: a database without settings of its
    /// own checks every record written against them (an import of 100,000 risks read the
    /// file 100,000 times).
    pub fn defaults() -> &'static Settings {
        static DEFAULTS: LazyLock<Settings> = LazyLock::new(|| {
            // The embedded file is checked by a unit test, so this cannot fail in a build
            // that passed its tests.
            #[allow(clippy::expect_used)]
            serde_json::from_str(DEFAULT_SETTINGS).expect("embedded default settings are valid JSON")
        });
        &DEFAULTS
    }

    pub fn impact_levels(&self) -> u8 {
        self.impact_scale.len() as u8
    }

    pub fn likelihood_levels(&self) -> u8 {
        self.likelihood_scale.len() as u8
    }

    /// The highest severity the matrix can hold.
    pub fn max_severity(&self) -> u16 {
        u16::from(self.impact_levels()) * u16::from(self.likelihood_levels())
    }

    /// The band a severity falls in.
    pub fn band(&self, severity: u16) -> Option<&Band> {
        self.bands.iter().find(|b| (b.min..=b.max).contains(&severity))
    }

    pub fn impact_label(&self, level: u8) -> Option<&str> {
        label(&self.impact_scale, level)
    }

    pub fn likelihood_label(&self, level: u8) -> Option<&str> {
        label(&self.likelihood_scale, level)
    }

    /// Checks an impact score against the impact scale.
    pub fn check_impact(&self, field: &str, value: u8) -> Result<(), ValidationError> {
        check_level(field, value, self.impact_levels(), "impact")
    }

    /// Checks a likelihood score against the likelihood scale.
    pub fn check_likelihood(&self, field: &str, value: u8) -> Result<(), ValidationError> {
        check_level(field, value, self.likelihood_levels(), "likelihood")
    }

    /// Checks the settings hang together: scales numbered 1..N, bands covering every
    /// severity exactly once, one classification cell per impact level.
    pub fn validate(&self) -> Result<(), ValidationErrors> {
        let mut errors = ValidationErrors::default();
        check_scale("impact_scale", &self.impact_scale, &mut errors);
        check_scale("likelihood_scale", &self.likelihood_scale, &mut errors);
        if errors.is_empty() {
            self.check_bands(&mut errors);
        }
        let levels = self.impact_scale.len();
        for (i, c) in self.classification.categories.iter().enumerate() {
            if c.name.trim().is_empty() {
                errors.push(ValidationError::new(
                    format!("classification.categories[{i}].name"),
                    "must not be empty",
                ));
            }
            if c.cells.len() != levels {
                errors.push(ValidationError::new(
                    format!("classification.categories[{i}].cells"),
                    format!("must have one cell per impact level ({levels})"),
                ));
            }
        }
        errors.into_result(())
    }

    fn check_bands(&self, errors: &mut ValidationErrors) {
        let max = self.max_severity();
        let mut covered = vec![0u8; usize::from(max) + 1];
        for (i, band) in self.bands.iter().enumerate() {
            let field = format!("bands[{i}]");
            if band.name.trim().is_empty() {
                errors.push(ValidationError::new(format!("{field}.name"), "must not be empty"));
            }
            if !is_hex_colour(&band.colour) {
                errors.push(ValidationError::new(
                    format!("{field}.colour"),
                    "must be a colour written #rrggbb",
                ));
            }
            if band.min < 1 || band.min > band.max || band.max > max {
                errors.push(ValidationError::new(
                    field,
                    format!("must satisfy 1 <= min <= max <= {max}"),
                ));
                continue;
            }
            for s in band.min..=band.max {
                covered[usize::from(s)] += 1;
            }
        }
        if errors.is_empty()
            && let Some(s) = (1..=max).find(|&s| covered[usize::from(s)] != 1)
        {
            errors.push(ValidationError::new(
                "bands",
                format!("must cover every severity from 1 to {max} exactly once (severity {s} is not)"),
            ));
        }
    }
}

fn label(scale: &[ScaleLevel], level: u8) -> Option<&str> {
    scale.iter().find(|l| l.level == level).map(|l| l.label.as_str())
}

fn check_level(field: &str, value: u8, levels: u8, scale: &str) -> Result<(), ValidationError> {
    if (1..=levels).contains(&value) {
        Ok(())
    } else {
        Err(ValidationError::new(
            field,
            format!("must be between 1 and {levels} (the {scale} scale); got {value}"),
        ))
    }
}

fn check_scale(field: &str, scale: &[ScaleLevel], errors: &mut ValidationErrors) {
    if scale.len() < 2 || scale.len() > usize::from(MAX_LEVELS) {
        errors.push(ValidationError::new(
            field,
            format!("must have 2 to {MAX_LEVELS} levels"),
        ));
        return;
    }
    for (i, level) in scale.iter().enumerate() {
        if usize::from(level.level) != i + 1 {
            errors.push(ValidationError::new(
                format!("{field}[{i}].level"),
                format!("must be {} (levels are numbered 1..N in order)", i + 1),
            ));
        }
        if level.label.trim().is_empty() {
            errors.push(ValidationError::new(format!("{field}[{i}].label"), "must not be empty"));
        }
    }
}

fn is_hex_colour(value: &str) -> bool {
    value.len() == 7 && value.starts_with('#') && value[1..].chars().all(|c| c.is_ascii_hexdigit())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_the_papers_and_valid() {
        let s = Settings::default();
        s.validate().unwrap();
        assert_eq!(s.impact_levels(), 5);
        assert_eq!(s.likelihood_levels(), 5);
        assert_eq!(s.impact_label(1), Some("Negligible"));
        assert_eq!(s.impact_label(5), Some("Major"));
        let names: Vec<_> = s.classification.categories.iter().map(|c| c.name.as_str()).collect();
        assert_eq!(
            names,
            [
                "Safety",
                "Environment",
                "Reputation",
                "Client & Customer",
                "Asset",
                "Legal & Regulatory",
                "Financial",
                "People",
                "Security",
                "Strategic"
            ]
        );
        // Security has no descriptor at Major: the paper leaves that cell empty.
        let security = &s.classification.categories[8];
        assert_eq!(security.cells[4], None);
        let filled = s
            .classification
            .categories
            .iter()
            .flat_map(|c| &c.cells)
            .flatten()
            .count();
        assert_eq!(filled, 49);
    }

    #[test]
    fn impact_outside_the_scale_names_field_and_range() {
        let s = Settings::default();
        let e = s.check_impact("impact", 6).unwrap_err();
        assert_eq!(e.field, "impact");
        assert!(e.rule.contains("between 1 and 5"), "{}", e.rule);
        assert!(s.check_impact("impact", 0).is_err());
        assert!(s.check_likelihood("likelihood", 5).is_ok());
    }

    #[test]
    fn bands_must_cover_every_severity_once() {
        let mut s = Settings::default();
        s.bands[0].max += 1;
        let e = s.validate().unwrap_err();
        assert!(e.0.iter().any(|e| e.field == "bands"), "{e}");
    }

    #[test]
    fn scales_of_other_sizes_are_allowed() {
        let mut s = Settings::default();
        s.likelihood_scale.truncate(4);
        s.bands = vec![Band {
            name: "All".into(),
            min: 1,
            max: 20,
            colour: "#123456".into(),
        }];
        s.validate().unwrap();
        assert_eq!(s.max_severity(), 20);
    }
}
