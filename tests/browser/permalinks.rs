//! A message opened in context: the permalink route, search results and
//! reply quotes load the history around the message and highlight it.

use serde_json::{Value, json};
use themechat_tests::browser::{Browser, ChromeDriver, WebServer, exclusive, tid};
use themechat_tests::unique;

use crate::support::{join_from_explore, register};

/// What the list shows of the highlighted message: its body, whether all
/// of it is inside the list's view, and the list's scroll position (for the
/// failure message).
struct Shown {
    body: Option<String>,
    in_view: bool,
    list: String,
}

async fn highlighted(browser: &Browser) -> Shown {
    let found = browser
        .execute(
            "const b = document.querySelector('[data-testid=\"message-bubble\"][data-highlighted=\"true\"]');\
             const l = document.querySelector('[data-testid=\"message-list\"]');\
             if (!l) return [null, false, 'no list'];\
             const v = l.getBoundingClientRect();\
             const all = l.querySelectorAll('[data-testid=\"message-body\"]');\
             const ends = all.length ? `${all[0].textContent.trim()} .. ${all[all.length - 1].textContent.trim()}` : '';\
             const list = `scrollTop ${l.scrollTop} of ${l.scrollHeight}, view ${l.clientHeight}, ${all.length} drawn: ${ends}`;\
             if (!b) return [null, false, list];\
             const r = b.getBoundingClientRect();\
             return [b.querySelector('[data-testid=\"message-body\"]').textContent.trim(),\
                     r.top >= v.top && r.bottom <= v.bottom,\
                     `${list}; highlighted at ${r.top - v.top}..${r.bottom - v.top}`];",
            Vec::new(),
        )
        .await;
    Shown {
        body: found[0].as_str().map(str::to_owned),
        in_view: found[1].as_bool().unwrap_or(false),
        list: found[2].as_str().unwrap_or_default().to_owned(),
    }
}

/// Waits for `body` to be the highlighted message, all of it in view.
async fn wait_highlighted(browser: &Browser, body: &str) {
    let start = tokio::time::Instant::now();
    // Each change of what the list showed, for the failure message.
    let mut seen: Vec<String> = Vec::new();
    loop {
        let shown = highlighted(browser).await;
        if shown.body.as_deref() == Some(body) && shown.in_view {
            return;
        }
        let state = format!(
            "{:?}, in view: {}; {}",
            shown.body, shown.in_view, shown.list
        );
        if seen.last().is_none_or(|last| !last.ends_with(&state)) {
            seen.push(format!("{:>5} ms {state}", start.elapsed().as_millis()));
        }
        if start.elapsed() >= themechat_tests::browser::WAIT {
            panic!(
                "\"{body}\" is not highlighted and in view; the list showed:\n{}\n{}",
                seen.join("\n"),
                browser.describe().await
            );
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
}

async fn bodies(browser: &Browser) -> Vec<String> {
    browser
        .bubbles()
        .await
        .into_iter()
        .map(|b| b.body)
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn links_search_results_and_reply_quotes_open_the_message_in_context() {
    let _one_at_a_time = exclusive().await;
    let server = WebServer::start().await;
    let api = server.api();
    let ann = api.register(&unique("ann")).await;
    let name = unique("Long story ");
    let room = api.create_room(&ann, &name, "public").await;
    let room = room["id"].as_str().expect("a room id").to_owned();
    let mut ids = Vec::new();
    for n in 1..=150 {
        let body = match n {
            12 => "a needle in the haystack".to_owned(),
            n => format!("line {n}"),
        };
        let posted: Value = api.post_message(&ann, &room, &body).await;
        ids.push(posted["id"].as_str().expect("an id").to_owned());
    }

    let driver = ChromeDriver::start().await;
    let bob = driver.browser(&server.address, "bob's browser").await;
    register(&bob, &unique("bob")).await;
    join_from_explore(&bob, &name).await;

    // A permalink opens the room at that message, far above the newest.
    bob.goto(&format!("/rooms/{room}/messages/{}", ids[39]))
        .await;
    wait_highlighted(&bob, "line 40").await;
    let shown = bodies(&bob).await;
    assert!(
        !shown.iter().any(|b| b == "line 150"),
        "only the stretch around it is loaded"
    );
    bob.wait_for("load-newer").await;
    // Down to the newest from there.
    bob.click("jump-to-bottom").await;
    bob.wait_for_text("message-list", "line 150").await;
    bob.wait_gone("load-newer").await;

    // A search result opens its message in its room.
    bob.goto("/search").await;
    bob.type_into("search-page-input", "needle").await;
    bob.click("search-submit").await;
    bob.click("search-result").await;
    let path = bob
        .wait_for_path("a link to the message", |p| p.contains("/messages/"))
        .await;
    assert_eq!(path, format!("/rooms/{room}/messages/{}", ids[11]));
    wait_highlighted(&bob, "a needle in the haystack").await;

    // A reply's quote opens what it answers, loaded or not.
    let reply = api
        .post_json(
            &format!("/api/v1/rooms/{room}/messages"),
            ann.auth(),
            &json!({ "body": "about line 3", "reply_to": ids[2] }),
        )
        .await;
    assert_eq!(reply.status, 201, "{}", reply.describe());
    bob.goto(&format!("/rooms/{room}")).await;
    bob.wait_for_text("message-list", "about line 3").await;
    assert!(!bodies(&bob).await.iter().any(|b| b == "line 3"));
    bob.click("reply-parent").await;
    wait_highlighted(&bob, "line 3").await;

    // Every message's time is its link.
    let link = bob
        .attr_css(
            &format!("{} {}", tid("message-bubble"), tid("message-permalink")),
            "href",
        )
        .await
        .expect("a permalink");
    assert!(link.contains(&format!("/rooms/{room}/messages/")), "{link}");
    bob.close().await;
}
