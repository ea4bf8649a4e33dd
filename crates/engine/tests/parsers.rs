//! Property tests over the engine's parsers of outside input (the `{{ }}` template parser and
//! the native fast path for `$json` paths): arbitrary and deeply nested input never panics,
//! never overflows the stack, and never allocates past a bound (the test binary's allocator
//! refuses more than 1 GiB, which aborts the run).

use proptest::prelude::*;
use serde_json::{Map, Value, json};
use weft_engine::expr::{Template, fast_path};

#[global_allocator]
static ALLOCATOR: cap::Cap<std::alloc::System> = cap::Cap::new(std::alloc::System, 1 << 30);

/// Text built from the characters the template and path syntaxes care about.
fn syntax_soup() -> impl Strategy<Value = String> {
    proptest::collection::vec(
        prop_oneof![
            Just("{{".to_owned()),
            Just("}}".to_owned()),
            Just("={{ ".to_owned()),
            Just("$json".to_owned()),
            Just(".".to_owned()),
            Just("[".to_owned()),
            Just("]".to_owned()),
            Just("'".to_owned()),
            Just("\"".to_owned()),
            Just("`".to_owned()),
            Just("\\".to_owned()),
            Just("?.".to_owned()),
            "[a-z0-9_]{0,6}",
            "\\PC{0,4}",
        ],
        0..64,
    )
    .prop_map(|parts| parts.concat())
}

/// The same soup, or one token repeated thousands of times (deep nesting).
fn hostile_text() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => syntax_soup(),
        1 => ("[\\[{(`'\"]|\\{\\{|\\$json\\.a|\\[0\\]", 1_000usize..50_000)
            .prop_map(|(token, n)| format!("={{{{ {} }}}}", token.repeat(n))),
        1 => ("\\PC{0,2}", 10_000usize..200_000).prop_map(|(token, n)| token.repeat(n)),
    ]
}

fn item() -> Map<String, Value> {
    let Value::Object(map) = json!({"a": {"b": [1, {"c": "x"}]}, "n": 2, "s": "text"}) else {
        return Map::new();
    };
    map
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn the_template_parser_takes_any_text(raw in hostile_text()) {
        if let Some(template) = Template::parse(&raw) {
            // What it found is a faithful split of the text (no part invented).
            prop_assert!(template.segments.len() <= raw.len() + 1);
        }
    }

    #[test]
    fn the_fast_path_takes_any_code(code in hostile_text()) {
        let json = item();
        let _ = fast_path::resolve(&code, &json);
        let trimmed = code.trim_start_matches("={{").trim_end_matches("}}");
        let _ = fast_path::resolve(trimmed, &json);
    }
}
