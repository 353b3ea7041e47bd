//! The SQLite store's two read paths and its stored text: a database in memory (read
//! through sqlx alone) must behave as a file (whose large reads step rows on a connection
//! of their own), and `audit verify` must accept record text written in another JSON form
//! — by an older riskreg — as long as it says the same, and find it when it does not.

use riskreg_store::{RecordQuery, RecordType, Store, WriteContext, verify_chain};
use riskreg_store_sqlite::SqliteStore;

const DEMO: &str = include_str!("../../riskreg/data/sec-panel-2018-08.json");

async fn with_demo(url: &str) -> SqliteStore {
    let sqlite = SqliteStore::open(url).await.expect("open");
    let store: &dyn Store = &sqlite;
    let ctx = WriteContext::new("secretariat", Some("stored text test".into()));
    store.init(ctx.clone()).await.expect("init");
    store.import_text(DEMO, &ctx).await.expect("demo");
    sqlite
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn in_memory_store_reads_what_a_file_store_reads() {
    let dir = tempfile::tempdir().expect("temp dir");
    let file = with_demo(&format!("sqlite:{}", dir.path().join("file.db").display())).await;
    let memory = with_demo("sqlite::memory:").await;
    let everything = RecordQuery {
        include_closed: true,
        ..RecordQuery::default()
    };
    let numbers = |risks: Vec<riskreg_domain::Risk>| -> Vec<(String, String)> {
        risks
            .into_iter()
            .map(|r| (r.reference.to_string(), r.fields.statement))
            .collect()
    };
    let (a, b) = (
        file.risks(&everything).await.expect("file risks"),
        memory.risks(&everything).await.expect("memory risks"),
    );
    assert!(a.len() > 5, "the demo holds risks");
    assert_eq!(numbers(a), numbers(b));
    let as_at = RecordQuery {
        as_at: Some(chrono::Utc::now()),
        ..everything.clone()
    };
    assert_eq!(
        numbers(file.risks(&as_at).await.expect("file as at")),
        numbers(memory.risks(&as_at).await.expect("memory as at"))
    );
    assert_eq!(
        file.issues(&everything).await.expect("file issues").len(),
        memory.issues(&everything).await.expect("memory issues").len()
    );
    let (fe, me) = (
        file.stored_events(0, 10_000).await.expect("file events"),
        memory.stored_events(0, 10_000).await.expect("memory events"),
    );
    assert_eq!(fe.len(), me.len());
    // The same writes give the same stored text, whichever path reads it.
    assert_eq!(
        fe.iter().map(|e| (&e.record_key, &e.after)).collect::<Vec<_>>(),
        me.iter().map(|e| (&e.record_key, &e.after)).collect::<Vec<_>>()
    );
    for store in [&file as &dyn Store, &memory as &dyn Store] {
        let report = verify_chain(store).await.expect("verify");
        assert!(report.ok(), "{report:?}");
        assert_eq!(report.events, fe.len() as u64);
    }
}

#[tokio::test]
async fn verify_accepts_the_same_record_written_differently_and_finds_an_edit() {
    let dir = tempfile::tempdir().expect("temp dir");
    let sqlite = with_demo(&format!("sqlite:{}", dir.path().join("db.sqlite").display())).await;
    let pool = sqlite.pool().clone();
    // What riskreg stores now is the canonical text its events hold.
    let (key, body): (String, String) =
        sqlx::query_as("SELECT register || '-' || number, body FROM risks ORDER BY number LIMIT 1")
            .fetch_one(&pool)
            .await
            .expect("a risk");
    let texts = sqlite.current_record_texts().await.expect("texts");
    let (_, _, _, stored) = texts
        .iter()
        .find(|(t, k, _, _)| *t == RecordType::Risk && *k == key)
        .expect("the risk is a current record");
    assert_eq!(stored, &body);
    assert!(!body.contains('\n'));

    // The same JSON, laid out as another tool or an older riskreg might have written it.
    let value: serde_json::Value = serde_json::from_str(&body).expect("json");
    let pretty = serde_json::to_string_pretty(&value).expect("pretty");
    assert_ne!(pretty, body);
    sqlx::query("UPDATE risks SET body = ?1 WHERE register || '-' || number = ?2")
        .bind(&pretty)
        .bind(&key)
        .execute(&pool)
        .await
        .expect("rewrite");
    let report = verify_chain(&sqlite).await.expect("verify");
    assert!(
        report.ok(),
        "the same record written differently must verify: {report:?}"
    );

    // A real change to it is found, named by the record.
    sqlx::query("UPDATE risks SET body = json_set(body, '$.statement', 'There is a risk that nobody looks') WHERE register || '-' || number = ?1")
        .bind(&key)
        .execute(&pool)
        .await
        .expect("edit");
    let report = verify_chain(&sqlite).await.expect("verify");
    let problem = report.problem.expect("the edit is found");
    assert_eq!(problem.record.as_deref(), Some(key.as_str()));
    assert!(
        problem.message.contains("was edited outside riskreg"),
        "{}",
        problem.message
    );
}
