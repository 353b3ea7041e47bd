//! What every page's frame needs: the title, who is signed in (for the header and the
//! sign-out form's CSRF token), which section of the navigation is current, and the
//! asset URLs.

use super::assets::{CSS_URL, JS_URL};
use super::session::PageUser;

/// The sections of the navigation bar.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Section {
    Dashboard,
    Registers,
    Meetings,
    Settings,
    None,
}

#[derive(Debug, Clone)]
pub struct Layout {
    pub title: String,
    pub user: Option<String>,
    pub role: String,
    pub csrf: String,
    pub is_admin: bool,
    pub section: Section,
    pub css: &'static str,
    pub js: &'static str,
}

impl Layout {
    pub fn new(user: &PageUser, title: impl Into<String>, section: Section) -> Self {
        Self {
            title: title.into(),
            user: Some(user.caller.name.to_string()),
            role: user.caller.role.to_string(),
            csrf: user.csrf.clone(),
            is_admin: user.is_admin(),
            section,
            css: CSS_URL.as_str(),
            js: JS_URL.as_str(),
        }
    }

    /// For pages shown without a session: sign-in and errors.
    pub fn anonymous(title: impl Into<String>) -> Self {
        Self {
            title: title.into(),
            user: None,
            role: String::new(),
            csrf: String::new(),
            is_admin: false,
            section: Section::None,
            css: CSS_URL.as_str(),
            js: JS_URL.as_str(),
        }
    }

    /// `aria-current="page"` for the current section's link.
    pub fn current(&self, name: &str) -> &'static str {
        let section = match name {
            "dashboard" => Section::Dashboard,
            "registers" => Section::Registers,
            "meetings" => Section::Meetings,
            "settings" => Section::Settings,
            _ => Section::None,
        };
        if section == self.section { "page" } else { "false" }
    }
}
