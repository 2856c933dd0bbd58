//! Steps most scenarios share: signing up, creating and joining rooms.

use std::collections::HashSet;
use std::time::Duration;

use themechat_tests::PASSWORD;
use themechat_tests::browser::{Browser, Bubble, ChromeDriver, WebServer, tid};
use themechat_tests::unique;

/// `[data-testid="room-item"][data-room-id="<room>"]`
pub fn room_item(room: &str) -> String {
    format!("{}[data-room-id=\"{room}\"]", tid("room-item"))
}

/// `[data-testid="explore-room"][data-room-id="<room>"]`
pub fn explore_room(room: &str) -> String {
    format!("{}[data-room-id=\"{room}\"]", tid("explore-room"))
}

pub fn is_uuid(s: &str) -> bool {
    uuid::Uuid::parse_str(s).is_ok()
}

/// The room id of a `/rooms/<id>` path.
pub fn room_of(path: &str) -> Option<&str> {
    path.strip_prefix("/rooms/")
        .map(|id| id.trim_end_matches('/'))
        .filter(|id| is_uuid(id))
}

/// Signs up `username` through the form and waits for the signed-in app.
pub async fn register(browser: &Browser, username: &str) {
    browser.goto("/register").await;
    browser.type_into("register-username", username).await;
    browser.type_into("register-password", PASSWORD).await;
    browser.click("register-submit").await;
    browser
        .wait_for_path("away from /register", |p| p != "/register")
        .await;
    browser.wait_for("room-list").await;
    browser
        .wait_connection(&["online"], themechat_tests::browser::WAIT)
        .await;
}

/// Creates a room with the form (from the current page, which must show
/// `create-room-open`) and returns its id, once the app shows it.
pub async fn create_room(browser: &Browser, name: &str, visibility: &str) -> String {
    browser.click("create-room-open").await;
    browser.type_into("create-room-name", name).await;
    let select = browser.wait_for("create-room-visibility").await;
    select
        .select_by_value(visibility)
        .await
        .unwrap_or_else(|e| panic!("{}: cannot choose {visibility}: {e}", browser.label));
    browser.click("create-room-submit").await;
    let path = browser
        .wait_for_path("/rooms/<id>", |p| room_of(p).is_some())
        .await;
    let room = room_of(&path).expect("a room path").to_owned();
    browser.wait_for_text("room-title", name).await;
    browser.wait_for_css(&room_item(&room)).await;
    room
}

/// Opens Explore from the navigation bar and searches for `name`; returns
/// the id of the one room found.
pub async fn find_on_explore(browser: &Browser, name: &str) -> String {
    browser.click("explore-link").await;
    browser.wait_for_path("/explore", |p| p == "/explore").await;
    browser.type_into("explore-search", name).await;
    browser.wait_for_text("explore-room", name).await;
    // The search is debounced: wait until the list shows only that room.
    browser.wait_count_css(&tid("explore-room"), 1).await;
    browser
        .attr("explore-room", "data-room-id")
        .await
        .unwrap_or_else(|| panic!("{}: explore-room without data-room-id", browser.label))
}

/// Joins the public room `name` from Explore; returns its id.
pub async fn join_from_explore(browser: &Browser, name: &str) -> String {
    let room = find_on_explore(browser, name).await;
    let card = explore_room(&room);
    browser
        .click_css_until(
            &format!("{card} {}", tid("join-button")),
            &format!("{card} {}", tid("leave-button")),
        )
        .await;
    room
}

/// Alice and Bob, each signed up in a browser of their own, both in a new
/// public room of Alice's (`name` plus a unique suffix) with it open.
pub async fn alice_and_bob_in_a_room(
    driver: &ChromeDriver,
    server: &WebServer,
    name: &str,
) -> (Browser, Browser, String) {
    let a = driver.browser(&server.address, "alice's browser").await;
    let b = driver.browser(&server.address, "bob's browser").await;
    register(&a, &unique("alice")).await;
    let name = unique(name);
    let room = create_room(&a, &name, "public").await;
    register(&b, &unique("bob")).await;
    assert_eq!(join_from_explore(&b, &name).await, room);
    b.goto("/").await;
    b.click_css(&room_item(&room)).await;
    b.wait_for_path("/rooms/<room>", |p| room_of(p) == Some(room.as_str()))
        .await;
    (a, b, room)
}

/// Signs `user` (made over the API) in through the form, landing on `next`.
pub async fn sign_in(browser: &Browser, user: &themechat_tests::TestUser, next: &str) {
    browser.goto(&format!("/login?next={next}")).await;
    browser.type_into("login-username", &user.username).await;
    browser.type_into("login-password", PASSWORD).await;
    browser.click("login-submit").await;
    browser
        .wait_for_path("away from /login", |p| p != "/login")
        .await;
    browser.wait_for("room-list").await;
}

/// How long [`wait_exactly_once`] waits (reconnecting backs off up to 30 s).
const EXACTLY_ONCE_WAIT: Duration = Duration::from_secs(45);

/// Every one of `bodies` shows exactly once, stored (with a message id), in
/// this order, and nothing else shows; returns the ids.
fn check_exactly_once(bubbles: &[Bubble], bodies: &[&str]) -> Result<Vec<String>, String> {
    let ids: Vec<&str> = bubbles.iter().map(|b| b.id.as_str()).collect();
    if ids.iter().any(|id| !is_uuid(id)) {
        return Err("a message has no id yet".into());
    }
    if ids.iter().collect::<HashSet<_>>().len() != ids.len() {
        return Err("a data-message-id shows twice".into());
    }
    let shown: Vec<&str> = bubbles.iter().map(|b| b.body.as_str()).collect();
    if shown != bodies {
        return Err(format!("the bodies are {shown:?}"));
    }
    Ok(ids.into_iter().map(str::to_owned).collect())
}

/// Waits until the browser shows exactly `bodies`, each once; then checks
/// that it stays so for a while (a late duplicate would show up).
pub async fn wait_exactly_once(browser: &Browser, bodies: &[&str]) -> Vec<String> {
    let what = format!("exactly the messages {bodies:?}, each once, each stored");
    let ids = browser
        .wait_until(&what, EXACTLY_ONCE_WAIT, || async {
            let bubbles = browser.try_bubbles().await?;
            Ok(check_exactly_once(&bubbles, bodies).ok())
        })
        .await;
    let until = tokio::time::Instant::now() + Duration::from_secs(2);
    while tokio::time::Instant::now() < until {
        let bubbles = browser.bubbles().await;
        if let Err(e) = check_exactly_once(&bubbles, bodies) {
            panic!(
                "{}: the messages changed again: {e}: {bubbles:#?}",
                browser.label
            );
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    ids
}

/// Types `keys` into whatever has the focus.
pub async fn press(browser: &Browser, keys: &str) {
    browser
        .client
        .active_element()
        .await
        .expect("something has the focus")
        .send_keys(keys)
        .await
        .expect("keys pressed");
}
