//! Conformance scenarios for users, tokens, sessions and login throttling: the audited
//! user changes are hash-chained and verifiable, memberships and roles round-trip,
//! disabling or a new password ends sessions, throttle counts are atomic, and a copy of a
//! database carries its users with their password and token hashes.

use std::sync::Arc;

use chrono::{Duration, Utc};

use super::{assert_chain_ok, code, ctx, with_panel};
use crate::error::StoreError;
use crate::event::RecordType;
use crate::sessions::SessionRecord;
use crate::store::Store;
use crate::transfer::copy_all;
use crate::users::{Role, TokenFields, UserFields, UserName};

fn name(n: &str) -> UserName {
    UserName::parse(n).expect("valid name")
}

fn token_fields(user: &str, role: Role) -> TokenFields {
    TokenFields {
        user: name(user),
        label: "conformance".into(),
        role,
        created_at: Utc::now(),
        expires_at: None,
        revoked_at: None,
    }
}

fn session(id: &str, user: &str, ttl: Duration) -> SessionRecord {
    let now = Utc::now();
    SessionRecord {
        id_hash: id.into(),
        user: name(user),
        csrf_token: format!("csrf-{id}"),
        created_at: now,
        expires_at: now + ttl,
    }
}

pub async fn users_and_tokens(store: Arc<dyn Store>) {
    with_panel(&store).await;
    let mut fields = UserFields::new(Role::Secretariat);
    fields.registers = vec![code("PANEL"), code("PANEL")];
    let alice = store
        .create_user(name("Alice"), fields, Some("$argon2id$fake"), ctx())
        .await
        .expect("create alice");
    assert_eq!(alice.name.as_str(), "alice", "names are lower-cased");
    assert_eq!(alice.fields.registers, [code("PANEL")], "memberships are a set");
    assert_eq!(alice.revision.version, 1);
    let dup = store
        .create_user(name("ALICE"), UserFields::new(Role::Viewer), None, ctx())
        .await;
    assert!(matches!(dup, Err(StoreError::Conflict(_))), "{dup:?}");
    let mut bad = UserFields::new(Role::Viewer);
    bad.registers = vec![code("NOPE")];
    match store.create_user(name("bob"), bad, None, ctx()).await {
        Err(StoreError::Invalid(e)) => assert_eq!(e.0[0].field, "registers"),
        other => panic!("expected an unknown register to be refused, got {other:?}"),
    }
    assert_eq!(
        store.password_hash(&name("alice")).await.expect("hash").as_deref(),
        Some("$argon2id$fake")
    );
    assert_eq!(store.users().await.expect("users").len(), 1);

    let mut promoted = alice.fields.clone();
    promoted.role = Role::Admin;
    let stale = store.amend_user(&name("alice"), Some(9), promoted.clone(), ctx()).await;
    assert!(matches!(stale, Err(StoreError::Conflict(_))), "{stale:?}");
    let alice = store
        .amend_user(&name("alice"), Some(1), promoted, ctx())
        .await
        .expect("promote");
    assert_eq!(alice.fields.role, Role::Admin);
    let same = store
        .amend_user(&name("alice"), Some(2), alice.fields.clone(), ctx())
        .await;
    assert!(
        matches!(same, Err(StoreError::Invalid(_))),
        "a change that changes nothing: {same:?}"
    );

    let token = store
        .create_token("t1".into(), token_fields("alice", Role::Viewer), "hash-1", ctx())
        .await
        .expect("token");
    assert!(token.is_live(Utc::now()));
    let too_strong = store
        .create_token("t2".into(), token_fields("nobody", Role::Viewer), "hash-2", ctx())
        .await;
    assert!(matches!(too_strong, Err(StoreError::NotFound(_))), "{too_strong:?}");
    let found = store.token_by_hash("hash-1").await.expect("lookup").expect("found");
    assert_eq!(found.id, "t1");
    assert!(store.token_by_hash("hash-x").await.expect("lookup").is_none());
    assert_eq!(
        store.token_secret_hash("t1").await.expect("hash").as_deref(),
        Some("hash-1")
    );
    assert_eq!(store.tokens(Some(&name("alice"))).await.expect("tokens").len(), 1);
    assert_eq!(store.tokens(None).await.expect("tokens").len(), 1);
    let revoked = store.revoke_token("t1", ctx()).await.expect("revoke");
    assert!(!revoked.is_live(Utc::now()));
    let again = store.revoke_token("t1", ctx()).await;
    assert!(matches!(again, Err(StoreError::Invalid(_))), "{again:?}");
    assert!(
        store
            .token("t1")
            .await
            .expect("token")
            .expect("kept")
            .fields
            .revoked_at
            .is_some()
    );

    // Lowering alice below her token's scope must not be needed for the scope check: a
    // token can never be created stronger than its user.
    let mut viewer = alice.fields.clone();
    viewer.role = Role::Viewer;
    store
        .amend_user(&name("alice"), Some(2), viewer, ctx())
        .await
        .expect("demote");
    let stronger = store
        .create_token("t3".into(), token_fields("alice", Role::Admin), "hash-3", ctx())
        .await;
    match stronger {
        Err(StoreError::Invalid(e)) => assert_eq!(e.0[0].field, "role"),
        other => panic!("expected a token above its user's role to be refused, got {other:?}"),
    }

    let history = store.history(RecordType::User, "alice").await.expect("history");
    let kinds: Vec<&str> = history.iter().map(|e| e.kind.as_str()).collect();
    assert_eq!(kinds, ["created", "amended", "amended"]);
    assert!(
        history
            .iter()
            .all(|e| !e.after.as_ref().expect("after").to_string().contains("argon2"))
    );
    let kinds: Vec<String> = store
        .history(RecordType::Token, "t1")
        .await
        .expect("history")
        .into_iter()
        .map(|e| e.kind)
        .collect();
    assert_eq!(kinds, ["created", "revoked"]);
    assert_chain_ok(&store).await;
}

pub async fn sessions(store: Arc<dyn Store>) {
    with_panel(&store).await;
    for n in ["carol", "dave"] {
        store
            .create_user(name(n), UserFields::new(Role::Member), None, ctx())
            .await
            .expect("user");
    }
    store
        .insert_session(&session("s1", "carol", Duration::hours(1)))
        .await
        .expect("s1");
    store
        .insert_session(&session("s2", "carol", Duration::hours(1)))
        .await
        .expect("s2");
    store
        .insert_session(&session("s3", "dave", Duration::hours(1)))
        .await
        .expect("s3");
    store
        .insert_session(&session("old", "dave", Duration::seconds(-5)))
        .await
        .expect("old");
    let now = Utc::now();
    let s1 = store.session("s1", now).await.expect("read").expect("s1 is live");
    assert_eq!(s1.user.as_str(), "carol");
    assert_eq!(s1.csrf_token, "csrf-s1");
    assert!(store.session("old", now).await.expect("read").is_none(), "expired");
    assert_eq!(store.purge_expired_sessions(now).await.expect("purge"), 1);
    let dup = store.insert_session(&session("s1", "dave", Duration::hours(1))).await;
    assert!(matches!(dup, Err(StoreError::Conflict(_))), "{dup:?}");

    store.delete_session("s1").await.expect("logout");
    assert!(store.session("s1", now).await.expect("read").is_none());
    assert!(store.session("s2", now).await.expect("read").is_some());

    // A new password ends every session of its user, and only theirs.
    store
        .set_password(&name("carol"), "$argon2id$new", ctx())
        .await
        .expect("password");
    assert!(store.session("s2", now).await.expect("read").is_none());
    assert!(store.session("s3", now).await.expect("read").is_some());
    // So does disabling.
    let mut off = UserFields::new(Role::Member);
    off.disabled = true;
    let dave = store
        .amend_user(&name("dave"), Some(1), off, ctx())
        .await
        .expect("disable");
    assert!(store.session("s3", now).await.expect("read").is_none());
    let kinds: Vec<String> = store
        .history(RecordType::User, "dave")
        .await
        .expect("history")
        .into_iter()
        .map(|e| e.kind)
        .collect();
    assert_eq!(kinds, ["created", "disabled"]);
    assert_eq!(dave.revision.version, 2);
    let kinds: Vec<String> = store
        .history(RecordType::User, "carol")
        .await
        .expect("history")
        .into_iter()
        .map(|e| e.kind)
        .collect();
    assert_eq!(kinds, ["created", "password_set"]);
    store
        .insert_session(&session("s4", "carol", Duration::hours(1)))
        .await
        .expect("s4");
    store
        .delete_sessions_of(&name("carol"))
        .await
        .expect("logout everywhere");
    assert!(store.session("s4", now).await.expect("read").is_none());
    assert_chain_ok(&store).await;
}

pub async fn throttling(store: Arc<dyn Store>) {
    let now = Utc::now();
    let window = now - Duration::hours(24);
    assert!(store.throttle("client:a").await.expect("read").is_none());
    let tasks: Vec<_> = (0..10)
        .map(|_| {
            let store = store.clone();
            tokio::spawn(async move { store.record_failure("client:a", now, window).await })
        })
        .collect();
    let mut counts = Vec::new();
    for t in tasks {
        counts.push(t.await.expect("task").expect("count"));
    }
    counts.sort_unstable();
    assert_eq!(
        counts,
        (1..=10).collect::<Vec<u32>>(),
        "every concurrent failure is counted once"
    );
    let t = store.throttle("client:a").await.expect("read").expect("counted");
    assert_eq!(t.failures, 10);
    // A count whose last failure is before the window starts again.
    let later = now + Duration::hours(25);
    assert_eq!(
        store
            .record_failure("client:a", later, later - Duration::hours(24))
            .await
            .expect("count"),
        1
    );
    store.record_success("known:x", now).await.expect("success");
    assert_eq!(store.throttle("known:x").await.expect("read").expect("row").failures, 0);
    store.clear_throttle("client:a").await.expect("clear");
    assert!(store.throttle("client:a").await.expect("read").is_none());
    assert_eq!(
        store.purge_throttles(now + Duration::seconds(1)).await.expect("purge"),
        1
    );
}

/// A copy carries users and tokens with their hashes, so everyone logs in as before.
pub async fn survive_copy(first: Arc<dyn Store>, second: Arc<dyn Store>) {
    with_panel(&first).await;
    let mut fields = UserFields::new(Role::Admin);
    fields.registers = vec![code("PANEL")];
    first
        .create_user(name("erin"), fields, Some("$argon2id$erin"), ctx())
        .await
        .expect("user");
    first
        .create_token("te".into(), token_fields("erin", Role::Member), "hash-e", ctx())
        .await
        .expect("token");
    let summary = copy_all(first.as_ref(), second.as_ref()).await.expect("copy");
    assert_eq!((summary.users, summary.tokens), (1, 1));
    assert_eq!(
        second.password_hash(&name("erin")).await.expect("hash").as_deref(),
        Some("$argon2id$erin")
    );
    assert_eq!(
        second.token_by_hash("hash-e").await.expect("lookup").expect("token").id,
        "te"
    );
    assert_eq!(
        second.users().await.expect("users"),
        first.users().await.expect("users")
    );
    assert_chain_ok(&second).await;
}
