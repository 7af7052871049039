//! Properties: the parser never panics, and the canonical rendering re-parses to an
//! equal filter that renders identically.

use kinsight_filter::Filter;
use proptest::prelude::*;

/// Fragments that make random strings look like filters often enough to reach deep parser
/// paths, not just "unknown field" at position 0.
fn token() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("proc.name".to_owned()),
        Just("proc.pid".to_owned()),
        Just("fd.sip".to_owned()),
        Just("fd.sport".to_owned()),
        Just("evt.failed".to_owned()),
        Just("k8s.pod.label[".to_owned()),
        Just("k8s.pod.label.app".to_owned()),
        Just("k8s.ns.label[\"".to_owned()),
        Just("10.0.0.0/8".to_owned()),
        Just("-0x1f".to_owned()),
        Just("true".to_owned()),
        Just("and".to_owned()),
        Just("or".to_owned()),
        Just("not".to_owned()),
        Just("(".to_owned()),
        Just(")".to_owned()),
        Just(",".to_owned()),
        Just("=".to_owned()),
        Just("!=".to_owned()),
        Just("<".to_owned()),
        Just("in".to_owned()),
        Just("exists".to_owned()),
        Just("glob".to_owned()),
        Just("pmatch".to_owned()),
        Just("contains".to_owned()),
        Just("\"".to_owned()),
        Just("'".to_owned()),
        Just("\\".to_owned()),
        Just("]".to_owned()),
        Just(" ".to_owned()),
        "[a-z0-9./:*?-]{1,6}",
        any::<char>().prop_map(String::from),
    ]
}

fn filter_like() -> impl Strategy<Value = String> {
    prop::collection::vec(token(), 0..24).prop_map(|tokens| tokens.concat())
}

fn value() -> impl Strategy<Value = String> {
    prop_oneof![
        "[a-z][a-z0-9.:/_-]{0,8}".prop_filter("keywords are not values", |v| {
            !matches!(v.as_str(), "and" | "or" | "not")
        }),
        ".{0,8}".prop_map(|s| quote(&s)),
        Just("'and'".to_owned()),
        Just("\"\"".to_owned()),
    ]
}

/// Double-quotes `text` with the escapes the filter syntax knows.
fn quote(text: &str) -> String {
    format!("\"{}\"", text.replace('\\', "\\\\").replace('"', "\\\""))
}

/// Well-formed filters built from a grammar, so the round-trip property is exercised on
/// many valid inputs rather than the few random strings that happen to parse.
fn valid_filter() -> impl Strategy<Value = String> {
    let condition = prop_oneof![
        value().prop_map(|v| format!("proc.name = {v}")),
        value().prop_map(|v| format!("fd.name icontains {v}")),
        value().prop_map(|v| format!("k8s.pod.label.app != {v}")),
        value().prop_map(|v| format!("proc.cmdline glob {v}")),
        prop::collection::vec(value(), 0..4)
            .prop_map(|vs| format!("evt.type in ({})", vs.join(", "))),
        prop::collection::vec(value(), 1..3)
            .prop_map(|vs| format!("fd.name pmatch ({})", vs.join(","))),
        any::<i64>().prop_map(|n| format!("proc.pid <= {n}")),
        any::<u16>().prop_map(|n| format!("fd.sport={n}")),
        any::<[u8; 4]>().prop_map(|[a, b, c, d]| format!("fd.sip = {a}.{b}.{c}.{d}/{}", d % 33)),
        any::<bool>().prop_map(|b| format!("evt.failed = {b}")),
        Just("fd.name exists".to_owned()),
    ];
    condition.prop_recursive(4, 24, 4, |inner| {
        prop_oneof![
            (inner.clone(), inner.clone()).prop_map(|(a, b)| format!("{a} and {b}")),
            (inner.clone(), inner.clone()).prop_map(|(a, b)| format!("{a} or {b}")),
            inner.clone().prop_map(|a| format!("not {a}")),
            inner.prop_map(|a| format!("({a})")),
        ]
    })
}

fn check_round_trip(expr: &str) -> Result<(), TestCaseError> {
    if let Ok(filter) = Filter::parse(expr) {
        let canonical = filter.to_string();
        let reparsed = Filter::parse(&canonical).map_err(|e| {
            TestCaseError::fail(format!("canonical form of {expr:?} rejected:\n{e}"))
        })?;
        prop_assert_eq!(&reparsed, &filter, "{:?} -> {:?}", expr, canonical);
        prop_assert_eq!(reparsed.to_string(), canonical);
        prop_assert_eq!(reparsed.fields(), filter.fields());
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1000))]

    #[test]
    fn arbitrary_text_never_panics(expr in any::<String>()) {
        if let Err(e) = Filter::parse(&expr) {
            prop_assert!(e.position <= expr.len());
            prop_assert!(expr.is_char_boundary(e.position));
            let _ = e.to_string();
        }
    }

    #[test]
    fn filter_like_text_never_panics(expr in filter_like()) {
        if let Err(e) = Filter::parse(&expr) {
            prop_assert!(expr.is_char_boundary(e.position));
            let _ = e.to_string();
        }
        check_round_trip(&expr)?;
    }

    #[test]
    fn valid_filters_round_trip(expr in valid_filter()) {
        prop_assert!(Filter::parse(&expr).is_ok(), "{:?} rejected", expr);
        check_round_trip(&expr)?;
    }
}
