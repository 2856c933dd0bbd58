//! My devices: the sessions I am signed in with, and signing them out.

use serde_json::{Value, json};
use themechat_tests::*;

/// Signs `user` in again, as a phone would name itself.
async fn sign_in_from_phone(app: &TestApp, user: &TestUser) -> TestUser {
    let resp = app
        .send(
            app.request(reqwest::Method::POST, "/api/v1/auth/login", None)
                .header("User-Agent", "ThemeChat phone")
                .json(&json!({ "username": user.username, "password": user.password })),
        )
        .await;
    assert_status(&resp, 200);
    TestUser::from_auth_response(&resp.body, &user.password)
}

async fn devices(app: &TestApp, user: &TestUser) -> Vec<Value> {
    let resp = app.api().get("/api/v1/sessions", user.auth()).await;
    assert_status(&resp, 200);
    resp.array().to_vec()
}

#[tokio::test]
async fn my_devices_are_listed_with_the_current_one_marked() {
    let app = spawn_app().await;
    let alice = app.register("alice").await;
    let phone = sign_in_from_phone(&app, &alice).await;
    let bob = app.register("bob").await;

    let list = devices(&app, &alice).await;
    assert_eq!(list.len(), 2, "{list:?}");
    for d in &list {
        assert_has_keys(
            d,
            &[
                "id",
                "client",
                "address",
                "created_at",
                "last_seen_at",
                "current",
            ],
        );
        assert_eq!(d["address"], "127.0.0.1", "{d}");
    }
    let current: Vec<&Value> = list
        .iter()
        .filter(|d| d["current"] == json!(true))
        .collect();
    assert_eq!(current.len(), 1);
    let from_phone = list
        .iter()
        .find(|d| d["client"] == "ThemeChat phone")
        .expect("the phone");
    assert_eq!(from_phone["current"], json!(false));
    // Seen from the phone, the phone is the current one.
    let seen = devices(&app, &phone).await;
    let here = seen.iter().find(|d| d["current"] == json!(true)).unwrap();
    assert_eq!(here["client"], "ThemeChat phone");
    // Nobody else's sessions show.
    assert_eq!(devices(&app, &bob).await.len(), 1);
}

#[tokio::test]
async fn a_device_signed_out_loses_access_at_once() {
    let app = spawn_app().await;
    let alice = app.register("alice").await;
    let phone = sign_in_from_phone(&app, &alice).await;
    let bob = app.register("bob").await;
    let list = devices(&app, &alice).await;
    let phone_id = list
        .iter()
        .find(|d| d["client"] == "ThemeChat phone")
        .map(|d| d["id"].as_str().unwrap().to_owned())
        .unwrap();

    // Bob cannot sign Alice's phone out: it is no device of his.
    let theirs = app
        .api()
        .delete(&format!("/api/v1/sessions/{phone_id}"), bob.auth())
        .await;
    assert_error(&theirs, 404, "not_found");

    let ended = app
        .api()
        .delete(&format!("/api/v1/sessions/{phone_id}"), alice.auth())
        .await;
    assert_status(&ended, 204);
    let me = app.api().get("/api/v1/users/me", phone.auth()).await;
    assert_error_status(&me, 401);
    assert_error_status(&app.refresh(&phone.refresh_token).await, 401);
    assert_eq!(devices(&app, &alice).await.len(), 1);
    // Twice over: it is gone.
    let again = app
        .api()
        .delete(&format!("/api/v1/sessions/{phone_id}"), alice.auth())
        .await;
    assert_error(&again, 404, "not_found");
}

#[tokio::test]
async fn signing_out_the_others_keeps_this_one() {
    let app = spawn_app().await;
    let alice = app.register("alice").await;
    let phone = sign_in_from_phone(&app, &alice).await;
    let tablet = sign_in_from_phone(&app, &alice).await;
    let resp = app
        .api()
        .post("/api/v1/sessions/revoke-others", alice.auth())
        .await;
    assert_status(&resp, 204);
    for other in [&phone, &tablet] {
        let me = app.api().get("/api/v1/users/me", other.auth()).await;
        assert_error_status(&me, 401);
    }
    let left = devices(&app, &alice).await;
    assert_eq!(left.len(), 1);
    assert_eq!(left[0]["current"], json!(true));
    assert_status(&app.api().get("/api/v1/users/me", alice.auth()).await, 200);
}
