//! Edits are flood-limited like sends, and a message's earlier versions
//! come in pages.

use serde_json::json;
use themechat_tests::*;

async fn edit(app: &TestApp, user: &TestUser, message: &str, body: &str) -> TestResponse {
    app.patch_json(
        &format!("/api/v1/messages/{message}"),
        user.auth(),
        &json!({ "body": body }),
    )
    .await
}

#[tokio::test]
async fn a_burst_of_edits_is_refused_with_retry_after() {
    let app = spawn_app().await;
    let alice = app.register("alice").await;
    let bob = app.register("bob").await;
    let room = app.public_room_with(&alice, "Chat", &[&bob]).await;
    let message = id_of(&app.post_message(&alice, &room, "words").await);

    let mut accepted = 0;
    let mut refused = None;
    for n in 0..60 {
        let resp = edit(&app, &alice, &message, &format!("words, take {n}")).await;
        match resp.status {
            200 => accepted += 1,
            _ => {
                refused = Some(resp);
                break;
            }
        }
    }
    let refused = refused.expect("sixty edits at once are not all taken");
    assert_error(&refused, 429, "rate_limited");
    let wait: u64 = refused
        .header("retry-after")
        .and_then(|v| v.parse().ok())
        .expect("Retry-After in whole seconds");
    assert!(wait >= 1, "{wait}");
    assert!((1..=10).contains(&accepted), "{accepted} edits taken");

    // Only what was taken was kept and announced as a version.
    let versions = app
        .get(
            &format!("/api/v1/messages/{message}/edits?limit=200"),
            bob.auth(),
        )
        .await;
    assert_status(&versions, 200);
    assert_eq!(versions.array().len(), accepted);

    // The limit is Alice's: Bob edits, and Alice still talks.
    let his = id_of(&app.post_message(&bob, &room, "mine").await);
    assert_status(&edit(&app, &bob, &his, "mine, edited").await, 200);
    app.post_message(&alice, &room, "still here").await;
}

#[tokio::test]
async fn earlier_versions_come_in_pages() {
    let app = spawn_app().await;
    let alice = app.register("alice").await;
    let bob = app.register("bob").await;
    let room = app.public_room_with(&alice, "Chat", &[&bob]).await;
    let message = id_of(&app.post_message(&alice, &room, "v0").await);
    for n in 1..=5 {
        assert_status(&edit(&app, &alice, &message, &format!("v{n}")).await, 200);
    }

    let path = format!("/api/v1/messages/{message}/edits");
    let mut seen = Vec::new();
    let mut after: Option<String> = None;
    for _ in 0..10 {
        let query = match &after {
            Some(id) => format!("{path}?limit=2&after={id}"),
            None => format!("{path}?limit=2"),
        };
        let page = app.get(&query, bob.auth()).await;
        assert_status(&page, 200);
        let page = page.array().to_vec();
        assert!(page.len() <= 2, "{page:?}");
        let Some(last) = page.last() else { break };
        assert_uuid(&last["id"], "a version's id");
        after = Some(id_of(last));
        seen.extend(page.iter().map(|v| v["body"].as_str().unwrap().to_owned()));
    }
    assert_eq!(
        seen,
        ["v0", "v1", "v2", "v3", "v4"],
        "oldest first, each once"
    );

    // Without a limit: the first page (all five fit).
    let all = app.get(&path, bob.auth()).await;
    assert_eq!(all.array().len(), 5);
    // A cursor that is no version of this message is not found.
    let other = id_of(&app.post_message(&alice, &room, "w0").await);
    assert_status(&edit(&app, &alice, &other, "w1").await, 200);
    let foreign = app
        .get(&format!("/api/v1/messages/{other}/edits"), bob.auth())
        .await;
    let foreign = id_of(&foreign.array()[0]);
    let resp = app
        .get(&format!("{path}?after={foreign}"), bob.auth())
        .await;
    assert_error(&resp, 404, "not_found");
}
