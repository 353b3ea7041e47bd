//! `GET` and `PUT /api/v1/settings`: anyone signed in reads the settings with an ETag;
//! only admins replace them, with `If-Match` (428 without, 412 when stale); a body that
//! breaks the domain's rules is 422 naming the field; every refusal changes nothing, and a
//! change is one recorded event.

use reqwest::{Method, StatusCode};
use riskreg_store::event::RecordType;
use serde_json::{Value, json};

use crate::helpers::{Req, TestApp, spawn_app};

const PATH: &str = "/api/v1/settings";

async fn read(app: &TestApp) -> (Value, String) {
    let r = app.get(PATH, "viewer").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    (r.body.clone(), r.etag())
}

async fn put(app: &TestApp, user: &str, if_match: Option<&str>, body: &Value) -> crate::helpers::Reply {
    let mut req = Req::as_user(user).json(body.clone());
    if let Some(tag) = if_match {
        req = req.if_match(tag);
    }
    app.send(Method::PUT, PATH, req).await
}

fn properties(doc: &Value, schema: &str) -> Vec<String> {
    let mut keys: Vec<String> = doc["components"]["schemas"][schema]["properties"]
        .as_object()
        .unwrap_or_else(|| panic!("schema {schema}"))
        .keys()
        .cloned()
        .collect();
    keys.sort();
    keys
}

fn keys(v: &Value) -> Vec<String> {
    let mut k: Vec<String> = v.as_object().expect("object").keys().cloned().collect();
    k.sort();
    k
}

#[tokio::test]
async fn anyone_signed_in_reads_the_settings_with_an_etag_as_documented() {
    let app = spawn_app().await;
    let anonymous = app.send(Method::GET, PATH, Req::default()).await;
    assert_eq!(anonymous.status, StatusCode::UNAUTHORIZED);
    let (body, tag) = read(&app).await;
    assert!(tag.starts_with("\"settings.v"), "{tag}");
    assert_eq!(body["impact_scale"][0]["label"], "Negligible");
    assert_eq!(body["likelihood_scale"].as_array().expect("scale").len(), 5);
    assert_eq!(body["classification"]["categories"][0]["name"], "Safety");
    let doc = app
        .send(Method::GET, riskreg_web::OPENAPI_PATH, Req::default())
        .await
        .body;
    assert_eq!(keys(&body), properties(&doc, "Settings"));
    assert_eq!(keys(&body["bands"][0]), properties(&doc, "Band"));
    assert_eq!(keys(&body["impact_scale"][0]), properties(&doc, "ScaleLevel"));
    assert!(doc["paths"][PATH]["put"]["responses"]["428"].is_object());
}

#[tokio::test]
async fn a_write_needs_if_match_and_a_fresh_one() {
    let app = spawn_app().await;
    let (mut body, tag) = read(&app).await;
    body["impact_scale"][1]["label"] = json!("Small");
    let events = app.event_count().await;
    let r = put(&app, "admin", None, &body).await;
    assert_eq!(r.status, StatusCode::PRECONDITION_REQUIRED, "{}", r.text);
    assert!(r.is_problem());
    let v: u32 = tag
        .trim_matches('"')
        .trim_start_matches("settings.v")
        .parse()
        .expect("a version");
    let stale = format!("\"settings.v{}\"", v + 7);
    let r = put(&app, "admin", Some(&stale), &body).await;
    assert_eq!(r.status, StatusCode::PRECONDITION_FAILED, "{}", r.text);
    // A tag of another record is not a tag of the settings.
    let r = put(
        &app,
        "admin",
        Some(&app.etag_of("/api/v1/registers/PANEL").await),
        &body,
    )
    .await;
    assert_eq!(r.status, StatusCode::PRECONDITION_FAILED, "{}", r.text);
    assert_eq!(app.event_count().await, events);
    assert_eq!(read(&app).await.1, tag);
    assert_eq!(app.store.settings().await.unwrap().impact_label(2), Some("Minor"));
}

/// A change to the settings' JSON.
type Edit = Box<dyn Fn(&mut Value)>;

#[tokio::test]
async fn settings_that_break_a_rule_are_refused_naming_the_field() {
    let app = spawn_app().await;
    let (before, tag) = read(&app).await;
    let events = app.event_count().await;
    let cases: Vec<(&str, Edit)> = vec![
        ("bands", Box::new(|b: &mut Value| b["bands"][1]["min"] = json!(4))),
        ("bands[2]", Box::new(|b: &mut Value| b["bands"][2]["min"] = json!(17))),
        (
            "bands[0].colour",
            Box::new(|b: &mut Value| b["bands"][0]["colour"] = json!("green")),
        ),
        (
            "impact_scale[0].label",
            Box::new(|b: &mut Value| b["impact_scale"][0]["label"] = json!(" ")),
        ),
        (
            "likelihood_scale",
            Box::new(|b: &mut Value| b["likelihood_scale"] = json!([{"level": 1, "label": "Only"}])),
        ),
        (
            "classification.categories[8].cells",
            Box::new(|b: &mut Value| b["classification"]["categories"][8]["cells"] = json!(["One"])),
        ),
        // Valid on their own, but risks are scored on five impact levels: a sixth would
        // re-mean every score.
        (
            "settings",
            Box::new(|b: &mut Value| {
                b["impact_scale"]
                    .as_array_mut()
                    .expect("scale")
                    .push(json!({"level": 6, "label": "Catastrophic"}));
                b["bands"][3]["max"] = json!(30);
                for c in b["classification"]["categories"].as_array_mut().expect("categories") {
                    c["cells"].as_array_mut().expect("cells").push(Value::Null);
                }
            }),
        ),
        (
            "color",
            Box::new(|b: &mut Value| b["bands"][0]["color"] = json!("#000000")),
        ),
        ("change", Box::new(|_: &mut Value| {})),
    ];
    for (field, edit) in cases {
        let mut body = before.clone();
        edit(&mut body);
        let r = put(&app, "admin", Some(&tag), &body).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{field}: {}", r.text);
        assert!(r.is_problem());
        let fields = r.problem_fields();
        assert!(
            fields.iter().any(|f| f == field || f.ends_with(field)),
            "{field}: {fields:?}"
        );
    }
    assert_eq!(app.event_count().await, events);
    assert_eq!(read(&app).await, (before, tag));
}

#[tokio::test]
async fn only_admins_change_the_settings() {
    let app = spawn_app().await;
    let (mut body, tag) = read(&app).await;
    body["likelihood_scale"][4]["label"] = json!("Certain");
    let events = app.event_count().await;
    for user in ["secretariat", "secretariat-in", "member", "viewer-in"] {
        let r = put(&app, user, Some(&tag), &body).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{user}: {}", r.text);
    }
    assert_eq!(app.event_count().await, events);
    assert_eq!(read(&app).await.1, tag);
}

#[tokio::test]
async fn an_admin_replaces_the_settings_and_the_change_is_one_recorded_event() {
    let app = spawn_app().await;
    let (mut body, tag) = read(&app).await;
    let history = app.store.history(RecordType::Settings, "settings").await.unwrap();
    let version = history.last().expect("the settings were written at init").version;
    assert_eq!(tag, format!("\"settings.v{version}\""));
    body["impact_scale"][1]["label"] = json!("Small");
    body["bands"][0]["name"] = json!("Minimal");
    body["bands"][0]["colour"] = json!("#00AA00");
    let events = app.event_count().await;
    let r = put(&app, "admin", Some(&tag), &body).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let new_tag = r.etag();
    assert_eq!(new_tag, format!("\"settings.v{}\"", version + 1));
    assert_eq!(r.body, body);
    assert_eq!(read(&app).await, (body.clone(), new_tag.clone()));
    let settings = app.store.settings().await.unwrap();
    assert_eq!(settings.impact_label(2), Some("Small"));
    assert_eq!(settings.bands[0].name, "Minimal");

    assert_eq!(app.event_count().await, events + 1);
    let history = app.store.history(RecordType::Settings, "settings").await.unwrap();
    let last = history.last().expect("an event");
    assert_eq!(
        (last.actor.as_str(), last.kind.as_str(), last.version),
        ("admin", "amended", version + 1)
    );
    assert_eq!(last.after.as_ref(), Some(&body));
    let report = riskreg_store::verify_chain(app.store.as_ref()).await.expect("verify");
    assert!(report.ok(), "{report:?}");

    // The tag read before the change is now stale.
    let r = put(&app, "admin", Some(&tag), &body).await;
    assert_eq!(r.status, StatusCode::PRECONDITION_FAILED, "{}", r.text);
}
