//! One sandbox process: `weft code-sandbox` started with an empty environment, spoken to in
//! length-prefixed JSON over its stdin and stdout, and killed when it overruns or is stopped.

use std::io::{self, BufReader, BufWriter};
use std::path::Path;
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{self, RecvTimeoutError};
use std::time::{Duration, Instant};

use weft_engine::expr::code_host::{Answer, Ask, read_frame, write_frame};

/// How often a wait for an answer looks at the execution's stop flag.
const POLL: Duration = Duration::from_millis(20);

/// Why a process gave no answer; in every case it has been killed and reaped.
#[derive(Debug)]
pub enum Ended {
    /// The execution's stop flag was set.
    Stopped,
    /// No answer before the deadline.
    TimedOut,
    /// The process exited or broke the protocol (its status or the reason).
    Died(String),
}

pub struct Worker {
    child: Child,
    stdin: BufWriter<ChildStdin>,
    answers: mpsc::Receiver<io::Result<Vec<u8>>>,
}

impl Worker {
    /// Starts `program code-sandbox`, its data segment capped at `data_limit` bytes; answers
    /// longer than `max_answer` bytes end it.
    pub fn spawn(program: &Path, data_limit: u64, max_answer: usize) -> io::Result<Self> {
        let mut command = Command::new(program);
        command
            .arg("code-sandbox")
            .arg("--data-limit-bytes")
            .arg(data_limit.to_string())
            // Nothing of the server's environment (database URL, keys) reaches user code, but
            // the time zone does: JavaScript's local time must match the server's expressions.
            .env_clear();
        if let Some(tz) = std::env::var_os("TZ") {
            command.env("TZ", tz);
        }
        let mut child = command
            .current_dir(std::env::temp_dir())
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()?;
        let (Some(stdin), Some(stdout)) = (child.stdin.take(), child.stdout.take()) else {
            let _ = child.kill();
            let _ = child.wait();
            return Err(io::Error::other("the sandbox process has no pipes"));
        };
        let (send, answers) = mpsc::channel();
        std::thread::Builder::new()
            .name("weft-sandbox-reader".into())
            .stack_size(64 << 10)
            .spawn(move || {
                let mut stdout = BufReader::new(stdout);
                loop {
                    let frame = match read_frame(&mut stdout, max_answer) {
                        Ok(Some(bytes)) => Ok(bytes),
                        Ok(None) => Err(io::Error::from(io::ErrorKind::UnexpectedEof)),
                        Err(e) => Err(e),
                    };
                    let last = frame.is_err();
                    if send.send(frame).is_err() || last {
                        return;
                    }
                }
            })?;
        Ok(Self {
            child,
            stdin: BufWriter::new(stdin),
            answers,
        })
    }

    /// Sends `ask` and waits for the answer until `deadline`, or until `cancel` is set.
    pub fn ask(
        &mut self,
        ask: &Ask,
        deadline: Instant,
        cancel: &AtomicBool,
    ) -> Result<Answer, Ended> {
        if let Err(e) = write_frame(&mut self.stdin, ask) {
            return Err(self.died(&format!("cannot send it work: {e}")));
        }
        loop {
            if cancel.load(Ordering::Relaxed) {
                self.kill();
                return Err(Ended::Stopped);
            }
            let now = Instant::now();
            if now >= deadline {
                self.kill();
                return Err(Ended::TimedOut);
            }
            match self.answers.recv_timeout(POLL.min(deadline - now)) {
                Ok(Ok(bytes)) => {
                    return serde_json::from_slice(&bytes)
                        .map_err(|e| self.died(&format!("it answered nonsense: {e}")));
                }
                Ok(Err(e)) => return Err(self.died(&e.to_string())),
                Err(RecvTimeoutError::Timeout) => {}
                Err(RecvTimeoutError::Disconnected) => return Err(self.died("no answer")),
            }
        }
    }

    /// The process ended or misbehaved: make sure it is gone and say how it ended.
    fn died(&mut self, why: &str) -> Ended {
        // It may still be running (a protocol error): give it no second chance.
        let _ = self.child.kill();
        match self.child.wait() {
            Ok(status) if !status.success() => Ended::Died(describe(status)),
            _ => Ended::Died(why.to_owned()),
        }
    }

    /// Kills the process and reaps it.
    pub fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    /// The process is still running (it may have died while idle).
    pub fn is_alive(&mut self) -> bool {
        matches!(self.child.try_wait(), Ok(None))
    }
}

fn describe(status: std::process::ExitStatus) -> String {
    use std::os::unix::process::ExitStatusExt;
    match status.signal() {
        Some(6) => "it aborted (most likely out of memory)".into(),
        Some(9) => "it was killed".into(),
        Some(n) => format!("it ended on signal {n}"),
        None => format!("it exited with {status}"),
    }
}

impl Drop for Worker {
    fn drop(&mut self) {
        self.kill();
    }
}
