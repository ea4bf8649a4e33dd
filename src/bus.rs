//! Redis as what API instances share: one auto-reconnecting connection for commands, and the
//! change feed. Every committed workflow or credential change is published on
//! `weft:changes:<database>`; every instance on that database subscribes and bumps its change generation, so its caches drop
//! what they hold. While the subscription is down an instance caches nothing (it could miss
//! changes), and on reconnecting it forgets everything cached before.

use std::sync::Arc;
use std::time::Duration;

use futures_util::StreamExt as _;
use redis::aio::ConnectionManager;
use tokio::sync::{OnceCell, mpsc};

use crate::db::Db;

pub struct Bus {
    client: redis::Client,
    /// Names the database this deployment uses, so deployments sharing a Redis keep apart.
    scope: String,
    conn: OnceCell<ConnectionManager>,
    /// Names this process on the feed, so it ignores its own events.
    instance: String,
}

impl Bus {
    /// `scope` names the database (no credentials): instances on one database share keys.
    pub fn new(client: redis::Client, scope: &str) -> Self {
        use sha2::{Digest, Sha256};
        let digest = Sha256::digest(scope.as_bytes());
        Self {
            client,
            scope: hex::encode(&digest[..8]),
            conn: OnceCell::new(),
            instance: uuid::Uuid::now_v7().simple().to_string(),
        }
    }

    /// A Redis key (or channel) of this deployment: `weft:<name>:<database>`. Instances on one
    /// database share it; deployments that share a Redis but not a database do not.
    pub fn key(&self, name: &str) -> String {
        format!("weft:{name}:{}", self.scope)
    }

    pub fn client(&self) -> &redis::Client {
        &self.client
    }

    /// The shared command connection (made on first use; it reconnects by itself).
    pub async fn conn(&self) -> redis::RedisResult<ConnectionManager> {
        self.conn
            .get_or_try_init(|| ConnectionManager::new(self.client.clone()))
            .await
            .cloned()
    }

    /// Publishes `message` on this deployment's channel `name`.
    pub async fn publish(&self, name: &str, message: &str) -> redis::RedisResult<()> {
        let mut conn = self.conn().await?;
        redis::cmd("PUBLISH")
            .arg(self.key(name))
            .arg(message)
            .query_async::<i64>(&mut conn)
            .await
            .map(drop)
    }

    /// Calls `on` with every message published on this deployment's channel `name`,
    /// subscribing again whenever the subscription is lost.
    pub fn listen(self: &Arc<Self>, name: &str, on: impl Fn(String) + Send + Sync + 'static) {
        let channel = self.key(name);
        let bus = self.clone();
        tokio::spawn(async move {
            loop {
                let followed = async {
                    let mut pubsub = bus.client.get_async_pubsub().await?;
                    pubsub.subscribe(&channel).await?;
                    let mut events = pubsub.into_on_message();
                    while let Some(event) = events.next().await {
                        on(event.get_payload().unwrap_or_default());
                    }
                    Ok::<_, redis::RedisError>(())
                };
                if let Err(e) = followed.await {
                    tracing::warn!(error = %e, channel = %channel, "subscription lost; retrying");
                }
                tokio::time::sleep(Duration::from_secs(1)).await;
            }
        });
    }

    /// Publishes this process's committed changes and applies other instances' ones to `db`.
    pub fn start_change_feed(self: &Arc<Self>, db: &Db) {
        let channel = self.key("changes");
        let (outbox, mut changes) = mpsc::unbounded_channel::<()>();
        db.set_change_outbox(outbox);
        let publisher = self.clone();
        let publish_to = channel.clone();
        tokio::spawn(async move {
            while changes.recv().await.is_some() {
                // Many changes in a burst need one event.
                while changes.try_recv().is_ok() {}
                let sent = async {
                    let mut conn = publisher.conn().await?;
                    redis::cmd("PUBLISH")
                        .arg(&publish_to)
                        .arg(&publisher.instance)
                        .query_async::<i64>(&mut conn)
                        .await
                };
                if let Err(e) = sent.await {
                    tracing::warn!(error = %e, "change event not published; other instances' caches expire within seconds");
                }
            }
        });
        let subscriber = self.clone();
        let db = db.clone();
        tokio::spawn(async move {
            loop {
                if let Err(e) = subscriber.follow(&db, &channel).await {
                    tracing::warn!(error = %e, "change feed lost; caching stops until it is back");
                }
                db.set_feed_live(false);
                tokio::time::sleep(Duration::from_secs(1)).await;
            }
        });
    }

    /// Subscribes and applies events until the subscription ends.
    async fn follow(&self, db: &Db, channel: &str) -> redis::RedisResult<()> {
        let mut pubsub = self.client.get_async_pubsub().await?;
        pubsub.subscribe(channel).await?;
        // Whatever changed while no feed was listening is unknown: start from nothing.
        db.remote_change();
        db.set_feed_live(true);
        let mut events = pubsub.into_on_message();
        while let Some(event) = events.next().await {
            let from: String = event.get_payload().unwrap_or_default();
            if from != self.instance {
                db.remote_change();
            }
        }
        Ok(())
    }
}
