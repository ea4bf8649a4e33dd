//! The operator's commands (n8n's CLI): workflows and credentials exported, imported into an
//! empty instance and exported again give the same JSON; bad flags exit 2, missing things 1.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::{Value, json};

use crate::helpers::{Backend, drop_postgres_database, fresh_postgres_database, pg_url_for};
use crate::on_both_backends;

on_both_backends!(
    exported_workflows_import_into_an_empty_instance_and_export_again_identically,
    credentials_move_encrypted_to_an_instance_with_the_same_key_and_decrypted_to_any,
    bad_flags_exit_2_missing_things_exit_1_and_a_bad_file_writes_nothing,
);

/// An empty instance: its database URL (and the directory holding it, for SQLite).
struct Instance {
    url: String,
    _dir: tempfile::TempDir,
    key: &'static str,
    pg_database: Option<String>,
}

impl Drop for Instance {
    fn drop(&mut self) {
        if let Some(name) = self.pg_database.take() {
            drop_postgres_database(name);
        }
    }
}

impl Instance {
    async fn new(b: Backend) -> Self {
        Self::with_key(b, "weft-test-encryption-key").await
    }

    async fn with_key(b: Backend, key: &'static str) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let (url, pg_database) = match b {
            Backend::Sqlite => (
                format!("sqlite://{}/weft.db?mode=rwc", dir.path().display()),
                None,
            ),
            Backend::Postgres => {
                let name = fresh_postgres_database().await;
                (pg_url_for(&name), Some(name))
            }
        };
        let instance = Self {
            url,
            _dir: dir,
            key,
            pg_database,
        };
        let made = instance.weft(&["api-key", "create", "--owner", "--label", "cli"]);
        assert!(
            made.status.success(),
            "{}",
            String::from_utf8_lossy(&made.stderr)
        );
        instance
    }

    fn weft(&self, args: &[&str]) -> Output {
        Command::new(env!("CARGO_BIN_EXE_weft"))
            .args(args)
            .env("DATABASE_URL", &self.url)
            .env("WEFT_ENCRYPTION_KEY", self.key)
            .env("RUST_LOG", "warn")
            .output()
            .unwrap()
    }

    /// Runs a command that must succeed; its standard error.
    fn ok(&self, args: &[&str]) -> String {
        let out = self.weft(args);
        let err = String::from_utf8_lossy(&out.stderr).into_owned();
        assert!(out.status.success(), "weft {args:?}: {err}");
        err
    }
}

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

/// Every workflow fixture (Weft's and the export ones), copied into one directory.
fn fixture_dir(into: &Path) -> usize {
    let mut n = 0;
    for dir in [fixtures(), fixtures().join("exports")] {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.extension().is_some_and(|e| e == "json") {
                std::fs::copy(&path, into.join(path.file_name().unwrap())).unwrap();
                n += 1;
            }
        }
    }
    n
}

fn read(path: &Path) -> Value {
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

async fn exported_workflows_import_into_an_empty_instance_and_export_again_identically(b: Backend) {
    let files = tempfile::tempdir().unwrap();
    let input = files.path().join("input");
    std::fs::create_dir(&input).unwrap();
    let n = fixture_dir(&input);
    let first = Instance::new(b).await;
    let said = first.ok(&[
        "import:workflow",
        "--separate",
        "--input",
        input.to_str().unwrap(),
    ]);
    assert!(
        said.contains(&format!("Successfully imported {n} workflows.")),
        "{said}"
    );
    assert!(
        said.contains("Deactivating workflow \"Nightly report"),
        "{said}"
    );
    let a = files.path().join("a.json");
    first.ok(&[
        "export:workflow",
        "--all",
        "--pretty",
        "--output",
        a.to_str().unwrap(),
    ]);
    let exported = read(&a);
    let list = exported.as_array().unwrap();
    assert_eq!(list.len(), n);
    let nightly = list
        .iter()
        .find(|w| {
            w["name"]
                .as_str()
                .unwrap()
                .starts_with("Nightly report (tagged")
        })
        .unwrap();
    assert_eq!(
        nightly["id"], "0193a1c2-7d4e-7f00-8a11-5b2c3d4e5f60",
        "our ids are kept"
    );
    assert_eq!(nightly["active"], false, "imported inactive");
    assert_eq!(
        nightly["pinData"],
        json!({"Set": [{"json": {"report": "pinned"}}]})
    );
    let mut tags: Vec<&str> = nightly["tags"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["name"].as_str().unwrap())
        .collect();
    tags.sort_unstable();
    assert_eq!(tags, ["nightly", "reports"]);
    let intake = list
        .iter()
        .find(|w| w["name"].as_str().unwrap().starts_with("Order intake"))
        .unwrap();
    assert!(
        uuid::Uuid::try_parse(intake["id"].as_str().unwrap()).is_ok(),
        "n8n's id replaced"
    );

    // Wiped: an empty instance imports the export, and exports the same JSON.
    let second = Instance::new(b).await;
    second.ok(&["import:workflow", "--input", a.to_str().unwrap()]);
    let again = files.path().join("b.json");
    second.ok(&[
        "export:workflow",
        "--all",
        "--pretty",
        "--output",
        again.to_str().unwrap(),
    ]);
    assert_eq!(read(&again), exported);

    // One file per workflow, and back.
    let separate = files.path().join("separate");
    let said = second.ok(&[
        "export:workflow",
        "--backup",
        "--output",
        separate.to_str().unwrap(),
    ]);
    assert!(
        said.contains(&format!("Successfully exported {n} workflows.")),
        "{said}"
    );
    let third = Instance::new(b).await;
    third.ok(&[
        "import:workflow",
        "--separate",
        "--input",
        separate.to_str().unwrap(),
    ]);
    let out = third.weft(&["export:workflow", "--all", "--pretty"]);
    assert!(out.status.success());
    assert_eq!(
        serde_json::from_slice::<Value>(&out.stdout).unwrap(),
        exported
    );

    // Listed, activated and deactivated by id.
    let listed = String::from_utf8(third.weft(&["list:workflow"]).stdout).unwrap();
    assert_eq!(listed.lines().count(), n);
    let id = nightly["id"].as_str().unwrap();
    assert!(listed.contains(&format!("{id}|Nightly report")));
    third.ok(&["update:workflow", "--id", id, "--active=true"]);
    let active = String::from_utf8(
        third
            .weft(&["list:workflow", "--active=true", "--onlyId"])
            .stdout,
    )
    .unwrap();
    assert_eq!(active.trim(), id);
    third.ok(&["update:workflow", "--all", "--active=false"]);
    let active = third.weft(&["list:workflow", "--active=true"]).stdout;
    assert!(active.is_empty());
}

async fn credentials_move_encrypted_to_an_instance_with_the_same_key_and_decrypted_to_any(
    b: Backend,
) {
    let files = tempfile::tempdir().unwrap();
    let plain = files.path().join("plain.json");
    let secret = json!({"name": "X-Api-Key", "value": "s3cret"});
    std::fs::write(
        &plain,
        json!([{"id": "0193a1c2-7d4e-7f00-8a11-5b2c3d4e5f70", "name": "Partner API",
                "type": "httpHeaderAuth", "data": secret}])
        .to_string(),
    )
    .unwrap();
    let first = Instance::new(b).await;
    first.ok(&["import:credentials", "--input", plain.to_str().unwrap()]);
    let sealed = files.path().join("sealed.json");
    first.ok(&[
        "export:credentials",
        "--all",
        "--output",
        sealed.to_str().unwrap(),
    ]);
    let exported = read(&sealed);
    assert!(exported[0]["data"].is_string(), "encrypted as stored");
    assert!(!exported.to_string().contains("s3cret"));

    let same_key = Instance::new(b).await;
    same_key.ok(&["import:credentials", "--input", sealed.to_str().unwrap()]);
    let out = same_key.weft(&[
        "export:credentials",
        "--id",
        "0193a1c2-7d4e-7f00-8a11-5b2c3d4e5f70",
        "--decrypted",
    ]);
    assert!(out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("WARNING"));
    let opened: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(opened[0]["data"], secret);

    let other_key = Instance::with_key(b, "another-encryption-key").await;
    let refused = other_key.weft(&["import:credentials", "--input", sealed.to_str().unwrap()]);
    assert_eq!(refused.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&refused.stderr).contains("--decrypted"));
    let decrypted = files.path().join("decrypted.json");
    std::fs::write(&decrypted, opened.to_string()).unwrap();
    other_key.ok(&["import:credentials", "--input", decrypted.to_str().unwrap()]);
    let out = other_key.weft(&["export:credentials", "--all", "--decrypted"]);
    let moved: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(moved[0]["data"], secret);
}

async fn bad_flags_exit_2_missing_things_exit_1_and_a_bad_file_writes_nothing(b: Backend) {
    let instance = Instance::new(b).await;
    let code = |args: &[&str]| {
        let out = instance.weft(args);
        (
            out.status.code(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    };
    let (status, said) = code(&["export:workflow"]);
    assert_eq!(status, Some(2));
    assert!(
        said.contains("Either option \"--all\" or \"--id\" have to be set!"),
        "{said}"
    );
    assert_eq!(code(&["export:workflow", "--all", "--id", "x"]).0, Some(2));
    assert_eq!(code(&["export:workflow", "--all", "--separate"]).0, Some(2));
    let (status, said) = code(&["export:workflow", "--all"]);
    assert_eq!(status, Some(1));
    assert!(
        said.contains("No workflows found with specified filters"),
        "{said}"
    );
    assert_eq!(code(&["import:workflow"]).0, Some(2));
    assert_eq!(code(&["list:workflow", "--active=maybe"]).0, Some(2));
    assert_eq!(code(&["update:workflow", "--id", "x"]).0, Some(2));
    let files = tempfile::tempdir().unwrap();
    let bad = files.path().join("bad.json");
    std::fs::write(
        &bad,
        json!([
            {"name": "fine", "nodes": [], "connections": {}},
            {"name": "not a workflow"}
        ])
        .to_string(),
    )
    .unwrap();
    let (status, said) = code(&["import:workflow", "--input", bad.to_str().unwrap()]);
    assert_eq!(status, Some(1));
    assert!(
        said.contains("File does not seem to contain valid workflows"),
        "{said}"
    );
    assert!(
        instance.weft(&["list:workflow"]).stdout.is_empty(),
        "nothing imported"
    );
    let (status, said) = code(&["executions:prune"]);
    assert_eq!(status, Some(0), "{said}");
}
