//! `riskreg`: the command-line entry point. Parses the command line, opens the database the
//! user named and runs one command, mapping failures to a message and an exit code.

#![forbid(unsafe_code)]

mod backend;
mod cli;
mod commands;
mod exit;
mod fields;
mod output;
mod signed_head;
mod time_arg;

use std::process::ExitCode;

use clap::Parser;

/// A server logs its requests; the other commands speak only when something is wrong.
fn default_log(command: &cli::Command) -> &'static str {
    match command {
        cli::Command::Serve(_) => "info,sqlx=warn",
        _ => "warn,sqlx=warn",
    }
}

#[tokio::main]
async fn main() -> ExitCode {
    let cli = cli::Cli::parse();
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("RISKREG_LOG")
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(default_log(&cli.command))),
        )
        .with_writer(std::io::stderr)
        .init();
    match commands::run(cli).await {
        Ok(code) => code,
        Err(e) => exit::report(&e),
    }
}
