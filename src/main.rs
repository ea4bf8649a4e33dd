//! The `weft` binary: parses the command line, reads configuration once, runs the chosen subcommand.

use std::process::ExitCode;

use clap::Parser;
use weft::cli::{Cli, Command};
use weft::config::Config;

fn main() -> ExitCode {
    let cli = Cli::parse();
    let command = cli.command.unwrap_or(Command::Serve(weft::cli::ServerArgs {
        settings: cli.settings,
    }));
    if let Command::Openapi = command {
        println!("{}", weft::api::openapi_json());
        return ExitCode::SUCCESS;
    }
    if let Command::CodeSandbox(args) = &command {
        return match weft::sandbox::serve_stdio(args.data_limit_bytes) {
            Ok(()) => ExitCode::SUCCESS,
            Err(err) => {
                eprintln!("weft code-sandbox: {err}");
                ExitCode::FAILURE
            }
        };
    }
    if let Command::Execute(args) = &command {
        return weft::execute::run(args);
    }
    let settings = match &command {
        Command::Serve(a) | Command::Migrate(a) => &a.settings,
        Command::Worker(a) => &a.settings,
        Command::ApiKey(weft::cli::ApiKeyCommand::Create(a)) => &a.settings,
        Command::User(weft::cli::UserCommand::Create(a)) => &a.settings,
        Command::ExportWorkflow(a) | Command::ExportCredentials(a) => &a.settings,
        Command::ImportWorkflow(a) | Command::ImportCredentials(a) => &a.settings,
        Command::ListWorkflow(a) => &a.settings,
        Command::UpdateWorkflow(a) => &a.settings,
        Command::PruneExecutions(a) => &a.settings,
        Command::Openapi | Command::Execute(_) | Command::CodeSandbox(_) => {
            unreachable!("handled above")
        }
    };
    let config = match Config::from_args(settings) {
        Ok(config) => config,
        Err(err) => {
            eprintln!("weft: invalid configuration: {err}");
            return ExitCode::from(2);
        }
    };
    let operator = operator_command(&command);
    weft::telemetry::init(
        &config.log,
        operator.is_some() || matches!(command, Command::ApiKey(_) | Command::User(_)),
    );
    // Executions run on the runtime's blocking threads: their stack is chosen here, not left to
    // the platform default (see `weft_engine::limits`).
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .thread_stack_size(weft::startup::THREAD_STACK_BYTES)
        .build()
    {
        Ok(rt) => rt,
        Err(err) => {
            eprintln!("weft: cannot start the async runtime: {err}");
            return ExitCode::FAILURE;
        }
    };
    if let Some(op) = operator {
        return runtime.block_on(weft::ops::run(&config, op));
    }
    let outcome = runtime.block_on(async move {
        match command {
            Command::Migrate(_) => weft::startup::migrate(&config).await,
            Command::Worker(args) => weft::work::work(config, args.concurrency).await,
            Command::ApiKey(weft::cli::ApiKeyCommand::Create(args)) => {
                weft::owner::create_key(&config, &args).await
            }
            Command::User(weft::cli::UserCommand::Create(args)) => {
                weft::owner::create_user(&config, &args).await
            }
            Command::Serve(_)
            | Command::ExportWorkflow(_)
            | Command::ImportWorkflow(_)
            | Command::ExportCredentials(_)
            | Command::ImportCredentials(_)
            | Command::ListWorkflow(_)
            | Command::UpdateWorkflow(_)
            | Command::PruneExecutions(_)
            | Command::Openapi
            | Command::Execute(_)
            | Command::CodeSandbox(_) => weft::startup::serve(config).await,
        }
    });
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            tracing::error!(error = %format!("{err:#}"), "weft stopped");
            eprintln!("weft: {err:#}");
            ExitCode::FAILURE
        }
    }
}

/// The operator command `command` is, if it is one.
fn operator_command(command: &Command) -> Option<weft::ops::Op> {
    use weft::ops::Op;
    Some(match command {
        Command::ExportWorkflow(a) => Op::ExportWorkflow(a.clone()),
        Command::ImportWorkflow(a) => Op::ImportWorkflow(a.clone()),
        Command::ExportCredentials(a) => Op::ExportCredentials(a.clone()),
        Command::ImportCredentials(a) => Op::ImportCredentials(a.clone()),
        Command::ListWorkflow(a) => Op::ListWorkflow(a.clone()),
        Command::UpdateWorkflow(a) => Op::UpdateWorkflow(a.clone()),
        Command::PruneExecutions(_) => Op::PruneExecutions,
        _ => return None,
    })
}
