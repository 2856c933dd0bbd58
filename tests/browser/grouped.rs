//! Issue 23, items 3, 9 and 17: a conversation reads densely (one sender's
//! run of messages shows the name once, later times under the pointer,
//! actions in a toolbar instead of a line under every bubble), reactions
//! come from a searchable picker of every emoji, `:shortcode:` completes in
//! the composer, and the keyboard walks the messages and reaches their
//! actions.

use fantoccini::key::Key;
use serde_json::{Value, json};
use themechat_tests::browser::{Browser, ChromeDriver, WAIT, WebServer, exclusive, tid};
use themechat_tests::unique;

use crate::support::{press, register};

async fn focused(browser: &Browser) -> (String, String) {
    let found = browser
        .execute(
            "const e = document.activeElement; \
             return e ? [e.dataset.testid || '', e.dataset.messageId || e.textContent.trim()] : ['', ''];",
            Vec::<Value>::new(),
        )
        .await;
    let part = |i: usize| found[i].as_str().unwrap_or_default().to_owned();
    (part(0), part(1))
}

/// Whether the first element matching `css` takes room on screen and can be
/// seen (`display` and `visibility` both let it).
async fn visible(browser: &Browser, css: &str) -> bool {
    browser
        .execute(
            "const e = document.querySelector(arguments[0]); \
             if (!e) return false; \
             const r = e.getBoundingClientRect(); \
             return r.width > 0 && r.height > 0 && getComputedStyle(e).visibility !== 'hidden';",
            vec![json!(css)],
        )
        .await
        .as_bool()
        .unwrap_or(false)
}

async fn wait_visible(browser: &Browser, css: &str, wanted: bool) {
    browser
        .wait_until(
            &format!("`{css}` {}", if wanted { "shown" } else { "hidden" }),
            WAIT,
            || async { Ok((visible(browser, css).await == wanted).then_some(())) },
        )
        .await;
}

/// Sizes the window so that the page itself gets `width`×`height`.
async fn viewport(browser: &Browser, width: u32, height: u32) {
    let frame = browser
        .execute(
            "return [window.outerWidth - window.innerWidth, window.outerHeight - window.innerHeight];",
            Vec::new(),
        )
        .await;
    let extra = |i: usize| frame[i].as_u64().unwrap_or(0) as u32;
    browser
        .client
        .set_window_size(width + extra(0), height + extra(1))
        .await
        .expect("a window of that size");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_grouped_conversation_fits_twelve_messages_and_its_actions_come_on_demand() {
    let _one_at_a_time = exclusive().await;
    let server = WebServer::start().await;
    let api = server.api();
    let ada = api.register_with(&unique("ada"), Some("Ada")).await;
    let room = api
        .post_json(
            "/api/v1/rooms",
            ada.auth(),
            &json!({ "name": unique("Dense "), "visibility": "public" }),
        )
        .await;
    assert_eq!(room.status, 201, "{}", room.describe());
    let room = room.body["id"].as_str().expect("a room id").to_owned();
    let linus = api.register_with(&unique("linus"), Some("Linus")).await;
    api.join_room(&linus, &room).await;
    // Runs of one sender: 4 by Ada, 5 by Linus, 4 by Ada, 3 by Linus.
    let mut ids = Vec::new();
    for (who, run) in [(&ada, 4), (&linus, 5), (&ada, 4), (&linus, 3)] {
        for i in 0..run {
            let m = api
                .post_message(who, &room, &format!("line {} of a run", i + 1))
                .await;
            ids.push(m["id"].as_str().expect("an id").to_owned());
        }
    }

    let driver = ChromeDriver::start().await;
    let me = driver.browser(&server.address, "grace's browser").await;
    viewport(&me, 1280, 800).await;
    register(&me, &unique("grace")).await;
    me.goto(&format!("/rooms/{room}")).await;
    me.wait_for("room-join").await;
    me.click("room-join").await;
    me.wait_count_css(&tid("message-bubble"), ids.len()).await;

    // At least twelve one-line messages on screen at once.
    let whole = me
        .execute(
            "const list = document.querySelector('[data-testid=\"message-list\"]').getBoundingClientRect(); \
             return [...document.querySelectorAll('[data-testid=\"message-bubble\"]')] \
               .filter(b => { const r = b.getBoundingClientRect(); \
                              return r.top >= list.top - 1 && r.bottom <= list.bottom + 1; }).length;",
            Vec::new(),
        )
        .await;
    let whole = whole.as_u64().unwrap_or(0);
    assert!(whole >= 12, "only {whole} whole messages fit in 800 px");

    // The name shows once a run: four runs, four names.
    let names = me
        .execute(
            "return [...document.querySelectorAll('.message-head')] \
               .filter(h => !h.classList.contains('visually-hidden')).length;",
            Vec::new(),
        )
        .await;
    assert_eq!(names, json!(4), "one name per run of messages");

    // The second message of a run shows its time only under the pointer;
    // its actions are not on screen until then either.
    let second = format!("{}[data-message-id=\"{}\"]", tid("message-bubble"), ids[14]);
    let time = format!("{second} {}", tid("message-permalink"));
    let react = format!("{second} {}", tid("react-button"));
    assert!(
        !visible(&me, &time).await,
        "a later time waits for the pointer"
    );
    assert!(!visible(&me, &react).await, "actions wait for the pointer");
    me.hover_css(&second).await;
    wait_visible(&me, &time, true).await;
    wait_visible(&me, &react, true).await;

    // React: the picker searches every emoji by name or shortcode.
    me.click_css(&react).await;
    me.wait_for("reaction-picker").await;
    me.type_into("emoji-search", "zebra").await;
    me.wait_for_css(&format!("{}[data-emoji='🦓']", tid("reaction-option")))
        .await;
    me.type_into("emoji-search", "nothing matches this").await;
    me.wait_for("emoji-none").await;
    me.type_into("emoji-search", &format!("tada{}", Key::Enter))
        .await;
    me.wait_gone("reaction-picker").await;
    me.wait_for_css(&format!(
        "{second} {}[data-emoji='🎉']",
        tid("reaction-chip")
    ))
    .await;
    let reactions = api
        .history(&ada, &room, "limit=50")
        .await
        .into_iter()
        .find(|m| m["id"] == json!(ids[14]))
        .expect("the message")["reactions"]
        .clone();
    assert_eq!(reactions[0]["emoji"], json!("🎉"), "{reactions}");

    // The keyboard: from the list, Up is the newest message on screen, Up
    // again the one before it; Enter opens its actions at the first, the
    // arrows walk them, Escape goes back to the message.
    me.execute(
        "document.querySelector('[data-testid=\"message-list\"]').focus();",
        Vec::new(),
    )
    .await;
    press(&me, &Key::Up.to_string()).await;
    assert_eq!(
        focused(&me).await,
        ("message-bubble".to_owned(), ids[15].clone())
    );
    press(&me, &Key::Up.to_string()).await;
    assert_eq!(
        focused(&me).await,
        ("message-bubble".to_owned(), ids[14].clone())
    );
    press(&me, &Key::Enter.to_string()).await;
    assert_eq!(focused(&me).await.0, "react-button");
    press(&me, &Key::Right.to_string()).await;
    assert_eq!(focused(&me).await.0, "reply-button");
    press(&me, &Key::Escape.to_string()).await;
    assert_eq!(
        focused(&me).await,
        ("message-bubble".to_owned(), ids[14].clone())
    );
    press(&me, &Key::Home.to_string()).await;
    assert_eq!(
        focused(&me).await,
        ("message-bubble".to_owned(), ids[0].clone())
    );

    // `:shortcode:` in the composer: suggested as it is typed, and a code
    // closed with its colon becomes its emoji.
    me.type_into("composer-input", "well done :tad").await;
    me.wait_for_css(&format!("{}[data-emoji='🎉']", tid("emoji-suggestion")))
        .await;
    press(&me, &Key::Tab.to_string()).await;
    me.wait_gone("emoji-suggestions").await;
    me.client
        .find(fantoccini::Locator::Css(&tid("composer-input")))
        .await
        .expect("the composer")
        .send_keys(":+1:")
        .await
        .expect("typed");
    me.wait_until("the completed text", WAIT, || async {
        let value = me
            .execute(
                "return document.querySelector('[data-testid=\"composer-input\"]').value;",
                Vec::new(),
            )
            .await;
        Ok((value == json!("well done 🎉 👍")).then_some(()))
    })
    .await;
    me.close().await;
}
