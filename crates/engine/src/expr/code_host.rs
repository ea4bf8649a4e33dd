//! Code nodes run where they can be killed: the executor hands a Code node run to a
//! [`CodeHost`] (the `weft` binary's is a pool of sandbox processes), and [`serve`] is the loop
//! such a process runs. A host that kills a runaway loses nothing but that run: the request
//! carries everything the code may read (its items, other nodes' runs, static data), and the
//! answers carry everything it may change (its return value, static data).

use std::io::{self, Read, Write};
use std::sync::Arc;
use std::sync::atomic::AtomicBool;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::ExprError;
use super::code::ScopePayload;
use super::sandbox::{ExprLimits, Sandbox};

/// Runs Code node bodies somewhere that can be stopped from outside.
pub trait CodeHost: Send + Sync {
    /// Starts a Code node run: a fresh context holding `request`'s scope. `cancel` is the
    /// execution's stop flag: once set, the run ends with [`ExprError::Stopped`].
    fn open(
        &self,
        request: CodeRequest,
        cancel: Arc<AtomicBool>,
    ) -> Result<Box<dyn CodeSession>, ExprError>;
}

/// One Code node run in a host: the body run for all items at once, or once per item.
pub trait CodeSession {
    /// Runs the body for item `index` (0 when it runs once for all items).
    fn run(&mut self, index: usize) -> Result<Value, ExprError>;
    /// Whether the run can go on (its process was not killed and did not end).
    fn alive(&self) -> bool;
    /// Ends the run and returns the workflow static data as the code left it.
    fn close(self: Box<Self>) -> Result<Value, ExprError>;
}

/// Everything a Code node run needs, sent to the host once per run.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct CodeRequest {
    pub limits: ExprLimits,
    /// `$execution`, `$workflow` and the workflow's time zone.
    pub execution: Value,
    pub workflow: Value,
    pub timezone: String,
    /// `$vars`.
    #[serde(default)]
    pub vars: Value,
    pub static_data: Value,
    pub scope: ScopePayload,
    pub code: String,
    /// `runOnceForAllItems` or `runOnceForEachItem`.
    pub mode: String,
}

/// What the host asks a sandbox process, one message at a time.
#[derive(Debug, Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "camelCase")]
pub enum Ask {
    Open(Box<CodeRequest>),
    Run { index: usize },
    Close,
}

/// What a sandbox process answers to each [`Ask`].
#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum Answer {
    Opened,
    Value(Value),
    Static(Value),
    Failed(ExprError),
}

/// Messages are JSON, each preceded by its length (4 bytes, little-endian).
pub fn write_frame(out: &mut impl Write, message: &impl Serialize) -> io::Result<()> {
    let bytes = serde_json::to_vec(message)?;
    let len = u32::try_from(bytes.len())
        .map_err(|_| io::Error::new(io::ErrorKind::InvalidData, "a message over 4 GiB"))?;
    out.write_all(&len.to_le_bytes())?;
    out.write_all(&bytes)?;
    out.flush()
}

/// The next message's bytes; `None` at the end of the stream. A message longer than `max`
/// bytes is an error (the memory is taken as the bytes arrive, never on the sender's word).
pub fn read_frame(input: &mut impl Read, max: usize) -> io::Result<Option<Vec<u8>>> {
    let mut len = [0u8; 4];
    match input.read_exact(&mut len) {
        Ok(()) => {}
        Err(e) if e.kind() == io::ErrorKind::UnexpectedEof => return Ok(None),
        Err(e) => return Err(e),
    }
    let len = u32::from_le_bytes(len) as usize;
    if len > max {
        return Err(io::Error::new(
            io::ErrorKind::InvalidData,
            format!("a message of {len} bytes, over the {max} allowed"),
        ));
    }
    let mut bytes = Vec::with_capacity(len.min(1 << 20));
    input.take(len as u64).read_to_end(&mut bytes)?;
    if bytes.len() != len {
        return Err(io::ErrorKind::UnexpectedEof.into());
    }
    Ok(Some(bytes))
}

/// A sandbox process's loop: answers asks from `input` (its host, trusted) on `output` until
/// `input` ends. One
/// Code node run at a time; each `Open` gets a fresh context. After the JavaScript runtime ran
/// out of memory the process answers and then exits, so its host starts a clean one.
pub fn serve(mut input: impl Read, mut output: impl Write) -> io::Result<()> {
    let mut current: Option<(Sandbox, CodeRequest)> = None;
    while let Some(bytes) = read_frame(&mut input, u32::MAX as usize)? {
        let ask: Ask = serde_json::from_slice(&bytes)?;
        let mut closed_broken = false;
        let answer = match ask {
            Ask::Open(request) => {
                current = None;
                match open(&request) {
                    Ok(sandbox) => {
                        current = Some((sandbox, *request));
                        Answer::Opened
                    }
                    Err(e) => Answer::Failed(e),
                }
            }
            Ask::Run { index } => match &current {
                Some((sandbox, request)) => {
                    match sandbox.run_loaded_code(&request.code, &request.mode, index) {
                        Ok(value) => Answer::Value(value),
                        Err(e) => Answer::Failed(e),
                    }
                }
                None => Answer::Failed(ExprError::Engine("no Code node run is open".into())),
            },
            Ask::Close => match current.take() {
                Some((sandbox, _)) => {
                    let answer = match sandbox.static_data() {
                        Ok(data) => Answer::Static(data),
                        Err(e) => Answer::Failed(e),
                    };
                    // Code that caught its own out-of-memory error leaves a heap near the cap:
                    // this process is not handed another run.
                    sandbox.retire_if_near_cap();
                    closed_broken = sandbox.is_broken();
                    answer
                }
                None => Answer::Failed(ExprError::Engine("no Code node run is open".into())),
            },
        };
        let spent = closed_broken
            || current.as_ref().is_some_and(|(s, _)| s.is_broken())
            || matches!(answer, Answer::Failed(ExprError::OutOfMemory(_)));
        write_frame(&mut output, &answer)?;
        if spent {
            return Ok(());
        }
    }
    Ok(())
}

fn open(request: &CodeRequest) -> Result<Sandbox, ExprError> {
    let sandbox = Sandbox::new(
        request.limits,
        &request.execution,
        &request.workflow,
        &request.timezone,
        &request.vars,
    )?;
    sandbox.set_static_data(&request.static_data)?;
    sandbox.load(&request.scope)?;
    Ok(sandbox)
}

/// The Code node host of a run, if it has one (else Code nodes run on the execution's thread).
#[derive(Clone, Default)]
pub struct CodeHosting(pub Option<Arc<dyn CodeHost>>);

impl std::fmt::Debug for CodeHosting {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(if self.0.is_some() {
            "CodeHosting(host)"
        } else {
            "CodeHosting(thread)"
        })
    }
}
