//! One bot on the Bots page: its tokens, its incoming webhooks and its
//! outgoing webhook. Secrets (a token, a webhook's URL, a signing secret)
//! are shown once, when made: the server keeps only what cannot give them
//! back.

use leptos::prelude::*;
use protocol::validate::{self, Invalid};
use protocol::{
    Bot, BotScope, BotToken, CreateBotTokenRequest, CreateWebhookRequest, IncomingWebhook,
    OutgoingTrigger, OutgoingWebhook, OutgoingWebhookRequest, RoomId, RoomKind, UserId,
};

use crate::api;
use crate::components::form::{SelectField, Submission, SubmitButton, TextField};
use crate::components::local_offset;
use crate::components::status::{FetchedList, FormError};
use crate::state::full_time;

#[component]
pub fn BotCard(bot: Bot, on_deleted: impl Fn() + Copy + Send + Sync + 'static) -> impl IntoView {
    let id = bot.id;
    let confirming = RwSignal::new(false);
    let error = RwSignal::new(None::<String>);
    let delete = move |_| {
        leptos::task::spawn_local(async move {
            match api::delete_bot(id).await {
                Ok(()) => on_deleted(),
                Err(e) => error.set(Some(e.message())),
            }
        });
    };
    view! {
        <li class="card bot-item" data-testid="bot-item" data-bot-id=id.to_string()>
            <h2 class="bot-name">
                {bot.display_name.clone()}
                <span class="muted" data-testid="bot-handle">{format!(" @{}", bot.username)}</span>
                <span class="badge bot-badge">"bot"</span>
            </h2>
            {(!bot.description.is_empty()).then(|| view! { <p>{bot.description.clone()}</p> })}
            <BotTokens bot=id />
            <BotWebhooks bot=id />
            <BotOutgoing bot=id current=bot.outgoing.clone() />
            <FormError message=error />
            <Show
                when=move || confirming.get()
                fallback=move || view! {
                    <button type="button" class="button small secondary" data-testid="bot-delete"
                        on:click=move |_| confirming.set(true)>
                        "Delete bot"
                    </button>
                }
            >
                <p>"Delete this bot? Its tokens and webhooks stop at once; its messages stay."</p>
                <button type="button" class="button small danger" data-testid="bot-delete-confirm"
                    on:click=delete>
                    "Delete"
                </button>
                <button type="button" class="button small secondary"
                    on:click=move |_| confirming.set(false)>
                    "Keep it"
                </button>
            </Show>
        </li>
    }
}

/// A secret shown once, with what to do with it.
#[component]
fn ShownOnce(testid: &'static str, text: String, what: &'static str) -> impl IntoView {
    view! {
        <div class="shown-once" role="status">
            <p>{what}" Copy it now: it is not shown again."</p>
            <code class="secret" data-testid=testid>{text}</code>
        </div>
    }
}

#[component]
fn BotTokens(bot: UserId) -> impl IntoView {
    let version = RwSignal::new(0u32);
    let tokens = LocalResource::new(move || {
        version.track();
        api::bot_tokens(bot)
    });
    let name = RwSignal::new(String::new());
    let (read, write) = (RwSignal::new(true), RwSignal::new(true));
    let issued = RwSignal::new(None::<String>);
    let form = Submission::default();
    let (error, busy) = (form.error, form.busy);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let scopes: Vec<BotScope> = [(read, BotScope::Read), (write, BotScope::Write)]
            .into_iter()
            .filter(|(on, _)| on.get_untracked())
            .map(|(_, scope)| scope)
            .collect();
        let checked = validate::label(&name.get_untracked()).and_then(|name| {
            if scopes.is_empty() {
                Err(Invalid("choose what the token may do".into()))
            } else {
                Ok(CreateBotTokenRequest { name, scopes })
            }
        });
        form.send(
            checked,
            move |req| api::create_bot_token(bot, req),
            move |made| {
                name.set(String::new());
                issued.set(Some(made.token));
                version.update(|v| *v += 1);
            },
        );
    };
    let revoke = move |token| {
        leptos::task::spawn_local(async move {
            match api::revoke_bot_token(bot, token).await {
                Ok(()) => version.update(|v| *v += 1),
                Err(e) => error.set(Some(e.message())),
            }
        });
    };
    let offset = local_offset();
    let row = move |t: BotToken| {
        let scopes: Vec<&str> = t.scopes.iter().map(|s| s.as_str()).collect();
        let used = full_time(t.last_used_at, offset);
        let token = t.id;
        view! {
            <li class="bot-token" data-testid="bot-token" data-token-id=token.to_string()>
                <strong>{t.name.clone()}</strong>
                <span class="muted">{format!(" {} · last used {used}", scopes.join(" + "))}</span>
                <button type="button" class="button small secondary" data-testid="bot-token-revoke"
                    on:click=move |_| revoke(token)>
                    "Revoke"
                </button>
            </li>
        }
    };
    let checkbox = move |label: &'static str, testid: &'static str, on: RwSignal<bool>| {
        view! {
            <label class="checkbox">
                <input type="checkbox" data-testid=testid prop:checked=move || on.get()
                    on:change=move |ev| on.set(event_target_checked(&ev)) />
                {label}
            </label>
        }
    };
    view! {
        <h3>"Tokens"</h3>
        <FetchedList items=tokens empty="No tokens." class="plain-list" row=row />
        {move || issued.get().map(|token| view! {
            <ShownOnce testid="bot-token-secret" text=token
                what="Send it as \"Authorization: Bearer <token>\"." />
        })}
        <form class="form inline-form" novalidate=true on:submit=submit>
            <TextField label="Token name" value=name testid="bot-token-name"
                placeholder="where it is used" />
            {checkbox("Read", "bot-token-read", read)}
            {checkbox("Write", "bot-token-write", write)}
            <SubmitButton busy=busy testid="bot-token-create" label="New token"
                busy_label="Making…" />
        </form>
        <FormError message=error />
    }
}

#[component]
fn BotWebhooks(bot: UserId) -> impl IntoView {
    let version = RwSignal::new(0u32);
    let hooks = LocalResource::new(move || {
        version.track();
        api::bot_webhooks(bot)
    });
    let rooms = LocalResource::new(api::my_rooms);
    let room = RwSignal::new(String::new());
    let name = RwSignal::new(String::new());
    let issued = RwSignal::new(None::<String>);
    let form = Submission::default();
    let (error, busy) = (form.error, form.busy);
    let groups = move || {
        rooms
            .get()
            .and_then(Result::ok)
            .unwrap_or_default()
            .into_iter()
            .filter(|r| r.room.kind == RoomKind::Group)
            .map(|r| (r.room.id, r.room.name))
            .collect::<Vec<_>>()
    };
    let room_name = move |id: RoomId| {
        groups()
            .into_iter()
            .find(|(room, _)| *room == id)
            .map_or_else(|| "a room you left".to_owned(), |(_, name)| name)
    };
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let chosen = RoomId::parse(&room.get_untracked())
            .map_err(|_| Invalid("choose the room it posts into".into()));
        let checked = chosen.and_then(|room_id| {
            Ok(CreateWebhookRequest {
                room_id,
                name: validate::label(&name.get_untracked())?,
            })
        });
        form.send(
            checked,
            move |req| api::create_webhook(bot, req),
            move |made| {
                name.set(String::new());
                let origin = web_sys::window()
                    .and_then(|w| w.location().origin().ok())
                    .unwrap_or_default();
                issued.set(Some(format!("{origin}{}", made.url)));
                version.update(|v| *v += 1);
            },
        );
    };
    let remove = move |id| {
        leptos::task::spawn_local(async move {
            match api::delete_webhook(bot, id).await {
                Ok(()) => version.update(|v| *v += 1),
                Err(e) => error.set(Some(e.message())),
            }
        });
    };
    let row = move |h: IncomingWebhook| {
        let id = h.id;
        view! {
            <li class="bot-webhook" data-testid="bot-webhook" data-webhook-id=id.to_string()>
                <strong>{h.name.clone()}</strong>
                <span class="muted">{move || format!(" posts into {}", room_name(h.room_id))}</span>
                <button type="button" class="button small secondary" data-testid="bot-webhook-delete"
                    on:click=move |_| remove(id)>
                    "Delete"
                </button>
            </li>
        }
    };
    view! {
        <h3>"Incoming webhooks"</h3>
        <FetchedList items=hooks empty="No incoming webhooks." class="plain-list" row=row />
        {move || issued.get().map(|url| view! {
            <ShownOnce testid="bot-webhook-url" text=url
                what="POST {\"body\": \"…\"} as JSON to this URL to post as the bot." />
        })}
        <form class="form inline-form" novalidate=true on:submit=submit>
            <label>
                "Room"
                <select data-testid="bot-webhook-room" prop:value=move || room.get()
                    on:change=move |ev| room.set(event_target_value(&ev))>
                    <option value="">"Choose a room…"</option>
                    {move || groups().into_iter().map(|(id, name)| view! {
                        <option value=id.to_string()>{name}</option>
                    }).collect_view()}
                </select>
            </label>
            <TextField label="Webhook name" value=name testid="bot-webhook-name"
                placeholder="what posts through it" />
            <SubmitButton busy=busy testid="bot-webhook-create" label="New webhook"
                busy_label="Making…" />
        </form>
        <FormError message=error />
    }
}

const TRIGGERS: &[(&str, &str)] = &[
    ("mentions", "when someone mentions the bot"),
    ("messages", "for every message in its rooms"),
];

#[component]
fn BotOutgoing(bot: UserId, current: Option<OutgoingWebhook>) -> impl IntoView {
    let current = RwSignal::new(current);
    let url = RwSignal::new(current.get_untracked().map(|o| o.url).unwrap_or_default());
    let trigger = RwSignal::new(
        current
            .get_untracked()
            .map_or("mentions", |o| o.trigger.as_str())
            .to_owned(),
    );
    let issued = RwSignal::new(None::<String>);
    let form = Submission::default();
    let (error, busy) = (form.error, form.busy);
    let offset = local_offset();
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let checked =
            validate::webhook_url(url.get_untracked().trim()).map(|url| OutgoingWebhookRequest {
                url,
                trigger: OutgoingTrigger::parse(&trigger.get_untracked())
                    .unwrap_or(OutgoingTrigger::Mentions),
            });
        form.send(
            checked,
            move |req| api::set_outgoing(bot, req),
            move |made| {
                issued.set(Some(made.signing_secret));
                current.set(Some(made.info));
            },
        );
    };
    let remove = move |_| {
        leptos::task::spawn_local(async move {
            match api::remove_outgoing(bot).await {
                Ok(()) => {
                    current.set(None);
                    issued.set(None);
                }
                Err(e) => error.set(Some(e.message())),
            }
        });
    };
    let status = move || match current.get() {
        None => "Not set: nothing is called.".to_owned(),
        Some(o) => match (o.last_error, o.last_delivered_at) {
            (Some(why), _) => format!("Calls {} · the last call failed: {why}", o.url),
            (None, Some(at)) => format!(
                "Calls {} · last call answered {}",
                o.url,
                full_time(at, offset)
            ),
            (None, None) => format!("Calls {} · no calls yet", o.url),
        },
    };
    view! {
        <h3>"Outgoing webhook"</h3>
        <p class="muted" data-testid="bot-outgoing-status">{status}</p>
        {move || issued.get().map(|secret| view! {
            <ShownOnce testid="bot-outgoing-secret" text=secret
                what="Each call is signed with this key (X-ThemeChat-Signature, HMAC-SHA256)." />
        })}
        <form class="form inline-form" novalidate=true on:submit=submit>
            <TextField label="Call this URL" value=url testid="bot-outgoing-url"
                kind="url" placeholder="https://example.com/themechat" />
            <SelectField label="When" value=trigger testid="bot-outgoing-trigger" options=TRIGGERS />
            <SubmitButton busy=busy testid="bot-outgoing-save" label="Save"
                busy_label="Saving…" />
        </form>
        {move || current.get().is_some().then(|| view! {
            <button type="button" class="button small secondary" data-testid="bot-outgoing-remove"
                on:click=remove>
                "Stop calling"
            </button>
        })}
        <FormError message=error />
    }
}
