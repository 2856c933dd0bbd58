//! What one member saw: its sends and acks, the messages it received and
//! when, and the closes.

use std::sync::atomic::Ordering::Relaxed;

use tokio_tungstenite::tungstenite::Message as WsMessage;
use uuid::Uuid;

use super::member::{parse_body, read_frame, unix_micros};
use super::*;
use crate::cli::ReadMode;
use crate::socket::{Closed, Kind, ServerFrame};
use crate::stats::{Counts, Latencies};
use crate::tally::Deliveries;

/// Everything one member saw.
#[derive(Debug)]
pub struct MemberLog {
    pub deliveries: Deliveries,
    pub sent: u32,
    pub(super) sends: Vec<SendState>,
    /// `message` frames for a message this member had already received.
    pub duplicate_messages: u64,
    /// `ack` frames for a send already acked.
    pub duplicate_acks: u64,
    /// Sending → `message` at this member.
    pub latency: Latencies,
    /// Sending → `ack`, for this member's own sends.
    pub ack_latency: Latencies,
    pub reads_sent: u64,
    /// `error` frames by code.
    pub errors: Counts,
    /// How the server ended this member's socket, if it did.
    pub closed: Option<Closed>,
    /// The newest message not yet marked read (coalesced reads).
    pub(super) unread: Option<Uuid>,
    pub(super) newest_seq: i64,
}

impl MemberLog {
    pub(super) fn new(member: usize, room: usize, sends: u32) -> Self {
        Self {
            deliveries: Deliveries {
                member,
                room,
                ..Deliveries::default()
            },
            sent: 0,
            sends: vec![SendState::Waiting; sends as usize],
            duplicate_messages: 0,
            duplicate_acks: 0,
            latency: Latencies::default(),
            ack_latency: Latencies::default(),
            reads_sent: 0,
            errors: Counts::default(),
            closed: None,
            unread: None,
            newest_seq: 0,
        }
    }

    /// The number of this member's send that `client_id` names.
    pub(super) fn own_send(&self, client_id: &str) -> Option<usize> {
        let (member, n) = client_id.rsplit_once('-')?;
        (member.parse() == Ok(self.deliveries.member))
            .then(|| n.parse().ok())
            .flatten()
            .filter(|&n| n < self.sends.len())
    }

    /// Takes in one text frame; returns a `read` to send, if one is due now.
    pub(super) fn on_frame(
        &mut self,
        text: &str,
        plan: &Plan,
        progress: &Progress,
    ) -> Option<WsMessage> {
        let Ok(frame) = ServerFrame::parse(text) else {
            self.errors.add("(unparsable frame)", 1);
            return None;
        };
        match frame.kind {
            Kind::Message => {
                let message = frame.message()?;
                if !self.deliveries.received.insert(message.id) {
                    self.duplicate_messages += 1;
                    return None;
                }
                let body = parse_body(&message.body);
                if let Some((sent_at, sender, _)) = body {
                    self.latency
                        .record_micros(unix_micros().saturating_sub(sent_at));
                    if sender != self.deliveries.member {
                        progress.receipts.fetch_add(1, Relaxed);
                    }
                }
                match plan.reads {
                    ReadMode::PerMessage => {
                        self.reads_sent += 1;
                        return Some(read_frame(plan.room_id, message.id));
                    }
                    ReadMode::Coalesced if message.seq > self.newest_seq => {
                        self.newest_seq = message.seq;
                        self.unread = Some(message.id);
                    }
                    ReadMode::Coalesced | ReadMode::None => {}
                }
            }
            Kind::Ack => {
                let n = frame.client_id.as_deref().and_then(|c| self.own_send(c))?;
                let message = frame.message()?;
                let state = self.sends[n];
                if state == SendState::Acked {
                    self.duplicate_acks += 1;
                    return None;
                }
                if state == SendState::Waiting {
                    progress.resolved.fetch_add(1, Relaxed);
                }
                progress.acked.fetch_add(1, Relaxed);
                self.sends[n] = SendState::Acked;
                self.deliveries.acked.push(message.id);
                if let Some((sent_at, _, _)) = parse_body(&message.body) {
                    self.ack_latency
                        .record_micros(unix_micros().saturating_sub(sent_at));
                }
            }
            Kind::Error => {
                self.errors
                    .add(frame.code.as_deref().unwrap_or("(no code)"), 1);
                let n = frame.client_id.as_deref().and_then(|c| self.own_send(c))?;
                if self.sends[n] == SendState::Waiting {
                    self.sends[n] = SendState::Refused;
                    progress.resolved.fetch_add(1, Relaxed);
                }
            }
            Kind::Ready | Kind::Other => {}
        }
        None
    }

    /// A `read` for the newest message received since the last one.
    pub(super) fn coalesced_read(&mut self, room_id: Uuid) -> Option<WsMessage> {
        let id = self.unread.take()?;
        self.reads_sent += 1;
        Some(read_frame(room_id, id))
    }

    pub fn acked(&self) -> u64 {
        self.deliveries.acked.len() as u64
    }
}
