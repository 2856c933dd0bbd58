//! The first visit (issue 23, items 1 and 2): what a new visitor's browser
//! downloads, measured by the browser itself (Resource Timing), and what it
//! shows before the app's WebAssembly has arrived.

use serde_json::Value;
use themechat_tests::browser::{Browser, ChromeDriver, WebServer, exclusive};

/// What a cold first visit may take off the wire (the app was 2.26 MB).
const FIRST_VISIT_BUDGET: u64 = 1_000_000;

/// Every request of the current page: name, bytes on the wire (headers
/// included, 0 when served from the cache), and the body's size as sent
/// and once decoded.
const TRANSFERS: &str = "return [...performance.getEntriesByType('navigation'), \
     ...performance.getEntriesByType('resource')] \
     .map(e => ({ name: e.name, transfer: e.transferSize, \
                  encoded: e.encodedBodySize, decoded: e.decodedBodySize }));";

struct Transfer {
    name: String,
    transfer: u64,
    encoded: u64,
    decoded: u64,
}

async fn transfers(browser: &Browser) -> Vec<Transfer> {
    let entries = browser.execute(TRANSFERS, vec![]).await;
    let number = |e: &Value, key: &str| e[key].as_f64().unwrap_or_default() as u64;
    entries
        .as_array()
        .expect("a list of entries")
        .iter()
        .map(|e| Transfer {
            name: e["name"].as_str().unwrap_or_default().to_owned(),
            transfer: number(e, "transfer"),
            encoded: number(e, "encoded"),
            decoded: number(e, "decoded"),
        })
        .collect()
}

fn describe(transfers: &[Transfer]) -> String {
    transfers
        .iter()
        .map(|t| {
            format!(
                "\n  {}: {} B on the wire, body {} B sent, {} B decoded",
                t.name, t.transfer, t.encoded, t.decoded
            )
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_first_visit_is_light_on_the_wire_and_the_next_comes_from_the_cache() {
    let _one_at_a_time = exclusive().await;
    let server = WebServer::start().await;
    let driver = ChromeDriver::start().await;
    let visitor = driver.browser(&server.address, "a new visitor").await;

    visitor.goto("/login").await;
    visitor.wait_for("login-username").await;
    let first = transfers(&visitor).await;
    let total: u64 = first.iter().map(|t| t.transfer).sum();
    eprintln!("first visit: {total} B on the wire{}", describe(&first));
    let wasm = first
        .iter()
        .find(|t| t.name.ends_with(".wasm"))
        .unwrap_or_else(|| panic!("no WebAssembly was loaded:{}", describe(&first)));
    assert!(
        wasm.encoded * 2 < wasm.decoded,
        "the WebAssembly must travel compressed (the browser asks for br and gzip):{}",
        describe(&first)
    );
    assert!(
        !first.iter().any(|t| t.name.ends_with("/favicon.ico")),
        "the page names its icon: asking for /favicon.ico only gets the page again:{}",
        describe(&first)
    );
    assert!(
        total <= FIRST_VISIT_BUDGET,
        "a cold first visit took {total} B off the wire, over {FIRST_VISIT_BUDGET}:{}",
        describe(&first)
    );

    // The assets' names change with their content, so a later visit takes
    // them from the cache without asking; only the page is revalidated.
    visitor.goto("/login").await;
    visitor.wait_for("login-username").await;
    let again = transfers(&visitor).await;
    let fetched: Vec<&Transfer> = again
        .iter()
        .filter(|t| t.transfer > 0 && !t.name.contains("/api/"))
        .filter(|t| {
            [".wasm", ".js", ".css"]
                .iter()
                .any(|ext| t.name.ends_with(ext))
        })
        .collect();
    assert!(
        fetched.is_empty(),
        "the second visit fetched content-named assets again instead of using the cache:{}",
        describe(&again)
    );
    visitor.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn on_a_slow_line_the_page_shows_something_before_the_app_arrives() {
    let _one_at_a_time = exclusive().await;
    let server = WebServer::start().await;
    let driver = ChromeDriver::start().await;
    let visitor = driver
        .browser(&server.address, "a visitor on a slow line")
        .await;
    // About 0.8 Mbit/s down: the app's WebAssembly takes seconds.
    visitor.throttle(150, 100_000).await;

    visitor.goto("/login").await;
    visitor.wait_for("login-username").await;
    let timing = visitor
        .execute(
            "const paint = performance.getEntriesByName('first-contentful-paint')[0]; \
             const wasm = performance.getEntriesByType('resource') \
                 .find(e => e.name.endsWith('.wasm')); \
             return { paint: paint ? paint.startTime : null, \
                      wasm: wasm ? wasm.responseEnd : null };",
            vec![],
        )
        .await;
    eprintln!("on a slow line: {timing}");
    let wasm = timing["wasm"]
        .as_f64()
        .expect("the app's WebAssembly was loaded");
    let paint = timing["paint"].as_f64().unwrap_or(f64::INFINITY);
    assert!(
        paint < wasm,
        "nothing was painted before the WebAssembly arrived at {wasm:.0} ms \
         (first contentful paint: {paint:.0} ms): a blank page the whole time"
    );
    assert_eq!(
        visitor.count("app-shell").await,
        0,
        "the loading shell goes once the app is there"
    );
    visitor.close().await;
}
