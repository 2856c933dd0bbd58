//! Devices: signed in on two browsers, one signs the other out from
//! Settings, and the other finds itself signed out.

use themechat_tests::browser::{ChromeDriver, WebServer, exclusive, tid};
use themechat_tests::{PASSWORD, unique};

use crate::support::register;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_device_signed_out_from_settings_is_signed_out() {
    let _one_at_a_time = exclusive().await;
    let server = WebServer::start().await;
    let driver = ChromeDriver::start().await;
    let laptop = driver.browser(&server.address, "the laptop").await;
    let phone = driver.browser(&server.address, "the phone").await;

    let alice = unique("alice");
    register(&laptop, &alice).await;
    phone.goto("/login").await;
    phone.type_into("login-username", &alice).await;
    phone.type_into("login-password", PASSWORD).await;
    phone.click("login-submit").await;
    phone.wait_for("room-list").await;

    laptop.goto("/settings").await;
    laptop.wait_count_css(&tid("device-item"), 2).await;
    assert_eq!(laptop.count("device-current").await, 1);
    // Issue 23, item 15: named as people say it, not by the raw User-Agent.
    let names = laptop
        .execute(
            "return [...document.querySelectorAll(arguments[0])].map(e => e.textContent);",
            vec![serde_json::json!(tid("device-name"))],
        )
        .await;
    let names: Vec<&str> = names
        .as_array()
        .map(|a| a.iter().filter_map(|n| n.as_str()).collect())
        .unwrap_or_default();
    assert_eq!(names.len(), 2, "{names:?}");
    for name in names {
        assert!(
            ["Chrome (headless) on Linux", "Chrome on Linux"].contains(&name),
            "each device is named by its browser and system, not {name:?}"
        );
    }
    // The laptop signs the other device (the phone) out.
    laptop
        .click_css(&format!("{} {}", tid("device-item"), tid("device-revoke")))
        .await;
    laptop.wait_count_css(&tid("device-item"), 1).await;

    // The phone is signed out: its socket closed, its next refresh refused.
    phone
        .wait_for_path("the sign-in page", |p| p == "/login")
        .await;

    laptop.close().await;
    phone.close().await;
}
