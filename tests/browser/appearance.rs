//! Appearance: a dark theme chosen in the settings applies at once and
//! after a reload; "as the system prefers" hands the choice back.

use themechat_tests::browser::{Browser, ChromeDriver, WAIT, WebServer, exclusive};
use themechat_tests::unique;

use crate::support::register;

/// The root's `data-theme` and the page's background colour.
async fn theme_and_background(browser: &Browser) -> (String, String) {
    let found = browser
        .execute(
            "return [document.documentElement.getAttribute('data-theme') || '',
                     getComputedStyle(document.documentElement).backgroundColor];",
            vec![],
        )
        .await;
    let part = |i: usize| found[i].as_str().unwrap_or_default().to_owned();
    (part(0), part(1))
}

async fn choose(browser: &Browser, value: &str) {
    let select = browser.wait_for("theme-select").await;
    select
        .select_by_value(value)
        .await
        .unwrap_or_else(|e| panic!("{}: cannot choose {value}: {e}", browser.label));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_dark_theme_applies_at_once_and_after_a_reload() {
    let _one_at_a_time = exclusive().await;
    let server = WebServer::start().await;
    let driver = ChromeDriver::start().await;
    let a = driver.browser(&server.address, "alice's browser").await;
    register(&a, &unique("alice")).await;
    a.goto("/settings").await;
    let (_, light) = theme_and_background(&a).await;

    choose(&a, "dark").await;
    let dark = a
        .wait_until("the dark theme", WAIT, || async {
            let (theme, background) = theme_and_background(&a).await;
            Ok((theme == "dark").then_some(background))
        })
        .await;
    assert_eq!(dark, "rgb(18, 20, 28)");
    assert_ne!(dark, light);

    a.goto("/settings").await;
    a.wait_for("theme-select").await;
    assert_eq!(
        theme_and_background(&a).await.0,
        "dark",
        "kept after a reload"
    );
    let shown = a
        .execute(
            "return document.querySelector('[data-testid=theme-select]').value;",
            vec![],
        )
        .await;
    assert_eq!(shown, "dark", "the settings show the choice");

    choose(&a, "system").await;
    a.wait_until("the system's theme", WAIT, || async {
        Ok((theme_and_background(&a).await.0.is_empty()).then_some(()))
    })
    .await;
    a.close().await;
}
