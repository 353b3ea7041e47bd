//! The admin's settings pages under `/settings`: the scoring scales, severity bands and
//! impact classification; registers; users and their memberships; API tokens. Only admins
//! may open them (anyone else gets the 403 page), and every change goes through the same
//! shared functions, and so the same store writes and events, as the JSON API.

pub mod classification_edit;
pub mod indexed;
pub mod overview;
pub mod register_edit;
pub mod registers;
pub mod scales;
pub mod scales_edit;
pub mod scales_form;
pub mod tokens;
pub mod user;
pub mod users;

use axum::Router;
use riskreg_store::users::Role;

use super::error::PageResult;
use super::session::PageUser;
use crate::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .merge(overview::router())
        .merge(scales::router())
        .merge(scales_edit::router())
        .merge(classification_edit::router())
        .merge(registers::router())
        .merge(register_edit::router())
        .merge(users::router())
        .merge(user::router())
        .merge(tokens::router())
}

/// Settings are for admins; anyone else is told so (they can see the page exists: the
/// navigation simply does not offer it to them).
pub fn require_admin(user: &PageUser) -> PageResult<()> {
    Ok(user.caller.require(Role::Admin)?)
}

/// The sections of the settings pages, for the sub-navigation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tab {
    Overview,
    Scales,
    Registers,
    Users,
    Tokens,
}

impl Tab {
    /// `aria-current="page"` for the current tab's link.
    pub fn current(self, name: &str) -> &'static str {
        let tab = match name {
            "overview" => Tab::Overview,
            "scales" => Tab::Scales,
            "registers" => Tab::Registers,
            "users" => Tab::Users,
            "tokens" => Tab::Tokens,
            _ => return "false",
        };
        if tab == self { "page" } else { "false" }
    }
}
