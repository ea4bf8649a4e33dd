//! The sandbox process's loop (`code_host::serve`) driven over in-memory pipes: a Code node
//! run opened, run per item and closed, with other nodes' runs, items and static data crossing
//! the boundary; and a loop whose runtime ran out of memory answers once more and ends.

use std::time::Duration;

use serde_json::{Value, json};
use weft_engine::expr::code_host::{Answer, Ask, read_frame, serve, write_frame};
use weft_engine::expr::{CodeRequest, ExprError, ExprLimits, NodeScope, ScopePayload};
use weft_engine::run::{Item, RunData};

fn request(limits: ExprLimits, code: &str, mode: &str, items: &[Item]) -> CodeRequest {
    let run_data: RunData = serde_json::from_value(json!({"Prev": [{
        "startTime": 0, "executionTime": 0, "executionIndex": 0, "executionStatus": "success",
        "source": [], "data": {"main": [[{"json": {"x": 7}}]]}
    }]}))
    .expect("run data");
    let params = json!({});
    let scope = NodeScope {
        node: "Code",
        run_index: 0,
        source: &[],
        items,
        params: &params,
        contexts: None,
        clock_offset_ms: 0,
    };
    CodeRequest {
        limits,
        execution: json!({"id": "e1", "mode": "manual", "resumeUrl": ""}),
        workflow: json!({"id": "w1", "name": "Test", "active": false}),
        timezone: "UTC".into(),
        vars: json!({"REGION": "eu"}),
        static_data: json!({"global": {"count": 40}}),
        scope: ScopePayload::of(&scope, &run_data),
        code: code.into(),
        mode: mode.into(),
    }
}

/// Feeds `asks` to the loop and returns its answers.
fn converse(asks: &[Ask]) -> Vec<Answer> {
    let mut input = Vec::new();
    for ask in asks {
        write_frame(&mut input, ask).expect("frame");
    }
    let mut output = Vec::new();
    serve(&input[..], &mut output).expect("the loop ends cleanly");
    let mut answers = Vec::new();
    let mut rest = &output[..];
    while let Some(bytes) = read_frame(&mut rest, usize::MAX).expect("frame") {
        answers.push(serde_json::from_slice(&bytes).expect("an answer"));
    }
    answers
}

#[test]
fn a_code_run_sees_its_items_other_runs_vars_and_static_data_and_hands_static_data_back() {
    let items = vec![
        Item::from_value(json!({"a": 2})),
        Item::from_value(json!({"a": 5})),
    ];
    let code = "const s = $getWorkflowStaticData('global'); s.count += 1;\n\
                return {json: {double: $json.a * 2, prev: $('Prev').first().json.x, region: $vars.REGION}};";
    let open = request(ExprLimits::default(), code, "runOnceForEachItem", &items);
    let answers = converse(&[
        Ask::Open(Box::new(open)),
        Ask::Run { index: 0 },
        Ask::Run { index: 1 },
        Ask::Close,
    ]);
    let values: Vec<Value> = answers
        .iter()
        .map(|a| serde_json::to_value(a).expect("JSON"))
        .collect();
    assert_eq!(
        values,
        vec![
            json!("opened"),
            json!({"value": {"json": {"double": 4, "prev": 7, "region": "eu"}}}),
            json!({"value": {"json": {"double": 10, "prev": 7, "region": "eu"}}}),
            json!({"static": {"global": {"count": 42}}}),
        ]
    );
}

#[test]
fn a_sandbox_whose_runtime_ran_out_of_memory_answers_and_then_ends() {
    let limits = ExprLimits {
        timeout: Duration::from_secs(5),
        memory_bytes: 16 << 20,
    };
    let bomb = "const a = []; while (true) a.push('x'.repeat(1 << 16) + a.length);";
    let items = vec![Item::from_value(json!({}))];
    let answers = converse(&[
        Ask::Open(Box::new(request(
            limits,
            bomb,
            "runOnceForAllItems",
            &items,
        ))),
        Ask::Run { index: 0 },
        // Never answered: the loop ended after the out-of-memory answer.
        Ask::Close,
    ]);
    assert_eq!(answers.len(), 2, "{answers:?}");
    assert!(
        matches!(answers[1], Answer::Failed(ExprError::OutOfMemory(_))),
        "{answers:?}"
    );
}

#[test]
fn a_run_whose_code_throws_for_one_item_goes_on_with_the_next_keeping_static_data() {
    let items = vec![
        Item::from_value(json!({"a": 1})),
        Item::from_value(json!({"a": 2})),
        Item::from_value(json!({"a": 3})),
    ];
    let code = "const s = $getWorkflowStaticData('global'); s.count += 1;\n\
                if ($json.a === 2) throw new Error('two'); return {json: {a: $json.a}};";
    let open = request(ExprLimits::default(), code, "runOnceForEachItem", &items);
    let answers = converse(&[
        Ask::Open(Box::new(open)),
        Ask::Run { index: 0 },
        Ask::Run { index: 1 },
        Ask::Run { index: 2 },
        Ask::Close,
    ]);
    assert!(
        matches!(&answers[2], Answer::Failed(ExprError::Thrown(m)) if m == "two [line 2]"),
        "{answers:?}"
    );
    let last = serde_json::to_value(&answers[4]).expect("JSON");
    assert_eq!(last, json!({"static": {"global": {"count": 43}}}));
}
