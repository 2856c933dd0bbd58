//! Structured logs through `tracing`, filtered by `RUST_LOG`. Each HTTP
//! request is a span (`tracing-actix-web`); its close is the request's log
//! line, with status and time taken.

use tracing_subscriber::EnvFilter;
use tracing_subscriber::fmt::format::FmtSpan;

/// Installs the global subscriber once; later calls (tests) are no-ops.
pub fn init(default_filter: &str) {
    let filter =
        EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(default_filter));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_target(false)
        .with_span_events(FmtSpan::CLOSE)
        .try_init();
}

/// Request spans as `tracing-actix-web` makes them, except for the socket
/// upgrade: its response lasts as long as the connection, and a span held
/// that long would cost every idle socket memory and log nothing useful
/// (the gateway logs what happens on a socket).
pub struct RequestSpans;

impl tracing_actix_web::RootSpanBuilder for RequestSpans {
    fn on_request_start(request: &actix_web::dev::ServiceRequest) -> tracing::Span {
        if request.path() == "/api/v1/ws" {
            return tracing::Span::none();
        }
        tracing_actix_web::DefaultRootSpanBuilder::on_request_start(request)
    }

    fn on_request_end<B: actix_web::body::MessageBody>(
        span: tracing::Span,
        outcome: &Result<actix_web::dev::ServiceResponse<B>, actix_web::Error>,
    ) {
        tracing_actix_web::DefaultRootSpanBuilder::on_request_end(span, outcome);
    }
}
