//! Property tests over the node parsers that take outside input (XML, HTML, Markdown, CSV,
//! dotted/bracketed field paths, file selectors): arbitrary and deeply nested input never
//! panics, never overflows the stack, and never allocates past a bound (this test binary's
//! allocator refuses more than 1 GiB, which aborts the run).

use proptest::prelude::*;
use serde_json::{Map, Value, json};

use crate::set::path::{self, Slots};

/// Text from the characters a markup or path syntax cares about, plus anything.
fn soup(tokens: &'static [&'static str]) -> impl Strategy<Value = String> {
    proptest::collection::vec(
        prop_oneof![
            proptest::sample::select(tokens).prop_map(str::to_owned),
            "[a-z0-9]{0,5}",
            "\\PC{0,3}",
        ],
        0..80,
    )
    .prop_map(|parts| parts.concat())
}

/// Soup, or one token repeated thousands of times (deep nesting, long runs).
fn hostile(tokens: &'static [&'static str]) -> impl Strategy<Value = String> {
    prop_oneof![
        3 => soup(tokens),
        1 => (proptest::sample::select(tokens), 1_000usize..40_000)
            .prop_map(|(token, n)| token.repeat(n)),
    ]
}

const XML: &[&str] = &[
    "<a>",
    "</a>",
    "<b x=\"1\">",
    "</b>",
    "<c/>",
    "<![CDATA[",
    "]]>",
    "<?xml version=\"1.0\"?>",
    "&amp;",
    "&#x41;",
    "<!--",
    "-->",
    "<!DOCTYPE a>",
    "=",
    "\"",
];
const HTML: &[&str] = &[
    "<div>",
    "</div>",
    "<span>",
    "</span>",
    "<p>",
    "<li>",
    "<ul>",
    "</ul>",
    "<table>",
    "<tr>",
    "<td>",
    "<b>",
    "<i>",
    "</b>",
    "<div/>",
    "<script>",
    "</script>",
    "<!--",
    "-->",
    "<optgroup>",
    "<a href=\"x\">",
    "</a>",
    "<pre>",
    "<br>",
    "<h1>",
    "<ol start=\"18446744073709551615\">",
];
const MARKDOWN: &[&str] = &[
    "> ", "- ", "* ", "1. ", "\n", "\n\n", "    ", "```", "`", "**", "_", "[", "](", ")", "#",
    "<div>", "|", "---",
];
const PATH: &[&str] = &[
    ".",
    "[",
    "]",
    "[0]",
    "[18446744073709551615]",
    "[100000000000000]",
    "['k']",
    "a",
    "\"",
    "..",
    "[]",
];
const CSV: &[&str] = &[",", "\"", "\"\"", "\n", "\r\n", ";", "\t", "a"];
const GLOB: &[&str] = &["*", "?", "**", "a", "/", "*a", "[", "."];

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn xml_of_any_shape_parses_or_is_a_node_error(text in hostile(XML)) {
        let options = crate::xml::ParseOptions::from(&Map::new());
        let _ = crate::xml::parse(&text, &options);
    }

    #[test]
    fn html_of_any_shape_parses_within_the_depth_bound_or_is_refused(text in hostile(HTML)) {
        let _ = crate::html::nesting::parse(&text);
        let _ = crate::markdown::to_markdown::translate(
            &text,
            &crate::markdown::to_markdown::Options::from(&json!({})),
        );
        let _ = crate::files::read::html_table(&text, false);
    }

    #[test]
    fn markdown_of_any_shape_renders(text in hostile(MARKDOWN)) {
        let _ = crate::markdown::to_html::render(
            &text,
            &crate::markdown::to_html::Options::from(&json!({})),
        );
    }

    #[test]
    fn field_paths_of_any_shape_are_set_or_refused(name in hostile(PATH)) {
        let mut target = Map::new();
        let mut slots = Slots::default();
        let _ = path::set(&mut target, &name, Value::Bool(true), true, &mut slots);
        let _ = path::get(&target, &name);
        let _ = path::lodash_get(&target, &name);
    }

    #[test]
    fn csv_of_any_shape_splits_into_records(text in hostile(CSV)) {
        let options = crate::files::read::CsvOptions {
            delimiter: ',',
            strip_bom: true,
            relax_quotes: true,
            from_line: 0,
            max_rows: None,
            partial_on_error: false,
            header: true,
        };
        let _ = crate::files::read::csv_records(&text, &options);
    }

    #[test]
    fn file_selector_segments_match_without_backtracking_forever(
        pattern in hostile(GLOB),
        name in "[a.]{0,255}",
    ) {
        let _ = crate::disk::glob_match(pattern.as_bytes(), name.as_bytes());
    }
}
