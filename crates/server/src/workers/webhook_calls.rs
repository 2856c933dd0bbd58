//! Calling outgoing webhooks. Each bot's webhook reads its own event queue
//! (fed by the hub exactly as a long-polling client's is, see
//! [`crate::polling`]) and calls the owner's URL for the messages its
//! trigger picks, in order, retrying with backoff. The message path never
//! waits for any of it: a dead receiver delays only its own bot's calls.
//!
//! Exactly one node calls a given webhook: the one feeding its queue. A
//! node that dies mid-call leaves the event unacknowledged, so the node
//! taking over calls it again (at least once; `delivery_id` lets a
//! receiver drop the repeat). What was said while no node fed the queue is
//! caught up from the rooms' history when the next `ready` shows it (see
//! `Watermarks`).
//!
//! Calls go straight to the receiver, never through a proxy the
//! environment names, and only to public addresses (unless
//! `webhook_private_addresses`): a webhook URL must not reach into the
//! network the server runs in.

use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

use protocol::{EventQueueId, Message, OutgoingCall, ServerEvent};
use reqwest::dns::{Addrs, Name, Resolve, Resolving};
use tokio::task::JoinHandle;

use tokio_util::sync::CancellationToken;

use crate::polling;
use crate::state::AppState;
use domain::bots::outgoing::{self, Target, Watermarks};
use domain::error::{DomainError, Missing};
use domain::event_queues;

/// Tries of one call: the first and five retries, 1, 2, 4, 8 and 16
/// seconds apart.
const ATTEMPTS: u32 = 6;
const FIRST_BACKOFF: Duration = Duration::from_secs(1);
/// How long a receiver has to answer.
const CALL_TIMEOUT: Duration = Duration::from_secs(10);
/// How often the list of webhooks is read again.
const RESCAN: Duration = Duration::from_secs(2);
/// How long a reader waits for news before looking again anyway.
const IDLE: Duration = Duration::from_secs(5);

/// One caller per webhook, until `stop`: the callers stop with it (a call
/// cut short is made again, see above).
pub async fn run(state: Arc<AppState>, stop: CancellationToken) {
    let client = match client(state.settings.webhook_private_addresses) {
        Ok(client) => client,
        Err(e) => {
            tracing::error!(error = %e, "cannot build the webhook client: no webhook is called");
            return;
        }
    };
    let mut callers = Callers::default();
    let mut every = tokio::time::interval(RESCAN);
    every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            biased;
            () = stop.cancelled() => return,
            _ = every.tick() => {}
        }
        callers.0.retain(|_, caller| !caller.is_finished());
        let scan = match state.db.run(outgoing::scan).await {
            Ok(scan) => scan,
            Err(e) => {
                tracing::warn!(error = %e, "cannot read the outgoing webhooks");
                continue;
            }
        };
        for (bot, old) in scan.orphaned {
            if let Err(e) = state.db.write(move |c| outgoing::renew(c, bot, old)).await {
                tracing::warn!(error = %e, "cannot give a webhook a new queue");
            }
        }
        for target in scan.targets {
            callers.0.entry(target.queue.id).or_insert_with(|| {
                tokio::spawn(call_in_turn(state.clone(), client.clone(), target))
            });
        }
    }
}

/// The running callers, by queue; dropped (the node stopping), they stop.
#[derive(Default)]
struct Callers(HashMap<EventQueueId, JoinHandle<()>>);

impl Drop for Callers {
    fn drop(&mut self) {
        for caller in self.0.values() {
            caller.abort();
        }
    }
}

/// Where a caller stands: the last event it read of the queue, and the
/// marks of the rooms. Read from storage when the caller (re)starts, and
/// again after anything that may have moved them (another node calling
/// meanwhile, an error): `None` until then.
struct Position {
    cursor: i64,
    marks: Option<Watermarks>,
}

/// Reads the webhook's queue and calls for what it picks, until the
/// webhook is removed or replaced (its queue is gone then).
async fn call_in_turn(state: Arc<AppState>, client: reqwest::Client, target: Target) {
    let (bot, queue) = (target.bot, target.queue.id);
    let mut at: Option<Position> = None;
    loop {
        let wake = match polling::ensure_fed(&state, &target.queue).await {
            Ok(Some(wake)) => wake,
            // Another node feeds the queue, and calls.
            Ok(None) => {
                at = None;
                tokio::time::sleep(IDLE).await;
                continue;
            }
            Err(DomainError::NotFound(Missing::EventQueue)) => return,
            Err(e) => {
                tracing::warn!(error = %e, %queue, "cannot feed a webhook's queue");
                tokio::time::sleep(IDLE).await;
                continue;
            }
        };
        // Listening before reading: what is stored in between wakes us.
        let news = wake.notified();
        tokio::pin!(news);
        news.as_mut().enable();
        let read = read_batch(&state, bot, queue, at.take()).await;
        let (events, mut here) = match read {
            Ok(read) => read,
            Err(DomainError::NotFound(_)) => return,
            Err(e) => {
                tracing::warn!(error = %e, %queue, "cannot read a webhook's queue");
                tokio::time::sleep(IDLE).await;
                continue;
            }
        };
        if events.is_empty() {
            at = Some(here);
            let _ = tokio::time::timeout(IDLE, news).await;
            continue;
        }
        let before = here.marks.clone();
        for (id, frame) in events {
            for message in messages_of(&state, &target, &frame, &mut here.marks).await {
                if outgoing::calls(&target, &message) {
                    call(&state, &client, &target, message).await;
                }
            }
            here.cursor = id;
        }
        if here.marks != before
            && let Some(marks) = here.marks.clone()
        {
            let saved = state
                .db
                .write(move |c| outgoing::save_watermarks(c, bot, queue, &marks))
                .await;
            if let Err(e) = saved {
                // Read again from storage before going on.
                tracing::warn!(error = %e, %queue, "cannot save a webhook's marks");
                continue;
            }
        }
        at = Some(here);
    }
}

/// The events after the caller's cursor (acknowledging those up to it),
/// reading where it stands from storage first if it does not know.
async fn read_batch(
    state: &AppState,
    bot: protocol::UserId,
    queue: EventQueueId,
    at: Option<Position>,
) -> Result<(Vec<(i64, String)>, Position), DomainError> {
    let at = match at {
        Some(at) => at,
        None => {
            state
                .db
                .run(move |c| {
                    Ok::<_, DomainError>(Position {
                        cursor: event_queues::acknowledged(c, queue)?,
                        marks: outgoing::watermarks(c, bot, queue)?,
                    })
                })
                .await?
        }
    };
    let last = at.cursor;
    let batch = state
        .db
        .write(move |c| event_queues::poll(c, bot, queue, last))
        .await?;
    Ok((batch.events, at))
}

/// The new messages a stored frame brings, each once: a `message`, or
/// after a takeover's `ready` those nobody called for meanwhile.
async fn messages_of(
    state: &AppState,
    target: &Target,
    frame: &str,
    marks: &mut Option<Watermarks>,
) -> Vec<Message> {
    match serde_json::from_str::<ServerEvent>(frame) {
        Ok(ServerEvent::Message { message }) => {
            let fresh = marks
                .get_or_insert_with(Watermarks::default)
                .fresh(&message);
            if fresh { vec![message] } else { Vec::new() }
        }
        Ok(ServerEvent::Ready { rooms, .. }) => {
            let Some(known) = marks.as_mut() else {
                // The first `ready`: calls start from here.
                let mut first = Watermarks::default();
                first.start(&rooms);
                *marks = Some(first);
                return Vec::new();
            };
            let mut missed = Vec::new();
            for (room, after) in known.behind(&rooms) {
                let bot = target.bot;
                let fetched = state
                    .db
                    .run(move |c| outgoing::missed(c, bot, room, after))
                    .await;
                match fetched {
                    Ok(found) => missed.extend(found.into_iter().filter(|m| known.fresh(m))),
                    Err(e) => {
                        tracing::warn!(error = %e, %room, "cannot catch a webhook up");
                    }
                }
            }
            known.start(&rooms);
            missed
        }
        _ => Vec::new(),
    }
}

/// Calls the webhook for one message until it answers 2xx or the tries
/// run out; records how it went for the owner.
async fn call(state: &AppState, client: &reqwest::Client, target: &Target, message: Message) {
    let payload = OutgoingCall {
        // The same on every try, and when a node taking over calls again.
        delivery_id: format!("{}:{}", target.bot, message.id),
        bot_id: target.bot,
        trigger: target.trigger,
        message,
    };
    let Ok(body) = serde_json::to_vec(&payload) else {
        return;
    };
    let mut backoff = FIRST_BACKOFF;
    for attempt in 1..=ATTEMPTS {
        let timestamp = chrono::Utc::now().timestamp();
        let sent = client
            .post(&target.url)
            .header(reqwest::header::CONTENT_TYPE, "application/json")
            .header(
                "X-ThemeChat-Signature",
                outgoing::signature(&target.secret, timestamp, &body),
            )
            .header("X-ThemeChat-Timestamp", timestamp.to_string())
            .header("X-ThemeChat-Delivery", payload.delivery_id.as_str())
            .header("X-ThemeChat-Attempt", attempt.to_string())
            .body(body.clone())
            .send()
            .await;
        let error = match sent {
            Ok(answer) if answer.status().is_success() => None,
            Ok(answer) => Some(format!("the receiver answered {}", answer.status())),
            Err(e) => Some(describe(&e)),
        };
        let (bot, queue, recorded) = (target.bot, target.queue.id, error.clone());
        if let Err(e) = state
            .db
            .write(move |c| outgoing::record(c, bot, queue, recorded.as_deref()))
            .await
        {
            tracing::debug!(error = %e, "cannot record a webhook call");
        }
        let Some(error) = error else { return };
        if attempt == ATTEMPTS {
            tracing::warn!(%error, url = %target.url, "a webhook call failed for good");
            return;
        }
        tracing::debug!(%error, attempt, "a webhook call failed; trying again");
        tokio::time::sleep(backoff).await;
        backoff *= 2;
    }
}

/// What went wrong, for the owner's page: the innermost cause says most.
fn describe(e: &reqwest::Error) -> String {
    let mut cause: &dyn std::error::Error = e;
    while let Some(inner) = cause.source() {
        cause = inner;
    }
    if e.is_timeout() {
        return format!("no answer within {} seconds", CALL_TIMEOUT.as_secs());
    }
    format!("cannot call: {cause}")
}

fn client(private_addresses: bool) -> reqwest::Result<reqwest::Client> {
    let builder = reqwest::Client::builder()
        .timeout(CALL_TIMEOUT)
        .user_agent("ThemeChat-Webhook/1")
        // A redirect would be a second, unchecked address.
        .redirect(reqwest::redirect::Policy::none())
        // Never through a proxy (reqwest reads HTTP_PROXY, HTTPS_PROXY and
        // ALL_PROXY from the environment otherwise): the proxy would
        // resolve and connect to the URL's host itself, where the check of
        // addresses below never sees it.
        .no_proxy();
    let builder = if private_addresses {
        builder
    } else {
        builder.dns_resolver(Arc::new(PublicOnly))
    };
    builder.build()
}

/// Resolves names to their public addresses only, so that a webhook URL
/// cannot reach the server's own network (checked at each call, so a name
/// that later resolves elsewhere is caught too).
struct PublicOnly;

impl Resolve for PublicOnly {
    fn resolve(&self, name: Name) -> Resolving {
        let host = name.as_str().to_owned();
        Box::pin(async move {
            let found: Vec<SocketAddr> = tokio::net::lookup_host((host.as_str(), 0))
                .await?
                .filter(|addr| is_public(addr.ip()))
                .collect();
            if found.is_empty() {
                return Err(format!("{host} has no public address").into());
            }
            let addrs: Addrs = Box::new(found.into_iter());
            Ok(addrs)
        })
    }
}

fn is_public(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => {
            let [a, b, ..] = v4.octets();
            !(v4.is_private()
                || v4.is_loopback()
                || v4.is_link_local()
                || v4.is_unspecified()
                || v4.is_broadcast()
                || v4.is_documentation()
                || v4.is_multicast()
                // shared address space (carrier-grade NAT), 100.64.0.0/10
                || (a == 100 && (64..128).contains(&b))
                || a == 0)
        }
        IpAddr::V6(v6) => {
            if let Some(v4) = v6.to_ipv4_mapped() {
                return is_public(IpAddr::V4(v4));
            }
            let first = v6.segments()[0];
            !(v6.is_loopback()
                || v6.is_unspecified()
                || v6.is_multicast()
                // unique local fc00::/7 and link-local fe80::/10
                || (first & 0xfe00) == 0xfc00
                || (first & 0xffc0) == 0xfe80)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn private_and_local_addresses_are_not_public() {
        for private in [
            "127.0.0.1",
            "10.1.2.3",
            "172.16.0.1",
            "192.168.1.1",
            "169.254.169.254",
            "100.64.0.1",
            "0.0.0.0",
            "::1",
            "fd00::1",
            "fe80::1",
            "::ffff:127.0.0.1",
        ] {
            assert!(!is_public(private.parse().expect("ip")), "{private}");
        }
        for public in ["93.184.216.34", "1.1.1.1", "2606:4700::1111"] {
            assert!(is_public(public.parse().expect("ip")), "{public}");
        }
    }
}
