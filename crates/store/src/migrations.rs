//! The backends' schema migrations, embedded in the binary for sqlx's migrator.
//!
//! Each SQL backend lists its `migrations/` files by name ([`embedded_migrator!`]) rather
//! than having `sqlx::migrate!` find them: that macro is the only reason sqlx would build a
//! second copy of itself, both database drivers and SQLite for the compiler, about a minute
//! of every build from nothing. What sqlx records of an applied migration is its version and
//! the SHA-384 of its SQL, the same however it was loaded; the `riskreg` crate's test
//! `embedded_migrations_are_the_files` holds each backend's list to its folder, as the macro
//! would have read it.

/// The version and description in a migration file's name, as sqlx reads them:
/// `0003_risk_counts.sql` is version 3, "risk counts".
///
/// # Panics
/// On a name not of that form: the names are the backends' own constants, checked by test.
pub fn version_and_description(file: &str) -> (i64, String) {
    let parsed = file
        .strip_suffix(".sql")
        .and_then(|stem| stem.split_once('_'))
        .and_then(|(version, description)| Some((version.parse().ok()?, description.replace('_', " "))));
    match parsed {
        Some(parsed) => parsed,
        None => panic!("{file}: a migration's name is VERSION_DESCRIPTION.sql"),
    }
}

/// A `sqlx::migrate::Migrator` of the named files in the calling crate's `migrations/`
/// folder, their SQL embedded. Expands in the backend crate, which depends on sqlx.
#[macro_export]
macro_rules! embedded_migrator {
    ($($file:literal),* $(,)?) => {
        ::sqlx::migrate::Migrator::with_migrations(::std::vec![$({
            let sql: &'static str =
                ::std::include_str!(::std::concat!(::std::env!("CARGO_MANIFEST_DIR"), "/migrations/", $file));
            let (version, description) = $crate::migrations::version_and_description($file);
            ::sqlx::migrate::Migration::new(
                version,
                description.into(),
                ::sqlx::migrate::MigrationType::Simple,
                ::sqlx::SqlSafeStr::into_sql_str(sql),
                // As sqlx reads a file: `-- no-transaction` first opts it out of a transaction.
                sql.starts_with("-- no-transaction"),
            )
        }),*])
    };
}

#[cfg(test)]
mod tests {
    use super::version_and_description;

    #[test]
    fn names_read_as_sqlx_reads_them() {
        assert_eq!(version_and_description("0001_initial.sql"), (1, "initial".into()));
        assert_eq!(
            version_and_description("0011_risk_totals_per_statement.sql"),
            (11, "risk totals per statement".into())
        );
    }

    #[test]
    #[should_panic(expected = "VERSION_DESCRIPTION.sql")]
    fn a_name_without_a_version_is_refused() {
        version_and_description("initial.sql");
    }
}
