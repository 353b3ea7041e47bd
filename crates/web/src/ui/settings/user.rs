//! `/settings/users/{name}`: one user's role, account, register memberships and password,
//! each changed by its own small form through the API's own functions. Every form but the
//! password's carries the user's version, so a change made meanwhile is never overwritten.

use askama::Template;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use riskreg_domain::RegisterCode;
use riskreg_store::users::{Role, User, UserName};
use serde::Deserialize;

use super::registers::{ParentChoice, parent_choices};
use super::{Tab, require_admin};
use crate::api::users::{UserPatch, amend, set_membership, set_password};
use crate::api::visible_registers;
use crate::error::{ApiResult, Error};
use crate::state::AppState;
use crate::ui::error::{PageResult, render, see_other};
use crate::ui::forms::FieldErrors;
use crate::ui::layout::{Layout, Section};
use crate::ui::session::{CsrfForm, PageUser};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/settings/users/{name}", get(show))
        .route("/settings/users/{name}/role", post(change_role))
        .route("/settings/users/{name}/account", post(change_account))
        .route("/settings/users/{name}/registers", post(add_membership))
        .route(
            "/settings/users/{name}/registers/{code}/remove",
            post(remove_membership),
        )
        .route("/settings/users/{name}/password", post(change_password))
}

/// A register the user belongs to, as listed.
#[derive(Debug)]
pub struct Membership {
    pub code: String,
    pub name: String,
}

#[derive(Template)]
#[template(path = "ui/settings_user.html")]
struct UserPage {
    layout: Layout,
    tab: Tab,
    name: String,
    role: &'static str,
    disabled: bool,
    version: u32,
    is_self: bool,
    roles: [&'static str; 4],
    memberships: Vec<Membership>,
    addable: Vec<ParentChoice>,
    errors: FieldErrors,
    done: &'static str,
    conflict: String,
}

/// What the page says after each kind of change; only these can be shown.
fn done_message(done: &str) -> &'static str {
    match done {
        "created" => "User created. Add the registers they belong to below.",
        "role" => "Role saved.",
        "disabled" => "Account disabled: its sessions have ended, and its tokens stop working while it stays disabled.",
        "enabled" => "Account enabled.",
        "granted" => "Membership added.",
        "revoked" => "Membership removed.",
        "password" => "Password set: the user's sessions have ended.",
        _ => "",
    }
}

fn user_name(value: &str) -> Result<UserName, Error> {
    UserName::parse(value).map_err(|_| Error::NotFound(format!("user {value}")))
}

/// The user a settings form changes: the signed-in user must be an admin, and the named
/// user must exist.
async fn subject(state: &AppState, user: &PageUser, name: &str) -> PageResult<UserName> {
    require_admin(user)?;
    let name = user_name(name)?;
    existing(state, &name).await?;
    Ok(name)
}

async fn existing(state: &AppState, name: &UserName) -> Result<User, Error> {
    state
        .store
        .user(name)
        .await?
        .ok_or_else(|| Error::NotFound(format!("user {name}")))
}

async fn page(state: &AppState, user: &PageUser, shown: &User) -> PageResult<UserPage> {
    let visible = visible_registers(state, &user.caller).await?;
    let registers = state.store.registers(None).await?;
    let memberships = registers
        .iter()
        .filter(|r| visible.contains_key(&r.code) && shown.fields.is_member(&r.code))
        .map(|r| Membership {
            code: r.code.to_string(),
            name: r.fields.name.clone(),
        })
        .collect();
    let addable = parent_choices(
        registers
            .iter()
            .filter(|r| visible.contains_key(&r.code) && !shown.fields.is_member(&r.code)),
    );
    Ok(UserPage {
        layout: Layout::new(user, format!("User {} · Settings", shown.name), Section::Settings),
        tab: Tab::Users,
        name: shown.name.to_string(),
        role: shown.fields.role.as_str(),
        disabled: shown.fields.disabled,
        version: shown.revision.version,
        is_self: shown.name == user.caller.name,
        roles: Role::ALL.map(Role::as_str),
        memberships,
        addable,
        errors: FieldErrors::default(),
        done: "",
        conflict: String::new(),
    })
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct Done {
    done: String,
}

async fn show(
    State(state): State<AppState>,
    user: PageUser,
    Path(name): Path<String>,
    Query(q): Query<Done>,
) -> PageResult<Response> {
    require_admin(&user)?;
    let shown = existing(&state, &user_name(&name)?).await?;
    let mut p = page(&state, &user, &shown).await?;
    p.done = done_message(&q.done);
    Ok(render(&p)?.into_response())
}

/// The page after a change: on to the user's page saying what was done, or the page again
/// with the rule broken (422) or with the user as they now stand after someone else's
/// change (409).
async fn outcome(
    state: &AppState,
    user: &PageUser,
    name: &UserName,
    result: ApiResult<User>,
    done: &str,
) -> PageResult<Response> {
    let (status, errors, conflict) = match result {
        Ok(u) => return Ok(see_other(&format!("/settings/users/{}?done={done}", u.name))),
        Err(Error::Invalid(e)) => (
            StatusCode::UNPROCESSABLE_ENTITY,
            FieldErrors::from_validation(&e),
            false,
        ),
        Err(Error::Stale(_)) => (StatusCode::CONFLICT, FieldErrors::default(), true),
        Err(e) => return Err(e.into()),
    };
    let now = existing(state, name).await?;
    let mut p = page(state, user, &now).await?;
    p.errors = errors;
    if conflict {
        p.conflict = format!(
            "{} was changed by {} while you had this page open (it is now at version {}). Nothing was saved: the page now shows the user as they stand, so make your change again if it is still needed.",
            now.name, now.revision.updated_by, now.revision.version
        );
    }
    Ok((status, render(&p)?).into_response())
}

fn opened(version: &str) -> Result<u32, Error> {
    version
        .parse()
        .map_err(|_| Error::invalid("version", "must be the version the page was opened at"))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct RoleForm {
    version: String,
    role: String,
}

async fn change_role(
    State(state): State<AppState>,
    Path(name): Path<String>,
    form: CsrfForm<RoleForm>,
) -> PageResult<Response> {
    let user = form.user;
    let name = subject(&state, &user, &name).await?;
    let result = match (opened(&form.form.version), Role::parse(&form.form.role)) {
        (Ok(version), Ok(role)) => {
            let patch = UserPatch {
                role: Some(role),
                disabled: None,
            };
            amend(&state, &user.caller, &name, version, patch).await
        }
        (Err(e), _) => Err(e),
        (_, Err(e)) => Err(e.into()),
    };
    outcome(&state, &user, &name, result, "role").await
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct AccountForm {
    version: String,
    disabled: String,
}

async fn change_account(
    State(state): State<AppState>,
    Path(name): Path<String>,
    form: CsrfForm<AccountForm>,
) -> PageResult<Response> {
    let user = form.user;
    let name = subject(&state, &user, &name).await?;
    let disabled = form.form.disabled == "1";
    let result = match opened(&form.form.version) {
        Ok(version) => {
            let patch = UserPatch {
                role: None,
                disabled: Some(disabled),
            };
            amend(&state, &user.caller, &name, version, patch).await
        }
        Err(e) => Err(e),
    };
    let done = if disabled { "disabled" } else { "enabled" };
    outcome(&state, &user, &name, result, done).await
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct MembershipForm {
    version: String,
    register: String,
}

async fn add_membership(
    State(state): State<AppState>,
    Path(name): Path<String>,
    form: CsrfForm<MembershipForm>,
) -> PageResult<Response> {
    let user = form.user;
    let name = subject(&state, &user, &name).await?;
    let f = form.form;
    let unknown = || Error::invalid("register", format!("names no register: {}", f.register));
    let result = match (opened(&f.version), RegisterCode::parse(&f.register)) {
        (Ok(version), Ok(code)) => set_membership(&state, &user.caller, &name, &code, version, true)
            .await
            .map_err(|e| match e {
                // A register the admin cannot see reads as one that does not exist.
                Error::NotFound(_) => unknown(),
                other => other,
            }),
        (Err(e), _) => Err(e),
        (_, Err(_)) => Err(unknown()),
    };
    outcome(&state, &user, &name, result, "granted").await
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct VersionForm {
    version: String,
}

async fn remove_membership(
    State(state): State<AppState>,
    Path((name, code)): Path<(String, String)>,
    form: CsrfForm<VersionForm>,
) -> PageResult<Response> {
    let user = form.user;
    let name = subject(&state, &user, &name).await?;
    let code = crate::api::parse_code(&code)?;
    let result = match opened(&form.form.version) {
        Ok(version) => set_membership(&state, &user.caller, &name, &code, version, false).await,
        Err(e) => Err(e),
    };
    outcome(&state, &user, &name, result, "revoked").await
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct PasswordForm {
    password: String,
    confirm: String,
}

async fn change_password(
    State(state): State<AppState>,
    Path(name): Path<String>,
    form: CsrfForm<PasswordForm>,
) -> PageResult<Response> {
    let user = form.user;
    let name = subject(&state, &user, &name).await?;
    let f = form.form;
    let result = if f.password != f.confirm {
        Err(Error::invalid("confirm", "must be the same as the new password"))
    } else {
        set_password(&state, &user.caller, &name, f.password).await
    };
    outcome(&state, &user, &name, result, "password").await
}
