//! Logging: a `tracing` subscriber configured from the typed settings.

use tracing_subscriber::EnvFilter;

use crate::config::{LogConfig, LogFormat};

/// Installs the global subscriber, writing to stdout (the server) or stderr (commands whose
/// stdout is their answer, such as `weft api-key create`); a second call (tests) is a no-op.
pub fn init(log: &LogConfig, to_stderr: bool) {
    let filter = EnvFilter::new(&log.filter);
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_target(false);
    let _already_set = match (log.format, to_stderr) {
        (LogFormat::Text, false) => builder.try_init(),
        (LogFormat::Json, false) => builder.json().try_init(),
        (LogFormat::Text, true) => builder.with_writer(std::io::stderr).try_init(),
        (LogFormat::Json, true) => builder.json().with_writer(std::io::stderr).try_init(),
    };
}
