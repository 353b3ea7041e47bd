//! Pages: who may see what, what each answers, the headers every page carries, and
//! stored text shown as text.

use reqwest::StatusCode;
use riskreg_domain::{Rag, RegisterCode, RiskFields};
use riskreg_store::{RecordQuery, WriteContext};

use crate::helpers::{Browser, spawn_server};

#[tokio::test]
async fn without_a_session_pages_send_you_to_sign_in_and_back() {
    let server = spawn_server().await;
    let b = Browser::new(&server);
    let page = b.get("/registers/PANEL").await;
    assert_eq!(page.status, StatusCode::SEE_OTHER);
    assert_eq!(page.location(), "/signin?next=%2Fregisters%2FPANEL");
    let signin = b.get("/signin").await;
    assert_eq!(signin.status, StatusCode::OK);
    assert!(signin.body.contains("Sign in to riskreg"));
    let wrong = b
        .post_raw("/signin", &[("name", "secretariat"), ("password", "wrong")], &[])
        .await;
    assert_eq!(wrong.status, StatusCode::UNAUTHORIZED);
    assert!(wrong.body.contains("do not match an account"));
    assert!(wrong.headers.get("set-cookie").is_none());
}

#[tokio::test]
async fn every_page_answers_with_a_strict_csp_and_no_inline_script() {
    let server = spawn_server().await;
    let b = Browser::signed_in(&server, "secretariat").await;
    for path in [
        "/",
        "/registers/PANEL",
        "/registers/PANEL?as_at=2018-07-31",
        "/risks/PANEL-15",
        "/risks/PANEL-15/edit",
        "/issues/PANEL-1",
        "/signin",
    ] {
        let page = b.get(path).await;
        assert_eq!(page.status, StatusCode::OK, "{path}: {}", page.body);
        let csp = page.headers["content-security-policy"].to_str().unwrap();
        assert!(csp.contains("script-src 'self'"), "{path}: {csp}");
        assert!(!csp.contains("unsafe-inline"), "{path}: {csp}");
        assert!(csp.contains("frame-ancestors 'none'"));
        assert!(!page.body.contains("<script>"), "{path} has an inline script");
        assert!(!page.body.contains(" style="), "{path} has an inline style");
    }
    for path in [
        "/registers/NOPE",
        "/risks/PANEL-999",
        "/issues/PANEL-99",
        "/risks/not-a-ref",
    ] {
        let page = b.get(path).await;
        assert_eq!(page.status, StatusCode::NOT_FOUND, "{path}");
        assert!(page.body.contains("Not found"), "{path}");
    }
}

#[tokio::test]
async fn the_register_lists_its_risks_in_register_order() {
    let server = spawn_server().await;
    let b = Browser::signed_in(&server, "viewer").await;
    let page = b.get("/registers/PANEL").await;
    let shown: Vec<u32> = page
        .attr("#risk-table tbody tr", "data-risk")
        .iter()
        .map(|n| n.parse().unwrap())
        .collect();
    let expected: Vec<u32> = server
        .store
        .risks(&RecordQuery {
            register: Some(RegisterCode::parse("PANEL").unwrap()),
            ..RecordQuery::default()
        })
        .await
        .unwrap()
        .iter()
        .map(|r| r.reference.number)
        .collect();
    assert_eq!(shown.len(), 17);
    assert_eq!(shown, expected);
    // RAG chips carry the word, not colour alone.
    let chips = page.texts("#risk-table .rag");
    assert!(
        chips.iter().all(|c| ["RED", "AMBER", "GREEN"].contains(&c.as_str())),
        "{chips:?}"
    );
    // Filtering by RAG and by a heat map cell narrows the list.
    let green = b.get("/registers/PANEL?rag=GREEN").await;
    assert!(green.texts("#risk-table .rag").iter().all(|c| c == "GREEN"));
    assert!(green.texts("#risk-table .rag").len() < 17);
    let bad = b.get("/registers/PANEL?rag=PURPLE&impact=x").await;
    assert_eq!(bad.status, StatusCode::OK);
    assert!(bad.body.contains("rag must be"), "{}", bad.body);
    assert!(bad.body.contains("impact must be a whole number"));
    // As at the end of July 2018 there was no Risk 18.
    let july = b.get("/registers/PANEL?as_at=2018-07-31").await;
    assert!(
        !july
            .attr("#risk-table tbody tr", "data-risk")
            .contains(&"18".to_owned())
    );
    assert!(
        page.attr("#risk-table tbody tr", "data-risk")
            .contains(&"18".to_owned())
    );
}

#[tokio::test]
async fn a_confidential_register_does_not_exist_for_a_non_member() {
    let server = spawn_server().await;
    let outsider = Browser::signed_in(&server, "outsider").await;
    for path in [
        "/registers/CONF",
        "/risks/CONF-1",
        "/risks/CONF-1/edit",
        "/registers/CONF?as_at=2030-01-01",
    ] {
        let page = outsider.get(path).await;
        assert_eq!(page.status, StatusCode::NOT_FOUND, "{path}");
        assert!(!page.body.contains("confidential plan"), "{path}");
    }
    let dashboard = outsider.get("/").await;
    assert!(!dashboard.body.contains("Confidential Working Group"));
    let member = Browser::signed_in(&server, "secretariat").await;
    assert_eq!(member.get("/registers/CONF").await.status, StatusCode::OK);
    assert!(member.get("/").await.body.contains("Confidential Working Group"));
    // Editing needs the secretariat role.
    let viewer = Browser::signed_in(&server, "viewer").await;
    assert_eq!(viewer.get("/risks/PANEL-15/edit").await.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn stored_markup_is_shown_as_text() {
    let server = spawn_server().await;
    let payload =
        "There is a risk that <script>window.__pwned=1</script><img src=x onerror=\"window.__pwned=1\"> leaks";
    let mut fields = RiskFields::new(payload, 2, 2, Rag::Green);
    fields.owner = Some("<b onmouseover=alert(1)>owner</b>".into());
    server
        .store
        .create_risk(
            RegisterCode::parse("PANEL").unwrap(),
            None,
            fields,
            WriteContext::new("<i>mallory</i>", Some("<script>reason</script>".into())),
        )
        .await
        .unwrap();
    let b = Browser::signed_in(&server, "secretariat").await;
    for path in ["/registers/PANEL", "/risks/PANEL-19", "/risks/PANEL-19/edit", "/"] {
        let page = b.get(path).await;
        assert_eq!(page.status, StatusCode::OK, "{path}");
        assert!(!page.body.contains("<script>window"), "{path}");
        assert!(!page.body.contains("<img src=x"), "{path}");
        assert!(!page.body.contains("<b onmouseover"), "{path}");
        assert!(!page.body.contains("<i>mallory"), "{path}");
    }
    let risk = b.get("/risks/PANEL-19").await;
    assert!(
        risk.body.contains("&#60;script&#62;window.__pwned=1&#60;/script&#62;"),
        "{}",
        risk.body
    );
    assert!(risk.texts("#statement")[0].contains("<script>window.__pwned=1</script>"));
}
