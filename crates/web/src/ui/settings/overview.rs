//! `/settings`: what each section holds at a glance, and the way into it.

use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::response::Html;
use axum::routing::get;
use chrono::Utc;

use super::{Tab, require_admin};
use crate::api::settings::current;
use crate::api::visible_registers;
use crate::state::AppState;
use crate::ui::error::{PageResult, render};
use crate::ui::layout::{Layout, Section};
use crate::ui::session::PageUser;

pub fn router() -> Router<AppState> {
    Router::new().route("/settings", get(overview))
}

#[derive(Template)]
#[template(path = "ui/settings.html")]
struct OverviewPage {
    layout: Layout,
    tab: Tab,
    impact_levels: u8,
    likelihood_levels: u8,
    bands: usize,
    categories: usize,
    version: u32,
    registers: usize,
    confidential: usize,
    users: usize,
    disabled: usize,
    live_tokens: usize,
    tokens: usize,
}

async fn overview(State(state): State<AppState>, user: PageUser) -> PageResult<Html<String>> {
    require_admin(&user)?;
    let settings = current(&state).await?;
    let registers = visible_registers(&state, &user.caller).await?;
    let users = state.store.users().await?;
    let tokens = state.store.tokens(None).await?;
    let now = Utc::now();
    let s = &settings.settings;
    render(&OverviewPage {
        layout: Layout::new(&user, "Settings", Section::Settings),
        tab: Tab::Overview,
        impact_levels: s.impact_levels(),
        likelihood_levels: s.likelihood_levels(),
        bands: s.bands.len(),
        categories: s.classification.categories.len(),
        version: settings.version,
        registers: registers.len(),
        confidential: registers.values().filter(|r| r.fields.confidential).count(),
        users: users.len(),
        disabled: users.iter().filter(|u| u.fields.disabled).count(),
        live_tokens: tokens.iter().filter(|t| t.is_live(now)).count(),
        tokens: tokens.len(),
    })
}
