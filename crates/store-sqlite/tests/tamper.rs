//! Tamper evidence, measured: thousands of random single changes to the events table of a
//! real SQLite database (a field edited, an event deleted, inserted or moved, the history
//! cut short, or rewritten with every later hash recomputed), each checked against a head
//! taken beforehand. Every one must be found, at the position the change implies.
//!
//! `RISKREG_TAMPER_MUTATIONS` sets how many (default 10,000, in two shards run side by
//! side) and `RISKREG_TAMPER_SEED` replays a run; each shard prints its seed.

use std::collections::BTreeMap;

use chrono::Duration;
use riskreg_domain::{RegisterCode, RiskChange};
use riskreg_store::chain::{ChainHead, event_hash};
use riskreg_store::event::timestamp_text;
use riskreg_store::verify::verify_chain_against;
use riskreg_store::{Event, RecordQuery, RecordType, Store, WriteContext, verify_chain};
use riskreg_store_sqlite::SqliteStore;
use sqlx::{AssertSqlSafe, Connection, SqliteConnection};

const DEMO: &str = include_str!("../../riskreg/data/sec-panel-2018-08.json");

const REWRITE: &str = "history rewritten, hashes recomputed";

const COLUMNS: [&str; 13] = [
    "at",
    "recorded_at",
    "actor",
    "reason",
    "kind",
    "record_type",
    "record_key",
    "register",
    "version",
    "before",
    "after",
    "prev_hash",
    "hash",
];

/// The demo, then enough writes that mutations land in every kind of event.
async fn populated(url: &str) -> SqliteStore {
    let sqlite = SqliteStore::open(url).await.expect("open");
    let store: &dyn Store = &sqlite;
    let ctx = WriteContext::new("secretariat", Some("tamper test".into()));
    store.init(ctx.clone()).await.expect("init");
    store.import_text(DEMO, &ctx).await.expect("demo");
    let panel = RegisterCode::parse("PANEL").expect("code");
    let risks = store
        .risks(&RecordQuery {
            register: Some(panel.clone()),
            ..RecordQuery::default()
        })
        .await
        .expect("risks");
    for (i, risk) in risks.iter().cycle().take(30).enumerate() {
        let mut fields = risk.fields.clone();
        fields.statement = format!("There is a risk that test case {i} happens");
        store
            .create_risk(panel.clone(), None, fields, ctx.clone())
            .await
            .expect("create");
        let change = RiskChange {
            notes: Some(Some(format!("reviewed, round {i}"))),
            ..RiskChange::default()
        };
        store
            .amend_risk(risk.reference.clone(), None, change, ctx.clone())
            .await
            .expect("amend");
    }
    sqlite
}

fn hex64(rng: &mut fastrand::Rng) -> String {
    (0..64)
        .map(|_| char::from(b"0123456789abcdef"[rng.usize(..16)]))
        .collect()
}

async fn exec(conn: &mut SqliteConnection, sql: &str) {
    // The statements are the test's own, built from numbers it chose.
    sqlx::query(AssertSqlSafe(sql)).execute(&mut *conn).await.expect(sql);
}

/// An event that links and hashes correctly at `seq`: what a careful forger would insert.
fn forged(seq: i64, prev_hash: &str, n: usize, template: &Event) -> Event {
    let mut e = template.clone();
    e.seq = seq;
    e.record_type = RecordType::Risk;
    e.record_key = format!("PANEL-{}", 9000 + n);
    e.version = 1;
    e.kind = "created".into();
    e.before = None;
    e.after = Some(serde_json::json!({"statement": "There is a risk that nobody notices"}));
    e.prev_hash = prev_hash.to_owned();
    e.hash = event_hash(&e);
    e
}

async fn insert_event(conn: &mut SqliteConnection, e: &Event) {
    sqlx::query(
        "INSERT INTO events (seq, at, recorded_at, actor, reason, kind, record_type, record_key, register,
                             version, before, after, prev_hash, hash)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)",
    )
    .bind(e.seq)
    .bind(timestamp_text(e.at))
    .bind(timestamp_text(e.recorded_at))
    .bind(&e.actor)
    .bind(&e.reason)
    .bind(&e.kind)
    .bind(e.record_type.as_str())
    .bind(&e.record_key)
    .bind(&e.register)
    .bind(i64::from(e.version))
    .bind(e.before.as_ref().map(|v| v.to_string()))
    .bind(e.after.as_ref().map(|v| v.to_string()))
    .bind(&e.prev_hash)
    .bind(&e.hash)
    .execute(&mut *conn)
    .await
    .expect("insert event");
}

/// Opens a gap at `seq` by moving every later event up one (through negatives, so the
/// primary key is never duplicated mid-statement).
async fn shift_up_from(conn: &mut SqliteConnection, seq: i64) {
    exec(conn, &format!("UPDATE events SET seq = -(seq + 1) WHERE seq >= {seq}")).await;
    exec(conn, "UPDATE events SET seq = -seq WHERE seq < 0").await;
}

/// One change made to the history: its kind, what exactly, and the position the verifier
/// must report.
struct Mutation {
    kind: &'static str,
    what: String,
    expected: i64,
}

fn m(kind: &'static str, what: String, expected: i64) -> Mutation {
    Mutation { kind, what, expected }
}

/// Applies one random mutation.
async fn mutate(conn: &mut SqliteConnection, rng: &mut fastrand::Rng, pristine: &[Event], n: usize) -> Mutation {
    let len = pristine.len() as i64;
    match rng.u8(..6) {
        0 => {
            let k = rng.i64(1..=len);
            let column = COLUMNS[rng.usize(..COLUMNS.len())];
            let set = match column {
                "at" | "recorded_at" => format!(
                    "{column} = strftime('%Y-%m-%dT%H:%M:%S', {column}, '+{} seconds') || substr({column}, 20)",
                    rng.u32(1..1_000_000)
                ),
                "actor" | "kind" | "record_key" => format!("{column} = {column} || 'x'"),
                "reason" | "register" => {
                    format!("{column} = CASE WHEN {column} IS NULL THEN 'forged' ELSE NULL END")
                }
                "version" => format!("version = version + {}", rng.u32(1000..2000)),
                "before" | "after" => format!(
                    "{column} = CASE WHEN {column} IS NULL THEN '{{\"forged\":true}}' ELSE json_set({column}, '$.forged', {}) END",
                    rng.u32(..1000)
                ),
                "prev_hash" | "hash" => format!("{column} = '{}'", hex64(rng)),
                // A record type changed to another valid one; the first that keeps the
                // (type, key, version) triple unique.
                _ => {
                    for t in ["snapshot", "meeting", "proposal", "issue", "risk", "register"] {
                        if t == pristine[(k - 1) as usize].record_type.as_str() {
                            continue;
                        }
                        let sql = format!("UPDATE events SET record_type = '{t}' WHERE seq = {k}");
                        if sqlx::query(AssertSqlSafe(sql)).execute(&mut *conn).await.is_ok() {
                            return m("field edited", format!("record_type of event {k} set to {t}"), k);
                        }
                    }
                    panic!("no record type could be written to event {k}");
                }
            };
            exec(conn, &format!("UPDATE events SET {set} WHERE seq = {k}")).await;
            m("field edited", format!("{column} of event {k} edited"), k)
        }
        1 => {
            let k = rng.i64(1..=len);
            exec(conn, &format!("DELETE FROM events WHERE seq = {k}")).await;
            // The next event is found out of place; the last one is missed against the head.
            m(
                "event deleted",
                format!("event {k} deleted"),
                if k < len { k + 1 } else { k },
            )
        }
        2 => {
            // Inside the recorded history only: an event correctly linked after the head is
            // what a later, legitimate write looks like, which no head can rule out.
            let k = rng.i64(1..=len);
            shift_up_from(conn, k).await;
            let prev = if k == 1 {
                riskreg_store::chain::GENESIS.to_owned()
            } else {
                pristine[(k - 2) as usize].hash.clone()
            };
            let template = &pristine[rng.usize(..pristine.len())];
            if rng.bool() {
                let mut e = forged(k, &prev, n, template);
                e.hash = hex64(rng);
                insert_event(conn, &e).await;
                m(
                    "event inserted",
                    format!("event inserted at {k} with a made-up hash"),
                    k,
                )
            } else {
                insert_event(conn, &forged(k, &prev, n, template)).await;
                // It links, so the event after it, which no longer does, gives it away; in
                // the last recorded place, the recorded head does first.
                m(
                    "forged event inserted",
                    format!("event forged and inserted at {k}"),
                    if k < len { k + 1 } else { k },
                )
            }
        }
        3 => {
            let i = rng.i64(1..len);
            let j = if rng.bool() { i + 1 } else { rng.i64(i + 1..=len) };
            exec(conn, &format!("UPDATE events SET seq = -1 WHERE seq = {i}")).await;
            exec(conn, &format!("UPDATE events SET seq = {i} WHERE seq = {j}")).await;
            exec(conn, &format!("UPDATE events SET seq = {j} WHERE seq = -1")).await;
            m("events reordered", format!("events {i} and {j} swapped"), i)
        }
        4 => {
            let cut = rng.i64(0..len);
            exec(conn, &format!("DELETE FROM events WHERE seq > {cut}")).await;
            m("history truncated", format!("history cut after event {cut}"), cut + 1)
        }
        _ => {
            // The whole tail rewritten consistently: only the recorded head can tell.
            let k = rng.usize(..pristine.len());
            let mut prev = if k == 0 {
                riskreg_store::chain::GENESIS.to_owned()
            } else {
                pristine[k - 1].hash.clone()
            };
            exec(conn, "BEGIN").await;
            for (i, original) in pristine.iter().enumerate().skip(k) {
                let mut e = original.clone();
                if i == k {
                    e.actor = format!("{} (rewritten)", e.actor);
                    e.at -= Duration::days(1);
                }
                e.prev_hash = prev;
                e.hash = event_hash(&e);
                sqlx::query("UPDATE events SET actor = ?1, at = ?2, prev_hash = ?3, hash = ?4 WHERE seq = ?5")
                    .bind(&e.actor)
                    .bind(timestamp_text(e.at))
                    .bind(&e.prev_hash)
                    .bind(&e.hash)
                    .bind(e.seq)
                    .execute(&mut *conn)
                    .await
                    .expect("rewrite");
                prev = e.hash;
            }
            exec(conn, "COMMIT").await;
            m(
                REWRITE,
                format!("history rewritten from event {} with hashes recomputed", k + 1),
                len,
            )
        }
    }
}

/// How many mutations in all (`RISKREG_TAMPER_MUTATIONS`, default 10,000) and the run's seed
/// (`RISKREG_TAMPER_SEED`, random unless given).
fn mutations_and_seed() -> (usize, u64) {
    let mutations: usize = std::env::var("RISKREG_TAMPER_MUTATIONS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(10_000);
    let seed: u64 = std::env::var("RISKREG_TAMPER_SEED")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or_else(|| fastrand::u64(..));
    (mutations, seed)
}

// The mutations are made in two shards, each on a database of its own, so that the test
// runner runs them side by side: one shard is a loop of short, dependent steps that keeps
// one core busy.
const SHARDS: usize = 2;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_random_single_change_to_the_history_is_found_where_it_was_made_shard_1() {
    tamper_shard(0).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_random_single_change_to_the_history_is_found_where_it_was_made_shard_2() {
    tamper_shard(1).await;
}

/// Shard `shard` of the run: its share of the mutations, from its own seed derived from the
/// run's.
async fn tamper_shard(shard: usize) {
    let (all, run_seed) = mutations_and_seed();
    let mutations = all / SHARDS + usize::from(shard < all % SHARDS);
    let seed = run_seed.wrapping_add(shard as u64);
    println!(
        "tamper: shard {} of {SHARDS}: seed {run_seed} (replay with RISKREG_TAMPER_SEED={run_seed}), {mutations} mutations",
        shard + 1
    );
    let mut rng = fastrand::Rng::with_seed(seed);

    let dir = tempfile::tempdir().expect("temp dir");
    let url = format!("sqlite:{}", dir.path().join("riskreg.db").display());
    let store = populated(&url).await;
    let clean = verify_chain(&store).await.expect("verify");
    assert!(clean.ok(), "{clean:?}");
    let pristine = store.events(0, u32::MAX).await.expect("events");
    let head = ChainHead {
        seq: pristine.len() as i64,
        hash: clean.head.clone().expect("head"),
    };
    assert_eq!(pristine.last().map(|e| &e.hash), Some(&head.hash));
    let clean = verify_chain_against(&store, &head).await.expect("verify");
    assert!(clean.ok(), "the untouched chain holds its own head: {clean:?}");

    // Whoever tampers can write the file, so the append-only triggers go first.
    let mut conn = SqliteConnection::connect(&url).await.expect("connect");
    // Durability is not what is tested here, and ten thousand fsyncs are slow.
    exec(&mut conn, "PRAGMA synchronous = OFF").await;
    exec(&mut conn, "DROP TRIGGER events_are_append_only_update").await;
    exec(&mut conn, "DROP TRIGGER events_are_append_only_delete").await;
    exec(&mut conn, "CREATE TABLE pristine_events AS SELECT * FROM events").await;

    let mut by_kind: BTreeMap<&str, usize> = BTreeMap::new();
    let mut only_by_head = 0;
    for n in 0..mutations {
        let Mutation { kind, what, expected } = mutate(&mut conn, &mut rng, &pristine, n).await;
        let report = verify_chain_against(&store, &head).await.expect("verify");
        let problem = report.problem.unwrap_or_else(|| {
            panic!(
                "mutation {n} not detected: {what} (seed {run_seed}, shard {})",
                shard + 1
            )
        });
        assert_eq!(
            problem.seq,
            Some(expected),
            "mutation {n}: {what}: reported {problem:?} (seed {run_seed}, shard {})",
            shard + 1
        );
        if kind == REWRITE {
            // Why the head is kept outside the database: the chain alone cannot see this.
            let alone = verify_chain(&store).await.expect("verify");
            assert!(alone.ok(), "mutation {n}: {what}: {alone:?}");
            only_by_head += 1;
        }
        *by_kind.entry(kind).or_default() += 1;
        exec(&mut conn, "BEGIN").await;
        exec(&mut conn, "DELETE FROM events").await;
        exec(&mut conn, "INSERT INTO events SELECT * FROM pristine_events").await;
        exec(&mut conn, "COMMIT").await;
    }
    for (kind, found) in &by_kind {
        println!("tamper: {kind}: {found} made, {found} found at their position");
    }
    println!(
        "tamper: {mutations}/{mutations} detected over a {}-event chain, {only_by_head} of them (rewrites) only by the recorded head",
        pristine.len()
    );
    assert!(verify_chain_against(&store, &head).await.expect("verify").ok());
}
