//! Turning two-factor sign-in on takes the password: with an access token
//! alone, a thief could turn it on with an authenticator of their own and
//! lock the owner out.

use serde_json::json;
use themechat_tests::*;
use totp_rs::{Algorithm, Secret, TOTP};

const SETUP: &str = "/api/v1/users/me/two-factor";
const CONFIRM: &str = "/api/v1/users/me/two-factor/confirm";

fn code_now(secret: &str) -> String {
    let bytes = Secret::Encoded(secret.to_owned())
        .to_bytes()
        .expect("a base32 secret");
    TOTP::new_unchecked(Algorithm::SHA1, 6, 0, 30, bytes, None, String::new())
        .generate_current()
        .expect("a code")
}

#[tokio::test]
async fn turning_two_factor_on_takes_the_password() {
    let app = spawn_app().await;
    let alice = app.register("alice").await;
    let setup = app.post(SETUP, alice.auth()).await;
    assert_status(&setup, 200);
    let secret = field_str(&setup.body, "secret");

    // The right code with only the token: refused, still off.
    let bare = app
        .post_json(CONFIRM, alice.auth(), &json!({ "code": code_now(&secret) }))
        .await;
    assert_error(&bare, 422, "validation_failed");
    let wrong = app
        .post_json(
            CONFIRM,
            alice.auth(),
            &json!({ "code": code_now(&secret), "password": "not her password" }),
        )
        .await;
    assert_error(&wrong, 403, "wrong_password");
    assert_eq!(app.me(&alice).await["two_factor"], false);
    // The password alone proves nothing either: the code must match.
    let no_code = app
        .post_json(
            CONFIRM,
            alice.auth(),
            &json!({ "code": "000000x", "password": PASSWORD }),
        )
        .await;
    assert_error(&no_code, 422, "validation_failed");
    assert_eq!(app.me(&alice).await["two_factor"], false);

    // Both: on.
    let confirmed = app
        .post_json(
            CONFIRM,
            alice.auth(),
            &json!({ "code": code_now(&secret), "password": PASSWORD }),
        )
        .await;
    assert_status(&confirmed, 200);
    assert_eq!(app.me(&alice).await["two_factor"], true);
}
