//! A document that clients edit with optimistic concurrency: `GET /doc` gives its content ETag,
//! `PUT /doc` with `If-Match: <that tag>` replaces it, and a `PUT` made from a stale copy gets
//! 412 **without the write running** (the guard is evaluated under the same lock as the write).
//!
//! ```sh
//! cargo run -p etagcore-http --example put -- --listen 127.0.0.1:8080
//! curl -si localhost:8080/doc                                   # ETag: "..."
//! curl -si -X PUT -H 'If-Match: "<that tag>"' --data v2 localhost:8080/doc   # 204
//! curl -si -X PUT -H 'If-Match: "<that tag>"' --data v3 localhost:8080/doc   # 412: stale
//! curl -si -X PUT -H 'If-None-Match: *' --data v1 localhost:8080/new         # 201: create-only
//! ```

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use etagcore::{ContentTag, Representation};
use etagcore_http::guard;

/// The documents, by name.
#[derive(Clone, Default)]
pub struct Store(pub Arc<Mutex<HashMap<String, Vec<u8>>>>);

/// The application: `/{name}` for GET, HEAD and PUT.
pub fn app(store: Store) -> Router {
    Router::new()
        .route("/{name}", get(read).put(write))
        .with_state(store)
}

async fn read(
    State(store): State<Store>,
    Path(name): Path<String>,
    method: Method,
    headers: HeaderMap,
) -> Response {
    let docs = store
        .0
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    let Some(body) = docs.get(&name) else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let tag = ContentTag::of(body);
    let current = Representation {
        etag: Some(tag.entity_tag()),
        last_modified: None,
    };
    if let Err(refused) = guard(&method, &headers, Some(&current)) {
        return refused.into_response::<axum::body::Body>(Some(tag.as_str()));
    }
    ([(header::ETAG, tag.as_str().to_owned())], body.clone()).into_response()
}

async fn write(
    State(store): State<Store>,
    Path(name): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    // One lock around the check and the write: no other PUT can slip in between.
    let mut docs = store
        .0
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    let tag = docs.get(&name).map(|doc| ContentTag::of(doc));
    let current = tag.as_ref().map(|t| Representation {
        etag: Some(t.entity_tag()),
        last_modified: None,
    });
    if let Err(refused) = guard(&Method::PUT, &headers, current.as_ref()) {
        return refused.status().into_response();
    }
    let created = docs.insert(name, body.to_vec()).is_none();
    let status = if created {
        StatusCode::CREATED
    } else {
        StatusCode::NO_CONTENT
    };
    (
        status,
        [(header::ETAG, ContentTag::of(&body).as_str().to_owned())],
    )
        .into_response()
}

#[allow(dead_code)] // tests/guard.rs includes this file for app() and Store
#[tokio::main]
async fn main() -> std::io::Result<()> {
    let mut args = std::env::args().skip(1);
    let listen = match (args.next().as_deref(), args.next()) {
        (Some("--listen"), Some(addr)) => addr,
        (None, _) => "127.0.0.1:8080".to_owned(),
        _ => {
            eprintln!("usage: put [--listen ADDR:PORT]");
            std::process::exit(2);
        }
    };
    let store = Store::default();
    store
        .0
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .insert("doc".into(), b"version 1\n".to_vec());
    let listener = tokio::net::TcpListener::bind(&listen).await?;
    eprintln!("serving /doc on http://{}", listener.local_addr()?);
    axum::serve(listener, app(store)).await
}
