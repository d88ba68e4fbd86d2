//! The OpenAPI document describes the server: one schema per name, every `$ref` resolves,
//! public endpoints say so, the answers every route shape can give are listed, a known path
//! with another method answers 405, and every JSON body refuses unknown fields.

mod common;

use std::collections::{BTreeMap, BTreeSet};

use actix_web::http::{Method, StatusCode};
use common::{assert_error, Client};
use serde_json::{json, Value};

async fn document(c: &Client) -> Value {
    let (status, doc) = c.get("/api/openapi.json").await;
    assert_eq!(status, StatusCode::OK, "{doc}");
    doc
}

/// Every operation of the document: (method, path, operation).
fn operations(doc: &Value) -> Vec<(String, String, Value)> {
    let mut out = Vec::new();
    for (path, item) in doc["paths"].as_object().expect("paths") {
        for (method, op) in item.as_object().expect("path item") {
            out.push((method.clone(), path.clone(), op.clone()));
        }
    }
    out
}

fn refs(value: &Value, out: &mut BTreeSet<String>) {
    match value {
        Value::Object(map) => {
            if let Some(Value::String(r)) = map.get("$ref") {
                out.insert(r.clone());
            }
            map.values().for_each(|v| refs(v, out));
        }
        Value::Array(items) => items.iter().for_each(|v| refs(v, out)),
        _ => {}
    }
}

/// The schema a `$ref` names, or the schema itself.
fn resolve<'a>(doc: &'a Value, schema: &'a Value) -> &'a Value {
    match schema["$ref"].as_str() {
        Some(r) => {
            let name = r
                .strip_prefix("#/components/schemas/")
                .expect("a schema ref");
            &doc["components"]["schemas"][name]
        }
        None => schema,
    }
}

fn properties(doc: &Value, schema: &Value) -> BTreeSet<String> {
    resolve(doc, schema)["properties"]
        .as_object()
        .map(|p| p.keys().cloned().collect())
        .unwrap_or_default()
}

/// The component names the server's `ToSchema` types take (the type's name, or its
/// `#[schema(as = ...)]`), with where each is declared. utoipa registers schemas by name, so
/// two types with one name silently share one component: the document then describes one of
/// them with the other's fields.
fn schema_names_in_source() -> BTreeMap<String, Vec<String>> {
    let mut names: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let mut dirs = vec![std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src")];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                dirs.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                let text = std::fs::read_to_string(&path).unwrap();
                for (name, line) in schema_names_in(&text) {
                    names
                        .entry(name)
                        .or_default()
                        .push(format!("{}:{line}", path.display()));
                }
            }
        }
    }
    names
}

/// (component name, line) of each type deriving `ToSchema` in one file.
fn schema_names_in(text: &str) -> Vec<(String, usize)> {
    let lines: Vec<&str> = text.lines().collect();
    let mut out = Vec::new();
    for (i, line) in lines.iter().enumerate() {
        if !(line.trim_start().starts_with("#[derive(") && line.contains("ToSchema")) {
            continue;
        }
        let mut renamed = None;
        for (j, next) in lines.iter().enumerate().skip(i + 1) {
            let next = next.trim();
            if let Some(rest) = next.strip_prefix("#[schema(as = ") {
                renamed = rest
                    .split(|c: char| !c.is_alphanumeric() && c != '_')
                    .next();
            }
            let declared = [
                "pub struct ",
                "pub enum ",
                "struct ",
                "enum ",
                "pub(crate) struct ",
            ]
            .iter()
            .find_map(|kw| next.strip_prefix(kw));
            if let Some(rest) = declared {
                let type_name = rest
                    .split(|c: char| !c.is_alphanumeric() && c != '_')
                    .next()
                    .unwrap();
                out.push((renamed.unwrap_or(type_name).to_string(), j + 1));
                break;
            }
        }
    }
    out
}

#[actix_web::test]
async fn every_schema_has_its_own_name_and_every_ref_resolves() {
    let shared: Vec<_> = schema_names_in_source()
        .into_iter()
        .filter(|(_, places)| places.len() > 1)
        .collect();
    assert!(
        shared.is_empty(),
        "types sharing one OpenAPI component name: {shared:?}"
    );

    let server = common::start().await;
    let doc = document(&server.client()).await;
    let components = doc["components"]["schemas"].as_object().unwrap();
    let mut all = BTreeSet::new();
    refs(&doc, &mut all);
    let unresolved: Vec<_> = all
        .iter()
        .filter(|r| {
            r.strip_prefix("#/components/schemas/")
                .is_none_or(|name| !components.contains_key(name))
        })
        .collect();
    assert!(unresolved.is_empty(), "unresolved: {unresolved:?}");

    // The two pairs that shared a name: each endpoint has its own body and answer.
    let mail = &doc["paths"]["/api/mail"]["post"]["requestBody"]["content"]["application/json"];
    let mail_fields = properties(&doc, &mail["schema"]);
    assert!(
        mail_fields.is_superset(&BTreeSet::from(["to".into(), "subject".into()])),
        "{mail_fields:?}"
    );
    let chat = &doc["paths"]["/api/groups/{id}/messages"]["post"]["requestBody"]["content"]
        ["application/json"];
    assert!(properties(&doc, &chat["schema"]).contains("client_id"));
    let answer = |path: &str, method: &str| {
        properties(
            &doc,
            &doc["paths"][path][method]["responses"]["200"]["content"]["application/json"]
                ["schema"],
        )
    };
    let counter = BTreeSet::from(["unread".to_string(), "seq".to_string()]);
    assert_eq!(answer("/api/mail/unread", "get"), counter);
    assert_eq!(answer("/api/notifications/unread", "get"), counter);
    assert_eq!(
        answer("/api/groups/{id}/read", "post"),
        BTreeSet::from(["unread".to_string(), "unread_more".to_string()])
    );
    server.stop().await;
}

/// Endpoints anyone may call; every other one needs a login.
const PUBLIC: &[(&str, &str)] = &[
    ("get", "/healthz"),
    ("get", "/metrics"),
    ("get", "/api/catalog"),
    ("get", "/api/ui"),
    ("post", "/api/auth/register"),
    ("post", "/api/auth/login"),
    ("post", "/api/auth/token"),
    // The socket authenticates itself: the cookie at the handshake, or a token in its first frame.
    ("get", "/ws"),
];

#[actix_web::test]
async fn public_endpoints_declare_no_security_and_answer_anyone() {
    let server = common::start().await;
    let anon = server.client();
    let doc = document(&anon).await;
    let global = doc["security"].to_string();
    assert!(global.contains("bearer") && global.contains("session_cookie"));
    for (method, path, op) in operations(&doc) {
        let public = PUBLIC.contains(&(method.as_str(), path.as_str()));
        if public {
            assert_eq!(op["security"], json!([{}]), "{method} {path}");
        } else {
            assert!(op.get("security").is_none(), "{method} {path}");
            assert!(op["responses"].get("401").is_some(), "{method} {path}");
        }
    }
    for path in ["/healthz", "/metrics", "/api/catalog", "/api/ui"] {
        assert_eq!(anon.get(path).await.0, StatusCode::OK, "{path}");
    }
    server.stop().await;
}

#[actix_web::test]
async fn the_answers_of_every_route_shape_are_documented() {
    let server = common::start().await;
    let doc = document(&server.client()).await;
    for (method, path, op) in operations(&doc) {
        let responses = &op["responses"];
        let documents = |status: &str| responses.get(status).is_some();
        if path.contains('{') {
            // A path id that is not a number is refused before the handler.
            assert!(documents("400"), "{method} {path}");
        }
        let body = &op["requestBody"]["content"];
        if body.get("application/json").is_some() {
            for status in ["400", "413", "415"] {
                assert!(documents(status), "{method} {path} {status}");
            }
        }
        if op.get("security").is_none() && path != "/ws" && method != "get" {
            assert!(documents("403"), "{method} {path}: the CSRF refusal");
        }
    }
    let ann = server.member("ann@example.eu", "FR").await;
    let r = ann.get("/api/users/abc").await;
    assert_error(&r, StatusCode::BAD_REQUEST, "bad_request");
    let r = ann.get("/api/groups/-1").await;
    assert_error(&r, StatusCode::BAD_REQUEST, "bad_request");
    server.stop().await;
}

#[actix_web::test]
async fn a_known_path_with_another_method_is_405_with_allow() {
    let server = common::start().await;
    let ann = server.member("ann@example.eu", "FR").await;
    let anon = server.client();
    let trace = Method::from_bytes(b"TRACE").unwrap();
    for (c, method, path, allow) in [
        (&ann, trace.clone(), "/api/me", "GET"),
        (&ann, Method::PUT, "/api/me", "GET"),
        (&ann, Method::DELETE, "/api/me", "GET"),
        (&anon, trace.clone(), "/healthz", "GET"),
        (&anon, Method::PUT, "/api/catalog", "GET"),
        (&anon, Method::GET, "/api/auth/login", "POST"),
        (&ann, Method::PUT, "/api/users/7", "GET"),
        (&ann, Method::PUT, "/api/groups/1/members", "GET, POST"),
        (&ann, Method::PATCH, "/api/groups/1/members/me", "DELETE"),
        (&anon, Method::POST, "/", "GET"),
    ] {
        let (status, headers, bytes) = c.send_raw(method.clone(), path, None).await;
        let body: Value = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
        assert_error(
            &(status, body.clone()),
            StatusCode::METHOD_NOT_ALLOWED,
            "method_not_allowed",
        );
        assert_eq!(
            headers.get("allow").map(|v| v.to_str().unwrap()),
            Some(allow),
            "{method} {path}: {body}"
        );
    }
    // Unknown paths stay 404, whatever the method.
    for (method, path) in [(trace, "/api/nope"), (Method::PUT, "/api/users/7/nope")] {
        let (status, body) = ann.send(method, path, None).await;
        assert_error(&(status, body), StatusCode::NOT_FOUND, "not_found");
    }
    server.stop().await;
}

/// A value of `schema` with every required field, of the right types (not necessarily one
/// the business rules accept: only parsing matters here).
fn example(doc: &Value, schema: &Value) -> Value {
    let schema = resolve(doc, schema);
    let choices = schema["oneOf"].as_array().or(schema["anyOf"].as_array());
    if let Some(choice) = choices.into_iter().flatten().find(|c| c["type"] != "null") {
        return example(doc, choice);
    }
    if let Some(value) = schema["enum"].get(0) {
        return value.clone();
    }
    let types: Vec<&str> = match &schema["type"] {
        Value::String(t) => vec![t.as_str()],
        Value::Array(ts) => ts.iter().filter_map(Value::as_str).collect(),
        _ => vec![],
    };
    match types.iter().find(|t| **t != "null").copied() {
        Some("string") => json!("x"),
        Some("integer") | Some("number") => json!(1),
        Some("boolean") => json!(false),
        Some("array") => json!([]),
        Some("object") => {
            let mut object = serde_json::Map::new();
            for name in schema["required"].as_array().into_iter().flatten() {
                let name = name.as_str().unwrap();
                object.insert(name.into(), example(doc, &schema["properties"][name]));
            }
            Value::Object(object)
        }
        _ => Value::Null,
    }
}

#[actix_web::test]
async fn every_json_body_refuses_an_unknown_field() {
    let server = common::start().await;
    let ann = server.member("ann@example.eu", "FR").await;
    let doc = document(&ann).await;
    let mut checked = 0;
    for (method, path, op) in operations(&doc) {
        let Some(schema) = op["requestBody"]["content"]["application/json"].get("schema") else {
            continue;
        };
        let mut body = example(&doc, schema);
        let fields = body.as_object_mut().expect("JSON bodies are objects");
        fields.insert("zz_misspelt".into(), json!("x"));
        let concrete = path
            .split('/')
            .map(|s| if s.starts_with('{') { "1" } else { s })
            .collect::<Vec<_>>()
            .join("/");
        let method = Method::from_bytes(method.to_uppercase().as_bytes()).unwrap();
        let (status, answer) = ann.send(method.clone(), &concrete, Some(body)).await;
        assert_error(
            &(status, answer.clone()),
            StatusCode::BAD_REQUEST,
            "bad_request",
        );
        let message = answer["error"]["message"].as_str().unwrap();
        assert!(
            message.contains("unknown field `zz_misspelt`"),
            "{method} {path}: {message}"
        );
        checked += 1;
    }
    assert!(checked >= 20, "only {checked} JSON bodies in the document");
    server.stop().await;
}
