//! The schema's migrations, embedded in the binary, for sqlx's migrator.
//!
//! Listed here rather than found by `sqlx::migrate!`: that macro is the only reason sqlx
//! would build a second copy of itself, both database drivers and SQLite for the
//! compiler, about a minute of every build from nothing. What sqlx records of an applied
//! migration is its version and the SHA-384 of its SQL, the same however it was loaded;
//! the `riskreg` crate's test `embedded_migrations_are_the_files` holds this list to the
//! files in `migrations/`, as the macro would have read them.

use sqlx::SqlSafeStr;
use sqlx::migrate::{Migration, MigrationType, Migrator};

/// Every migration of the schema, oldest first.
pub fn migrator() -> Migrator {
    Migrator::with_migrations(vec![
        migration(1, "initial", include_str!("../migrations/0001_initial.sql")),
        migration(2, "users", include_str!("../migrations/0002_users.sql")),
        migration(3, "risk counts", include_str!("../migrations/0003_risk_counts.sql")),
        migration(4, "json records", include_str!("../migrations/0004_json_records.sql")),
        migration(5, "source refs", include_str!("../migrations/0005_source_refs.sql")),
        migration(8, "events as at", include_str!("../migrations/0008_events_as_at.sql")),
        migration(9, "risk totals", include_str!("../migrations/0009_risk_totals.sql")),
        migration(
            10,
            "live risks by order",
            include_str!("../migrations/0010_live_risks_by_order.sql"),
        ),
    ])
}

/// One migration, read as sqlx reads a `migrations/` file: `-- no-transaction` first
/// opts it out of a transaction.
fn migration(version: i64, description: &'static str, sql: &'static str) -> Migration {
    let no_tx = sql.starts_with("-- no-transaction");
    Migration::new(
        version,
        description.into(),
        MigrationType::Simple,
        sql.into_sql_str(),
        no_tx,
    )
}
