//! Every node type and version the server lists (`GET /api/v1/node-types`) is exercised by a
//! test: a workflow run by the conformance test (n8n's fixtures or Weft's own) or a Rust test
//! that builds a workflow with that type and version.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use serde_json::Value;

fn files(dir: &Path, ext: &str, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let p = entry.path();
        if p.is_dir() {
            files(&p, ext, out);
        } else if p.extension().is_some_and(|e| e == ext) {
            out.push(p);
        }
    }
}

/// `type@version` pairs used by the nodes of workflow JSON files under `dir`.
fn from_workflows(dir: &Path, used: &mut BTreeSet<String>) {
    let mut all = Vec::new();
    files(dir, "json", &mut all);
    for path in all {
        let Ok(Ok(v)) = std::fs::read_to_string(&path).map(|t| serde_json::from_str::<Value>(&t))
        else {
            continue;
        };
        collect(&v, used);
    }
}

/// Nodes anywhere in a JSON value (workflows nest sub-workflows as text too).
fn collect(v: &Value, used: &mut BTreeSet<String>) {
    match v {
        Value::Object(o) => {
            if let (Some(Value::String(t)), Some(Value::Number(n))) =
                (o.get("type"), o.get("typeVersion"))
            {
                used.insert(format!("{t}@{}", n.as_f64().unwrap_or(0.0)));
            }
            o.values().for_each(|x| collect(x, used));
        }
        Value::Array(a) => a.iter().for_each(|x| collect(x, used)),
        Value::String(s) if s.contains("\"typeVersion\"") => {
            if let Ok(inner) = serde_json::from_str::<Value>(s) {
                collect(&inner, used);
            }
        }
        _ => {}
    }
}

/// `type@version` pairs written in Rust tests as `"type": "…", "typeVersion": N`.
fn from_rust(dir: &Path, used: &mut BTreeSet<String>) {
    let mut all = Vec::new();
    files(dir, "rs", &mut all);
    for path in all {
        let text = std::fs::read_to_string(&path).unwrap_or_default();
        for part in text.split("\"type\": \"").skip(1) {
            let Some((name, rest)) = part.split_once('"') else {
                continue;
            };
            let Some(rest) = rest
                .trim_start_matches([',', ' '])
                .strip_prefix("\"typeVersion\": ")
            else {
                continue;
            };
            let number: String = rest
                .chars()
                .take_while(|c| c.is_ascii_digit() || *c == '.')
                .collect();
            if let Ok(v) = number.parse::<f64>() {
                used.insert(format!("{name}@{v}"));
            }
        }
    }
}

#[test]
fn every_listed_node_type_and_version_is_exercised_by_a_test() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let mut used = BTreeSet::new();
    from_workflows(&root.join("tests"), &mut used);
    from_rust(&root.join("tests"), &mut used);
    from_rust(&root.join("crates"), &mut used);
    let fixtures = std::env::var_os("WEFT_CONFORMANCE_DIR")
        .map(PathBuf::from)
        .into_iter()
        .chain([root.join("../shared/conformance")])
        .find(|d| d.join("n8n").is_dir());
    if let Some(dir) = &fixtures {
        from_workflows(&dir.join("n8n"), &mut used);
    }
    let registry = weft_nodes::registry();
    let mut missing = Vec::new();
    for t in registry.types() {
        for v in t.versions() {
            let key = format!("{}@{v}", t.type_name());
            if !used.contains(&key) {
                missing.push(key);
            }
        }
    }
    println!(
        "node coverage: {} type versions not exercised: {missing:?}",
        missing.len()
    );
    if fixtures.is_none() {
        println!(
            "node coverage: n8n fixtures not found, so versions only they exercise are not checked"
        );
        return;
    }
    assert!(
        missing.is_empty(),
        "type versions without a test: {missing:?}"
    );
}
