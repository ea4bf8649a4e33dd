//! The Redis side of queue mode, as an apalis backend of our own: two streams (high and normal
//! priority) read by one consumer group, a sorted set of jobs due later (moved into the normal
//! stream by a Lua script on Redis's clock), and a set of the ids queued, so the reconciler
//! can tell an execution whose job was lost (a failed push, a flushed Redis) from one that
//! waits its turn. An entry is acknowledged and deleted once its execution is claimed: from
//! then on the execution's lease in the database protects it, not the stream.

use std::collections::VecDeque;
use std::sync::{Arc, LazyLock, Mutex};
use std::task::{Context, Poll, ready};
use std::time::{Duration, Instant};

use apalis_core::backend::finalize::Ephemeral;
use apalis_core::backend::{Backend, BackendConfig};
use apalis_core::task::Task;
use apalis_core::task::builder::TaskBuilder;
use apalis_core::worker::context::WorkerContext;
use chrono::{DateTime, Utc};
use futures_util::FutureExt;
use futures_util::future::BoxFuture;
use redis::aio::ConnectionManager;
use redis::{RedisResult, Value};
use uuid::Uuid;

use super::{Depth, Job, Priority, QueueError};

const GROUP: &str = "workers";

/// An entry read, with the execution it names (`None`: malformed).
type Read = (Entry, Option<Uuid>);

/// Where a job sits: which stream, which entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    high: bool,
    id: String,
}

/// The queue's keys in one deployment.
#[derive(Debug, Clone)]
struct Keys {
    high: String,
    normal: String,
    delayed: String,
    queued: String,
}

impl Keys {
    fn stream(&self, high: bool) -> &str {
        if high { &self.high } else { &self.normal }
    }
}

/// How the consumer reads.
#[derive(Debug, Clone)]
pub struct StreamsSettings {
    /// This process's consumer name (unique per process).
    pub consumer: String,
    /// How long one read waits for an entry before looking at due jobs again.
    pub block: Duration,
    /// An entry read by a consumer that has not acknowledged it for this long (it died before
    /// claiming its execution) is taken over.
    pub claim_idle: Duration,
}

// Adds the id to the queued set and the entry to the stream, at once.
static PUSH: LazyLock<redis::Script> = LazyLock::new(|| {
    redis::Script::new(
        r"redis.call('SADD', KEYS[2], ARGV[1])
          return redis.call('XADD', KEYS[1], '*', 'id', ARGV[1])",
    )
});
// Due later: the delayed set, scored by Redis's clock plus the delay.
static PUSH_AT: LazyLock<redis::Script> = LazyLock::new(|| {
    redis::Script::new(
        r"redis.call('SADD', KEYS[2], ARGV[1])
          local t = redis.call('TIME')
          local now = t[1] * 1000 + math.floor(t[2] / 1000)
          return redis.call('ZADD', KEYS[1], now + tonumber(ARGV[2]), ARGV[1])",
    )
});
// Moves at most ARGV[1] due jobs from the delayed set into the normal stream; answers how many
// milliseconds until the next one is due (-1: none waits).
static PROMOTE: LazyLock<redis::Script> = LazyLock::new(|| {
    redis::Script::new(
        r"local t = redis.call('TIME')
          local now = t[1] * 1000 + math.floor(t[2] / 1000)
          local due = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', now, 'LIMIT', 0, tonumber(ARGV[1]))
          for _, id in ipairs(due) do
            redis.call('XADD', KEYS[2], '*', 'id', id)
            redis.call('ZREM', KEYS[1], id)
          end
          local next = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
          if #next == 0 then return -1 end
          return math.max(0, tonumber(next[2]) - now)",
    )
});
// Acknowledges and deletes the entry, and forgets the id.
static SETTLE: LazyLock<redis::Script> = LazyLock::new(|| {
    redis::Script::new(
        r"redis.call('XACK', KEYS[1], ARGV[1], ARGV[2])
          redis.call('XDEL', KEYS[1], ARGV[2])
          redis.call('SREM', KEYS[2], ARGV[3])
          return 1",
    )
});

/// The producer side (any process) and the consumer side (a worker's backend).
#[derive(Clone)]
pub struct Streams {
    keys: Arc<Keys>,
    conn: ConnectionManager,
    client: redis::Client,
}

impl Streams {
    /// The queue of the deployment whose keys start with `prefix`.
    pub async fn connect(client: redis::Client, prefix: &str) -> RedisResult<Self> {
        let keys = Keys {
            high: format!("{prefix}:high"),
            normal: format!("{prefix}:normal"),
            delayed: format!("{prefix}:delayed"),
            queued: format!("{prefix}:queued"),
        };
        let conn = client.get_connection_manager().await?;
        Ok(Self {
            keys: Arc::new(keys),
            conn,
            client,
        })
    }

    pub(super) async fn push(&self, id: Uuid, priority: Priority) -> Result<(), QueueError> {
        let stream = self.keys.stream(priority == Priority::High);
        PUSH.key(stream)
            .key(&self.keys.queued)
            .arg(id.to_string())
            .invoke_async::<String>(&mut self.conn.clone())
            .await?;
        Ok(())
    }

    pub(super) async fn push_at(&self, id: Uuid, due: DateTime<Utc>) -> Result<(), QueueError> {
        let delay = (due - Utc::now()).num_milliseconds().max(0);
        PUSH_AT
            .key(&self.keys.delayed)
            .key(&self.keys.queued)
            .arg(id.to_string())
            .arg(delay)
            .invoke_async::<i64>(&mut self.conn.clone())
            .await?;
        Ok(())
    }

    pub(super) async fn settle(&self, id: Uuid, entry: &Entry) -> RedisResult<()> {
        SETTLE
            .key(self.keys.stream(entry.high))
            .key(&self.keys.queued)
            .arg(GROUP)
            .arg(&entry.id)
            .arg(id.to_string())
            .invoke_async::<i64>(&mut self.conn.clone())
            .await
            .map(drop)
    }

    pub(super) async fn missing(&self, ids: &[Uuid]) -> Result<Vec<Uuid>, QueueError> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let mut cmd = redis::cmd("SMISMEMBER");
        cmd.arg(&self.keys.queued);
        for id in ids {
            cmd.arg(id.to_string());
        }
        let known: Vec<i64> = cmd.query_async(&mut self.conn.clone()).await?;
        Ok(ids
            .iter()
            .zip(known)
            .filter(|(_, k)| *k == 0)
            .map(|(id, _)| *id)
            .collect())
    }

    pub(super) async fn depth(&self) -> Result<Depth, QueueError> {
        let mut conn = self.conn.clone();
        let mut depth = Depth::default();
        for stream in [&self.keys.high, &self.keys.normal] {
            // Entries are deleted once settled, so the stream holds what waits or is taken.
            let len: u64 = redis::cmd("XLEN")
                .arg(stream)
                .query_async(&mut conn)
                .await?;
            let pending: Value = redis::cmd("XPENDING")
                .arg(stream)
                .arg(GROUP)
                .query_async(&mut conn)
                .await
                .unwrap_or(Value::Nil);
            let taken = match pending {
                Value::Array(v) => v.first().and_then(as_u64).unwrap_or(0),
                _ => 0,
            };
            depth.taken += taken;
            depth.waiting += len.saturating_sub(taken);
        }
        depth.delayed = redis::cmd("ZCARD")
            .arg(&self.keys.delayed)
            .query_async(&mut conn)
            .await?;
        Ok(depth)
    }

    /// A worker's backend reading as `settings.consumer`.
    pub async fn backend(&self, settings: StreamsSettings) -> RedisResult<StreamsBackend> {
        let blocking = self
            .client
            .get_connection_manager_with_config(
                redis::aio::ConnectionManagerConfig::new()
                    .set_response_timeout(Some(settings.block + Duration::from_secs(5))),
            )
            .await?;
        let reader = Reader {
            streams: self.clone(),
            blocking,
            settings: Arc::new(settings),
            last_claim: Arc::new(Mutex::new(None)),
        };
        reader.ensure_groups().await?;
        Ok(StreamsBackend {
            reader,
            buffer: VecDeque::new(),
            fetch: None,
            close: None,
        })
    }
}

fn as_u64(v: &Value) -> Option<u64> {
    match v {
        Value::Int(n) => u64::try_from(*n).ok(),
        Value::BulkString(b) => std::str::from_utf8(b).ok()?.parse().ok(),
        Value::SimpleString(s) => s.parse().ok(),
        _ => None,
    }
}

fn as_string(v: &Value) -> Option<String> {
    match v {
        Value::BulkString(b) => String::from_utf8(b.clone()).ok(),
        Value::SimpleString(s) => Some(s.clone()),
        _ => None,
    }
}

/// The `(entry id, execution id)` pairs of a list of stream entries (`[[id, [field, value…]]…]`).
fn entries(list: &Value, high: bool, out: &mut Vec<Read>) {
    let Value::Array(items) = list else { return };
    for item in items {
        let Value::Array(parts) = item else { continue };
        let Some(entry_id) = parts.first().and_then(as_string) else {
            continue;
        };
        let execution = match parts.get(1) {
            Some(Value::Array(fields)) => fields
                .chunks(2)
                .find(|kv| kv.first().and_then(as_string).as_deref() == Some("id"))
                .and_then(|kv| kv.get(1).and_then(as_string))
                .and_then(|s| Uuid::try_parse(&s).ok()),
            _ => None,
        };
        out.push((Entry { high, id: entry_id }, execution));
    }
}

/// Reads entries for one consumer.
#[derive(Clone)]
struct Reader {
    streams: Streams,
    /// Only XREADGROUP with BLOCK runs here (its response comes late by design).
    blocking: ConnectionManager,
    settings: Arc<StreamsSettings>,
    last_claim: Arc<Mutex<Option<Instant>>>,
}

impl Reader {
    async fn ensure_groups(&self) -> RedisResult<()> {
        let mut conn = self.streams.conn.clone();
        for stream in [&self.streams.keys.high, &self.streams.keys.normal] {
            // From "0", not "$": entries added before the group existed are not skipped.
            let made = redis::cmd("XGROUP")
                .arg("CREATE")
                .arg(stream)
                .arg(GROUP)
                .arg("0")
                .arg("MKSTREAM")
                .query_async::<()>(&mut conn)
                .await;
            match made {
                Err(e) if e.code() != Some("BUSYGROUP") => return Err(e),
                _ => {}
            }
        }
        Ok(())
    }

    /// Entries of consumers that read them and went away, taken over (now and then).
    async fn take_over(&self) -> RedisResult<Vec<Read>> {
        {
            let mut last = self.last_claim.lock().unwrap_or_else(|e| e.into_inner());
            if last.is_some_and(|t| t.elapsed() < self.settings.claim_idle / 2) {
                return Ok(Vec::new());
            }
            *last = Some(Instant::now());
        }
        let mut out = Vec::new();
        let mut conn = self.streams.conn.clone();
        for high in [true, false] {
            let reply: Value = redis::cmd("XAUTOCLAIM")
                .arg(self.streams.keys.stream(high))
                .arg(GROUP)
                .arg(&self.settings.consumer)
                .arg(self.settings.claim_idle.as_millis() as u64)
                .arg("0-0")
                .arg("COUNT")
                .arg(16)
                .query_async(&mut conn)
                .await?;
            if let Value::Array(parts) = reply
                && let Some(list) = parts.get(1)
            {
                entries(list, high, &mut out);
            }
        }
        Ok(out)
    }

    async fn try_fetch(&mut self) -> RedisResult<Vec<Read>> {
        let taken = self.take_over().await?;
        if !taken.is_empty() {
            return Ok(taken);
        }
        let keys = &self.streams.keys;
        let next_due: i64 = PROMOTE
            .key(&keys.delayed)
            .key(&keys.normal)
            .arg(100)
            .invoke_async(&mut self.streams.conn.clone())
            .await?;
        // Wake up for the next job due later, not a whole block after it.
        let block = match u64::try_from(next_due) {
            Ok(ms) => Duration::from_millis(ms.max(5)).min(self.settings.block),
            Err(_) => self.settings.block,
        };
        let reply: Value = redis::cmd("XREADGROUP")
            .arg("GROUP")
            .arg(GROUP)
            .arg(&self.settings.consumer)
            .arg("COUNT")
            .arg(1)
            .arg("BLOCK")
            .arg(block.as_millis() as u64)
            .arg("STREAMS")
            .arg(&keys.high)
            .arg(&keys.normal)
            .arg(">")
            .arg(">")
            .query_async(&mut self.blocking)
            .await?;
        let mut out = Vec::new();
        let streams: Vec<(Value, Value)> = match reply {
            Value::Array(list) => list
                .into_iter()
                .filter_map(|s| match s {
                    Value::Array(mut kv) if kv.len() == 2 => {
                        let entries = kv.pop()?;
                        Some((kv.pop()?, entries))
                    }
                    _ => None,
                })
                .collect(),
            Value::Map(map) => map,
            _ => Vec::new(),
        };
        // High priority first, whatever order Redis answered in.
        for want_high in [true, false] {
            for (name, list) in &streams {
                let high = as_string(name).as_deref() == Some(keys.high.as_str());
                if high == want_high {
                    entries(list, high, &mut out);
                }
            }
        }
        Ok(out)
    }

    /// Waits for entries; empty only when the worker is stopping.
    async fn fetch(mut self, worker: WorkerContext) -> Vec<Read> {
        loop {
            if worker.is_shutting_down() {
                return Vec::new();
            }
            match self.try_fetch().await {
                Ok(found) if !found.is_empty() => return found,
                Ok(_) => {}
                Err(e) => {
                    if e.code() == Some("NOGROUP") {
                        // Redis lost the streams (restarted empty, flushed): make them again;
                        // the reconciler queues the lost jobs again from the database.
                        if let Err(e) = self.ensure_groups().await {
                            tracing::warn!(error = %e, "the queue's consumer group could not be made");
                        }
                    } else {
                        tracing::warn!(error = %e, "reading the queue failed; retrying");
                    }
                    tokio::time::sleep(Duration::from_secs(1)).await;
                }
            }
        }
    }
}

/// A worker's backend: what it read and has not handed out yet, and the read in progress.
pub struct StreamsBackend {
    reader: Reader,
    buffer: VecDeque<Read>,
    fetch: Option<BoxFuture<'static, Vec<Read>>>,
    close: Option<BoxFuture<'static, ()>>,
}

impl Clone for StreamsBackend {
    fn clone(&self) -> Self {
        Self {
            reader: self.reader.clone(),
            buffer: VecDeque::new(),
            fetch: None,
            close: None,
        }
    }
}

impl Backend for StreamsBackend {
    type Task = Task<Job>;
    type Error = QueueError;

    fn poll_ready(
        &mut self,
        _: &mut Context<'_>,
        _: &WorkerContext,
    ) -> Poll<Result<(), QueueError>> {
        Poll::Ready(Ok(()))
    }

    fn poll_next(
        &mut self,
        cx: &mut Context<'_>,
        worker: &WorkerContext,
    ) -> Poll<Option<Result<Task<Job>, QueueError>>> {
        loop {
            if let Some((entry, execution)) = self.buffer.pop_front() {
                let Some(execution_id) = execution else {
                    // Not ours (malformed): drop it so it does not come back.
                    let streams = self.reader.streams.clone();
                    tokio::spawn(async move {
                        let _ = streams.settle(Uuid::nil(), &entry).await;
                    });
                    continue;
                };
                let job = Job {
                    execution_id,
                    entry: Some(entry),
                };
                return Poll::Ready(Some(Ok(TaskBuilder::new(job).build())));
            }
            if self.fetch.is_none() {
                self.fetch = Some(self.reader.clone().fetch(worker.clone()).boxed());
            }
            let found = ready!(self.fetch.as_mut().expect("set above").poll_unpin(cx));
            self.fetch = None;
            if found.is_empty() {
                return Poll::Ready(None);
            }
            self.buffer.extend(found);
        }
    }

    fn poll_close(
        &mut self,
        cx: &mut Context<'_>,
        _: &WorkerContext,
    ) -> Poll<Result<(), QueueError>> {
        if let Some(fetch) = self.fetch.as_mut() {
            let found = ready!(fetch.poll_unpin(cx));
            self.fetch = None;
            self.buffer.extend(found);
        }
        if self.close.is_none() {
            // Entries read and not started go back at once, not after `claim_idle`.
            let streams = self.reader.streams.clone();
            let unstarted: Vec<_> = self.buffer.drain(..).collect();
            self.close = Some(
                async move {
                    for (entry, execution) in unstarted {
                        // Taken off first, then queued again: a failure between the two leaves
                        // a `new` execution without a job, which the reconciler queues again.
                        let id = execution.unwrap_or_default();
                        if streams.settle(id, &entry).await.is_ok() && execution.is_some() {
                            let priority = if entry.high {
                                Priority::High
                            } else {
                                Priority::Normal
                            };
                            let _ = streams.push(id, priority).await;
                        }
                    }
                }
                .boxed(),
            );
        }
        ready!(self.close.as_mut().expect("set above").poll_unpin(cx));
        Poll::Ready(Ok(()))
    }
}

impl BackendConfig for StreamsBackend {
    type Args = Job;
    type Id = String;
    type Kind = Ephemeral;
    type Config = StreamsSettings;
    type Layer = tower_layer::Identity;

    fn config(&self) -> &StreamsSettings {
        &self.reader.settings
    }

    fn middleware(&mut self, _: &mut WorkerContext) -> Self::Layer {
        tower_layer::Identity::new()
    }
}
