//! Conformance: runs n8n's own test workflows (kept outside this repository) and compares each
//! pinned node's output with what n8n produced. Prints `conformance: N passed, M failed, K skipped`.
//! Fixtures come from `WEFT_CONFORMANCE_DIR` or `../shared/conformance`; without them it skips.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde_json::{Map, Value};
use weft_engine::run::{ExecutionStatus, Executor, Item, RunOptions, start_node};
use weft_engine::{WorkflowDefinition, WorkflowDraft};

fn fixtures_dir() -> Option<PathBuf> {
    let from_env = std::env::var_os("WEFT_CONFORMANCE_DIR").map(PathBuf::from);
    let beside = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/conformance");
    [from_env, Some(beside)]
        .into_iter()
        .flatten()
        .find(|d| d.join("n8n").is_dir())
}

/// `path<TAB>reason` lines from `tests/conformance-skips.txt`.
fn skips() -> BTreeMap<String, String> {
    let file = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/conformance-skips.txt");
    let text = std::fs::read_to_string(file).unwrap_or_default();
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .filter_map(|l| {
            l.split_once('\t')
                .map(|(p, r)| (p.trim().to_owned(), r.trim().to_owned()))
        })
        .collect()
}

fn files(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| e.path())
        .collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            files(&p, out);
        } else if p.extension().is_some_and(|e| e == "json") {
            out.push(p);
        }
    }
}

/// JavaScript `toEqual` on JSON: numbers by value; the first differing path, if any.
fn diff(path: &str, expected: &Value, actual: &Value) -> Option<String> {
    match (expected, actual) {
        (Value::Number(a), Value::Number(b)) if a.as_f64() == b.as_f64() => None,
        (Value::Array(a), Value::Array(b)) => {
            if a.len() != b.len() {
                return Some(format!(
                    "{path}: expected {} items, got {}",
                    a.len(),
                    b.len()
                ));
            }
            a.iter()
                .zip(b)
                .enumerate()
                .find_map(|(i, (x, y))| diff(&format!("{path}[{i}]"), x, y))
        }
        (Value::Object(a), Value::Object(b)) => {
            let keys: std::collections::BTreeSet<&String> = a.keys().chain(b.keys()).collect();
            keys.into_iter().find_map(|k| {
                let x = a.get(k).unwrap_or(&Value::Null);
                let y = b.get(k).unwrap_or(&Value::Null);
                match (a.get(k), b.get(k)) {
                    (Some(_), None) => Some(format!("{path}.{k}: missing, expected {x}")),
                    (None, Some(_)) => Some(format!("{path}.{k}: unexpected {y}")),
                    _ => diff(&format!("{path}.{k}"), x, y),
                }
            })
        }
        _ if expected == actual => None,
        _ => Some(format!("{path}: expected {expected}, got {actual}")),
    }
}

enum Outcome {
    Pass,
    Fail(String),
}

mod support;

/// How Weft's own workflows name the local test server: by address and by host name.
const TEST_HOST: &str = "weft-test-host";
const TEST_NAME: &str = "weft-test-name";

async fn run_fixture(path: &Path, base_url: &str) -> Outcome {
    let authority = base_url.trim_start_matches("http://");
    let by_name = authority.replace("127.0.0.1", "localhost");
    let text = std::fs::read_to_string(path)
        .map(|t| t.replace(TEST_HOST, authority).replace(TEST_NAME, &by_name));
    let mut raw: Value = match text.map(|t| serde_json::from_str(&t)) {
        Ok(Ok(v)) => v,
        _ => return Outcome::Fail("unreadable fixture".into()),
    };
    // n8n's test workflows may have no name; it carries nothing for the run.
    if let Some(o) = raw.as_object_mut()
        && !o.get("name").is_some_and(Value::is_string)
    {
        o.insert("name".into(), Value::String("fixture".into()));
    }
    let expected: Map<String, Value> = raw
        .as_object_mut()
        .and_then(|o| o.remove("pinData"))
        .and_then(|p| p.as_object().cloned())
        .unwrap_or_default();
    let def = match serde_json::from_value::<WorkflowDraft>(raw).map(WorkflowDefinition::try_from) {
        Ok(Ok(def)) => def,
        Ok(Err(issues)) => return Outcome::Fail(format!("invalid workflow: {issues:?}")),
        Err(e) => return Outcome::Fail(format!("unparseable workflow: {e}")),
    };
    // n8n's harness mocks the file system for Read Binary Files; we give the node a real folder
    // holding the same file (`/test/binary.data` = "test").
    let registry = weft_nodes::registry_with(&weft_nodes::Settings {
        files_root: Some(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/conformance-files")),
        // The test server is on loopback; `localhost` is a second breaker key for it.
        http: weft_nodes::http::HttpSettings {
            allow: weft_nodes::http::guard::Allowlist::parse("127.0.0.1, localhost").unwrap(),
            breaker_failures: 3,
            breaker_cooldown: std::time::Duration::from_secs(60),
        },
    });
    let missing = registry.unsupported(def.nodes());
    if !missing.is_empty() {
        let names: Vec<String> = missing.iter().map(|(t, v)| format!("{t}@{v}")).collect();
        return Outcome::Fail(format!("unsupported nodes: {}", names.join(", ")));
    }
    let Some(start) = start_node(&def, &registry) else {
        return Outcome::Fail("no start node".into());
    };
    let options = RunOptions {
        start_node: start.name.clone(),
        start_items: vec![Item::default()],
        mode: "manual".into(),
        execution_id: "conformance".into(),
        workflow_id: "conformance".into(),
        // Waits jump a virtual clock (n8n's own tests use fake timers).
        virtual_clock: true,
        ..RunOptions::default()
    };
    let result = Executor::new(&def, &registry).run(options).await;
    if result.status != ExecutionStatus::Success {
        let why = result.result_data.error.map(|e| {
            format!(
                "{} (node {})",
                e.message,
                e.node.map(|n| n.name).unwrap_or_default()
            )
        });
        return Outcome::Fail(format!(
            "execution ended {:?}: {}",
            result.status,
            why.unwrap_or_default()
        ));
    }
    for (node, items) in &expected {
        let Some(runs) = result.result_data.run_data.get(node) else {
            return Outcome::Fail(format!("Data for node \"{node}\" is missing!"));
        };
        let actual: Vec<Value> = runs
            .iter()
            .map(|run| match &run.data {
                Some(d) => Value::Array(
                    d.main
                        .first()
                        .into_iter()
                        .flatten()
                        .map(|i| Value::Object(i.json.clone()))
                        .collect(),
                ),
                None => Value::Null,
            })
            .collect();
        let wanted: Vec<Value> = vec![Value::Array(
            items
                .as_array()
                .into_iter()
                .flatten()
                .map(|i| i.get("json").cloned().unwrap_or(Value::Null))
                .collect(),
        )];
        if let Some(d) = diff(node, &Value::Array(wanted), &Value::Array(actual)) {
            return Outcome::Fail(d);
        }
    }
    Outcome::Pass
}

struct Tally {
    passed: usize,
    failed: usize,
    skipped: usize,
    /// Failures that are not explained by a missing node type.
    regressions: Vec<String>,
}

async fn run_suite(root: &Path, dir: &Path, skips: &BTreeMap<String, String>) -> Tally {
    let (base_url, _server) = support::serve().await;
    let mut all = Vec::new();
    files(dir, &mut all);
    let mut tally = Tally {
        passed: 0,
        failed: 0,
        skipped: 0,
        regressions: Vec::new(),
    };
    for path in &all {
        let rel = path
            .strip_prefix(root)
            .unwrap_or(path)
            .display()
            .to_string();
        if let Some(reason) = skips.get(&rel) {
            tally.skipped += 1;
            println!("skip  {rel}: {reason}");
            continue;
        }
        match run_fixture(path, &base_url).await {
            Outcome::Pass => tally.passed += 1,
            Outcome::Fail(why) => {
                tally.failed += 1;
                if !why.starts_with("unsupported nodes") {
                    tally.regressions.push(format!("{rel}: {why}"));
                }
                println!("FAIL  {rel}: {why}");
            }
        }
    }
    tally
}

#[tokio::test(flavor = "current_thread")]
async fn weft_workflows_produce_their_pinned_outputs() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests");
    let tally = run_suite(&root, &root.join("conformance"), &BTreeMap::new()).await;
    println!(
        "conformance (weft workflows): {} passed, {} failed, {} skipped",
        tally.passed, tally.failed, tally.skipped
    );
    assert!(tally.passed >= 4, "the workflows in tests/conformance ran");
    assert_eq!(tally.failed, 0, "every Weft workflow must pass");
}

#[tokio::test(flavor = "current_thread")]
async fn n8n_fixtures_produce_n8ns_outputs() {
    let Some(dir) = fixtures_dir() else {
        println!(
            "conformance: fixtures not found (set WEFT_CONFORMANCE_DIR or place them in ../shared/conformance); skipped"
        );
        return;
    };
    let tally = run_suite(&dir, &dir.join("n8n"), &skips()).await;
    println!(
        "conformance: {} passed, {} failed, {} skipped",
        tally.passed, tally.failed, tally.skipped
    );
    assert!(
        tally.regressions.is_empty(),
        "fixtures whose nodes are all supported must pass (or be listed in tests/conformance-skips.txt with a reason):\n{}",
        tally.regressions.join("\n")
    );
}
