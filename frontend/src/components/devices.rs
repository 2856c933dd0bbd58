//! My signed-in devices, and signing them out.

use leptos::prelude::*;
use protocol::{Device, SessionId};

use crate::api;
use crate::components::local_offset;
use crate::components::status::{FetchedList, FormError};
use crate::state::{device_name, full_time};

#[component]
pub fn DeviceList() -> impl IntoView {
    let version = RwSignal::new(0u32);
    let list = LocalResource::new(move || {
        version.track();
        api::devices()
    });
    let error = RwSignal::new(None::<String>);
    // Signing out this very device ends the session here too: the app then
    // finds itself signed out, as after "Sign out".
    let sign_out = move |id: Option<SessionId>| {
        error.set(None);
        leptos::task::spawn_local(async move {
            let result = match id {
                Some(id) => api::revoke_device(id).await,
                None => api::revoke_other_devices().await,
            };
            match result {
                Ok(()) => version.update(|v| *v += 1),
                Err(e) => error.set(Some(e.message())),
            }
        });
    };
    let offset = local_offset();
    let item = move |d: Device| {
        let id = d.id;
        let seen = format!("last seen {}", full_time(d.last_seen_at, offset));
        let address = d.address.clone().unwrap_or_default();
        let name = device_name(&d.client);
        let agent = d.client.clone();
        view! {
            <li class="device-item" data-testid="device-item" data-session-id=id.to_string()>
                <span class="device-client" data-testid="device-name" title=agent>{name}</span>
                {d.current.then(|| view! { <strong class="device-current" data-testid="device-current">" This device"</strong> })}
                <span class="muted">{format!(" {address} · {seen}")}</span>
                {(!d.current).then(|| view! {
                    <button
                        type="button"
                        class="button small secondary"
                        data-testid="device-revoke"
                        on:click=move |_| sign_out(Some(id))
                    >
                        "Sign out"
                    </button>
                })}
            </li>
        }
    };
    view! {
        <h2>"Devices"</h2>
        <div class="card" data-testid="device-list">
            <FormError message=error />
            <FetchedList items=list empty="No devices." class="plain-list" row=item />
            <button
                type="button"
                class="button small"
                data-testid="devices-revoke-others"
                on:click=move |_| sign_out(None)
            >
                "Sign out all other devices"
            </button>
        </div>
    }
}
