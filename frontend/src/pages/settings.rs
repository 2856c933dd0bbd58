//! Settings: profile, privacy, password, per-room notification levels,
//! blocked users, activity and account deletion.

use leptos::prelude::*;
use protocol::validate::{self, DisplayName, Password};
use protocol::{ChangePasswordRequest, NotificationLevel, ProfileVisibility, UpdateMeRequest};

use crate::api;
use crate::chat::Chat;
use crate::components::account::{ActivityList, BlockedList, DeleteAccount};
use crate::components::avatar::AvatarPicker;
use crate::components::devices::DeviceList;
use crate::components::export::ExportButton;
use crate::components::form::{Saved, SelectField, Submission, SubmitButton, TextField};
use crate::components::status::{FormError, Loading};
use crate::components::two_factor::TwoFactorSettings;
use crate::session::Session;
use protocol::RoomId;

#[component]
pub fn SettingsPage() -> impl IntoView {
    view! {
        <section class="page settings-page">
            <h1>"Settings"</h1>
            <Appearance />
            <crate::components::desktop_alerts::DesktopAlertSettings />
            <ProfileForm />
            <PasswordForm />
            <TwoFactorSettings />
            <DeviceList />
            <RoomLevels />
            <BlockedList />
            <ActivityList />
            <YourData />
            <DeleteAccount />
        </section>
    }
}

#[component]
fn ProfileForm() -> impl IntoView {
    let session = expect_context::<Session>();
    let me = LocalResource::new(api::me);
    let display_name = RwSignal::new(String::new());
    let bio = RwSignal::new(String::new());
    let interests = RwSignal::new(String::new());
    let avatar = RwSignal::new(String::new());
    let email = RwSignal::new(String::new());
    let visibility = RwSignal::new("public".to_owned());
    let form = Submission::default();
    let (error, busy) = (form.error, form.busy);
    Effect::new(move |_| {
        if let Some(Ok(m)) = me.get() {
            display_name.set(m.user.display_name.clone());
            bio.set(m.user.bio.clone().unwrap_or_default());
            interests.set(m.user.interests.clone().unwrap_or_default().join(", "));
            avatar.set(m.user.avatar_url.clone().unwrap_or_default());
            email.set(m.email.clone().unwrap_or_default());
            visibility.set(m.profile_visibility.as_str().to_owned());
        }
    });
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let check = || -> Result<UpdateMeRequest, validate::Invalid> {
            let list: Vec<String> = interests
                .get_untracked()
                .split(',')
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_owned)
                .collect();
            let avatar_raw = avatar.get_untracked();
            let email_raw = email.get_untracked();
            Ok(UpdateMeRequest {
                display_name: Some(DisplayName::parse(&display_name.get_untracked())?.into_inner()),
                bio: Some(validate::bio(&bio.get_untracked())?),
                interests: Some(validate::interests(&list)?),
                avatar_url: Some(if avatar_raw.trim().is_empty() {
                    String::new()
                } else {
                    validate::avatar_url(&avatar_raw)?
                }),
                profile_visibility: ProfileVisibility::parse(&visibility.get_untracked()),
                email: Some(if email_raw.trim().is_empty() {
                    String::new()
                } else {
                    validate::email(&email_raw)?
                }),
            })
        };
        form.send(
            check(),
            |req| async move { api::update_me(&req).await },
            move |m| {
                session.set_me(m);
            },
        );
    };
    view! {
        <h2>"Profile and privacy"</h2>
        <Suspense fallback=|| view! { <Loading label="Loading your profile…" /> }>
            {move || me.get().map(|r| r.err().map(|e| view! { <p class="status-error" role="alert">{e.message()}</p> }))}
        </Suspense>
        <AvatarPicker url=avatar />
        <form class="card form" novalidate=true on:submit=submit>
            <TextField label="Display name" value=display_name testid="settings-display-name" />
            <label>
                "Bio"
                <textarea
                    data-testid="settings-bio"
                    prop:value=move || bio.get()
                    on:input=move |ev| bio.set(event_target_value(&ev))
                ></textarea>
            </label>
            <TextField label="Interests (comma separated)" value=interests testid="settings-interests" />
            <TextField label="Avatar URL" value=avatar testid="settings-avatar" />
            <TextField label="Email" value=email testid="settings-email" />
            <SelectField label="Who can see your profile" value=visibility testid="settings-visibility"
                options=&[("public", "Everyone"), ("friends", "Friends only")] />
            <FormError message=error />
            <Saved form=form text="Saved." />
            <SubmitButton busy=busy testid="settings-save" label="Save profile" busy_label="Saving…" />
        </form>
    }
}

/// Light, dark, or as the system prefers; applied at once.
#[component]
fn Appearance() -> impl IntoView {
    let current = RwSignal::new(crate::theme::chosen().as_str().to_owned());
    Effect::new(move |_| crate::theme::choose(crate::theme::Theme::parse(&current.get())));
    view! {
        <h2>"Appearance"</h2>
        <div class="card form">
            <SelectField label="Theme" value=current testid="theme-select"
                options=&[("system", "As the system prefers"), ("light", "Light"), ("dark", "Dark")] />
        </div>
    }
}

/// Everything of mine as one JSON file.
#[component]
fn YourData() -> impl IntoView {
    let session = expect_context::<Session>();
    let username = session
        .me_untracked()
        .map(|m| m.user.username)
        .unwrap_or_else(|| "me".into());
    view! {
        <h2>"Your data"</h2>
        <div class="card">
            <p class="muted">"Your profile, friends, rooms and every message you wrote, as one JSON file."</p>
            <ExportButton path="/users/me/export".to_owned() file_name=format!("themechat-{username}.json")
                label="Download my data" testid="export-account" />
        </div>
    }
}

#[component]
fn PasswordForm() -> impl IntoView {
    let current = RwSignal::new(String::new());
    let new = RwSignal::new(String::new());
    let form = Submission::default();
    let (error, busy) = (form.error, form.busy);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let check = || {
            if current.get_untracked().is_empty() {
                return Err(validate::Invalid("enter your current password".into()));
            }
            Ok(ChangePasswordRequest {
                current_password: current.get_untracked(),
                new_password: Password::parse(&new.get_untracked())?.into_inner(),
            })
        };
        form.send(
            check(),
            |req| async move { api::change_password(&req).await },
            move |()| {
                current.set(String::new());
                new.set(String::new());
            },
        );
    };
    view! {
        <h2>"Password"</h2>
        <form class="card form" novalidate=true on:submit=submit>
            <TextField label="Current password" value=current testid="settings-current-password"
                kind="password" autocomplete="current-password" />
            <TextField label="New password" value=new testid="settings-new-password"
                kind="password" autocomplete="new-password" />
            <FormError message=error />
            <Saved form=form text="Password changed. Other sessions were signed out." />
            <SubmitButton busy=busy testid="settings-password-save" label="Change password"
                busy_label="Changing password…" />
        </form>
    }
}

#[component]
fn RoomLevels() -> impl IntoView {
    let chat = expect_context::<Chat>();
    let rooms = Memo::new(move |_| chat.state.with(|s| s.sorted_rooms()));
    let error = RwSignal::new(None::<String>);
    let set_level = move |room: RoomId, level: String| {
        let Some(level) = NotificationLevel::parse(&level) else {
            return;
        };
        leptos::task::spawn_local(async move {
            match api::set_notification_level(room, level).await {
                Ok(()) => chat.state.update(|s| {
                    if let Some(r) = s.rooms.get_mut(&room) {
                        r.notification_level = level;
                    }
                }),
                Err(e) => error.set(Some(e.message())),
            }
        });
    };
    view! {
        <h2>"Notifications per room"</h2>
        <FormError message=error />
        <div class="card">
            <Show when=move || chat.state.with(|s| s.rooms_loaded) fallback=|| view! { <Loading /> }>
                {move || rooms.with(Vec::is_empty).then(|| view! { <p class="muted">"You are not in any room yet."</p> })}
                <ul class="level-list">
                    <For
                        each=move || rooms.get()
                        key=|r| (r.room.id, r.notification_level)
                        children=move |r| {
                            let id = r.room.id;
                            view! {
                                <li class="level-item">
                                    <label>
                                        <span>{r.room.name.clone()}</span>
                                        <select
                                            data-testid="notification-level"
                                            prop:value=r.notification_level.as_str()
                                            on:change=move |ev| set_level(id, event_target_value(&ev))
                                        >
                                            <option value="all">"All messages"</option>
                                            <option value="mentions">"Mentions only"</option>
                                            <option value="none">"Nothing"</option>
                                        </select>
                                    </label>
                                </li>
                            }
                        }
                    />
                </ul>
            </Show>
        </div>
    }
}
