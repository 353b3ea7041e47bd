//! Properties of the register file parser under hostile input: any text, and the demo
//! register file with any one value replaced or removed, is either accepted or refused
//! with a list of problems; it never panics, and every problem names where it is.

use proptest::prelude::*;
use riskreg_domain::document::Document;
use serde_json::Value;

const DEMO: &str = include_str!("../../riskreg/data/sec-panel-2018-08.json");

fn demo() -> Value {
    serde_json::from_str(DEMO).expect("the demo is JSON")
}

/// Every path to a value in `v`, as a list of object keys and array indexes.
fn paths(v: &Value, prefix: &mut Vec<Step>, out: &mut Vec<Vec<Step>>) {
    out.push(prefix.clone());
    match v {
        Value::Object(map) => {
            for (k, child) in map {
                prefix.push(Step::Key(k.clone()));
                paths(child, prefix, out);
                prefix.pop();
            }
        }
        Value::Array(items) => {
            for (i, child) in items.iter().enumerate() {
                prefix.push(Step::Index(i));
                paths(child, prefix, out);
                prefix.pop();
            }
        }
        _ => {}
    }
}

#[derive(Debug, Clone)]
enum Step {
    Key(String),
    Index(usize),
}

fn at<'a>(v: &'a mut Value, path: &[Step]) -> &'a mut Value {
    path.iter().fold(v, |v, step| match step {
        Step::Key(k) => &mut v[k.as_str()],
        Step::Index(i) => &mut v[*i],
    })
}

fn any_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<f64>().prop_map(|f| serde_json::Number::from_f64(f).map_or(Value::Null, Value::Number)),
        "\\PC{0,20}".prop_map(Value::String),
        Just(Value::String("<script>alert(1)</script>".into())),
        Just(Value::String("=HYPERLINK(\"http://evil.example\")".into())),
        Just(Value::from(u64::MAX)),
        Just(Value::from(-1)),
        Just(Value::from(0)),
    ];
    leaf.prop_recursive(3, 16, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            prop::collection::btree_map("[a-z_]{1,8}", inner, 0..4)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

fn check(text: &str) -> Result<(), TestCaseError> {
    match Document::parse(text) {
        Ok(_) => Ok(()),
        Err(errors) => {
            prop_assert!(!errors.0.is_empty(), "refused without a reason");
            for e in &errors.0 {
                prop_assert!(!e.rule.is_empty(), "{:?}", e);
            }
            Ok(())
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2000, ..ProptestConfig::default() })]

    #[test]
    fn any_text_is_parsed_or_refused(text in "\\PC{0,200}") {
        check(&text)?;
    }

    #[test]
    fn any_json_is_parsed_or_refused(v in any_json()) {
        check(&v.to_string())?;
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 3000, ..ProptestConfig::default() })]

    #[test]
    fn the_demo_with_one_value_replaced_is_parsed_or_refused(pick in any::<prop::sample::Index>(), value in any_json()) {
        let mut doc = demo();
        let mut all = Vec::new();
        paths(&doc.clone(), &mut Vec::new(), &mut all);
        let path = &all[pick.index(all.len())];
        *at(&mut doc, path) = value;
        check(&doc.to_string())?;
    }

    #[test]
    fn the_demo_cut_short_anywhere_is_refused(cut in any::<prop::sample::Index>()) {
        let end = cut.index(DEMO.len());
        let text = DEMO.get(..end).unwrap_or("");
        if end < DEMO.trim_end().len() {
            prop_assert!(Document::parse(text).is_err(), "a truncated file was accepted at {}", end);
        }
    }
}

#[test]
fn the_demo_itself_parses() {
    assert!(Document::parse(DEMO).is_ok());
}
