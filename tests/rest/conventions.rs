//! Cross-cutting conventions: error bodies, malformed input, size limits,
//! unknown routes and methods, and the operational endpoints.

use serde_json::json;
use themechat_tests::*;

const REGISTER: &str = "/api/v1/auth/register";

// ---- malformed and invalid input ---------------------------------------------------

#[tokio::test]
async fn malformed_json_is_a_bad_request() {
    let app = spawn_app().await;

    for raw in [
        r#"{"username":"#,
        r#"{"username": "abc", "password": "x"} trailing"#,
        "not json",
    ] {
        let resp = app.post_raw(REGISTER, None, raw, "application/json").await;
        assert_error(&resp, 400, "bad_request");
    }
}

#[tokio::test]
async fn a_missing_field_is_validation_failed() {
    let app = spawn_app().await;
    let alice = app.register("alice").await;

    let cases = [
        app.post_json(REGISTER, None, &json!({ "username": "nopassword" }))
            .await,
        app.post_json("/api/v1/auth/login", None, &json!({ "password": PASSWORD }))
            .await,
        app.post_json(
            "/api/v1/rooms",
            alice.auth(),
            &json!({ "visibility": "public" }),
        )
        .await,
    ];

    for resp in &cases {
        assert_error(resp, 422, "validation_failed");
    }
}

#[tokio::test]
async fn a_wrong_type_is_validation_failed() {
    let app = spawn_app().await;
    let alice = app.register("alice").await;

    let cases = [
        app.post_json(
            REGISTER,
            None,
            &json!({ "username": 123, "password": PASSWORD }),
        )
        .await,
        app.post_json(
            REGISTER,
            None,
            &json!({ "username": "typed", "password": ["x"] }),
        )
        .await,
        app.post_json(
            "/api/v1/rooms",
            alice.auth(),
            &json!({ "name": "Room", "visibility": 5 }),
        )
        .await,
        app.patch_json(
            "/api/v1/users/me",
            alice.auth(),
            &json!({ "interests": "not a list" }),
        )
        .await,
    ];

    for resp in &cases {
        assert_error(resp, 422, "validation_failed");
    }
}

#[tokio::test]
async fn invalid_utf8_is_rejected() {
    let app = spawn_app().await;
    let mut raw = br#"{"username": "ab"#.to_vec();
    raw.push(0xff);
    raw.extend_from_slice(br#"cd", "password": "correct horse battery"}"#);

    let resp = app.post_raw(REGISTER, None, raw, "application/json").await;

    // Not UTF-8 means not JSON: 400; a server that decodes leniently must
    // still refuse the value: 422.
    assert!(
        resp.status == 400 || resp.status == 422,
        "expected 400 or 422, got {}",
        resp.describe()
    );
    assert_error_shape(&resp);
    let login = app.login("abcd", PASSWORD).await;
    assert_error(&login, 401, "invalid_credentials");
}

#[tokio::test]
async fn a_path_id_that_is_not_a_uuid_is_a_bad_request() {
    let app = spawn_app().await;
    let alice = app.register("alice").await;

    let cases = [
        app.get("/api/v1/rooms/not-a-uuid", alice.auth()).await,
        app.get("/api/v1/rooms/123/messages", alice.auth()).await,
        app.get("/api/v1/messages/xyz/thread", alice.auth()).await,
        app.patch_json(
            "/api/v1/messages/xyz",
            alice.auth(),
            &json!({ "body": "hi" }),
        )
        .await,
    ];

    for resp in &cases {
        assert_error(resp, 400, "bad_request");
    }
}

#[tokio::test]
async fn a_bad_query_is_a_bad_request() {
    let app = spawn_app().await;
    let alice = app.register("alice").await;
    let room = id_of(&app.create_room(&alice, "Chat", "public").await);

    let resp = app
        .get(
            &format!("/api/v1/rooms/{room}/messages?limit=lots"),
            alice.auth(),
        )
        .await;

    assert_error(&resp, 400, "bad_request");
}

// ---- size limits -----------------------------------------------------------------------

#[tokio::test]
async fn a_body_over_64_kib_is_413() {
    let app = spawn_app().await;
    let alice = app.register("alice").await;
    let room = id_of(&app.create_room(&alice, "Chat", "public").await);
    let huge = "x".repeat(70_000);

    let message = app
        .post_json(
            &format!("/api/v1/rooms/{room}/messages"),
            alice.auth(),
            &json!({ "body": huge }),
        )
        .await;
    assert_error_status(&message, 413);

    let register = app
        .post_json(
            REGISTER,
            None,
            &json!({ "username": "big", "password": PASSWORD, "display_name": huge }),
        )
        .await;
    assert_error_status(&register, 413);

    assert!(app.history(&alice, &room, "").await.is_empty());
}

// ---- routing ------------------------------------------------------------------------------

#[tokio::test]
async fn an_unknown_api_route_is_404_with_an_error_body() {
    let app = spawn_app().await;
    let alice = app.register("alice").await;

    for resp in [
        app.get("/api/v1/nope", alice.auth()).await,
        app.post_json("/api/v1/nope", alice.auth(), &json!({}))
            .await,
        app.get("/api/v1/rooms/not/a/route", alice.auth()).await,
    ] {
        assert_error_status(&resp, 404);
        assert!(
            !resp.text.contains(INDEX_MARKER),
            "API routes must not fall back to the web app"
        );
    }
}

#[tokio::test]
async fn a_wrong_method_is_405_with_an_error_body() {
    let app = spawn_app().await;
    let alice = app.register("alice").await;

    let cases = [
        app.put_json("/api/v1/auth/login", None, &json!({})).await,
        app.get(REGISTER, None).await,
        app.delete("/api/v1/rooms", alice.auth()).await,
    ];

    for resp in &cases {
        assert_error_status(resp, 405);
    }
}

#[tokio::test]
async fn a_405_names_the_methods_the_route_takes() {
    let app = spawn_app().await;
    let alice = app.register("alice").await;

    let trace = |path: &str| app.request(reqwest::Method::TRACE, path, alice.auth());
    let cases = [
        (
            app.send(trace("/api/v1/users/me")).await,
            "GET, PATCH, DELETE",
        ),
        (app.send(trace("/api/v1/sessions")).await, "GET"),
        (app.delete("/api/v1/rooms", alice.auth()).await, "POST, GET"),
        (app.send(trace("/healthz")).await, "GET"),
    ];

    for (resp, allowed) in &cases {
        assert_error_status(resp, 405);
        assert_eq!(resp.header("allow"), Some(*allowed), "{}", resp.request);
    }
}

#[tokio::test]
async fn a_body_is_a_json_object() {
    let app = spawn_app().await;
    let alice = app.register("alice").await;

    // serde reads a struct from an array of its fields too; the API does not.
    let as_array = app
        .patch_json("/api/v1/users/me", alice.auth(), &json!(["Alice", "bio"]))
        .await;
    let as_string = app
        .post_json("/api/v1/rooms", alice.auth(), &json!("Room"))
        .await;

    assert_error(&as_array, 422, "validation_failed");
    assert_error(&as_string, 422, "validation_failed");
    assert_eq!(
        app.me(&alice).await["display_name"],
        "alice",
        "nothing changed"
    );
}

// ---- operations --------------------------------------------------------------------------------

#[tokio::test]
async fn healthz_answers_200() {
    let app = spawn_app().await;

    let resp = app.get("/healthz", None).await;

    assert_status(&resp, 200);
}

#[tokio::test]
async fn metrics_are_prometheus_text() {
    let app = spawn_app().await;
    let alice = app.register("alice").await;
    let room = id_of(&app.create_room(&alice, "Chat", "public").await);
    app.post_message(&alice, &room, "some traffic").await;

    let resp = app.get("/metrics", None).await;

    assert_status(&resp, 200);
    assert!(
        resp.header("content-type")
            .is_some_and(|ct| ct.starts_with("text/plain")),
        "metrics must be text/plain: {:?}",
        resp.headers
    );
    assert!(
        resp.text.contains("# TYPE "),
        "no metrics in: {}",
        resp.text
    );
}

#[tokio::test]
async fn the_openapi_document_is_served() {
    let app = spawn_app().await;

    let resp = app.get("/api/v1/openapi.json", None).await;

    assert_status(&resp, 200);
    let version = resp.body["openapi"].as_str().unwrap_or_default();
    assert!(
        version.starts_with("3."),
        "openapi must be 3.x, got {version:?}"
    );
    let paths = resp.body["paths"]
        .as_object()
        .expect("paths must be an object");
    for path in ["/api/v1/rooms", "/api/v1/auth/register", "/api/v1/users/me"] {
        assert!(
            paths.contains_key(path),
            "{path} missing from the OpenAPI paths"
        );
    }
}

#[tokio::test]
async fn the_web_app_is_served_at_the_root() {
    let app = spawn_app().await;

    let resp = app.get("/", None).await;

    assert_status(&resp, 200);
    assert!(
        resp.header("content-type")
            .is_some_and(|ct| ct.starts_with("text/html")),
        "the web app must be text/html: {:?}",
        resp.headers
    );
    assert!(
        resp.text.contains(INDEX_MARKER),
        "not our index.html: {}",
        resp.text
    );
}

/// The web app's assets go out in the encoding the browser accepts, made
/// at build time (`<file>.br`, `<file>.gz`), with their real type; files
/// named after their content are cached for good, `index.html` is checked
/// on every visit.
#[tokio::test]
async fn web_assets_go_out_precompressed_and_content_named_ones_are_cached_for_good() {
    let script = "frontend-0123456789abcdef.js";
    let (plain, brotli, gzip) = (
        b"console.log('plain');".to_vec(),
        b"brotli bytes".to_vec(),
        b"gzip bytes".to_vec(),
    );
    let app = spawn_app_with(|settings| {
        let dir = &settings.web_dir;
        std::fs::write(dir.join(script), &plain).expect("write the script");
        std::fs::write(dir.join(format!("{script}.br")), &brotli).expect("write .br");
        std::fs::write(dir.join(format!("{script}.gz")), &gzip).expect("write .gz");
    })
    .await;
    let fetch = |accept: &'static str| {
        let app = &app;
        async move {
            let request = app
                .request(reqwest::Method::GET, &format!("/{script}"), None)
                .header("Accept-Encoding", accept);
            app.send(request).await
        }
    };

    for (accept, encoding, body) in [
        ("gzip, deflate, br, zstd", Some("br"), &brotli),
        ("gzip, deflate", Some("gzip"), &gzip),
        ("identity", None, &plain),
    ] {
        let resp = fetch(accept).await;
        assert_status(&resp, 200);
        assert_eq!(resp.header("content-encoding"), encoding, "{accept}");
        assert_eq!(&resp.bytes, body, "{accept}");
        assert!(
            resp.header("content-type").is_some_and(
                |t| t.starts_with("text/javascript") || t.starts_with("application/javascript")
            ),
            "{accept}: {:?}",
            resp.header("content-type")
        );
        assert_eq!(
            resp.header("cache-control"),
            Some("public, max-age=31536000, immutable"),
            "{accept}"
        );
        if encoding.is_some() {
            assert!(
                resp.header("vary")
                    .is_some_and(|v| v.to_ascii_lowercase().contains("accept-encoding")),
                "{accept}: {:?}",
                resp.headers
            );
        }
    }
    for path in ["/", "/index.html", "/rooms/somewhere"] {
        let resp = app.get(path, None).await;
        assert_status(&resp, 200);
        assert_eq!(resp.header("cache-control"), Some("no-cache"), "{path}");
    }
    let api = app.get("/healthz", None).await;
    assert_ne!(
        api.header("cache-control"),
        Some("public, max-age=31536000, immutable"),
        "the API is not the web app"
    );
}

#[tokio::test]
async fn web_app_routes_fall_back_to_index_html() {
    let app = spawn_app().await;
    let index = app.get("/", None).await;
    assert_status(&index, 200);

    for path in [format!("/rooms/{}", random_id()), "/friends".to_owned()] {
        let resp = app.get(&path, None).await;
        assert_status(&resp, 200);
        assert!(
            resp.text.contains(INDEX_MARKER),
            "{path} must serve index.html"
        );
        assert_eq!(
            resp.text, index.text,
            "{path} must serve the same index.html"
        );
    }
}

// ---- error bodies ----------------------------------------------------------------------------------

#[tokio::test]
async fn every_error_has_exactly_the_error_shape() {
    let app = spawn_app().await;
    let alice = app.register("alice").await;
    let eve = app.register("eve").await;
    let room = id_of(&app.create_room(&alice, "Club", "private").await);

    let cases = [
        app.get("/api/v1/users/me", None).await,
        app.get("/api/v1/users/me", Some("garbage")).await,
        app.login("alice", "wrong password").await,
        app.post_raw(REGISTER, None, "{", "application/json").await,
        app.post_json(REGISTER, None, &json!({})).await,
        app.post_json(
            REGISTER,
            None,
            &json!({ "username": "alice", "password": PASSWORD }),
        )
        .await,
        app.get(&format!("/api/v1/rooms/{room}"), eve.auth()).await,
        app.get("/api/v1/nope", alice.auth()).await,
    ];

    for resp in &cases {
        assert!(
            resp.status >= 400,
            "expected an error, got {}",
            resp.describe()
        );
        assert_error_shape(resp);
        assert!(
            resp.header("content-type")
                .is_some_and(|ct| ct.starts_with("application/json")),
            "an error must be JSON: {}",
            resp.describe()
        );
    }
}
