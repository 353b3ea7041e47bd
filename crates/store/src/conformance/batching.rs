//! Conformance for long batches of writes, which backends may send many rows to a statement
//! and the engine checks against what it has already read: a batch is still all or nothing,
//! a failing write in the middle of a thousand fails with the message it has alone, and a
//! group commit's failed caller takes nothing of what the engine learned with it.

use std::sync::Arc;

use chrono::Utc;
use riskreg_domain::register::Revision;
use riskreg_domain::{IssueFields, Rag, RecordRef, RegisterFields, Risk, Settings};

use super::{assert_chain_ok, code, ctx, risk, with_panel};
use crate::engine::{Applied, Change, Write, apply_group};
use crate::error::{StoreError, StoreResult};
use crate::store::{RecordQuery, Store, WriteTx};

const BATCH: u32 = 1000;

fn create_risk(register: &str, number: Option<u32>, statement: &str) -> Write {
    Write {
        change: Change::CreateRisk {
            register: code(register),
            number,
            fields: risk(statement, 2, 3),
        },
        ctx: ctx(),
    }
}

fn create_issue(number: u32) -> Write {
    Write {
        change: Change::CreateIssue {
            register: code("PANEL"),
            number: Some(number),
            fields: IssueFields::new(format!("Issue {number}"), 3, Rag::Amber),
        },
        ctx: ctx(),
    }
}

/// A risk whose impact is off the scale.
fn out_of_range() -> Write {
    Write {
        change: Change::CreateRisk {
            register: code("PANEL"),
            number: None,
            fields: risk("Out of range", 9, 2),
        },
        ctx: ctx(),
    }
}

/// `BATCH` risks numbered from `first`, the one at `at` (from 0) given `number` instead.
fn numbered(register: &str, first: u32, at: usize, number: u32) -> Vec<Write> {
    (0..BATCH)
        .map(|i| {
            let n = if i as usize == at { number } else { first + i };
            create_risk(register, Some(n), &format!("Risk {i}"))
        })
        .collect()
}

async fn numbers(store: &Arc<dyn Store>) -> Vec<u32> {
    let all = RecordQuery {
        include_closed: true,
        ..Default::default()
    };
    let mut numbers: Vec<u32> = store
        .risks(&all)
        .await
        .expect("risks")
        .iter()
        .map(|r| r.reference.number)
        .collect();
    numbers.sort_unstable();
    numbers
}

async fn fails_whole(store: &Arc<dyn Store>, writes: Vec<Write>, message: &str) {
    let events = store.event_count().await.expect("count");
    let before = numbers(store).await;
    match store.write(writes).await {
        Err(StoreError::Conflict(m)) => assert_eq!(m, message),
        other => panic!("expected the conflict {message:?}, got {other:?}"),
    }
    assert_eq!(store.event_count().await.expect("count"), events, "{message}");
    assert_eq!(numbers(store).await, before, "{message}");
}

pub async fn long_batches(store: Arc<dyn Store>) {
    with_panel(&store).await;
    store
        .create_risk(code("PANEL"), Some(5), risk("Already there", 1, 1), ctx())
        .await
        .expect("PANEL-5");
    // A number used twice within the batch, and one already in the database.
    let message = |n: u32| format!("risk PANEL-{n} already exists; risk numbers are never reused");
    fails_whole(&store, numbered("PANEL", 1001, 600, 1017), &message(1017)).await;
    fails_whole(&store, numbered("PANEL", 1001, 500, 5), &message(5)).await;
    let mut issues: Vec<Write> = (1..=BATCH).map(create_issue).collect();
    issues[700] = create_issue(3);
    fails_whole(
        &store,
        issues,
        "issue PANEL-3 already exists; issue numbers are never reused",
    )
    .await;
    // An invalid record late in the batch undoes the hundreds before it.
    let mut writes = numbered("PANEL", 1001, 0, 1001);
    writes[900] = out_of_range();
    let events = store.event_count().await.expect("count");
    assert!(matches!(store.write(writes).await, Err(StoreError::Invalid(_))));
    assert_eq!(store.event_count().await.expect("count"), events);
    assert_eq!(numbers(&store).await, [5]);

    // A register made in the batch, and a number used twice in it.
    let mut writes = vec![Write {
        change: Change::CreateRegister {
            code: code("NEW"),
            fields: RegisterFields::new("Made with its risks"),
        },
        ctx: ctx(),
    }];
    writes.extend(numbered("NEW", 1, 999, 1));
    fails_whole(
        &store,
        writes.clone(),
        "risk NEW-1 already exists; risk numbers are never reused",
    )
    .await;
    assert!(store.register(&code("NEW"), None).await.is_err(), "NEW was not made");
    writes.truncate(BATCH as usize);
    assert_eq!(store.write(writes).await.expect("NEW").len(), BATCH as usize);

    // Next numbers follow the highest taken, including numbers given earlier in the batch.
    let mut writes: Vec<Write> = (0..10)
        .map(|i| create_risk("PANEL", None, &format!("Next {i}")))
        .collect();
    writes.extend((0..990).map(|i| create_risk("PANEL", Some(1001 + i), &format!("Given {i}"))));
    writes.push(create_risk("PANEL", None, "After the given"));
    let applied = store.write(writes).await.expect("mixed batch");
    let number = |a: &Applied| match a {
        Applied::Risk(r) => r.reference.number,
        other => panic!("not a risk: {other:?}"),
    };
    assert_eq!(
        applied.iter().take(10).map(number).collect::<Vec<_>>(),
        (6..=15).collect::<Vec<_>>()
    );
    assert_eq!(applied.last().map(number), Some(1991));
    fails_whole(&store, numbered("PANEL", 3001, 999, 6), &message(6)).await;
    assert_eq!(
        numbers(&store).await.len(),
        2001,
        "PANEL-5, the mixed batch's 1,001, NEW's 999"
    );
    assert_chain_ok(&store).await;
}

/// Inserts the risks with the bare primitives, then sends whatever the backend held back.
async fn insert_all(tx: &mut dyn WriteTx, risks: &[Risk]) -> StoreResult<()> {
    for r in risks {
        tx.insert_risk(r).await?;
    }
    tx.flush().await
}

/// A constraint that only the database checks fails the same way whether the row was sent
/// alone or with a thousand others, and the transaction then keeps none of them.
pub async fn held_rows_meet_constraints(store: Arc<dyn Store>) {
    with_panel(&store).await;
    let at = Utc::now();
    let make = |register: &str, number: u32| Risk {
        reference: RecordRef::new(code(register), number),
        fields: risk(&format!("Risk {number}"), 2, 2)
            .normalised(&Settings::default(), at.date_naive())
            .expect("valid"),
        revision: Revision {
            version: 1,
            updated_at: at,
            updated_by: "tester".into(),
        },
    };
    let mut risks: Vec<Risk> = (1..=2500).map(|n| make("PANEL", n)).collect();
    risks[1200] = make("PANEL", 7);
    let mut tx = store.begin().await.expect("begin");
    let result = insert_all(tx.as_mut(), &risks).await;
    assert!(matches!(result, Err(StoreError::Conflict(_))), "{result:?}");
    tx.rollback().await.expect("rollback");
    assert_eq!(numbers(&store).await, Vec::<u32>::new());

    risks[1200] = make("GHOST", 1);
    let mut tx = store.begin().await.expect("begin");
    let result = insert_all(tx.as_mut(), &risks).await;
    assert!(
        matches!(result, Err(StoreError::Invalid(_))),
        "a register that does not exist: {result:?}"
    );
    tx.rollback().await.expect("rollback");
    assert_eq!(numbers(&store).await, Vec::<u32>::new());

    risks[1200] = make("PANEL", 1201);
    let mut tx = store.begin().await.expect("begin");
    insert_all(tx.as_mut(), &risks).await.expect("insert");
    tx.commit().await.expect("commit");
    assert_eq!(numbers(&store).await, (1..=2500).collect::<Vec<_>>());
}

/// Callers committed together: one whose writes fail leaves nothing behind, in the database
/// or in what the engine knows, for the callers after it.
pub async fn group_callers_stand_alone(store: Arc<dyn Store>) {
    with_panel(&store).await;
    let new_register = Write {
        change: Change::CreateRegister {
            code: code("NEW"),
            fields: RegisterFields::new("Undone"),
        },
        ctx: ctx(),
    };
    let bad = out_of_range();
    let many = |statement: &str| -> Vec<Write> { (2..=40).map(|n| create_risk("PANEL", Some(n), statement)).collect() };
    let callers = vec![
        // Makes a register and a risk in it, then fails: both are undone.
        vec![new_register, create_risk("NEW", Some(1), "in NEW"), bad.clone()],
        vec![create_risk("NEW", Some(1), "after NEW was undone")],
        // Takes numbers 2 to 40 (enough to have the register's numbers listed), then fails.
        many("undone").into_iter().chain([bad]).collect(),
        many("kept"),
        vec![create_risk("PANEL", Some(1), "first")],
        vec![create_risk("PANEL", Some(1), "second")],
        vec![create_risk("PANEL", None, "next")],
    ];
    let mut tx = store.begin().await.expect("begin");
    let answers = apply_group(tx.as_mut(), callers, Utc::now()).await.expect("group");
    tx.commit().await.expect("commit");
    let outcome: Vec<String> = answers
        .iter()
        .map(|a| match a {
            Ok(applied) => format!("ok {}", applied.len()),
            Err(e) => e.to_string(),
        })
        .collect();
    assert!(matches!(answers[0], Err(StoreError::Invalid(_))), "{outcome:?}");
    assert!(
        matches!(&answers[1], Err(StoreError::NotFound(m)) if m == "register NEW"),
        "{outcome:?}"
    );
    assert!(matches!(answers[2], Err(StoreError::Invalid(_))), "{outcome:?}");
    assert!(answers[3].is_ok() && answers[4].is_ok(), "{outcome:?}");
    let duplicate = "risk PANEL-1 already exists; risk numbers are never reused";
    assert!(
        matches!(&answers[5], Err(StoreError::Conflict(m)) if m == duplicate),
        "{outcome:?}"
    );
    match &answers[6] {
        Ok(applied) => assert!(matches!(&applied[..], [Applied::Risk(r)] if r.reference.number == 41)),
        Err(e) => panic!("the next number: {e}"),
    }
    assert!(store.register(&code("NEW"), None).await.is_err());
    assert_eq!(numbers(&store).await, (1..=41).collect::<Vec<_>>());
    let kept = store
        .risks(&RecordQuery::default())
        .await
        .expect("risks")
        .iter()
        .filter(|r| r.fields.statement == "kept")
        .count();
    assert_eq!(kept, 39);
    assert_chain_ok(&store).await;
}
