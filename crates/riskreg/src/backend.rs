//! Chooses the storage backend from the database URL's scheme.

use std::sync::Arc;

use anyhow::{Context, bail};
use riskreg_store::Store;
use riskreg_store_postgres::PgStore;
use riskreg_store_sqlite::SqliteStore;

/// Opens the database at `url`: `sqlite:PATH` (created if missing) or
/// `postgres://…` / `postgresql://…` (the database is created if missing and the user may).
pub async fn open(url: &str) -> anyhow::Result<Arc<dyn Store>> {
    if url.starts_with("sqlite:") {
        let store = SqliteStore::open(url).await.with_context(|| format!("opening {url}"))?;
        return Ok(Arc::new(store));
    }
    if is_postgres(url) {
        let store = PgStore::open(url)
            .await
            .with_context(|| format!("opening {}", shown(url)))?;
        return Ok(Arc::new(store));
    }
    bail!(
        "--db: unsupported database URL {:?}; use sqlite:PATH or postgres://USER@HOST/DATABASE",
        shown(url)
    )
}

pub fn is_postgres(url: &str) -> bool {
    url.starts_with("postgres://") || url.starts_with("postgresql://")
}

/// The URL as it may be printed: a PostgreSQL password is hidden.
pub fn shown(url: &str) -> String {
    if is_postgres(url) {
        riskreg_store_postgres::redact(url)
    } else {
        url.to_owned()
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use sqlx::migrate::Migrator;

    /// What sqlx keeps of a migration, and so what must not change once it has been applied.
    fn recorded(m: &Migrator) -> Vec<(i64, String, String, bool, String)> {
        m.iter()
            .map(|m| {
                (
                    m.version,
                    m.description.to_string(),
                    format!("{:?}", m.migration_type),
                    m.no_tx,
                    hex::encode(&m.checksum),
                )
            })
            .collect()
    }

    /// Each backend lists its migrations by hand (its `schema` module); each must be what
    /// sqlx reads from the backend's `migrations/` folder, file for file, or a database
    /// migrated by one build would be refused by the next as "previously applied but
    /// modified".
    #[tokio::test]
    async fn embedded_migrations_are_the_files() {
        let backends = [
            ("store-sqlite", riskreg_store_sqlite::migrator()),
            ("store-postgres", riskreg_store_postgres::migrator()),
        ];
        for (crate_dir, embedded) in backends {
            let folder = Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("..")
                .join(crate_dir)
                .join("migrations");
            let files = Migrator::new(folder.as_path()).await.expect("read the migrations");
            assert!(files.iter().count() >= 8, "{crate_dir}: the folder was read");
            assert_eq!(recorded(&embedded), recorded(&files), "{crate_dir}");
        }
    }
}
