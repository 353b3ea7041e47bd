//! The authorization matrix: every route of the OpenAPI document × every method × every
//! role × (member / non-member of the confidential register `CONF`) × (a public or a
//! confidential target), plus anonymous callers. Each request is otherwise valid (a fresh
//! ETag, a body that would succeed), so a refusal is the policy's doing, not bad input.
//! No caller the policy does not allow may get a 2xx; a non-member asking about anything in
//! `CONF` gets 404, never 403; and the allowed reads succeed, so the test cannot pass by
//! refusing everyone.

use std::collections::BTreeSet;
use std::sync::atomic::{AtomicUsize, Ordering};

use reqwest::{Method, StatusCode};
use riskreg_store::users::Role;
use serde_json::{Value, json};

use crate::helpers::{Req, TestApp, spawn_app, users};

/// Who may call a route.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Rule {
    Public,
    /// Any authenticated caller who can see the target.
    Read,
    /// Secretariat or admin who can see the target.
    Edit,
    /// Secretariat or admin (audit).
    Editors,
    /// Admins; for a confidential target, admins who can see it.
    Admin,
    /// The user themselves, or an admin.
    SelfOrAdmin,
    /// Any authenticated caller.
    AnyCaller,
    /// Only a logged-in session, never a token.
    SessionOnly,
    /// The token's owner (`member`), or an admin.
    TokenOwnerOrAdmin,
}

struct Route {
    method: Method,
    /// The OpenAPI path template, e.g. `/api/v1/risks/{ref}`.
    template: &'static str,
    rule: Rule,
    /// Whether the route reaches into a register (and so has a confidential variant).
    scoped: bool,
}

fn route(method: Method, template: &'static str, rule: Rule, scoped: bool) -> Route {
    Route {
        method,
        template,
        rule,
        scoped,
    }
}

fn routes() -> Vec<Route> {
    use Rule::*;
    let (get, post, patch, put, delete) = (Method::GET, Method::POST, Method::PATCH, Method::PUT, Method::DELETE);
    vec![
        route(get.clone(), "/healthz", Public, false),
        route(get.clone(), "/api/v1/registers", AnyCaller, false),
        route(post.clone(), "/api/v1/registers", Edit, true),
        route(get.clone(), "/api/v1/registers/{code}", Read, true),
        route(patch.clone(), "/api/v1/registers/{code}", Edit, true),
        route(get.clone(), "/api/v1/registers/{code}/history", Read, true),
        route(post.clone(), "/api/v1/registers/{code}/risks", Edit, true),
        route(post.clone(), "/api/v1/registers/{code}/issues", Edit, true),
        route(get.clone(), "/api/v1/risks", AnyCaller, false),
        route(get.clone(), "/api/v1/risks/{ref}", Read, true),
        route(patch.clone(), "/api/v1/risks/{ref}", Edit, true),
        route(get.clone(), "/api/v1/risks/{ref}/history", Read, true),
        route(get.clone(), "/api/v1/risks/{ref}/diff", Read, true),
        route(get.clone(), "/api/v1/risks/{ref}/mitigations", Read, true),
        route(post.clone(), "/api/v1/risks/{ref}/mitigations", Edit, true),
        route(get.clone(), "/api/v1/risks/{ref}/mitigations/{n}", Read, true),
        route(patch.clone(), "/api/v1/risks/{ref}/mitigations/{n}", Edit, true),
        route(delete.clone(), "/api/v1/risks/{ref}/mitigations/{n}", Edit, true),
        route(get.clone(), "/api/v1/issues", AnyCaller, false),
        route(get.clone(), "/api/v1/issues/{ref}", Read, true),
        route(patch.clone(), "/api/v1/issues/{ref}", Edit, true),
        route(get.clone(), "/api/v1/issues/{ref}/history", Read, true),
        route(get.clone(), "/api/v1/issues/{ref}/diff", Read, true),
        route(get.clone(), "/api/v1/issues/{ref}/mitigations", Read, true),
        route(post.clone(), "/api/v1/issues/{ref}/mitigations", Edit, true),
        route(get.clone(), "/api/v1/issues/{ref}/mitigations/{n}", Read, true),
        route(patch.clone(), "/api/v1/issues/{ref}/mitigations/{n}", Edit, true),
        route(delete.clone(), "/api/v1/issues/{ref}/mitigations/{n}", Edit, true),
        route(get.clone(), "/api/v1/audit/verify", Editors, false),
        route(post.clone(), "/api/v1/registers/{code}/import", Edit, true),
        route(get.clone(), "/api/v1/registers/{code}/export", Read, true),
        route(
            get.clone(),
            "/api/v1/registers/{code}/risks/by-source-ref/{source_ref}",
            Read,
            true,
        ),
        route(
            get.clone(),
            "/api/v1/registers/{code}/issues/by-source-ref/{source_ref}",
            Read,
            true,
        ),
        route(get.clone(), "/api/v1/users", Admin, false),
        route(post.clone(), "/api/v1/users", Admin, false),
        route(get.clone(), "/api/v1/users/{name}", SelfOrAdmin, false),
        route(patch.clone(), "/api/v1/users/{name}", Admin, false),
        route(put.clone(), "/api/v1/users/{name}/registers/{code}", Admin, true),
        route(delete.clone(), "/api/v1/users/{name}/registers/{code}", Admin, true),
        route(post.clone(), "/api/v1/users/{name}/password", Admin, false),
        route(get.clone(), "/api/v1/tokens", AnyCaller, false),
        route(post.clone(), "/api/v1/tokens", SessionOnly, false),
        route(delete.clone(), "/api/v1/tokens/{id}", TokenOwnerOrAdmin, false),
        route(post.clone(), "/api/v1/auth/login", Public, false),
        route(post.clone(), "/api/v1/auth/logout", SessionOnly, false),
        route(get.clone(), "/api/v1/auth/session", AnyCaller, false),
        route(post.clone(), "/api/v1/auth/password", SessionOnly, false),
        route(get.clone(), "/api/v1/meetings", AnyCaller, false),
        route(post.clone(), "/api/v1/meetings", Edit, true),
        route(get.clone(), "/api/v1/meetings/{body}/{date}", Read, true),
        route(get.clone(), "/api/v1/meetings/{body}/{date}/proposals", Read, true),
        route(post.clone(), "/api/v1/meetings/{body}/{date}/proposals", Edit, true),
        route(get.clone(), "/api/v1/meetings/{body}/{date}/paper", Read, true),
        route(get.clone(), "/api/v1/proposals/{id}", Read, true),
        route(post.clone(), "/api/v1/proposals/{id}/decision", Edit, true),
        route(post.clone(), "/api/v1/risks/{ref}/close", Edit, true),
        route(post.clone(), "/api/v1/issues/{ref}/close", Edit, true),
        route(get.clone(), "/api/v1/settings", AnyCaller, false),
        route(put.clone(), "/api/v1/settings", Admin, false),
    ]
}

/// A caller: a user (by name, with role and membership of CONF) or nobody.
#[derive(Debug, Clone)]
struct Caller {
    name: Option<String>,
    role: Option<Role>,
    member: bool,
}

fn allowed(rule: Rule, who: &Caller, confidential: bool) -> bool {
    let Some(role) = who.role else {
        return rule == Rule::Public;
    };
    let sees = !confidential || who.member;
    match rule {
        Rule::Public | Rule::AnyCaller => true,
        Rule::Read => sees,
        Rule::Edit => sees && role >= Role::Secretariat,
        Rule::Editors => role >= Role::Secretariat,
        Rule::Admin => sees && role == Role::Admin,
        Rule::SelfOrAdmin => role == Role::Admin || who.name.as_deref() == Some("viewer"),
        // Every caller here authenticates with a token.
        Rule::SessionOnly => false,
        Rule::TokenOwnerOrAdmin => role == Role::Admin || who.name.as_deref() == Some("member"),
    }
}

/// The date of the meeting each register's body holds in the matrix: the demo's August
/// meeting for PANEL, and one made for the test in CONF.
const MEETING_DATE: &str = "2018-08-10";

/// The source reference of a risk and an issue imported into PANEL and CONF.
const SOURCE_REF: &str = "SRC-1";

static UNIQUE: AtomicUsize = AtomicUsize::new(0);

fn unique() -> usize {
    UNIQUE.fetch_add(1, Ordering::Relaxed)
}

/// The concrete path, body and If-Match for one attempt, made valid for an allowed caller.
async fn prepare(app: &TestApp, r: &Route, confidential: bool) -> (String, Option<Value>, Option<String>) {
    let code = if confidential { "CONF" } else { "PANEL" };
    let reference = format!("{code}-1");
    let n = unique();
    let token_id = if r.template.starts_with("/api/v1/proposals/") {
        // A fresh proposal for every attempt, so one decision does not make the next
        // attempt fail for another reason.
        let meeting = riskreg_domain::review::MeetingRef::parse(&format!("{code}/{MEETING_DATE}")).expect("meeting");
        let draft = riskreg_store::ProposalDraft::Close {
            risk: riskreg_domain::RecordRef::parse(&reference).expect("ref"),
        };
        app.store
            .propose(
                meeting,
                draft,
                format!("matrix {n}"),
                None,
                riskreg_store::WriteContext::new("harness", None),
            )
            .await
            .expect("proposal")
            .id
            .to_string()
    } else if r.template.contains("{id}") {
        // A fresh token of `member`'s for every attempt, so one revocation does not make
        // the next attempt fail for another reason.
        let (id, secret) = riskreg_web::auth::secret::new_api_token().expect("token");
        let fields = riskreg_store::users::TokenFields {
            user: riskreg_store::users::UserName::parse("member").expect("name"),
            label: "matrix".into(),
            role: Role::Member,
            created_at: chrono::Utc::now(),
            expires_at: None,
            revoked_at: None,
        };
        app.store
            .create_token(
                id.clone(),
                fields,
                &riskreg_web::auth::secret::hash(&secret),
                riskreg_store::WriteContext::new("harness", None),
            )
            .await
            .expect("token");
        id
    } else {
        String::new()
    };
    let path = r
        .template
        .replace("{code}", code)
        .replace("{ref}", &reference)
        .replace("{n}", "1")
        .replace("{body}", code)
        .replace("{date}", MEETING_DATE)
        .replace("{name}", if r.method == Method::GET { "viewer" } else { "target" })
        .replace("{id}", &token_id)
        .replace("{source_ref}", SOURCE_REF);
    let path = if r.template.ends_with("/export") {
        format!("{path}?format=csv")
    } else {
        path
    };
    let t = r.template;
    let body = match (r.method.as_str(), t) {
        ("POST", "/api/v1/registers") => Some(json!({"code": format!("R{n}"), "name": "New", "parent": code})),
        ("PATCH", "/api/v1/registers/{code}") => Some(json!({"description": format!("d{n}")})),
        ("POST", "/api/v1/registers/{code}/risks") => {
            Some(json!({"statement": "S", "impact": 2, "likelihood": 2, "rag": "GREEN"}))
        }
        ("POST", "/api/v1/registers/{code}/issues") => Some(json!({"statement": "S", "impact": 2, "rag": "GREEN"})),
        ("PATCH", "/api/v1/risks/{ref}") | ("PATCH", "/api/v1/issues/{ref}") => Some(json!({"notes": format!("n{n}")})),
        ("POST", _) if t.ends_with("/mitigations") => Some(json!({"text": format!("m{n}")})),
        ("PATCH", _) if t.ends_with("/mitigations/{n}") => Some(json!({"text": format!("m{n}")})),
        ("POST", "/api/v1/users") => {
            Some(json!({"name": format!("u{n}"), "role": "viewer", "password": "long enough pw"}))
        }
        ("PATCH", "/api/v1/users/{name}") => {
            let now = app.get("/api/v1/users/target", "admin").await;
            let role = if now.body["role"] == "viewer" {
                "member"
            } else {
                "viewer"
            };
            Some(json!({"role": role}))
        }
        ("POST", "/api/v1/users/{name}/password") => Some(json!({"password": "long enough pw"})),
        ("POST", "/api/v1/tokens") => Some(json!({"label": "x"})),
        ("POST", "/api/v1/meetings") => {
            let date = chrono::NaiveDate::from_ymd_opt(2040, 1, 1).expect("date") + chrono::Days::new(n as u64);
            Some(json!({"body": code, "date": date}))
        }
        ("POST", "/api/v1/meetings/{body}/{date}/proposals") => {
            Some(json!({"kind": "close", "risk": reference, "rationale": format!("r{n}")}))
        }
        ("POST", "/api/v1/proposals/{id}/decision") => Some(json!({"decision": "rejected"})),
        ("POST", "/api/v1/auth/login") => Some(json!({"name": "nobody", "password": "wrong wrong"})),
        ("POST", "/api/v1/auth/password") => Some(json!({"current_password": "x", "new_password": "long enough pw"})),
        ("PUT", "/api/v1/settings") => {
            let mut settings = app.get("/api/v1/settings", "admin").await.body;
            settings["impact_scale"][0]["label"] = json!(format!("Negligible {n}"));
            Some(settings)
        }
        _ => None,
    };
    let etag_source = match t {
        "/api/v1/registers/{code}" => Some(format!("/api/v1/registers/{code}")),
        _ if t.starts_with("/api/v1/risks/{ref}") => Some(format!("/api/v1/risks/{reference}")),
        _ if t.starts_with("/api/v1/issues/{ref}") => Some(format!("/api/v1/issues/{reference}")),
        "/api/v1/proposals/{id}/decision" => Some(format!("/api/v1/proposals/{token_id}")),
        "/api/v1/settings" => Some("/api/v1/settings".into()),
        _ if t.starts_with("/api/v1/users/{name}") && t != "/api/v1/users/{name}/password" => {
            Some("/api/v1/users/target".into())
        }
        _ => None,
    };
    let write = r.method != Method::GET;
    let if_match = match etag_source {
        Some(p) if write => {
            let r = app.get(&p, "admin-in").await;
            Some(r.etag())
        }
        _ => None,
    };
    (path, body, if_match)
}

#[tokio::test]
async fn no_caller_gets_a_2xx_the_policy_does_not_allow() {
    let app = spawn_app().await;
    app.store
        .create_user(
            riskreg_store::users::UserName::parse("target").expect("name"),
            riskreg_store::users::UserFields::new(Role::Viewer),
            None,
            riskreg_store::WriteContext::new("harness", None),
        )
        .await
        .expect("target user");
    app.store
        .add_meeting(
            riskreg_domain::review::MeetingRef::parse(&format!("CONF/{MEETING_DATE}")).expect("meeting"),
            riskreg_domain::review::MeetingFields {
                author: Some("A. Clerk".into()),
                team: Some("Secretariat".into()),
                ..Default::default()
            },
            riskreg_store::WriteContext::new("harness", None),
        )
        .await
        .expect("a CONF meeting");
    for code in ["PANEL", "CONF"] {
        let code = riskreg_domain::RegisterCode::parse(code).expect("code");
        let mut risk =
            riskreg_domain::RiskFields::new("There is a risk that a sheet is lost", 2, 2, riskreg_domain::Rag::Green);
        risk.source_ref = Some(SOURCE_REF.into());
        let mut issue =
            riskreg_domain::IssueFields::new("There is an issue that a sheet was lost", 2, riskreg_domain::Rag::Green);
        issue.source_ref = Some(SOURCE_REF.into());
        let ctx = || riskreg_store::WriteContext::new("harness", None);
        app.store
            .create_risk(code.clone(), None, risk, ctx())
            .await
            .expect("an imported risk");
        app.store
            .create_issue(code, None, issue, ctx())
            .await
            .expect("an imported issue");
    }
    let mut callers: Vec<Caller> = users()
        .into_iter()
        .map(|(name, role, member)| Caller {
            name: Some(name),
            role: Some(role),
            member,
        })
        .collect();
    callers.push(Caller {
        name: None,
        role: None,
        member: false,
    });
    let mut checked = 0;
    let mut allowed_ok = 0;
    let mut failures = Vec::new();
    for r in routes() {
        for confidential in [false, true] {
            if confidential && !r.scoped {
                continue;
            }
            for who in &callers {
                let (path, body, if_match) = prepare(&app, &r, confidential).await;
                let mut req = match &who.name {
                    Some(n) => Req::as_user(n),
                    None => Req::default(),
                };
                if let Some(b) = body {
                    req = req.json(b);
                }
                if let Some(t) = if_match {
                    req = req.if_match(&t);
                }
                let reply = app.send(r.method.clone(), &path, req).await;
                checked += 1;
                let ok = allowed(r.rule, who, confidential);
                let label = format!("{} {path} as {:?}", r.method, who.name);
                if reply.status.is_success() && !ok {
                    failures.push(format!("{label}: {} though not allowed", reply.status));
                }
                if reply.status.is_server_error() {
                    failures.push(format!("{label}: {} {}", reply.status, reply.text));
                }
                let names_record = ["{code}", "{ref}", "{body}", "/proposals/"]
                    .iter()
                    .any(|part| r.template.contains(part));
                if confidential
                    && who.role.is_some()
                    && !who.member
                    && names_record
                    && matches!(r.rule, Rule::Read | Rule::Edit)
                {
                    // Outside CONF, its records do not exist.
                    if reply.status != StatusCode::NOT_FOUND && reply.status != StatusCode::UNPROCESSABLE_ENTITY {
                        failures.push(format!("{label}: {} where a non-member must get 404", reply.status));
                    }
                }
                if ok && r.method == Method::GET && r.rule != Rule::Public {
                    if reply.status.is_success() {
                        allowed_ok += 1;
                    } else {
                        failures.push(format!("{label}: {} though allowed: {}", reply.status, reply.text));
                    }
                }
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {checked} checks failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
    assert!(allowed_ok > 50, "allowed reads succeed ({allowed_ok})");
}

#[tokio::test]
async fn the_matrix_covers_every_route_in_the_openapi_document() {
    let app = spawn_app().await;
    let doc = app.send(Method::GET, riskreg_web::OPENAPI_PATH, Req::default()).await;
    let mut documented = BTreeSet::new();
    for (path, item) in doc.body["paths"].as_object().expect("paths") {
        for method in item.as_object().expect("item").keys() {
            if ["get", "post", "patch", "put", "delete"].contains(&method.as_str()) {
                documented.insert(format!("{} {path}", method.to_uppercase()));
            }
        }
    }
    let tested: BTreeSet<String> = routes()
        .iter()
        .map(|r| format!("{} {}", r.method, r.template))
        .collect();
    assert_eq!(documented, tested);
}
