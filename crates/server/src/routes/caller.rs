//! `Caller`: the signed-in user of a request together with the app, what
//! nearly every handler starts from. It runs the rules as that user on the
//! blocking pool, so a handler is its route's parsing and its answer.

use std::future::Future;
use std::pin::Pin;

use actix_web::{FromRequest, HttpRequest, HttpResponse, dev::Payload, web};
use protocol::{SessionId, UserId};

use crate::delivery::Hub;
use crate::request::AuthUser;
use crate::request::HttpError;
use crate::state::AppState;
use domain::DbConn;
use domain::error::{DomainError, DomainResult};
use domain::events::Caused;

/// What a handler answers.
pub type Reply = Result<HttpResponse, HttpError>;

/// The signed-in user of a request, and the app.
pub struct Caller {
    pub state: web::Data<AppState>,
    pub user: AuthUser,
}

/// Who asks, as the rules see it: the user, and who is online (for the
/// `online` fields of what comes back).
pub struct Asker {
    pub id: UserId,
    pub session_id: SessionId,
    pub hub: Hub,
}

impl Caller {
    fn asker(&self) -> Asker {
        Asker {
            id: self.user.id,
            session_id: self.user.session_id,
            hub: self.state.hub.clone(),
        }
    }

    /// Reads, as this user.
    pub async fn read<T, F>(&self, rule: F) -> DomainResult<T>
    where
        F: FnOnce(&mut DbConn, &Asker) -> DomainResult<T> + Send + 'static,
        T: Send + 'static,
    {
        let asker = self.asker();
        self.state.db.run(move |conn| rule(conn, &asker)).await
    }

    /// Writes in one transaction that causes no live events.
    pub async fn write<T, F>(&self, rule: F) -> DomainResult<T>
    where
        F: FnOnce(&mut DbConn, &Asker) -> DomainResult<T> + Send + 'static,
        T: Send + 'static,
    {
        let asker = self.asker();
        self.state.db.write(move |conn| rule(conn, &asker)).await
    }

    /// Writes in one transaction and publishes its events once it has
    /// committed (see `AppState::commit`).
    pub async fn commit<R, F>(&self, rule: F) -> DomainResult<R::Value>
    where
        F: FnOnce(&mut DbConn, &Asker) -> DomainResult<R> + Send + 'static,
        R: Caused + Send + 'static,
    {
        let asker = self.asker();
        self.state.commit(move |conn| rule(conn, &asker)).await
    }
}

impl FromRequest for Caller {
    type Error = HttpError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, Self::Error>>>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let state = req.app_data::<web::Data<AppState>>().cloned();
        let user = AuthUser::from_request(req, payload);
        Box::pin(async move {
            let user = user.await?;
            let state = state.ok_or_else(|| DomainError::internal("the app state is missing"))?;
            Ok(Self { state, user })
        })
    }
}
