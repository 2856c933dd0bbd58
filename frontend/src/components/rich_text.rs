//! A message body as people read it: links clickable, mentions
//! highlighted, everything else as plain text (never as HTML).

use leptos::prelude::*;
use protocol::text::{Span, mentioned, spans};

/// `text`, with `me` (my username, lower case) highlighted more strongly
/// where it is mentioned.
#[component]
pub fn RichText(text: String, #[prop(optional)] me: Option<String>) -> impl IntoView {
    spans(&text)
        .into_iter()
        .map(|span| match span {
            Span::Text(t) => t.to_owned().into_any(),
            Span::Link(url) => view! {
                <a href=url.to_owned() target="_blank" rel="noopener noreferrer" class="message-link">
                    {url.to_owned()}
                </a>
            }
            .into_any(),
            Span::Mention(m) => {
                let mine = me.as_deref() == Some(mentioned(m).as_str());
                view! { <span class="mention" class:mention-me=mine data-testid="mention">{m.to_owned()}</span> }
                    .into_any()
            }
        })
        .collect_view()
}
