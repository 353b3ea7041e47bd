//! `/settings/users`: every user with their role, whether the account is disabled and the
//! registers they belong to (only those the admin can see), and the form that creates a
//! user with an initial password, through the API's own create.

use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use riskreg_store::users::Role;
use serde::Deserialize;

use super::{Tab, require_admin};
use crate::api::users::{NewUser, create};
use crate::api::visible_registers;
use crate::error::Error;
use crate::state::AppState;
use crate::ui::error::{PageResult, render, see_other};
use crate::ui::forms::FieldErrors;
use crate::ui::layout::{Layout, Section};
use crate::ui::session::{CsrfForm, PageUser};

pub fn router() -> Router<AppState> {
    Router::new().route("/settings/users", get(list).post(add))
}

#[derive(Debug)]
pub struct UserRow {
    pub name: String,
    pub role: &'static str,
    pub disabled: bool,
    pub registers: Vec<String>,
}

/// The create form's fields as typed (never the password: it is not sent back).
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct NewValues {
    pub name: String,
    pub role: String,
    pub password: String,
}

#[derive(Template)]
#[template(path = "ui/settings_users.html")]
struct UsersPage {
    layout: Layout,
    tab: Tab,
    rows: Vec<UserRow>,
    roles: [&'static str; 4],
    name: String,
    role: String,
    errors: FieldErrors,
}

async fn page(
    state: &AppState,
    user: &PageUser,
    name: String,
    role: String,
    errors: FieldErrors,
) -> PageResult<UsersPage> {
    let visible = visible_registers(state, &user.caller).await?;
    let rows = state
        .store
        .users()
        .await?
        .into_iter()
        .map(|u| UserRow {
            name: u.name.to_string(),
            role: u.fields.role.as_str(),
            disabled: u.fields.disabled,
            registers: u
                .fields
                .registers
                .iter()
                .filter(|c| visible.contains_key(*c))
                .map(ToString::to_string)
                .collect(),
        })
        .collect();
    Ok(UsersPage {
        layout: Layout::new(user, "Users · Settings", Section::Settings),
        tab: Tab::Users,
        rows,
        roles: Role::ALL.map(Role::as_str),
        name,
        role,
        errors,
    })
}

async fn list(State(state): State<AppState>, user: PageUser) -> PageResult<Response> {
    require_admin(&user)?;
    let p = page(
        &state,
        &user,
        String::new(),
        Role::Viewer.as_str().to_owned(),
        FieldErrors::default(),
    )
    .await?;
    Ok(render(&p)?.into_response())
}

async fn add(State(state): State<AppState>, form: CsrfForm<NewValues>) -> PageResult<Response> {
    let user = form.user;
    require_admin(&user)?;
    let v = form.form;
    let result = match Role::parse(&v.role) {
        Ok(role) => {
            let body = NewUser {
                name: v.name.clone(),
                role,
                password: v.password,
                registers: Vec::new(),
            };
            create(&state, &user.caller, body).await
        }
        Err(e) => Err(e.into()),
    };
    let (status, errors) = match result {
        Ok(u) => return Ok(see_other(&format!("/settings/users/{}?done=created", u.name))),
        Err(Error::Invalid(e)) => (StatusCode::UNPROCESSABLE_ENTITY, FieldErrors::from_validation(&e)),
        Err(Error::Conflict(_)) => {
            let mut errors = FieldErrors::default();
            errors.add("name", "is taken by another user");
            (StatusCode::CONFLICT, errors)
        }
        Err(e) => return Err(e.into()),
    };
    let p = page(&state, &user, v.name, v.role, errors).await?;
    Ok((status, render(&p)?).into_response())
}
