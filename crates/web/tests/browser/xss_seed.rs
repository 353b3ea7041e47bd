//! Writes the XSS corpus into every text field riskreg stores, the way its users do: over
//! the JSON API with a token (registers, risks and their amendments, mitigations, issues,
//! meetings, proposals and decisions, settings) or a signed-in session (token labels), and
//! as a spreadsheet imported over the API, the file's name included. Each payload gets a
//! register of its own, `Xnn`, holding it in every field, so that a page showing one of its
//! records shows that payload and no other.

use reqwest::{Method, StatusCode};
use riskreg_store::WriteContext;
use riskreg_store::users::{Role, TokenFields, UserName};
use riskreg_web::auth::{password, secret};
use serde_json::{Value, json};

use crate::corpus::{MARKER, Payload};
use crate::harness::{PASSWORD, TestServer};

/// The register the API import lands in, and the one the browser uploads into.
pub const IMPORTED: &str = "IMPORTED";
pub const UPLOADED: &str = "UPLOADED";

/// The register holding payload `k` in every field.
pub fn code(k: usize) -> String {
    format!("X{k:02}")
}

/// The meeting of each payload's register: far enough ahead that its paper shows the
/// register as it stands.
pub fn meeting_date() -> chrono::NaiveDate {
    chrono::Utc::now().date_naive() + chrono::Days::new(30)
}

/// The name of a spreadsheet holding a payload: a file name may carry markup too.
pub fn file_name(payload_index: usize) -> String {
    let p = &crate::corpus::corpus()[payload_index].text;
    assert!(!p.contains(['/', '"', '\\']), "{p} cannot be a file name");
    format!("{p}.csv")
}

/// An admin with a password (for the browser) and an API token (for the writes).
pub async fn admin(server: &TestServer) -> String {
    let store = &server.store;
    let ctx = || WriteContext::new("harness", None);
    let name = UserName::parse("admin").expect("name");
    let hash = password::hash(PASSWORD.to_owned()).await.expect("hash");
    store
        .create_user(
            name.clone(),
            riskreg_store::users::UserFields::new(Role::Admin),
            Some(&hash),
            ctx(),
        )
        .await
        .expect("an admin");
    let (id, token) = secret::new_api_token().expect("token");
    let fields = TokenFields {
        user: name,
        label: "xss test".into(),
        role: Role::Admin,
        created_at: chrono::Utc::now(),
        expires_at: None,
        revoked_at: None,
    };
    store
        .create_token(id, fields, &secret::hash(&token), ctx())
        .await
        .expect("a token");
    token
}

/// The API as the admin's token.
pub struct Api<'a> {
    pub server: &'a TestServer,
    pub http: reqwest::Client,
    pub token: String,
}

impl Api<'_> {
    /// Sends a request, failing the test unless it succeeds; returns the JSON body.
    pub async fn send(&self, method: Method, path: &str, body: Option<Value>, if_match: Option<&str>) -> Value {
        let mut req = self
            .http
            .request(method.clone(), self.server.url(path))
            .bearer_auth(&self.token);
        if let Some(tag) = if_match {
            req = req.header("if-match", tag);
        }
        if let Some(body) = &body {
            req = req.json(body);
        }
        let r = req.send().await.expect("API request");
        let status = r.status();
        let text = r.text().await.expect("body");
        assert!(status.is_success(), "{method} {path}: {status}\n{text}\nsent {body:?}");
        serde_json::from_str(&text).unwrap_or(Value::Null)
    }

    pub async fn post(&self, path: &str, body: Value) -> Value {
        self.send(Method::POST, path, Some(body), None).await
    }

    /// The ETag of what `path` reads.
    pub async fn etag(&self, path: &str) -> String {
        let r = self.get_ok(path).await;
        r.headers()
            .get("etag")
            .and_then(|v| v.to_str().ok())
            .expect("an ETag")
            .to_owned()
    }

    /// A write that needs the ETag of `current`.
    pub async fn write(&self, method: Method, path: &str, current: &str, body: Value) -> Value {
        let tag = self.etag(current).await;
        self.send(method, path, Some(body), Some(&tag)).await
    }

    /// Creates a token labelled `label`: tokens are made from a signed-in session (with its
    /// CSRF token), never with another token.
    pub async fn create_token(&self, label: &str) {
        let login = self
            .http
            .post(self.server.url("/api/v1/auth/login"))
            .json(&json!({"name": "admin", "password": PASSWORD}))
            .send()
            .await
            .expect("log in");
        assert_eq!(login.status(), StatusCode::OK);
        let cookie = login
            .headers()
            .get("set-cookie")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(';').next())
            .expect("a session cookie")
            .to_owned();
        let body: Value = login.json().await.expect("the session");
        let csrf = body["csrf_token"].as_str().expect("a CSRF token");
        let r = self
            .http
            .post(self.server.url("/api/v1/tokens"))
            .header("cookie", cookie)
            .header("x-csrf-token", csrf)
            .header("origin", self.server.url(""))
            .json(&json!({"label": label}))
            .send()
            .await
            .expect("create a token");
        let status = r.status();
        assert_eq!(status, StatusCode::CREATED, "{}", r.text().await.unwrap_or_default());
    }

    /// `GET path` with the token, which must answer 200.
    async fn get_ok(&self, path: &str) -> reqwest::Response {
        let r = self
            .http
            .get(self.server.url(path))
            .bearer_auth(&self.token)
            .send()
            .await
            .expect("GET");
        assert_eq!(r.status(), StatusCode::OK, "{path}");
        r
    }

    pub async fn bytes(&self, path: &str) -> Vec<u8> {
        let r = self.get_ok(path).await;
        r.bytes().await.expect("body").to_vec()
    }
}

/// A mitigation with the payload in its text, owner and sub-item.
fn mitigation(p: &str) -> Value {
    json!({"text": p, "state": "ongoing", "owner": p, "sub_items": [p]})
}

/// A risk with the payload in every text field.
fn risk(p: &str) -> Value {
    json!({
        "statement": p, "consequences": [p], "impact": 3, "likelihood": 4, "rag": "AMBER",
        "owner": p, "raised_by": p, "category": p, "provenance": p, "footnotes": [p], "notes": p,
        "mitigations": [mitigation(p)]
    })
}

fn issue(p: &str, risk: &str) -> Value {
    json!({
        "statement": p, "impacts_intro": p, "impacts": [p], "impact": 3, "rag": "RED", "category": p,
        "raised_by": p, "associated_risk": risk, "owner": p, "footnotes": [p], "notes": p,
        "mitigations": [mitigation(p)]
    })
}

/// Every field the API writes for each payload, as `resource.field`.
pub const API_FIELDS: [&str; 42] = [
    "register.name",
    "register.description",
    "risk.statement",
    "risk.consequences",
    "risk.owner",
    "risk.raised_by",
    "risk.category",
    "risk.provenance",
    "risk.footnotes",
    "risk.notes",
    "risk.mitigations.text",
    "risk.mitigations.owner",
    "risk.mitigations.sub_items",
    "risk amendment (PATCH).statement",
    "risk amendment (PATCH).consequences",
    "risk amendment (PATCH).notes",
    "mitigation (POST).text",
    "mitigation (POST).owner",
    "mitigation (POST).sub_items",
    "issue.statement",
    "issue.impacts_intro",
    "issue.impacts",
    "issue.category",
    "issue.raised_by",
    "issue.owner",
    "issue.footnotes",
    "issue.notes",
    "issue.mitigations.text",
    "issue.mitigations.owner",
    "issue.mitigations.sub_items",
    "meeting.title",
    "meeting.author",
    "meeting.team",
    "proposal (amend).rationale",
    "proposal (amend).recommendation",
    "proposal (amend).risk_changes",
    "proposal (new risk).rationale",
    "proposal (new risk).new_risk (every field above)",
    "decision.minute",
    "proposal (issue update).rationale",
    "proposal (issue update).issue_changes",
    "token.label",
];

/// Settings fields, each holding a share of the corpus (scales have five levels).
pub const SETTINGS_FIELDS: [&str; 5] = [
    "settings.impact_scale.label",
    "settings.likelihood_scale.label",
    "settings.bands.name",
    "settings.classification.name",
    "settings.classification.cells",
];

/// The columns of the imported spreadsheet, and the file's name (the import's reason).
pub const IMPORT_COLUMNS: [&str; 11] = [
    "Ref",
    "Risk",
    "Consequences",
    "Owner",
    "Raised by",
    "Category",
    "Provenance",
    "Footnotes",
    "Notes",
    "Mitigations",
    "Cause",
];

/// Writes payload `k` into register `Xnn` through the API, in every field of every kind of
/// record, with a meeting whose proposals are pending, one of them agreed.
pub async fn through_the_api(api: &Api<'_>, k: usize, p: &str) {
    let code = code(k);
    api.post("/api/v1/registers", json!({"code": code, "name": p, "description": p}))
        .await;
    api.post(&format!("/api/v1/registers/{code}/risks"), risk(p)).await;
    let r1 = format!("/api/v1/risks/{code}-1");
    api.write(
        Method::PATCH,
        &r1,
        &r1,
        json!({"statement": format!("Amended: {p}"), "consequences": [p, "and the rest"], "notes": format!("{p} (noted)")}),
    )
    .await;
    api.write(
        Method::POST,
        &format!("{r1}/mitigations"),
        &format!("{r1}/mitigations"),
        mitigation(p),
    )
    .await;
    api.post(
        &format!("/api/v1/registers/{code}/issues"),
        issue(p, &format!("{code}-1")),
    )
    .await;
    let date = meeting_date();
    api.post(
        "/api/v1/meetings",
        json!({"body": code, "date": date, "paper_on": date - chrono::Days::new(7), "title": p, "author": p, "team": p}),
    )
    .await;
    let proposals = format!("/api/v1/meetings/{code}/{date}/proposals");
    api.post(
        &proposals,
        json!({"kind": "amend", "risk": format!("{code}-1"), "rationale": p, "recommendation": p,
               "risk_changes": {"statement": format!("Proposed: {p}"), "owner": p, "notes": p}}),
    )
    .await;
    let new_risk = api
        .post(
            &proposals,
            json!({"kind": "new_risk", "register": code, "rationale": p, "new_risk": risk(p)}),
        )
        .await;
    let id = new_risk["id"].as_u64().expect("a proposal id");
    let proposal = format!("/api/v1/proposals/{id}");
    api.write(
        Method::POST,
        &format!("{proposal}/decision"),
        &proposal,
        json!({"decision": "agreed", "minute": p}),
    )
    .await;
    api.post(
        &proposals,
        json!({"kind": "issue_update", "issue": format!("{code}-1"), "rationale": p, "recommendation": p,
               "issue_changes": {"statement": format!("Updated: {p}"), "notes": p}}),
    )
    .await;
    api.create_token(p).await;
}

/// Puts the corpus into the settings: impact labels take payloads 0–4, likelihood labels
/// 5–9, band names the next few, and each payload names a classification category whose
/// every cell holds it. Returns how many payloads the scales and bands took.
pub async fn settings(api: &Api<'_>, corpus: &[Payload]) -> usize {
    let path = "/api/v1/settings";
    let mut s = api.send(Method::GET, path, None, None).await;
    let mut next = 0;
    for scale in ["impact_scale", "likelihood_scale"] {
        for level in s[scale].as_array_mut().expect("a scale") {
            level["label"] = json!(corpus[next].text);
            next += 1;
        }
    }
    for band in s["bands"].as_array_mut().expect("bands") {
        band["name"] = json!(corpus[next].text);
        next += 1;
    }
    let levels = s["impact_scale"].as_array().expect("a scale").len();
    s["classification"]["categories"] = corpus
        .iter()
        .map(|p| json!({"name": p.text, "cells": vec![p.text.clone(); levels]}))
        .collect();
    api.write(Method::PUT, path, path, s).await;
    next
}

/// A CSV of one risk per payload, the payload in every text column.
pub fn spreadsheet(corpus: &[Payload]) -> Vec<u8> {
    let cell = |t: &str| format!("\"{}\"", t.replace('"', "\"\""));
    let mut out = String::from(
        "Ref,Risk,Consequences,Impact,Likelihood,RAG,Owner,Raised by,Category,Provenance,Footnotes,Notes,Mitigations,Cause\r\n",
    );
    for (k, p) in corpus.iter().enumerate() {
        let t = cell(&p.text);
        let reference = cell(&format!("{} #{k}", p.text));
        out.push_str(&format!(
            "{reference},{t},{t},3,2,GREEN,{t},{t},{t},{t},{t},{t},{t},{t}\r\n"
        ));
    }
    out.into_bytes()
}

const BOUNDARY: &str = "riskreg-xss-boundary";

/// A multipart form of `fields` and then a file part named `file`: its content type and
/// body, as a browser sends them.
pub fn multipart(fields: &[(&str, &str)], file_name: &str, bytes: &[u8]) -> (String, Vec<u8>) {
    let mut body = Vec::new();
    for (name, value) in fields {
        body.extend_from_slice(
            format!("--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n").as_bytes(),
        );
    }
    body.extend_from_slice(
        format!(
            "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{file_name}\"\r\n\
             Content-Type: text/csv\r\n\r\n"
        )
        .as_bytes(),
    );
    body.extend_from_slice(bytes);
    body.extend_from_slice(format!("\r\n--{BOUNDARY}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={BOUNDARY}"), body)
}

/// Imports the spreadsheet into `IMPORTED` over the API, under a file name that is itself
/// a payload.
pub async fn import(api: &Api<'_>, corpus: &[Payload], name: &str) {
    let (kind, body) = multipart(&[], name, &spreadsheet(corpus));
    let r = api
        .http
        .post(api.server.url(&format!("/api/v1/registers/{IMPORTED}/import")))
        .bearer_auth(&api.token)
        .header("content-type", kind)
        .body(body)
        .send()
        .await
        .expect("import");
    let status = r.status();
    let text = r.text().await.expect("body");
    assert_eq!(status, StatusCode::CREATED, "{text}");
}

/// The two registers the spreadsheet goes into.
pub async fn import_registers(api: &Api<'_>) {
    for (code, name) in [
        (IMPORTED, "Imported over the API"),
        (UPLOADED, "Uploaded in the browser"),
    ] {
        api.post(
            "/api/v1/registers",
            json!({"code": code, "name": name, "description": format!("Checks {MARKER} never runs")}),
        )
        .await;
    }
}
