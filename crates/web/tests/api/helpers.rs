//! The harness: `spawn_app()` opens a fresh SQLite database in a temporary directory,
//! loads the SEC Panel demo plus a confidential register `CONF`, creates one user per role
//! outside `CONF` and one inside it (each with an API token), binds `127.0.0.1:0` and
//! serves the API on it. `TestApp` has typed helpers for requests as any of those users.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::Arc;

use reqwest::{Method, StatusCode};
use riskreg_domain::{IssueFields, Mitigation, MitigationState, Rag, RegisterCode, RegisterFields, RiskFields};
use riskreg_store::users::{Role, TokenFields, UserFields, UserName};
use riskreg_store::{Store, WriteContext};
use riskreg_store_sqlite::SqliteStore;
use riskreg_web::auth::{password, secret};
use riskreg_web::{WebConfig, serve};
use serde_json::Value;

pub const CONF: &str = "CONF";
/// The password of the `admin` user, the only one created with a password (hashing is
/// slow by design, so the other users log in with tokens).
pub const ADMIN_PASSWORD: &str = "correct horse battery staple";

pub struct TestApp {
    pub addr: SocketAddr,
    pub client: reqwest::Client,
    pub store: Arc<dyn Store>,
    /// The API token secret of every user, by name.
    pub tokens: HashMap<String, String>,
    pub db_url: String,
    _dir: Arc<tempfile::TempDir>,
}

/// A response, read whole.
#[derive(Debug)]
pub struct Reply {
    pub status: StatusCode,
    pub headers: reqwest::header::HeaderMap,
    pub body: Value,
    pub text: String,
}

impl Reply {
    pub fn etag(&self) -> String {
        self.header("etag").expect("an ETag")
    }

    pub fn header(&self, name: &str) -> Option<String> {
        self.headers.get(name).and_then(|v| v.to_str().ok()).map(str::to_owned)
    }

    pub fn is_problem(&self) -> bool {
        self.header("content-type").as_deref() == Some("application/problem+json")
    }

    /// The fields a problem names.
    pub fn problem_fields(&self) -> Vec<String> {
        self.body["errors"]
            .as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|e| e["field"].as_str().map(str::to_owned))
                    .collect()
            })
            .unwrap_or_default()
    }
}

/// Every user the harness creates: (name, role, member of CONF).
pub fn users() -> Vec<(String, Role, bool)> {
    let mut out = Vec::new();
    for role in Role::ALL {
        out.push((role.as_str().to_owned(), role, false));
        out.push((format!("{}-in", role.as_str()), role, true));
    }
    out
}

fn ctx() -> WriteContext {
    WriteContext::new("harness", None)
}

pub async fn spawn_app() -> TestApp {
    spawn_app_with(WebConfig::default()).await
}

pub async fn spawn_app_with(config: WebConfig) -> TestApp {
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
    let mut risk = RiskFields::new("There is a risk that a confidential matter leaks", 4, 3, Rag::Red);
    risk.owner = Some("SECAS".into());
    risk.mitigations
        .push(Mitigation::new("Keep the secret secret", MitigationState::Ongoing));
    store
        .create_risk(conf.clone(), None, risk, ctx())
        .await
        .expect("CONF-1");
    let mut issue = IssueFields::new("There is an issue that a secret was told", 3, Rag::Amber);
    issue
        .mitigations
        .push(Mitigation::new("Find out who told", MitigationState::Planned));
    store
        .create_issue(conf.clone(), None, issue, ctx())
        .await
        .expect("CONF-1 issue");

    let admin_hash = password::hash(ADMIN_PASSWORD.to_owned()).await.expect("hash");
    let mut tokens = HashMap::new();
    for (name, role, member) in users() {
        let user = UserName::parse(&name).expect("name");
        let mut fields = UserFields::new(role);
        if member {
            fields.registers.push(conf.clone());
        }
        let hash = (name == "admin").then_some(admin_hash.as_str());
        store
            .create_user(user.clone(), fields, hash, ctx())
            .await
            .expect("user");
        let (id, token) = secret::new_api_token().expect("token");
        let token_fields = TokenFields {
            user,
            label: "tests".into(),
            role,
            created_at: chrono::Utc::now(),
            expires_at: None,
            revoked_at: None,
        };
        store
            .create_token(id, token_fields, &secret::hash(&token), ctx())
            .await
            .expect("token");
        tokens.insert(name, token);
    }

    let addr = listen(Arc::clone(&store), config).await;
    TestApp {
        addr,
        client: client(),
        store,
        tokens,
        db_url: url,
        _dir: Arc::new(dir),
    }
}

fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client")
}

/// Serves `store` on a fresh loopback port.
async fn listen(store: Arc<dyn Store>, config: WebConfig) -> SocketAddr {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("address");
    tokio::spawn(async move {
        serve(listener, store, config, std::future::pending())
            .await
            .expect("serve");
    });
    addr
}

impl TestApp {
    /// A second server on the same database, with its own connection pool: what a second
    /// `riskreg serve` process behind the same load balancer would be.
    pub async fn peer(&self, config: WebConfig) -> TestApp {
        let store: Arc<dyn Store> = Arc::new(SqliteStore::open(&self.db_url).await.expect("open again"));
        TestApp {
            addr: listen(Arc::clone(&store), config).await,
            client: client(),
            store,
            tokens: self.tokens.clone(),
            db_url: self.db_url.clone(),
            _dir: Arc::clone(&self._dir),
        }
    }
}

/// One request to build: who sends it, with what.
#[derive(Debug, Default, Clone)]
pub struct Req {
    pub user: Option<String>,
    pub body: Option<Value>,
    pub raw: Option<(String, Vec<u8>)>,
    pub if_match: Option<String>,
    pub headers: Vec<(String, String)>,
}

impl Req {
    pub fn as_user(user: &str) -> Self {
        Self {
            user: Some(user.to_owned()),
            ..Self::default()
        }
    }

    pub fn json(mut self, body: Value) -> Self {
        self.body = Some(body);
        self
    }

    pub fn if_match(mut self, tag: &str) -> Self {
        self.if_match = Some(tag.to_owned());
        self
    }

    pub fn header(mut self, name: &str, value: &str) -> Self {
        self.headers.push((name.to_owned(), value.to_owned()));
        self
    }

    /// A body sent as-is, with its content type.
    pub fn raw(mut self, content_type: &str, bytes: Vec<u8>) -> Self {
        self.raw = Some((content_type.to_owned(), bytes));
        self
    }
}

impl TestApp {
    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    pub async fn send(&self, method: Method, path: &str, req: Req) -> Reply {
        let mut b = self.client.request(method, self.url(path));
        if let Some(user) = &req.user {
            b = b.bearer_auth(&self.tokens[user]);
        }
        if let Some(tag) = &req.if_match {
            b = b.header("if-match", tag);
        }
        for (k, v) in &req.headers {
            b = b.header(k, v);
        }
        if let Some(body) = &req.body {
            b = b.json(body);
        }
        if let Some((ct, bytes)) = req.raw {
            b = b.header("content-type", ct).body(bytes);
        }
        let response = b.send().await.expect("request");
        let status = response.status();
        let headers = response.headers().clone();
        let text = response.text().await.expect("body");
        let body = serde_json::from_str(&text).unwrap_or(Value::Null);
        Reply {
            status,
            headers,
            body,
            text,
        }
    }

    pub async fn get(&self, path: &str, user: &str) -> Reply {
        self.send(Method::GET, path, Req::as_user(user)).await
    }

    pub async fn post(&self, path: &str, user: &str, body: Value) -> Reply {
        self.send(Method::POST, path, Req::as_user(user).json(body)).await
    }

    pub async fn patch(&self, path: &str, user: &str, if_match: &str, body: Value) -> Reply {
        self.send(Method::PATCH, path, Req::as_user(user).json(body).if_match(if_match))
            .await
    }

    /// The current ETag of a record, read as the admin member of CONF.
    pub async fn etag_of(&self, path: &str) -> String {
        let r = self.get(path, "admin-in").await;
        assert_eq!(r.status, StatusCode::OK, "{path}: {}", r.text);
        r.etag()
    }

    /// How many events the database holds: a write that was refused must not change it.
    pub async fn event_count(&self) -> u64 {
        self.store.event_count().await.expect("count")
    }
}
