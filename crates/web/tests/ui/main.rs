//! The web UI over plain HTTP, without a browser: status codes, access control, CSRF
//! refusals, escaping of stored text, and the edit form's validation and conflict answers.

#[path = "../common/app.rs"]
mod app;
mod helpers;
mod import;
mod pages;
mod review;
mod settings;
mod writes;
