//! Configuration parsing: defaults, n8n's variable names, and a clear error per bad value.

use clap::Parser;

use super::{Config, DatabaseUrl};
use crate::cli::Cli;

fn parse(args: &[&str]) -> Result<Config, super::ConfigError> {
    let mut argv = vec!["weft"];
    argv.extend_from_slice(args);
    Config::from_args(&Cli::try_parse_from(argv).expect("arguments parse").settings)
}

#[test]
fn defaults_give_an_embedded_sqlite_service_on_port_5678() {
    let c = parse(&[]).unwrap();
    assert_eq!(c.listen.port(), 5678);
    assert!(matches!(c.database.url, DatabaseUrl::Sqlite(ref u) if u.contains("weft.db")));
    assert!(c.redis_url.is_none());
    assert_eq!(c.max_body_bytes, 16 * 1024 * 1024);
    assert_eq!((c.database.pool_max, c.database.pool_min), (20, 5));
}

#[test]
fn each_bad_value_names_its_variable() {
    let cases: &[(&[&str], &str)] = &[
        (&["--listen", "127.0.0.1:70000"], "WEFT_LISTEN"),
        (&["--database-url", "mysql://x/y"], "DATABASE_URL"),
        (&["--database-url", "postgres://h:99999/db"], "DATABASE_URL"),
        (&["--database-url", "not a url"], "DATABASE_URL"),
        (
            &["--database-replica-urls", "postgres://a/b"],
            "DATABASE_REPLICA_URLS",
        ),
        (&["--redis-url", "http://x"], "REDIS_URL"),
        (&["--encryption-key", "too-short"], "WEFT_ENCRYPTION_KEY"),
        (&["--database-pool-max", "lots"], "DATABASE_POOL_MAX"),
        (&["--database-pool-min", "50"], "DATABASE_POOL_MIN"),
        (
            &["--database-acquire-timeout-ms=-1"],
            "DATABASE_ACQUIRE_TIMEOUT_MS",
        ),
        (&["--max-body-bytes", "1e9"], "WEFT_MAX_BODY_BYTES"),
        (&["--log-format", "xml"], "WEFT_LOG_FORMAT"),
        (&["--run-wait-ms", "soon"], "WEFT_RUN_WAIT_MS"),
        (
            &["--expression-timeout-ms", "0"],
            "WEFT_EXPRESSION_TIMEOUT_MS",
        ),
        (
            &["--expression-memory-mb", "1"],
            "WEFT_EXPRESSION_MEMORY_MB",
        ),
    ];
    for (args, var) in cases {
        let err = parse(args).expect_err(&format!("{args:?} should fail"));
        assert_eq!(err.variable, *var, "{args:?}");
    }
}

#[test]
fn a_postgres_password_never_prints() {
    let c = parse(&["--database-url", "postgres://u:hunter2@db/weft"]).unwrap();
    let shown = format!("{c:?}");
    assert!(!shown.contains("hunter2"), "{shown}");
}
