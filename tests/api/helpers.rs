//! `TestApp`: spawns the real application on port 0 against a fresh database, and talks to it.

use std::sync::OnceLock;
use std::time::{Duration, Instant};

use migration::MigratorTrait;
use reqwest::{Response, StatusCode};
use sea_orm::sqlx::{Connection, Executor, PgConnection};
use serde_json::{Value, json};
use weft::cli::SettingsArgs;
use weft::config::Config;
use weft::db::Db;
use weft::startup::Application;

/// The Postgres server tests create their databases on; trust auth on these machines.
pub fn pg_admin_url() -> String {
    std::env::var("WEFT_TEST_POSTGRES_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".to_owned())
}

pub fn redis_url() -> String {
    std::env::var("WEFT_TEST_REDIS_URL").unwrap_or_else(|_| "redis://127.0.0.1:6379".to_owned())
}

pub fn pg_url_for(database: &str) -> String {
    let admin = pg_admin_url();
    let base = admin.rsplit_once('/').map_or(admin.as_str(), |(b, _)| b);
    format!("{base}/{database}")
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Postgres,
    Sqlite,
}

/// Runs an async test body once per backend: `backends!(name => body_fn);`
#[macro_export]
macro_rules! on_both_backends {
    ($($name:ident),* $(,)?) => {
        mod postgres {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    super::$name($crate::helpers::Backend::Postgres).await
                }
            )*
        }
        mod sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    super::$name($crate::helpers::Backend::Sqlite).await
                }
            )*
        }
    };
}

/// The template database name: a hash of the migration sources, so any change to a migration
/// (including one not yet landed) makes a new template instead of reusing a stale schema.
fn template_name() -> &'static str {
    static NAME: OnceLock<String> = OnceLock::new();
    NAME.get_or_init(|| {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("migration/src");
        let mut files: Vec<_> = std::fs::read_dir(&dir)
            .expect("migration sources")
            .map(|e| e.expect("dir entry").path())
            .collect();
        files.sort();
        let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
        for file in files {
            for b in std::fs::read(&file)
                .expect("read migration")
                .into_iter()
                .chain(file.to_string_lossy().bytes())
            {
                hash = (hash ^ u64::from(b)).wrapping_mul(0x100_0000_01b3);
            }
        }
        format!("weft_tpl_{hash:016x}")
    })
}

fn sql(text: String) -> sea_orm::sqlx::RawSql {
    sea_orm::sqlx::raw_sql(sea_orm::sqlx::AssertSqlSafe(text))
}

/// Makes sure a migrated template exists (once per machine and migration set, under an
/// advisory lock so parallel test processes agree), then clones it into a new database.
pub async fn fresh_postgres_database() -> String {
    let mut admin = PgConnection::connect(&pg_admin_url())
        .await
        .expect("connect to Postgres (is it running? see scripts/test)");
    let template = template_name();
    admin
        .execute("SELECT pg_advisory_lock(7261001)")
        .await
        .expect("advisory lock");
    let exists = sea_orm::sqlx::query("SELECT 1 FROM pg_database WHERE datname = $1")
        .bind(template)
        .fetch_optional(&mut admin)
        .await
        .expect("look up template")
        .is_some();
    if !exists {
        let staging = format!("weft_stage_{}", uuid::Uuid::now_v7().simple());
        admin
            .execute(sql(format!("CREATE DATABASE {staging}")))
            .await
            .expect("create staging db");
        let db = sea_orm::Database::connect(pg_url_for(&staging))
            .await
            .expect("connect staging");
        migration::Migrator::up(&db, None)
            .await
            .expect("migrate template");
        db.close().await.expect("close staging");
        admin
            .execute(sql(format!(
                "ALTER DATABASE {staging} RENAME TO {template}"
            )))
            .await
            .expect("publish template");
    }
    admin
        .execute("SELECT pg_advisory_unlock(7261001)")
        .await
        .expect("advisory unlock");
    let name = format!("weft_t_{}", uuid::Uuid::now_v7().simple());
    admin
        .execute(sql(format!("CREATE DATABASE {name} TEMPLATE {template}")))
        .await
        .expect("clone template");
    let _ = admin.close().await;
    name
}

pub fn drop_postgres_database(name: String) {
    // Drop runs outside any async context we can rely on, so use a short-lived runtime.
    let _ = std::thread::spawn(move || {
        let Ok(rt) = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
        else {
            return;
        };
        rt.block_on(async {
            if let Ok(mut admin) = PgConnection::connect(&pg_admin_url()).await {
                let _ = admin
                    .execute(sql(format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)")))
                    .await;
                let _ = admin.close().await;
            }
        });
    })
    .join();
}

/// The access-token secret of Postgres test apps (SQLite ones make their own).
pub const TEST_JWT_SECRET: &str = "weft-test-jwt-secret-of-at-least-32-chars";

/// A new all-scopes API key of the owner (made if the start made none, as on Postgres).
pub async fn owner_key(db: &Db) -> weft::auth::ApiKeySecret {
    use weft::store;
    let owner = match store::users::owner(db).await.expect("read the owner") {
        Some(owner) => owner,
        None => store::users::create_owner_if_none(db, "owner@example.com", None)
            .await
            .expect("create the owner")
            .expect("no user yet"),
    };
    let (_, key) = store::api_keys::create(
        db,
        &store::api_keys::NewApiKey {
            user_id: owner.id,
            label: "tests".into(),
            scopes: weft::auth::Scopes::All,
            expires_at: None,
        },
    )
    .await
    .expect("create a key");
    key
}

/// Marks a test app as regular mode even when the suite runs in queue mode (for what only
/// regular mode does, such as running without Redis).
const REGULAR_ONLY: &str = "regular (even in a queue-mode run of the suite)";

pub fn regular_only(s: &mut SettingsArgs) {
    s.executions_mode = REGULAR_ONLY.into();
}

/// Settings as the binary's defaults, with nothing read from the environment.
pub fn settings(database_url: String) -> SettingsArgs {
    SettingsArgs {
        listen: "127.0.0.1:0".into(),
        data_dir: std::env::temp_dir()
            .join("weft-tests")
            .display()
            .to_string(),
        database_url: Some(database_url),
        database_replica_urls: None,
        database_pool_max: "5".into(),
        database_pool_min: "0".into(),
        database_acquire_timeout_ms: "5000".into(),
        redis_url: None,
        encryption_key: None,
        max_body_bytes: "16777216".into(),
        http_workers: "2".into(),
        execution_concurrency: "4".into(),
        code_sandbox: "process".into(),
        owner_email: None,
        owner_password_file: None,
        jwt_secret: None,
        rate_limit_login_per_minute: "10".into(),
        rate_limit_api_per_minute: "0".into(),
        trusted_proxies: String::new(),
        cors_origins: String::new(),
        jwt_access_ttl_secs: "900".into(),
        jwt_refresh_ttl_secs: "1209600".into(),
        run_wait_ms: "10000".into(),
        test_webhook_ttl_ms: "120000".into(),
        nodes: weft::cli::NodeArgs {
            files_root: String::new(),
            http_allow: String::new(),
            http_breaker_failures: "5".into(),
            http_breaker_cooldown_ms: "30000".into(),
        },
        wait_pause_after_secs: "65".into(),
        idempotency_window_secs: "86400".into(),
        expression_timeout_ms: "1000".into(),
        expression_memory_mb: "64".into(),
        execution_max_items: "100000".into(),
        execution_max_mb: "64".into(),
        max_node_runs: "100000".into(),
        subworkflow_starts_per_minute: "600".into(),
        generic_timezone: "America/New_York".into(),
        public_url: "http://localhost:5678".into(),
        schedule_catch_up_secs: "0".into(),
        executions_data_prune: "true".into(),
        executions_data_max_age: "336".into(),
        executions_data_prune_max_count: "10000".into(),
        executions_data_hard_delete_buffer: "1".into(),
        executions_data_prune_soft_delete_interval: "60".into(),
        executions_data_prune_hard_delete_interval: "15".into(),
        executions_mode: "regular".into(),
        worker_listen: "127.0.0.1:0".into(),
        lease_ms: "30000".into(),
        max_attempts: "3".into(),
        shutdown_timeout_secs: "30".into(),
        reconcile_every_ms: "5000".into(),
        sync_webhooks_in_api: "false".into(),
        body_timeout_ms: "30000".into(),
        log: "warn".into(),
        log_format: "text".into(),
    }
}

pub struct TestApp {
    pub address: String,
    pub client: reqwest::Client,
    pub db: Db,
    database_url: String,
    pg_database: Option<String>,
    _sqlite_dir: Option<tempfile::TempDir>,
}

impl Drop for TestApp {
    fn drop(&mut self) {
        if let Some(name) = self.pg_database.take() {
            drop_postgres_database(name);
        }
    }
}

impl TestApp {
    pub async fn spawn(backend: Backend) -> Self {
        Self::spawn_with(backend, |_| {}).await
    }

    pub async fn spawn_with(backend: Backend, adjust: impl FnOnce(&mut SettingsArgs)) -> Self {
        Self::spawn_inner(backend, adjust, true).await
    }

    /// An app whose client sends no key; on Postgres it has no user at all yet.
    pub async fn spawn_bare(backend: Backend) -> Self {
        Self::spawn_inner(backend, |_| {}, false).await
    }

    async fn spawn_inner(
        backend: Backend,
        adjust: impl FnOnce(&mut SettingsArgs),
        with_key: bool,
    ) -> Self {
        let (url, pg_database, sqlite_dir) = match backend {
            Backend::Postgres => {
                let name = fresh_postgres_database().await;
                (pg_url_for(&name), Some(name), None)
            }
            Backend::Sqlite => {
                let dir = tempfile::tempdir().expect("tempdir");
                let url = format!("sqlite://{}?mode=rwc", dir.path().join("weft.db").display());
                (url, None, Some(dir))
            }
        };
        let mut args = settings(url.clone());
        if let Some(dir) = &sqlite_dir {
            // The embedded first start writes the owner's key file here.
            args.data_dir = dir.path().display().to_string();
        }
        if backend == Backend::Postgres {
            // SQLite keeps keys of its own in the data directory; Postgres needs them given.
            args.encryption_key = Some("weft-test-encryption-key".into());
            args.jwt_secret = Some(TEST_JWT_SECRET.into());
        }
        adjust(&mut args);
        let mut app = Self::start(args, with_key).await;
        app.database_url = url;
        app.pg_database = pg_database;
        app._sqlite_dir = sqlite_dir;
        app
    }

    /// A second instance on this one's Postgres database (as another API pod would be).
    /// The database this app runs on (for processes started beside it).
    pub fn database_url(&self) -> &str {
        &self.database_url
    }

    pub async fn spawn_beside(&self, adjust: impl FnOnce(&mut SettingsArgs)) -> Self {
        let mut args = settings(self.database_url.clone());
        args.encryption_key = Some("weft-test-encryption-key".into());
        args.jwt_secret = Some(TEST_JWT_SECRET.into());
        adjust(&mut args);
        let mut app = Self::start(args, true).await;
        app.database_url = self.database_url.clone();
        app
    }

    async fn start(mut args: SettingsArgs, with_key: bool) -> Self {
        // `WEFT_TEST_EXECUTIONS_MODE=queue` runs the suite in queue mode: executions go through
        // Redis to a worker this test process runs beside each app.
        // Tests of queue mode itself start their own worker processes; tests of what only
        // regular mode does (no Redis at all) say so with `regular_only`.
        let queue_suite = std::env::var("WEFT_TEST_EXECUTIONS_MODE").as_deref() == Ok("queue")
            && args.executions_mode == "regular";
        if args.executions_mode == REGULAR_ONLY {
            args.executions_mode = "regular".into();
        }
        if queue_suite {
            args.executions_mode = "queue".into();
            args.redis_url.get_or_insert_with(redis_url);
            args.reconcile_every_ms = "500".into();
        }
        let mut config = Config::from_args(&args).expect("test config");
        if let weft::config::CodeSandbox::Process { program } = &mut config.executions.code_sandbox
        {
            // This test binary is not `weft`: sandbox processes run the real one.
            *program = env!("CARGO_BIN_EXE_weft").into();
        }
        let worker_config = config.clone();
        let app = Application::build(config).await.expect("build app");
        if queue_suite {
            let mut worker_config = worker_config;
            worker_config.queue.worker_listen = "127.0.0.1:0".parse().unwrap();
            tokio::spawn(weft::work::work_until(
                worker_config,
                4,
                std::future::pending::<std::io::Result<()>>(),
            ));
        }
        let address = format!("http://127.0.0.1:{}", app.port());
        let db = app.db().clone();
        tokio::spawn(app.run_until_stopped());
        let mut headers = reqwest::header::HeaderMap::new();
        if with_key {
            let key = owner_key(&db).await;
            headers.insert(
                "x-n8n-api-key",
                reqwest::header::HeaderValue::from_str(key.expose()).expect("a header value"),
            );
        }
        Self {
            address,
            client: reqwest::Client::builder()
                .default_headers(headers)
                .build()
                .expect("an HTTP client"),
            db,
            database_url: String::new(),
            pg_database: None,
            _sqlite_dir: None,
        }
    }

    /// This app's deployment on Redis (its keys and channels), as its processes name them.
    pub fn bus(&self) -> weft::bus::Bus {
        let config = Config::from_args(&settings(self.database_url.clone())).expect("test config");
        weft::bus::Bus::new(
            redis::Client::open(redis_url()).expect("a Redis URL"),
            &weft::startup::database_scope(&config),
        )
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.address, path)
    }

    pub async fn get(&self, path: &str) -> Response {
        self.client.get(self.url(path)).send().await.expect("GET")
    }

    pub async fn post_json(&self, path: &str, body: &Value) -> Response {
        self.client
            .post(self.url(path))
            .json(body)
            .send()
            .await
            .expect("POST")
    }

    pub async fn put_json(&self, path: &str, body: &Value) -> Response {
        self.client
            .put(self.url(path))
            .json(body)
            .send()
            .await
            .expect("PUT")
    }

    pub async fn post_raw(
        &self,
        path: &str,
        content_type: &str,
        body: impl Into<reqwest::Body>,
    ) -> Response {
        self.client
            .post(self.url(path))
            .header("content-type", content_type)
            .body(body)
            .send()
            .await
            .expect("POST")
    }

    pub async fn delete(&self, path: &str) -> Response {
        self.client
            .delete(self.url(path))
            .send()
            .await
            .expect("DELETE")
    }

    /// Creates a workflow and returns the stored body; panics unless it is 200.
    pub async fn create_workflow(&self, wf: &Value) -> Value {
        let res = self.post_json("/api/v1/workflows", wf).await;
        assert_eq!(res.status(), StatusCode::OK, "create failed");
        res.json().await.expect("json")
    }

    pub async fn create_tag(&self, name: &str) -> Value {
        let res = self
            .post_json("/api/v1/tags", &json!({ "name": name }))
            .await;
        assert_eq!(res.status(), StatusCode::CREATED);
        res.json().await.expect("json")
    }

    /// Counts rows with a raw query on the app's own database.
    pub async fn count(&self, sql: &str) -> i64 {
        use sea_orm::{ConnectionTrait, Statement};
        let row = self
            .db
            .writer()
            .query_one_raw(Statement::from_string(self.db.backend(), sql.to_owned()))
            .await
            .expect("count query")
            .expect("a row");
        row.try_get_by_index::<i64>(0).expect("count value")
    }
}

/// A small valid workflow: Manual Trigger → Set.
pub fn manual_workflow(name: &str) -> Value {
    json!({
        "name": name,
        "nodes": [
            {"name": "Start", "type": "n8n-nodes-base.manualTrigger", "typeVersion": 1, "position": [0, 0], "parameters": {}},
            {"name": "Set", "type": "n8n-nodes-base.set", "typeVersion": 3.4, "position": [200, 0],
             "parameters": {"assignments": {"assignments": [{"id": "a", "name": "x", "value": "=1", "type": "number"}]}}}
        ],
        "connections": {"Start": {"main": [[{"node": "Set", "type": "main", "index": 0}]]}},
        "settings": {"executionOrder": "v1"}
    })
}

/// A workflow that can be activated: Webhook → No Op.
pub fn webhook_workflow(name: &str) -> Value {
    json!({
        "name": name,
        "nodes": [
            {"name": "Webhook", "type": "n8n-nodes-base.webhook", "typeVersion": 2, "position": [0, 0],
             "parameters": {"path": "hook", "httpMethod": "POST"}, "webhookId": "8f0c6a52-0000-4000-8000-000000000001"},
            {"name": "Done", "type": "n8n-nodes-base.noOp", "typeVersion": 1, "position": [200, 0], "parameters": {}}
        ],
        "connections": {"Webhook": {"main": [[{"node": "Done", "type": "main", "index": 0}]]}},
        "settings": {}
    })
}

/// Asserts an RFC 9457 problem with this status and code, and returns it.
pub async fn assert_problem(res: Response, status: StatusCode, code: &str) -> Value {
    assert_eq!(res.status(), status, "status");
    let ct = res
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_owned();
    assert_eq!(ct, "application/problem+json");
    let body: Value = res.json().await.expect("problem body is JSON");
    assert_eq!(body["status"], status.as_u16());
    assert_eq!(body["code"], code, "{body}");
    assert_eq!(body["type"], format!("urn:weft:problem:{code}"));
    assert!(body["title"].as_str().is_some_and(|t| !t.is_empty()));
    assert!(body["detail"].as_str().is_some_and(|t| !t.is_empty()));
    assert_eq!(body["detail"], body["message"]);
    body
}

/// A workflow of `n` Code nodes of ~400 ms each.
pub fn slow_workflow(n: usize) -> Value {
    let busy = "const end = Date.now() + 400; while (Date.now() < end) {} return $input.all();";
    let mut nodes = vec![
        json!({"name": "Start", "type": "n8n-nodes-base.manualTrigger", "typeVersion": 1, "parameters": {}}),
    ];
    let mut connections = serde_json::Map::new();
    let mut prev = "Start".to_owned();
    for i in 0..n {
        let name = format!("Busy {i}");
        nodes.push(json!({"name": name, "type": "n8n-nodes-base.code", "typeVersion": 2, "parameters": {"jsCode": busy}}));
        connections.insert(
            prev.clone(),
            json!({"main": [[{"node": name, "type": "main", "index": 0}]]}),
        );
        prev = name;
    }
    json!({"name": "slow", "nodes": nodes, "connections": connections, "settings": {}})
}

/// A `main` connection from a node to `to`.
pub fn link(to: &str) -> Value {
    json!({"main": [[{"node": to, "type": "main", "index": 0}]]})
}

/// The finished executions of `workflow` (newest first, with their data), once there are `n`.
pub async fn finished_executions(app: &TestApp, workflow: &str, n: usize) -> Vec<Value> {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let list: Value = app
            .get(&format!(
                "/api/v1/executions?workflowId={workflow}&includeData=true"
            ))
            .await
            .json()
            .await
            .unwrap();
        let done: Vec<Value> = list["data"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|e| !matches!(e["status"].as_str(), Some("new" | "running")))
            .cloned()
            .collect();
        if done.len() >= n {
            return done;
        }
        assert!(
            Instant::now() < deadline,
            "{} of {n} finished: {list}",
            done.len()
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}
