//! The review cycle in a real browser: a secretariat drafts an amendment from a risk's
//! page, previews the committee paper that now carries it, and records the committee's
//! decision, which applies the amendment.

use fantoccini::Locator;
use riskreg_domain::RecordRef;

use crate::harness::{browser, fill, save, screenshot, sign_in, spawn_server, wait_for_text};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn draft_a_proposal_preview_the_paper_and_record_the_decision() {
    let Some(c) = browser().await else { return };
    let server = spawn_server().await;
    let reference = RecordRef::parse("PANEL-3").unwrap();
    let before = server.store.risk(&reference, None).await.unwrap();
    sign_in(&c, &server, "secretariat").await;

    // Draft: the edit form, sent to a meeting instead of the register.
    c.goto(&server.url("/risks/PANEL-3")).await.expect("open");
    c.find(Locator::Id("propose-amendment"))
        .await
        .expect("propose link")
        .click()
        .await
        .expect("propose");
    wait_for_text(&c, "h1", "Propose an amendment to Risk 3").await;
    let mitigation = "Quarterly review of the forecast with Market Operations";
    fill(&c, "add_mitigation", mitigation).await;
    fill(
        &c,
        "rationale",
        "The Panel asked for a standing review of the forecast.",
    )
    .await;
    screenshot(&c, "propose-amendment").await;
    save(&c).await;
    wait_for_text(&c, "#proposal-4 h3", "Amendment to Risk 3").await;
    wait_for_text(&c, "#proposal-4 ins", "Quarterly review").await;
    assert_eq!(
        server.store.risk(&reference, None).await.unwrap(),
        before,
        "a draft changes nothing"
    );
    screenshot(&c, "meeting").await;

    // Preview: the paper as the committee will read it, with the amendment in it.
    let meeting_url = c.current_url().await.unwrap();
    c.find(Locator::Id("paper-preview"))
        .await
        .expect("preview link")
        .click()
        .await
        .expect("preview");
    wait_for_text(&c, "body", "Risk and Issue Register Update").await;
    wait_for_text(&c, "body", mitigation).await;
    screenshot(&c, "paper-preview").await;

    // Decide: agreed, with its minute; the amendment is applied at once.
    c.goto(meeting_url.as_str()).await.expect("back to the meeting");
    fill(&c, "minute-4", "SECP 61/05").await;
    c.find(Locator::Css("#proposal-4 form.decision button[type=submit]"))
        .await
        .expect("decision button")
        .click()
        .await
        .expect("record");
    let outcome = wait_for_text(&c, "#proposal-4 .outcome", "Agreed by secretariat").await;
    assert!(outcome.text().await.unwrap().contains("SECP 61/05"));
    screenshot(&c, "decision-recorded").await;
    let after = server.store.risk(&reference, None).await.unwrap();
    assert_eq!(after.revision.version, before.revision.version + 1);
    assert!(after.fields.mitigations.iter().any(|m| m.text == mitigation));
    c.close().await.expect("close");
}
