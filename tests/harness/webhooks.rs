//! A receiver of outgoing webhook calls, for the tests of bots: a tiny
//! HTTP server on a free local port that records each call and answers
//! what it is told to.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use hmac::{Hmac, Mac};
use serde_json::Value;
use sha2::Sha256;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// One request an outgoing webhook made.
#[derive(Clone)]
pub struct Call {
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

/// The body as text: a failing test shows what was called.
impl std::fmt::Debug for Call {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Call")
            .field("delivery", &self.header("X-ThemeChat-Delivery"))
            .field("attempt", &self.header("X-ThemeChat-Attempt"))
            .field("body", &String::from_utf8_lossy(&self.body))
            .finish()
    }
}

impl Call {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body).expect("a JSON call")
    }
}

/// A receiver of webhook calls on a free local port: it records each call
/// and answers the statuses of `script` in turn (then 200).
pub struct Receiver {
    pub url: String,
    port: u16,
    calls: Arc<Mutex<Vec<Call>>>,
}

impl Receiver {
    pub async fn start(script: Vec<u16>) -> Self {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let port = listener.local_addr().expect("an address").port();
        let calls = Arc::new(Mutex::new(Vec::new()));
        let recorded = calls.clone();
        let script = Arc::new(Mutex::new(script.into_iter()));
        tokio::spawn(async move {
            while let Ok((mut stream, _)) = listener.accept().await {
                let Some(call) = read_call(&mut stream).await else {
                    continue;
                };
                recorded.lock().expect("calls").push(call);
                let status = script.lock().expect("script").next().unwrap_or(200);
                let answer = format!(
                    "HTTP/1.1 {status} Scripted\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
                );
                let _ = stream.write_all(answer.as_bytes()).await;
            }
        });
        Self {
            url: format!("http://localhost:{port}/themechat"),
            port,
            calls,
        }
    }

    /// `http://127.0.0.1:<port>`: the receiver as a proxy URL, for a test
    /// that shows nothing goes through a proxy (a request sent through it
    /// is recorded like any other).
    pub fn origin(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    pub fn calls(&self) -> Vec<Call> {
        self.calls.lock().expect("calls").clone()
    }

    pub async fn wait_for(&self, count: usize) -> Vec<Call> {
        for _ in 0..300 {
            let calls = self.calls();
            if calls.len() >= count {
                return calls;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("expected {count} calls, got {:?}", self.calls());
    }
}

async fn read_call(stream: &mut tokio::net::TcpStream) -> Option<Call> {
    let mut raw = Vec::new();
    let mut chunk = [0u8; 4096];
    let head_end = loop {
        let n = stream.read(&mut chunk).await.ok()?;
        if n == 0 {
            return None;
        }
        raw.extend_from_slice(&chunk[..n]);
        if let Some(at) = raw.windows(4).position(|w| w == b"\r\n\r\n") {
            break at + 4;
        }
    };
    let head = String::from_utf8_lossy(&raw[..head_end]).to_string();
    let headers: Vec<(String, String)> = head
        .lines()
        .skip(1)
        .filter_map(|line| line.split_once(':'))
        .map(|(n, v)| (n.trim().to_owned(), v.trim().to_owned()))
        .collect();
    let length: usize = headers
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case("content-length"))
        .and_then(|(_, v)| v.parse().ok())
        .unwrap_or(0);
    while raw.len() < head_end + length {
        let n = stream.read(&mut chunk).await.ok()?;
        if n == 0 {
            return None;
        }
        raw.extend_from_slice(&chunk[..n]);
    }
    Some(Call {
        headers,
        body: raw[head_end..head_end + length].to_vec(),
    })
}

pub fn expected_signature(secret: &str, call: &Call) -> String {
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(secret.as_bytes()).expect("a key");
    mac.update(
        call.header("X-ThemeChat-Timestamp")
            .expect("a timestamp")
            .as_bytes(),
    );
    mac.update(b".");
    mac.update(&call.body);
    let hex: String = mac
        .finalize()
        .into_bytes()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    format!("sha256={hex}")
}
