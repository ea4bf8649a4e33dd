//! The sandbox under hostile code: built-ins that loop in C end within the time limit, a
//! runtime that ran out of memory is never used again, each Code node run gets a clean global
//! scope, and stack traces show only the user's code.

use std::time::{Duration, Instant};

use serde_json::{Value, json};
use weft_engine::expr::{Evaluator, ExprError, ExprLimits, LazySandbox, NodeScope};
use weft_engine::run::{Item, RunData};

fn sandbox(limits: ExprLimits) -> LazySandbox {
    LazySandbox::new(
        limits,
        json!({"id": "e1", "mode": "manual", "resumeUrl": ""}),
        json!({"id": "w1", "name": "Test", "active": false}),
        "America/New_York",
    )
}

fn evaluator<'a>(
    sb: &'a LazySandbox,
    node: &'a str,
    input: &'a [Item],
    run_data: &'a RunData,
    params: &'a Value,
) -> Evaluator<'a> {
    Evaluator {
        sandbox: sb,
        scope: NodeScope {
            node,
            run_index: 0,
            source: &[],
            items: input,
            params,
            contexts: None,
            clock_offset_ms: 0,
        },
        run_data,
    }
}

fn eval_in(sb: &LazySandbox, code: &str) -> Result<Value, ExprError> {
    let input = vec![Item::from_value(json!({}))];
    let (run_data, params) = (RunData::new(), json!({}));
    evaluator(sb, "Node", &input, &run_data, &params).eval_js(code, 0)
}

fn code_in(sb: &LazySandbox, node: &str, code: &str) -> Result<Value, ExprError> {
    let input = vec![Item::from_value(json!({}))];
    let (run_data, params) = (RunData::new(), json!({}));
    evaluator(sb, node, &input, &run_data, &params).run_code(code, "runOnceForAllItems", 0)
}

#[test]
fn built_ins_that_loop_in_c_over_huge_lengths_end_within_the_time_limit() {
    let sb = sandbox(ExprLimits {
        timeout: Duration::from_millis(500),
        ..ExprLimits::default()
    });
    let attacks = [
        "Array.prototype.join.call({length: 2 ** 53 - 1}, '')",
        "Array.prototype.reverse.call({length: 2 ** 53 - 1})",
        "Array.prototype.toString.call({length: 2 ** 32 - 1, join: Array.prototype.join})",
        "(() => { const a = []; a.length = 2 ** 32 - 1; return a.join(); })()",
        "Array.prototype.copyWithin.call({length: 2 ** 53 - 1}, 0, 1)",
        "Array.prototype.splice.call({length: 2 ** 53 - 1}, 0, 1)",
        "Array.prototype.sort.call({length: 2 ** 53 - 1})",
        "Array.prototype.shift.call({length: 2 ** 53 - 1})",
        "[].concat({length: 2 ** 53 - 1, [Symbol.isConcatSpreadable]: true})",
        "[Array(2 ** 32 - 1)].flat()",
        "(() => { let n = 0; const o = { get length() { return n++ ? 2 ** 53 - 1 : 1; } }; return Array.prototype.join.call(o); })()",
        "Array.prototype.reverse.call(new Proxy({}, { get: (t, k) => k === 'length' ? 2 ** 53 - 1 : undefined }))",
        "(() => { const a = new Array(1e6).fill(1); for (;;) a.slice(); })()",
        "(() => { const s = 'a'.repeat(1 << 22); for (;;) s.indexOf('b'); })()",
        "'a'.repeat(1 << 20).indexOf('a'.repeat(1 << 19) + 'b')",
        "/(a+)+$/.test('a'.repeat(40) + '!')",
    ];
    for attack in attacks {
        let started = Instant::now();
        let outcome = eval_in(&sb, attack);
        assert!(outcome.is_err(), "{attack} answered {outcome:?}");
        assert!(
            started.elapsed() < Duration::from_secs(3),
            "{attack} ran {:?}",
            started.elapsed()
        );
    }
    assert_eq!(eval_in(&sb, "1 + 1").unwrap(), json!(2));
}

#[test]
fn guarded_built_ins_still_give_standard_results() {
    let sb = sandbox(ExprLimits::default());
    let cases = [
        ("[3, 1, 2].sort().join('-')", json!("1-2-3")),
        ("[1, [2, [3, [4]]]].flat(Infinity)", json!([1, 2, 3, 4])),
        ("[1, 2].flatMap(x => [x, x * 10])", json!([1, 10, 2, 20])),
        ("[1].concat([2, 3], 4, [[5]])", json!([1, 2, 3, 4, [5]])),
        (
            "Array.prototype.join.call({length: 2, 0: 'a', 1: 'b'}, '+')",
            json!("a+b"),
        ),
        (
            "Array.prototype.map.call('ab', c => c + c)",
            json!(["aa", "bb"]),
        ),
        ("[1, 2, 3].reverse().indexOf(3)", json!(0)),
        (
            "'hello'.includes('ell') && 'hello'.indexOf('l') === 2",
            json!(true),
        ),
        ("String.raw`a\\n${1}b`", json!("a\\n1b")),
        ("[1, 2, 3].toSorted((a, b) => b - a)", json!([3, 2, 1])),
        ("Array.from(new Uint8Array([1, 2])).join()", json!("1,2")),
        ("new Proxy({a: 1}, {}).a", json!(1)),
    ];
    for (code, want) in cases {
        assert_eq!(eval_in(&sb, code).unwrap(), want, "{code}");
    }
}

#[test]
fn a_runtime_that_ran_out_of_memory_is_never_used_again() {
    let bomb = "(() => { const a = []; while (true) a.push('x'.repeat(1 << 16) + a.length); })()";
    for _ in 0..5 {
        let sb = sandbox(ExprLimits {
            memory_bytes: 16 << 20,
            timeout: Duration::from_secs(5),
        });
        let err = eval_in(&sb, bomb).unwrap_err();
        assert!(matches!(err, ExprError::OutOfMemory(_)), "{err:?}");
        // The same execution goes on in a fresh context, on a fresh runtime.
        assert_eq!(
            eval_in(&sb, "[1, 2].map(x => x * 2)").unwrap(),
            json!([2, 4])
        );
    }
    let next = sandbox(ExprLimits::default());
    assert_eq!(eval_in(&next, "'ok'").unwrap(), json!("ok"));
}

#[test]
fn each_code_node_run_starts_from_a_clean_global_scope() {
    let sb = sandbox(ExprLimits::default());
    eval_in(&sb, "(globalThis.fromExpression = 1)").unwrap();
    code_in(
        &sb,
        "First",
        "globalThis.leak = 1; Array.prototype.polluted = 'yes'; $getWorkflowStaticData('global').seen = 'first'; return [];",
    )
    .unwrap();
    let seen = code_in(
        &sb,
        "Second",
        "return [{json: {leak: typeof leak, polluted: typeof [].polluted, expr: typeof fromExpression, stat: $getWorkflowStaticData('global').seen}}];",
    )
    .unwrap();
    assert_eq!(
        seen,
        json!([{"json": {"leak": "undefined", "polluted": "undefined", "expr": "undefined", "stat": "first"}}])
    );
    assert_eq!(eval_in(&sb, "typeof leak").unwrap(), json!("undefined"));
    assert_eq!(
        sb.static_data_if_changed(),
        Some(json!({"global": {"seen": "first"}}))
    );
}

#[test]
fn stack_traces_show_the_users_code_and_none_of_weft_s_own() {
    let sb = sandbox(ExprLimits::default());
    let stack = code_in(
        &sb,
        "Code",
        "function inner() { return new Error('boom').stack; }\nreturn [{json: {stack: inner()}}];",
    )
    .unwrap();
    let stack = stack[0]["json"]["stack"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    assert!(stack.starts_with("Error: boom"), "{stack}");
    assert!(stack.contains("at inner"), "{stack}");
    for internal in ["<weft>", "eval_script", "__runCode", ".rs"] {
        assert!(!stack.contains(internal), "{internal} in {stack}");
    }
}
