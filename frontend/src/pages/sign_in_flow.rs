//! What the sign-in and sign-up pages share: one attempt at a time, the
//! error to show, and where to go once signed in.

use std::future::Future;
use std::rc::Rc;

use leptos::prelude::*;
use leptos_router::hooks::{use_navigate, use_query_map};
use protocol::AuthResponse;
use protocol::validate::Invalid;

use crate::api::Failure;
use crate::components::form::Submission;
use crate::paths::safe_next;
use crate::session::Session;

#[derive(Clone)]
pub struct SignInFlow {
    pub error: RwSignal<Option<String>>,
    pub busy: RwSignal<bool>,
    form: Submission,
    next: Signal<String>,
    session: Session,
    /// Goes to a path of the app.
    navigate: Rc<dyn Fn(&str)>,
}

impl SignInFlow {
    /// Call in the page's component (it reads the router and the session).
    pub fn new() -> Self {
        let query = use_query_map();
        let navigate = use_navigate();
        let form = Submission::default();
        Self {
            error: form.error,
            busy: form.busy,
            form,
            next: Signal::derive(move || safe_next(query.with(|q| q.get("next")))),
            session: expect_context::<Session>(),
            navigate: Rc::new(move |to| navigate(to, Default::default())),
        }
    }

    /// Where the person goes once signed in (`?next=`, checked).
    pub fn next(&self) -> String {
        self.next.get_untracked()
    }

    /// The link to the other page of the pair, keeping `?next=`.
    pub fn link_to(&self, page: &'static str) -> impl Fn() -> String + use<> {
        let next = self.next;
        move || format!("{page}?next={}", crate::api::enc(&next.get()))
    }

    /// Sends the checked form (see `Submission`); once it is accepted,
    /// signs in and moves on.
    pub fn send<T, Fut>(&self, checked: Result<T, Invalid>, send: impl FnOnce(T) -> Fut + 'static)
    where
        T: 'static,
        Fut: Future<Output = Result<AuthResponse, Failure>> + 'static,
    {
        let (session, navigate, target) = (self.session, self.navigate.clone(), self.next());
        self.form.send(checked, send, move |auth| {
            session.set_auth(auth);
            navigate(&target);
        });
    }
}
