//! Asking someone again for their friendship does not notify them again.

use themechat_tests::*;

use crate::social_support::*;

fn request_path(request_id: &str) -> String {
    format!("/api/v1/friends/requests/{request_id}")
}

async fn requests_notified(app: &TestApp, user: &TestUser) -> usize {
    of_kind(&all_notifications(app, user).await, "friend_request").len()
}

#[tokio::test]
async fn asking_and_cancelling_again_and_again_notifies_once() {
    let app = spawn_app().await;
    let alice = app.register("alice").await;
    let bob = app.register("bob").await;
    let mut last = String::new();
    for round in 0..15 {
        let request = id_of(&send_friend_request(&app, &alice, &bob).await);
        if round < 14 {
            let resp = app.delete(&request_path(&request), alice.auth()).await;
            assert_status(&resp, 204);
        }
        last = request;
    }
    assert_eq!(requests_notified(&app, &bob).await, 1);
    // The request itself is there, as asked the last time.
    let (incoming, _) = pending_requests(&app, &bob).await;
    assert_eq!(ids(&incoming), [last.clone()]);

    // Bob answers it: a later request is a new question, asked once.
    let resp = app
        .post(&format!("{}/decline", request_path(&last)), bob.auth())
        .await;
    assert_status(&resp, 204);
    for _ in 0..3 {
        let request = id_of(&send_friend_request(&app, &alice, &bob).await);
        let resp = app.delete(&request_path(&request), alice.auth()).await;
        assert_status(&resp, 204);
    }
    assert_eq!(requests_notified(&app, &bob).await, 2);

    // Nor does Bob's own request to Alice notify her twice.
    for _ in 0..3 {
        let request = id_of(&send_friend_request(&app, &bob, &alice).await);
        let resp = app.delete(&request_path(&request), bob.auth()).await;
        assert_status(&resp, 204);
    }
    assert_eq!(requests_notified(&app, &alice).await, 1);
}
