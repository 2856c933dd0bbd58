//! Operations endpoints: health and metrics.

use actix_web::{HttpResponse, web};

use crate::request::HttpError;
use crate::state::AppState;
use domain::error::DomainError;

/// 200 when the database answers.
#[utoipa::path(get, path = "/healthz", tag = "ops", responses((status = 200), (status = 503)))]
pub async fn healthz(state: web::Data<AppState>) -> Result<HttpResponse, HttpError> {
    state
        .db
        .run(domain::ping)
        .await
        .map_err(|e| DomainError::Unavailable(format!("health check: {e}")))?;
    Ok(HttpResponse::Ok().json(serde_json::json!({ "status": "ok" })))
}

/// Public `/metrics` (when no listener of its own serves them): without
/// the figures that would help someone exhaust the node.
#[utoipa::path(get, path = "/metrics", tag = "ops", responses((status = 200, description = "Prometheus text format")))]
pub async fn metrics(state: web::Data<AppState>) -> HttpResponse {
    prometheus_text(state.metrics.render_public())
}

/// `/metrics` on the operators' own listener: everything.
pub async fn all_metrics(state: web::Data<AppState>) -> HttpResponse {
    state
        .metrics
        .ws_connections
        .set(state.hub.connection_count() as i64);
    prometheus_text(state.metrics.render())
}

fn prometheus_text(body: String) -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/plain; version=0.0.4")
        .body(body)
}
