//! What a secretariat does with the UI, step by step, in a real browser.

use fantoccini::Locator;
use riskreg_domain::{Rag, RecordRef, RegisterCode, RiskFields};
use riskreg_store::{RecordQuery, WriteContext};

use crate::harness::{
    TestServer, browser, fill, save, screenshot, screenshot_at, sign_in, spawn_server, texts, upload_import,
    wait_for_text,
};

async fn risk(server: &TestServer, r: &str) -> riskreg_domain::Risk {
    let reference = RecordRef::parse(r).expect("a risk reference");
    server.store.risk(&reference, None).await.expect("the risk")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn signing_in_shows_the_dashboard() {
    let Some(c) = browser().await else { return };
    let server = spawn_server().await;
    c.goto(&server.url("/")).await.expect("open");
    // Without a session the dashboard sends the browser to sign in.
    wait_for_text(&c, "h1", "Sign in").await;
    screenshot(&c, "signin").await;
    sign_in(&c, &server, "secretariat").await;
    let cards = texts(&c, ".card h3").await;
    assert!(cards.iter().any(|t| t.contains("SEC Panel")), "{cards:?}");
    assert!(
        cards.iter().any(|t| t.contains("Confidential Working Group")),
        "{cards:?}"
    );
    screenshot(&c, "dashboard").await;
    // A heat map cell leads to the register filtered to that cell.
    c.find(Locator::Css("#reg-PANEL")).await.expect("PANEL card");
    let cell = c
        .find(Locator::Css(
            "article[aria-labelledby=reg-PANEL] svg a[href*='impact=']",
        ))
        .await
        .expect("a heat map cell");
    cell.click().await.expect("click the cell");
    wait_for_text(&c, "h1", "SEC Panel").await;
    assert!(c.current_url().await.unwrap().as_str().contains("likelihood="));
    c.close().await.expect("close");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_panel_register_shows_its_17_risks_in_order() {
    let Some(c) = browser().await else { return };
    let server = spawn_server().await;
    sign_in(&c, &server, "viewer").await;
    c.goto(&server.url("/registers/PANEL")).await.expect("open");
    wait_for_text(&c, "h1", "SEC Panel").await;
    let mut shown = Vec::new();
    for row in c.find_all(Locator::Css("#risk-table tbody tr")).await.expect("rows") {
        shown.push(row.attr("data-risk").await.expect("attr").expect("data-risk"));
    }
    let expected: Vec<String> = server
        .store
        .risks(&RecordQuery {
            register: Some(RegisterCode::parse("PANEL").unwrap()),
            ..RecordQuery::default()
        })
        .await
        .unwrap()
        .iter()
        .map(|r| r.reference.number.to_string())
        .collect();
    assert_eq!(shown.len(), 17, "{shown:?}");
    assert_eq!(shown, expected);
    // Every RAG chip says its colour in words.
    for chip in texts(&c, "#risk-table .rag").await {
        assert!(["RED", "AMBER", "GREEN"].contains(&chip.as_str()), "{chip}");
    }
    screenshot(&c, "register").await;
    screenshot_at(&c, "register-tablet", 768).await;
    // The as-at picker shows the register as it stood before Risk 18 was proposed.
    // Typing into a date input depends on the browser's locale; set it as a picker would.
    c.execute("document.getElementById('as_at').value = '2018-07-31'", vec![])
        .await
        .expect("pick a date");
    c.find(Locator::Css("form.filters button[type=submit]"))
        .await
        .expect("apply")
        .click()
        .await
        .expect("apply");
    wait_for_text(&c, ".notice", "as it stood").await;
    let mut then = Vec::new();
    for row in c.find_all(Locator::Css("#risk-table tbody tr")).await.expect("rows") {
        then.push(row.attr("data-risk").await.expect("attr").expect("data-risk"));
    }
    assert!(!then.contains(&"18".to_owned()), "{then:?}");
    screenshot(&c, "register-as-at").await;
    c.close().await.expect("close");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn risk_15_shows_its_pending_amendment_as_tracked_changes() {
    let Some(c) = browser().await else { return };
    let server = spawn_server().await;
    sign_in(&c, &server, "viewer").await;
    c.goto(&server.url("/risks/PANEL-15")).await.expect("open");
    wait_for_text(&c, "h1", "Risk 15").await;
    let proposal = wait_for_text(&c, "#proposals .proposal", "amend").await;
    let deleted = proposal.find_all(Locator::Css("del")).await.expect("del");
    let inserted = proposal.find_all(Locator::Css("ins")).await.expect("ins");
    assert!(
        !deleted.is_empty() && !inserted.is_empty(),
        "{}",
        proposal.text().await.unwrap()
    );
    let struck = deleted[0].css_value("text-decoration-line").await.expect("css");
    assert!(struck.contains("line-through"), "{struck}");
    screenshot(&c, "risk").await;
    c.close().await.expect("close");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn amending_a_risk_shows_the_new_version_and_its_event() {
    let Some(c) = browser().await else { return };
    let server = spawn_server().await;
    let before = risk(&server, "PANEL-3").await;
    sign_in(&c, &server, "secretariat").await;
    c.goto(&server.url("/risks/PANEL-3")).await.expect("open");
    c.find(Locator::LinkText("Edit risk"))
        .await
        .expect("edit link")
        .click()
        .await
        .expect("edit");
    wait_for_text(&c, "h1", "Edit Risk 3").await;
    // The impact classification beside the impact field follows the level chosen (the
    // served script runs under the page's CSP).
    let impact = before.fields.impact.to_string();
    wait_for_text(&c, "#impact-guide .on h3", &format!("Impact {impact} (")).await;
    let select = c.find(Locator::Id("impact")).await.expect("impact");
    select.select_by_value("5").await.expect("choose 5");
    wait_for_text(&c, "#impact-guide .on h3", "Impact 5 (").await;
    select.select_by_value(&impact).await.expect("choose back");
    screenshot(&c, "risk-edit").await;
    fill(&c, "owner", "Risk owner from the browser").await;
    fill(&c, "reason", "Owner agreed at the August meeting").await;
    save(&c).await;
    let version = before.revision.version + 1;
    wait_for_text(&c, "#saved", &format!("Saved as version {version}")).await;
    let entry = wait_for_text(&c, "#timeline li", &format!("Version {version}")).await;
    let entry = entry.text().await.unwrap();
    assert!(entry.contains("by secretariat"), "{entry}");
    assert!(entry.contains("Owner agreed at the August meeting"), "{entry}");
    wait_for_text(&c, "#changes ins", "Risk owner from the browser").await;
    screenshot(&c, "risk-amended").await;
    assert_eq!(risk(&server, "PANEL-3").await.revision.version, version);
    c.close().await.expect("close");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_conflicting_edit_is_shown_and_merged_never_overwritten() {
    let Some(a) = browser().await else { return };
    let Some(b) = browser().await else { return };
    let server = spawn_server().await;
    sign_in(&a, &server, "secretariat").await;
    sign_in(&b, &server, "secretariat2").await;
    for c in [&a, &b] {
        c.goto(&server.url("/risks/PANEL-5/edit")).await.expect("open");
        wait_for_text(c, "h1", "Edit Risk 5").await;
    }
    fill(&a, "owner", "Owner set by A").await;
    save(&a).await;
    wait_for_text(&a, "#timeline li", "by secretariat").await;

    fill(&b, "category", "Category set by B").await;
    save(&b).await;
    wait_for_text(&b, "#conflict h2", "Someone changed this risk").await;
    wait_for_text(&b, "#conflict ins", "Owner set by A").await;
    screenshot(&b, "conflict").await;
    // Nothing of B's was written.
    let now = risk(&server, "PANEL-5").await;
    assert_eq!(now.fields.owner.as_deref(), Some("Owner set by A"));
    assert_ne!(now.fields.category.as_deref(), Some("Category set by B"));
    // B's form holds both changes; saving it again applies B's on top of A's.
    save(&b).await;
    wait_for_text(&b, "#timeline li", "by secretariat2").await;
    let merged = risk(&server, "PANEL-5").await;
    assert_eq!(merged.fields.owner.as_deref(), Some("Owner set by A"));
    assert_eq!(merged.fields.category.as_deref(), Some("Category set by B"));
    a.close().await.expect("close");
    b.close().await.expect("close");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stored_script_and_handlers_never_run() {
    let Some(c) = browser().await else { return };
    let server = spawn_server().await;
    let payload = "There is a risk that <script>window.__pwned=1</script><img src=x onerror=\"window.__pwned=1\"> runs";
    let mut fields = RiskFields::new(payload, 3, 3, Rag::Amber);
    fields.owner = Some("<svg onload=\"window.__pwned=1\"></svg>".into());
    fields.consequences.push("\"><script>window.__pwned=1</script>".into());
    server
        .store
        .create_risk(
            RegisterCode::parse("PANEL").unwrap(),
            None,
            fields,
            WriteContext::new("harness", Some("<img src=x onerror=window.__pwned=1>".into())),
        )
        .await
        .unwrap();
    sign_in(&c, &server, "secretariat").await;
    for path in ["/registers/PANEL", "/risks/PANEL-19", "/risks/PANEL-19/edit", "/"] {
        c.goto(&server.url(path)).await.expect("open");
        wait_for_text(&c, "main", "").await;
        let pwned = c.execute("return typeof window.__pwned", vec![]).await.expect("js");
        assert_eq!(pwned, "undefined", "{path} ran injected script");
    }
    c.goto(&server.url("/risks/PANEL-19")).await.expect("open");
    let statement = wait_for_text(&c, "#statement", "<script>").await;
    assert!(statement.text().await.unwrap().contains("<img src=x onerror="));
    screenshot(&c, "xss-inert").await;
    c.close().await.expect("close");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_non_member_cannot_reach_a_confidential_register_by_url() {
    let Some(c) = browser().await else { return };
    let server = spawn_server().await;
    sign_in(&c, &server, "outsider").await;
    assert!(!texts(&c, ".card h3").await.iter().any(|t| t.contains("Confidential")));
    for path in ["/registers/CONF", "/risks/CONF-1"] {
        c.goto(&server.url(path)).await.expect("open");
        wait_for_text(&c, "h1", "Not found").await;
        let body = c.find(Locator::Css("body")).await.unwrap().text().await.unwrap();
        assert!(!body.contains("confidential plan"), "{path}");
    }
    screenshot(&c, "not-found").await;
    c.close().await.expect("close");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_admin_creates_a_user_in_settings() {
    use riskreg_store::users::{Role, UserFields, UserName};

    let Some(c) = browser().await else { return };
    let server = spawn_server().await;
    let hash = riskreg_web::auth::password::hash(crate::harness::PASSWORD.to_owned())
        .await
        .expect("hash");
    server
        .store
        .create_user(
            UserName::parse("admin").expect("name"),
            UserFields::new(Role::Admin),
            Some(&hash),
            WriteContext::new("harness", None),
        )
        .await
        .expect("an admin");
    sign_in(&c, &server, "admin").await;
    c.find(Locator::LinkText("Settings"))
        .await
        .expect("the Settings link")
        .click()
        .await
        .expect("open Settings");
    wait_for_text(&c, "h1", "Settings").await;
    c.find(Locator::Css("nav[aria-label=Settings] a[href='/settings/scales']"))
        .await
        .expect("Scales and bands")
        .click()
        .await
        .expect("open scales");
    wait_for_text(&c, "#bands-table", "Very high").await;
    screenshot(&c, "settings-scales").await;
    c.find(Locator::LinkText("Edit scales and bands"))
        .await
        .expect("the edit link")
        .click()
        .await
        .expect("open the form");
    wait_for_text(&c, "h1", "Edit scales and bands").await;
    screenshot(&c, "settings-scales-edit").await;
    c.find(Locator::Css("nav[aria-label=Settings] a[href='/settings/users']"))
        .await
        .expect("Users")
        .click()
        .await
        .expect("open users");
    wait_for_text(&c, "h1", "Users").await;
    for (id, text) in [("new-name", "j.smith"), ("new-password", "a password for J Smith")] {
        c.find(Locator::Id(id))
            .await
            .expect(id)
            .send_keys(text)
            .await
            .expect("type");
    }
    c.find(Locator::Css("#new-role option[value=member]"))
        .await
        .expect("the member role")
        .click()
        .await
        .expect("choose member");
    c.find(Locator::Css("form[action='/settings/users'] button[type=submit]"))
        .await
        .expect("create button")
        .click()
        .await
        .expect("create");
    wait_for_text(&c, "h1", "User j.smith").await;
    wait_for_text(&c, "#done", "User created").await;
    screenshot(&c, "settings-user-created").await;
    let user = server
        .store
        .user(&UserName::parse("j.smith").expect("name"))
        .await
        .expect("read")
        .expect("the user exists");
    assert_eq!(user.fields.role, Role::Member);
    assert_eq!(user.revision.updated_by, "admin");
    // The new user is listed with their role.
    c.find(Locator::LinkText("All users"))
        .await
        .expect("All users")
        .click()
        .await
        .expect("back to users");
    wait_for_text(&c, "#users-table tr[data-user='j.smith']", "member").await;
    c.close().await.expect("close");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_csv_register_is_uploaded_previewed_and_imported() {
    let Some(c) = browser().await else { return };
    let server = spawn_server().await;
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("estates-register.csv");
    std::fs::write(
        &path,
        "Risk ID,Risk Description,Impact,Likelihood,RAG,Owner,Mitigations\r\n\
         EST-01,There is a risk that flooding closes the head office,4,2,AMBER,Estates,\"1. Flood barriers\n2. Remote working plan\"\r\n\
         EST-02,There is a risk that the lift fails an inspection,2,3,GREEN,Facilities,Annual service\r\n",
    )
    .expect("write the CSV");
    sign_in(&c, &server, "secretariat").await;
    c.goto(&server.url("/registers/SSC")).await.expect("open");
    c.find(Locator::Id("import-link"))
        .await
        .expect("the import link")
        .click()
        .await
        .expect("open the import");
    wait_for_text(&c, "h1", "Import into").await;
    upload_import(&c, &path).await;
    wait_for_text(&c, "#import-summary", "2 risks would be created").await;
    let refs = texts(&c, "#import-rows td.source-ref").await;
    assert_eq!(refs, ["EST-01", "EST-02"]);
    let owner = c
        .find(Locator::Css("select[name='map.owner'] option:checked"))
        .await
        .expect("the owner's column")
        .text()
        .await
        .expect("text");
    assert!(owner.contains("Owner"), "{owner}");
    screenshot(&c, "import-preview").await;
    c.find(Locator::Id("confirm-import"))
        .await
        .expect("confirm button")
        .click()
        .await
        .expect("confirm");
    wait_for_text(&c, "#import-done", "Imported 2 risks").await;
    c.find(Locator::LinkText("See the register"))
        .await
        .expect("register link")
        .click()
        .await
        .expect("open the register");
    wait_for_text(&c, "#risk-table", "flooding closes the head office").await;
    wait_for_text(&c, "#risk-table", "lift fails an inspection").await;
    screenshot(&c, "import-done").await;
    let code = RegisterCode::parse("SSC").expect("code");
    let found = server
        .store
        .find_by_source_ref(riskreg_store::event::RecordType::Risk, &code, "EST-01")
        .await
        .expect("lookup")
        .expect("imported");
    let imported = server.store.risk(&found, None).await.expect("risk");
    assert_eq!(imported.fields.mitigations.len(), 2);
    c.close().await.expect("close");
}
