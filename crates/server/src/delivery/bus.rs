//! Carries envelopes to every node's hub.
//!
//! Alone, a node hands envelopes straight to its hub. With Redis, every node
//! publishes to one channel and delivers only what comes back from it, its
//! own envelopes included: Redis gives all subscribers the channel's messages
//! in one order, so every node sees the same sequence of events.
//!
//! Presence: each node counts its own connections per user in a Redis hash
//! and holds a lease it renews; "online" means counted by a node whose lease
//! is alive. A node that dies without closing its sockets loses its lease,
//! and the first node to notice announces its users offline.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use futures_util::StreamExt;
use redis::AsyncCommands;
use redis::aio::ConnectionManager;
use tokio::sync::mpsc;
use uuid::Uuid;

use super::{Envelope, Hub, Origin, Outbound, wire};
use domain::posting::Outlet;
use prometheus::IntCounterVec;
use protocol::UserId;

/// The names of this deployment's channel and keys in Redis.
#[derive(Clone)]
struct Keys {
    prefix: String,
}

impl Keys {
    fn channel(&self) -> String {
        format!("{}:events", self.prefix)
    }
    fn nodes(&self) -> String {
        format!("{}:nodes", self.prefix)
    }
    fn presence(&self, node: Uuid) -> String {
        format!("{}:presence:{node}", self.prefix)
    }
    fn lease(&self, node: Uuid) -> String {
        format!("{}:node:{node}", self.prefix)
    }
}
/// Shared keys no node has touched for this long belong to nobody.
const ABANDONED_AFTER_SECS: i64 = 24 * 3600;
/// Envelopes waiting to be published before the bus sheds load.
const PUBLISH_QUEUE: usize = 10_000;

#[derive(Clone)]
pub struct Bus {
    hub: Hub,
    redis: Option<RedisLink>,
}

#[derive(Clone)]
struct RedisLink {
    /// One long-lived connection (reconnecting by itself) for every command;
    /// clones share it and pipeline their commands.
    conn: ConnectionManager,
    keys: Keys,
    publish: mpsc::Sender<(String, Envelope)>,
}

impl Bus {
    pub fn local(hub: Hub) -> Self {
        Self { hub, redis: None }
    }

    /// Connects to Redis, takes this node's lease and starts the publisher
    /// and subscriber tasks.
    pub async fn redis(
        hub: Hub,
        url: &str,
        prefix: &str,
        lease: Duration,
        counted: IntCounterVec,
    ) -> Result<Self, redis::RedisError> {
        let keys = Keys {
            prefix: prefix.to_owned(),
        };
        let client = redis::Client::open(url)?;
        // Fail at start-up, not at the first message, when Redis is wrong.
        let mut conn = client.get_connection_manager().await?;
        let me = hub.node();
        let _: () = conn
            .set_ex(keys.lease(me), 1, lease.as_secs().max(1))
            .await?;
        let _: i64 = conn.sadd(keys.nodes(), me.to_string()).await?;
        for node in live_nodes(&mut conn, &keys).await? {
            let users: Vec<String> = conn.hkeys(keys.presence(node)).await?;
            for user in users.iter().filter_map(|u| UserId::parse(u).ok()) {
                hub.set_online(user, true);
            }
        }
        // Subscribed before start-up finishes, so nothing published once
        // this node is up can pass it by.
        let mut pubsub = client.get_async_pubsub().await?;
        pubsub.subscribe(keys.channel()).await?;
        let (tx, rx) = mpsc::channel(PUBLISH_QUEUE);
        let listening = Arc::new(AtomicBool::new(true));
        tokio::spawn(publisher(
            conn.clone(),
            keys.channel(),
            rx,
            hub.clone(),
            listening.clone(),
        ));
        tokio::spawn(subscriber(
            client.clone(),
            keys.channel(),
            hub.clone(),
            pubsub,
            listening,
            counted,
        ));
        Ok(Self {
            hub,
            redis: Some(RedisLink {
                conn,
                keys,
                publish: tx,
            }),
        })
    }

    pub fn is_clustered(&self) -> bool {
        self.redis.is_some()
    }

    pub fn hub(&self) -> &Hub {
        &self.hub
    }

    pub fn publish(&self, envelope: Envelope) {
        let Some(link) = &self.redis else {
            self.hub.deliver(envelope);
            return;
        };
        let payload = match wire::encode(&envelope) {
            Ok(payload) => payload,
            Err(e) => {
                tracing::error!(error = %e, "cannot serialise envelope");
                return;
            }
        };
        if let Err(e) = link.publish.try_send((payload, envelope)) {
            // Redis is far behind or gone: this node's users still hear it.
            tracing::error!("event bus queue full; delivering locally only");
            let (_, envelope) = e.into_inner();
            self.hub.deliver(envelope);
        }
    }

    /// Counts a connection in; true when it is the user's first anywhere.
    pub async fn connection_opened(&self, user: UserId, first_here: bool) -> bool {
        let Some(link) = &self.redis else {
            return first_here;
        };
        let result = async {
            let mut conn = link.conn.clone();
            let here: i64 = conn
                .hincr(link.keys.presence(self.hub.node()), user.to_string(), 1)
                .await?;
            if here != 1 {
                return Ok(false);
            }
            let elsewhere = online_elsewhere(&mut conn, &link.keys, self.hub.node(), user).await?;
            Ok::<_, redis::RedisError>(!elsewhere)
        }
        .await;
        result.unwrap_or_else(|e| {
            tracing::warn!(error = %e, "presence count failed");
            first_here
        })
    }

    /// Counts a connection out; true when it was the user's last anywhere.
    pub async fn connection_closed(&self, user: UserId, last_here: bool) -> bool {
        let Some(link) = &self.redis else {
            return last_here;
        };
        let result = async {
            let mut conn = link.conn.clone();
            let key = link.keys.presence(self.hub.node());
            let here: i64 = conn.hincr(&key, user.to_string(), -1).await?;
            if here > 0 {
                return Ok(false);
            }
            let _: i64 = conn.hdel(&key, user.to_string()).await?;
            let elsewhere = online_elsewhere(&mut conn, &link.keys, self.hub.node(), user).await?;
            Ok::<_, redis::RedisError>(!elsewhere)
        }
        .await;
        result.unwrap_or_else(|e| {
            tracing::warn!(error = %e, "presence count failed");
            last_here
        })
    }

    /// Renews this node's lease. A node that was taken for dead (a long
    /// pause, a network split) rejoins with its current counts.
    pub async fn renew_lease(&self, lease: Duration) -> redis::RedisResult<()> {
        let Some(link) = &self.redis else {
            return Ok(());
        };
        let me = self.hub.node();
        let mut conn = link.conn.clone();
        let keys = &link.keys;
        let _: () = conn
            .set_ex(keys.lease(me), 1, lease.as_secs().max(1))
            .await?;
        let rejoined: i64 = conn.sadd(keys.nodes(), me.to_string()).await?;
        // Keys of a deployment that is gone for good fade away on their own.
        let _: bool = conn.expire(keys.nodes(), ABANDONED_AFTER_SECS).await?;
        let _: bool = conn.expire(keys.presence(me), ABANDONED_AFTER_SECS).await?;
        if rejoined == 1 {
            tracing::warn!("this node had been taken for dead; restoring its presence counts");
            for (user, count) in self.hub.local_counts() {
                let _: () = conn
                    .hset(keys.presence(me), user.to_string(), count as i64)
                    .await?;
            }
        }
        Ok(())
    }

    /// Finds nodes whose lease ran out, claims each (one node wins), and
    /// returns their users who are not online anywhere else.
    pub async fn reap_dead_nodes(&self) -> redis::RedisResult<Vec<UserId>> {
        let Some(link) = &self.redis else {
            return Ok(Vec::new());
        };
        let me = self.hub.node();
        let mut conn = link.conn.clone();
        let keys = &link.keys;
        let nodes: Vec<String> = conn.smembers(keys.nodes()).await?;
        let mut gone = Vec::new();
        for node in nodes.iter().filter_map(|n| Uuid::parse_str(n).ok()) {
            if node == me || conn.exists::<_, bool>(keys.lease(node)).await? {
                continue;
            }
            let claimed: i64 = conn.srem(keys.nodes(), node.to_string()).await?;
            if claimed == 0 {
                continue; // another node is sweeping it
            }
            tracing::warn!(%node, "a node stopped renewing its lease; its users go offline");
            let users: Vec<String> = conn.hkeys(keys.presence(node)).await?;
            let _: i64 = conn.del(keys.presence(node)).await?;
            for user in users.iter().filter_map(|u| UserId::parse(u).ok()) {
                let here: Option<i64> = conn.hget(keys.presence(me), user.to_string()).await?;
                if here.unwrap_or(0) <= 0 && !online_elsewhere(&mut conn, keys, me, user).await? {
                    gone.push(user);
                }
            }
        }
        Ok(gone)
    }
}

impl Outlet for Bus {
    fn publish(&self, events: Vec<Outbound>, origin: Option<Origin>) {
        Bus::publish(self, Envelope::new(events, origin));
    }

    fn congested(&self) -> bool {
        self.hub.congested()
    }
}

/// Nodes whose lease is alive.
async fn live_nodes(conn: &mut ConnectionManager, keys: &Keys) -> redis::RedisResult<Vec<Uuid>> {
    let nodes: Vec<String> = conn.smembers(keys.nodes()).await?;
    let mut live = Vec::new();
    for node in nodes.iter().filter_map(|n| Uuid::parse_str(n).ok()) {
        if conn.exists::<_, bool>(keys.lease(node)).await? {
            live.push(node);
        }
    }
    Ok(live)
}

/// Whether a live node other than `me` counts a connection of `user`.
async fn online_elsewhere(
    conn: &mut ConnectionManager,
    keys: &Keys,
    me: Uuid,
    user: UserId,
) -> redis::RedisResult<bool> {
    for node in live_nodes(conn, keys).await? {
        if node == me {
            continue;
        }
        let count: Option<i64> = conn.hget(keys.presence(node), user.to_string()).await?;
        if count.unwrap_or(0) > 0 {
            return Ok(true);
        }
    }
    Ok(false)
}

/// Publishes what is queued, everything waiting at once in one pipeline:
/// one round trip per batch rather than per envelope, and still one order. What Redis took while this node is
/// not subscribed (Redis just came back, the subscriber not yet) would
/// never come back here: those are delivered locally as well, or this
/// node's own clients would miss their acks and events.
async fn publisher(
    mut conn: ConnectionManager,
    channel: String,
    mut rx: mpsc::Receiver<(String, Envelope)>,
    hub: Hub,
    listening: Arc<AtomicBool>,
) {
    const MAX_PIPELINE: usize = 512;
    let mut batch = Vec::with_capacity(MAX_PIPELINE);
    while rx.recv_many(&mut batch, MAX_PIPELINE).await > 0 {
        let mut pipe = redis::pipe();
        for (payload, _) in &batch {
            pipe.publish(&channel, payload).ignore();
        }
        let sent: redis::RedisResult<()> = pipe.query_async(&mut conn).await;
        if let Err(e) = &sent {
            tracing::error!(error = %e, "publishing to Redis failed; delivering locally");
        }
        if sent.is_err() || !listening.load(Ordering::Acquire) {
            for (_, envelope) in batch.drain(..) {
                hub.deliver(envelope);
            }
        }
        batch.clear();
    }
}

async fn subscriber(
    client: redis::Client,
    channel: String,
    hub: Hub,
    first: redis::aio::PubSub,
    listening: Arc<AtomicBool>,
    counted: IntCounterVec,
) {
    let delivered = counted.with_label_values(&["delivered"]);
    let skipped = counted.with_label_values(&["skipped"]);
    let mut subscribed = Some(first);
    let mut backoff = Duration::from_millis(100);
    loop {
        let pubsub = match subscribed.take() {
            Some(pubsub) => Ok(pubsub),
            None => resubscribe(&client, &channel).await,
        };
        match pubsub {
            Ok(mut pubsub) => {
                listening.store(true, Ordering::Release);
                backoff = Duration::from_millis(100);
                let mut messages = pubsub.on_message();
                while let Some(msg) = messages.next().await {
                    let payload: String = match msg.get_payload() {
                        Ok(p) => p,
                        Err(e) => {
                            tracing::warn!(error = %e, "unreadable bus message");
                            continue;
                        }
                    };
                    match wire::decode(&payload, &hub) {
                        Ok((envelope, unread)) => {
                            delivered.inc_by(envelope.events.len() as u64);
                            skipped.inc_by(unread as u64);
                            hub.deliver(envelope);
                        }
                        Err(e) => tracing::warn!(error = %e, "malformed bus message"),
                    }
                }
                listening.store(false, Ordering::Release);
                tracing::warn!("Redis subscription ended; reconnecting");
            }
            Err(e) => tracing::error!(error = %e, "cannot subscribe to Redis; retrying"),
        }
        tokio::time::sleep(backoff).await;
        backoff = (backoff * 2).min(Duration::from_secs(5));
    }
}

async fn resubscribe(
    client: &redis::Client,
    channel: &str,
) -> redis::RedisResult<redis::aio::PubSub> {
    let mut pubsub = client.get_async_pubsub().await?;
    pubsub.subscribe(channel).await?;
    Ok(pubsub)
}
