//! Messages people can read: links open safely in a new tab, a mention of
//! me stands out, and the tab's title counts what I have not read.

use themechat_tests::browser::{Browser, ChromeDriver, WAIT, WebServer, exclusive, tid};
use themechat_tests::unique;

use crate::support::{create_room, join_from_explore, register, room_item, room_of};

async fn wait_for_title(browser: &Browser, title: &str) {
    let client = &browser.client;
    browser
        .wait_until(&format!("the title {title:?}"), WAIT, || async move {
            Ok((client.title().await? == title).then_some(()))
        })
        .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn links_open_safely_mentions_stand_out_and_the_title_counts_unread() {
    let _one_at_a_time = exclusive().await;
    let server = WebServer::start().await;
    let driver = ChromeDriver::start().await;
    let a = driver.browser(&server.address, "alice's browser").await;
    let b = driver.browser(&server.address, "bob's browser").await;
    let bob = unique("bob");
    register(&a, &unique("alice")).await;
    let name = unique("Readable ");
    let room = create_room(&a, &name, "public").await;
    register(&b, &bob).await;
    assert_eq!(join_from_explore(&b, &name).await, room);
    b.goto("/").await;
    b.click_css(&room_item(&room)).await;
    b.wait_for_path("/rooms/<room>", |p| room_of(p) == Some(room.as_str()))
        .await;

    let body = format!("read https://example.com/docs?x=1. then ping @{bob}");
    a.send_with_enter(&body).await;
    b.wait_for_bubble("from alice", &body, |m| !m.mine).await;
    let link = b
        .wait_for_css(&format!("{} a.message-link", tid("message-body")))
        .await;
    assert_eq!(
        link.attr("href").await.ok().flatten().as_deref(),
        Some("https://example.com/docs?x=1")
    );
    assert_eq!(
        link.attr("rel").await.ok().flatten().as_deref(),
        Some("noopener noreferrer")
    );
    assert_eq!(
        link.attr("target").await.ok().flatten().as_deref(),
        Some("_blank")
    );
    let mention = b
        .wait_for_css(&format!("{}.mention-me", tid("mention")))
        .await;
    assert_eq!(mention.text().await.unwrap_or_default(), format!("@{bob}"));
    // On Alice's side it is a mention, but not of her.
    a.wait_for_css(&tid("mention")).await;
    assert_eq!(a.count_css(".mention-me").await, 0);

    // Away from the room, Bob's tab title counts what he has not read.
    b.goto("/settings").await;
    wait_for_title(&b, "ThemeChat").await;
    a.send_with_enter("while you were away").await;
    wait_for_title(&b, "(1) ThemeChat").await;
    b.goto("/").await;
    b.click_css(&room_item(&room)).await;
    wait_for_title(&b, "ThemeChat").await;

    a.close().await;
    b.close().await;
}

/// The Markdown subset: bold, italic and code as elements; markup typed as
/// text stays text.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bold_italic_and_code_show_as_such_and_html_stays_text() {
    let _one_at_a_time = exclusive().await;
    let server = WebServer::start().await;
    let driver = ChromeDriver::start().await;
    let (a, b, _room) =
        crate::support::alice_and_bob_in_a_room(&driver, &server, "Markdown ").await;

    a.send_with_enter("**loud** and *soft* with `x = <b>1</b>` <i>raw</i>")
        .await;
    let strong = b.wait_for_text("md-strong", "loud").await;
    assert_eq!(strong.tag_name().await.unwrap_or_default(), "strong");
    let em = b.wait_for_text("md-emphasis", "soft").await;
    assert_eq!(em.tag_name().await.unwrap_or_default(), "em");
    b.wait_for_text("md-code", "x = <b>1</b>").await;
    // Nothing typed became an element.
    let body = format!("{} ", tid("message-body"));
    assert_eq!(b.count_css(&format!("{body}b")).await, 0);
    assert_eq!(b.count_css(&format!("{body}i")).await, 0);
    let text = b.text("message-body").await;
    assert!(text.contains("<i>raw</i>"), "{text}");

    a.close().await;
    b.close().await;
}

/// `@` suggests the room's members; Tab (or Enter) completes the name.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn at_suggests_the_rooms_members_and_completes_the_name() {
    let _one_at_a_time = themechat_tests::browser::exclusive().await;
    let server = themechat_tests::browser::WebServer::start().await;
    let driver = themechat_tests::browser::ChromeDriver::start().await;
    let (a, b, _room) =
        crate::support::alice_and_bob_in_a_room(&driver, &server, "Mentions ").await;
    let bob = b
        .execute(
            "return document.querySelector('.me-name').textContent.trim();",
            Vec::new(),
        )
        .await;
    let bob = bob.as_str().expect("bob's name").to_owned();

    a.type_into("composer-input", &format!("hello @{}", &bob[..2]))
        .await;
    a.wait_for("mention-suggestions").await;
    assert_eq!(
        a.attr("mention-suggestion", "data-username")
            .await
            .as_deref(),
        Some(bob.as_str())
    );
    let input = a.wait_for("composer-input").await;
    input
        .send_keys(&fantoccini::key::Key::Tab.to_string())
        .await
        .expect("Tab in the composer");
    a.wait_gone("mention-suggestions").await;
    let value = a
        .execute(
            "return document.querySelector('[data-testid=\"composer-input\"]').value;",
            Vec::new(),
        )
        .await;
    assert_eq!(value.as_str(), Some(format!("hello @{bob} ").as_str()));
    input
        .send_keys(&format!("are you in?{}", fantoccini::key::Key::Enter))
        .await
        .expect("sending");
    b.wait_for_bubble(
        "mentioning bob",
        &format!("hello @{bob} are you in?"),
        |m| !m.mine,
    )
    .await;
    a.close().await;
    b.close().await;
}
