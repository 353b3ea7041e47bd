//! View models shared by pages: a risk as a table row, RAG chips that carry the word (never
//! colour alone), severity bands with their colours, and the heat map grid whose cells link
//! to the register filtered to that cell.

use riskreg_domain::{Rag, Risk, Settings};

/// A RAG judgement as shown: the word, and a CSS class for its colour.
#[derive(Debug, Clone)]
pub struct RagChip {
    pub word: &'static str,
    pub class: &'static str,
}

impl From<Rag> for RagChip {
    fn from(rag: Rag) -> Self {
        match rag {
            Rag::Red => Self {
                word: "RED",
                class: "rag rag-red",
            },
            Rag::Amber => Self {
                word: "AMBER",
                class: "rag rag-amber",
            },
            Rag::Green => Self {
                word: "GREEN",
                class: "rag rag-green",
            },
        }
    }
}

/// A severity band as shown: its name and its configured colour (drawn as a swatch beside
/// the name, since a page's CSP allows no inline styles).
#[derive(Debug, Clone)]
pub struct BandChip {
    pub name: String,
    pub colour: String,
}

impl BandChip {
    pub fn of(settings: &Settings, severity: u16) -> Self {
        match settings.band(severity) {
            Some(b) => Self {
                name: b.name.clone(),
                colour: safe_colour(&b.colour),
            },
            None => Self {
                name: "No band".into(),
                colour: "#bdbdbd".into(),
            },
        }
    }
}

/// A colour from the settings, only if it is `#rrggbb` (it lands in an SVG attribute).
pub fn safe_colour(colour: &str) -> String {
    let ok = colour.len() == 7 && colour.starts_with('#') && colour[1..].chars().all(|c| c.is_ascii_hexdigit());
    if ok { colour.to_owned() } else { "#bdbdbd".to_owned() }
}

/// Black or white text, whichever reads better on `colour` (WCAG relative luminance).
pub fn text_on(colour: &str) -> &'static str {
    let channel = |i: usize| {
        let v = u8::from_str_radix(colour.get(i..i + 2).unwrap_or("bd"), 16).unwrap_or(0xbd) as f64 / 255.0;
        if v <= 0.03928 {
            v / 12.92
        } else {
            ((v + 0.055) / 1.055).powf(2.4)
        }
    };
    let l = 0.2126 * channel(1) + 0.7152 * channel(3) + 0.0722 * channel(5);
    // Contrast with black (l + 0.05) / 0.05 against white 1.05 / (l + 0.05).
    if (l + 0.05) / 0.05 >= 1.05 / (l + 0.05) {
        "#111111"
    } else {
        "#ffffff"
    }
}

/// One cell of a heat map.
#[derive(Debug, Clone)]
pub struct HeatCell {
    pub x: u32,
    pub y: u32,
    pub impact: u8,
    pub likelihood: u8,
    pub severity: u16,
    pub colour: String,
    pub ink: &'static str,
    pub count: usize,
    /// The risk numbers in the cell, shortened for a crowded register.
    pub label: String,
    /// Spoken and hovered: the scores, the band and the risks.
    pub title: String,
    pub href: String,
}

/// An impact × likelihood grid of live risks, likelihood rising upwards.
#[derive(Debug, Clone)]
pub struct HeatMap {
    pub cells: Vec<HeatCell>,
    pub width: u32,
    pub height: u32,
    pub cell: u32,
    pub impact_labels: Vec<(u32, String)>,
    pub likelihood_labels: Vec<(u32, String)>,
}

pub const HEAT_CELL: u32 = 56;
const HEAT_LEFT: u32 = 30;

impl HeatMap {
    /// The heat map of `risks` (live ones should be passed) in register `code`.
    pub fn new(code: &str, risks: &[&Risk], settings: &Settings) -> Self {
        let (ni, nl) = (settings.impact_levels(), settings.likelihood_levels());
        let mut cells = Vec::new();
        for likelihood in 1..=nl {
            for impact in 1..=ni {
                let mut numbers: Vec<u32> = risks
                    .iter()
                    .filter(|r| r.fields.impact == impact && r.fields.likelihood == likelihood)
                    .map(|r| r.reference.number)
                    .collect();
                numbers.sort_unstable();
                let severity = u16::from(impact) * u16::from(likelihood);
                let band = BandChip::of(settings, severity);
                // A cell is a few characters wide: list the numbers if they fit, else count them.
                let mut label = numbers.iter().map(u32::to_string).collect::<Vec<_>>().join(",");
                if label.chars().count() > 7 {
                    label = format!("{} risks", numbers.len());
                }
                let title = format!(
                    "Impact {impact} × likelihood {likelihood} = {severity} ({}): {}",
                    band.name,
                    if numbers.is_empty() {
                        "no risks".to_owned()
                    } else {
                        format!(
                            "risk{} {}",
                            if numbers.len() == 1 { "" } else { "s" },
                            numbers.iter().map(u32::to_string).collect::<Vec<_>>().join(", ")
                        )
                    }
                );
                cells.push(HeatCell {
                    x: HEAT_LEFT + u32::from(impact - 1) * HEAT_CELL,
                    y: u32::from(nl - likelihood) * HEAT_CELL,
                    impact,
                    likelihood,
                    severity,
                    ink: text_on(&band.colour),
                    colour: band.colour,
                    count: numbers.len(),
                    label,
                    title,
                    href: format!("/registers/{code}?impact={impact}&likelihood={likelihood}"),
                });
            }
        }
        let impact_labels = (1..=ni)
            .map(|i| (HEAT_LEFT + u32::from(i - 1) * HEAT_CELL + HEAT_CELL / 2, i.to_string()))
            .collect();
        let likelihood_labels = (1..=nl)
            .map(|l| (u32::from(nl - l) * HEAT_CELL + HEAT_CELL / 2 + 5, l.to_string()))
            .collect();
        Self {
            cells,
            width: HEAT_LEFT + u32::from(ni) * HEAT_CELL,
            height: u32::from(nl) * HEAT_CELL + 24,
            cell: HEAT_CELL,
            impact_labels,
            likelihood_labels,
        }
    }

    /// The y of the impact axis labels.
    pub fn axis_y(&self) -> u32 {
        self.height - 6
    }
}

/// Shortens `text` to about `max` characters at a word boundary, for table cells.
pub fn excerpt(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_owned();
    }
    let cut: String = text.chars().take(max).collect();
    let cut = cut.rsplit_once(' ').map_or(cut.as_str(), |(a, _)| a);
    format!("{cut}…")
}

/// "2018-08-03 09:30 UTC by SECAS (version 3)": when a record last changed, by whom.
pub fn last_changed(revision: &riskreg_domain::register::Revision) -> String {
    format!(
        "{} by {} (version {})",
        revision.updated_at.format("%Y-%m-%d %H:%M UTC"),
        revision.updated_by,
        revision.version
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_contrasts_with_the_band_colour() {
        assert_eq!(text_on("#c62828"), "#ffffff");
        assert_eq!(text_on("#f9a825"), "#111111");
    }

    #[test]
    fn only_hex_colours_reach_attributes() {
        assert_eq!(safe_colour("#2e7d32"), "#2e7d32");
        assert_eq!(safe_colour("red\" onload=\"x"), "#bdbdbd");
    }

    #[test]
    fn excerpts_cut_at_words() {
        assert_eq!(excerpt("There is a risk that", 12), "There is a…");
        assert_eq!(excerpt("short", 12), "short");
    }
}
