//! The fields a column can fill, their names for `--map FIELD=COLUMN`, and the headers
//! people actually give them in their registers.

use serde::Serialize;

/// A record field a spreadsheet column can be mapped to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Field {
    Register,
    Number,
    SourceRef,
    Statement,
    Cause,
    Consequences,
    Impact,
    Likelihood,
    Score,
    Rag,
    Status,
    Owner,
    RaisedBy,
    RaisedOn,
    LastUpdated,
    Category,
    Provenance,
    Footnotes,
    Notes,
    Mitigations,
    InherentImpact,
    InherentLikelihood,
    InherentScore,
    TargetImpact,
    TargetLikelihood,
    Response,
    Proximity,
    ReviewBy,
    /// Issues only: the sentence before the impact bullets.
    ImpactsIntro,
    /// Issues only: the impact bullets.
    Impacts,
    /// Issues only.
    AssociatedRisk,
}

/// Every field, for listing and for `--map`.
pub const ALL: [Field; 31] = [
    Field::Register,
    Field::Number,
    Field::SourceRef,
    Field::Statement,
    Field::Cause,
    Field::Consequences,
    Field::Impact,
    Field::Likelihood,
    Field::Score,
    Field::Rag,
    Field::Status,
    Field::Owner,
    Field::RaisedBy,
    Field::RaisedOn,
    Field::LastUpdated,
    Field::Category,
    Field::Provenance,
    Field::Footnotes,
    Field::Notes,
    Field::Mitigations,
    Field::InherentImpact,
    Field::InherentLikelihood,
    Field::InherentScore,
    Field::TargetImpact,
    Field::TargetLikelihood,
    Field::Response,
    Field::Proximity,
    Field::ReviewBy,
    Field::ImpactsIntro,
    Field::Impacts,
    Field::AssociatedRisk,
];

impl Field {
    pub fn name(self) -> &'static str {
        match self {
            Self::Register => "register",
            Self::Number => "number",
            Self::SourceRef => "source_ref",
            Self::Statement => "statement",
            Self::Cause => "cause",
            Self::Consequences => "consequences",
            Self::Impact => "impact",
            Self::Likelihood => "likelihood",
            Self::Score => "score",
            Self::Rag => "rag",
            Self::Status => "status",
            Self::Owner => "owner",
            Self::RaisedBy => "raised_by",
            Self::RaisedOn => "raised_on",
            Self::LastUpdated => "last_updated",
            Self::Category => "category",
            Self::Provenance => "provenance",
            Self::Footnotes => "footnotes",
            Self::Notes => "notes",
            Self::Mitigations => "mitigations",
            Self::InherentImpact => "inherent_impact",
            Self::InherentLikelihood => "inherent_likelihood",
            Self::InherentScore => "inherent_score",
            Self::TargetImpact => "target_impact",
            Self::TargetLikelihood => "target_likelihood",
            Self::Response => "response",
            Self::Proximity => "proximity",
            Self::ReviewBy => "review_by",
            Self::ImpactsIntro => "impacts_intro",
            Self::Impacts => "impacts",
            Self::AssociatedRisk => "associated_risk",
        }
    }

    pub fn parse(name: &str) -> Option<Self> {
        let n = name.trim().to_ascii_lowercase().replace(['-', ' '], "_");
        ALL.into_iter().find(|f| f.name() == n)
    }

    /// Whether the column holds a scale level (or a score) and so decides whether a row
    /// under the header is data or a description of the columns.
    pub fn is_numeric(self) -> bool {
        matches!(
            self,
            Self::Impact
                | Self::Likelihood
                | Self::Score
                | Self::InherentImpact
                | Self::InherentLikelihood
                | Self::InherentScore
                | Self::TargetImpact
                | Self::TargetLikelihood
        )
    }
}

/// Which score a qualified header speaks of.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stage {
    Current,
    Inherent,
    Target,
}

/// Header text reduced to lower-case words: `"Reference / Risk ID"` → `"reference risk id"`.
pub fn normalise(header: &str) -> String {
    header
        .chars()
        .map(|c| {
            if c.is_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                ' '
            }
        })
        .collect::<String>()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

const INHERENT: [&str; 6] = [
    "inherent",
    "gross",
    "pre mitigation",
    "pre control",
    "untreated",
    "original",
];
const TARGET: [&str; 3] = ["target", "tolerable", "appetite"];
const CURRENT: [&str; 6] = [
    "residual",
    "current",
    "net",
    "post mitigation",
    "post control",
    "treated",
];

/// The stage a header or group label names, and the header with its qualifier words removed.
pub fn stage_of(text: &str) -> (Option<Stage>, String) {
    let mut rest = format!(" {text} ");
    let mut stage = None;
    for (words, s) in [
        (&INHERENT[..], Stage::Inherent),
        (&TARGET[..], Stage::Target),
        (&CURRENT[..], Stage::Current),
    ] {
        for w in words {
            let padded = format!(" {w} ");
            if rest.contains(&padded) {
                stage.get_or_insert(s);
                rest = rest.replace(&padded, " ");
            }
        }
    }
    (stage, rest.split_whitespace().collect::<Vec<_>>().join(" "))
}

/// The field a header (normalised, qualifier words removed) names, before any stage is
/// applied. `impact` is ambiguous (a level or the consequences) and decided by the data.
pub fn base_field(base: &str) -> Option<Field> {
    let f = match base {
        "register" | "register code" => Field::Register,
        "number" | "no" | "risk number" | "issue number" => Field::Number,
        "ref" | "reference" | "id" | "risk id" | "risk ref" | "risk reference" | "reference risk id" | "ref no"
        | "risk no" | "unique id" | "source ref" | "issue ref" | "issue id" => Field::SourceRef,
        "description" | "risk" | "risk description" | "statement" | "risk statement" | "title" | "risk title"
        | "issue" | "issue description" | "issue statement" | "risk event" | "risk name" | "event" => Field::Statement,
        "cause" | "causes" | "risk cause" | "threat" | "source" | "trigger" => Field::Cause,
        "consequence" | "consequences" | "effect" | "effects" | "impact description" | "impacts on" => {
            Field::Consequences
        }
        "impact" | "impact score" | "impact rating" | "impact level" | "consequence score" | "consequence rating"
        | "i" => Field::Impact,
        "likelihood"
        | "probability"
        | "likelihood score"
        | "likelihood rating"
        | "probability score"
        | "threat likelihood"
        | "threat likelihood score"
        | "likelihood level"
        | "l"
        | "p" => Field::Likelihood,
        "score"
        | "risk score"
        | "severity"
        | "rr score"
        | "risk rating score"
        | "total score"
        | "rating score"
        | "i x l"
        | "p x i"
        | "l x i"
        | "i x p"
        | "risk rating score total" => Field::Score,
        "rag" | "rag status" | "rag rating" | "risk rating" | "rating" | "status rag" | "rag score"
        | "overall rating" | "risk level" => Field::Rag,
        "status" | "risk status" | "state" | "open closed" | "issue status" => Field::Status,
        "owner" | "risk owner" | "owned by" | "responsible" | "responsible owner" | "action owner" | "issue owner" => {
            Field::Owner
        }
        "raised by" | "identified by" | "author" | "reported by" => Field::RaisedBy,
        "date raised" | "raised" | "raised on" | "date identified" | "date added" | "date entered" | "created"
        | "date opened" | "identified" | "date logged" | "opened" | "date created" => Field::RaisedOn,
        "last updated" | "updated" | "date updated" | "last update" | "last reviewed" | "date reviewed"
        | "last review" => Field::LastUpdated,
        "category" | "risk category" | "type" | "risk type" | "theme" => Field::Category,
        "provenance" | "origin" => Field::Provenance,
        "footnotes" | "footnote" => Field::Footnotes,
        "notes" | "note" | "comments" | "comment" | "updates" | "updates progress" | "progress" | "commentary"
        | "update" | "latest update" | "progress update" => Field::Notes,
        "mitigation"
        | "mitigations"
        | "controls"
        | "mitigating controls"
        | "actions"
        | "mitigating actions"
        | "existing controls"
        | "planned actions"
        | "mitigation actions"
        | "control measures"
        | "mitigation plan"
        | "mitigations actions"
        | "actions mitigations"
        | "mitigation and controls"
        | "controls in place"
        | "treatment actions"
        | "mitigation s"
        | "control s"
        | "action s" => Field::Mitigations,
        "response"
        | "treatment approach"
        | "risk treatment approach"
        | "risk response"
        | "treatment strategy"
        | "approach"
        | "treatment"
        | "response strategy" => Field::Response,
        "proximity" => Field::Proximity,
        "review by" | "review date" | "next review" | "next review date" | "review due" => Field::ReviewBy,
        "impacts intro" => Field::ImpactsIntro,
        "impacts" => Field::Impacts,
        "associated risk" | "related risk" | "linked risk" => Field::AssociatedRisk,
        _ => return None,
    };
    Some(f)
}

/// The field a column is, from its header and the label of the group it sits under; `None`
/// for a header riskreg has no field for (or a rating of a stage it does not keep).
pub fn field_for(header: &str, group: Option<&str>) -> Option<Field> {
    let (own_stage, base) = stage_of(&normalise(header));
    let group_stage = group.and_then(|g| stage_of(&normalise(g)).0);
    let field = base_field(&base)?;
    let stage = own_stage.or(group_stage).unwrap_or(Stage::Current);
    Some(match (field, stage) {
        (Field::Impact, Stage::Inherent) => Field::InherentImpact,
        (Field::Likelihood, Stage::Inherent) => Field::InherentLikelihood,
        (Field::Score, Stage::Inherent) => Field::InherentScore,
        (Field::Impact, Stage::Target) => Field::TargetImpact,
        (Field::Likelihood, Stage::Target) => Field::TargetLikelihood,
        // An inherent or target rating is a band name riskreg derives, not a judgement.
        (Field::Rag | Field::Score, Stage::Target) | (Field::Rag, Stage::Inherent) => return None,
        (f, _) => f,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn common_headers_are_recognised() {
        assert_eq!(field_for("Reference / Risk ID", None), Some(Field::SourceRef));
        assert_eq!(field_for("Risk Description", None), Some(Field::Statement));
        assert_eq!(field_for("Residual Likelihood", None), Some(Field::Likelihood));
        assert_eq!(field_for("Inherent Impact", None), Some(Field::InherentImpact));
        assert_eq!(
            field_for("Impact", Some(" Risk Assessment (Inherent Risk)")),
            Some(Field::InherentImpact)
        );
        assert_eq!(
            field_for("RR SCORE", Some("Risk Management (Residual Risk)")),
            Some(Field::Score)
        );
        assert_eq!(
            field_for("Inherent Risk Rating SCORE", None),
            Some(Field::InherentScore)
        );
        assert_eq!(field_for("Inherent Risk Rating", None), None);
        assert_eq!(field_for("Target Risk Rating", None), None);
        assert_eq!(field_for("Mitigation(s)", None), Some(Field::Mitigations));
        assert_eq!(field_for("Probability", None), Some(Field::Likelihood));
        assert_eq!(field_for("Business Unit", None), None);
    }

    #[test]
    fn field_names_parse() {
        for f in ALL {
            assert_eq!(Field::parse(f.name()), Some(f));
        }
        assert_eq!(Field::parse("Inherent-Impact"), Some(Field::InherentImpact));
    }
}
