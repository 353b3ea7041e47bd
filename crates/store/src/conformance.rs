//! The conformance suite: one story that exercises every store method, run against every
//! backend (SQLite always, PostgreSQL when a server is available), so that no behaviour
//! exists on one backend only. Each scenario gets a fresh, empty store from the factory.
//!
//! Backends call [`run_all`] from their own tests.

use std::future::Future;
use std::sync::Arc;

use chrono::{Duration, Utc};
use riskreg_domain::document::Document;
use riskreg_domain::{
    IssueChange, IssueFields, IssueStatus, Mitigation, MitigationState, Rag, RecordRef, RegisterCode, RegisterFields,
    RiskChange, RiskFields, RiskStatus, Settings,
};

use crate::engine::{Change, Write, WriteContext};
use crate::error::StoreError;
use crate::event::RecordType;
use crate::store::{RecordQuery, Store};
use crate::transfer::copy_all as copy;
use crate::verify::verify_chain;

mod amending;
mod batching;
mod paging;
mod source_refs;
mod users;

/// The SEC Panel demo data, which exercises every field of the file format.
pub const DEMO: &str = include_str!("../../riskreg/data/sec-panel-2018-08.json");

type Scenario = fn(Arc<dyn Store>) -> std::pin::Pin<Box<dyn Future<Output = ()> + Send>>;

/// Every scenario, by name.
pub fn scenarios() -> Vec<(&'static str, Scenario)> {
    vec![
        ("empty_store", |s| Box::pin(empty_store(s))),
        ("registers", |s| Box::pin(registers(s))),
        ("risk_numbers", |s| Box::pin(risk_numbers(s))),
        ("invalid_input_changes_nothing", |s| {
            Box::pin(invalid_input_changes_nothing(s))
        }),
        ("versions_and_conflicts", |s| Box::pin(versions_and_conflicts(s))),
        ("ordering", |s| Box::pin(ordering(s))),
        ("closing", |s| Box::pin(closing(s))),
        ("issues", |s| Box::pin(issues(s))),
        ("as_at", |s| Box::pin(as_at(s))),
        ("batches_are_atomic", |s| Box::pin(batches_are_atomic(s))),
        ("demo_import", |s| Box::pin(demo_import(s))),
        ("concurrent_amendments", |s| Box::pin(concurrent_amendments(s))),
        ("concurrent_batches", |s| Box::pin(concurrent_batches(s))),
        ("settings", |s| Box::pin(settings(s))),
        ("review_cycle", |s| Box::pin(review_cycle(s))),
        ("users_and_tokens", |s| Box::pin(users::users_and_tokens(s))),
        ("sessions", |s| Box::pin(users::sessions(s))),
        ("throttling", |s| Box::pin(users::throttling(s))),
        ("risk_pages", |s| Box::pin(paging::risk_pages(s))),
        ("source_refs", |s| Box::pin(source_refs::source_refs(s))),
        ("long_batches", |s| Box::pin(batching::long_batches(s))),
        ("amendment_batches", |s| Box::pin(amending::amendment_batches(s))),
        ("held_rows_meet_constraints", |s| {
            Box::pin(batching::held_rows_meet_constraints(s))
        }),
        ("group_callers_stand_alone", |s| {
            Box::pin(batching::group_callers_stand_alone(s))
        }),
    ]
}

/// Runs every scenario, each on a fresh store, then the export/import round trip across two.
pub async fn run_all<F, Fut>(fresh: F)
where
    F: Fn() -> Fut,
    Fut: Future<Output = Arc<dyn Store>>,
{
    for (name, scenario) in scenarios() {
        eprintln!("conformance: {name}");
        scenario(fresh().await).await;
    }
    eprintln!("conformance: export_import_round_trip");
    export_import_round_trip(fresh().await, fresh().await).await;
    eprintln!("conformance: copy_all");
    copy_all(fresh().await, fresh().await).await;
    eprintln!("conformance: users_survive_a_copy");
    users::survive_copy(fresh().await, fresh().await).await;
}

fn ctx() -> WriteContext {
    WriteContext::new("tester", Some("conformance".into()))
}

fn code(c: &str) -> RegisterCode {
    RegisterCode::parse(c).expect("valid code")
}

fn reference(r: &str) -> RecordRef {
    RecordRef::parse(r).expect("valid reference")
}

async fn with_panel(store: &Arc<dyn Store>) {
    store.init(ctx()).await.expect("init");
    store
        .create_register(code("PANEL"), RegisterFields::new("SEC Panel"), ctx())
        .await
        .expect("create PANEL");
}

fn risk(statement: &str, impact: u8, likelihood: u8) -> RiskFields {
    let mut f = RiskFields::new(statement, impact, likelihood, Rag::Amber);
    f.mitigations
        .push(Mitigation::new("A mitigation", MitigationState::Ongoing));
    f
}

async fn assert_chain_ok(store: &Arc<dyn Store>) {
    let report = verify_chain(store.as_ref()).await.expect("verify");
    assert!(report.ok(), "chain should verify: {:?}", report.problem);
    assert_eq!(report.events, store.event_count().await.expect("count"));
}

async fn empty_store(store: Arc<dyn Store>) {
    assert_eq!(store.settings().await.expect("settings"), Settings::default());
    assert!(store.registers(None).await.expect("registers").is_empty());
    assert_eq!(store.event_count().await.expect("count"), 0);
    assert!(store.risks(&RecordQuery::default()).await.expect("risks").is_empty());
    assert!(store.events(0, 10).await.expect("events").is_empty());
    let report = verify_chain(store.as_ref()).await.expect("verify");
    assert!(report.ok());
    assert_eq!(report.head, None);
    assert!(store.init(ctx()).await.expect("init"));
    assert!(!store.init(ctx()).await.expect("init again"));
    assert_eq!(store.event_count().await.expect("count"), 1);
    assert_chain_ok(&store).await;
}

async fn registers(store: Arc<dyn Store>) {
    with_panel(&store).await;
    let mut ssc = RegisterFields::new("Security Sub-Committee");
    ssc.parent = Some(code("PANEL"));
    ssc.confidential = true;
    store
        .create_register(code("SSC"), ssc, ctx())
        .await
        .expect("create SSC");
    let all = store.registers(None).await.expect("registers");
    let codes: Vec<_> = all.iter().map(|r| r.code.as_str()).collect();
    assert_eq!(codes, ["PANEL", "SSC"]);
    assert!(all[1].fields.confidential);
    assert_eq!(all[1].fields.parent, Some(code("PANEL")));
    assert_eq!(all[0].revision.version, 1);
    assert_eq!(all[0].revision.updated_by, "tester");

    let dup = store
        .create_register(code("PANEL"), RegisterFields::new("Again"), ctx())
        .await;
    assert!(matches!(dup, Err(StoreError::Conflict(_))), "{dup:?}");
    let mut orphan = RegisterFields::new("Orphan");
    orphan.parent = Some(code("NOPE"));
    match store.create_register(code("ORPHAN"), orphan, ctx()).await {
        Err(StoreError::Invalid(e)) => assert_eq!(e.0[0].field, "parent"),
        other => panic!("expected invalid parent, got {other:?}"),
    }
    match store
        .create_register(code("BLANK"), RegisterFields::new("  "), ctx())
        .await
    {
        Err(StoreError::Invalid(e)) => assert_eq!(e.0[0].field, "name"),
        other => panic!("expected invalid name, got {other:?}"),
    }
    let missing = store.register(&code("NOPE"), None).await;
    assert!(matches!(missing, Err(StoreError::NotFound(_))), "{missing:?}");

    let mut renamed = store.register(&code("SSC"), None).await.expect("SSC").fields;
    renamed.name = "Security Sub-Committee (SSC)".into();
    let stale = store
        .write_one(
            Change::AmendRegister {
                code: code("SSC"),
                expected_version: Some(7),
                fields: renamed.clone(),
            },
            ctx(),
        )
        .await;
    assert!(matches!(stale, Err(StoreError::Conflict(_))), "{stale:?}");
    store
        .write_one(
            Change::AmendRegister {
                code: code("SSC"),
                expected_version: Some(1),
                fields: renamed,
            },
            ctx(),
        )
        .await
        .expect("amend register");
    let ssc = store.register(&code("SSC"), None).await.expect("SSC");
    assert_eq!(ssc.revision.version, 2);
    assert_eq!(
        store.history(RecordType::Register, "SSC").await.expect("history").len(),
        2
    );
    assert_chain_ok(&store).await;
}

async fn risk_numbers(store: Arc<dyn Store>) {
    with_panel(&store).await;
    let r1 = store
        .create_risk(code("PANEL"), None, risk("First", 3, 3), ctx())
        .await
        .expect("r1");
    assert_eq!(r1.reference, reference("PANEL-1"));
    let r3 = store
        .create_risk(code("PANEL"), Some(3), risk("Third", 3, 3), ctx())
        .await
        .expect("r3");
    assert_eq!(r3.reference.number, 3);
    let r4 = store
        .create_risk(code("PANEL"), None, risk("Next", 3, 3), ctx())
        .await
        .expect("r4");
    assert_eq!(r4.reference.number, 4, "new numbers follow the highest ever used");
    let dup = store
        .create_risk(code("PANEL"), Some(3), risk("Again", 3, 3), ctx())
        .await;
    assert!(matches!(dup, Err(StoreError::Conflict(_))), "{dup:?}");
    store
        .close_risk(reference("PANEL-4"), None, ctx())
        .await
        .expect("close 4");
    let r5 = store
        .create_risk(code("PANEL"), None, risk("After a closure", 3, 3), ctx())
        .await
        .expect("r5");
    assert_eq!(r5.reference.number, 5, "a closed risk's number is never reused");
    let unknown = store.create_risk(code("NOPE"), None, risk("x", 1, 1), ctx()).await;
    assert!(matches!(unknown, Err(StoreError::NotFound(_))), "{unknown:?}");
    let got = store.risk(&reference("PANEL-3"), None).await.expect("get");
    assert_eq!(got.fields.statement, "Third");
    assert_eq!(got.severity(), 9);
    assert_eq!(got.fields.mitigations[0].added_on, Some(Utc::now().date_naive()));
    let missing = store.risk(&reference("PANEL-2"), None).await;
    assert!(matches!(missing, Err(StoreError::NotFound(_))), "{missing:?}");
    assert_chain_ok(&store).await;
}

async fn invalid_input_changes_nothing(store: Arc<dyn Store>) {
    with_panel(&store).await;
    store
        .create_risk(code("PANEL"), None, risk("A risk", 3, 3), ctx())
        .await
        .expect("create");
    let before_events = store.event_count().await.expect("count");
    let before = store.risk(&reference("PANEL-1"), None).await.expect("get");

    let change = RiskChange {
        impact: Some(6),
        ..Default::default()
    };
    match store.amend_risk(reference("PANEL-1"), None, change, ctx()).await {
        Err(StoreError::Invalid(e)) => {
            assert_eq!(e.0[0].field, "impact");
            assert!(e.0[0].rule.contains("between 1 and 5"), "{}", e.0[0].rule);
        }
        other => panic!("expected invalid impact, got {other:?}"),
    }
    let bad = RiskFields::new("", 0, 9, Rag::Red);
    match store.create_risk(code("PANEL"), None, bad, ctx()).await {
        Err(StoreError::Invalid(e)) => {
            let fields: Vec<_> = e.0.iter().map(|e| e.field.as_str()).collect();
            assert_eq!(fields, ["statement", "impact", "likelihood"]);
        }
        other => panic!("expected invalid risk, got {other:?}"),
    }
    let empty = store
        .amend_risk(reference("PANEL-1"), None, RiskChange::default(), ctx())
        .await;
    assert!(matches!(empty, Err(StoreError::Invalid(_))), "{empty:?}");
    let no_actor = store
        .create_risk(code("PANEL"), None, risk("x", 1, 1), WriteContext::new(" ", None))
        .await;
    assert!(matches!(no_actor, Err(StoreError::Invalid(_))), "{no_actor:?}");
    let future = WriteContext {
        at: Some(Utc::now() + Duration::days(2)),
        ..ctx()
    };
    let future = store.create_risk(code("PANEL"), None, risk("x", 1, 1), future).await;
    assert!(matches!(future, Err(StoreError::Invalid(_))), "{future:?}");

    assert_eq!(store.event_count().await.expect("count"), before_events);
    assert_eq!(store.risk(&reference("PANEL-1"), None).await.expect("get"), before);
    assert_eq!(store.risks(&RecordQuery::default()).await.expect("list").len(), 1);
    assert_chain_ok(&store).await;
}

async fn versions_and_conflicts(store: Arc<dyn Store>) {
    with_panel(&store).await;
    store
        .create_risk(code("PANEL"), None, risk("Original wording", 3, 3), ctx())
        .await
        .expect("create");
    let change = RiskChange {
        statement: Some("New wording".into()),
        ..Default::default()
    };
    let stale = store
        .amend_risk(reference("PANEL-1"), Some(2), change.clone(), ctx())
        .await;
    assert!(matches!(stale, Err(StoreError::Conflict(_))), "{stale:?}");
    let amended = store
        .amend_risk(reference("PANEL-1"), Some(1), change, ctx())
        .await
        .expect("amend");
    assert_eq!(amended.revision.version, 2);
    assert_eq!(amended.fields.statement, "New wording");
    let again = RiskChange {
        rag: Some(Rag::Red),
        ..Default::default()
    };
    let stale = store
        .amend_risk(reference("PANEL-1"), Some(1), again.clone(), ctx())
        .await;
    assert!(matches!(stale, Err(StoreError::Conflict(_))), "{stale:?}");
    store
        .amend_risk(reference("PANEL-1"), None, again, ctx())
        .await
        .expect("amend without a version");

    let history = store.history(RecordType::Risk, "PANEL-1").await.expect("history");
    let kinds: Vec<_> = history.iter().map(|e| (e.version, e.kind.as_str())).collect();
    assert_eq!(kinds, [(1, "created"), (2, "amended"), (3, "amended")]);
    assert_eq!(history[1].actor, "tester");
    assert_eq!(history[1].reason.as_deref(), Some("conformance"));
    assert_eq!(
        history[1].before.as_ref().and_then(|b| b["statement"].as_str()),
        Some("Original wording")
    );
    assert_eq!(
        history[1].after.as_ref().and_then(|b| b["statement"].as_str()),
        Some("New wording")
    );
    assert_eq!(history[1].prev_hash, history[0].hash);
    assert_chain_ok(&store).await;
}

async fn ordering(store: Arc<dyn Store>) {
    with_panel(&store).await;
    store
        .create_register(code("SSC"), RegisterFields::new("SSC"), ctx())
        .await
        .expect("SSC");
    for (n, i, l) in [(14u32, 4u8, 2u8), (6, 4, 2), (1, 3, 4), (12, 1, 2), (3, 3, 3)] {
        store
            .create_risk(code("PANEL"), Some(n), risk("r", i, l), ctx())
            .await
            .expect("create");
    }
    store
        .create_risk(code("SSC"), Some(1), risk("s", 5, 5), ctx())
        .await
        .expect("ssc");
    let query = RecordQuery {
        register: Some(code("PANEL")),
        ..Default::default()
    };
    let numbers: Vec<_> = store
        .risks(&query)
        .await
        .expect("list")
        .iter()
        .map(|r| r.reference.number)
        .collect();
    assert_eq!(numbers, [1, 3, 6, 14, 12]);
    let all: Vec<_> = store
        .risks(&RecordQuery::default())
        .await
        .expect("list all")
        .iter()
        .map(|r| r.reference.to_string())
        .collect();
    assert_eq!(all, ["SSC-1", "PANEL-1", "PANEL-3", "PANEL-6", "PANEL-14", "PANEL-12"]);
    let unknown = store
        .risks(&RecordQuery {
            register: Some(code("NOPE")),
            ..Default::default()
        })
        .await;
    assert!(matches!(unknown, Err(StoreError::NotFound(_))), "{unknown:?}");
}

async fn closing(store: Arc<dyn Store>) {
    with_panel(&store).await;
    store
        .create_risk(code("PANEL"), None, risk("One", 3, 3), ctx())
        .await
        .expect("1");
    store
        .create_risk(code("PANEL"), None, risk("Two", 3, 3), ctx())
        .await
        .expect("2");
    let closed = store
        .close_risk(reference("PANEL-2"), None, ctx())
        .await
        .expect("close");
    assert_eq!(closed.fields.status, RiskStatus::Closed);
    let again = store.close_risk(reference("PANEL-2"), None, ctx()).await;
    assert!(matches!(again, Err(StoreError::Invalid(_))), "{again:?}");
    let stale = store.close_risk(reference("PANEL-1"), Some(9), ctx()).await;
    assert!(matches!(stale, Err(StoreError::Conflict(_))), "{stale:?}");
    let live = store.risks(&RecordQuery::default()).await.expect("live");
    assert_eq!(live.len(), 1);
    let all = store
        .risks(&RecordQuery {
            include_closed: true,
            ..Default::default()
        })
        .await
        .expect("all");
    assert_eq!(all.len(), 2);
    let history = store.history(RecordType::Risk, "PANEL-2").await.expect("history");
    assert_eq!(history.last().map(|e| e.kind.as_str()), Some("closed"));
    assert_chain_ok(&store).await;
}

async fn issues(store: Arc<dyn Store>) {
    with_panel(&store).await;
    let mut f = IssueFields::new("DCC System is circumvented", 3, Rag::Red);
    f.associated_risk = Some(reference("PANEL-10"));
    f.impacts = vec!["Change does not go ahead".into()];
    let i1 = store
        .create_issue(code("PANEL"), Some(2), f, ctx())
        .await
        .expect("issue");
    assert_eq!(i1.reference, reference("PANEL-2"));
    let i2 = store
        .create_issue(code("PANEL"), None, IssueFields::new("Another", 5, Rag::Amber), ctx())
        .await;
    assert_eq!(i2.expect("next").reference.number, 3);
    let bad = store
        .create_issue(code("PANEL"), None, IssueFields::new("x", 7, Rag::Amber), ctx())
        .await;
    assert!(matches!(bad, Err(StoreError::Invalid(_))), "{bad:?}");
    let change = IssueChange {
        impact: Some(4),
        ..Default::default()
    };
    let amended = store
        .amend_issue(reference("PANEL-2"), Some(1), change.clone(), ctx())
        .await
        .expect("amend");
    assert_eq!(amended.fields.impact, 4);
    let stale = store.amend_issue(reference("PANEL-2"), Some(1), change, ctx()).await;
    assert!(matches!(stale, Err(StoreError::Conflict(_))), "{stale:?}");
    let listed: Vec<_> = store
        .issues(&RecordQuery::default())
        .await
        .expect("list")
        .iter()
        .map(|i| i.reference.number)
        .collect();
    assert_eq!(listed, [3, 2], "issues are listed by impact, then number");
    let closed = store
        .close_issue(reference("PANEL-3"), None, ctx())
        .await
        .expect("close");
    assert_eq!(closed.fields.status, IssueStatus::Closed);
    assert_eq!(store.issues(&RecordQuery::default()).await.expect("open").len(), 1);
    let got = store.issue(&reference("PANEL-2"), None).await.expect("get");
    assert_eq!(got.fields.associated_risk, Some(reference("PANEL-10")));
    let missing = store.issue(&reference("PANEL-9"), None).await;
    assert!(matches!(missing, Err(StoreError::NotFound(_))), "{missing:?}");
    assert_eq!(
        store
            .history(RecordType::Issue, "PANEL-2")
            .await
            .expect("history")
            .len(),
        2
    );
    assert_chain_ok(&store).await;
}

async fn as_at(store: Arc<dyn Store>) {
    store.init(ctx()).await.expect("init");
    let t = |s: &str| {
        chrono::DateTime::parse_from_rfc3339(s)
            .expect("time")
            .with_timezone(&Utc)
    };
    let at = |s: &str| WriteContext {
        at: Some(t(s)),
        ..ctx()
    };
    store
        .create_register(
            code("PANEL"),
            RegisterFields::new("SEC Panel"),
            at("2018-07-02T09:00:00Z"),
        )
        .await
        .expect("register");
    store
        .create_risk(
            code("PANEL"),
            Some(15),
            risk("has not yet completed", 3, 3),
            at("2018-07-05T10:00:00Z"),
        )
        .await
        .expect("risk 15");
    let change = RiskChange {
        statement: Some("may lead to".into()),
        ..Default::default()
    };
    store
        .amend_risk(reference("PANEL-15"), Some(1), change, at("2018-08-03T09:00:00Z"))
        .await
        .expect("amend");
    store
        .create_risk(
            code("PANEL"),
            Some(18),
            risk("new risk", 3, 3),
            at("2018-08-03T09:00:00Z"),
        )
        .await
        .expect("risk 18");
    let early = WriteContext {
        at: Some(t("2018-08-01T00:00:00Z")),
        ..ctx()
    };
    let backwards = store
        .amend_risk(
            reference("PANEL-15"),
            None,
            RiskChange {
                rag: Some(Rag::Red),
                ..Default::default()
            },
            early,
        )
        .await;
    assert!(matches!(backwards, Err(StoreError::Invalid(_))), "{backwards:?}");

    let july = Some(t("2018-07-31T23:59:59.999999Z"));
    let old = store.risk(&reference("PANEL-15"), july).await.expect("as at July");
    assert_eq!(old.fields.statement, "has not yet completed");
    assert_eq!(old.revision.version, 1);
    let now = store.risk(&reference("PANEL-15"), None).await.expect("now");
    assert_eq!(now.fields.statement, "may lead to");
    let july_list = store
        .risks(&RecordQuery {
            register: Some(code("PANEL")),
            as_at: july,
            include_closed: false,
        })
        .await
        .expect("list as at July");
    assert_eq!(july_list.len(), 1, "Risk 18 did not exist in July");
    let missing = store.risk(&reference("PANEL-18"), july).await;
    assert!(matches!(missing, Err(StoreError::NotFound(_))), "{missing:?}");
    let before = store.register(&code("PANEL"), Some(t("2018-06-30T00:00:00Z"))).await;
    assert!(matches!(before, Err(StoreError::NotFound(_))), "{before:?}");
    assert_eq!(
        store
            .registers(Some(t("2018-07-03T00:00:00Z")))
            .await
            .expect("registers")
            .len(),
        1
    );
    // Closing is visible as at after the closure, not before.
    store
        .close_risk(reference("PANEL-18"), None, ctx())
        .await
        .expect("close");
    let live_now = store
        .risks(&RecordQuery {
            register: Some(code("PANEL")),
            ..Default::default()
        })
        .await;
    assert_eq!(live_now.expect("now").len(), 1);
    let august = Some(t("2018-08-31T23:59:59Z"));
    let aug_list = store
        .risks(&RecordQuery {
            register: Some(code("PANEL")),
            as_at: august,
            include_closed: false,
        })
        .await;
    assert_eq!(aug_list.expect("august").len(), 2);
    let issues = store
        .issues(&RecordQuery {
            register: None,
            as_at: july,
            include_closed: true,
        })
        .await;
    assert!(issues.expect("issues as at").is_empty());
    assert_chain_ok(&store).await;
}

async fn batches_are_atomic(store: Arc<dyn Store>) {
    with_panel(&store).await;
    let events = store.event_count().await.expect("count");
    let writes = vec![
        Write {
            change: Change::CreateRisk {
                register: code("PANEL"),
                number: None,
                fields: risk("ok", 2, 2),
            },
            ctx: ctx(),
        },
        Write {
            change: Change::CreateRisk {
                register: code("PANEL"),
                number: None,
                fields: risk("bad", 9, 2),
            },
            ctx: ctx(),
        },
    ];
    let result = store.write(writes).await;
    assert!(matches!(result, Err(StoreError::Invalid(_))), "{result:?}");
    assert_eq!(store.event_count().await.expect("count"), events);
    assert!(store.risks(&RecordQuery::default()).await.expect("list").is_empty());
    let writes = (1..=3)
        .map(|n| Write {
            change: Change::CreateRisk {
                register: code("PANEL"),
                number: None,
                fields: risk(&format!("r{n}"), 2, 2),
            },
            ctx: ctx(),
        })
        .collect();
    assert_eq!(store.write(writes).await.expect("batch").len(), 3);
    assert_eq!(store.risks(&RecordQuery::default()).await.expect("list").len(), 3);
    assert_chain_ok(&store).await;
}

async fn demo_import(store: Arc<dyn Store>) {
    store.init(ctx()).await.expect("init");
    let doc = Document::parse(DEMO).expect("demo parses");
    let summary = store.import(&doc, &ctx()).await.expect("import");
    assert_eq!((summary.registers, summary.risks, summary.issues), (3, 18, 2));
    let panel = RecordQuery {
        register: Some(code("PANEL")),
        ..Default::default()
    };
    let order: Vec<_> = store
        .risks(&panel)
        .await
        .expect("list")
        .iter()
        .map(|r| r.reference.number)
        .collect();
    assert_eq!(order, [1, 3, 4, 5, 13, 15, 18, 6, 14, 7, 8, 9, 10, 16, 17, 11, 12]);
    let r15 = store.history(RecordType::Risk, "PANEL-15").await.expect("history");
    assert_eq!(r15.len(), 1, "the amendment is pending at the August meeting");
    let august = riskreg_domain::review::MeetingRef::parse("PANEL/2018-08-10").expect("ref");
    assert_eq!(store.proposals(&august).await.expect("proposals").len(), 3);
    assert_eq!(r15[0].at.to_rfc3339(), "2018-07-05T10:00:00+00:00");
    assert_eq!(r15[0].actor, "SECAS");
    let again = store.import(&doc, &ctx()).await;
    assert!(
        matches!(again, Err(StoreError::Invalid(_))),
        "importing twice must fail: {again:?}"
    );
    assert_chain_ok(&store).await;
}

async fn export_import_round_trip(first: Arc<dyn Store>, second: Arc<dyn Store>) {
    first.init(ctx()).await.expect("init");
    first
        .import(&Document::parse(DEMO).expect("demo"), &ctx())
        .await
        .expect("import");
    first
        .amend_risk(
            reference("PANEL-3"),
            None,
            RiskChange {
                rag: Some(Rag::Amber),
                ..Default::default()
            },
            ctx(),
        )
        .await
        .expect("amend");
    first
        .create_risk(code("SSC"), None, risk("A sub-committee's own", 2, 4), ctx())
        .await
        .expect("a risk of another register");
    let exported = first.export().await.expect("export");
    let panel = &exported.registers[0];
    let panel3 = panel.risks.iter().find(|r| r.number == 3).expect("PANEL-3 exported");
    assert_eq!(panel3.versions.len(), 2, "every version is exported");
    assert_eq!(panel3.versions[0].fields.rag, Rag::Green);
    assert_eq!(panel3.current().fields.rag, Rag::Amber);
    assert_eq!(
        panel3.current().recorded.as_ref().map(|r| r.actor.as_str()),
        Some("tester")
    );
    assert_eq!(exported.registers[1].risks.len(), 1, "SSC's risk is exported with SSC");
    assert!(panel.recorded.is_some(), "when the register was created is exported");
    let mut only_panel = exported.clone();
    only_panel.registers.retain(|r| r.code.as_str() == "PANEL");
    only_panel.meetings.retain(|m| m.meeting.body.as_str() == "PANEL");
    assert_eq!(
        first.export_of(Some(&code("PANEL"))).await.expect("export PANEL"),
        only_panel,
        "one register's export is the whole export's part for it"
    );
    second.import(&exported, &ctx()).await.expect("import the export");
    let again = second.export().await.expect("export again");
    assert_eq!(exported.to_json(), again.to_json(), "a round trip loses nothing");
    let q = RecordQuery {
        include_closed: true,
        ..Default::default()
    };
    assert_eq!(first.risks(&q).await.expect("a"), second.risks(&q).await.expect("b"));
    assert_eq!(first.issues(&q).await.expect("a"), second.issues(&q).await.expect("b"));
    assert_chain_ok(&second).await;
}

/// The demo with some history of its own, as a source for copies.
pub async fn load_demo_with_history(store: &Arc<dyn Store>) {
    store.init(ctx()).await.expect("init");
    store
        .import(&Document::parse(DEMO).expect("demo"), &ctx())
        .await
        .expect("import");
    store
        .amend_risk(
            reference("PANEL-3"),
            None,
            RiskChange {
                rag: Some(Rag::Amber),
                ..Default::default()
            },
            ctx(),
        )
        .await
        .expect("amend");
    store
        .close_risk(reference("PANEL-18"), None, ctx())
        .await
        .expect("close");
}

/// Copies `from` into the empty `to` (which may be another backend) and checks that the
/// copy is verbatim: the same events, the same current rows at the same versions, the same
/// answers to every read, and a chain that verifies to the same head.
pub async fn assert_faithful_copy(from: &Arc<dyn Store>, to: &Arc<dyn Store>) {
    let summary = copy(from.as_ref(), to.as_ref()).await.expect("copy");
    let count = from.event_count().await.expect("count");
    assert_eq!(summary.events, count);
    assert_eq!(to.event_count().await.expect("count"), count);
    let limit = u32::try_from(count + 1).expect("a test-sized history");
    let (a, b) = (
        from.events(0, limit).await.expect("events"),
        to.events(0, limit).await.expect("events"),
    );
    assert_eq!(a, b, "events are copied verbatim");
    // Byte for byte too: the JSON in `before` and `after` keeps its keys in their order.
    let text = |events: &Vec<crate::event::Event>| serde_json::to_string(events).expect("serialise");
    assert_eq!(text(&a), text(&b));
    let sorted = |mut records: Vec<(RecordType, String, u32, serde_json::Value)>| {
        records.sort_by(|a, b| (a.0.as_str(), &a.1).cmp(&(b.0.as_str(), &b.1)));
        records
    };
    assert_eq!(
        sorted(from.current_records().await.expect("records")),
        sorted(to.current_records().await.expect("records"))
    );
    assert_eq!(
        from.settings().await.expect("settings"),
        to.settings().await.expect("settings")
    );
    assert_eq!(
        from.registers(None).await.expect("a"),
        to.registers(None).await.expect("b")
    );
    let july = chrono::DateTime::parse_from_rfc3339("2018-07-31T23:59:59.999999Z")
        .expect("time")
        .with_timezone(&Utc);
    for as_at in [None, Some(july)] {
        for include_closed in [false, true] {
            let q = RecordQuery {
                register: None,
                as_at,
                include_closed,
            };
            assert_eq!(from.risks(&q).await.expect("a"), to.risks(&q).await.expect("b"));
            assert_eq!(from.issues(&q).await.expect("a"), to.issues(&q).await.expect("b"));
        }
        assert_eq!(
            from.registers(as_at).await.expect("a"),
            to.registers(as_at).await.expect("b")
        );
    }
    for r in from
        .risks(&RecordQuery {
            include_closed: true,
            ..Default::default()
        })
        .await
        .expect("risks")
    {
        let key = r.reference.to_string();
        assert_eq!(
            from.history(RecordType::Risk, &key).await.expect("a"),
            to.history(RecordType::Risk, &key).await.expect("b")
        );
    }
    assert_eq!(
        from.export().await.expect("export").to_json(),
        to.export().await.expect("export").to_json()
    );
    let a = verify_chain(from.as_ref()).await.expect("verify");
    let b = verify_chain(to.as_ref()).await.expect("verify");
    assert!(b.ok(), "the copy verifies: {:?}", b.problem);
    assert_eq!((a.head, a.events, a.records), (b.head.clone(), b.events, b.records));
    assert_eq!(summary.head, b.head);
}

async fn copy_all(first: Arc<dyn Store>, second: Arc<dyn Store>) {
    load_demo_with_history(&first).await;
    assert_faithful_copy(&first, &second).await;

    let again = copy(first.as_ref(), second.as_ref()).await;
    assert!(
        matches!(again, Err(StoreError::Conflict(_))),
        "a non-empty target is refused: {again:?}"
    );
    assert_eq!(
        second.event_count().await.expect("count"),
        first.event_count().await.expect("count")
    );

    // The copy is a working database: its chain carries on from the copied head.
    second
        .amend_risk(
            reference("PANEL-15"),
            Some(1),
            RiskChange {
                owner: Some(Some("SECAS".into())),
                ..Default::default()
            },
            ctx(),
        )
        .await
        .expect("amend the copy");
    assert_chain_ok(&second).await;
}

async fn concurrent_amendments(store: Arc<dyn Store>) {
    with_panel(&store).await;
    store
        .create_risk(code("PANEL"), None, risk("Contended", 3, 3), ctx())
        .await
        .expect("create");
    let tasks: Vec<_> = (0..8u8)
        .map(|i| {
            let store = store.clone();
            tokio::spawn(async move {
                let change = RiskChange {
                    owner: Some(Some(format!("writer {i}"))),
                    ..Default::default()
                };
                store.amend_risk(reference("PANEL-1"), Some(1), change, ctx()).await
            })
        })
        .collect();
    let mut ok = 0;
    let mut conflicts = 0;
    for t in tasks {
        match t.await.expect("task") {
            Ok(_) => ok += 1,
            Err(StoreError::Conflict(_)) => conflicts += 1,
            Err(e) => panic!("unexpected error: {e}"),
        }
    }
    assert_eq!((ok, conflicts), (1, 7));
    assert_eq!(
        store
            .risk(&reference("PANEL-1"), None)
            .await
            .expect("get")
            .revision
            .version,
        2
    );
    assert_chain_ok(&store).await;
}

/// Many callers writing at once, some of them failing: however the store groups their
/// writes into transactions, each caller's batch is all or nothing and a failing caller
/// takes no one else's writes with it.
async fn concurrent_batches(store: Arc<dyn Store>) {
    with_panel(&store).await;
    let events = store.event_count().await.expect("count");
    let tasks: Vec<_> = (0..40u32)
        .map(|i| {
            let store = store.clone();
            tokio::spawn(async move {
                // Every fourth caller's second risk is out of range; every fifth caller's
                // first risk claims number 1000, which only one of them can have.
                let first = if i % 5 == 4 { 1000 } else { 2 * i + 1 };
                let second = if i % 4 == 3 {
                    risk("bad", 9, 2)
                } else {
                    risk(&format!("second {i}"), 2, 2)
                };
                let create = |number, fields| Write {
                    change: Change::CreateRisk {
                        register: code("PANEL"),
                        number: Some(number),
                        fields,
                    },
                    ctx: ctx(),
                };
                let writes = vec![
                    create(first, risk(&format!("first {i}"), 3, 3)),
                    create(2 * i + 2, second),
                ];
                (i, store.write(writes).await)
            })
        })
        .collect();
    let (mut ok, mut invalid, mut conflicts) = (Vec::new(), 0, 0);
    for t in tasks {
        match t.await.expect("task") {
            (i, Ok(applied)) => {
                assert_eq!(applied.len(), 2, "caller {i}");
                ok.push(i);
            }
            (i, Err(StoreError::Invalid(_))) => {
                assert_eq!(i % 4, 3, "caller {i} wrote nothing invalid");
                invalid += 1;
            }
            (i, Err(StoreError::Conflict(_))) => {
                assert_eq!(i % 5, 4, "caller {i} claimed no contested number");
                conflicts += 1;
            }
            (i, Err(e)) => panic!("caller {i}: unexpected error: {e}"),
        }
    }
    // 10 callers wrote an invalid risk; of the 6 valid callers claiming number 1000, 1 won.
    // (The 2 callers doing both fail either way, depending on who took 1000 first.)
    assert_eq!(ok.len(), 25);
    assert_eq!(invalid + conflicts, 15);
    assert!((8..=10).contains(&invalid), "{invalid} invalid");
    let risks = store.risks(&RecordQuery::default()).await.expect("list");
    assert_eq!(
        risks.len(),
        50,
        "two risks for each caller that succeeded, none for the others"
    );
    for i in &ok {
        for statement in [format!("first {i}"), format!("second {i}")] {
            assert!(risks.iter().any(|r| r.fields.statement == statement), "{statement}");
        }
    }
    assert_eq!(store.event_count().await.expect("count"), events + 50);
    assert_chain_ok(&store).await;
}

async fn settings(store: Arc<dyn Store>) {
    store.init(ctx()).await.expect("init");
    let mut s = Settings::default();
    s.bands[0].name = "Low risk".into();
    store
        .write_one(Change::Settings(s.clone()), ctx())
        .await
        .expect("relabel a band");
    assert_eq!(store.settings().await.expect("settings"), s);
    let mut bad = s.clone();
    bad.bands.pop();
    let r = store.write_one(Change::Settings(bad), ctx()).await;
    assert!(matches!(r, Err(StoreError::Invalid(_))), "{r:?}");
    store
        .create_register(code("PANEL"), RegisterFields::new("P"), ctx())
        .await
        .expect("register");
    store
        .create_risk(code("PANEL"), None, risk("r", 5, 5), ctx())
        .await
        .expect("risk");
    let mut smaller = s.clone();
    smaller.impact_scale.truncate(4);
    smaller
        .classification
        .categories
        .iter_mut()
        .for_each(|c| c.cells.truncate(4));
    smaller.bands = vec![riskreg_domain::Band {
        name: "All".into(),
        min: 1,
        max: 20,
        colour: "#000000".into(),
    }];
    let r = store.write_one(Change::Settings(smaller), ctx()).await;
    assert!(
        matches!(r, Err(StoreError::Invalid(_))),
        "rescaling under scored risks must fail: {r:?}"
    );
    assert_eq!(
        store
            .history(RecordType::Settings, "settings")
            .await
            .expect("history")
            .len(),
        2
    );
    assert_chain_ok(&store).await;
}

async fn review_cycle(store: Arc<dyn Store>) {
    use riskreg_domain::review::{Decision, MeetingFields, MeetingRef, ProposalChange, ProposalStatus};

    use crate::engine::ProposalDraft;

    with_panel(&store).await;
    let mut ssc = RegisterFields::new("Security Sub-Committee");
    ssc.parent = Some(code("PANEL"));
    store.create_register(code("SSC"), ssc, ctx()).await.expect("SSC");
    store
        .create_register(code("OTHER"), RegisterFields::new("Unrelated"), ctx())
        .await
        .expect("OTHER");
    store
        .create_risk(code("PANEL"), Some(1), risk("Release may slip", 3, 4), ctx())
        .await
        .expect("1");
    store
        .create_risk(
            code("PANEL"),
            Some(15),
            risk("the DCC has not yet completed a design", 3, 3),
            ctx(),
        )
        .await
        .expect("15");
    store
        .create_risk(
            code("SSC"),
            Some(1),
            risk("Security controls may be insufficient", 4, 3),
            ctx(),
        )
        .await
        .expect("SSC-1");
    store
        .create_issue(
            code("PANEL"),
            Some(2),
            IssueFields::new("DCC System is circumvented", 3, Rag::Red),
            ctx(),
        )
        .await
        .expect("issue");

    let august = MeetingRef::parse("PANEL/2018-08-09").expect("ref");
    let fields = MeetingFields {
        title: Some("SEC Panel".into()),
        ..Default::default()
    };
    store
        .add_meeting(august.clone(), fields.clone(), ctx())
        .await
        .expect("meeting");
    let again = store.add_meeting(august.clone(), fields.clone(), ctx()).await;
    assert!(matches!(again, Err(StoreError::Conflict(_))), "{again:?}");
    let unknown = store
        .add_meeting(
            MeetingRef::parse("NOPE/2018-08-09").expect("ref"),
            fields.clone(),
            ctx(),
        )
        .await;
    assert!(matches!(unknown, Err(StoreError::NotFound(_))), "{unknown:?}");

    let amend = RiskChange {
        statement: Some("the DCC design is insufficiently detailed, which may lead to".into()),
        ..Default::default()
    };
    let p1 = store
        .propose(
            august.clone(),
            ProposalDraft::Amend {
                risk: reference("PANEL-15"),
                expected_version: None,
                change: amend,
            },
            "Reads as an issue".into(),
            None,
            ctx(),
        )
        .await
        .expect("propose amend");
    assert_eq!(p1.id, 1);
    assert_eq!(p1.fields.status, ProposalStatus::Pending);
    let r15 = store.risk(&reference("PANEL-15"), None).await.expect("15");
    assert_eq!(
        (r15.revision.version, r15.fields.statement.as_str()),
        (1, "the DCC has not yet completed a design"),
        "a draft changes nothing"
    );

    let p2 = store
        .propose(
            august.clone(),
            ProposalDraft::NewRisk {
                register: code("PANEL"),
                fields: risk("Customers may resist", 3, 3),
            },
            "Transferred by the SSC".into(),
            None,
            ctx(),
        )
        .await
        .expect("propose new risk");
    let ProposalChange::NewRisk { risk: new_ref } = &p2.fields.change else {
        panic!("new risk")
    };
    assert_eq!(new_ref, &reference("PANEL-16"));
    assert_eq!(
        store.risk(new_ref, None).await.expect("new").fields.status,
        RiskStatus::Proposed
    );

    let p3 = store
        .propose(
            august.clone(),
            ProposalDraft::IssueUpdate {
                issue: reference("PANEL-2"),
                change: None,
            },
            "Needs assessing".into(),
            Some("CONSIDER the approach".into()),
            ctx(),
        )
        .await
        .expect("propose consider");
    let p4 = store
        .propose(
            august.clone(),
            ProposalDraft::Escalate {
                risk: reference("SSC-1"),
                to: code("PANEL"),
            },
            "Beyond the SSC".into(),
            None,
            ctx(),
        )
        .await
        .expect("propose escalate");
    let p5 = store
        .propose(
            august.clone(),
            ProposalDraft::Close {
                risk: reference("PANEL-1"),
            },
            "Delivered".into(),
            None,
            ctx(),
        )
        .await
        .expect("propose close");

    let events = store.event_count().await.expect("count");
    let bad = store
        .propose(
            august.clone(),
            ProposalDraft::Close {
                risk: reference("PANEL-1"),
            },
            "  ".into(),
            None,
            ctx(),
        )
        .await;
    assert!(matches!(bad, Err(StoreError::Invalid(_))), "{bad:?}");
    let bad = store
        .propose(
            august.clone(),
            ProposalDraft::Escalate {
                risk: reference("SSC-1"),
                to: code("OTHER"),
            },
            "x".into(),
            None,
            ctx(),
        )
        .await;
    assert!(matches!(bad, Err(StoreError::Invalid(_))), "{bad:?}");
    let bad = store
        .propose(
            august.clone(),
            ProposalDraft::NewRisk {
                register: code("PANEL"),
                fields: risk("x", 9, 9),
            },
            "x".into(),
            None,
            ctx(),
        )
        .await;
    assert!(matches!(bad, Err(StoreError::Invalid(_))), "{bad:?}");
    assert_eq!(
        store.event_count().await.expect("count"),
        events,
        "refused proposals leave no trace"
    );

    // Risk 1 changes after its closure was drafted: agreeing would apply a stale proposal.
    store
        .amend_risk(
            reference("PANEL-1"),
            None,
            RiskChange {
                rag: Some(Rag::Red),
                ..Default::default()
            },
            ctx(),
        )
        .await
        .expect("amend 1");
    let stale = store.decide(p5.id, Decision::Agreed, None, None, ctx()).await;
    assert!(
        matches!(stale, Err(StoreError::Conflict(ref m)) if m.contains("stale")),
        "{stale:?}"
    );
    assert_eq!(
        store.proposal(p5.id).await.expect("p5").fields.status,
        ProposalStatus::Pending
    );

    let decided = store
        .decide(p1.id, Decision::Agreed, Some("Minute 3.1".into()), None, ctx())
        .await
        .expect("agree 1");
    assert_eq!(decided.fields.status, ProposalStatus::Agreed);
    assert_eq!(decided.fields.minute.as_deref(), Some("Minute 3.1"));
    let r15 = store.risk(&reference("PANEL-15"), None).await.expect("15");
    assert_eq!(
        (r15.revision.version, r15.fields.statement.contains("may lead to")),
        (2, true)
    );
    let twice = store.decide(p1.id, Decision::Agreed, None, None, ctx()).await;
    assert!(matches!(twice, Err(StoreError::Invalid(_))), "{twice:?}");

    store
        .decide(p2.id, Decision::Rejected, None, None, ctx())
        .await
        .expect("reject");
    assert_eq!(
        store.risk(new_ref, None).await.expect("new").fields.status,
        RiskStatus::Closed
    );
    store
        .decide(p3.id, Decision::Agreed, None, None, ctx())
        .await
        .expect("consider");
    assert_eq!(
        store
            .issue(&reference("PANEL-2"), None)
            .await
            .expect("issue")
            .revision
            .version,
        1
    );
    store
        .decide(p4.id, Decision::Agreed, None, None, ctx())
        .await
        .expect("escalate");
    assert_eq!(
        store.risk(&reference("SSC-1"), None).await.expect("ssc").fields.status,
        RiskStatus::Escalated
    );
    let escalated = store.risk(&reference("PANEL-17"), None).await.expect("escalated");
    assert!(
        escalated.fields.provenance.as_deref().unwrap_or("").contains("SSC-1"),
        "{:?}",
        escalated.fields.provenance
    );

    let none_later = store.decide(p5.id, Decision::Deferred, None, None, ctx()).await;
    assert!(matches!(none_later, Err(StoreError::Invalid(_))), "{none_later:?}");
    assert!(
        store.snapshot(&august).await.expect("snapshot").is_none(),
        "not while a proposal is pending"
    );
    let september = MeetingRef::parse("PANEL/2018-09-13").expect("ref");
    store
        .add_meeting(september.clone(), MeetingFields::default(), ctx())
        .await
        .expect("september");
    let deferred = store
        .decide(p5.id, Decision::Deferred, None, None, ctx())
        .await
        .expect("defer");
    assert_eq!(deferred.fields.deferred_to, Some(september.clone()));
    let carried = store.proposals(&september).await.expect("september proposals");
    assert_eq!(carried.len(), 1);
    assert_eq!(carried[0].fields.status, ProposalStatus::Pending);

    let closed = store.meeting(&august).await.expect("august");
    assert!(closed.fields.closed, "the last decision closes the meeting");
    let snapshot = store.snapshot(&august).await.expect("snapshot").expect("kept");
    let numbers: Vec<u32> = snapshot.risks.iter().map(|r| r.reference.number).collect();
    assert_eq!(numbers, [1, 15, 17]);
    let late = store
        .propose(
            august.clone(),
            ProposalDraft::Close {
                risk: reference("PANEL-15"),
            },
            "late".into(),
            None,
            ctx(),
        )
        .await;
    assert!(matches!(late, Err(StoreError::Invalid(_))), "{late:?}");
    assert_eq!(store.proposals(&august).await.expect("list").len(), 5);
    assert_eq!(store.meetings(Some(&code("PANEL"))).await.expect("meetings").len(), 2);

    let (previous, snapshot) = store
        .previous_snapshot(&september)
        .await
        .expect("previous")
        .expect("august kept");
    assert_eq!(previous.reference, august);
    assert_eq!(snapshot.severity(&reference("PANEL-15")), Some(9));
    assert_eq!(
        snapshot.severity(&reference("PANEL-16")),
        None,
        "rejected, so not on the register as agreed"
    );
    assert!(store.previous_snapshot(&august).await.expect("none before").is_none());
    assert_chain_ok(&store).await;
}
