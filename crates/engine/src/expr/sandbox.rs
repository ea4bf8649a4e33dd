//! The JavaScript sandbox: a QuickJS context per execution on a per-thread runtime, with a
//! memory cap and an interrupt-based time limit, holding only our prelude and JSON data.

use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use std::rc::Rc;
use std::time::{Duration, Instant};

use rquickjs::{CatchResultExt, CaughtError, Context, Ctx, Function, Runtime};
use serde_json::{Value, json};

use super::ExprError;
use crate::run::{Item, NodeContexts, RunData, SourceData};

const GUARDS: &str = include_str!("guards.js");
const PRELUDE: &str = include_str!("prelude.js");
const CONDITIONS: &str = include_str!("conditions.js");
const INTL: &str = include_str!("intl.js");
const EXTENSIONS: &str = include_str!("extensions.js");
const LUXON: &str = include_str!("vendor/luxon.min.js");
const JMESPATH: &str = include_str!("vendor/jmespath.min.js");
const TRANSFORMS: &str = include_str!("transforms.js");
const DATETIME: &str = include_str!("datetime.js");
const BUFFER: &str = include_str!("buffer.js");
/// `Intl` as a getter that loads `intl.js` the first time anything touches it.
const LAZY_INTL: &str = "Object.defineProperty(globalThis, 'Intl', { configurable: true, \
    get() { delete globalThis.Intl; __load('intl'); return globalThis.Intl; } });";

/// The extension methods' names per prototype, found once per process by running
/// `extensions.js` in a scratch context and comparing with a pristine one.
const FIND_EXTENSIONS: &str = r#"(function (g) {
  const protos = { String: String.prototype, Number: Number.prototype, Boolean: Boolean.prototype,
    Array: Array.prototype, Object: Object.prototype, Date: Date.prototype };
  const before = {};
  for (const [k, p] of Object.entries(protos)) before[k] = new Set(Object.getOwnPropertyNames(p));
  g.__findExtensions = () => {
    const out = {};
    for (const [k, p] of Object.entries(protos)) {
      out[k] = Object.getOwnPropertyNames(p).filter((n) => !before[k].has(n));
    }
    return JSON.stringify(out);
  };
})(globalThis);"#;

/// Installs the extension methods as getters that load `extensions.js` on first touch (it is
/// the largest part of a context's setup, and most executions never call one).
const STUBS_TEMPLATE: &str = r#"(function (g, names) {
  const protos = { String: String.prototype, Number: Number.prototype, Boolean: Boolean.prototype,
    Array: Array.prototype, Object: Object.prototype, Date: Date.prototype };
  let loaded = false;
  const load = () => {
    if (loaded) return;
    loaded = true;
    for (const [k, list] of Object.entries(names)) for (const n of list) delete protos[k][n];
    g.__load('extensions');
  };
  g.__loadExtensions = load;
  for (const [k, list] of Object.entries(names)) {
    for (const n of list) {
      Object.defineProperty(protos[k], n, {
        configurable: true, enumerable: false,
        get() { load(); return this[n]; },
        set(v) { load(); this[n] = v; },
      });
    }
  }
})(globalThis, NAMES);"#;

fn extension_stubs() -> rquickjs::Result<&'static str> {
    static STUBS: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    if let Some(s) = STUBS.get() {
        return Ok(s);
    }
    let runtime = Runtime::new()?;
    let context = Context::full(&runtime)?;
    let names: String = context.with(|ctx| {
        script(&ctx, FIND_EXTENSIONS)?;
        script(&ctx, EXTENSIONS)?;
        let find: Function = ctx.globals().get("__findExtensions")?;
        find.call(())
    })?;
    Ok(STUBS.get_or_init(|| STUBS_TEMPLATE.replace("NAMES", &names)))
}

/// Evaluates one of Weft's own scripts, named `<weft>` so that stack traces can leave its frames
/// out (see `guards.js`).
fn script(ctx: &Ctx<'_>, source: &str) -> rquickjs::Result<()> {
    let mut options = rquickjs::context::EvalOptions::default();
    options.filename = Some("<weft>".to_owned());
    ctx.eval_with_options(source, options)
}

/// Evaluates a library on first use (`luxon`, `jmespath`, our `Intl`), defining its global.
fn load_library(ctx: Ctx<'_>, name: String) -> rquickjs::Result<()> {
    match name.as_str() {
        "luxon" => script(&ctx, LUXON),
        "jmespath" => script(&ctx, JMESPATH),
        "intl" => script(&ctx, INTL),
        "extensions" => script(&ctx, EXTENSIONS),
        "buffer" => script(&ctx, BUFFER),
        _ => Ok(()),
    }
}

/// Minutes east of UTC of `zone` at `epoch_ms`; `None` for a zone the tz database lacks.
fn tz_offset(zone: String, epoch_ms: f64) -> Option<i32> {
    use chrono::{Offset, TimeZone};
    let tz: chrono_tz::Tz = zone.parse().ok()?;
    let at = chrono::DateTime::from_timestamp_millis(epoch_ms as i64)?;
    Some(
        tz.offset_from_utc_datetime(&at.naive_utc())
            .fix()
            .local_minus_utc()
            / 60,
    )
}

/// Bounds on one evaluation: wall time, and memory of the thread's JavaScript heap.
#[derive(Debug, Clone, Copy, serde::Serialize, serde::Deserialize)]
pub struct ExprLimits {
    pub timeout: Duration,
    pub memory_bytes: usize,
}

impl Default for ExprLimits {
    fn default() -> Self {
        Self {
            timeout: Duration::from_secs(1),
            memory_bytes: 64 << 20,
        }
    }
}

/// What expressions of one node run see: its name, run, where its input came from, its input
/// items (`$input`) and its raw parameters (`$input.params`).
#[derive(Debug, Clone, Copy)]
pub struct NodeScope<'a> {
    pub node: &'a str,
    pub run_index: u32,
    pub source: &'a [Option<SourceData>],
    pub items: &'a [Item],
    pub params: &'a Value,
    /// Every node's context (`$node["X"].context`), when the run keeps any.
    pub contexts: Option<&'a NodeContexts>,
    /// How far the execution's (virtual) clock is ahead of real time, in milliseconds.
    pub clock_offset_ms: i64,
}

pub(super) struct ThreadRuntime {
    pub(super) runtime: Runtime,
    deadline: Rc<Cell<Option<Instant>>>,
    /// The runtime hit its memory cap: no context is created on it or entered again. It is
    /// freed as usual once its last context is dropped (freeing only releases memory; what
    /// aborted the process before was running more JavaScript, and with it the collector,
    /// on a runtime whose allocation had failed).
    pub(super) poisoned: Cell<bool>,
}

thread_local! {
    static RUNTIME: RefCell<Option<Rc<ThreadRuntime>>> = const { RefCell::new(None) };
}

fn thread_runtime() -> Result<Rc<ThreadRuntime>, ExprError> {
    RUNTIME.with(|cell| {
        if let Some(rt) = cell.borrow().as_ref()
            && !rt.poisoned.get()
        {
            return Ok(rt.clone());
        }
        let runtime = Runtime::new().map_err(|e| ExprError::Engine(e.to_string()))?;
        runtime.set_max_stack_size(512 * 1024);
        let deadline: Rc<Cell<Option<Instant>>> = Rc::new(Cell::new(None));
        let seen = deadline.clone();
        runtime.set_interrupt_handler(Some(Box::new(move || {
            seen.get().is_some_and(|d| Instant::now() > d)
        })));
        let rt = Rc::new(ThreadRuntime {
            runtime,
            deadline,
            poisoned: Cell::new(false),
        });
        *cell.borrow_mut() = Some(rt.clone());
        Ok(rt)
    })
}

/// One execution's JavaScript world. Not `Send`: an execution runs on one thread.
pub struct Sandbox {
    /// Declared before `thread` so it is dropped first: the runtime's last owner then sees
    /// every context of it gone.
    context: Context,
    pub(super) thread: Rc<ThreadRuntime>,
    pub(super) limits: ExprLimits,
    /// Runs of each node already copied into the context.
    pub(super) recorded: RefCell<HashMap<String, usize>>,
    /// The node scope last entered, so it is sent once per node run, not per item.
    pub(super) entered: RefCell<Option<(String, u32)>>,
}

impl Sandbox {
    /// A fresh context (nothing user code did in another execution is visible) on this thread's runtime.
    pub fn new(
        limits: ExprLimits,
        execution: &Value,
        workflow: &Value,
        timezone: &str,
        vars: &Value,
    ) -> Result<Self, ExprError> {
        let thread = thread_runtime()?;
        thread.runtime.set_memory_limit(limits.memory_bytes);
        let context = Context::full(&thread.runtime).map_err(|e| {
            // Even a failed context creation may have run out of memory half-way.
            thread.poisoned.set(true);
            ExprError::Engine(e.to_string())
        })?;
        let sandbox = Self {
            thread,
            context,
            limits,
            recorded: RefCell::new(HashMap::new()),
            entered: RefCell::new(None),
        };
        let setup =
            json!({"execution": execution, "workflow": workflow, "timezone": timezone, "vars": vars})
                .to_string();
        sandbox.call(|ctx| {
            let globals = ctx.globals();
            globals.set("__tzOffset", Function::new(ctx.clone(), tz_offset)?)?;
            globals.set("__load", Function::new(ctx.clone(), load_library)?)?;
            // Parsing is most of a context's cost, so `Intl` and the condition helpers load on
            // first use (like Luxon, jmespath, transforms and Date & Time).
            script(ctx, GUARDS)?;
            script(ctx, LAZY_INTL)?;
            script(ctx, PRELUDE)?;
            script(ctx, extension_stubs()?)?;
            let f: Function = ctx.globals().get("__setExecution")?;
            f.call::<_, ()>((setup,))
        })?;
        Ok(sandbox)
    }

    /// Runs `f` in the context under the time limit, mapping JavaScript failures to `ExprError`.
    /// A context whose runtime ran out of memory is never entered again: QuickJS may have left
    /// its collector's state behind, and the next collection would abort the process.
    pub(super) fn call<T>(
        &self,
        f: impl FnOnce(&Ctx<'_>) -> rquickjs::Result<T>,
    ) -> Result<T, ExprError> {
        if self.thread.poisoned.get() {
            return Err(ExprError::OutOfMemory(self.limits.memory_bytes));
        }
        self.thread
            .deadline
            .set(Some(Instant::now() + self.limits.timeout));
        let limits = self.limits;
        let result = self.context.with(|ctx| {
            f(&ctx).catch(&ctx).map_err(|err| {
                let message = match &err {
                    CaughtError::Exception(e) => e.message().unwrap_or_else(|| e.to_string()),
                    CaughtError::Value(v) => format!("{v:?}"),
                    CaughtError::Error(e) => e.to_string(),
                };
                (
                    message,
                    matches!(err, CaughtError::Error(rquickjs::Error::Allocation)),
                )
            })
        });
        let timed_out = self
            .thread
            .deadline
            .get()
            .is_some_and(|d| Instant::now() > d);
        self.thread.deadline.set(None);
        result.map_err(|(message, allocation)| {
            // QuickJS throws a bare `null` when it cannot even allocate the error object.
            let near_cap = || {
                let used = self.thread.runtime.memory_usage().malloc_size.max(0) as usize;
                used > limits.memory_bytes / 10 * 9
            };
            let bare_null = message.eq_ignore_ascii_case("null");
            if allocation || message.contains("out of memory") || (bare_null && near_cap()) {
                // Never reused: the execution's next JavaScript gets a fresh context on a
                // fresh runtime (see `LazySandbox`), and this thread's next execution too.
                self.thread.poisoned.set(true);
                ExprError::OutOfMemory(limits.memory_bytes)
            } else if timed_out && message.contains("interrupted") {
                ExprError::Timeout(limits.timeout.as_millis() as u64)
            } else if message.starts_with("SyntaxError") || message.contains("unexpected token") {
                ExprError::Syntax(message)
            } else {
                ExprError::Thrown(message)
            }
        })
    }

    /// The runtime under this context ran out of memory: the context must not be used again.
    pub fn is_broken(&self) -> bool {
        self.thread.poisoned.get()
    }

    /// Runs one of the item transforms (`sort`, `removeDuplicates`, `renameKeys`, `splitOut`,
    /// `aggregate`) on JSON items with resolved parameters; loads them on first use.
    pub fn transform(
        &self,
        name: &str,
        items: &str,
        params: &str,
        extra: Value,
    ) -> Result<Value, ExprError> {
        let extra = extra.to_string();
        let out: String = self.call(|ctx| {
            if !ctx.globals().contains_key("__transforms")? {
                script(ctx, TRANSFORMS)?;
            }
            let table: rquickjs::Object = ctx.globals().get("__transforms")?;
            let f: Function = table.get(name)?;
            let extra: rquickjs::Value = ctx.json_parse(extra)?;
            f.call((items, params, extra))
        })?;
        serde_json::from_str(&out).map_err(|e| ExprError::Engine(e.to_string()))
    }

    /// Computes one Date & Time result (node v1 or v2) from resolved parameters:
    /// `{ok, field, value}`, `{ok, skip}` (v1 drops the item) or `{ok: false, message}`.
    pub fn date_time(&self, version: u8, params: &str) -> Result<Value, ExprError> {
        let name = if version >= 2 {
            "__dateTimeV2"
        } else {
            "__dateTimeV1"
        };
        let out: String = self.call(|ctx| {
            if !ctx.globals().contains_key("__dateTimeV2")? {
                script(ctx, DATETIME)?;
            }
            let f: Function = ctx.globals().get(name)?;
            f.call((params,))
        })?;
        serde_json::from_str(&out).map_err(|e| ExprError::Engine(e.to_string()))
    }

    /// Calls one of the condition helpers (`__filter`, `__compareV1`, `__conditionsV1`), JSON in
    /// and out, loading them on first use.
    pub fn call_helper(&self, name: &str, json: &str, arg: Value) -> Result<Value, ExprError> {
        let arg = arg.to_string();
        let out: String = self.call(|ctx| {
            if !ctx.globals().contains_key("__filter")? {
                script(ctx, CONDITIONS)?;
            }
            let f: Function = ctx.globals().get(name)?;
            let arg: rquickjs::Value = ctx.json_parse(arg)?;
            f.call((json, arg))
        })?;
        serde_json::from_str(&out).map_err(|e| ExprError::Engine(e.to_string()))
    }

    /// Sets (or with `None` removes) the extra variables expressions see, e.g. `$response`.
    pub fn set_extras(&self, extras: Option<&Value>) -> Result<(), ExprError> {
        let json = extras.map(Value::to_string);
        self.call(|ctx| {
            let f: Function = ctx.globals().get("__setExtras")?;
            f.call::<_, ()>((json,))
        })
    }

    /// Evaluates one `{{ }}` body for item `index` of `scope`.
    pub fn eval(
        &self,
        code: &str,
        index: usize,
        scope: &NodeScope<'_>,
        run_data: &RunData,
    ) -> Result<Value, ExprError> {
        self.sync(scope, run_data)?;
        let out: Option<String> = self.call(|ctx| {
            let f: Function = ctx.globals().get("__eval")?;
            f.call((code, index as u32))
        })?;
        match out {
            None => Ok(Value::Null),
            Some(text) => serde_json::from_str(&text).map_err(|e| ExprError::Engine(e.to_string())),
        }
    }
}
