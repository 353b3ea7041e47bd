//! Editing the impact classification (`/settings/classification/edit`): categories ×
//! impact levels, each cell a descriptor or blank. Like the scales form it carries the
//! version it was opened at, shows broken rules beside their fields, and ends with a blank
//! row that adds a category.

use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use riskreg_domain::{Classification, ClassificationCategory, Settings};

use super::indexed::{Posted, Renumber, RowErrors};
use super::scales::ScalesView;
use super::{Tab, require_admin};
use crate::api::settings::{CurrentSettings, current, save};
use crate::error::Error;
use crate::state::AppState;
use crate::ui::error::{PageResult, render, see_other};
use crate::ui::forms::optional_text;
use crate::ui::layout::{Layout, Section};
use crate::ui::session::{CsrfForm, PageUser};

const LIST: &str = "classification.categories";

pub fn router() -> Router<AppState> {
    Router::new().route("/settings/classification/edit", get(edit).post(submit))
}

#[derive(Debug, Clone)]
pub struct Cell {
    pub field: String,
    pub id: String,
    /// The impact level it describes, as the column heading reads.
    pub level: String,
    pub text: String,
}

#[derive(Debug, Clone)]
pub struct CategoryRow {
    /// The prefix of the row's field names (`classification.categories[3]`).
    pub name: String,
    pub id: String,
    pub category: String,
    pub name_field: String,
    pub cells_field: String,
    pub cells: Vec<Cell>,
    pub remove: bool,
    pub new: bool,
}

impl CategoryRow {
    fn new(i: usize, category: String, texts: Vec<String>, levels: &[String], remove: bool, new: bool) -> Self {
        let name = format!("{LIST}[{i}]");
        let id = format!("category-{i}");
        let cells = levels
            .iter()
            .zip(texts)
            .enumerate()
            .map(|(j, (level, text))| Cell {
                field: format!("{name}.cells[{j}]"),
                id: format!("{id}-{j}"),
                level: level.clone(),
                text,
            })
            .collect();
        Self {
            name_field: format!("{name}.name"),
            cells_field: format!("{name}.cells"),
            name,
            id,
            category,
            cells,
            remove,
            new,
        }
    }

    fn is_blank(&self) -> bool {
        self.category.trim().is_empty() && self.cells.iter().all(|c| c.text.trim().is_empty())
    }
}

/// The impact levels' headings: "2 Minor".
fn level_names(settings: &Settings) -> Vec<String> {
    settings
        .impact_scale
        .iter()
        .map(|l| format!("{} {}", l.level, l.label))
        .collect()
}

fn rows_of(settings: &Settings) -> Vec<CategoryRow> {
    let levels = level_names(settings);
    let mut rows: Vec<CategoryRow> = settings
        .classification
        .categories
        .iter()
        .enumerate()
        .map(|(i, c)| {
            let texts = (0..levels.len())
                .map(|j| c.cells.get(j).cloned().flatten().unwrap_or_default())
                .collect();
            CategoryRow::new(i, c.name.clone(), texts, &levels, false, false)
        })
        .collect();
    let blank = vec![String::new(); levels.len()];
    rows.push(CategoryRow::new(rows.len(), String::new(), blank, &levels, false, true));
    rows
}

fn posted_rows(p: &Posted, settings: &Settings) -> Vec<CategoryRow> {
    let levels = level_names(settings);
    (0..p.rows(LIST, "name"))
        .map(|i| {
            let name = format!("{LIST}[{i}]");
            let texts = (0..levels.len())
                .map(|j| p.get(&format!("{name}.cells[{j}]")).to_owned())
                .collect();
            CategoryRow::new(
                i,
                p.get(&format!("{name}.name")).to_owned(),
                texts,
                &levels,
                p.checked(&format!("{name}.remove")),
                p.checked(&format!("{name}.new")),
            )
        })
        .collect()
}

/// `current` with the classification the rows ask for, and which row each category came from.
fn settings_of(rows: &[CategoryRow], current: &Settings) -> (Settings, Renumber) {
    let mut categories = Vec::new();
    let mut kept = Vec::new();
    for (i, r) in rows.iter().enumerate() {
        if r.remove || (r.new && r.is_blank()) {
            continue;
        }
        categories.push(ClassificationCategory {
            name: r.category.trim().to_owned(),
            cells: r.cells.iter().map(|c| optional_text(&c.text)).collect(),
        });
        kept.push(i);
    }
    let mut renumber = Renumber::default();
    renumber.list(LIST, kept);
    let settings = Settings {
        classification: Classification { categories },
        ..current.clone()
    };
    (settings, renumber)
}

#[derive(Template)]
#[template(path = "ui/settings_classification_edit.html")]
struct EditPage {
    layout: Layout,
    tab: Tab,
    version: u32,
    levels: Vec<String>,
    rows: Vec<CategoryRow>,
    errors: RowErrors,
    reason: String,
    /// After a conflict: the settings as they now stand.
    conflict: Option<ScalesView>,
    message: String,
}

fn page(user: &PageUser, c: &CurrentSettings, version: u32, rows: Vec<CategoryRow>, reason: String) -> EditPage {
    EditPage {
        layout: Layout::new(user, "Edit the impact classification · Settings", Section::Settings),
        tab: Tab::Scales,
        version,
        levels: level_names(&c.settings),
        rows,
        errors: RowErrors::default(),
        reason,
        conflict: None,
        message: String::new(),
    }
}

async fn edit(State(state): State<AppState>, user: PageUser) -> PageResult<Response> {
    require_admin(&user)?;
    let c = current(&state).await?;
    let rows = rows_of(&c.settings);
    Ok(render(&page(&user, &c, c.version, rows, String::new()))?.into_response())
}

async fn submit(State(state): State<AppState>, form: CsrfForm<Vec<(String, String)>>) -> PageResult<Response> {
    let user = form.user;
    require_admin(&user)?;
    let posted = Posted::new(form.form);
    let opened: u32 = posted
        .get("version")
        .parse()
        .map_err(|_| Error::invalid("version", "must be the version the form was opened at"))?;
    let reason = posted.get("reason").to_owned();
    let c = current(&state).await?;
    let rows = posted_rows(&posted, &c.settings);
    if opened != c.version {
        return conflict(&user, &c, rows, reason);
    }
    let (settings, renumber) = settings_of(&rows, &c.settings);
    if settings == c.settings {
        let mut p = page(&user, &c, opened, rows, reason);
        p.message = "Nothing was changed, so nothing was saved.".into();
        return Ok(render(&p)?.into_response());
    }
    match save(&state, &user.caller, opened, settings, optional_text(&reason)).await {
        Ok(saved) => Ok(see_other(&format!(
            "/settings/scales?saved={}#classification-h",
            saved.version
        ))),
        Err(Error::Invalid(errors)) => {
            let mut p = page(&user, &c, opened, rows, reason);
            p.errors = RowErrors::from_validation(&errors, &renumber);
            Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&p)?).into_response())
        }
        Err(Error::Stale(_)) => conflict(&user, &current(&state).await?, rows, reason),
        Err(e) => Err(e.into()),
    }
}

fn conflict(user: &PageUser, now: &CurrentSettings, rows: Vec<CategoryRow>, reason: String) -> PageResult<Response> {
    let mut p = page(user, now, now.version, rows, reason);
    p.conflict = Some(ScalesView::of(now));
    Ok((StatusCode::CONFLICT, render(&p)?).into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn post(rows: &[CategoryRow], edit: &[(&str, &str)]) -> Posted {
        let mut pairs = Vec::new();
        for r in rows {
            pairs.push((r.name_field.clone(), r.category.clone()));
            pairs.extend(r.cells.iter().map(|c| (c.field.clone(), c.text.clone())));
            if r.new {
                pairs.push((format!("{}.new", r.name), "1".into()));
            }
        }
        pairs.extend(edit.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())));
        Posted::new(pairs)
    }

    #[test]
    fn the_untouched_form_changes_nothing_and_a_blank_cell_is_none() {
        let s = Settings::default();
        let rows = posted_rows(&post(&rows_of(&s), &[]), &s);
        assert_eq!(settings_of(&rows, &s).0, s);
        let edit = [("classification.categories[0].cells[0]", "  ")];
        let rows = posted_rows(&post(&rows_of(&s), &edit), &s);
        assert_eq!(settings_of(&rows, &s).0.classification.categories[0].cells[0], None);
    }

    #[test]
    fn a_new_category_without_a_name_is_kept_so_the_rule_is_shown() {
        let s = Settings::default();
        let new_row = format!("{LIST}[{}].cells[1]", s.classification.categories.len());
        let rows = posted_rows(&post(&rows_of(&s), &[(new_row.as_str(), "Some harm")]), &s);
        let (new, renumber) = settings_of(&rows, &s);
        let errors = RowErrors::from_validation(&new.validate().unwrap_err(), &renumber);
        assert!(errors.has(&format!("{LIST}[10].name")), "{:?}", errors.all());
    }
}
