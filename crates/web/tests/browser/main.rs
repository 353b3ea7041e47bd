//! End-to-end tests of the web UI in a real headless Chromium, driven over WebDriver. Each
//! scenario spawns its own server and browser session and asserts what a person sees.

#[path = "../common/app.rs"]
mod app;
#[path = "../common/xss.rs"]
mod corpus;
mod harness;
mod review;
mod scenarios;
mod xss;
mod xss_seed;
