//! `themechat-loadgen`: starts the real server in-process on a free port (or
//! targets one given with `--url`), connects many WebSocket clients to one
//! room, has them all send at once, and reports what it measured:
//!
//! - ack latency: `send` frame out → `ack` back (stored and confirmed);
//! - fan-out latency: `send` out → the `message` at every other member;
//! - throughput: messages stored per second and frames delivered per second.
//!
//! Figures depend on the machine and what else it runs; compare runs on one
//! machine (e.g. SQLite against PostgreSQL) rather than reading absolutes.
//!
//! ```text
//! themechat-loadgen [--users 20] [--messages 50] [--backend sqlite|postgres] [--url http://…]
//! ```

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};
use tokio_tungstenite::tungstenite::Message as Frame;

type Error = Box<dyn std::error::Error + Send + Sync>;

struct Options {
    users: usize,
    messages: usize,
    backend: String,
    url: Option<String>,
}

fn options() -> Result<Options, Error> {
    let mut opts = Options {
        users: 20,
        messages: 50,
        backend: "sqlite".into(),
        url: None,
    };
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let mut value = || args.next().ok_or_else(|| format!("{arg} needs a value"));
        match arg.as_str() {
            "--users" => opts.users = value()?.parse()?,
            "--messages" => opts.messages = value()?.parse()?,
            "--backend" => opts.backend = value()?,
            "--url" => opts.url = Some(value()?),
            "-h" | "--help" => {
                println!(
                    "themechat-loadgen [--users N] [--messages M] [--backend sqlite|postgres] [--url URL]"
                );
                std::process::exit(0);
            }
            other => return Err(format!("unknown argument {other}").into()),
        }
    }
    if opts.users < 2 || opts.messages == 0 {
        return Err("need at least 2 users and 1 message each".into());
    }
    Ok(opts)
}

/// Starts the server in this process, on a fresh database.
async fn start_server(backend: &str, dir: &std::path::Path) -> Result<String, Error> {
    use server::config::{Secret, Settings};
    let database_url = match backend {
        "sqlite" => None,
        "postgres" => Some(
            std::env::var("THEMECHAT_BENCH_PG_URL")
                .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".into()),
        ),
        other => return Err(format!("unknown backend {other}").into()),
    };
    let settings = Settings {
        bind: "127.0.0.1:0".into(),
        data_dir: dir.to_owned(),
        database_url,
        jwt_secret: Some(Secret::new("loadgen-".repeat(5))),
        // Measuring the pipeline, not flood control.
        rate_limit_messages: 1_000_000,
        argon2_memory_kib: 4096,
        ws_queue_capacity: 4096,
        ..Settings::default()
    };
    let app = server::startup::Application::build(settings).await?;
    let url = format!("http://{}", app.address());
    tokio::spawn(app.run_until_stopped());
    Ok(url)
}

struct Client {
    token: String,
}

async fn register(http: &reqwest::Client, base: &str, name: &str) -> Result<Client, Error> {
    let res: Value = http
        .post(format!("{base}/api/v1/auth/register"))
        .json(&json!({"username": name, "password": "loadgen-password"}))
        .send()
        .await?
        .error_for_status()?
        .json()
        .await?;
    let token = res["access_token"].as_str().ok_or("no token")?.to_owned();
    Ok(Client { token })
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let rank = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[rank.min(sorted.len() - 1)]
}

fn report(name: &str, mut samples: Vec<Duration>) {
    samples.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    println!(
        "{name:<18} n={:<7} p50={:>8.2} ms  p95={:>8.2} ms  p99={:>8.2} ms  max={:>8.2} ms",
        samples.len(),
        ms(percentile(&samples, 0.50)),
        ms(percentile(&samples, 0.95)),
        ms(percentile(&samples, 0.99)),
        ms(samples.last().copied().unwrap_or_default()),
    );
}

#[tokio::main]
async fn main() -> Result<(), Error> {
    let opts = options()?;
    let dir = tempfile::tempdir()?;
    let base = match &opts.url {
        Some(url) => url.trim_end_matches('/').to_owned(),
        None => start_server(&opts.backend, dir.path()).await?,
    };
    let http = reqwest::Client::new();
    let run = uuid::Uuid::new_v4().simple().to_string();

    let mut clients = Vec::with_capacity(opts.users);
    for i in 0..opts.users {
        clients.push(register(&http, &base, &format!("lg{}_{i}", &run[..8])).await?);
    }
    let room: Value = http
        .post(format!("{base}/api/v1/rooms"))
        .bearer_auth(&clients[0].token)
        .json(&json!({"name": format!("load {}", &run[..8]), "visibility": "public"}))
        .send()
        .await?
        .error_for_status()?
        .json()
        .await?;
    let room_id = room["id"].as_str().ok_or("no room id")?.to_owned();
    for client in &clients[1..] {
        http.post(format!("{base}/api/v1/rooms/{room_id}/join"))
            .bearer_auth(&client.token)
            .send()
            .await?
            .error_for_status()?;
    }

    // When each client_id was sent, to time acks and deliveries against.
    let sent_at: Arc<Mutex<HashMap<String, Instant>>> = Arc::default();
    let ws_url = format!("{}/api/v1/ws", base.replacen("http", "ws", 1));
    let total = opts.users * opts.messages;
    let expected_frames = total * opts.users; // one ack or message per member per send
    // Everyone connects (and gets `ready`) before anyone sends, so every
    // member is there to receive every message.
    let mut sockets = Vec::with_capacity(clients.len());
    for client in &clients {
        let (mut socket, _) = tokio_tungstenite::connect_async(&ws_url).await?;
        socket
            .send(Frame::text(
                json!({"type":"auth","token": client.token}).to_string(),
            ))
            .await?;
        while let Some(frame) = socket.next().await {
            if let Frame::Text(text) = frame?
                && serde_json::from_str::<Value>(&text)?["type"] == "ready"
            {
                break;
            }
        }
        sockets.push(socket);
    }
    let started = Instant::now();
    let mut tasks = Vec::new();
    for (i, socket) in sockets.into_iter().enumerate() {
        let sent_at = sent_at.clone();
        let room_id = room_id.clone();
        let messages = opts.messages;
        tasks.push(tokio::spawn(async move {
            let (mut sink, mut stream) = socket.split();
            let mut acks = Vec::new();
            let mut deliveries = Vec::new();
            let sender = {
                let sent_at = sent_at.clone();
                tokio::spawn(async move {
                    for n in 0..messages {
                        let client_id = format!("c{i}-{n}");
                        let frame = json!({"type":"send","room_id": room_id, "body": format!("load {n}"), "client_id": client_id});
                        sent_at
                            .lock()
                            .unwrap_or_else(|p| p.into_inner())
                            .insert(client_id, Instant::now());
                        if sink.send(Frame::text(frame.to_string())).await.is_err() {
                            break;
                        }
                    }
                    sink
                })
            };
            let mut seen = 0;
            let expect = total;
            let deadline = Instant::now() + Duration::from_secs(120);
            while seen < expect && Instant::now() < deadline {
                let text = match tokio::time::timeout(Duration::from_secs(30), stream.next()).await
                {
                    Ok(Some(Ok(Frame::Text(text)))) => text,
                    Ok(Some(Ok(_))) => continue,
                    _ => break,
                };
                let Ok(event) = serde_json::from_str::<Value>(&text) else {
                    continue;
                };
                let kind = event["type"].as_str().unwrap_or_default();
                if kind == "error" {
                    eprintln!("server error frame: {event}");
                }
                if kind != "ack" && kind != "message" {
                    continue;
                }
                seen += 1;
                let client_id = event["message"]["client_id"].as_str().unwrap_or_default();
                let at = sent_at
                    .lock()
                    .unwrap_or_else(|p| p.into_inner())
                    .get(client_id)
                    .copied();
                if let Some(at) = at {
                    if kind == "ack" {
                        acks.push(at.elapsed());
                    } else {
                        deliveries.push(at.elapsed());
                    }
                }
            }
            let _ = sender.await;
            (acks, deliveries, seen)
        }));
    }
    let mut acks = Vec::new();
    let mut deliveries = Vec::new();
    let mut frames = 0;
    for task in tasks {
        let (a, d, seen) = task.await?;
        acks.extend(a);
        deliveries.extend(d);
        frames += seen;
    }
    let elapsed = started.elapsed().as_secs_f64();

    println!(
        "backend={} users={} messages/user={} (one room, every member online)",
        if opts.url.is_some() {
            "remote"
        } else {
            &opts.backend
        },
        opts.users,
        opts.messages
    );
    report("ack latency", acks.clone());
    report("fan-out latency", deliveries);
    println!(
        "throughput         {:.0} messages stored/s, {:.0} frames delivered/s ({} of {} frames in {:.2} s)",
        acks.len() as f64 / elapsed,
        frames as f64 / elapsed,
        frames,
        expected_frames,
        elapsed
    );
    if frames < expected_frames {
        return Err(format!("lost frames: got {frames} of {expected_frames}").into());
    }
    Ok(())
}
