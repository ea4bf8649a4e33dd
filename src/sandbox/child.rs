//! The sandbox process's side (`weft code-sandbox`): bound its own memory, die with the server,
//! then answer Code node runs on stdin/stdout until stdin closes.

use std::io::{BufReader, BufWriter};

use rustix::process::{Resource, Rlimit, Signal, set_parent_process_death_signal, setrlimit};

/// Runs the sandbox loop over this process's stdin and stdout; `data_limit` bytes of data
/// segment at most (`RLIMIT_DATA`).
pub fn serve_stdio(data_limit: u64) -> std::io::Result<()> {
    // Killed with the server thread that started it, so a runaway never outlives the server.
    set_parent_process_death_signal(Some(Signal::KILL))?;
    setrlimit(
        Resource::Data,
        Rlimit {
            current: Some(data_limit),
            maximum: Some(data_limit),
        },
    )?;
    let stdin = std::io::stdin().lock();
    let stdout = std::io::stdout().lock();
    weft_engine::expr::code_host::serve(BufReader::new(stdin), BufWriter::new(stdout))
}
