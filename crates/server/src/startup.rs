//! Building and running the HTTP server.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use actix_web::dev::{Server, Service};
use actix_web::{App, HttpServer, web};
use futures_util::FutureExt;

use crate::auth::tokens::load_or_create_secret;
use crate::auth::{HashPool, PasswordHasher, TokenKeys};
use crate::config::Settings;
use crate::delivery::{Bus, Hub};
use crate::files::FileStore;
use crate::metrics::Metrics;
use crate::routes;
use crate::state::AppState;
use crate::workers::Workers;
use domain::error::DomainError;
use domain::pictures::Decoders;
use domain::posting::Poster;
use domain::profanity::ProfanityFilter;
use domain::read_markers::ReadQueue;
use domain::throttle::{AuthThrottle, Throttle};
use domain::{Database, StorageError};

#[derive(Debug, thiserror::Error)]
pub enum StartupError {
    #[error("storage: {0}")]
    Storage(#[from] StorageError),
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        addr: String,
        source: std::io::Error,
    },
    #[error("JWT secret: {0}")]
    Secret(std::io::Error),
    #[error("{0}")]
    Other(String),
}

pub struct Application {
    address: SocketAddr,
    server: Server,
    /// `/metrics` on a listener of its own, when configured.
    metrics: Option<(SocketAddr, Server)>,
    hub: Hub,
    workers: Workers,
}

impl Application {
    /// Connects storage, runs migrations and binds the listener; nothing is
    /// served until [`run_until_stopped`](Self::run_until_stopped).
    pub async fn build(settings: Settings) -> Result<Self, StartupError> {
        let settings = Arc::new(settings);
        let hub = Hub::new();
        let metrics = Metrics::new().map_err(|e| StartupError::Other(format!("metrics: {e}")))?;
        let bus = match &settings.redis_url {
            Some(url) => {
                let lease = Duration::from_secs(settings.presence_lease_secs.max(1));
                let counted = metrics.bus_events.clone();
                let bus = Bus::redis(hub.clone(), url, &settings.redis_prefix, lease, counted)
                    .await
                    .map_err(|e| StartupError::Other(format!("cannot connect to Redis: {e}")))?;
                tracing::info!("multi-node fan-out through Redis");
                bus
            }
            None => Bus::local(hub.clone()),
        };
        let state = {
            let settings = settings.clone();
            tokio::task::spawn_blocking(move || build_state(settings, hub, bus, metrics))
                .await
                .map_err(|e| StartupError::Other(format!("start-up task failed: {e}")))??
        };

        let hub = state.hub.clone();
        let backend = state.db.backend();
        let state = web::Data::new(state);
        let workers = Workers::start(&state.clone().into_inner());
        // Paid once here, not by the first client to ask.
        routes::openapi::prepare();
        let web_dir = settings.web_dir.clone();
        let public_metrics = settings.metrics_bind.is_none();
        let metrics = match &settings.metrics_bind {
            Some(bind) => Some(metrics_server(bind, state.clone())?),
            None => None,
        };
        // The policy allows the inline loader of the web app being served.
        let index_html = std::fs::read_to_string(web_dir.join("index.html")).ok();
        let cors_origins = settings.cors_origins.clone();
        let mut server = HttpServer::new(move || {
            let state = state.clone();
            App::new()
                .app_data(state.clone())
                .configure(routes::extractor_config)
                .wrap(routes::json_error_pages())
                .wrap(routes::headers::security_headers(index_html.as_deref()))
                .wrap(actix_web::middleware::Condition::new(
                    !cors_origins.is_empty(),
                    routes::headers::cors(&cors_origins),
                ))
                // Request counts and latency by route pattern (bounded labels).
                .wrap_fn(move |req, srv| {
                    let started = Instant::now();
                    let metrics = state.metrics.clone();
                    let method = crate::metrics::method_label(req.method());
                    srv.call(req).map(move |res| {
                        if let Ok(res) = &res {
                            let route = res
                                .request()
                                .match_pattern()
                                .unwrap_or_else(|| "unmatched".into());
                            let status = res.status().as_u16();
                            metrics
                                .http_requests
                                .with_label_values(&[method, route.as_str(), &status.to_string()])
                                .inc();
                            metrics
                                .http_latency
                                .with_label_values(&[route.as_str()])
                                .observe(started.elapsed().as_secs_f64());
                        }
                        res
                    })
                })
                // A span per request (method, route, status, latency), which
                // the logs of everything done for it carry.
                .wrap(tracing_actix_web::TracingLogger::<
                    crate::telemetry::RequestSpans,
                >::new())
                .configure(|cfg| routes::configure(cfg, &web_dir, public_metrics))
        })
        // actix binds with SO_REUSEADDR, so a restarted node gets its port
        // back at once.
        .bind(&settings.bind)
        .map_err(|source| StartupError::Bind {
            addr: settings.bind.clone(),
            source,
        })?
        .shutdown_timeout(settings.shutdown_timeout_secs)
        // Signals are ours: sockets must be told to go before HTTP drains.
        .disable_signals();
        if settings.workers > 0 {
            server = server.workers(settings.workers);
        }
        let address = *server.addrs().first().ok_or_else(|| {
            StartupError::Other(format!("{} resolved to no address", settings.bind))
        })?;
        tracing::info!(%address, backend = ?backend, "starting");
        Ok(Self {
            address,
            server: server.run(),
            metrics,
            hub,
            workers,
        })
    }

    /// Where `/metrics` is served when it has a listener of its own.
    pub fn metrics_address(&self) -> Option<SocketAddr> {
        self.metrics.as_ref().map(|(address, _)| *address)
    }

    pub fn address(&self) -> SocketAddr {
        self.address
    }

    pub fn port(&self) -> u16 {
        self.address.port()
    }

    /// Serves until SIGTERM/SIGINT; then closes every WebSocket (1001),
    /// lets in-flight requests finish, and stops the workers (which write
    /// the read markers still in memory) before returning.
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        if let Some((_, metrics)) = self.metrics {
            // Stops with the process; it holds no requests worth draining.
            tokio::spawn(metrics);
        }
        let handle = self.server.handle();
        let mut server = self.server;
        let result = tokio::select! {
            result = &mut server => result,
            () = shutdown_signal() => {
                tracing::info!("shutting down");
                self.hub.shut_down();
                // The server future must keep running to carry out the stop.
                let ((), result) = tokio::join!(handle.stop(true), server);
                result
            }
        };
        self.workers.stop().await;
        result
    }
}

/// A second, small server for `/metrics`, so it can listen where only the
/// monitoring can reach it.
fn metrics_server(
    bind: &str,
    state: web::Data<AppState>,
) -> Result<(SocketAddr, Server), StartupError> {
    let server = HttpServer::new(move || {
        App::new()
            .app_data(state.clone())
            .wrap(routes::json_error_pages())
            .configure(routes::metrics_only)
    })
    .workers(1)
    .bind(bind)
    .map_err(|source| StartupError::Bind {
        addr: bind.to_owned(),
        source,
    })?
    .disable_signals();
    let address = *server
        .addrs()
        .first()
        .ok_or_else(|| StartupError::Other(format!("{bind} resolved to no address")))?;
    tracing::info!(%address, "metrics on a listener of their own");
    Ok((address, server.run()))
}

fn build_state(
    settings: Arc<Settings>,
    hub: Hub,
    bus: Bus,
    metrics: Metrics,
) -> Result<AppState, StartupError> {
    let db = Database::connect(
        settings.database_url.as_deref(),
        &settings.data_dir,
        settings.db_pool_size,
        Duration::from_secs(settings.db_connect_timeout_secs),
    )?;
    let secret = load_or_create_secret(&settings).map_err(StartupError::Secret)?;
    let hasher = PasswordHasher::new(settings.argon2_memory_kib)
        .map_err(|e: DomainError| StartupError::Other(e.to_string()))?;
    let poster = {
        Poster::start(
            db.clone(),
            Arc::new(hub.clone()),
            Arc::new(bus.clone()),
            metrics.posting.clone(),
            settings.message_writers_for(db.backend()),
            settings.write_queue_capacity,
        )
        .map_err(|e| StartupError::Other(format!("cannot start the message writer: {e}")))?
    };
    let hashing = HashPool::start(settings.hash_threads, settings.hash_queue)
        .map_err(|e| StartupError::Other(format!("cannot start the hashing threads: {e}")))?;
    let files = match settings.bucket() {
        Some(bucket) => FileStore::in_bucket(&bucket),
        None => FileStore::in_directory(&settings.data_dir.join("files")),
    }
    .map_err(|e| StartupError::Other(format!("file store: {e}")))?;
    tracing::info!(?files, "uploaded files");
    let pictures = Decoders::new(
        settings.picture_decodes,
        settings.picture_decode_queue,
        metrics.picture_decodes.clone(),
        metrics.picture_decodes_refused.clone(),
    );
    let proxies = settings
        .trusted_proxies()
        .map_err(|e| StartupError::Other(e.to_string()))?;
    Ok(AppState {
        proxies,
        files,
        pictures,
        pollers: Default::default(),
        hashing,
        poster,
        reads: ReadQueue::default(),
        tokens: TokenKeys::new(&secret, settings.access_token_ttl_secs),
        profanity: Arc::new(ProfanityFilter::new(&settings.profanity_words)),
        bus,
        limiter: Throttle::new(
            settings.rate_limit_messages,
            Duration::from_millis(settings.rate_limit_window_ms),
        ),
        edit_limiter: Throttle::new(
            settings.rate_limit_edits,
            Duration::from_millis(settings.rate_limit_edits_window_ms),
        ),
        upload_limiter: Throttle::new(
            settings.rate_limit_uploads,
            Duration::from_millis(settings.rate_limit_uploads_window_ms),
        ),
        auth_throttle: AuthThrottle::new(
            settings.auth_attempts_per_address,
            settings.auth_attempts_per_account,
            Duration::from_secs(settings.auth_window_secs.max(1)),
        ),
        hub,
        hasher,
        metrics,
        db,
        settings,
    })
}

async fn shutdown_signal() {
    let interrupt = tokio::signal::ctrl_c();
    #[cfg(unix)]
    {
        let terminate = async {
            match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
                Ok(mut signal) => {
                    signal.recv().await;
                }
                Err(e) => {
                    tracing::error!(error = %e, "cannot listen for SIGTERM");
                    std::future::pending::<()>().await;
                }
            }
        };
        tokio::select! {
            _ = interrupt => {}
            () = terminate => {}
        }
    }
    #[cfg(not(unix))]
    {
        let _ = interrupt.await;
    }
}
