//! Expressions: the sandbox keeps user code away from the host and within limits, and the
//! native fast path gives the same results as JavaScript.

use std::time::{Duration, Instant};

use serde_json::{Value, json};
use weft_engine::expr::{Evaluator, ExprError, ExprLimits, LazySandbox, NodeScope};
use weft_engine::run::{Item, PairedItem, RunData, SourceData, TaskData, TaskOutput, TaskStatus};

fn sandbox(limits: ExprLimits) -> LazySandbox {
    LazySandbox::new(
        limits,
        json!({"id": "e1", "mode": "manual", "resumeUrl": ""}),
        json!({"id": "w1", "name": "Test", "active": false}),
        "America/New_York",
    )
}

fn items(values: &[Value]) -> Vec<Item> {
    values.iter().cloned().map(Item::from_value).collect()
}

/// Evaluates `code` for item 0 of `input` with an empty run history.
fn eval_in(sb: &LazySandbox, code: &str, input: &[Item]) -> Result<Value, ExprError> {
    let run_data = RunData::new();
    let params = json!({});
    let ev = Evaluator {
        sandbox: sb,
        scope: NodeScope {
            node: "Node",
            run_index: 0,
            source: &[],
            items: input,
            params: &params,
            contexts: None,
            clock_offset_ms: 0,
        },
        run_data: &run_data,
    };
    ev.eval_code(code, 0)
}

fn eval(code: &str) -> Result<Value, ExprError> {
    eval_in(
        &sandbox(ExprLimits::default()),
        code,
        &items(&[json!({"name": "Ada", "n": 2})]),
    )
}

/// JavaScript-style equality of JSON values: numbers compare by value.
fn same(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => x.as_f64() == y.as_f64(),
        (Value::Array(x), Value::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(a, b)| same(a, b))
        }
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len() && x.iter().all(|(k, v)| y.get(k).is_some_and(|w| same(v, w)))
        }
        _ => a == b,
    }
}

#[test]
fn expressions_see_the_item_and_standard_javascript() {
    assert_eq!(eval("$json.name.toUpperCase()").unwrap(), json!("ADA"));
    assert_eq!(eval("$json.n * 21").unwrap(), json!(42));
    assert_eq!(
        eval("[1, 2, 3].map(x => x * $json.n)").unwrap(),
        json!([2, 4, 6])
    );
    assert_eq!(
        eval("$if($json.n > 1, 'big', 'small')").unwrap(),
        json!("big")
    );
    assert_eq!(
        eval("$ifEmpty($json.missing, 'fallback')").unwrap(),
        json!("fallback")
    );
    assert_eq!(eval("$max(1, 5, 3)").unwrap(), json!(5));
    assert_eq!(
        eval("$workflow.name + ' ' + $execution.mode").unwrap(),
        json!("Test manual")
    );
    assert_eq!(eval("$input.all().length").unwrap(), json!(1));
    assert_eq!(eval("$json.missing").unwrap(), json!(null));
}

#[test]
fn the_host_is_out_of_reach() {
    for code in [
        "typeof process",
        "typeof require",
        "typeof fetch",
        "typeof XMLHttpRequest",
        "typeof os",
        "typeof std",
        "typeof setTimeout",
    ] {
        assert_eq!(eval(code).unwrap(), json!("undefined"), "{code}");
    }
    // The constructor chain leads back to plain JavaScript, never to a host object.
    assert_eq!(
        eval("(() => {}).constructor('return typeof process')()").unwrap(),
        json!("undefined")
    );
    assert_eq!(
        eval("globalThis.constructor.constructor('return typeof require')()").unwrap(),
        json!("undefined")
    );
    assert!(matches!(eval("$env.HOME"), Err(ExprError::Thrown(m)) if m.contains("denied")));
    assert!(eval("import('fs')").is_err() || eval("import('fs')").unwrap().is_object());
}

#[test]
fn an_endless_loop_ends_as_a_timeout_and_the_engine_keeps_working() {
    let sb = sandbox(ExprLimits {
        timeout: Duration::from_millis(200),
        ..ExprLimits::default()
    });
    let input = items(&[json!({})]);
    let started = Instant::now();
    let err = eval_in(&sb, "(() => { while (true) {} })()", &input).unwrap_err();
    assert_eq!(err, ExprError::Timeout(200));
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(eval_in(&sb, "1 + 1", &input).unwrap(), json!(2));
}

#[test]
fn a_memory_bomb_ends_as_out_of_memory_and_the_engine_keeps_working() {
    let sb = sandbox(ExprLimits {
        memory_bytes: 16 << 20,
        ..ExprLimits::default()
    });
    let input = items(&[json!({})]);
    let err = eval_in(
        &sb,
        "(() => { const a = []; while (true) a.push('x'.repeat(1 << 16) + a.length); })()",
        &input,
    )
    .unwrap_err();
    assert!(
        matches!(err, ExprError::OutOfMemory(_) | ExprError::Timeout(_)),
        "{err:?}"
    );
    let fresh = sandbox(ExprLimits::default());
    assert_eq!(eval_in(&fresh, "'ok'", &input).unwrap(), json!("ok"));
}

#[test]
fn one_execution_cannot_tamper_with_the_next() {
    let input = items(&[json!({})]);
    let first = sandbox(ExprLimits::default());
    eval_in(
        &first,
        "(Object.prototype.polluted = 'yes', globalThis.leak = 1)",
        &input,
    )
    .unwrap();
    let second = sandbox(ExprLimits::default());
    assert_eq!(
        eval_in(
            &second,
            "({}).polluted === undefined && typeof leak === 'undefined'",
            &input
        )
        .unwrap(),
        json!(true)
    );
}

#[test]
fn the_fast_path_matches_javascript_on_many_inputs() {
    let sb = sandbox(ExprLimits::default());
    let run_data = RunData::new();
    let params = json!({});
    let shapes = [
        json!({"a": 1, "b": {"c": [1, 2, {"d": "x"}]}, "k y": true, "n": null, "f": 1.5, "big": 9007199254740991i64}),
        json!({"a": "text", "b": {"c": []}, "k y": [null], "f": -0.25, "u": "ünï😀"}),
        json!({"a": {"a": {"a": {}}}, "b": {"c": [[3]]}, "list": [{"x": 1}, {"x": 2}]}),
    ];
    let codes = [
        "$json",
        "$json.a",
        "$json.b",
        "$json.b.c",
        "$json.b.c[0]",
        "$json.b.c[2]",
        "$json.b.c[2].d",
        "$json[\"k y\"]",
        "$json['k y']",
        "$json.n",
        "$json.f",
        "$json.big",
        "$json.u",
        "$json.missing",
        "$json.a.a",
        "$json.list[1].x",
        "$json.b.c[0][0]",
        "$json.list[5]",
    ];
    let mut compared = 0;
    for (run, shape) in shapes.iter().enumerate() {
        let input = vec![Item::from_value(shape.clone())];
        let ev = Evaluator {
            sandbox: &sb,
            scope: NodeScope {
                node: "N",
                run_index: run as u32,
                source: &[],
                items: &input,
                params: &params,
                contexts: None,
                clock_offset_ms: 0,
            },
            run_data: &run_data,
        };
        for code in codes {
            let Some(fast) = weft_engine::expr::fast_path::resolve(code, &input[0].json) else {
                continue;
            };
            let js = ev.eval_js(code, 0).unwrap_or(Value::Null);
            assert!(
                same(&fast, &js),
                "{code} on {shape}: fast {fast} vs js {js}"
            );
            compared += 1;
        }
    }
    assert!(compared >= 40, "compared {compared}");
}

#[test]
fn a_node_reference_follows_paired_items_back_through_the_run() {
    // Source → Middle; Middle's items are paired with Source's (reversed); the current node
    // reads Middle's output and asks for the matching Source item.
    let task = |main: Vec<Item>, source: Vec<Option<SourceData>>| TaskData {
        start_time: 0,
        execution_time: 0,
        execution_index: 0,
        execution_status: TaskStatus::Success,
        source,
        data: Some(TaskOutput { main: vec![main] }),
        error: None,
    };
    let src = |node: &str| {
        Some(SourceData {
            previous_node: node.into(),
            previous_node_output: 0,
            previous_node_run: 0,
        })
    };
    let mut middle = items(&[json!({"m": "second"}), json!({"m": "first"})]);
    middle[0].paired_item = Some(PairedItem::item(1));
    middle[1].paired_item = Some(PairedItem::item(0));
    let mut run_data = RunData::new();
    run_data.insert(
        "Source".into(),
        vec![task(items(&[json!({"s": 0}), json!({"s": 1})]), vec![])],
    );
    run_data.insert(
        "Middle".into(),
        vec![task(middle.clone(), vec![src("Source")])],
    );
    let mut input = middle.clone();
    for (i, it) in input.iter_mut().enumerate() {
        it.paired_item = Some(PairedItem::item(i));
    }
    let sb = sandbox(ExprLimits::default());
    let params = json!({});
    let source = [src("Middle")];
    let ev = Evaluator {
        sandbox: &sb,
        scope: NodeScope {
            node: "Current",
            run_index: 0,
            source: &source,
            items: &input,
            params: &params,
            contexts: None,
            clock_offset_ms: 0,
        },
        run_data: &run_data,
    };
    assert_eq!(
        ev.eval_code("$('Source').item.json.s", 0).unwrap(),
        json!(1)
    );
    assert_eq!(
        ev.eval_code("$('Source').item.json.s", 1).unwrap(),
        json!(0)
    );
    assert_eq!(
        ev.eval_code("$('Source').all().length", 0).unwrap(),
        json!(2)
    );
    assert_eq!(
        ev.eval_code("$('Middle').first().json.m", 0).unwrap(),
        json!("second")
    );
    assert_eq!(
        ev.eval_code("$('Nope').isExecuted", 0).unwrap(),
        json!(false)
    );
    assert!(ev.eval_code("$('Nope').first()", 0).is_err());
    assert_eq!(
        ev.resolve_str("=Item {{ $json.m }} of {{ $input.all().length }}", 1)
            .unwrap(),
        json!("Item first of 2")
    );
}

#[test]
fn dates_use_luxon_in_the_workflow_time_zone() {
    let sb = sandbox(ExprLimits::default());
    let input = items(&[json!({"when": "2024-03-10T12:00:00Z"})]);
    let eval = |code: &str| eval_in(&sb, code, &input).unwrap();
    assert_eq!(
        eval("DateTime.fromISO($json.when).toISO()"),
        json!("2024-03-10T08:00:00.000-04:00")
    );
    assert_eq!(
        eval("DateTime.fromISO('2024-01-10T12:00:00Z').toFormat('yyyy-MM-dd HH:mm ZZ')"),
        json!("2024-01-10 07:00 -05:00")
    );
    assert_eq!(
        eval("DateTime.fromISO($json.when).setZone('Asia/Tokyo').toFormat('cccc d LLLL')"),
        json!("Sunday 10 March")
    );
    assert_eq!(
        eval("DateTime.fromISO($json.when).plus({ days: 1 }).toISODate()"),
        json!("2024-03-11")
    );
    assert_eq!(
        eval("Duration.fromObject({ hours: 2 }).as('minutes')"),
        json!(120)
    );
    assert_eq!(eval("$now.zoneName"), json!("America/New_York"));
    assert_eq!(eval("$today.hour"), json!(0));
    assert_eq!(
        eval("DateTime.fromISO('2024-01-01', { zone: 'Fantasia/Castle' }).isValid"),
        json!(false)
    );
    assert_eq!(
        eval(
            "Interval.fromDateTimes(DateTime.fromISO('2024-01-01'), DateTime.fromISO('2024-01-31')).length('days')"
        ),
        json!(30)
    );
}

#[test]
fn n8n_extension_functions_work_on_strings_numbers_arrays_objects_and_dates() {
    let sb = sandbox(ExprLimits::default());
    let input = items(&[
        json!({"name": "ada lovelace", "tags": ["a", "b", "a"], "n": 2.456, "o": {"x": 1, "y": ""}}),
    ]);
    let eval = |code: &str| eval_in(&sb, code, &input).unwrap();
    assert_eq!(eval("$json.name.toTitleCase()"), json!("Ada Lovelace"));
    assert_eq!(eval("'Hello World'.toSnakeCase()"), json!("hello_world"));
    assert_eq!(
        eval("'mail me: ada@example.com'.extractEmail()"),
        json!("ada@example.com")
    );
    // n8n 2.41.1 keeps a `www.` (recorded: tests/n8n/expr-extension-functions).
    assert_eq!(
        eval("'https://www.example.com/a/b?x=1'.extractDomain()"),
        json!("www.example.com")
    );
    assert_eq!(eval("'hi ü'.base64Encode()"), json!("aGkgw7w="));
    assert_eq!(eval("'aGkgw7w='.base64Decode()"), json!("hi ü"));
    assert_eq!(eval("''.isEmpty() && !'x'.isEmpty()"), json!(true));
    assert_eq!(eval("$json.n.round(2)"), json!(2.46));
    assert_eq!(eval("$json.tags.unique()"), json!(["a", "b"]));
    assert_eq!(eval("[1, 2, 3].sum() + [4, 6].average()"), json!(11));
    assert_eq!(eval("$json.tags.first() + $json.tags.last()"), json!("aa"));
    assert_eq!(eval("$json.o.compact()"), json!({"x": 1}));
    assert_eq!(
        eval("$json.o.hasField('y') && !({}).isNotEmpty()"),
        json!(true)
    );
    assert_eq!(
        eval("'2024-01-15'.toDateTime().plus(2, 'days').format('yyyy-MM-dd')"),
        json!("2024-01-17")
    );
    assert_eq!(
        eval("'2024-01-13T10:00:00Z'.toDateTime().isWeekend()"),
        json!(true)
    );
    // Extensions are not enumerable: they never leak into data.
    assert_eq!(eval("Object.keys({a: 1})"), json!(["a"]));
    assert_eq!(eval("JSON.stringify([1])"), json!("[1]"));
}

#[test]
fn jmespath_queries_data() {
    let sb = sandbox(ExprLimits::default());
    let input = items(&[json!({"people": [{"name": "a", "age": 30}, {"name": "b", "age": 20}]})]);
    let got = eval_in(&sb, "$jmespath($json, 'people[?age > `25`].name')", &input).unwrap();
    assert_eq!(got, json!(["a"]));
}

#[test]
fn intl_loads_on_first_use_in_each_context() {
    assert_eq!(eval("typeof Intl.NumberFormat").unwrap(), json!("function"));
    assert_eq!(
        eval("new Intl.DateTimeFormat('en-US', { timeZone: 'UTC' }).resolvedOptions().timeZone")
            .unwrap(),
        json!("UTC")
    );
    assert_eq!(
        eval("$now.setZone('Europe/Paris').zoneName").unwrap(),
        json!("Europe/Paris")
    );
}

#[test]
fn extension_methods_load_on_first_use_and_stay_out_of_enumeration() {
    assert_eq!(
        eval("(() => { const seen = []; for (const k in [7, 8]) seen.push(k); for (const k in { a: 1 }) seen.push(k); return seen; })()")
            .unwrap(),
        json!(["0", "1", "a"])
    );
    assert_eq!(
        eval("'hello world'.toTitleCase()").unwrap(),
        json!("Hello World")
    );
    assert_eq!(eval("[1, 2, 3].sum()").unwrap(), json!(6));
    assert_eq!(eval("({}).isEmpty()").unwrap(), json!(true));
    assert_eq!(
        eval("(() => { const o = {}; o.keys = 5; return o.keys; })()").unwrap(),
        json!(5),
        "user code may still shadow an extension name"
    );
}
