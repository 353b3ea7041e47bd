//! Forms that write: CSRF and origin refusals, validation beside the field, a saved change
//! with its reason in the history, and the conflict answer for a stale form.

use reqwest::StatusCode;
use riskreg_domain::RecordRef;
use riskreg_store::event::RecordType;

use crate::helpers::{Browser, spawn_server};

fn panel(n: u32) -> RecordRef {
    RecordRef::parse(&format!("PANEL-{n}")).expect("a reference")
}

#[tokio::test]
async fn forms_without_the_csrf_token_or_from_elsewhere_are_refused() {
    let server = spawn_server().await;
    let b = Browser::signed_in(&server, "secretariat").await;
    let before = server.store.risk(&panel(3), None).await.unwrap();
    let version = before.revision.version.to_string();
    let fields = [("version", version.as_str()), ("owner", "Changed")];
    let origin = server.url("");
    let csrf = b.csrf().await;
    type Fields<'a> = Vec<(&'a str, &'a str)>;
    let cases: Vec<(Fields, Fields)> = vec![
        (fields.to_vec(), vec![("origin", origin.as_str())]),
        (
            [("csrf", "0000")].into_iter().chain(fields).collect(),
            vec![("origin", origin.as_str())],
        ),
        (
            [("csrf", csrf.as_str())].into_iter().chain(fields).collect(),
            vec![("origin", "http://evil.example")],
        ),
        (
            [("csrf", csrf.as_str())].into_iter().chain(fields).collect(),
            vec![("sec-fetch-site", "cross-site")],
        ),
    ];
    for (form, headers) in cases {
        let page = b.post_raw("/risks/PANEL-3/edit", &form, &headers).await;
        assert_eq!(page.status, StatusCode::FORBIDDEN, "{form:?} {headers:?}");
    }
    assert_eq!(server.store.risk(&panel(3), None).await.unwrap(), before);
    // Signing out needs the token too.
    let out = b.post_raw("/signout", &[], &[]).await;
    assert_eq!(out.status, StatusCode::FORBIDDEN);
    assert_eq!(b.get("/").await.status, StatusCode::OK);
    let out = b.post("/signout", &[]).await;
    assert_eq!(out.status, StatusCode::SEE_OTHER);
    assert_eq!(b.get("/").await.status, StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn an_edit_is_saved_with_its_reason_and_bad_input_is_shown_beside_the_field() {
    let server = spawn_server().await;
    let b = Browser::signed_in(&server, "secretariat").await;
    let before = server.store.risk(&panel(3), None).await.unwrap();
    let version = before.revision.version.to_string();
    let bad = b
        .post(
            "/risks/PANEL-3/edit",
            &[
                ("version", &version),
                ("impact", "9"),
                ("review_by", "soon"),
                ("owner", "New owner"),
            ],
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        bad.texts(".field-error")
            .iter()
            .any(|t| t.contains("review_by must be a date")),
        "{}",
        bad.body
    );
    assert_eq!(server.store.risk(&panel(3), None).await.unwrap(), before);
    let bad = b
        .post("/risks/PANEL-3/edit", &[("version", &version), ("impact", "9")])
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        bad.texts(".field-error").iter().any(|t| t.starts_with("impact")),
        "{}",
        bad.body
    );
    // The form keeps what was typed.
    assert_eq!(bad.attr("#impact option[selected]", "value"), Vec::<String>::new());

    let ok = b
        .post(
            "/risks/PANEL-3/edit",
            &[
                ("version", &version),
                ("owner", "New owner"),
                ("reason", "Owner changed at the July meeting"),
            ],
        )
        .await;
    assert_eq!(ok.status, StatusCode::SEE_OTHER, "{}", ok.body);
    let after = server.store.risk(&panel(3), None).await.unwrap();
    assert_eq!(
        ok.location(),
        format!("/risks/PANEL-3?saved={}", after.revision.version)
    );
    let shown = b.get(&ok.location()).await;
    assert!(shown.texts("#saved")[0].contains(&format!("Saved as version {}", after.revision.version)));
    assert!(shown.texts("#changes ins").iter().any(|t| t.contains("New owner")));
    assert_eq!(after.fields.owner.as_deref(), Some("New owner"));
    assert_eq!(after.revision.version, before.revision.version + 1);
    assert_eq!(after.revision.updated_by, "secretariat");
    let events = server.store.history(RecordType::Risk, "PANEL-3").await.unwrap();
    let last = events.last().unwrap();
    assert_eq!(last.reason.as_deref(), Some("Owner changed at the July meeting"));
    // The rest of the risk is as it was.
    assert_eq!(after.fields.statement, before.fields.statement);
    assert_eq!(after.fields.mitigations, before.fields.mitigations);
}

#[tokio::test]
async fn a_stale_form_is_not_saved_and_shows_what_changed() {
    let server = spawn_server().await;
    let b = Browser::signed_in(&server, "secretariat").await;
    let before = server.store.risk(&panel(3), None).await.unwrap();
    let opened = before.revision.version.to_string();
    let other = Browser::signed_in(&server, "secretariat2").await;
    let first = other
        .post("/risks/PANEL-3/edit", &[("version", &opened), ("owner", "Their owner")])
        .await;
    assert_eq!(first.status, StatusCode::SEE_OTHER);
    let stale = b
        .post(
            "/risks/PANEL-3/edit",
            &[("version", &opened), ("category", "My category")],
        )
        .await;
    assert_eq!(stale.status, StatusCode::CONFLICT);
    assert!(stale.body.contains("Someone changed this risk"));
    assert!(stale.texts("#conflict ins").iter().any(|t| t.contains("Their owner")));
    // The form now sits on the new version, with both their change and mine.
    let now = server.store.risk(&panel(3), None).await.unwrap();
    assert_eq!(now.fields.category, before.fields.category);
    assert_eq!(
        stale.attr("input[name=version]", "value"),
        vec![now.revision.version.to_string()]
    );
    assert_eq!(stale.attr("#owner", "value"), vec!["Their owner".to_owned()]);
    assert_eq!(stale.attr("#category", "value"), vec!["My category".to_owned()]);
}
