//! Conformance for long batches of amendments, whose records the engine may read together
//! before the batch and keep as it writes them, and which backends may send many rows to a
//! statement: every amendment still starts from the version before it, a record amended
//! twice in one batch included, a batch is all or nothing, and a group commit's failed
//! caller leaves nothing of its amendments behind for the callers after it.

use std::collections::HashMap;
use std::sync::Arc;

use chrono::Utc;
use riskreg_domain::{IssueChange, IssueFields, Rag, RecordRef, RiskChange};

use super::{assert_chain_ok, code, ctx, risk, with_panel};
use crate::engine::{Applied, Change, Write, apply_group};
use crate::error::StoreError;
use crate::event::RecordType;
use crate::store::{RecordQuery, Store};

const RISKS: u32 = 1200;

fn panel(number: u32) -> RecordRef {
    RecordRef::new(code("PANEL"), number)
}

fn create(number: u32) -> Write {
    Write {
        change: Change::CreateRisk {
            register: code("PANEL"),
            number: Some(number),
            fields: risk(&format!("Risk {number}"), 2, 3),
        },
        ctx: ctx(),
    }
}

fn amend(number: u32, expected_version: Option<u32>, notes: &str) -> Write {
    Write {
        change: Change::AmendRisk {
            reference: panel(number),
            expected_version,
            change: RiskChange {
                notes: Some(Some(notes.to_owned())),
                ..Default::default()
            },
        },
        ctx: ctx(),
    }
}

fn amend_issue(number: u32, notes: &str) -> Write {
    Write {
        change: Change::AmendIssue {
            reference: panel(number),
            expected_version: None,
            change: IssueChange {
                notes: Some(Some(notes.to_owned())),
                ..Default::default()
            },
        },
        ctx: ctx(),
    }
}

async fn version(store: &Arc<dyn Store>, number: u32) -> u32 {
    store.risk(&panel(number), None).await.expect("risk").revision.version
}

pub async fn amendment_batches(store: Arc<dyn Store>) {
    with_panel(&store).await;
    let mut writes: Vec<Write> = (1..=RISKS).map(create).collect();
    writes.extend((1..=3).map(|n| Write {
        change: Change::CreateIssue {
            register: code("PANEL"),
            number: Some(n),
            fields: IssueFields::new(format!("Issue {n}"), 3, Rag::Amber),
        },
        ctx: ctx(),
    }));
    store.write(writes).await.expect("create");

    // Every risk amended once, PANEL-7 four times over, and a risk made and amended.
    let mut writes: Vec<Write> = (1..=RISKS).map(|n| amend(n, Some(1), "reviewed")).collect();
    writes.insert(10, amend(7, None, "first"));
    writes.insert(600, amend(7, Some(3), "second"));
    writes.push(amend(7, Some(4), "third"));
    writes.push(create(RISKS + 1));
    writes.push(amend(RISKS + 1, Some(1), "made and amended"));
    writes.extend((1..=3).map(|n| amend_issue(n, "reviewed")));
    writes.push(amend_issue(2, "twice"));
    let applied = store.write(writes).await.expect("amendments");
    // What each record's last write gave back is what is stored.
    let (mut risks, mut issues) = (HashMap::new(), HashMap::new());
    for a in applied {
        match a {
            Applied::Risk(r) => {
                risks.insert(r.reference.clone(), r);
            }
            Applied::Issue(i) => {
                issues.insert(i.reference.clone(), i);
            }
            other => panic!("not a risk or an issue: {other:?}"),
        }
    }
    for (reference, r) in &risks {
        assert_eq!(store.risk(reference, None).await.expect("risk"), *r);
    }
    for (reference, i) in &issues {
        assert_eq!(store.issue(reference, None).await.expect("issue"), *i);
    }
    assert_eq!(version(&store, 7).await, 5);
    assert_eq!(version(&store, 8).await, 2);
    assert_eq!(version(&store, RISKS + 1).await, 2);
    assert_eq!(store.issue(&panel(2), None).await.expect("issue").revision.version, 3);
    let history = store.history(RecordType::Risk, "PANEL-7").await.expect("history");
    let notes: Vec<_> = history
        .iter()
        .map(|e| e.after.as_ref().and_then(|a| a.get("notes")).cloned())
        .collect();
    assert_eq!(
        notes
            .iter()
            .skip(1)
            .map(|n| n.as_ref().and_then(|v| v.as_str()))
            .collect::<Vec<_>>(),
        [Some("reviewed"), Some("first"), Some("second"), Some("third")]
    );
    for pair in history.windows(2) {
        assert_eq!(pair[1].before, pair[0].after, "each version starts from the one before");
    }

    // The totals beside a register's pages count the risks made many to a statement.
    for (include_closed, total) in [(true, RISKS + 1), (false, RISKS + 1)] {
        let query = RecordQuery {
            register: Some(code("PANEL")),
            as_at: None,
            include_closed,
        };
        let (_, counted) = store.risk_page(&query, 10, 0).await.expect("page");
        assert_eq!(counted, u64::from(total), "include_closed {include_closed}");
    }

    // A stale version at the end, or a risk that does not exist in the middle, undoes the
    // whole batch.
    let events = store.event_count().await.expect("count");
    let mut writes: Vec<Write> = (1..=RISKS).map(|n| amend(n, None, "undone")).collect();
    writes.push(amend(7, Some(5), "stale"));
    assert!(matches!(store.write(writes).await, Err(StoreError::Conflict(_))));
    let mut writes: Vec<Write> = (1..=RISKS).map(|n| amend(n, None, "undone")).collect();
    writes.insert(700, amend(RISKS + 50, None, "missing"));
    assert!(matches!(store.write(writes).await, Err(StoreError::NotFound(_))));
    assert_eq!(store.event_count().await.expect("count"), events);
    assert_eq!(version(&store, 7).await, 5);
    assert_eq!(version(&store, 8).await, 2);

    // A failed caller's amendments are undone, and the callers after it start from the
    // versions before them.
    let mut failing: Vec<Write> = (1..=50).map(|n| amend(n, None, "undone")).collect();
    failing.push(amend(RISKS + 50, None, "missing"));
    let callers = vec![
        failing,
        (1..=50)
            .map(|n| amend(n, Some(if n == 7 { 5 } else { 2 }), "kept"))
            .collect(),
        vec![amend(8, Some(3), "kept again")],
    ];
    let mut tx = store.begin().await.expect("begin");
    let answers = apply_group(tx.as_mut(), callers, Utc::now()).await.expect("group");
    tx.commit().await.expect("commit");
    assert!(matches!(answers[0], Err(StoreError::NotFound(_))), "{:?}", answers[0]);
    assert!(answers[1].is_ok(), "{:?}", answers[1]);
    assert!(answers[2].is_ok(), "{:?}", answers[2]);
    assert_eq!(version(&store, 8).await, 4);
    let eight = store.risk(&panel(8), None).await.expect("risk");
    assert_eq!(eight.fields.notes.as_deref(), Some("kept again"));
    assert_chain_ok(&store).await;
}
