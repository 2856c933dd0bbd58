//! A banner while the live connection is down: why (the network is gone,
//! or the server cannot be reached), what happens to what the user writes,
//! when the next attempt is due, counting down, and a button to try at
//! once. Reading and writing go on over REST meanwhile when they can.

use leptos::prelude::*;

use crate::chat::Chat;
use crate::session::{self, Session};
use crate::ws::ConnStatus;

#[component]
pub fn ConnectionBanner() -> impl IntoView {
    let chat = expect_context::<Chat>();
    let session = expect_context::<Session>();
    let now = RwSignal::new(session::now_ms());
    // A second's tick, only while something counts down.
    let tick = set_interval_with_handle(
        move || {
            if chat.socket.retry_at_ms.get_untracked().is_some() {
                now.set(session::now_ms());
            }
        },
        std::time::Duration::from_millis(1000),
    );
    on_cleanup(move || {
        if let Ok(tick) = tick {
            tick.clear();
        }
    });
    // Down once it was up, or once a first attempt failed; it stays down
    // through the attempts that follow (connecting is not being online).
    let was_online = RwSignal::new(false);
    Effect::new(move |_| {
        if chat.status() == ConnStatus::Online {
            was_online.set(true);
        }
    });
    let down = move || {
        session.me().is_some()
            && chat.status() != ConnStatus::Online
            && (was_online.get() || chat.socket.retry_at_ms.with(Option::is_some))
    };
    let countdown = move || {
        if chat.socket.network_down.get() {
            // No attempt is made until the browser says the network is back.
            return Some("Waiting for the network…".to_owned());
        }
        let due = chat.socket.retry_at_ms.get()?;
        let left = ((due - now.get()) / 1000.0).ceil().max(0.0) as u64;
        Some(if left == 0 {
            "Reconnecting…".to_owned()
        } else {
            format!("Reconnecting in {left} s.")
        })
    };
    view! {
        <Show when=down>
            <div class="connection-banner" role="alert" data-testid="connection-banner">
                <span data-testid="connection-banner-text">
                    {move || if chat.socket.network_down.get() {
                        "You are offline. What you write waits here and is sent when you are back online. "
                    } else {
                        "Connection lost: new messages will show once it is back. What you send is kept and goes as soon as it can. "
                    }}
                </span>
                <span data-testid="connection-countdown">
                    {move || countdown().unwrap_or_else(|| "Reconnecting…".to_owned())}
                </span>
                <button type="button" class="button small" data-testid="connection-retry"
                    on:click=move |_| {
                        now.set(session::now_ms());
                        chat.socket.retry_now();
                    }>
                    "Retry now"
                </button>
            </div>
        </Show>
    }
}
