//! The settings pages over plain HTTP: only admins get them; scales, bands and the impact
//! classification are saved through the domain's rules (a broken one is shown beside its
//! field and changes nothing); users, memberships, registers and tokens are managed as the
//! API manages them; and every form needs the session's CSRF token.

use reqwest::StatusCode;
use riskreg_domain::RegisterCode;
use riskreg_store::WriteContext;
use riskreg_store::event::RecordType;
use riskreg_store::users::{Role, UserFields, UserName};

use crate::helpers::{Browser, PASSWORD, Page, TestServer, spawn_server};

/// Adds an admin (a member of every register, CONF included) and signs them in.
async fn admin(server: &TestServer) -> Browser<'_> {
    let hash = riskreg_web::auth::password::hash(PASSWORD.to_owned())
        .await
        .expect("hash");
    let registers: Vec<RegisterCode> = server
        .store
        .registers(None)
        .await
        .expect("registers")
        .into_iter()
        .map(|r| r.code)
        .collect();
    let fields = UserFields {
        role: Role::Admin,
        disabled: false,
        registers,
    };
    server
        .store
        .create_user(
            UserName::parse("admin").expect("name"),
            fields,
            Some(&hash),
            WriteContext::new("harness", None),
        )
        .await
        .expect("admin");
    Browser::signed_in(server, "admin").await
}

/// The fields a form would send as the page shows it (the CSRF token aside, which
/// `Browser::post` adds), with `edits` applied.
fn form_fields(page: &Page, action: &str, edits: &[(&str, &str)]) -> Vec<(String, String)> {
    let html = page.html();
    let sel = scraper::Selector::parse(&format!(
        "form[action='{action}'] input[name], form[action='{action}'] textarea[name], form[action='{action}'] select[name]"
    ))
    .expect("selector");
    let option = scraper::Selector::parse("option").expect("selector");
    let mut out: Vec<(String, String)> = Vec::new();
    for e in html.select(&sel) {
        let v = e.value();
        let name = v.attr("name").unwrap_or_default().to_owned();
        if name == "csrf" || (v.attr("type") == Some("checkbox") && v.attr("checked").is_none()) {
            continue;
        }
        let value = match v.name() {
            "textarea" => e.text().collect(),
            "select" => {
                let options: Vec<_> = e.select(&option).collect();
                options
                    .iter()
                    .find(|o| o.value().attr("selected").is_some())
                    .or(options.first())
                    .and_then(|o| o.value().attr("value"))
                    .unwrap_or_default()
                    .to_owned()
            }
            _ => v.attr("value").unwrap_or_default().to_owned(),
        };
        out.push((name, value));
    }
    assert!(!out.is_empty(), "no form posting to {action}");
    for (k, v) in edits {
        match out.iter_mut().find(|(name, _)| name == k) {
            Some(field) => field.1 = (*v).to_owned(),
            None => out.push(((*k).to_owned(), (*v).to_owned())),
        }
    }
    out
}

/// A form's fields, as `Browser::post` takes them.
type Fields<'a> = &'a [(&'a str, &'a str)];

async fn post_fields(b: &Browser<'_>, path: &str, fields: &[(String, String)]) -> Page {
    let refs: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    b.post(path, &refs).await
}

const PAGES: [&str; 9] = [
    "/settings",
    "/settings/scales",
    "/settings/scales/edit",
    "/settings/classification/edit",
    "/settings/registers",
    "/settings/registers/PANEL",
    "/settings/users",
    "/settings/users/viewer",
    "/settings/tokens",
];

#[tokio::test]
async fn admins_see_every_section_and_no_one_else_does() {
    let server = spawn_server().await;
    let a = admin(&server).await;
    for path in PAGES {
        let page = a.get(path).await;
        assert_eq!(page.status, StatusCode::OK, "{path}: {}", page.body);
        assert!(!page.body.contains(" style="), "{path} has an inline style");
        let current = page.attr("nav[aria-label=Main] a[aria-current=page]", "href");
        assert_eq!(current, ["/settings"], "{path}");
    }
    let overview = a.get("/settings").await;
    for section in ["Scales and bands", "Registers", "Users", "API tokens"] {
        assert!(
            overview.texts(".settings-cards h2").iter().any(|t| t == section),
            "{section}"
        );
    }
    let scales = a.get("/settings/scales").await;
    assert_eq!(
        scales.texts("#impact-scale tbody td")[..2],
        ["1".to_owned(), "Negligible".to_owned()]
    );
    assert!(
        scales
            .texts("#likelihood-scale tbody td")
            .contains(&"Almost certain".to_owned())
    );
    assert_eq!(
        scales.texts("#bands-table tbody tr"),
        [
            "Low 1–4 #2e7d32",
            "Medium 5–9 #f9a825",
            "High 10–16 #ef6c00",
            "Very high 17–25 #c62828"
        ]
    );
    let rows = scales.texts("#classification-table tbody th");
    assert_eq!(rows.len(), 10);
    assert_eq!(rows[0], "Safety");
    let registers = a.get("/settings/registers").await;
    let codes = registers.attr("#registers-table tbody tr", "data-register");
    assert!(
        codes.contains(&"PANEL".to_owned()) && codes.contains(&"CONF".to_owned()),
        "{codes:?}"
    );
    let conf = registers.texts("#registers-table tr[data-register=CONF] td");
    assert_eq!(conf[3], "Confidential");
    // secretariat, secretariat2 and the admin are its members.
    assert_eq!(conf[4], "3");
    let users = a.get("/settings/users").await;
    assert_eq!(
        users.attr("#users-table tbody tr", "data-user"),
        ["admin", "outsider", "secretariat", "secretariat2", "viewer"]
    );
    assert!(a.get("/").await.attr("nav a", "href").contains(&"/settings".to_owned()));

    for name in ["secretariat", "viewer"] {
        let b = Browser::signed_in(&server, name).await;
        assert!(!b.get("/").await.attr("nav a", "href").contains(&"/settings".to_owned()));
        for path in PAGES {
            let page = b.get(path).await;
            assert_eq!(page.status, StatusCode::FORBIDDEN, "{name} {path}");
            assert!(page.body.contains("Not allowed"), "{name} {path}");
        }
        let events = server.store.event_count().await.unwrap();
        let tried = b
            .post(
                "/settings/users",
                &[("name", "sneaky"), ("role", "admin"), ("password", PASSWORD)],
            )
            .await;
        assert_eq!(tried.status, StatusCode::FORBIDDEN);
        assert_eq!(server.store.event_count().await.unwrap(), events);
    }
    assert!(
        server
            .store
            .user(&UserName::parse("sneaky").unwrap())
            .await
            .unwrap()
            .is_none()
    );
    // Without a session, settings send you to sign in.
    let page = Browser::new(&server).get("/settings/users").await;
    assert_eq!(page.status, StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn an_edited_scale_label_is_saved_recorded_and_shown() {
    let server = spawn_server().await;
    let a = admin(&server).await;
    let form = a.get("/settings/scales/edit").await;
    assert_eq!(form.attr("#impact_scale-1-label", "value"), ["Minor"]);
    let fields = form_fields(
        &form,
        "/settings/scales/edit",
        &[("impact_scale[1].label", "Small"), ("reason", "Agreed by the Panel")],
    );
    let saved = post_fields(&a, "/settings/scales/edit", &fields).await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    let events = server.store.history(RecordType::Settings, "settings").await.unwrap();
    let last = events.last().unwrap();
    assert_eq!(saved.location(), format!("/settings/scales?saved={}", last.version));
    assert_eq!(
        (last.actor.as_str(), last.reason.as_deref()),
        ("admin", Some("Agreed by the Panel"))
    );
    let shown = a.get(&saved.location()).await;
    assert!(shown.texts("#saved")[0].contains(&format!("Saved as version {}", last.version)));
    assert!(shown.texts("#impact-scale td").contains(&"Small".to_owned()));
    assert!(shown.texts("#settings-version")[0].contains("last changed by admin"));
    let settings = server.store.settings().await.unwrap();
    assert_eq!(settings.impact_label(2), Some("Small"));
    assert_eq!(settings.impact_label(3), Some("Moderate"));
    // The rest is as it was.
    assert_eq!(settings.bands, riskreg_domain::Settings::default().bands);
    assert_eq!(
        settings.classification,
        riskreg_domain::Settings::default().classification
    );
    // The risk form now offers the new label.
    let edit = a.get("/risks/PANEL-3/edit").await;
    assert!(edit.texts("#impact option").contains(&"2 — Small".to_owned()));

    // The classification form saves a descriptor, and an empty one is none.
    let form = a.get("/settings/classification/edit").await;
    let fields = form_fields(
        &form,
        "/settings/classification/edit",
        &[
            ("classification.categories[0].cells[0]", "A scratch."),
            ("classification.categories[1].cells[1]", ""),
        ],
    );
    let saved = post_fields(&a, "/settings/classification/edit", &fields).await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    let settings = server.store.settings().await.unwrap();
    let cells = |i: usize| settings.classification.categories[i].cells.clone();
    assert_eq!(cells(0)[0].as_deref(), Some("A scratch."));
    assert_eq!(cells(1)[1], None);
    assert_eq!(settings.impact_label(2), Some("Small"));
}

#[tokio::test]
async fn broken_rules_are_shown_beside_their_fields_and_change_nothing() {
    let server = spawn_server().await;
    let a = admin(&server).await;
    let before = server.store.settings().await.unwrap();
    let events = server.store.event_count().await.unwrap();
    let form = a.get("/settings/scales/edit").await;
    let cases: [(Fields, &str, &str); 4] = [
        // The Medium band's lowest severity above its highest.
        (
            &[("bands[1].min", "12")],
            "#bands-1-error",
            "bands[1] must satisfy 1 <= min <= max <= 25",
        ),
        (
            &[("impact_scale[0].label", " ")],
            "#impact_scale-0-error",
            "impact_scale[0].label must not be empty",
        ),
        (
            &[("bands[0].max", "four")],
            "#bands-0-max-error",
            "bands[0].max must be a whole number",
        ),
        // Removing the High band leaves 10 to 16 in no band.
        (
            &[("bands[2].remove", "1")],
            "#bands-error",
            "bands must cover every severity from 1 to 25 exactly once",
        ),
    ];
    for (edits, error, message) in cases {
        let fields = form_fields(&form, "/settings/scales/edit", edits);
        let page = post_fields(&a, "/settings/scales/edit", &fields).await;
        assert_eq!(
            page.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{edits:?}: {}",
            page.body
        );
        let shown = page.texts(error);
        assert!(
            shown.first().is_some_and(|t| t.contains(message)),
            "{edits:?}: {shown:?}"
        );
        assert!(page.texts("#form-errors li").iter().any(|t| t.contains(message)));
        // The form comes back as it was sent.
        for (k, v) in edits.iter().filter(|(k, _)| !k.ends_with("remove")) {
            assert_eq!(page.attr(&format!("[name='{k}']"), "value"), [*v], "{k}");
        }
    }
    let page = post_fields(
        &a,
        "/settings/scales/edit",
        &form_fields(&form, "/settings/scales/edit", &[("impact_scale[0].label", "")]),
    )
    .await;
    assert_eq!(page.attr("#impact_scale-0-label", "aria-invalid"), ["true"]);
    // An empty category name is named too.
    let classification = a.get("/settings/classification/edit").await;
    let fields = form_fields(
        &classification,
        "/settings/classification/edit",
        &[("classification.categories[2].name", "")],
    );
    let page = post_fields(&a, "/settings/classification/edit", &fields).await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.texts("#category-2-name-error")[0].contains("classification.categories[2].name must not be empty"));
    assert_eq!(server.store.settings().await.unwrap(), before);
    assert_eq!(server.store.event_count().await.unwrap(), events);

    // A form opened before someone else saved is not saved over their change.
    let other = form_fields(
        &form,
        "/settings/scales/edit",
        &[("likelihood_scale[0].label", "Very rare")],
    );
    assert_eq!(
        post_fields(&a, "/settings/scales/edit", &other).await.status,
        StatusCode::SEE_OTHER
    );
    let mine = form_fields(&form, "/settings/scales/edit", &[("impact_scale[4].label", "Severe")]);
    let stale = post_fields(&a, "/settings/scales/edit", &mine).await;
    assert_eq!(stale.status, StatusCode::CONFLICT, "{}", stale.body);
    assert!(stale.texts("#conflict td").contains(&"Very rare".to_owned()));
    assert_eq!(stale.attr("#impact_scale-4-label", "value"), ["Severe"]);
    let now = server.store.settings().await.unwrap();
    assert_eq!(now.impact_label(5), Some("Major"));
    assert_eq!(now.likelihood_label(1), Some("Very rare"));
}

#[tokio::test]
async fn a_new_user_given_the_confidential_register_can_read_it() {
    let server = spawn_server().await;
    let a = admin(&server).await;
    let bad = a
        .post(
            "/settings/users",
            &[("name", "-x"), ("role", "viewer"), ("password", PASSWORD)],
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        bad.texts("#new-name-error")[0].starts_with("name must be"),
        "{}",
        bad.body
    );
    let bad = a
        .post(
            "/settings/users",
            &[("name", "newbie"), ("role", "viewer"), ("password", "tiny pw")],
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.texts("#new-password-error")[0].starts_with("password must be at least"));
    // What was typed is kept, but never the password.
    assert_eq!(bad.attr("#new-name", "value"), ["newbie"]);
    assert!(!bad.body.contains("tiny pw"));
    let created = a
        .post(
            "/settings/users",
            &[("name", "newbie"), ("role", "viewer"), ("password", PASSWORD)],
        )
        .await;
    assert_eq!(created.status, StatusCode::SEE_OTHER, "{}", created.body);
    assert_eq!(created.location(), "/settings/users/newbie?done=created");
    let taken = a
        .post(
            "/settings/users",
            &[("name", "newbie"), ("role", "viewer"), ("password", PASSWORD)],
        )
        .await;
    assert_eq!(taken.status, StatusCode::CONFLICT);

    let newbie = Browser::signed_in(&server, "newbie").await;
    assert_eq!(newbie.get("/registers/CONF").await.status, StatusCode::NOT_FOUND);
    let page = a.get(&created.location()).await;
    assert!(page.texts("#done")[0].contains("User created"));
    let version = page.attr(
        "form[action='/settings/users/newbie/registers'] input[name=version]",
        "value",
    );
    let added = a
        .post(
            "/settings/users/newbie/registers",
            &[("version", &version[0]), ("register", "CONF")],
        )
        .await;
    assert_eq!(added.status, StatusCode::SEE_OTHER, "{}", added.body);
    let page = a.get(&added.location()).await;
    assert_eq!(page.attr("#memberships tr[data-register]", "data-register"), ["CONF"]);
    assert_eq!(newbie.get("/registers/CONF").await.status, StatusCode::OK);
    // The same page, sent again with the old version, is refused.
    let stale = a
        .post(
            "/settings/users/newbie/registers",
            &[("version", &version[0]), ("register", "PANEL")],
        )
        .await;
    assert_eq!(stale.status, StatusCode::CONFLICT);
    assert!(stale.texts("#conflict")[0].contains("changed by admin"));

    // Role, account and password.
    let v = |p: &Page| {
        p.attr(
            "form[action='/settings/users/newbie/role'] input[name=version]",
            "value",
        )[0]
        .clone()
    };
    let role = a
        .post(
            "/settings/users/newbie/role",
            &[("version", &v(&page)), ("role", "member")],
        )
        .await;
    assert_eq!(role.status, StatusCode::SEE_OTHER);
    let page = a.get("/settings/users").await;
    assert_eq!(page.texts("#users-table tr[data-user=newbie] td")[1], "member");
    let page = a.get("/settings/users/newbie").await;
    let off = a
        .post(
            "/settings/users/newbie/account",
            &[("version", &v(&page)), ("disabled", "1")],
        )
        .await;
    assert_eq!(off.status, StatusCode::SEE_OTHER);
    assert_eq!(
        newbie.get("/").await.status,
        StatusCode::SEE_OTHER,
        "a disabled user is signed out"
    );
    let page = a.get(&off.location()).await;
    assert!(page.texts("#done")[0].contains("Account disabled"));
    let on = a
        .post(
            "/settings/users/newbie/account",
            &[("version", &v(&page)), ("disabled", "0")],
        )
        .await;
    assert_eq!(on.status, StatusCode::SEE_OTHER);
    let mismatch = a
        .post(
            "/settings/users/newbie/password",
            &[("password", "a new long password"), ("confirm", "another one")],
        )
        .await;
    assert_eq!(mismatch.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(mismatch.texts("#confirm-error")[0].starts_with("confirm must be the same"));
    let set = a
        .post(
            "/settings/users/newbie/password",
            &[("password", "a new long password"), ("confirm", "a new long password")],
        )
        .await;
    assert_eq!(set.status, StatusCode::SEE_OTHER);
    let signin = Browser::new(&server)
        .post_raw(
            "/signin",
            &[("name", "newbie"), ("password", "a new long password")],
            &[],
        )
        .await;
    assert_eq!(signin.status, StatusCode::SEE_OTHER);
    // An admin cannot lock themselves out.
    let page = a.get("/settings/users/admin").await;
    let demote = a
        .post(
            "/settings/users/admin/role",
            &[
                (
                    "version",
                    &page.attr("form[action='/settings/users/admin/role'] input[name=version]", "value")[0],
                ),
                ("role", "viewer"),
            ],
        )
        .await;
    assert_eq!(demote.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(demote.texts("#role-error")[0].contains("you cannot lower your own role"));

    let kinds: Vec<String> = server
        .store
        .history(RecordType::User, "newbie")
        .await
        .unwrap()
        .iter()
        .map(|e| format!("{} by {}", e.kind, e.actor))
        .collect();
    assert_eq!(
        kinds,
        [
            "created by admin",
            "amended by admin",
            "amended by admin",
            "disabled by admin",
            "enabled by admin",
            "password_set by admin"
        ]
    );
}

#[tokio::test]
async fn registers_are_created_and_amended() {
    let server = spawn_server().await;
    let a = admin(&server).await;
    let bad = a
        .post(
            "/settings/registers",
            &[("code", "9X"), ("name", ""), ("parent", "PANEL")],
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        bad.texts(".field-error").iter().any(|t| t.starts_with("code")),
        "{}",
        bad.body
    );
    let created = a
        .post(
            "/settings/registers",
            &[
                ("code", "wg"),
                ("name", "Working Group"),
                ("parent", "PANEL"),
                ("confidential", "1"),
            ],
        )
        .await;
    assert_eq!(created.status, StatusCode::SEE_OTHER, "{}", created.body);
    let list = a.get(&created.location()).await;
    assert!(list.texts("#done")[0].contains("WG"));
    assert_eq!(
        list.texts("#registers-table tr[data-register=WG] td")[..5],
        ["WG", "Working Group", "PANEL", "Confidential", "1"]
    );
    let taken = a
        .post("/settings/registers", &[("code", "WG"), ("name", "Again")])
        .await;
    assert_eq!(taken.status, StatusCode::CONFLICT);

    let edit = a.get("/settings/registers/WG").await;
    let fields = form_fields(&edit, "/settings/registers/WG", &[("name", "Working Group on Risk")]);
    let fields: Vec<(String, String)> = fields.into_iter().filter(|(k, _)| k != "confidential").collect();
    let saved = post_fields(&a, "/settings/registers/WG", &fields).await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    let wg = server
        .store
        .register(&RegisterCode::parse("WG").unwrap(), None)
        .await
        .unwrap();
    assert_eq!(wg.fields.name, "Working Group on Risk");
    assert!(!wg.fields.confidential);
    assert_eq!(wg.revision.updated_by, "admin");
    // Its own child cannot be its parent.
    let cycle = post_fields(
        &a,
        "/settings/registers/PANEL",
        &form_fields(
            &a.get("/settings/registers/PANEL").await,
            "/settings/registers/PANEL",
            &[("parent", "WG")],
        ),
    )
    .await;
    assert_eq!(cycle.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(cycle.texts("#parent-error")[0].contains("parent"));
}

#[tokio::test]
async fn a_token_secret_is_shown_once_and_stops_working_when_revoked() {
    let server = spawn_server().await;
    let a = admin(&server).await;
    let bad = a
        .post(
            "/settings/tokens",
            &[("label", ""), ("role", "viewer"), ("expires_in_days", "0")],
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.texts("#label-error")[0].starts_with("label must be"));
    let created = a
        .post(
            "/settings/tokens",
            &[("label", "nightly export"), ("role", "viewer"), ("expires_in_days", "")],
        )
        .await;
    assert_eq!(created.status, StatusCode::OK, "{}", created.body);
    let secret = created.attr("#token-secret", "value")[0].clone();
    assert!(secret.starts_with("rr_"), "{secret}");
    let id = created.texts("dl.fields dd.code")[0].clone();
    let list = a.get("/settings/tokens").await;
    assert!(!list.body.contains(&secret), "the secret is shown once only");
    assert_eq!(
        list.texts(&format!("#tokens-table tr[data-token='{id}'] td"))[..4],
        [
            id.clone(),
            "admin".to_owned(),
            "nightly export".to_owned(),
            "viewer".to_owned()
        ]
    );

    let client = reqwest::Client::new();
    let api = |s: &str| {
        client
            .get(server.url("/api/v1/registers"))
            .bearer_auth(s.to_owned())
            .send()
    };
    assert_eq!(api(&secret).await.unwrap().status(), StatusCode::OK);
    let revoked = a.post(&format!("/settings/tokens/{id}/revoke"), &[]).await;
    assert_eq!(revoked.status, StatusCode::SEE_OTHER);
    assert_eq!(api(&secret).await.unwrap().status(), StatusCode::UNAUTHORIZED);
    let list = a.get(&revoked.location()).await;
    assert!(list.texts("#done")[0].contains("revoked"));
    assert!(list.texts(&format!("#tokens-table tr[data-token='{id}'] .token-state"))[0].starts_with("Revoked"));
    let token_events: Vec<String> = server
        .store
        .history(RecordType::Token, &id)
        .await
        .unwrap()
        .iter()
        .map(|e| format!("{} by {}", e.kind, e.actor))
        .collect();
    assert_eq!(token_events, ["created by admin", "revoked by admin"]);
}

#[tokio::test]
async fn settings_forms_without_the_csrf_token_are_refused() {
    let server = spawn_server().await;
    let a = admin(&server).await;
    let form = a.get("/settings/scales/edit").await;
    let scales = form_fields(&form, "/settings/scales/edit", &[("impact_scale[0].label", "Tiny")]);
    let scales: Vec<(&str, &str)> = scales.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let origin = server.url("");
    let events = server.store.event_count().await.unwrap();
    let posts: [(&str, Fields); 6] = [
        ("/settings/scales/edit", &scales),
        (
            "/settings/users",
            &[("name", "nocsrf"), ("role", "admin"), ("password", PASSWORD)],
        ),
        (
            "/settings/users/viewer/registers",
            &[("version", "1"), ("register", "CONF")],
        ),
        ("/settings/registers", &[("code", "NOCSRF"), ("name", "No")]),
        ("/settings/tokens", &[("label", "no"), ("role", "admin")]),
        (
            "/settings/users/viewer/password",
            &[("password", "a long password"), ("confirm", "a long password")],
        ),
    ];
    for (path, fields) in posts {
        let page = a.post_raw(path, fields, &[("origin", &origin)]).await;
        assert_eq!(page.status, StatusCode::FORBIDDEN, "{path}");
        let mut wrong = vec![("csrf", "0000")];
        wrong.extend_from_slice(fields);
        let page = a.post_raw(path, &wrong, &[("origin", &origin)]).await;
        assert_eq!(page.status, StatusCode::FORBIDDEN, "{path}");
    }
    assert_eq!(server.store.event_count().await.unwrap(), events);
    assert_eq!(
        server.store.settings().await.unwrap().impact_label(1),
        Some("Negligible")
    );
}
