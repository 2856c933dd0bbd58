//! A network link between a browser and the server that a test can break:
//! a TCP relay on a free port of its own. The browser is pointed at the
//! relay instead of the server, and the test pulls the cable in the ways a
//! real network fails:
//!
//! - [`Link::cut_sockets`]: WebSocket connections are dropped and new ones
//!   refused, while plain HTTP still goes through (a proxy or a flaky
//!   route that kills long-lived connections; the app falls back to REST);
//! - [`Link::blackhole`]: nothing moves any more, but no connection is
//!   closed either (a pulled cable, a sleeping laptop's Wi-Fi): only the
//!   app's own heartbeat can tell;
//! - [`Link::restore`]: back to normal; what a blackholed connection held
//!   flows on, as TCP would deliver it after a short outage.

use std::sync::Arc;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::tcp::{OwnedReadHalf, OwnedWriteHalf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;
use tokio::task::JoinHandle;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    Up,
    SocketsCut,
    Blackhole,
}

/// The relay; dropping it stops accepting (open connections end with the
/// test's runtime).
pub struct Link {
    /// `http://127.0.0.1:<port>`: what the browser should load.
    pub address: String,
    state: Arc<watch::Sender<State>>,
    accept: JoinHandle<()>,
}

impl Link {
    /// A link to `upstream` (`http://127.0.0.1:<port>`, the server's address).
    pub async fn to(upstream: &str) -> Self {
        let target = upstream
            .trim_start_matches("http://")
            .trim_end_matches('/')
            .to_owned();
        let listener = TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind the link's port");
        let port = listener.local_addr().expect("the link's address").port();
        let (state, _) = watch::channel(State::Up);
        let state = Arc::new(state);
        let accept = tokio::spawn({
            let state = Arc::clone(&state);
            async move {
                while let Ok((client, _)) = listener.accept().await {
                    tokio::spawn(relay(client, target.clone(), state.subscribe()));
                }
            }
        });
        Self {
            address: format!("http://127.0.0.1:{port}"),
            state,
            accept,
        }
    }

    /// Drops every WebSocket connection and refuses new ones; HTTP goes on.
    pub fn cut_sockets(&self) {
        self.state.send_replace(State::SocketsCut);
    }

    /// Stops everything from moving, without closing anything.
    pub fn blackhole(&self) {
        self.state.send_replace(State::Blackhole);
    }

    /// Back to normal.
    pub fn restore(&self) {
        self.state.send_replace(State::Up);
    }
}

impl Drop for Link {
    fn drop(&mut self) {
        self.accept.abort();
    }
}

/// Whether the first bytes of a connection ask for a WebSocket upgrade
/// (browsers open a connection of its own for each WebSocket).
fn is_upgrade(head: &[u8]) -> bool {
    String::from_utf8_lossy(head)
        .to_ascii_lowercase()
        .contains("upgrade: websocket")
}

/// Waits until the link lets this connection's bytes through; `false`
/// when the connection must end (a cut socket, or the link gone).
async fn passable(state: &mut watch::Receiver<State>, socket: bool) -> bool {
    loop {
        match *state.borrow_and_update() {
            State::Up => return true,
            State::SocketsCut if socket => return false,
            State::SocketsCut => return true,
            State::Blackhole => {}
        }
        if state.changed().await.is_err() {
            return false;
        }
    }
}

async fn relay(mut client: TcpStream, upstream: String, mut state: watch::Receiver<State>) {
    let mut head = vec![0u8; 16 * 1024];
    // A new connection in a blackhole hangs before anything is read.
    if !passable(&mut state, false).await {
        return;
    }
    let n = match client.read(&mut head).await {
        Ok(0) | Err(_) => return,
        Ok(n) => n,
    };
    head.truncate(n);
    let socket = is_upgrade(&head);
    if !passable(&mut state, socket).await {
        return;
    }
    let Ok(mut server) = TcpStream::connect(&upstream).await else {
        return;
    };
    if server.write_all(&head).await.is_err() {
        return;
    }
    let (client_read, client_write) = client.into_split();
    let (server_read, server_write) = server.into_split();
    // Either direction ending ends both: dropping the halves closes the
    // two connections.
    tokio::select! {
        _ = pump(client_read, server_write, state.clone(), socket) => {}
        _ = pump(server_read, client_write, state, socket) => {}
    }
}

/// Copies one direction while the link lets it.
async fn pump(
    mut from: OwnedReadHalf,
    mut to: OwnedWriteHalf,
    mut state: watch::Receiver<State>,
    socket: bool,
) {
    let mut buf = vec![0u8; 16 * 1024];
    loop {
        if !passable(&mut state, socket).await {
            return;
        }
        let n = tokio::select! {
            read = from.read(&mut buf) => match read {
                Ok(0) | Err(_) => return,
                Ok(n) => n,
            },
            // The link changed while waiting: look again.
            changed = state.changed() => {
                if changed.is_err() {
                    return;
                }
                continue;
            }
        };
        // Bytes read just as the link went down wait for it to come back.
        if !passable(&mut state, socket).await || to.write_all(&buf[..n]).await.is_err() {
            return;
        }
    }
}
