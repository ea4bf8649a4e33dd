//! The operator commands' flags (n8n's names), each with every setting of the database it opens.

use crate::cli::SettingsArgs;

#[derive(Debug, Clone, clap::Args)]
pub struct ExportArgs {
    #[command(flatten)]
    pub settings: SettingsArgs,
    /// Export all of them.
    #[arg(long)]
    pub all: bool,
    /// The id of the one to export.
    #[arg(long)]
    pub id: Option<String>,
    /// Output file, or directory with --separate (default: standard output).
    #[arg(long, short = 'o')]
    pub output: Option<std::path::PathBuf>,
    /// Indented JSON.
    #[arg(long)]
    pub pretty: bool,
    /// One file per item, `<id>.json`, in the --output directory.
    #[arg(long)]
    pub separate: bool,
    /// Sets --all --pretty --separate (only --output is needed besides).
    #[arg(long)]
    pub backup: bool,
    /// Credentials only: export `data` decrypted, in plain text. EVERY SECRET WILL BE VISIBLE IN
    /// THE FILES; for moving to an instance with another encryption key.
    #[arg(long)]
    pub decrypted: bool,
}

#[derive(Debug, Clone, clap::Args)]
pub struct ImportArgs {
    #[command(flatten)]
    pub settings: SettingsArgs,
    /// Input file, or directory with --separate.
    #[arg(long, short = 'i')]
    pub input: Option<std::path::PathBuf>,
    /// Import every `*.json` file of the --input directory.
    #[arg(long)]
    pub separate: bool,
    /// The id or email of the user who owns what is imported (default: the owner).
    #[arg(long = "userId")]
    pub user_id: Option<String>,
    /// Workflows only: activate the imported workflows the export marks active (they are
    /// imported inactive otherwise, as in n8n).
    #[arg(long)]
    pub activate: bool,
}

#[derive(Debug, Clone, clap::Args)]
pub struct ListArgs {
    #[command(flatten)]
    pub settings: SettingsArgs,
    /// Only active (`true`) or inactive (`false`) workflows.
    #[arg(long)]
    pub active: Option<String>,
    /// Only the ids, one per line.
    #[arg(long = "onlyId")]
    pub only_id: bool,
}

#[derive(Debug, Clone, clap::Args)]
pub struct UpdateArgs {
    #[command(flatten)]
    pub settings: SettingsArgs,
    /// Operate on all workflows.
    #[arg(long)]
    pub all: bool,
    /// The id of the workflow to operate on.
    #[arg(long)]
    pub id: Option<String>,
    /// The active state to set: `true` or `false`.
    #[arg(long)]
    pub active: Option<String>,
}
