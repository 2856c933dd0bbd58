//! Prometheus metrics, served at `/metrics`.

use actix_web::http::Method;
use domain::posting::PostingMetrics;
use prometheus::{
    Encoder, HistogramOpts, HistogramVec, IntCounter, IntCounterVec, IntGauge, Opts, Registry,
    TextEncoder,
};

/// Series left out of the public `/metrics` (see [`Metrics::render_public`]).
const PRIVATE: &[&str] = &["themechat_ws_connections"];

#[derive(Clone)]
pub struct Metrics {
    registry: Registry,
    pub http_requests: IntCounterVec,
    pub http_latency: HistogramVec,
    pub ws_connections: IntGauge,
    pub ws_frames_in: IntCounter,
    pub ws_dropped_slow: IntCounter,
    /// Events from the bus, by `outcome`: `delivered` (someone here was in
    /// their audience) or `skipped` (nobody was: left undecoded).
    pub bus_events: IntCounterVec,
    /// What the message writers count (`domain::posting`).
    pub posting: PostingMetrics,
    /// Pictures being decoded now (`domain::pictures::Decoders`).
    pub picture_decodes: IntGauge,
    /// Picture uploads refused because every decoder was busy and the
    /// line full.
    pub picture_decodes_refused: IntCounter,
}

impl Metrics {
    pub fn new() -> Result<Self, prometheus::Error> {
        let registry = Registry::new_custom(Some("themechat".into()), None)?;
        let http_requests = IntCounterVec::new(
            Opts::new("http_requests_total", "HTTP requests by route and status"),
            &["method", "route", "status"],
        )?;
        let http_latency = HistogramVec::new(
            HistogramOpts::new("http_request_duration_seconds", "HTTP request latency").buckets(
                vec![
                    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5,
                ],
            ),
            &["route"],
        )?;
        let ws_connections = IntGauge::new("ws_connections", "Open WebSocket connections")?;
        let ws_frames_in = IntCounter::new("ws_frames_in_total", "WebSocket frames received")?;
        let ws_dropped_slow = IntCounter::new(
            "ws_dropped_slow_total",
            "WebSocket connections closed for not keeping up",
        )?;
        let bus_events = IntCounterVec::new(
            Opts::new(
                "bus_events_total",
                "Events received from the bus: delivered here, or skipped unread",
            ),
            &["outcome"],
        )?;
        registry.register(Box::new(bus_events.clone()))?;
        let picture_decodes =
            IntGauge::new("picture_decodes_in_flight", "Pictures being decoded now")?;
        let picture_decodes_refused = IntCounter::new(
            "picture_decodes_refused_total",
            "Picture uploads refused with 503: every decoder busy, the line full",
        )?;
        registry.register(Box::new(picture_decodes.clone()))?;
        registry.register(Box::new(picture_decodes_refused.clone()))?;
        registry.register(Box::new(http_requests.clone()))?;
        registry.register(Box::new(http_latency.clone()))?;
        registry.register(Box::new(ws_connections.clone()))?;
        registry.register(Box::new(ws_frames_in.clone()))?;
        registry.register(Box::new(ws_dropped_slow.clone()))?;
        let posting = PostingMetrics::registered(&registry)?;
        Ok(Self {
            registry,
            posting,
            http_requests,
            http_latency,
            ws_connections,
            ws_frames_in,
            ws_dropped_slow,
            bus_events,
            picture_decodes,
            picture_decodes_refused,
        })
    }

    /// Everything, for the operators' own listener (`THEMECHAT_METRICS_BIND`).
    pub fn render(&self) -> String {
        Self::encode(&self.registry.gather())
    }

    /// What the public `/metrics` may show: not how many sockets the node
    /// holds, which would tell someone trying to exhaust it how many more
    /// to open.
    pub fn render_public(&self) -> String {
        let families: Vec<_> = self
            .registry
            .gather()
            .into_iter()
            .filter(|family| !PRIVATE.contains(&family.name()))
            .collect();
        Self::encode(&families)
    }

    fn encode(families: &[prometheus::proto::MetricFamily]) -> String {
        let mut out = Vec::new();
        if let Err(e) = TextEncoder::new().encode(families, &mut out) {
            tracing::error!(error = %e, "cannot encode metrics");
        }
        String::from_utf8(out).unwrap_or_default()
    }
}

/// The `method` label of a request. Any client may send any token as a
/// method; each distinct one would become a series of its own, so only the
/// standard methods are named.
pub fn method_label(method: &Method) -> &'static str {
    match *method {
        Method::GET => "GET",
        Method::HEAD => "HEAD",
        Method::POST => "POST",
        Method::PUT => "PUT",
        Method::PATCH => "PATCH",
        Method::DELETE => "DELETE",
        Method::OPTIONS => "OPTIONS",
        _ => "other",
    }
}
