//! Property tests over the parsers that take outside input at the HTTP edge (webhook bodies of
//! every content type, cursors, ids): arbitrary and deeply nested input never panics, never
//! overflows the stack, and never allocates past a bound (this test binary's allocator refuses
//! more than 1 GiB, which aborts the run).

use proptest::prelude::*;
use serde_json::json;

use crate::store::Cursor;
use crate::webhooks::request::parse_body;

const JSON_TOKENS: &[&str] = &[
    "[",
    "]",
    "{",
    "}",
    "\"a\":",
    ",",
    "1",
    "-1e999",
    "\"\\u0000\"",
    "null",
    "\"",
];
const FORM_TOKENS: &[&str] = &["a=1", "&", "=", "%", "%zz", "%41", "+", "a[b]=c", "&&"];

fn soup(tokens: &'static [&'static str]) -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        3 => proptest::collection::vec(
            prop_oneof![
                proptest::sample::select(tokens).prop_map(|t| t.as_bytes().to_vec()),
                proptest::collection::vec(any::<u8>(), 0..8),
            ],
            0..64,
        )
        .prop_map(|parts| parts.concat()),
        1 => (proptest::sample::select(tokens), 1_000usize..100_000)
            .prop_map(|(t, n)| t.repeat(n).into_bytes()),
    ]
}

/// A multipart body with `parts` parts whose headers and contents are arbitrary bytes.
fn multipart() -> impl Strategy<Value = (Vec<u8>, String)> {
    (
        "[A-Za-z0-9'()+_,./:=?-]{1,70}",
        proptest::collection::vec(
            (
                proptest::collection::vec(any::<u8>(), 0..40),
                proptest::collection::vec(any::<u8>(), 0..200),
            ),
            0..8,
        ),
        any::<bool>(),
    )
        .prop_map(|(boundary, parts, closed)| {
            let mut body = Vec::new();
            for (head, content) in parts {
                body.extend_from_slice(format!("--{boundary}\r\n").as_bytes());
                body.extend_from_slice(
                    b"Content-Disposition: form-data; name=\"f\"; filename=\"../x\"\r\n",
                );
                body.extend_from_slice(&head);
                body.extend_from_slice(b"\r\n\r\n");
                body.extend_from_slice(&content);
                body.extend_from_slice(b"\r\n");
            }
            if closed {
                body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
            }
            (body, format!("multipart/form-data; boundary={boundary}"))
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn json_webhook_bodies_of_any_shape_parse_or_are_refused(body in soup(JSON_TOKENS)) {
        let _ = parse_body(&body, "application/json", &json!({}));
        let _ = parse_body(&body, "application/vnd.api+json; charset=utf-8", &json!({}));
    }

    #[test]
    fn form_text_and_other_bodies_of_any_shape_parse_or_are_refused(body in soup(FORM_TOKENS)) {
        for content_type in ["application/x-www-form-urlencoded", "text/xml", "text/plain", "", "image/png", "multipart/form-data"] {
            let _ = parse_body(&body, content_type, &json!({}));
        }
    }

    #[test]
    fn multipart_bodies_of_any_shape_parse_or_are_refused((body, content_type) in multipart()) {
        let _ = parse_body(&body, &content_type, &json!({"binaryPropertyName": "file"}));
    }

    #[test]
    fn every_string_the_cursor_pattern_admits_is_a_cursor(raw in "[A-Za-z0-9_-]{32}") {
        prop_assert!(Cursor::decode(&raw).is_ok());
    }

    #[test]
    fn any_text_as_a_cursor_or_an_id_is_decoded_or_refused(raw in "\\PC{0,200}") {
        let _ = Cursor::decode(&raw);
        let _ = crate::api::extract::parse_id(&raw, "workflow");
    }

    #[test]
    fn every_cursor_the_server_issues_decodes_to_itself(micros in -62_135_596_800_000_000i64..253_402_300_799_999_999, id in any::<u128>()) {
        let Some(at) = chrono::DateTime::from_timestamp_micros(micros) else {
            return Ok(());
        };
        let cursor = Cursor { at, id: uuid::Uuid::from_u128(id) };
        prop_assert_eq!(Cursor::decode(&cursor.encode()).ok(), Some(cursor));
    }
}
