//! The browser's IndexedDB, holding the copy of the chat kept between
//! visits (`state::Saved`), one entry per account, as JSON. Failures are
//! quiet: a browser without IndexedDB (or a private window that refuses
//! it) simply keeps nothing, and the app works online as before.

use wasm_bindgen::prelude::*;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{IdbDatabase, IdbOpenDbRequest, IdbRequest, IdbTransactionMode};

use crate::state::Saved;
use protocol::UserId;

const DATABASE: &str = "themechat";
const STORE: &str = "saved";

/// Resolves when `request` succeeds (with its event), fails when it does.
fn finished(request: &IdbRequest) -> JsFuture {
    let promise = js_sys::Promise::new(&mut |resolve, reject| {
        request.set_onsuccess(Some(&resolve));
        request.set_onerror(Some(&reject));
    });
    JsFuture::from(promise)
}

async fn database() -> Result<IdbDatabase, JsValue> {
    let factory = web_sys::window()
        .ok_or("no window")?
        .indexed_db()?
        .ok_or("no IndexedDB")?;
    let open: IdbOpenDbRequest = factory.open_with_u32(DATABASE, 1)?;
    // The first open makes the store; it runs before the success below,
    // so the closure may go once that is in.
    let upgrade = Closure::once(move |event: web_sys::Event| {
        let made = event
            .target()
            .and_then(|t| t.dyn_into::<IdbOpenDbRequest>().ok())
            .and_then(|r| r.result().ok())
            .and_then(|db| db.dyn_into::<IdbDatabase>().ok())
            .map(|db| db.create_object_store(STORE));
        if let Some(Err(e)) = made {
            web_sys::console::warn_2(&"ThemeChat: no store for the kept copy".into(), &e);
        }
    });
    open.set_onupgradeneeded(Some(upgrade.as_ref().unchecked_ref()));
    finished(&open).await?;
    open.set_onupgradeneeded(None);
    open.result()?.dyn_into::<IdbDatabase>()
}

fn key(user: UserId) -> JsValue {
    JsValue::from_str(&format!("user:{user}"))
}

/// The copy kept for `user`, if any.
pub async fn load(user: UserId) -> Option<Saved> {
    let found = async {
        let db = database().await?;
        let store = db.transaction_with_str(STORE)?.object_store(STORE)?;
        let request = store.get(&key(user))?;
        finished(&request).await?;
        request.result()
    }
    .await
    .ok()?;
    serde_json::from_str(&found.as_string()?).ok()
}

/// Keeps `saved` for `user`, in place of what was kept.
pub async fn store(user: UserId, saved: &Saved) {
    let Ok(json) = serde_json::to_string(saved) else {
        return;
    };
    let done: Result<JsValue, JsValue> = async {
        let db = database().await?;
        let store = db
            .transaction_with_str_and_mode(STORE, IdbTransactionMode::Readwrite)?
            .object_store(STORE)?;
        finished(&store.put_with_key(&JsValue::from_str(&json), &key(user))?).await
    }
    .await;
    if let Err(e) = done {
        web_sys::console::warn_2(&"ThemeChat: the copy could not be kept".into(), &e);
    }
}

/// Forgets what was kept for `user` (signing out).
pub async fn forget(user: UserId) {
    let _: Result<JsValue, JsValue> = async {
        let db = database().await?;
        let store = db
            .transaction_with_str_and_mode(STORE, IdbTransactionMode::Readwrite)?
            .object_store(STORE)?;
        finished(&store.delete(&key(user))?).await
    }
    .await;
}

/// Registers the service worker that keeps the app's own files, so that it
/// opens with no network (`sw.js`).
pub fn keep_the_app() {
    if let Some(window) = web_sys::window() {
        let _ = window.navigator().service_worker().register("/sw.js");
    }
}
