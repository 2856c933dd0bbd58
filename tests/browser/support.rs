//! Steps most scenarios share: signing up, creating and joining rooms.

use themechat_tests::PASSWORD;
use themechat_tests::browser::{Browser, ChromeDriver, WebServer, tid};
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
