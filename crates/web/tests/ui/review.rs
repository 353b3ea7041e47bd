//! The review cycle's pages over plain HTTP: the meetings list, scheduling a meeting, a
//! meeting's proposals and paper links, drafting proposals from a risk's page, and
//! recording decisions — with access control, bad input named by field, and stale forms
//! refused without a change.

use reqwest::StatusCode;
use riskreg_domain::review::{MeetingFields, MeetingRef, ProposalStatus};
use riskreg_domain::{RecordRef, RegisterCode};
use riskreg_store::WriteContext;

use crate::helpers::{Browser, spawn_server};

const AUGUST: &str = "/meetings/PANEL/2018-08-10";

fn august() -> MeetingRef {
    MeetingRef::parse("PANEL/2018-08-10").expect("meeting")
}

fn risk(r: &str) -> RecordRef {
    RecordRef::parse(r).expect("reference")
}

#[tokio::test]
async fn the_meetings_list_and_a_meeting_show_proposals_and_the_paper() {
    let server = spawn_server().await;
    let b = Browser::signed_in(&server, "secretariat").await;
    let list = b.get("/meetings").await;
    assert_eq!(list.status, StatusCode::OK, "{}", list.body);
    let rows = list.texts("#meetings tbody tr");
    assert_eq!(rows.len(), 1, "{rows:?}");
    assert!(
        rows[0].contains("10 August 2018") && rows[0].contains("3 pending"),
        "{rows:?}"
    );

    let page = b.get(AUGUST).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    let headings = page.texts("article.proposal h3");
    assert_eq!(headings.len(), 3, "{headings:?}");
    assert!(headings[1].starts_with("Amendment to Risk 15"), "{headings:?}");
    assert!(headings[2].starts_with("New risk: Risk 18"), "{headings:?}");
    // The amendment shows its tracked changes and the recommendation riskreg words.
    assert!(
        !page.texts("#proposal-2 .diff ins, #proposal-2 ins").is_empty(),
        "{}",
        page.body
    );
    assert!(
        page.texts("#proposal-2 .recommendation")[0].contains("AGREE the amendments to the SEC Panel Risk Register")
    );
    assert_eq!(page.texts("form.decision").len(), 3);

    // Every paper link works with the page's session.
    for (id, media) in [
        ("#paper-preview", "text/html"),
        ("#paper-draft", "text/html"),
        ("#paper-md", "text/markdown"),
        (
            "#paper-docx",
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        ),
    ] {
        let href = page.attr(id, "href").pop().expect(id);
        let got = b.get(&href).await;
        assert_eq!(got.status, StatusCode::OK, "{id} {href}");
        let ct = got.headers["content-type"].to_str().unwrap();
        assert!(ct.starts_with(media), "{id}: {ct}");
    }
    let preview = b.get(&page.attr("#paper-preview", "href")[0]).await;
    assert!(preview.body.contains("Risk and Issue Register Update"));
    let draft = b.get(&page.attr("#paper-draft", "href")[0]).await;
    assert_ne!(draft.body, preview.body, "the draft carries the register's checks");
}

#[tokio::test]
async fn a_viewer_reads_meetings_but_cannot_decide_and_outsiders_never_see_confidential_ones() {
    let server = spawn_server().await;
    let conf = MeetingRef::parse("CONF/2018-09-01").unwrap();
    server
        .store
        .add_meeting(
            conf.clone(),
            MeetingFields::default(),
            WriteContext::new("harness", None),
        )
        .await
        .unwrap();
    let viewer = Browser::signed_in(&server, "viewer").await;
    let page = viewer.get(AUGUST).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        page.texts("form.decision").is_empty(),
        "a viewer gets no decision forms"
    );
    assert!(page.texts("#schedule-h").is_empty());
    let refused = viewer
        .post("/proposals/2/decision", &[("decision", "agreed"), ("version", "1")])
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    assert_eq!(
        viewer.get("/meetings/CONF/2018-09-01").await.status,
        StatusCode::NOT_FOUND
    );
    assert!(!viewer.get("/meetings").await.body.contains("CONF"));
    let outsider = Browser::signed_in(&server, "outsider").await;
    assert_eq!(
        outsider.get("/meetings/CONF/2018-09-01").await.status,
        StatusCode::NOT_FOUND
    );
    let member = Browser::signed_in(&server, "secretariat").await;
    assert_eq!(member.get("/meetings/CONF/2018-09-01").await.status, StatusCode::OK);
    let proposals = server.store.proposals(&august()).await.unwrap();
    assert!(proposals.iter().all(|p| p.fields.status == ProposalStatus::Pending));
}

#[tokio::test]
async fn scheduling_a_meeting_names_each_bad_field_and_refuses_a_second_on_the_same_day() {
    let server = spawn_server().await;
    let b = Browser::signed_in(&server, "secretariat").await;
    let bad = b
        .post(
            "/meetings",
            &[("body", "NOPE"), ("date", "soon"), ("paper_on", "31/02/2018")],
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    let errors = bad.texts(".field-error").join(" | ");
    for field in ["body", "date", "paper_on"] {
        assert!(errors.contains(field), "{field}: {errors}");
    }
    assert_eq!(server.store.meetings(None).await.unwrap().len(), 1);

    let fields = [
        ("body", "PANEL"),
        ("date", "2018-09-14"),
        ("title", "SEC Panel meeting, September 2018"),
        ("author", "Kayla Reinhart"),
    ];
    let made = b.post("/meetings", &fields).await;
    assert_eq!(made.status, StatusCode::SEE_OTHER, "{}", made.body);
    assert_eq!(made.location(), "/meetings/PANEL/2018-09-14");
    let page = b.get("/meetings/PANEL/2018-09-14").await;
    assert!(page.texts("h1")[0].contains("September 2018"));
    let again = b.post("/meetings", &fields).await;
    assert_eq!(again.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(again.texts(".field-error").join(" ").contains("already has a meeting"));
    assert_eq!(server.store.meetings(None).await.unwrap().len(), 2);
}

#[tokio::test]
async fn an_amendment_proposed_from_a_risk_page_changes_nothing_until_it_is_agreed() {
    let server = spawn_server().await;
    let b = Browser::signed_in(&server, "secretariat").await;
    let before = server.store.risk(&risk("PANEL-3"), None).await.unwrap();
    let version = before.revision.version.to_string();

    let risk_page = b.get("/risks/PANEL-3").await;
    assert_eq!(risk_page.attr("#propose-amendment", "href"), ["/risks/PANEL-3/propose"]);
    let form = b.get("/risks/PANEL-3/propose").await;
    assert_eq!(form.status, StatusCode::OK, "{}", form.body);
    assert_eq!(form.attr("#meeting option", "value"), ["PANEL/2018-08-10"]);

    // No rationale: refused beside the field, nothing drafted.
    let owner = "Head of Market Operations";
    let amend = |rationale: &'static str| {
        [
            ("version", version.clone()),
            ("kind", "amend".to_owned()),
            ("meeting", "PANEL/2018-08-10".to_owned()),
            ("rationale", rationale.to_owned()),
            ("owner", owner.to_owned()),
        ]
    };
    let post = |fields: [(&'static str, String); 5]| {
        let b = &b;
        async move {
            let refs: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
            b.post("/risks/PANEL-3/propose", &refs).await
        }
    };
    let bad = post(amend("")).await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", bad.body);
    assert!(bad.texts("#rationale-error")[0].contains("rationale"));
    assert_eq!(server.store.proposals(&august()).await.unwrap().len(), 3);

    let made = post(amend("The owner moved to Market Operations.")).await;
    assert_eq!(made.status, StatusCode::SEE_OTHER, "{}", made.body);
    assert_eq!(made.location(), "/meetings/PANEL/2018-08-10#proposal-4");
    assert_eq!(
        server.store.risk(&risk("PANEL-3"), None).await.unwrap(),
        before,
        "drafting changes nothing"
    );

    let page = b.get(AUGUST).await;
    assert!(page.texts("#proposal-4 h3")[0].starts_with("Amendment to Risk 3"));
    assert!(
        page.texts("#proposal-4 ins").join(" ").contains("Market Operations"),
        "{}",
        page.body
    );

    // A decision from a page opened before the proposal changed is refused.
    let stale = b
        .post("/proposals/4/decision", &[("decision", "agreed"), ("version", "7")])
        .await;
    assert_eq!(stale.status, StatusCode::CONFLICT);
    assert!(!stale.texts("#proposal-4-problem").is_empty());
    let bad = b
        .post("/proposals/4/decision", &[("decision", "maybe"), ("version", "1")])
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.texts("#proposal-4-problem")[0].contains("decision"));
    assert_eq!(server.store.risk(&risk("PANEL-3"), None).await.unwrap(), before);

    let agreed = b
        .post(
            "/proposals/4/decision",
            &[("decision", "agreed"), ("minute", "SECP 61/05"), ("version", "1")],
        )
        .await;
    assert_eq!(agreed.status, StatusCode::SEE_OTHER, "{}", agreed.body);
    let after = server.store.risk(&risk("PANEL-3"), None).await.unwrap();
    assert_eq!(after.fields.owner.as_deref(), Some(owner));
    assert_eq!(after.revision.version, before.revision.version + 1);
    let page = b.get(AUGUST).await;
    let outcome = page.texts("#proposal-4 .outcome").join(" ");
    assert!(
        outcome.contains("Agreed by secretariat") && outcome.contains("SECP 61/05"),
        "{outcome}"
    );
    assert!(page.texts("#proposal-4 form.decision").is_empty());
}

#[tokio::test]
async fn closing_and_escalating_are_proposed_with_their_own_short_forms() {
    let server = spawn_server().await;
    let ssc = RegisterCode::parse("SSC").unwrap();
    let ctx = WriteContext::new("harness", None);
    let fields = riskreg_domain::RiskFields::new(
        "There is a risk that sub-committee papers arrive late",
        3,
        3,
        riskreg_domain::Rag::Amber,
    );
    let made = server
        .store
        .create_risk(ssc.clone(), None, fields, ctx.clone())
        .await
        .unwrap();
    server
        .store
        .add_meeting(
            MeetingRef::parse("SSC/2018-08-20").unwrap(),
            MeetingFields::default(),
            ctx,
        )
        .await
        .unwrap();
    let b = Browser::signed_in(&server, "secretariat").await;
    let page = b.get(&format!("/risks/{}/propose?kind=escalate", made.reference)).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert_eq!(page.attr("#to option", "value"), ["PANEL"]);
    let target = format!("/risks/{}/propose", made.reference);
    let bad = b
        .post(
            &target,
            &[
                ("kind", "escalate"),
                ("version", "1"),
                ("meeting", "SSC/2018-08-20"),
                ("rationale", "Panel-wide"),
                ("to", "TABASC"),
            ],
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        bad.texts(".field-error")
            .join(" ")
            .contains("to must be a register above")
    );
    let ok = b
        .post(
            &target,
            &[
                ("kind", "escalate"),
                ("version", "1"),
                ("meeting", "SSC/2018-08-20"),
                ("rationale", "Panel-wide"),
                ("to", "PANEL"),
            ],
        )
        .await;
    assert_eq!(ok.status, StatusCode::SEE_OTHER, "{}", ok.body);
    let meeting = b.get(&ok.location()).await;
    assert!(meeting.body.contains("Escalating Risk 1 to PANEL"));

    // Closing: a form opened at an older version is refused; the meeting must exist.
    let version = server
        .store
        .risk(&risk("PANEL-3"), None)
        .await
        .unwrap()
        .revision
        .version
        .to_string();
    let stale = b
        .post(
            "/risks/PANEL-3/propose",
            &[
                ("kind", "close"),
                ("version", "99"),
                ("meeting", "PANEL/2018-08-10"),
                ("rationale", "Done"),
            ],
        )
        .await;
    assert_eq!(stale.status, StatusCode::CONFLICT);
    let missing = b
        .post(
            "/risks/PANEL-3/propose",
            &[
                ("kind", "close"),
                ("version", &version),
                ("meeting", "PANEL/2030-01-01"),
                ("rationale", "Done"),
            ],
        )
        .await;
    assert_eq!(missing.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", missing.body);
    assert!(missing.texts(".field-error").join(" ").contains("meeting"));
    assert_eq!(server.store.proposals(&august()).await.unwrap().len(), 3);
}

#[tokio::test]
async fn a_new_risk_is_added_or_proposed_from_the_register_page() {
    let server = spawn_server().await;
    let b = Browser::signed_in(&server, "secretariat").await;
    let register = b.get("/registers/PANEL").await;
    assert_eq!(register.attr("#add-risk", "href"), ["/registers/PANEL/risks/new"]);
    let form = b.get("/registers/PANEL/risks/new").await;
    assert_eq!(form.status, StatusCode::OK, "{}", form.body);
    assert_eq!(form.texts("h1"), ["Add a risk to PANEL"]);
    let before = server.store.risks(&Default::default()).await.unwrap().len();

    // Scores and RAG must be chosen; every problem is shown at once and nothing is written.
    let bad = b
        .post("/registers/PANEL/risks/new", &[("statement", "There is a risk that X")])
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    let errors = bad.texts(".field-error").join(" | ");
    for field in ["impact", "likelihood", "rag"] {
        assert!(errors.contains(field), "{field}: {errors}");
    }
    assert_eq!(server.store.risks(&Default::default()).await.unwrap().len(), before);

    let statement = "There is a risk that the new settlement data arrives late";
    let fields = [
        ("statement", statement),
        ("impact", "4"),
        ("likelihood", "3"),
        ("rag", "AMBER"),
        ("owner", "SECAS"),
        (
            "add_mitigation",
            "Weekly check with the data provider\nEscalation route agreed",
        ),
        ("add_mitigation_state", "ongoing"),
        ("reason", "Raised at the July meeting"),
    ];
    let added = b.post("/registers/PANEL/risks/new", &fields).await;
    assert_eq!(added.status, StatusCode::SEE_OTHER, "{}", added.body);
    assert_eq!(added.location(), "/risks/PANEL-19?saved=1");
    let risk19 = server.store.risk(&risk("PANEL-19"), None).await.unwrap();
    assert_eq!(risk19.fields.statement, statement);
    assert_eq!(risk19.fields.mitigations.len(), 2);
    assert_eq!(risk19.fields.status.as_str(), "open");

    // Proposed: on the register as proposed, and in the meeting's proposals.
    let mut proposed = fields.to_vec();
    proposed.extend([
        ("purpose", "propose"),
        ("meeting", "PANEL/2018-08-10"),
        ("rationale", "The SSC asks the Panel to hold this risk."),
    ]);
    proposed[0].1 = "There is a risk that a second supplier fails";
    let made = b.post("/registers/PANEL/risks/new", &proposed).await;
    assert_eq!(made.status, StatusCode::SEE_OTHER, "{}", made.body);
    assert_eq!(made.location(), "/meetings/PANEL/2018-08-10#proposal-4");
    let risk20 = server.store.risk(&risk("PANEL-20"), None).await.unwrap();
    assert_eq!(risk20.fields.status.as_str(), "proposed");
    let page = b.get(AUGUST).await;
    assert!(page.texts("#proposal-4 h3")[0].starts_with("New risk: Risk 20"));
}
