//! Exports from the web app: my data from the settings, a room's history
//! from its owner's Manage panel.

use themechat_tests::browser::{ChromeDriver, WebServer, exclusive};

use crate::support::alice_and_bob_in_a_room;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn my_data_and_a_rooms_history_download_as_json() {
    let _one_at_a_time = exclusive().await;
    let server = WebServer::start().await;
    let driver = ChromeDriver::start().await;
    let (a, b, _room) = alice_and_bob_in_a_room(&driver, &server, "Exported ").await;
    a.send_with_enter("for the record").await;
    b.wait_for_bubble("from alice", "for the record", |m| !m.mine)
        .await;

    // The owner exports the room; a member has no Manage panel to do it.
    a.click("room-manage-open").await;
    a.click("room-export").await;
    a.wait_for("export-done").await;
    assert_eq!(b.count("room-manage-open").await, 0);

    b.goto("/settings").await;
    b.click("export-account").await;
    b.wait_for("export-done").await;
    assert_eq!(b.count("form-error").await, 0);

    a.close().await;
    b.close().await;
}
