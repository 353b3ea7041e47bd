//! A PostgreSQL server for tests: the one named by `RISKREG_TEST_POSTGRES_URL`, on which
//! each test gets fresh databases that are all dropped when it ends, pass or fail.

use std::io::Write as _;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use riskreg_store_postgres::PgStore;
use sqlx::postgres::PgPoolOptions;
use sqlx::{Connection, PgConnection, PgPool};

pub const ENV: &str = "RISKREG_TEST_POSTGRES_URL";

/// How many test servers this process has made, for unique database names.
static SERVERS: AtomicUsize = AtomicUsize::new(0);

pub struct TestServer {
    url: url::Url,
    admin: PgPool,
    prefix: String,
    next: AtomicUsize,
    created: Mutex<Vec<String>>,
}

impl TestServer {
    /// The server from the environment, or `None` after saying visibly that `what` was
    /// skipped. The line is written to the terminal directly, past the test harness's
    /// capture, so that a run without PostgreSQL shows what it did not test.
    pub async fn from_env(what: &str) -> Option<Self> {
        let Ok(raw) = std::env::var(ENV) else {
            let _ = writeln!(std::io::stderr(), "skipped: {ENV} is not set ({what} not run)");
            return None;
        };
        let url = url::Url::parse(&raw).expect("RISKREG_TEST_POSTGRES_URL is a URL");
        let admin = PgPoolOptions::new()
            .max_connections(2)
            .connect(&raw)
            .await
            .expect("connect to RISKREG_TEST_POSTGRES_URL");
        let stamp = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .expect("clock")
            .as_micros();
        Some(Self {
            url,
            admin,
            // Tests in one binary run at once and may read the same microsecond: the
            // counter keeps their database names apart.
            prefix: format!(
                "riskreg_conf_{}_{stamp}_{}",
                std::process::id(),
                SERVERS.fetch_add(1, Ordering::SeqCst)
            ),
            next: AtomicUsize::new(0),
            created: Mutex::new(Vec::new()),
        })
    }

    /// Creates an empty database and returns its URL.
    pub async fn fresh_url(&self) -> String {
        let name = format!("{}_{}", self.prefix, self.next.fetch_add(1, Ordering::SeqCst));
        // The name is ours (letters, digits, underscores), never user input.
        sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
            .execute(&self.admin)
            .await
            .expect("create a test database");
        self.created.lock().expect("lock").push(name.clone());
        let mut url = self.url.clone();
        url.set_path(&name);
        url.to_string()
    }

    pub async fn fresh_store(&self) -> PgStore {
        PgStore::open(&self.fresh_url().await)
            .await
            .expect("open a fresh database")
    }
}

/// Drops every database the server created when the test ends, whether it passed or
/// panicked. Drop cannot await, so the drops run on a runtime of their own in a thread of
/// their own, over a connection of their own.
impl Drop for TestServer {
    fn drop(&mut self) {
        let names = std::mem::take(&mut *self.created.lock().unwrap_or_else(|e| e.into_inner()));
        if names.is_empty() {
            return;
        }
        let url = self.url.to_string();
        let cleanup = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("a runtime for dropping test databases");
            runtime.block_on(async move {
                // In parallel: each DROP DATABASE waits for a checkpoint, and concurrent
                // requests share one.
                let drops: Vec<_> = names
                    .into_iter()
                    .map(|name| {
                        let url = url.clone();
                        tokio::spawn(async move {
                            let mut conn = PgConnection::connect(&url)
                                .await
                                .expect("connect to drop a test database");
                            // WITH (FORCE) closes the connections the test's stores still hold.
                            sqlx::query(sqlx::AssertSqlSafe(format!(
                                "DROP DATABASE IF EXISTS {name} WITH (FORCE)"
                            )))
                            .execute(&mut conn)
                            .await
                            .expect("drop a test database");
                        })
                    })
                    .collect();
                for d in drops {
                    d.await.expect("drop task");
                }
            });
        });
        if cleanup.join().is_err() && !std::thread::panicking() {
            panic!("could not drop the test databases");
        }
    }
}
