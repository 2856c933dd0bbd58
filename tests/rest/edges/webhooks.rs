//! Outgoing webhooks: never through a proxy the environment names (it
//! would reach what the private-address check keeps out), and called from
//! the very next message once set.

use std::collections::HashSet;
use std::time::Duration;

use serde_json::json;
use themechat_tests::process::SoloServer;
use themechat_tests::webhooks::Receiver;
use themechat_tests::*;

use super::{create_bot, incoming_webhook, outgoing_of};

#[tokio::test]
async fn outgoing_webhooks_never_go_through_a_proxy_from_the_environment() {
    // The "proxy" records whatever reaches it, and answers 200.
    let proxy = Receiver::start(Vec::new()).await;
    let via = proxy.origin();
    let server = SoloServer::start(
        [
            "HTTP_PROXY",
            "http_proxy",
            "HTTPS_PROXY",
            "https_proxy",
            "ALL_PROXY",
            "all_proxy",
        ]
        .into_iter()
        .map(|name| (name, via.clone()))
        .collect(),
    )
    .await;
    let app: &ApiClient = &server;
    let alice = app.register("alice").await;
    let bob = app.register("bob").await;
    let room = app.public_room_with(&alice, "Everything", &[&bob]).await;
    let bot = create_bot(app, &alice, "listener").await;
    incoming_webhook(app, &alice, &bot, &room).await;
    // A local receiver: private, so refused (webhook_private_addresses is
    // off), however the call would travel.
    let receiver = Receiver::start(Vec::new()).await;
    let set = app
        .put_json(
            &format!("/api/v1/bots/{bot}/outgoing"),
            alice.auth(),
            &json!({ "url": receiver.url, "trigger": "messages" }),
        )
        .await;
    assert_status(&set, 200);

    // Messages until the webhook has been tried once, whichever way it went.
    let mut outgoing = outgoing_of(app, &alice, &bot).await;
    'tried: for _ in 0..60 {
        app.post_message(&bob, &room, "is anyone listening?").await;
        for _ in 0..10 {
            outgoing = outgoing_of(app, &alice, &bot).await;
            if !outgoing["last_error"].is_null() || !outgoing["last_delivered_at"].is_null() {
                break 'tried;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }
    assert!(
        proxy.calls().is_empty(),
        "a webhook call went through the proxy: {:?}",
        proxy.calls()
    );
    let said = outgoing["last_error"].as_str().unwrap_or_default();
    assert!(said.contains("no public address"), "{outgoing}");
    assert!(receiver.calls().is_empty(), "{:?}", receiver.calls());
}

#[tokio::test]
async fn a_new_outgoing_webhook_is_called_for_the_very_next_message() {
    let app = spawn_app_with(|s| s.webhook_private_addresses = true).await;
    let alice = app.register("alice").await;
    let bob = app.register("bob").await;
    let support = app.public_room_with(&alice, "Support", &[&bob]).await;
    let quiet = app.public_room_with(&alice, "Quiet", &[&bob]).await;
    let bot = create_bot(&app, &alice, "helper").await;
    incoming_webhook(&app, &alice, &bot, &support).await;
    incoming_webhook(&app, &alice, &bot, &quiet).await;
    // Said before there was a webhook: never called for.
    let before = app
        .post_message(&bob, &support, "@helper are you there yet?")
        .await;

    let receiver = Receiver::start(Vec::new()).await;
    let set = app
        .put_json(
            &format!("/api/v1/bots/{bot}/outgoing"),
            alice.auth(),
            &json!({ "url": receiver.url, "trigger": "mentions" }),
        )
        .await;
    assert_status(&set, 200);
    // At once, in a room with history and in one without any.
    let first = app.post_message(&bob, &support, "@helper first").await;
    let second = app.post_message(&bob, &quiet, "@helper second").await;
    let called = |calls: &[webhooks::Call]| -> HashSet<String> {
        calls
            .iter()
            .map(|c| field_str(&c.json()["message"], "id"))
            .collect()
    };
    let calls = receiver.wait_for(2).await;
    assert_eq!(
        called(&calls),
        HashSet::from([id_of(&first), id_of(&second)]),
        "{calls:?}"
    );
    // Calls go in order: had the earlier message been called for, it would
    // be before this one.
    let third = app.post_message(&bob, &support, "@helper third").await;
    let calls = receiver.wait_for(3).await;
    assert_eq!(
        called(&calls),
        HashSet::from([id_of(&first), id_of(&second), id_of(&third)]),
        "{calls:?}"
    );
    assert!(!called(&calls).contains(&id_of(&before)));
}
