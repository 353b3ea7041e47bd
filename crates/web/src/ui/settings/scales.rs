//! `/settings/scales`: the impact and likelihood scales, the severity bands and the impact
//! classification as they stand, with who last changed them and the way to edit each.

use askama::Template;
use axum::Router;
use axum::extract::{Query, State};
use axum::response::Html;
use axum::routing::get;
use riskreg_domain::Settings;
use serde::Deserialize;

use super::{Tab, require_admin};
use crate::api::settings::{CurrentSettings, current};
use crate::state::AppState;
use crate::ui::error::{PageResult, render};
use crate::ui::layout::{Layout, Section};
use crate::ui::session::PageUser;
use crate::ui::view::safe_colour;

pub fn router() -> Router<AppState> {
    Router::new().route("/settings/scales", get(show))
}

#[derive(Debug, Clone)]
pub struct LevelRow {
    pub level: u8,
    pub label: String,
}

#[derive(Debug, Clone)]
pub struct BandView {
    pub name: String,
    pub min: u16,
    pub max: u16,
    pub colour: String,
}

#[derive(Debug, Clone)]
pub struct CategoryView {
    pub name: String,
    /// One per impact level; blank where the level has no descriptor.
    pub cells: Vec<String>,
}

/// The settings as tables.
#[derive(Debug, Clone)]
pub struct ScalesView {
    pub impact: Vec<LevelRow>,
    pub likelihood: Vec<LevelRow>,
    pub bands: Vec<BandView>,
    pub categories: Vec<CategoryView>,
    pub max_severity: u16,
    pub version: u32,
    pub updated_by: String,
    pub updated_at: String,
}

fn levels(scale: &[riskreg_domain::ScaleLevel]) -> Vec<LevelRow> {
    scale
        .iter()
        .map(|l| LevelRow {
            level: l.level,
            label: l.label.clone(),
        })
        .collect()
}

impl ScalesView {
    pub fn of(c: &CurrentSettings) -> Self {
        let s: &Settings = &c.settings;
        Self {
            impact: levels(&s.impact_scale),
            likelihood: levels(&s.likelihood_scale),
            bands: s
                .bands
                .iter()
                .map(|b| BandView {
                    name: b.name.clone(),
                    min: b.min,
                    max: b.max,
                    colour: safe_colour(&b.colour),
                })
                .collect(),
            categories: s
                .classification
                .categories
                .iter()
                .map(|cat| CategoryView {
                    name: cat.name.clone(),
                    cells: cat.cells.iter().map(|d| d.clone().unwrap_or_default()).collect(),
                })
                .collect(),
            max_severity: s.max_severity(),
            version: c.version,
            updated_by: c.updated_by.clone().unwrap_or_default(),
            updated_at: c
                .updated_at
                .map(|t| t.format("%Y-%m-%d %H:%M UTC").to_string())
                .unwrap_or_default(),
        }
    }
}

#[derive(Template)]
#[template(path = "ui/settings_scales.html")]
struct ScalesPage {
    layout: Layout,
    tab: Tab,
    view: ScalesView,
    saved: String,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct Shown {
    saved: String,
}

async fn show(State(state): State<AppState>, user: PageUser, Query(q): Query<Shown>) -> PageResult<Html<String>> {
    require_admin(&user)?;
    let c = current(&state).await?;
    render(&ScalesPage {
        layout: Layout::new(&user, "Scales and bands · Settings", Section::Settings),
        tab: Tab::Scales,
        view: ScalesView::of(&c),
        saved: q.saved.parse::<u32>().map(|v| v.to_string()).unwrap_or_default(),
    })
}
