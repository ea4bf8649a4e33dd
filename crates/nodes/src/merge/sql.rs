//! Merge v3's "Combine by SQL Query": the inputs as tables `input1`, `input2`, … queried with
//! alasql (the engine n8n uses, see `weft_engine::expr::sql`), results as items. From 3.1 a
//! query starting with `select` keeps each row's own item lineage; any other query (or one that
//! fails that way) pairs every result with every input item, as n8n does.

use serde_json::{Map, Value, json};
use weft_engine::expr::sql::{SqlError, SqlLimits, run_alasql};
use weft_engine::run::{Item, NodeContext, NodeError, PairedItem, PairedItemRef};

use super::{param, version};

const DEFAULT_QUERY: &str = "SELECT * FROM input1 LEFT JOIN input2 ON input1.name = input2.id";

fn error(e: SqlError) -> NodeError {
    let (message, description) = match e {
        SqlError::OutOfMemory => (
            "Dataset too large for the SQL sandbox",
            "Try filtering or aggregating upstream, or split the input into smaller batches before the Merge node.".to_owned(),
        ),
        SqlError::Timeout => (
            "SQL query exceeded the 30 second execution limit",
            "Simplify the query (remove unnecessary JOINs) or reduce the number of input rows."
                .to_owned(),
        ),
        SqlError::Query(raw) => ("Issue while executing query", raw),
    };
    NodeError {
        message: message.into(),
        description: Some(description),
        item_index: Some(0),
    }
}

/// The `queryParameters` option as n8n reads it: `"a, 2"` is `["a", 2]`.
fn parameters(raw: Option<&Value>) -> Result<Vec<Value>, NodeError> {
    let at = |message: String| NodeError {
        message,
        description: None,
        item_index: Some(0),
    };
    match raw {
        None | Some(Value::Null) => Ok(Vec::new()),
        Some(Value::String(s)) if s.is_empty() => Ok(Vec::new()),
        Some(Value::String(s)) => Ok(s
            .split(',')
            .map(|part| {
                let part = part.trim();
                match part.parse::<f64>() {
                    Ok(n) if !part.is_empty() && n.is_finite() => json!(n),
                    _ => json!(part),
                }
            })
            .collect()),
        Some(n @ Value::Number(_)) => Ok(vec![n.clone()]),
        Some(Value::Array(list)) => list
            .iter()
            .enumerate()
            .map(|(i, v)| match v {
                Value::Object(_) | Value::Array(_) => Err(at(format!(
                    "Query parameter {} must be a string, number, boolean, or null",
                    i + 1
                ))),
                other => Ok(other.clone()),
            })
            .collect(),
        Some(_) => Err(at(
            "Query parameters must be a string, number, or array".into()
        )),
    }
}

/// n8n's `modifySelectQuery`: a select list other than `*` also selects each input's
/// `pairedItem`.
fn with_paired_columns(query: &str, inputs: usize) -> String {
    let lower = query.to_ascii_lowercase();
    let Some(start) = lower.find("select") else {
        return query.to_owned();
    };
    let after = &query[start + 6..];
    if !after.starts_with(char::is_whitespace) {
        return query.to_owned();
    }
    // `.+?` does not cross a line, so the select list ends at the first FROM on its line.
    let line_end = after.find('\n').unwrap_or(after.len());
    let Some(from) = after[..line_end].to_ascii_lowercase().find(" from") else {
        return query.to_owned();
    };
    let columns = after[..from].trim();
    if columns == "*" || columns.is_empty() {
        return query.to_owned();
    }
    let extra: Vec<String> = (1..=inputs)
        .filter(|k| query.contains(&format!("input{k}")))
        .map(|k| format!("input{k}.pairedItem AS pairedItem{k}"))
        .collect();
    if extra.is_empty() {
        return query.to_owned();
    }
    let end = start + 6 + from;
    format!(
        "{} {columns}, {}{}",
        &query[..start + 6],
        extra.join(", "),
        &query[end..]
    )
}

fn refs_of(value: &Value, out: &mut Vec<PairedItemRef>) {
    match value {
        Value::Number(n) => out.push(PairedItemRef {
            item: n.as_u64().unwrap_or(0) as u32,
            input: None,
        }),
        Value::Array(list) => list.iter().for_each(|v| refs_of(v, out)),
        Value::Object(o) => out.push(PairedItemRef {
            item: o.get("item").and_then(Value::as_u64).unwrap_or(0) as u32,
            input: o.get("input").and_then(Value::as_u64).map(|i| i as u32),
        }),
        _ => {}
    }
}

/// The result's rows as n8n walks them: arrays spread, objects taken, anything else dropped.
fn rows(result: Value) -> Result<Vec<Map<String, Value>>, NodeError> {
    let Value::Array(top) = result else {
        return Err(error(SqlError::Query("result is not iterable".into())));
    };
    let mut out = Vec::new();
    for entry in top {
        match entry {
            Value::Array(list) => out.extend(list.into_iter().map(|row| match row {
                Value::Object(map) => map,
                _ => Map::new(),
            })),
            Value::Object(map) => out.push(map),
            _ => {}
        }
    }
    Ok(out)
}

fn success() -> Item {
    Item::from_value(json!({"success": true}))
}

/// The node's output for `inputs`.
pub fn run(ctx: &NodeContext<'_>, inputs: &[Vec<Item>]) -> Result<Vec<Item>, NodeError> {
    let node = ctx.node;
    let v = version(node);
    let raw = match ctx.parameter("query", 0)? {
        Value::String(s) => s,
        Value::Null => DEFAULT_QUERY.to_owned(),
        other => crate::util::js_string(&other),
    };
    // `{{ }}` inside the query is resolved for the first item and spliced in as text.
    let query = if raw.contains("{{") {
        crate::util::js_string(&ctx.resolve(&Value::String(format!("={raw}")), 0)?)
    } else {
        raw
    };
    let params = parameters(param(node, "/options/queryParameters"))?;
    let success_if_empty = v <= 3.1
        || param(node, "/options/emptyQueryResult").and_then(Value::as_str) == Some("success");
    if v >= 3.1 && query.to_lowercase().starts_with("select") {
        let tables: Vec<Vec<Value>> = inputs
            .iter()
            .map(|items| {
                items
                    .iter()
                    .map(|item| {
                        let mut row = item.json.clone();
                        row.insert(
                            "pairedItem".into(),
                            serde_json::to_value(&item.paired_item).unwrap_or(Value::Null),
                        );
                        Value::Object(row)
                    })
                    .collect()
            })
            .collect();
        let query = with_paired_columns(&query, inputs.len());
        // As n8n: if this way fails, the query runs again the plain way below.
        if let Ok(result) = run_alasql(&tables, &query, &params, SqlLimits::default())
            && let Ok(rows) = rows(result)
        {
            let mut out: Vec<Item> = rows
                .into_iter()
                .map(|row| {
                    let mut refs = Vec::new();
                    let mut json = Map::new();
                    for (k, v) in row {
                        if k.starts_with("pairedItem") {
                            refs_of(&v, &mut refs);
                        } else {
                            json.insert(k, v);
                        }
                    }
                    Item {
                        json,
                        paired_item: Some(PairedItem::Many(refs)),
                        ..Item::default()
                    }
                })
                .collect();
            if out.is_empty() && success_if_empty {
                out.push(success());
            }
            return Ok(out);
        }
    }
    let mut shared = Vec::new();
    for (i, items) in inputs.iter().enumerate() {
        for (index, item) in items.iter().enumerate() {
            let mut refs = Vec::new();
            match &item.paired_item {
                None => refs.push(PairedItemRef {
                    item: index as u32,
                    input: None,
                }),
                Some(p) => refs_of(&serde_json::to_value(p).unwrap_or(Value::Null), &mut refs),
            }
            shared.extend(refs.into_iter().map(|r| PairedItemRef {
                item: r.item,
                input: Some(i as u32),
            }));
        }
    }
    let tables: Vec<Vec<Value>> = inputs
        .iter()
        .map(|items| {
            items
                .iter()
                .map(|i| Value::Object(i.json.clone()))
                .collect()
        })
        .collect();
    let result = run_alasql(&tables, &query, &params, SqlLimits::default()).map_err(error)?;
    let mut out: Vec<Item> = rows(result)?.into_iter().map(Item::new).collect();
    if out.is_empty() && success_if_empty {
        out.push(success());
    }
    for item in &mut out {
        item.paired_item = Some(PairedItem::Many(shared.clone()));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_select_list_also_selects_each_named_inputs_paired_item() {
        assert_eq!(
            with_paired_columns("SELECT a.x, b FROM input1 a JOIN input2 ON 1", 2),
            "SELECT a.x, b, input1.pairedItem AS pairedItem1, input2.pairedItem AS pairedItem2 FROM input1 a JOIN input2 ON 1"
        );
        assert_eq!(
            with_paired_columns("SELECT * FROM input1", 2),
            "SELECT * FROM input1"
        );
    }

    #[test]
    fn query_parameters_are_read_as_n8n_reads_them() {
        assert_eq!(
            parameters(Some(&json!("a, 2,"))).unwrap(),
            vec![json!("a"), json!(2.0), json!("")]
        );
        assert!(parameters(Some(&json!([{"x": 1}]))).is_err());
        assert!(parameters(Some(&json!(true))).is_err());
    }
}
