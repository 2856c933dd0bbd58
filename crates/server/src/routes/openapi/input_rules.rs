//! The input rules the server enforces, written into the schemas of the
//! request bodies and parameters: lengths, patterns, counts.
//!
//! They come from `protocol::limits` and `protocol::patterns`, the same
//! constants the validation reads, so the document cannot drift from the
//! rules by a retyped number; the tests of `protocol::patterns` check each
//! pattern against its rule. A rule naming a schema or field the document
//! lacks is a programming error, caught by the document's own test.

use protocol::limits::*;
use protocol::patterns;
use utoipa::Modify;
use utoipa::openapi::path::{Operation, ParameterIn};
use utoipa::openapi::schema::{
    AdditionalProperties, AllOfBuilder, AnyOfBuilder, ArrayBuilder, KnownFormat, ObjectBuilder,
    Schema, SchemaFormat, Type,
};
use utoipa::openapi::{OpenApi, RefOr};

pub struct InputRules;

/// What a string must be.
#[derive(Default)]
struct Text {
    min: Option<usize>,
    max: Option<usize>,
    pattern: Option<String>,
}

impl Text {
    fn pattern(pattern: impl Into<String>) -> Self {
        Self {
            pattern: Some(pattern.into()),
            ..Self::default()
        }
    }

    fn length(min: usize, max: usize) -> Self {
        Self {
            min: Some(min),
            max: Some(max),
            pattern: None,
        }
    }

    fn max(mut self, max: usize) -> Self {
        self.max = Some(max);
        self
    }

    fn apply(&self, schema: &mut Schema) {
        let Schema::Object(object) = schema else {
            panic!("a text rule on a schema that is not a string");
        };
        object.min_length = self.min.or(object.min_length);
        object.max_length = self.max.or(object.max_length);
        if let Some(pattern) = &self.pattern {
            object.pattern = Some(pattern.clone());
        }
    }
}

impl Modify for InputRules {
    fn modify(&self, openapi: &mut OpenApi) {
        let line = |max| Text::pattern(patterns::line(max));
        let display_name = || line(DISPLAY_NAME_MAX);
        let password = || Text::length(PASSWORD_MIN, PASSWORD_MAX);
        let room_name = || line(ROOM_NAME_MAX);
        let topic = || Text::pattern(patterns::optional_line(ROOM_TOPIC_MAX));
        let username = || {
            let mut rule = Text::length(USERNAME_MIN, USERNAME_MAX);
            rule.pattern = Some(patterns::USERNAME.into());
            rule
        };

        let client_id = || {
            let mut rule = Text::length(1, CLIENT_ID_MAX);
            rule.pattern = Some(patterns::CLIENT_ID.into());
            rule
        };
        let label = || line(LABEL_MAX);

        let fields: [(&str, &str, Text); 24] = [
            ("RegisterRequest", "username", username()),
            ("RegisterRequest", "password", password()),
            ("RegisterRequest", "display_name", display_name()),
            ("ChangePasswordRequest", "new_password", password()),
            ("UpdateMeRequest", "display_name", display_name()),
            (
                "UpdateMeRequest",
                "bio",
                Text::pattern(patterns::optional_text(BIO_MAX)),
            ),
            (
                "UpdateMeRequest",
                "avatar_url",
                Text::pattern(patterns::AVATAR_URL).max(URL_MAX),
            ),
            (
                "UpdateMeRequest",
                "email",
                Text::pattern(patterns::EMAIL).max(EMAIL_MAX),
            ),
            ("CreateRoomRequest", "name", room_name()),
            ("CreateRoomRequest", "topic", topic()),
            ("UpdateRoomRequest", "name", room_name()),
            ("UpdateRoomRequest", "topic", topic()),
            (
                "RemoveMemberRequest",
                "reason",
                Text::pattern(patterns::optional_text(REASON_MAX)),
            ),
            (
                "PostMessageRequest",
                "body",
                Text::pattern(patterns::optional_text(MESSAGE_BODY_MAX)),
            ),
            ("PostMessageRequest", "client_id", client_id()),
            (
                "EditMessageRequest",
                "body",
                Text::pattern(patterns::text(MESSAGE_BODY_MAX)),
            ),
            ("CreateBotRequest", "username", username()),
            ("CreateBotRequest", "display_name", display_name()),
            (
                "CreateBotRequest",
                "description",
                Text::pattern(patterns::optional_text(DESCRIPTION_MAX)),
            ),
            ("CreateBotTokenRequest", "name", label()),
            ("CreateWebhookRequest", "name", label()),
            (
                "HookMessage",
                "body",
                Text::pattern(patterns::text(MESSAGE_BODY_MAX)),
            ),
            ("HookMessage", "client_id", client_id()),
            (
                "OutgoingWebhookRequest",
                "url",
                Text::pattern(patterns::WEBHOOK_URL).max(URL_MAX),
            ),
        ];
        for (schema, field, rule) in fields {
            rule.apply(property(openapi, schema, field));
        }

        let Schema::Array(interests) = property(openapi, "UpdateMeRequest", "interests") else {
            panic!("interests is a list");
        };
        interests.max_items = Some(INTERESTS_MAX);
        let utoipa::openapi::schema::ArrayItems::RefOrSchema(item) = &mut interests.items else {
            panic!("interests are strings");
        };
        let RefOr::T(item) = item.as_mut() else {
            panic!("interests are strings");
        };
        line(INTEREST_MAX).apply(item);

        // `owner` is a role, but not one to give: ownership stays with the
        // room's creator.
        let role = ObjectBuilder::new()
            .schema_type(Type::String)
            .enum_values(Some(["moderator", "member"]))
            .into();
        let Some(RefOr::T(Schema::Object(request))) = openapi
            .components
            .as_mut()
            .and_then(|components| components.schemas.get_mut("RoleRequest"))
        else {
            panic!("RoleRequest is an object schema of the document");
        };
        request.properties.insert("role".into(), role);

        let Schema::Array(attachments) = property(openapi, "PostMessageRequest", "attachments")
        else {
            panic!("attachments is a list");
        };
        attachments.unique_items = true;
        something_to_say(openapi);

        // Each scope at most once, at least one.
        let Schema::Array(scopes) = property(openapi, "CreateBotTokenRequest", "scopes") else {
            panic!("scopes is a list");
        };
        scopes.unique_items = true;
        scopes.min_items = Some(1);

        // An upload form has its `file` part and nothing else.
        let form = openapi
            .components
            .as_mut()
            .and_then(|components| components.schemas.get_mut("UploadForm"));
        let Some(RefOr::T(Schema::Object(form))) = form else {
            panic!("UploadForm is an object schema of the document");
        };
        form.additional_properties = Some(Box::new(AdditionalProperties::FreeForm(false)));

        for operation in operations(openapi) {
            for parameter in operation.parameters.iter_mut().flatten() {
                let rule = match (&parameter.parameter_in, parameter.name.as_str()) {
                    (ParameterIn::Path, "emoji") => Text::pattern(patterns::EMOJI),
                    (ParameterIn::Query, "q") => Text::default().max(SEARCH_QUERY_MAX),
                    _ => continue,
                };
                let Some(RefOr::T(schema)) = parameter.schema.as_mut() else {
                    panic!("parameter {} has no inline schema", parameter.name);
                };
                rule.apply(schema);
            }
        }
    }
}

/// A message says something: a body that is not blank, or attachments.
#[allow(
    clippy::expect_used,
    reason = "the document is ours and fixed: a modifier missing what it names is a bug the unit tests catch, like the panics above"
)]
fn something_to_say(openapi: &mut OpenApi) {
    let schemas = &mut openapi
        .components
        .as_mut()
        .expect("the document has components")
        .schemas;
    let message = schemas
        .remove("PostMessageRequest")
        .expect("PostMessageRequest is in the document");
    let said = ObjectBuilder::new()
        .property(
            "body",
            ObjectBuilder::new()
                .schema_type(Type::String)
                .pattern(Some(patterns::text(MESSAGE_BODY_MAX))),
        )
        .required("body");
    let shown = ObjectBuilder::new()
        .property(
            "attachments",
            ArrayBuilder::new()
                .items(
                    ObjectBuilder::new()
                        .schema_type(Type::String)
                        .format(Some(SchemaFormat::KnownFormat(KnownFormat::Uuid))),
                )
                .min_items(Some(1)),
        )
        .required("attachments");
    let either = AnyOfBuilder::new().item(said).item(shown);
    let whole = AllOfBuilder::new().item(message).item(either);
    schemas.insert("PostMessageRequest".into(), whole.into());
}

/// The schema of `field` in the component `schema`.
fn property<'a>(openapi: &'a mut OpenApi, schema: &str, field: &str) -> &'a mut Schema {
    let found = openapi
        .components
        .as_mut()
        .and_then(|components| components.schemas.get_mut(schema));
    let Some(RefOr::T(Schema::Object(object))) = found else {
        panic!("{schema} is not an object schema of the document");
    };
    match object.properties.get_mut(field) {
        Some(RefOr::T(property)) => property,
        _ => panic!("{schema} has no inline field {field}"),
    }
}

fn operations(openapi: &mut OpenApi) -> impl Iterator<Item = &mut Operation> {
    openapi.paths.paths.values_mut().flat_map(|item| {
        [
            &mut item.get,
            &mut item.put,
            &mut item.post,
            &mut item.delete,
            &mut item.patch,
        ]
        .into_iter()
        .flatten()
    })
}
