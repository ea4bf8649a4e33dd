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
    weft::telemetry::init(
        &config.log,
        matches!(command, Command::ApiKey(_) | Command::User(_)),
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
