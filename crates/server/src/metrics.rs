//! Prometheus metrics, served at `/metrics`.

use prometheus::{
    Encoder, HistogramOpts, HistogramVec, IntCounter, IntCounterVec, IntGauge, Opts, Registry,
    TextEncoder,
};

#[derive(Clone)]
pub struct Metrics {
    registry: Registry,
    pub http_requests: IntCounterVec,
    pub http_latency: HistogramVec,
    pub ws_connections: IntGauge,
    pub messages_stored: IntCounter,
    pub ws_frames_in: IntCounter,
    pub ws_dropped_slow: IntCounter,
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
        let messages_stored = IntCounter::new("messages_stored_total", "Messages stored")?;
        let ws_frames_in = IntCounter::new("ws_frames_in_total", "WebSocket frames received")?;
        let ws_dropped_slow = IntCounter::new(
            "ws_dropped_slow_total",
            "WebSocket connections closed for not keeping up",
        )?;
        registry.register(Box::new(http_requests.clone()))?;
        registry.register(Box::new(http_latency.clone()))?;
        registry.register(Box::new(ws_connections.clone()))?;
        registry.register(Box::new(messages_stored.clone()))?;
        registry.register(Box::new(ws_frames_in.clone()))?;
        registry.register(Box::new(ws_dropped_slow.clone()))?;
        Ok(Self {
            registry,
            http_requests,
            http_latency,
            ws_connections,
            messages_stored,
            ws_frames_in,
            ws_dropped_slow,
        })
    }

    pub fn render(&self) -> String {
        let mut out = Vec::new();
        if let Err(e) = TextEncoder::new().encode(&self.registry.gather(), &mut out) {
            tracing::error!(error = %e, "cannot encode metrics");
        }
        String::from_utf8(out).unwrap_or_default()
    }
}
