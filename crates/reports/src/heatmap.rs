//! Figure 1, the risk matrix: impact across, likelihood up, each live risk's number in its
//! cell, cells coloured by severity band. Drawn once as SVG (inline in HTML) and rasterised
//! to PNG with resvg for DOCX, which cannot take vector images, using the fonts compiled
//! into riskreg so the picture is the same on every machine.

use std::fmt::Write as _;

use resvg::{tiny_skia, usvg};
use riskreg_domain::Settings;

use crate::Error;
use crate::escape::xml;
use crate::fonts;
use crate::layout::text_on;
use crate::model::Paper;

/// One cell of the matrix.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HeatCell {
    pub impact: u8,
    pub likelihood: u8,
    pub severity: u16,
    /// The severity band's name, if the settings' bands cover this severity.
    pub band: Option<String>,
    /// The band's colour, `#rrggbb`.
    pub colour: String,
    /// The numbers of the risks scored here, lowest first.
    pub risks: Vec<u32>,
}

/// The impact × likelihood matrix of a paper's live risks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HeatMap {
    pub impact_levels: u8,
    pub likelihood_levels: u8,
    /// Row by row from likelihood 1, impact 1 upwards.
    pub cells: Vec<HeatCell>,
}

/// Cells with no band (settings that leave a severity uncovered) are drawn grey.
const NO_BAND: &str = "#bdbdbd";

impl HeatCell {
    /// The cell's risk numbers as text, at most `max` of them and then how many more: a
    /// cell of a large register cannot list them all.
    pub fn label(&self, max: usize) -> String {
        let shown: Vec<String> = self.risks.iter().take(max).map(u32::to_string).collect();
        let mut label = shown.join(", ");
        if self.risks.len() > max {
            label.push_str(&format!(" +{} more", self.risks.len() - max));
        }
        label
    }
}

impl HeatMap {
    pub fn new(paper: &Paper) -> Self {
        let s = &paper.settings;
        let (ni, nl) = (s.impact_levels(), s.likelihood_levels());
        let mut cells = Vec::with_capacity(usize::from(ni) * usize::from(nl));
        for likelihood in 1..=nl {
            for impact in 1..=ni {
                let severity = u16::from(impact) * u16::from(likelihood);
                let band = s.band(severity);
                let mut risks: Vec<u32> = paper
                    .risks
                    .iter()
                    .filter(|e| e.risk.impact == impact && e.risk.likelihood == likelihood)
                    .map(|e| e.risk.number)
                    .collect();
                risks.sort_unstable();
                cells.push(HeatCell {
                    impact,
                    likelihood,
                    severity,
                    band: band.map(|b| b.name.clone()),
                    colour: band.map_or(NO_BAND, |b| b.colour.as_str()).to_owned(),
                    risks,
                });
            }
        }
        Self {
            impact_levels: ni,
            likelihood_levels: nl,
            cells,
        }
    }

    pub fn cell(&self, impact: u8, likelihood: u8) -> Option<&HeatCell> {
        self.cells
            .iter()
            .find(|c| c.impact == impact && c.likelihood == likelihood)
    }
}

const CELL_W: u32 = 112;
const CELL_H: u32 = 66;
const LEFT: u32 = 150;
const TOP: u32 = 12;
const FONT: &str = "Liberation Sans, Arial, Helvetica, sans-serif";
/// Lines of numbers in a cell before the rest are summarised as "+N more".
const MAX_LINES: usize = 3;
/// Room for numbers across a cell, and the advance of a digit and of ", " in the 15px
/// bold type they are set in (Liberation Sans, measured).
const LINE_ROOM: f32 = (CELL_W - 14) as f32;
const DIGIT_W: f32 = 8.4;
const SEP_W: f32 = 8.4;

/// The matrix as a standalone SVG document.
pub fn svg(paper: &Paper) -> String {
    let map = HeatMap::new(paper);
    let s = &paper.settings;
    let grid_w = CELL_W * u32::from(map.impact_levels);
    let grid_h = CELL_H * u32::from(map.likelihood_levels);
    let legend_y = TOP + grid_h + 78;
    let width = LEFT + grid_w + 12;
    let height = legend_y + 30;
    let mut out = String::with_capacity(16 * 1024);
    let _ = write!(
        out,
        r#"<svg xmlns="http://www.w3.org/2000/svg" class="heatmap" width="{width}" height="{height}" viewBox="0 0 {width} {height}" font-family="{FONT}" role="img" aria-labelledby="heatmap-title">"#
    );
    let _ = write!(
        out,
        r##"<title id="heatmap-title">Risk matrix: impact across, likelihood up, each risk's number in its cell</title><rect width="{width}" height="{height}" fill="#ffffff"/>"##
    );
    for cell in &map.cells {
        draw_cell(&mut out, &map, cell, s);
    }
    // Likelihood labels up the left, highest at the top as the eye expects.
    for l in 1..=map.likelihood_levels {
        let y = TOP + CELL_H * u32::from(map.likelihood_levels - l) + CELL_H / 2;
        let label = xml(s.likelihood_label(l).unwrap_or(""));
        let _ = write!(
            out,
            r##"<text x="{x}" y="{y}" text-anchor="end" font-size="13" fill="#222"><tspan font-weight="bold">{l}</tspan><tspan x="{x}" dy="16" font-size="11">{label}</tspan></text>"##,
            x = LEFT - 10,
            y = y - 3,
        );
    }
    for i in 1..=map.impact_levels {
        let x = LEFT + CELL_W * u32::from(i - 1) + CELL_W / 2;
        let label = xml(s.impact_label(i).unwrap_or(""));
        let _ = write!(
            out,
            r##"<text x="{x}" y="{y}" text-anchor="middle" font-size="13" fill="#222"><tspan font-weight="bold">{i}</tspan><tspan x="{x}" dy="15" font-size="11">{label}</tspan></text>"##,
            y = TOP + grid_h + 18,
        );
    }
    let _ = write!(
        out,
        r##"<text x="{x}" y="{y}" text-anchor="middle" font-size="14" font-weight="bold" fill="#222">Impact</text>"##,
        x = LEFT + grid_w / 2,
        y = TOP + grid_h + 56,
    );
    let _ = write!(
        out,
        r##"<text transform="translate(22 {y}) rotate(-90)" text-anchor="middle" font-size="14" font-weight="bold" fill="#222">Likelihood</text>"##,
        y = TOP + grid_h / 2,
    );
    legend(&mut out, s, legend_y);
    out.push_str("</svg>");
    out
}

fn draw_cell(out: &mut String, map: &HeatMap, cell: &HeatCell, s: &Settings) {
    let x = LEFT + CELL_W * u32::from(cell.impact - 1);
    let y = TOP + CELL_H * u32::from(map.likelihood_levels - cell.likelihood);
    let numbers: Vec<String> = cell.risks.iter().map(u32::to_string).collect();
    let risks = numbers.join(" ");
    let title = format!(
        "Impact {} ({}) × likelihood {} ({}): severity {}{}",
        cell.impact,
        s.impact_label(cell.impact).unwrap_or(""),
        cell.likelihood,
        s.likelihood_label(cell.likelihood).unwrap_or(""),
        cell.severity,
        if numbers.is_empty() {
            String::new()
        } else {
            format!(", risks {}", numbers.join(", "))
        }
    );
    let _ = write!(
        out,
        r##"<g class="cell" data-impact="{}" data-likelihood="{}" data-severity="{}" data-risks="{}"><title>{}</title><rect x="{x}" y="{y}" width="{CELL_W}" height="{CELL_H}" fill="{}" stroke="#ffffff" stroke-width="2"/>"##,
        cell.impact,
        cell.likelihood,
        cell.severity,
        risks,
        xml(&title),
        xml(&cell.colour),
    );
    let mut lines = wrap(&numbers);
    if lines.len() > MAX_LINES {
        lines.truncate(MAX_LINES - 1);
        let shown: usize = lines.iter().map(Vec::len).sum();
        lines.push(vec![format!("+{} more", numbers.len() - shown)]);
    }
    let lines: Vec<String> = lines.iter().map(|l| l.join(", ")).collect();
    let fill = text_on(&cell.colour);
    let line_h = 17;
    let first = y + CELL_H / 2 + 6 - (line_h * (lines.len() as u32).saturating_sub(1)) / 2;
    for (n, line) in lines.iter().enumerate() {
        let _ = write!(
            out,
            r#"<text x="{}" y="{}" text-anchor="middle" font-size="15" font-weight="bold" fill="{fill}">{}</text>"#,
            x + CELL_W / 2,
            first + line_h * n as u32,
            xml(line),
        );
    }
    out.push_str("</g>");
}

/// Breaks a cell's numbers into lines that fit across it.
fn wrap(numbers: &[String]) -> Vec<Vec<String>> {
    let mut lines: Vec<Vec<String>> = Vec::new();
    let mut width = 0.0;
    for n in numbers {
        let w = DIGIT_W * n.len() as f32;
        match lines.last_mut() {
            Some(line) if width + SEP_W + w <= LINE_ROOM => {
                line.push(n.clone());
                width += SEP_W + w;
            }
            _ => {
                lines.push(vec![n.clone()]);
                width = w;
            }
        }
    }
    lines
}

fn legend(out: &mut String, s: &Settings, y: u32) {
    let mut x = LEFT;
    for band in &s.bands {
        let label = if band.min == band.max {
            format!("{} ({})", band.name, band.min)
        } else {
            format!("{} ({}–{})", band.name, band.min, band.max)
        };
        let _ = write!(
            out,
            r##"<rect x="{x}" y="{y}" width="14" height="14" fill="{}"/><text x="{}" y="{}" font-size="12" fill="#222">{}</text>"##,
            xml(&band.colour),
            x + 20,
            y + 12,
            xml(&label),
        );
        // Liberation Sans at 12px averages under 7px a character.
        x += 34 + 7 * label.chars().count() as u32;
    }
}

/// A rasterised figure.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Png {
    pub data: Vec<u8>,
    pub width: u32,
    pub height: u32,
}

/// The matrix as a PNG, `scale` times the SVG's size (2.0 prints crisply at A4).
pub fn png(paper: &Paper, scale: f32) -> Result<Png, Error> {
    let svg = svg(paper);
    let mut options = usvg::Options {
        font_family: fonts::FAMILY.to_owned(),
        ..usvg::Options::default()
    };
    let db = options.fontdb_mut();
    for face in fonts::LIBERATION_SANS {
        db.load_font_data(face.to_vec());
    }
    db.set_sans_serif_family(fonts::FAMILY);
    let tree = usvg::Tree::from_str(&svg, &options).map_err(|e| Error::Figure(e.to_string()))?;
    let size = tree
        .size()
        .to_int_size()
        .scale_by(scale)
        .ok_or_else(|| Error::Figure(format!("cannot scale the figure by {scale}")))?;
    let mut pixmap = tiny_skia::Pixmap::new(size.width(), size.height())
        .ok_or_else(|| Error::Figure("the figure has no area".into()))?;
    pixmap.fill(tiny_skia::Color::WHITE);
    resvg::render(
        &tree,
        tiny_skia::Transform::from_scale(scale, scale),
        &mut pixmap.as_mut(),
    );
    let data = pixmap.encode_png().map_err(|e| Error::Figure(e.to_string()))?;
    Ok(Png {
        data,
        width: size.width(),
        height: size.height(),
    })
}

#[cfg(test)]
mod tests {
    use riskreg_domain::{RegisterCode, Settings};

    use super::*;

    fn strings(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| (*s).to_owned()).collect()
    }

    #[test]
    fn numbers_wrap_to_fit_the_cell() {
        let lines = wrap(&strings(&["3", "4", "5", "13", "15", "18"]));
        assert_eq!(lines, [strings(&["3", "4", "5", "13", "15"]), strings(&["18"])]);
        assert!(wrap(&[]).is_empty());
    }

    #[test]
    fn a_crowded_cell_says_how_many_more() {
        let cell = HeatCell {
            impact: 1,
            likelihood: 1,
            severity: 1,
            band: None,
            colour: "#ffffff".into(),
            risks: (1..=20).collect(),
        };
        assert_eq!(cell.label(3), "1, 2, 3 +17 more");
        assert_eq!(cell.label(20), cell.label(25));
    }

    #[test]
    fn an_empty_register_still_draws_the_whole_matrix() {
        let paper = Paper::new(
            "Board",
            RegisterCode::parse("BOARD").unwrap(),
            chrono::NaiveDate::from_ymd_opt(2026, 1, 5).unwrap(),
            "A",
            "B",
            Settings::default(),
        );
        let map = HeatMap::new(&paper);
        assert_eq!(map.cells.len(), 25);
        assert!(map.cells.iter().all(|c| c.risks.is_empty()));
        assert_eq!(map.cell(5, 5).map(|c| c.severity), Some(25));
        let svg = svg(&paper);
        assert_eq!(svg.matches("class=\"cell\"").count(), 25);
        let png = png(&paper, 1.0).unwrap();
        assert_eq!(&png.data[..4], b"\x89PNG");
        assert!(png.width > 500 && png.height > 300);
    }
}
