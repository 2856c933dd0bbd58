//! `/bots`: bot accounts, their tokens and webhooks, for their owner (a
//! person's session: a bot token manages nothing). And `/hooks/{id}/{secret}`,
//! where an incoming webhook posts.

use actix_web::{HttpResponse, web};
use protocol::{
    ApiError, Bot, BotToken, CreateBotRequest, CreateBotTokenRequest, CreateWebhookRequest,
    HookMessage, IncomingWebhook, IssuedBotToken, IssuedOutgoingWebhook, IssuedWebhook, Message,
    OutgoingWebhookRequest, SessionId, UserId, WebhookId,
};

use super::Json;
use super::caller::{Caller, Reply};
use super::no_content;
use crate::delivery::RevokedSessions;
use crate::request::Needs;
use crate::state::AppState;
use domain::bots::{self, incoming, outgoing};
use domain::messages::Draft;

pub fn routes(cfg: &mut web::ServiceConfig) {
    let person = || Needs::Person;
    cfg.service(
        web::resource("/bots")
            .app_data(person())
            .route(web::get().to(list))
            .route(web::post().to(create)),
    );
    cfg.service(
        web::resource("/bots/{id}")
            .app_data(person())
            .route(web::get().to(get))
            .route(web::delete().to(delete)),
    );
    cfg.service(
        web::resource("/bots/{id}/tokens")
            .app_data(person())
            .route(web::get().to(tokens))
            .route(web::post().to(issue_token)),
    );
    cfg.service(
        web::resource("/bots/{id}/tokens/{token_id}")
            .app_data(person())
            .route(web::delete().to(revoke_token)),
    );
    cfg.service(
        web::resource("/bots/{id}/webhooks")
            .app_data(person())
            .route(web::get().to(webhooks))
            .route(web::post().to(create_webhook)),
    );
    cfg.service(
        web::resource("/bots/{id}/webhooks/{webhook_id}")
            .app_data(person())
            .route(web::delete().to(delete_webhook)),
    );
    cfg.service(
        web::resource("/bots/{id}/outgoing")
            .app_data(person())
            .route(web::put().to(set_outgoing))
            .route(web::delete().to(remove_outgoing)),
    );
    cfg.service(web::resource("/hooks/{id}/{secret}").route(web::post().to(hook)));
}

#[utoipa::path(get, path = "/api/v1/bots", tag = "bots", security(("bearer" = [])),
    responses((status = 200, body = [Bot], description = "my bots, oldest first"),
        (status = 403, body = ApiError, description = "`insufficient_scope`: a bot token")))]
pub async fn list(caller: Caller) -> Reply {
    let found = caller.read(move |conn, me| bots::list(conn, me.id)).await?;
    Ok(HttpResponse::Ok().json(found))
}

#[utoipa::path(post, path = "/api/v1/bots", tag = "bots", security(("bearer" = [])),
    request_body = CreateBotRequest,
    responses((status = 201, body = Bot),
        (status = 403, body = ApiError, description = "`insufficient_scope`: a bot token"),
        (status = 409, body = ApiError, description = "`username_taken`, or 20 bots kept already")))]
pub async fn create(caller: Caller, body: Json<CreateBotRequest>) -> Reply {
    let req = body.into_inner();
    let bot = caller
        .write(move |conn, me| bots::create(conn, me.id, req))
        .await?;
    Ok(HttpResponse::Created().json(bot))
}

#[utoipa::path(get, path = "/api/v1/bots/{id}", tag = "bots", security(("bearer" = [])),
    params(("id" = Uuid, Path)),
    responses((status = 200, body = Bot), (status = 403, body = ApiError), (status = 404, body = ApiError)))]
pub async fn get(caller: Caller, bot: web::Path<UserId>) -> Reply {
    let bot = caller
        .read(move |conn, me| bots::get(conn, me.id, *bot))
        .await?;
    Ok(HttpResponse::Ok().json(bot))
}

#[utoipa::path(delete, path = "/api/v1/bots/{id}", tag = "bots", security(("bearer" = [])),
    params(("id" = Uuid, Path)),
    responses((status = 204, description = "deleted: it leaves its rooms, its tokens and webhooks stop at once"),
        (status = 403, body = ApiError), (status = 404, body = ApiError)))]
pub async fn delete(caller: Caller, bot: web::Path<UserId>) -> Reply {
    let bot = bot.into_inner();
    caller
        .commit(move |conn, me| bots::delete(conn, me.id, bot))
        .await?;
    caller.state.end_sessions(bot, RevokedSessions::All);
    Ok(no_content())
}

#[utoipa::path(get, path = "/api/v1/bots/{id}/tokens", tag = "bots", security(("bearer" = [])),
    params(("id" = Uuid, Path)),
    responses((status = 200, body = [BotToken]), (status = 403, body = ApiError), (status = 404, body = ApiError)))]
pub async fn tokens(caller: Caller, bot: web::Path<UserId>) -> Reply {
    let found = caller
        .read(move |conn, me| bots::tokens(conn, me.id, *bot))
        .await?;
    Ok(HttpResponse::Ok().json(found))
}

#[utoipa::path(post, path = "/api/v1/bots/{id}/tokens", tag = "bots", security(("bearer" = [])),
    params(("id" = Uuid, Path)), request_body = CreateBotTokenRequest,
    responses((status = 201, body = IssuedBotToken, description = "the token's secret, shown this once"),
        (status = 403, body = ApiError), (status = 404, body = ApiError),
        (status = 409, body = ApiError, description = "20 live tokens already")))]
pub async fn issue_token(
    caller: Caller,
    bot: web::Path<UserId>,
    body: Json<CreateBotTokenRequest>,
) -> Reply {
    let req = body.into_inner();
    let issued = caller
        .write(move |conn, me| bots::issue_token(conn, me.id, *bot, req))
        .await?;
    Ok(HttpResponse::Created().json(issued))
}

#[utoipa::path(delete, path = "/api/v1/bots/{id}/tokens/{token_id}", tag = "bots", security(("bearer" = [])),
    params(("id" = Uuid, Path), ("token_id" = Uuid, Path)),
    responses((status = 204, description = "revoked: its sockets and polls end at once"),
        (status = 403, body = ApiError), (status = 404, body = ApiError)))]
pub async fn revoke_token(caller: Caller, path: web::Path<(UserId, SessionId)>) -> Reply {
    let (bot, token) = path.into_inner();
    let ended = caller
        .write(move |conn, me| bots::revoke_token(conn, me.id, bot, token))
        .await?;
    caller
        .state
        .end_sessions(ended.user_id, RevokedSessions::One(ended.session_id));
    Ok(no_content())
}

#[utoipa::path(get, path = "/api/v1/bots/{id}/webhooks", tag = "bots", security(("bearer" = [])),
    params(("id" = Uuid, Path)),
    responses((status = 200, body = [IncomingWebhook]), (status = 403, body = ApiError), (status = 404, body = ApiError)))]
pub async fn webhooks(caller: Caller, bot: web::Path<UserId>) -> Reply {
    let found = caller
        .read(move |conn, me| incoming::list(conn, me.id, *bot))
        .await?;
    Ok(HttpResponse::Ok().json(found))
}

#[utoipa::path(post, path = "/api/v1/bots/{id}/webhooks", tag = "bots", security(("bearer" = [])),
    params(("id" = Uuid, Path)), request_body = CreateWebhookRequest,
    responses((status = 201, body = IssuedWebhook, description = "its URL, with the secret, shown this once; the bot joined the room if it was not in it"),
        (status = 403, body = ApiError, description = "`insufficient_scope`; or a private room and I may not invite (`forbidden`), or the bot is banned there (`banned`)"),
        (status = 404, body = ApiError, description = "no such bot of mine, or a room I am not in"),
        (status = 409, body = ApiError, description = "20 webhooks already")))]
pub async fn create_webhook(
    caller: Caller,
    bot: web::Path<UserId>,
    body: Json<CreateWebhookRequest>,
) -> Reply {
    let req = body.into_inner();
    let issued = caller
        .commit(move |conn, me| incoming::create(conn, me.id, *bot, req, &me.hub))
        .await?;
    Ok(HttpResponse::Created().json(issued))
}

#[utoipa::path(delete, path = "/api/v1/bots/{id}/webhooks/{webhook_id}", tag = "bots", security(("bearer" = [])),
    params(("id" = Uuid, Path), ("webhook_id" = Uuid, Path)),
    responses((status = 204, description = "its URL posts nothing any more"),
        (status = 403, body = ApiError), (status = 404, body = ApiError)))]
pub async fn delete_webhook(caller: Caller, path: web::Path<(UserId, WebhookId)>) -> Reply {
    let (bot, webhook) = path.into_inner();
    caller
        .write(move |conn, me| incoming::delete(conn, me.id, bot, webhook))
        .await?;
    Ok(no_content())
}

#[utoipa::path(put, path = "/api/v1/bots/{id}/outgoing", tag = "bots", security(("bearer" = [])),
    params(("id" = Uuid, Path)), request_body = OutgoingWebhookRequest,
    responses((status = 200, body = IssuedOutgoingWebhook, description = "set (replacing any before, with a new signing secret, shown this once); calls start with the next message"),
        (status = 403, body = ApiError), (status = 404, body = ApiError)))]
pub async fn set_outgoing(
    caller: Caller,
    bot: web::Path<UserId>,
    body: Json<OutgoingWebhookRequest>,
) -> Reply {
    let req = body.into_inner();
    let issued = caller
        .write(move |conn, me| outgoing::set(conn, me.id, *bot, req))
        .await?;
    Ok(HttpResponse::Ok().json(issued))
}

#[utoipa::path(delete, path = "/api/v1/bots/{id}/outgoing", tag = "bots", security(("bearer" = [])),
    params(("id" = Uuid, Path)),
    responses((status = 204, description = "no more calls"),
        (status = 403, body = ApiError), (status = 404, body = ApiError, description = "no such bot of mine, or it has no outgoing webhook")))]
pub async fn remove_outgoing(caller: Caller, bot: web::Path<UserId>) -> Reply {
    caller
        .write(move |conn, me| outgoing::remove(conn, me.id, *bot))
        .await?;
    Ok(no_content())
}

#[utoipa::path(post, path = "/api/v1/hooks/{id}/{secret}", tag = "bots",
    params(("id" = Uuid, Path), ("secret" = String, Path, description = "the secret of the webhook's URL")),
    request_body = HookMessage,
    responses((status = 201, body = Message, description = "posted as the bot"),
        (status = 200, body = Message, description = "client_id seen before: the original"),
        (status = 403, body = ApiError, description = "the bot is no longer a member of the room (`not_a_member`) or was banned"),
        (status = 404, body = ApiError, description = "no such webhook, or a wrong secret"),
        (status = 429, body = ApiError, description = "the bot posts too fast; see Retry-After")))]
pub async fn hook(
    state: web::Data<AppState>,
    path: web::Path<(WebhookId, String)>,
    body: Json<HookMessage>,
) -> Reply {
    let (id, secret) = path.into_inner();
    let (bot, room) = state
        .db
        .run(move |conn| incoming::resolve(conn, id, &secret))
        .await?;
    state.limiter.check(&bot)?;
    let req = body.into_inner();
    let draft = Draft::parse(
        &req.body,
        req.client_id.as_deref(),
        None,
        Vec::new(),
        &state.profanity,
    )?;
    let posted = state.poster.submit(bot, room, draft, None).await?;
    let mut response = if posted.created {
        HttpResponse::Created()
    } else {
        HttpResponse::Ok()
    };
    Ok(response.json(posted.message))
}
