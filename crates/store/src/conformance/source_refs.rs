//! Conformance for source references: a risk or issue imported from a spreadsheet keeps
//! the reference it had there, verbatim, and is found by it in its own register only,
//! closed or not; records without one are never matched, and the reference survives an
//! export and re-import.

use std::sync::Arc;

use riskreg_domain::{IssueFields, Rag, RegisterFields};

use super::{code, ctx, reference, risk, with_panel};
use crate::event::RecordType;
use crate::store::Store;

pub async fn source_refs(store: Arc<dyn Store>) {
    with_panel(&store).await;
    store
        .create_register(code("CORP"), RegisterFields::new("Corporate"), ctx())
        .await
        .expect("CORP");
    let mut first = risk("Imported", 3, 4);
    first.source_ref = Some("015(CR)".into());
    let mut second = risk("Also imported", 2, 2);
    second.source_ref = Some("Risk 001".into());
    store
        .create_risk(code("PANEL"), None, risk("Keyed in", 1, 1), ctx())
        .await
        .expect("keyed");
    let made = store
        .create_risk(code("PANEL"), None, first, ctx())
        .await
        .expect("first");
    assert_eq!(made.fields.source_ref.as_deref(), Some("015(CR)"));
    store
        .create_risk(code("CORP"), None, second, ctx())
        .await
        .expect("second");
    let mut issue = IssueFields::new("Imported issue", 3, Rag::Amber);
    issue.source_ref = Some(" ISS-7 ".into());
    let issue = store
        .create_issue(code("PANEL"), None, issue, ctx())
        .await
        .expect("issue");
    assert_eq!(
        issue.fields.source_ref.as_deref(),
        Some("ISS-7"),
        "trimmed like every label"
    );

    let find = |t: RecordType, reg: &'static str, s: &'static str| {
        let store = store.clone();
        async move { store.find_by_source_ref(t, &code(reg), s).await.expect("lookup") }
    };
    assert_eq!(
        find(RecordType::Risk, "PANEL", "015(CR)").await,
        Some(reference("PANEL-2"))
    );
    assert_eq!(
        find(RecordType::Risk, "CORP", "Risk 001").await,
        Some(reference("CORP-1"))
    );
    assert_eq!(
        find(RecordType::Risk, "CORP", "015(CR)").await,
        None,
        "another register's"
    );
    assert_eq!(
        find(RecordType::Risk, "PANEL", "015(cr)").await,
        None,
        "verbatim, not folded"
    );
    assert_eq!(
        find(RecordType::Issue, "PANEL", "ISS-7").await,
        Some(reference("PANEL-1"))
    );
    assert_eq!(
        find(RecordType::Risk, "PANEL", "ISS-7").await,
        None,
        "risks and issues apart"
    );

    store
        .close_risk(reference("PANEL-2"), None, ctx())
        .await
        .expect("close");
    assert_eq!(
        find(RecordType::Risk, "PANEL", "015(CR)").await,
        Some(reference("PANEL-2")),
        "closed risks are still found"
    );
    let doc = store.export().await.expect("export");
    let json = doc.to_json();
    assert!(
        json.contains("\"source_ref\": \"015(CR)\""),
        "the register file keeps it"
    );
    assert_eq!(
        json.matches("\"source_ref\"").count(),
        4,
        "and writes none where there is none"
    );
}
