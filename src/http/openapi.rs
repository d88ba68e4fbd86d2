//! The OpenAPI document's finishing touches, and what the server reads back from it.
//!
//! Handlers document the answers their own logic gives (a 404 for a missing group, a 429 for
//! a throttle). The answers every route of a given shape can give, before or around its
//! handler, are added here from that shape, so no annotation can forget them: a path or query
//! that does not parse, a body that is not JSON or too large, a missing login, a missing CSRF
//! token. The document also tells a wrong method on a known path (405) from an unknown path
//! (404), since it lists every route with its methods.

use actix_web::dev::ResourceDef;
use actix_web::http::Method;
use utoipa::openapi::path::{Operation, ParameterBuilder, ParameterIn, PathItem};
use utoipa::openapi::schema::{KnownFormat, ObjectBuilder, SchemaFormat, Type};
use utoipa::openapi::{Content, OpenApi, Ref, RefOr, Required, Response, ResponseBuilder, Schema};

/// A picture's raw bytes as a request or answer body: a binary string in the document (a
/// `Vec<u8>` would be documented as a JSON array of numbers, and generated clients sent one).
pub struct PictureBytes;

impl utoipa::PartialSchema for PictureBytes {
    fn schema() -> RefOr<Schema> {
        ObjectBuilder::new()
            .schema_type(Type::String)
            .format(Some(SchemaFormat::KnownFormat(KnownFormat::Binary)))
            .description(Some("The image's bytes (png, jpeg, gif or webp)."))
            .into()
    }
}

impl utoipa::ToSchema for PictureBytes {}

/// Adds to every operation the error answers its shape implies (see the module comment),
/// keeping any the handler documents itself.
pub fn add_shared_responses(doc: &mut OpenApi) {
    for (path, item) in doc.paths.paths.iter_mut() {
        for (method, operation) in operations_mut(item) {
            if method == Method::POST
                && path.starts_with("/api/")
                && !path.starts_with("/api/auth/")
                && needs_login(operation)
            {
                add_idempotency_key(operation);
            }
            for (status, description) in shared_responses(&method, operation) {
                operation
                    .responses
                    .responses
                    .entry(status.to_string())
                    .or_insert_with(|| error_response(description));
            }
        }
    }
}

/// The error answers an operation of this shape can give: (status, description).
fn shared_responses(method: &Method, operation: &Operation) -> Vec<(u16, &'static str)> {
    let params = operation.parameters.as_deref().unwrap_or_default();
    let has_path_or_query = params
        .iter()
        .any(|p| matches!(p.parameter_in, ParameterIn::Path | ParameterIn::Query));
    let has_body = operation.request_body.is_some();
    let has_key = params
        .iter()
        .any(|p| p.name == super::idempotency::IDEMPOTENCY_KEY);
    let mut out = Vec::new();
    if has_path_or_query || has_body || has_key {
        out.push((
            400,
            "`bad_request`: the path, query, body or Idempotency-Key could not be read (a path \
             id that is not a number, malformed JSON, a missing or unknown field); \
             `validation_failed`: a field broke a rule.",
        ));
    }
    if has_body {
        out.push((413, "`payload_too_large`: the body is over the size limit."));
        out.push((
            415,
            "`unsupported_media_type`: the body has another content type.",
        ));
    }
    out.push((
        503,
        "`unavailable`: the server is at a capacity, or its store failed or did not answer in \
         time (`store.stall_timeout_secs`); retry later.",
    ));
    if !matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS) {
        out.push((
            507,
            "`insufficient_storage`: the server's disk is below its free-space watermark; \
             changes are refused until space is back, reads go on.",
        ));
    }
    if has_key {
        out.push((
            409,
            "`conflict`: a request with this Idempotency-Key is still running, or was carried \
             out but its answer was lost in a restart (it is not done again).",
        ));
        out.push((
            422,
            "`idempotency_key_reused`: this Idempotency-Key was used for another request.",
        ));
    }
    if needs_login(operation) {
        out.push((
            401,
            "`unauthenticated`: no valid bearer token or session cookie.",
        ));
        if !matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS) {
            out.push((
                403,
                "`csrf_failed`: a session cookie without its CSRF token (X-CSRF-Token).",
            ));
        }
    }
    out
}

/// Documents the optional `Idempotency-Key` header (`http::idempotency`) on a member's POST.
fn add_idempotency_key(operation: &mut Operation) {
    let header = ParameterBuilder::new()
        .name(super::idempotency::IDEMPOTENCY_KEY)
        .parameter_in(ParameterIn::Header)
        .required(Required::False)
        .description(Some(
            "Makes a retry safe: the same key with the same request gets the first answer \
             again (with `Idempotent-Replayed: true`) and does nothing twice. 1 to \
             `limits.idempotency_key_chars` visible ASCII characters, per member, kept \
             `limits.idempotency_key_secs`.",
        ))
        .schema(Some(
            ObjectBuilder::new()
                .schema_type(Type::String)
                .min_length(Some(1))
                .max_length(Some(255))
                .pattern(Some("^[!-~]+$")),
        ))
        .build();
    operation
        .parameters
        .get_or_insert_with(Vec::new)
        .push(header);
}

/// Whether the operation takes the document's global security (bearer or session cookie):
/// public ones declare `security(())`, an empty requirement.
fn needs_login(operation: &Operation) -> bool {
    match &operation.security {
        None => true,
        Some(requirements) => !requirements.iter().all(is_empty_requirement),
    }
}

fn is_empty_requirement(requirement: &utoipa::openapi::security::SecurityRequirement) -> bool {
    serde_json::to_value(requirement).is_ok_and(|v| v.as_object().is_some_and(|o| o.is_empty()))
}

fn error_response(description: &str) -> RefOr<Response> {
    ResponseBuilder::new()
        .description(description)
        .content(
            "application/json",
            Content::new(Some(Ref::from_schema_name("ErrorBody"))),
        )
        .build()
        .into()
}

fn operations_mut(item: &mut PathItem) -> Vec<(Method, &mut Operation)> {
    [
        (Method::GET, item.get.as_mut()),
        (Method::PUT, item.put.as_mut()),
        (Method::POST, item.post.as_mut()),
        (Method::DELETE, item.delete.as_mut()),
        (Method::PATCH, item.patch.as_mut()),
        (Method::HEAD, item.head.as_mut()),
        (Method::OPTIONS, item.options.as_mut()),
        (Method::TRACE, item.trace.as_mut()),
    ]
    .into_iter()
    .filter_map(|(method, op)| op.map(|op| (method, op)))
    .collect()
}

/// Every route the server answers, as path templates with their methods, to answer a known
/// path asked with another method with 405 and `Allow` (actix routes it to the default
/// service, like an unknown path).
pub struct KnownRoutes(Vec<(ResourceDef, Vec<Method>)>);

impl KnownRoutes {
    /// The document's routes, plus `extra` ones it does not list (the UI page, the document).
    pub fn new(doc: &OpenApi, extra: &[(&str, Method)]) -> KnownRoutes {
        let mut routes: Vec<(ResourceDef, Vec<Method>)> = doc
            .paths
            .paths
            .iter()
            .map(|(path, item)| {
                let mut item = item.clone();
                let methods = operations_mut(&mut item)
                    .into_iter()
                    .map(|(method, _)| method)
                    .collect();
                (ResourceDef::new(path.as_str()), methods)
            })
            .collect();
        routes.extend(
            extra
                .iter()
                .map(|(path, method)| (ResourceDef::new(*path), vec![method.clone()])),
        );
        KnownRoutes(routes)
    }

    /// The methods `path` is served with (none for an unknown path), in a stable order.
    pub fn allowed(&self, path: &str) -> Vec<Method> {
        let mut methods: Vec<Method> = self
            .0
            .iter()
            .filter(|(def, _)| def.is_match(path))
            .flat_map(|(_, methods)| methods.iter().cloned())
            .collect();
        methods.sort_by(|a, b| a.as_str().cmp(b.as_str()));
        methods.dedup();
        methods
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc() -> OpenApi {
        serde_json::from_value(serde_json::json!({
            "openapi": "3.1.0",
            "info": {"title": "t", "version": "1"},
            "paths": {
                "/api/users/{id}": {"get": {"responses": {}}},
                "/api/groups/{id}/members/me": {"delete": {"responses": {}}},
                "/api/groups/{id}/members/{user}": {"delete": {"responses": {}}},
                "/api/groups/{id}/members": {"get": {"responses": {}}, "post": {"responses": {}}},
            }
        }))
        .unwrap()
    }

    #[test]
    fn known_paths_list_their_methods_and_unknown_ones_none() {
        let routes = KnownRoutes::new(&doc(), &[("/", Method::GET)]);
        assert_eq!(routes.allowed("/api/users/7"), [Method::GET]);
        assert_eq!(routes.allowed("/api/users/abc"), [Method::GET]);
        assert_eq!(
            routes.allowed("/api/groups/1/members"),
            [Method::GET, Method::POST]
        );
        assert_eq!(routes.allowed("/api/groups/1/members/me"), [Method::DELETE]);
        assert_eq!(routes.allowed("/"), [Method::GET]);
        assert!(routes.allowed("/api/users").is_empty());
        assert!(routes.allowed("/api/users/7/nope").is_empty());
    }
}
