//! Writing comfort (issue 23, items 4 and 7): the message box grows with
//! what is written, and right-to-left text is laid out right to left.

use serde_json::{Value, json};
use themechat_tests::browser::{Browser, ChromeDriver, WAIT, WebServer, exclusive, tid};
use themechat_tests::unique;

use crate::support::sign_in;

/// Puts `text` into the message box as typing would (an `input` event),
/// then reports the box's height, how far its text reaches, and the view's
/// height, once the box has been sized (a frame later).
const FILL: &str = "const box = document.querySelector(arguments[0]); \
     box.focus(); box.value = arguments[1]; \
     box.dispatchEvent(new Event('input', { bubbles: true }));";
const MEASURE: &str = "const box = document.querySelector(arguments[0]); \
     return { height: box.getBoundingClientRect().height, \
              scroll: box.scrollHeight, client: box.clientHeight, \
              view: window.innerHeight };";

struct Size {
    height: f64,
    scroll: f64,
    client: f64,
    view: f64,
}

async fn measure(browser: &Browser) -> Size {
    let v = browser
        .execute(MEASURE, vec![json!(tid("composer-input"))])
        .await;
    let n = |key: &str| v[key].as_f64().unwrap_or_default();
    Size {
        height: n("height"),
        scroll: n("scroll"),
        client: n("client"),
        view: n("view"),
    }
}

/// Fills the box and waits until its height has settled somewhere `ok`.
async fn fill_until(browser: &Browser, text: &str, what: &str, ok: impl Fn(&Size) -> bool) -> Size {
    browser
        .execute(FILL, vec![json!(tid("composer-input")), json!(text)])
        .await;
    browser
        .wait_until(what, WAIT, || async {
            let size = measure(browser).await;
            Ok(ok(&size).then_some(size))
        })
        .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_message_box_grows_with_the_text_then_scrolls() {
    let _one_at_a_time = exclusive().await;
    let server = WebServer::start().await;
    let api = server.api();
    let alice = api.register(&unique("alice")).await;
    let room = api
        .create_room(&alice, &unique("Long thoughts "), "public")
        .await;
    let room = room["id"].as_str().expect("a room id").to_owned();
    let driver = ChromeDriver::start().await;
    let a = driver.browser(&server.address, "alice's browser").await;
    sign_in(&a, &alice, &format!("/rooms/{room}")).await;
    a.wait_for("composer-input").await;

    let one_line = measure(&a).await;
    let five_lines = (1..=5)
        .map(|i| format!("line {i}"))
        .collect::<Vec<_>>()
        .join("\n");
    let grown = fill_until(&a, &five_lines, "the box to grow to five lines", |s| {
        s.height > one_line.height + 40.0
    })
    .await;
    assert!(
        grown.scroll <= grown.client + 1.0,
        "five lines show whole, without scrolling ({} of {} px)",
        grown.client,
        grown.scroll
    );

    let many = (1..=80)
        .map(|i| format!("line {i}"))
        .collect::<Vec<_>>()
        .join("\n");
    let capped = fill_until(&a, &many, "the box to stop at about half the view", |s| {
        s.height > grown.height + 40.0
    })
    .await;
    assert!(
        capped.height <= capped.view * 0.5 + 1.0,
        "the box may take about half the view, not {} of {} px",
        capped.height,
        capped.view
    );
    assert!(
        capped.scroll > capped.client,
        "beyond that, it scrolls ({} px of text in {} px)",
        capped.scroll,
        capped.client
    );

    a.click("composer-send").await;
    a.wait_for_text("message-body", "line 80").await;
    a.wait_until("the box back to one line", WAIT, || async {
        let size = measure(&a).await;
        Ok(((size.height - one_line.height).abs() < 2.0).then_some(()))
    })
    .await;
    a.close().await;
}

/// The `direction` the browser laid out each element matching `css` in.
async fn directions(browser: &Browser, css: &str) -> Vec<String> {
    let v = browser
        .execute(
            "return [...document.querySelectorAll(arguments[0])] \
                 .map(e => getComputedStyle(e).direction);",
            vec![json!(css)],
        )
        .await;
    v.as_array()
        .map(|a| {
            a.iter()
                .filter_map(Value::as_str)
                .map(str::to_owned)
                .collect()
        })
        .unwrap_or_default()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn right_to_left_text_is_laid_out_right_to_left() {
    let _one_at_a_time = exclusive().await;
    let server = WebServer::start().await;
    let api = server.api();
    let alice = api.register(&unique("alice")).await;
    let room = api
        .create_room(&alice, &unique("Languages "), "public")
        .await;
    let room = room["id"].as_str().expect("a room id").to_owned();
    api.post_message(&alice, &room, "Good morning, everyone")
        .await;
    api.post_message(&alice, &room, "שלום לכולם, בוקר טוב")
        .await;
    api.post_message(&alice, &room, "صباح الخير يا أصدقاء")
        .await;
    let driver = ChromeDriver::start().await;
    let a = driver.browser(&server.address, "alice's browser").await;
    sign_in(&a, &alice, &format!("/rooms/{room}")).await;
    a.wait_for_text("message-body", "صباح الخير").await;

    let bodies = directions(&a, &tid("message-body")).await;
    assert_eq!(
        bodies,
        ["ltr", "rtl", "rtl"],
        "each message is laid out in its own text's direction"
    );

    a.execute(
        FILL,
        vec![json!(tid("composer-input")), json!("مرحبا بالجميع")],
    )
    .await;
    assert_eq!(
        directions(&a, &tid("composer-input")).await,
        ["rtl"],
        "the message box follows what is typed into it"
    );
    a.close().await;
}

/// Builds a `DataTransfer` holding a PNG (bytes in base64) and a text file,
/// as a clipboard or a drag from the desktop would hold them.
const TRANSFER: &str = "const bytes = Uint8Array.from(atob(arguments[0]), c => c.charCodeAt(0)); \
     const transfer = new DataTransfer(); \
     transfer.items.add(new File([bytes], 'screenshot.png', { type: 'image/png' })); \
     if (arguments[1]) transfer.items.add(new File(['minutes'], 'notes.txt', { type: 'text/plain' })); \
     return transfer;";

/// Issue 23, item 8: a picture pasted into the box (Ctrl+V of a screenshot)
/// and files dropped onto the room are attached, the picture with a
/// thumbnail in the composer, and go with the next message.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_pasted_picture_and_dropped_files_are_attached() {
    use base64::Engine as _;
    let _one_at_a_time = exclusive().await;
    let server = WebServer::start().await;
    let api = server.api();
    let alice = api.register(&unique("alice")).await;
    let room = api
        .create_room(&alice, &unique("Screenshots "), "public")
        .await;
    let room = room["id"].as_str().expect("a room id").to_owned();
    let driver = ChromeDriver::start().await;
    let a = driver.browser(&server.address, "alice's browser").await;
    sign_in(&a, &alice, &format!("/rooms/{room}")).await;
    a.wait_for("composer-input").await;
    let picture =
        base64::engine::general_purpose::STANDARD.encode(themechat_tests::files::png(64, 48));

    a.execute(
        &format!(
            "const make = () => {{ {} }}; \
             const box = document.querySelector(arguments[2]); box.focus(); \
             box.dispatchEvent(new ClipboardEvent('paste', \
                 {{ clipboardData: make(), bubbles: true, cancelable: true }}));",
            TRANSFER.replace("arguments[1]", "false")
        ),
        vec![json!(picture), json!(false), json!(tid("composer-input"))],
    )
    .await;
    a.wait_for_css(&format!(
        "{}[data-state=\"ready\"] {}",
        tid("composer-attachment"),
        tid("composer-attachment-thumbnail")
    ))
    .await;
    assert_eq!(
        a.execute(
            "return document.querySelector(arguments[0]).value;",
            vec![json!(tid("composer-input"))]
        )
        .await,
        json!(""),
        "pasting a picture types nothing"
    );

    a.execute(
        &format!(
            "const make = () => {{ {TRANSFER} }}; \
             const zone = document.querySelector(arguments[2]); \
             const transfer = make(); \
             zone.dispatchEvent(new DragEvent('dragover', \
                 {{ dataTransfer: transfer, bubbles: true, cancelable: true }})); \
             zone.dispatchEvent(new DragEvent('drop', \
                 {{ dataTransfer: transfer, bubbles: true, cancelable: true }}));"
        ),
        vec![json!(picture), json!(true), json!(tid("message-list"))],
    )
    .await;
    a.wait_until("three files ready", WAIT, || async {
        let ready = a
            .count_css(&format!(
                "{}[data-state=\"ready\"]",
                tid("composer-attachment")
            ))
            .await;
        Ok((ready == 3).then_some(()))
    })
    .await;

    a.type_into("composer-input", "what I saw").await;
    a.click("composer-send").await;
    a.wait_for_text("message-body", "what I saw").await;
    a.wait_until("the message with its three files", WAIT, || async {
        let pictures = a.count("attachment-image").await;
        let files = a.count("attachment-file").await;
        Ok((pictures == 2 && files == 1).then_some(()))
    })
    .await;
    assert_eq!(
        a.count("composer-attachment").await,
        0,
        "sent, the composer is empty"
    );
    a.close().await;
}
