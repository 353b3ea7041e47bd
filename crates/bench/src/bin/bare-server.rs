//! The bare baseline for the API benchmarks: axum and sqlx-SQLite, the stack riskreg's
//! API is built on, serving one risk row by its reference as JSON with no authentication,
//! access checks, history or view building. `bench/run.sh` measures it in the same run as
//! riskreg and reports every API figure as a fraction of it, which takes the machine out of
//! the comparison.
//!
//! Usage: `bare-server DATABASE_PATH ADDR`, on a database `riskreg bench-data` filled;
//! `GET /risks/{ref}` answers with the stored record.

use std::str::FromStr;

use axum::Router;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use sqlx::SqlitePool;
use sqlx::sqlite::{SqliteConnectOptions, SqlitePoolOptions};

async fn risk(State(pool): State<SqlitePool>, Path(reference): Path<String>) -> Response {
    let Some((register, number)) = reference.rsplit_once('-') else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let Ok(number) = number.parse::<i64>() else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let row: Result<Option<String>, sqlx::Error> =
        sqlx::query_scalar("SELECT body FROM risks WHERE register = ?1 AND number = ?2")
            .bind(register)
            .bind(number)
            .fetch_optional(&pool)
            .await;
    match row {
        Ok(Some(body)) => ([("content-type", "application/json")], body).into_response(),
        Ok(None) => StatusCode::NOT_FOUND.into_response(),
        Err(e) => (StatusCode::INTERNAL_SERVER_ERROR, e.to_string()).into_response(),
    }
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let (Some(path), Some(addr)) = (args.next(), args.next()) else {
        return Err("usage: bare-server DATABASE_PATH ADDR".into());
    };
    let options = SqliteConnectOptions::from_str(&format!("sqlite:{path}"))?;
    let pool = SqlitePoolOptions::new()
        .max_connections(8)
        .connect_with(options)
        .await?;
    let app = Router::new().route("/risks/{reference}", get(risk)).with_state(pool);
    let listener = tokio::net::TcpListener::bind(&addr).await?;
    axum::serve(listener, app).await?;
    Ok(())
}
