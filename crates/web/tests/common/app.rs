//! A server for the UI's tests, spawned in-process on `127.0.0.1:0` over a fresh SQLite
//! database holding the SEC Panel demo, a confidential register `CONF` with one risk, and
//! users with passwords: `secretariat` and `secretariat2` (editors, members of every
//! register), `viewer` (reads everything but CONF) and `outsider` (a secretariat user who
//! is not a member of CONF).

use std::net::SocketAddr;
use std::sync::Arc;

use riskreg_domain::{Mitigation, MitigationState, Rag, RegisterCode, RegisterFields, RiskFields};
use riskreg_store::users::{Role, UserFields, UserName};
use riskreg_store::{Store, WriteContext};
use riskreg_store_sqlite::SqliteStore;
use riskreg_web::auth::password;
use riskreg_web::{WebConfig, serve};

pub const PASSWORD: &str = "a long test password";
pub const CONF: &str = "CONF";

pub struct TestServer {
    pub addr: SocketAddr,
    pub store: Arc<dyn Store>,
    _dir: tempfile::TempDir,
}

impl TestServer {
    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }
}

fn ctx() -> WriteContext {
    WriteContext::new("harness", None)
}

pub async fn spawn_server() -> TestServer {
    let dir = tempfile::tempdir().expect("temp dir");
    let url = format!("sqlite:{}", dir.path().join("riskreg.db").display());
    let store: Arc<dyn Store> = Arc::new(SqliteStore::open(&url).await.expect("open the database"));
    store.init(ctx()).await.expect("init");
    store
        .import_text(riskreg_store::conformance::DEMO, &ctx())
        .await
        .expect("load the demo");
    let conf = RegisterCode::parse(CONF).expect("code");
    let mut fields = RegisterFields::new("Confidential Working Group");
    fields.confidential = true;
    store.create_register(conf.clone(), fields, ctx()).await.expect("CONF");
    let mut risk = RiskFields::new("There is a risk that the confidential plan leaks", 4, 3, Rag::Red);
    risk.mitigations
        .push(Mitigation::new("Keep the plan need-to-know", MitigationState::Ongoing));
    store
        .create_risk(conf.clone(), None, risk, ctx())
        .await
        .expect("CONF-1");

    let hash = password::hash(PASSWORD.to_owned()).await.expect("hash");
    let every: Vec<RegisterCode> = store
        .registers(None)
        .await
        .expect("registers")
        .into_iter()
        .map(|r| r.code)
        .collect();
    let others: Vec<RegisterCode> = every.iter().filter(|c| c.as_str() != CONF).cloned().collect();
    for (name, role, registers) in [
        ("secretariat", Role::Secretariat, every.clone()),
        ("secretariat2", Role::Secretariat, every.clone()),
        ("viewer", Role::Viewer, others.clone()),
        ("outsider", Role::Secretariat, others.clone()),
    ] {
        let fields = UserFields {
            role,
            disabled: false,
            registers,
        };
        store
            .create_user(UserName::parse(name).expect("name"), fields, Some(&hash), ctx())
            .await
            .expect("user");
    }

    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("addr");
    let served = Arc::clone(&store);
    tokio::spawn(async move {
        serve(listener, served, WebConfig::default(), std::future::pending())
            .await
            .expect("serve");
    });
    TestServer { addr, store, _dir: dir }
}
