//! SQL over items for the Merge node's "Combine by SQL Query": alasql 4.4.0 — the library and
//! version n8n runs — in a QuickJS runtime of its own for each query, with nothing of the host
//! in it, a memory cap and a time limit; alasql's file and network sources and targets throw,
//! as in n8n's sandbox.

use std::time::{Duration, Instant};

use rquickjs::{CatchResultExt, CaughtError, Context, Function, Runtime};
use serde_json::Value;

const ALASQL: &str = include_str!("vendor/alasql.min.js");

/// The sandbox set-up around alasql, as n8n's: network and file access throws.
const BEFORE: &str = r"
function blockedNetworkOrFileApi() { throw new Error('Network and file system access is disabled in the SQL sandbox'); }
Object.defineProperty(globalThis, 'fetch', { value: blockedNetworkOrFileApi, writable: false, configurable: false });
Object.defineProperty(globalThis, 'XMLHttpRequest', { value: blockedNetworkOrFileApi, writable: false, configurable: false });
";
const AFTER: &str = r"
['FILE', 'JSON', 'JSONL', 'NDJSON', 'TXT', 'TSV', 'TAB', 'CSV',
 'XLS', 'XLSX', 'ODS', 'XML', 'HTML', 'GEXF', 'METEOR', 'TABLETOP',
].forEach(function (source) { alasql.from[source] = blockedNetworkOrFileApi; });
Object.keys(alasql.into).forEach(function (target) { alasql.into[target] = blockedNetworkOrFileApi; });
Object.freeze(alasql.from);
Object.freeze(alasql.into);
Object.freeze(alasql.fn);
globalThis.__runSql = function (tablesJson, query, paramsJson) {
  const tables = JSON.parse(tablesJson);
  const db = new alasql.Database('weft');
  for (let i = 0; i < tables.length; i++) {
    db.exec('CREATE TABLE input' + (i + 1));
    db.tables['input' + (i + 1)].data = tables[i];
  }
  const out = JSON.stringify(db.exec(query, JSON.parse(paramsJson)));
  return out === undefined ? 'null' : out;
};
";

/// How much one query may use.
#[derive(Debug, Clone, Copy)]
pub struct SqlLimits {
    pub memory_bytes: usize,
    pub timeout: Duration,
}

impl Default for SqlLimits {
    /// n8n's: 64 MiB and 30 seconds.
    fn default() -> Self {
        Self {
            memory_bytes: 64 << 20,
            timeout: Duration::from_secs(30),
        }
    }
}

/// Why a query gave no result.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum SqlError {
    #[error("the query needs more memory than the SQL sandbox has")]
    OutOfMemory,
    #[error("the query ran longer than the SQL sandbox allows")]
    Timeout,
    /// alasql's own message (a parse error, a missing table, a blocked source, …).
    #[error("{0}")]
    Query(String),
}

/// Runs `query` with `params` (for `?`) over `tables` (`tables[i]` is the rows of `input{i+1}`)
/// and returns what alasql's `exec` returned.
pub fn run_alasql(
    tables: &[Vec<Value>],
    query: &str,
    params: &[Value],
    limits: SqlLimits,
) -> Result<Value, SqlError> {
    let engine = |e: rquickjs::Error| SqlError::Query(e.to_string());
    let runtime = Runtime::new().map_err(engine)?;
    runtime.set_memory_limit(limits.memory_bytes);
    runtime.set_max_stack_size(1 << 20);
    let deadline = Instant::now() + limits.timeout;
    runtime.set_interrupt_handler(Some(Box::new(move || Instant::now() > deadline)));
    let context = Context::full(&runtime).map_err(engine)?;
    let tables = serde_json::to_string(tables).map_err(|e| SqlError::Query(e.to_string()))?;
    let params = serde_json::to_string(params).map_err(|e| SqlError::Query(e.to_string()))?;
    let outcome = context.with(|ctx| {
        let run = || -> rquickjs::Result<String> {
            ctx.eval::<(), _>(BEFORE)?;
            ctx.eval::<(), _>(ALASQL)?;
            ctx.eval::<(), _>(AFTER)?;
            let f: Function = ctx.globals().get("__runSql")?;
            f.call((tables, query, params))
        };
        run().catch(&ctx).map_err(|err| match err {
            CaughtError::Exception(e) => (e.message().unwrap_or_else(|| e.to_string()), false),
            CaughtError::Value(v) => (format!("{v:?}"), false),
            CaughtError::Error(rquickjs::Error::Allocation) => (String::new(), true),
            CaughtError::Error(e) => (e.to_string(), false),
        })
    });
    match outcome {
        Ok(text) => serde_json::from_str(&text).map_err(|e| SqlError::Query(e.to_string())),
        Err((_, true)) => Err(SqlError::OutOfMemory),
        Err((message, _)) if message.contains("out of memory") => Err(SqlError::OutOfMemory),
        Err((message, _)) if Instant::now() > deadline && message.contains("interrupted") => {
            Err(SqlError::Timeout)
        }
        Err((message, _)) => Err(SqlError::Query(message)),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn run(query: &str) -> Result<Value, SqlError> {
        let input1 = vec![json!({"id": 1, "name": "a"}), json!({"id": 3, "name": "c"})];
        let input2 = vec![json!({"id": 1, "name": "B1", "score": 9})];
        run_alasql(&[input1, input2], query, &[], SqlLimits::default())
    }

    #[test]
    fn a_left_join_merges_rows_key_by_key_as_alasql_does() {
        let out = run("SELECT * FROM input1 LEFT JOIN input2 ON input1.id = input2.id").unwrap();
        assert_eq!(
            out,
            json!([{"id": 1, "name": "B1", "score": 9}, {"id": 3, "name": "c"}])
        );
    }

    #[test]
    fn file_and_network_sources_are_refused() {
        for query in [
            "SELECT * FROM CSV('/etc/passwd')",
            "SELECT * INTO CSV('/tmp/out.csv') FROM input1",
            "SELECT * FROM FILE('/etc/passwd')",
        ] {
            let err = run(query).unwrap_err();
            assert!(
                err.to_string().contains("disabled in the SQL sandbox"),
                "{query}: {err}"
            );
        }
    }

    #[test]
    fn code_reached_through_alasql_finds_nothing_of_the_host() {
        let out = run("SELECT {}.constructor->constructor->[call]('', 'return [typeof process, typeof require, typeof std, typeof os, typeof __load].join()') AS r FROM input1")
            .unwrap();
        let text = out.to_string();
        assert!(
            !text.contains("object") && !text.contains("function"),
            "{text}"
        );
    }

    #[test]
    fn a_runaway_query_stops_at_the_time_limit() {
        let rows: Vec<Value> = (0..3000).map(|i| json!({"i": i})).collect();
        let limits = SqlLimits {
            memory_bytes: 256 << 20,
            timeout: Duration::from_millis(300),
        };
        let err = run_alasql(
            &[rows.clone(), rows.clone(), rows],
            "SELECT COUNT(*) AS n FROM input1, input2, input3",
            &[],
            limits,
        )
        .unwrap_err();
        assert_eq!(err, SqlError::Timeout);
    }
}
