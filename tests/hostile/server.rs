//! A real `weft serve` process on its embedded default (SQLite in a temporary folder, port 0),
//! driven over HTTP, and the check every hostile test ends with: the process is alive,
//! `/healthz` answers within 500 ms, and an ordinary execution (with a Code node) succeeds.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use reqwest::StatusCode;
use serde_json::{Value, json};

pub struct Server {
    child: Child,
    pub base: String,
    pub client: reqwest::Client,
    /// The owner's API key (the client sends it on every request).
    pub api_key: String,
    _dir: tempfile::TempDir,
}

impl Server {
    /// Starts the binary with `env` on top of an empty environment.
    pub async fn start(env: &[(&str, &str)]) -> Self {
        let _ = rustls::crypto::ring::default_provider().install_default();
        let client = reqwest::Client::builder()
            .timeout(Duration::from_secs(120))
            .build()
            .expect("an HTTP client");
        let dir = tempfile::tempdir().expect("a temporary folder");
        // `WEFT_HOSTILE_BIN` runs the suite against another build (an older one, to see it fail).
        let bin =
            std::env::var("WEFT_HOSTILE_BIN").unwrap_or_else(|_| env!("CARGO_BIN_EXE_weft").into());
        let mut cmd = Command::new(bin);
        cmd.arg("serve")
            .env_clear()
            .env("WEFT_DATA_DIR", dir.path())
            .env("WEFT_LISTEN", "127.0.0.1:0")
            .env("WEFT_LOG_FORMAT", "json")
            .env("RUST_LOG", "info")
            .env("TZ", "UTC")
            .stdout(Stdio::piped())
            .stderr(Stdio::null());
        for (k, v) in env {
            cmd.env(k, v);
        }
        let mut child = cmd.spawn().expect("weft starts");
        let stdout = child.stdout.take();
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            // Reads the log to the end, so the server never blocks on a full pipe.
            let Some(stdout) = stdout else { return };
            let mut sent = false;
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if !sent
                    && let Ok(v) = serde_json::from_str::<Value>(&line)
                    && v["fields"]["message"] == "weft listening"
                    && let Some(port) = v["fields"]["port"].as_u64()
                {
                    let _ = tx.send(port);
                    sent = true;
                }
            }
        });
        let mut server = Self {
            child,
            base: String::new(),
            client,
            api_key: String::new(),
            _dir: dir,
        };
        // From here on a failure still stops the process (`Drop`).
        let port = rx
            .recv_timeout(Duration::from_secs(60))
            .expect("weft logs the port it listens on");
        server.base = format!("http://127.0.0.1:{port}");
        // The embedded first start wrote the owner's API key into the data folder.
        let key = std::fs::read_to_string(server._dir.path().join("owner-api-key"))
            .expect("the owner's key file");
        server.api_key = key.trim().to_owned();
        let mut headers = reqwest::header::HeaderMap::new();
        headers.insert(
            "x-n8n-api-key",
            reqwest::header::HeaderValue::from_str(key.trim()).expect("a header value"),
        );
        server.client = reqwest::Client::builder()
            .timeout(Duration::from_secs(120))
            .default_headers(headers)
            .build()
            .expect("an HTTP client");
        server
    }

    /// The server's process id.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    pub fn addr(&self) -> String {
        self.base.trim_start_matches("http://").to_owned()
    }

    pub async fn create(&self, workflow: &Value) -> String {
        let res = self
            .client
            .post(self.url("/api/v1/workflows"))
            .json(workflow)
            .send()
            .await
            .expect("create answers");
        assert_eq!(res.status(), StatusCode::OK, "{:?}", res.text().await);
        let body: Value = res.json().await.expect("JSON");
        body["id"].as_str().expect("an id").to_owned()
    }

    pub async fn activate(&self, id: &str) {
        let res = self
            .client
            .post(self.url(&format!("/api/v1/workflows/{id}/activate")))
            .send()
            .await
            .expect("activate answers");
        assert_eq!(res.status(), StatusCode::OK, "{:?}", res.text().await);
    }

    /// Runs workflow `id` (with `items` for its start node, if given) and returns the execution.
    pub async fn run(&self, id: &str, items: Option<Value>) -> Value {
        let body = items.map_or_else(|| json!({}), |items| json!({"items": items}));
        let res = self
            .client
            .post(self.url(&format!("/api/v1/workflows/{id}/run")))
            .json(&body)
            .send()
            .await
            .expect("run answers");
        assert_eq!(res.status(), StatusCode::OK, "run: {:?}", res.text().await);
        res.json().await.expect("JSON")
    }

    /// Creates and runs a manual workflow, returning the execution.
    pub async fn run_new(&self, workflow: &Value, items: Option<Value>) -> Value {
        let id = self.create(workflow).await;
        self.run(&id, items).await
    }

    pub async fn executions(&self, workflow_id: &str) -> Vec<Value> {
        let res = self
            .client
            .get(self.url(&format!(
                "/api/v1/executions?workflowId={workflow_id}&includeData=true&limit=250"
            )))
            .send()
            .await
            .expect("list answers");
        let body: Value = res.json().await.expect("JSON");
        body["data"].as_array().cloned().unwrap_or_default()
    }

    /// The process is alive, answers `/healthz` within 500 ms, and runs an ordinary workflow.
    pub async fn assert_healthy(&mut self) {
        assert!(
            self.child.try_wait().expect("process state").is_none(),
            "the server process died"
        );
        let started = Instant::now();
        let res = self
            .client
            .get(self.url("/healthz"))
            .send()
            .await
            .expect("healthz answers");
        assert_eq!(res.status(), StatusCode::OK);
        assert!(
            started.elapsed() < Duration::from_millis(500),
            "healthz took {:?}",
            started.elapsed()
        );
        let ex = self
            .run_new(
                &manual(
                    "ordinary",
                    code_node("return [{json: {sum: [1, 2].reduce((a, b) => a + b)}}];"),
                ),
                None,
            )
            .await;
        assert_eq!(ex["status"], "success", "{ex}");
        assert_eq!(
            ex["data"]["resultData"]["runData"]["Node"][0]["data"]["main"][0][0]["json"]["sum"],
            3
        );
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A workflow: a manual trigger connected to `node` (named "Node").
pub fn manual(name: &str, node: Value) -> Value {
    let mut node = node;
    node["name"] = json!("Node");
    node["position"] = json!([200, 0]);
    json!({
        "name": name,
        "nodes": [
            {"name": "Start", "type": "n8n-nodes-base.manualTrigger", "typeVersion": 1, "position": [0, 0], "parameters": {}},
            node
        ],
        "connections": {"Start": {"main": [[{"node": "Node", "type": "main", "index": 0}]]}},
        "settings": {"executionOrder": "v1"}
    })
}

/// An active-able workflow: a Webhook node (`parameters`, its `webhookId` ending in `tag`)
/// connected to `node` (named "Node") when one is given.
pub fn webhook(parameters: Value, tag: &str, node: Option<Value>) -> Value {
    let mut nodes = vec![
        json!({"name": "Webhook", "type": "n8n-nodes-base.webhook", "typeVersion": 2,
        "position": [0, 0], "parameters": parameters,
        "webhookId": format!("8f0c6a52-0000-4000-8000-0000000000{tag}")}),
    ];
    let mut connections = json!({});
    if let Some(mut node) = node {
        node["name"] = json!("Node");
        node["position"] = json!([200, 0]);
        nodes.push(node);
        connections =
            json!({"Webhook": {"main": [[{"node": "Node", "type": "main", "index": 0}]]}});
    }
    json!({"name": "hook", "nodes": nodes, "connections": connections,
           "settings": {"executionOrder": "v1"}})
}

pub fn code_node(js: &str) -> Value {
    json!({"type": "n8n-nodes-base.code", "typeVersion": 2, "parameters": {"jsCode": js}})
}

/// The error message of a finished execution.
pub fn error_of(ex: &Value) -> String {
    ex["data"]["resultData"]["error"]["message"]
        .as_str()
        .unwrap_or_default()
        .to_owned()
}

/// The execution failed with a clear message (or description under it) containing `want`, and
/// no panic text.
pub fn assert_node_error(ex: &Value, want: &str) {
    assert_eq!(ex["status"], "error", "{ex}");
    let error = &ex["data"]["resultData"]["error"];
    let message = format!(
        "{} {}",
        error_of(ex),
        error["description"].as_str().unwrap_or_default()
    );
    assert!(message.contains(want), "{message:?} lacks {want:?}");
    for leak in ["panicked", "index out of bounds", ".rs:", "overflow"] {
        assert!(!message.contains(leak), "{message:?} shows {leak:?}");
    }
}
