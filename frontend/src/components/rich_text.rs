//! A message body as people read it: the small Markdown subset of
//! `protocol::markup` (bold, italic, code, code blocks, quotes), links
//! clickable, mentions highlighted. Built as elements from a tree of text:
//! nothing anyone writes is ever read as HTML.

use leptos::prelude::*;
use protocol::markup::{Block, Inline, blocks};
use protocol::text::mentioned;

/// How a body is drawn.
struct Look {
    /// My username, lower case: mentions of me stand out more.
    me: Option<String>,
    /// Inside a link already (a reply's quote): addresses show as text, as
    /// a link cannot hold another.
    quoted: bool,
}

/// `text`, with `me` (my username, lower case) highlighted more strongly
/// where it is mentioned; `quoted` for a quote that is itself a link.
#[component]
pub fn RichText(
    text: String,
    #[prop(optional)] me: Option<String>,
    #[prop(optional)] quoted: bool,
) -> impl IntoView {
    let me = Look { me, quoted };
    blocks(&text)
        .into_iter()
        .map(|block| match block {
            Block::Paragraph(inlines) => {
                view! { <div class="md-paragraph">{line(inlines, &me)}</div> }.into_any()
            }
            Block::Quote(inlines) => {
                view! { <blockquote class="md-quote" data-testid="md-quote">{line(inlines, &me)}</blockquote> }
                    .into_any()
            }
            Block::Code(code) => {
                view! { <pre class="md-code-block" data-testid="md-code-block"><code>{code}</code></pre> }
                    .into_any()
            }
        })
        .collect_view()
}

fn line(inlines: Vec<Inline>, me: &Look) -> AnyView {
    inlines
        .into_iter()
        .map(|inline| piece(inline, me))
        .collect_view()
        .into_any()
}

fn piece(inline: Inline, me: &Look) -> AnyView {
    match inline {
        Inline::Text(t) => t.into_any(),
        Inline::LineBreak => view! { <br /> }.into_any(),
        Inline::Code(code) => {
            view! { <code class="md-code" data-testid="md-code">{code}</code> }.into_any()
        }
        Inline::Strong(inner) => {
            view! { <strong data-testid="md-strong">{line(inner, me)}</strong> }.into_any()
        }
        Inline::Emphasis(inner) => {
            view! { <em data-testid="md-emphasis">{line(inner, me)}</em> }.into_any()
        }
        Inline::Link(url) if me.quoted => {
            view! { <span class="message-link">{url}</span> }.into_any()
        }
        Inline::Link(url) => {
            let shown = url.clone();
            view! {
                <a href=url target="_blank" rel="noopener noreferrer" class="message-link">{shown}</a>
            }
            .into_any()
        }
        Inline::Mention(m) => {
            let mine = me.me.as_deref() == Some(mentioned(&m).as_str());
            view! { <span class="mention" class:mention-me=mine data-testid="mention">{m}</span> }
                .into_any()
        }
    }
}
