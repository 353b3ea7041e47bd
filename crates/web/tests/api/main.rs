//! The API's tests, in one binary: every route, the authorization matrix, preconditions,
//! bad input, authentication and the OpenAPI document. Each test gets its own server on
//! `127.0.0.1:0` and its own database.

mod attacks;
mod auth;
mod exchange;
mod helpers;
mod input;
mod matrix;
mod openapi;
mod pages;
mod reads;
mod review;
mod settings;
mod throttle;
mod writes;
