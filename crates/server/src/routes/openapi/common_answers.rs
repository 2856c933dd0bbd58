//! The answers every operation of a kind can give, documented once.
//!
//! Some statuses come from what all handlers share rather than from their
//! rules: the bearer-token extractor (401), the path, query and body parsers
//! (400, 413, 422), the database and the password-hashing pool shedding load
//! (503). Writing them on every annotation by hand is how they went missing;
//! here they follow from the operation's own shape (its security, its
//! parameters, its body), so a new route documents them without trying.
//! What an annotation says about a status (a more precise description) wins.

use std::collections::BTreeMap;

use utoipa::Modify;
use utoipa::openapi::path::{Operation, ParameterIn};
use utoipa::openapi::schema::Schema;
use utoipa::openapi::{ContentBuilder, OpenApi, Ref, RefOr, Response, ResponseBuilder};

pub struct CommonAnswers;

impl Modify for CommonAnswers {
    fn modify(&self, openapi: &mut OpenApi) {
        for (path, item) in openapi.paths.paths.iter_mut() {
            // The API's operations, not the probes beside it.
            if !path.starts_with("/api/") {
                continue;
            }
            let operations = [
                &mut item.get,
                &mut item.put,
                &mut item.post,
                &mut item.delete,
                &mut item.patch,
            ];
            for operation in operations.into_iter().flatten() {
                add_common_answers(operation);
            }
        }
    }
}

fn add_common_answers(operation: &mut Operation) {
    let signed_in = operation
        .security
        .as_ref()
        .is_some_and(|requirements| !requirements.is_empty());
    let located_in = |place: ParameterIn| {
        operation
            .parameters
            .iter()
            .flatten()
            .any(|p| p.parameter_in == place)
    };
    let (in_path, in_query) = (
        located_in(ParameterIn::Path),
        located_in(ParameterIn::Query),
    );
    // A parameter with a rule beyond its type (a length, a pattern) is
    // refused by the rules, not by the parser.
    let ruled = operation.parameters.iter().flatten().any(|p| {
        matches!(&p.schema, Some(RefOr::T(Schema::Object(o)))
            if o.max_length.is_some() || o.min_length.is_some() || o.pattern.is_some())
    });
    let body_types: Vec<String> = operation
        .request_body
        .iter()
        .flat_map(|body| body.content.keys().cloned())
        .collect();
    let json_body = body_types.iter().any(|t| t == "application/json");
    let form_body = body_types.iter().any(|t| t == "multipart/form-data");

    // Status → why it can come, in the order they are found.
    let mut reasons: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    let mut add = |status, why| reasons.entry(status).or_default().push(why);
    if in_path || in_query {
        add(
            "400",
            "a parameter that does not parse (an id that is not a UUID, a number that is not one)",
        );
    }
    if ruled {
        add(
            "422",
            "a parameter that breaks its rule (too long, or not of its pattern)",
        );
    }
    if json_body {
        add("400", "a body that is not JSON");
        add("413", "a body larger than 64 KiB");
        add(
            "422",
            "JSON that breaks the schema or a rule (a missing field, a value out of range)",
        );
    }
    if form_body {
        add(
            "400",
            "a body that is not multipart/form-data, or is cut short",
        );
        add("413", "a file larger than the upload limit");
        add("422", "no `file` part, or a file of a kind not taken here");
    }
    if signed_in {
        add(
            "401",
            "no access token, or one that is expired, malformed or revoked",
        );
    }
    if in_path {
        add("404", "nothing with that id, or nothing you may see");
    }
    add(
        "503",
        "overloaded, or the database is unreachable: retry after `Retry-After` seconds",
    );

    for (status, why) in reasons {
        operation
            .responses
            .responses
            .entry(status.to_owned())
            .or_insert_with(|| error_answer(&why.join("; or ")));
    }
}

/// A documented error: the API's error body.
fn error_answer(description: &str) -> RefOr<Response> {
    ResponseBuilder::new()
        .description(description)
        .content(
            "application/json",
            ContentBuilder::new()
                .schema(Some(Ref::from_schema_name("ApiError")))
                .build(),
        )
        .build()
        .into()
}
