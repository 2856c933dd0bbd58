//! `/bots`: the bots I keep, each with its tokens and webhooks.

use leptos::prelude::*;
use protocol::validate::{self, Username};
use protocol::{Bot, CreateBotRequest};

use crate::api;
use crate::components::bots::BotCard;
use crate::components::form::{Submission, SubmitButton, TextField};
use crate::components::status::{FetchedList, FormError};

#[component]
pub fn BotsPage() -> impl IntoView {
    let version = RwSignal::new(0u32);
    let bots = LocalResource::new(move || {
        version.track();
        api::bots()
    });
    let refresh = move || version.update(|v| *v += 1);
    view! {
        <section class="page bots-page" data-testid="bots-page">
            <h1>"Bots"</h1>
            <p class="muted">
                "A bot is an account your programs use: they sign in with its tokens, post \
                 into a room through an incoming webhook, or get called at your URL when \
                 someone writes to the bot. People see its messages as the bot's."
            </p>
            <CreateBot on_created=refresh />
            <FetchedList items=bots empty="You have no bots yet." class="plain-list bot-list"
                row=move |bot: Bot| view! { <BotCard bot=bot on_deleted=refresh /> } />
        </section>
    }
}

#[component]
fn CreateBot(on_created: impl Fn() + Copy + 'static) -> impl IntoView {
    let username = RwSignal::new(String::new());
    let description = RwSignal::new(String::new());
    let form = Submission::default();
    let (error, busy) = (form.error, form.busy);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let checked = (|| {
            Ok(CreateBotRequest {
                username: Username::parse(&username.get_untracked())?.into_inner(),
                display_name: None,
                description: Some(validate::description(&description.get_untracked())?),
            })
        })();
        form.send(checked, api::create_bot, move |_| {
            username.set(String::new());
            description.set(String::new());
            on_created();
        });
    };
    view! {
        <div class="card">
            <h2>"New bot"</h2>
            <form class="form" novalidate=true on:submit=submit>
                <TextField label="Username" value=username testid="bot-username"
                    hint="letters, digits, _ . and -: the bot's own, unique with people's" />
                <TextField label="What it does" value=description testid="bot-description" />
                <FormError message=error />
                <SubmitButton busy=busy testid="bot-create" label="Create bot"
                    busy_label="Creating…" />
            </form>
        </div>
    }
}
