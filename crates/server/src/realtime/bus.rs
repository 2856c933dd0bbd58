//! Carries envelopes to every node's hub.
//!
//! Alone, a node hands envelopes straight to its hub. With Redis, every node
//! publishes to one channel and delivers only what comes back from it, its
//! own envelopes included: Redis gives all subscribers the channel's messages
//! in one order, so every node sees the same sequence of events. Presence is
//! counted in a Redis hash so "online" means "connected to any node".

use std::time::Duration;

use futures_util::StreamExt;
use redis::AsyncCommands;
use tokio::sync::mpsc;
use uuid::Uuid;

use super::{Envelope, Hub};

const CHANNEL: &str = "themechat:events";
const PRESENCE_KEY: &str = "themechat:presence";
/// Envelopes waiting to be published before the bus sheds load.
const PUBLISH_QUEUE: usize = 10_000;

#[derive(Clone)]
pub struct Bus {
    hub: Hub,
    redis: Option<RedisLink>,
}

#[derive(Clone)]
struct RedisLink {
    client: redis::Client,
    publish: mpsc::Sender<(String, Envelope)>,
}

impl Bus {
    pub fn local(hub: Hub) -> Self {
        Self { hub, redis: None }
    }

    /// Connects to Redis and starts the publisher and subscriber tasks.
    pub async fn redis(hub: Hub, url: &str) -> Result<Self, redis::RedisError> {
        let client = redis::Client::open(url)?;
        // Fail at start-up, not at the first message, when Redis is wrong.
        let mut conn = client.get_multiplexed_async_connection().await?;
        let online: std::collections::HashMap<String, i64> = conn.hgetall(PRESENCE_KEY).await?;
        for (user, count) in online {
            if let (Ok(user), true) = (Uuid::parse_str(&user), count > 0) {
                hub.set_online(user, true);
            }
        }
        // Subscribed before start-up finishes, so nothing published once
        // this node is up can pass it by.
        let mut pubsub = client.get_async_pubsub().await?;
        pubsub.subscribe(CHANNEL).await?;
        let (tx, rx) = mpsc::channel(PUBLISH_QUEUE);
        tokio::spawn(publisher(conn, rx, hub.clone()));
        tokio::spawn(subscriber(client.clone(), hub.clone(), pubsub));
        Ok(Self {
            hub,
            redis: Some(RedisLink {
                client,
                publish: tx,
            }),
        })
    }

    pub fn hub(&self) -> &Hub {
        &self.hub
    }

    pub fn publish(&self, envelope: Envelope) {
        let Some(link) = &self.redis else {
            self.hub.deliver(envelope);
            return;
        };
        let payload = match serde_json::to_string(&envelope) {
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
    pub async fn connection_opened(&self, user: Uuid, first_here: bool) -> bool {
        match &self.redis {
            None => first_here,
            Some(link) => match presence_add(&link.client, user, 1).await {
                Ok(count) => count == 1,
                Err(e) => {
                    tracing::warn!(error = %e, "presence count failed");
                    first_here
                }
            },
        }
    }

    /// Counts a connection out; true when it was the user's last anywhere.
    pub async fn connection_closed(&self, user: Uuid, last_here: bool) -> bool {
        match &self.redis {
            None => last_here,
            Some(link) => match presence_add(&link.client, user, -1).await {
                Ok(count) => count <= 0,
                Err(e) => {
                    tracing::warn!(error = %e, "presence count failed");
                    last_here
                }
            },
        }
    }
}

async fn presence_add(client: &redis::Client, user: Uuid, delta: i64) -> redis::RedisResult<i64> {
    let mut conn = client.get_multiplexed_async_connection().await?;
    let field = user.to_string();
    let count: i64 = conn.hincr(PRESENCE_KEY, &field, delta).await?;
    if count <= 0 {
        let _: () = conn.hdel(PRESENCE_KEY, &field).await?;
    }
    Ok(count)
}

async fn publisher(
    mut conn: redis::aio::MultiplexedConnection,
    mut rx: mpsc::Receiver<(String, Envelope)>,
    hub: Hub,
) {
    while let Some((payload, envelope)) = rx.recv().await {
        let sent: redis::RedisResult<i64> = conn.publish(CHANNEL, &payload).await;
        if let Err(e) = sent {
            tracing::error!(error = %e, "publishing to Redis failed; delivering locally");
            hub.deliver(envelope);
        }
    }
}

async fn subscriber(client: redis::Client, hub: Hub, first: redis::aio::PubSub) {
    let mut subscribed = Some(first);
    let mut backoff = Duration::from_millis(100);
    loop {
        let pubsub = match subscribed.take() {
            Some(pubsub) => Ok(pubsub),
            None => resubscribe(&client).await,
        };
        match pubsub {
            Ok(mut pubsub) => {
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
                    match serde_json::from_str::<Envelope>(&payload) {
                        Ok(envelope) => hub.deliver(envelope),
                        Err(e) => tracing::warn!(error = %e, "malformed bus message"),
                    }
                }
                tracing::warn!("Redis subscription ended; reconnecting");
            }
            Err(e) => tracing::error!(error = %e, "cannot subscribe to Redis; retrying"),
        }
        tokio::time::sleep(backoff).await;
        backoff = (backoff * 2).min(Duration::from_secs(5));
    }
}

async fn resubscribe(client: &redis::Client) -> redis::RedisResult<redis::aio::PubSub> {
    let mut pubsub = client.get_async_pubsub().await?;
    pubsub.subscribe(CHANNEL).await?;
    Ok(pubsub)
}
