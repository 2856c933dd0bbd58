//! Structured logs through `tracing`, filtered by `RUST_LOG`. Each HTTP
//! request is a span (`tracing-actix-web`); its close is the request's log
//! line, with status and time taken.

use actix_web::HttpMessage;
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

/// Request spans with the fields `tracing-actix-web` gives them, except
/// the client: the default span takes it from `Forwarded`/`X-Forwarded-For`
/// whoever sent them, so a client could write any address into the logs.
/// Ours is the address every other part of the server uses
/// ([`crate::client_address`]). The socket upgrade gets no span: its
/// response lasts as long as the connection, and a span held that long
/// would cost every idle socket memory and log nothing useful (the socket's
/// task has a span of its own, see the gateway).
pub struct RequestSpans;

impl tracing_actix_web::RootSpanBuilder for RequestSpans {
    fn on_request_start(request: &actix_web::dev::ServiceRequest) -> tracing::Span {
        if request.path() == "/api/v1/ws" {
            return tracing::Span::none();
        }
        let route = request
            .match_pattern()
            .unwrap_or_else(|| "default".to_owned());
        let user_agent = request
            .headers()
            .get(actix_web::http::header::USER_AGENT)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("");
        let request_id = request
            .extensions()
            .get::<tracing_actix_web::RequestId>()
            .map(ToString::to_string)
            .unwrap_or_default();
        let target = request.uri().path_and_query().map_or("", |p| p.as_str());
        tracing::info_span!(
            "HTTP request",
            http.method = %request.method(),
            http.route = %route,
            http.target = %target,
            http.client_ip = %crate::request::client_address(request.request()),
            http.user_agent = %user_agent,
            http.status_code = tracing::field::Empty,
            otel.status_code = tracing::field::Empty,
            request_id = %request_id,
            exception.message = tracing::field::Empty,
            exception.details = tracing::field::Empty,
        )
    }

    fn on_request_end<B: actix_web::body::MessageBody>(
        span: tracing::Span,
        outcome: &Result<actix_web::dev::ServiceResponse<B>, actix_web::Error>,
    ) {
        tracing_actix_web::DefaultRootSpanBuilder::on_request_end(span, outcome);
    }
}
