//! Posts that arrive together are stored together (one transaction per
//! batch): each is still answered on its own. A refused post fails nothing
//! else and takes no number; repeats of a `client_id` within one batch store
//! one message; every room's `seq` stays gap-free.

use std::collections::{HashMap, HashSet};

use serde_json::{Value, json};
use themechat_tests::*;

fn messages_path(room_id: &str) -> String {
    format!("/api/v1/rooms/{room_id}/messages")
}

/// What one concurrent post was, and what it must get.
#[derive(Clone)]
enum Expect {
    Created { room: String },
    Repeat { client_id: String },
    Refused { status: u16, code: &'static str },
}

#[tokio::test]
async fn a_mixed_burst_is_answered_post_by_post() {
    let app = spawn_app().await;
    let owner = app.register("owner").await;
    let mut room_ids = Vec::new();
    for name in ["Alpha", "Beta"] {
        room_ids.push(id_of(&app.create_room(&owner, name, "public").await));
    }
    let private = id_of(&app.create_room(&owner, "Secret", "private").await);
    let outside = id_of(&app.create_room(&owner, "Elsewhere", "public").await);
    let foreign_root = id_of(&app.post_message(&owner, &outside, "a root elsewhere").await);

    let mut members = Vec::new();
    for n in 0..6 {
        let user = app.register(&unique(&format!("burst{n}_"))).await;
        for room in &room_ids {
            app.join_room(&user, room).await;
        }
        members.push(user);
    }

    let mut tasks = Vec::new();
    for (n, user) in members.iter().enumerate() {
        let mut posts: Vec<(String, Value, Expect)> = Vec::new();
        for (r, room) in room_ids.iter().enumerate() {
            for k in 0..5 {
                let body = json!({ "body": format!("{} in {r}: {k}", user.username) });
                posts.push((room.clone(), body, Expect::Created { room: room.clone() }));
            }
        }
        // The same client_id three times at once: one message.
        let client_id = format!("repeat-{n}");
        for _ in 0..3 {
            let body = json!({ "body": "once only", "client_id": client_id });
            posts.push((
                room_ids[0].clone(),
                body,
                Expect::Repeat {
                    client_id: client_id.clone(),
                },
            ));
        }
        posts.push((
            outside.clone(),
            json!({ "body": "not a member here" }),
            Expect::Refused {
                status: 403,
                code: "not_a_member",
            },
        ));
        posts.push((
            private.clone(),
            json!({ "body": "cannot see this room" }),
            Expect::Refused {
                status: 404,
                code: "not_found",
            },
        ));
        posts.push((
            room_ids[1].clone(),
            json!({ "body": "a reply to another room", "reply_to": foreign_root }),
            Expect::Refused {
                status: 404,
                code: "not_found",
            },
        ));
        for (room, body, expect) in posts {
            let api = app.api();
            let user = user.clone();
            tasks.push(tokio::spawn(async move {
                let resp = api
                    .post_json(&messages_path(&room), user.auth(), &body)
                    .await;
                (expect, resp)
            }));
        }
    }

    let mut created: HashMap<String, Vec<Value>> = HashMap::new();
    let mut repeats: HashMap<String, HashSet<String>> = HashMap::new();
    for task in tasks {
        let (expect, resp) = task.await.expect("a posting task failed");
        match expect {
            Expect::Created { room } => {
                assert_status(&resp, 201);
                created.entry(room).or_default().push(resp.body);
            }
            Expect::Repeat { client_id } => {
                assert!(
                    resp.status == 201 || resp.status == 200,
                    "a repeat gets the original: {}",
                    resp.describe()
                );
                repeats
                    .entry(client_id)
                    .or_default()
                    .insert(id_of(&resp.body));
                if resp.status == 201 {
                    created
                        .entry(room_ids[0].clone())
                        .or_default()
                        .push(resp.body);
                }
            }
            Expect::Refused { status, code } => assert_error(&resp, status, code),
        }
    }

    for (client_id, answered) in &repeats {
        assert_eq!(
            answered.len(),
            1,
            "{client_id} stored more than once: {answered:?}"
        );
    }
    for room in &room_ids {
        let posted = &created[room];
        let mut numbers = seqs(posted);
        numbers.sort_unstable();
        let n = posted.len() as i64;
        assert_eq!(
            numbers,
            (1..=n).collect::<Vec<_>>(),
            "refused posts take no number; stored ones no gap"
        );
        let history = app.history(&owner, room, "limit=200").await;
        let stored: HashSet<String> = ids(&history).into_iter().collect();
        let answered: HashSet<String> = ids(posted).into_iter().collect();
        assert_eq!(
            stored, answered,
            "history holds exactly what was acknowledged"
        );
    }
    let outside_history = app.history(&owner, &outside, "limit=200").await;
    assert_eq!(outside_history.len(), 1, "nothing refused was stored");
}

#[tokio::test]
async fn an_answer_equals_the_stored_message() {
    let app = spawn_app().await;
    let alice = app.register("alice").await;
    let room = id_of(&app.create_room(&alice, "Exact", "public").await);
    let posted = app.post_message(&alice, &room, "to the microsecond").await;
    let history = app.history(&alice, &room, "").await;
    assert_eq!(history.len(), 1);
    assert_eq!(
        history[0], posted,
        "the answer is built before the row is read back: it must match it exactly"
    );
}
