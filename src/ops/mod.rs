//! Operator commands, as n8n's CLI: export and import workflows and credentials, list and
//! (de)activate workflows, prune executions. Exit codes a script can rely on: 0 done, 1 failed
//! (nothing found, the database refused, a file could not be read or written), 2 the flags are
//! wrong. Messages go to standard error; exported JSON without --output to standard output.

pub mod args;
mod credentials;
mod export_workflow;
mod import_workflow;
mod workflows;

use std::process::ExitCode;

use crate::config::Config;
use crate::db::Db;
use crate::store::StoreError;

/// An operator command and its flags.
#[derive(Debug, Clone)]
pub enum Op {
    ExportWorkflow(args::ExportArgs),
    ImportWorkflow(args::ImportArgs),
    ExportCredentials(args::ExportArgs),
    ImportCredentials(args::ImportArgs),
    ListWorkflow(args::ListArgs),
    UpdateWorkflow(args::UpdateArgs),
    PruneExecutions,
}

#[derive(Debug, thiserror::Error)]
pub enum OpError {
    /// The flags are wrong (exit 2).
    #[error("{0}")]
    Usage(String),
    /// The command could not do its work (exit 1).
    #[error("{0}")]
    Failed(String),
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<std::io::Error> for OpError {
    fn from(e: std::io::Error) -> Self {
        OpError::Failed(e.to_string())
    }
}

fn usage(message: &str) -> OpError {
    OpError::Usage(message.to_owned())
}

/// Runs `op` against the configured database.
pub async fn run(config: &Config, op: Op) -> ExitCode {
    let outcome = async {
        let db = Db::connect(&config.database)
            .await
            .map_err(|e| OpError::Failed(format!("cannot connect to the database: {e}")))?;
        db.migrate()
            .await
            .map_err(|e| OpError::Failed(format!("cannot apply migrations: {e}")))?;
        let changed = match op {
            Op::ExportWorkflow(a) => export_workflow::run(&db, &a).await.map(|_| false),
            Op::ImportWorkflow(a) => import_workflow::run(&db, &a).await.map(|_| true),
            Op::ExportCredentials(a) => credentials::export(&db, config, &a).await.map(|_| false),
            Op::ImportCredentials(a) => credentials::import(&db, config, &a).await.map(|_| true),
            Op::ListWorkflow(a) => workflows::list(&db, &a).await.map(|_| false),
            Op::UpdateWorkflow(a) => workflows::update(&db, &a).await.map(|_| true),
            Op::PruneExecutions => workflows::prune(&db, config).await.map(|_| false),
        }?;
        if changed {
            announce(config).await;
        }
        Ok::<_, OpError>(())
    };
    match outcome.await {
        Ok(()) => ExitCode::SUCCESS,
        Err(OpError::Usage(m)) => {
            eprintln!("{m}");
            ExitCode::from(2)
        }
        Err(e) => {
            eprintln!("{e}");
            ExitCode::FAILURE
        }
    }
}

/// Tells running servers sharing the database (through Redis, when configured) that workflows
/// or credentials changed, so they drop what they cached and re-arm schedules now.
async fn announce(config: &Config) {
    let Some(url) = &config.redis_url else { return };
    let Ok(client) = redis::Client::open(url.expose()) else {
        return;
    };
    let bus = crate::bus::Bus::new(client, &crate::startup::database_scope(config));
    if let Err(e) = bus.publish("changes", "operator-command").await {
        eprintln!(
            "running servers were not told of the change ({e}); they notice it within seconds"
        );
    }
}

/// Writes `value` as JSON to `path`, or to standard output.
fn write_json(
    value: &serde_json::Value,
    pretty: bool,
    path: Option<&std::path::Path>,
) -> Result<(), OpError> {
    let text = if pretty {
        serde_json::to_string_pretty(value)
    } else {
        serde_json::to_string(value)
    }
    .map_err(|e| OpError::Failed(e.to_string()))?;
    match path {
        Some(path) => std::fs::write(path, text)
            .map_err(|e| OpError::Failed(format!("cannot write {}: {e}", path.display())))?,
        None => println!("{text}"),
    }
    Ok(())
}

/// Checks the --all/--id/--output/--separate flags of an export, as n8n; returns the output
/// directory when --separate.
fn export_target(
    a: &args::ExportArgs,
) -> Result<(bool, bool, Option<std::path::PathBuf>), OpError> {
    let (all, pretty, separate) = if a.backup {
        (true, true, true)
    } else {
        (a.all, a.pretty, a.separate)
    };
    match (all, &a.id) {
        (false, None) => return Err(usage("Either option \"--all\" or \"--id\" have to be set!")),
        (true, Some(_)) => {
            return Err(usage(
                "You should either use \"--all\" or \"--id\" but never both!",
            ));
        }
        _ => {}
    }
    if separate {
        let Some(dir) = &a.output else {
            return Err(usage(
                "You must inform an output directory via --output when using --separate",
            ));
        };
        if dir.exists() && !dir.is_dir() {
            return Err(usage("The parameter --output must be a directory"));
        }
        std::fs::create_dir_all(dir).map_err(|e| {
            OpError::Failed(format!(
                "Filesystem error while creating the output directory: {e}"
            ))
        })?;
        return Ok((pretty, true, Some(dir.clone())));
    }
    if let Some(path) = &a.output
        && path.is_dir()
    {
        return Err(usage("The parameter --output must be a writeable file"));
    }
    Ok((pretty, false, None))
}

/// The JSON items of an import: the --input file (one object or an array), or each `*.json`
/// file of the --input directory with --separate (in name order).
fn read_items(a: &args::ImportArgs) -> Result<Vec<serde_json::Value>, OpError> {
    let Some(input) = &a.input else {
        return Err(usage(
            "An input file or directory with --input must be provided",
        ));
    };
    let read = |path: &std::path::Path| -> Result<serde_json::Value, OpError> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| OpError::Failed(format!("cannot read {}: {e}", path.display())))?;
        serde_json::from_str(&text)
            .map_err(|e| OpError::Failed(format!("{} is not JSON: {e}", path.display())))
    };
    if a.separate {
        if !input.is_dir() {
            return Err(usage("The argument to --input must be a directory"));
        }
        let mut files: Vec<_> = std::fs::read_dir(input)?
            .filter_map(Result::ok)
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|x| x == "json") && p.is_file())
            .collect();
        files.sort();
        return files.iter().map(|p| read(p)).collect();
    }
    Ok(match read(input)? {
        serde_json::Value::Array(items) => items,
        one => vec![one],
    })
}

/// The user who owns what an import makes: `--userId` (an id or an email), else the owner.
async fn importer(db: &Db, user: Option<&str>) -> Result<uuid::Uuid, OpError> {
    match user {
        Some(u) => crate::store::users::by_id_or_email(db, u)
            .await?
            .map(|u| u.id)
            .ok_or_else(|| OpError::Failed(format!("Failed to find the user {u:?}"))),
        None => crate::store::users::owner(db)
            .await?
            .map(|u| u.id)
            .ok_or_else(|| OpError::Failed("Failed to find owner: there is no user yet (run `weft user create` or start the server once)".into())),
    }
}
