//! Conformance for paged risk reads: every page of `risk_page` is the same slice of the
//! same order as `risks`, with the whole list's length, across registers, with and
//! without closed risks, and as at a date.

use std::sync::Arc;

use chrono::Utc;

use super::{code, ctx, risk, with_panel};
use crate::store::{RecordQuery, Store};

pub async fn risk_pages(store: Arc<dyn Store>) {
    with_panel(&store).await;
    store
        .create_register(code("SSC"), riskreg_domain::RegisterFields::new("SSC"), ctx())
        .await
        .expect("SSC");
    // Equal severities across registers and numbers, so every tie-break is exercised.
    for (register, i, l) in [
        ("PANEL", 3, 3),
        ("PANEL", 2, 2),
        ("SSC", 3, 3),
        ("PANEL", 3, 3),
        ("SSC", 1, 4),
        ("PANEL", 5, 5),
        ("SSC", 2, 2),
    ] {
        store
            .create_risk(code(register), None, risk("Paged", i, l), ctx())
            .await
            .expect("risk");
    }
    let closed = store.risks(&RecordQuery::default()).await.expect("risks")[1]
        .reference
        .clone();
    store.close_risk(closed, None, ctx()).await.expect("close");
    let written = Utc::now();
    for register in [None, Some(code("PANEL")), Some(code("SSC"))] {
        for include_closed in [false, true] {
            for as_at in [None, Some(written)] {
                let query = RecordQuery {
                    register: register.clone(),
                    as_at,
                    include_closed,
                };
                let all: Vec<String> = store
                    .risks(&query)
                    .await
                    .expect("risks")
                    .iter()
                    .map(|r| r.reference.to_string())
                    .collect();
                for (limit, offset) in [(1, 0), (2, 1), (3, 3), (50, 0), (5, 6), (2, 100)] {
                    let (page, total) = store.risk_page(&query, limit, offset).await.expect("page");
                    let page: Vec<String> = page.iter().map(|r| r.reference.to_string()).collect();
                    let expected: Vec<String> =
                        all.iter().skip(offset as usize).take(limit as usize).cloned().collect();
                    assert_eq!(page, expected, "{query:?} limit {limit} offset {offset}");
                    assert_eq!(total, all.len() as u64, "{query:?}");
                }
            }
        }
    }
    let missing = store
        .risk_page(
            &RecordQuery {
                register: Some(code("NOPE")),
                ..Default::default()
            },
            10,
            0,
        )
        .await;
    assert!(
        matches!(missing, Err(crate::error::StoreError::NotFound(_))),
        "{missing:?}"
    );
}
