//! The schema's migrations, embedded in the binary (see `riskreg_store::migrations`).

use sqlx::migrate::Migrator;

/// Every migration of the schema, oldest first.
pub fn migrator() -> Migrator {
    riskreg_store::embedded_migrator![
        "0001_initial.sql",
        "0002_users.sql",
        "0003_risk_counts.sql",
        "0004_json_records.sql",
        "0005_source_refs.sql",
        "0008_events_as_at.sql",
        "0009_risk_totals.sql",
        "0010_live_risks_by_order.sql"
    ]
}
