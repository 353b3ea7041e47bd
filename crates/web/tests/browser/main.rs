//! End-to-end tests of the web UI in a real headless Chromium, driven over WebDriver. Each
//! scenario spawns its own server and browser session and asserts what a person sees.

#[path = "../common/app.rs"]
mod app;
mod harness;
mod review;
mod scenarios;
