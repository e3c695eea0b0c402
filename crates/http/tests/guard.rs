//! The guard for state-changing methods, through the PUT example's axum app: a stale If-Match
//! gets 412 and the document is not written; create-only and conditional reads.

#[path = "../examples/put.rs"]
mod put;

use axum::body::Body;
use etagcore::ContentTag;
use http::{Request, StatusCode};
use http_body_util::BodyExt;
use tower::ServiceExt;

fn store(doc: &[u8]) -> put::Store {
    let store = put::Store::default();
    store.0.lock().unwrap().insert("doc".into(), doc.to_vec());
    store
}

async fn send(
    store: &put::Store,
    method: &str,
    uri: &str,
    headers: &[(&str, &str)],
    body: &'static [u8],
) -> (StatusCode, http::HeaderMap, Vec<u8>) {
    let mut request = Request::builder().method(method).uri(uri);
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    let response = put::app(store.clone())
        .oneshot(request.body(Body::from(body)).unwrap())
        .await
        .unwrap();
    let (parts, body) = response.into_parts();
    (
        parts.status,
        parts.headers,
        body.collect().await.unwrap().to_bytes().to_vec(),
    )
}

#[tokio::test]
async fn a_put_from_a_stale_copy_is_refused_before_the_write() {
    let store = store(b"v1");
    let v1 = ContentTag::of(b"v1");
    let (status, headers, _) =
        send(&store, "PUT", "/doc", &[("if-match", v1.as_str())], b"v2").await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    assert_eq!(headers["etag"], ContentTag::of(b"v2").as_str());
    // A second writer still holding v1's tag: 412, and the document stays v2.
    let (status, _, body) = send(&store, "PUT", "/doc", &[("if-match", v1.as_str())], b"v3").await;
    assert_eq!((status, body.len()), (StatusCode::PRECONDITION_FAILED, 0));
    assert_eq!(store.0.lock().unwrap()["doc"], b"v2");
    // If-Unmodified-Since is ignored when If-Match is present (RFC 9110 13.1.4): still 412.
    let (status, _, _) = send(
        &store,
        "PUT",
        "/doc",
        &[
            ("if-match", "\"stale\""),
            ("if-unmodified-since", "Fri, 01 Jan 2100 00:00:00 GMT"),
        ],
        b"v4",
    )
    .await;
    assert_eq!(status, StatusCode::PRECONDITION_FAILED);
    assert_eq!(store.0.lock().unwrap()["doc"], b"v2");
}

#[tokio::test]
async fn create_only_and_unconditional_writes() {
    let store = store(b"v1");
    let (status, _, _) = send(&store, "PUT", "/new", &[("if-none-match", "*")], b"n1").await;
    assert_eq!(status, StatusCode::CREATED);
    let (status, _, _) = send(&store, "PUT", "/new", &[("if-none-match", "*")], b"n2").await;
    assert_eq!(status, StatusCode::PRECONDITION_FAILED);
    assert_eq!(store.0.lock().unwrap()["new"], b"n1");
    // If-Match: * on a missing document: 412 (there is no current representation).
    let (status, _, _) = send(&store, "PUT", "/missing", &[("if-match", "*")], b"x").await;
    assert_eq!(status, StatusCode::PRECONDITION_FAILED);
    assert!(!store.0.lock().unwrap().contains_key("missing"));
    let (status, _, _) = send(&store, "PUT", "/doc", &[], b"v9").await;
    assert_eq!(status, StatusCode::NO_CONTENT);
}

#[tokio::test]
async fn reads_revalidate_with_the_content_tag() {
    let store = store(b"v1");
    let (status, headers, body) = send(&store, "GET", "/doc", &[], b"").await;
    assert_eq!((status, body.as_slice()), (StatusCode::OK, &b"v1"[..]));
    let tag = headers["etag"].to_str().unwrap().to_owned();
    let (status, headers, body) =
        send(&store, "GET", "/doc", &[("if-none-match", &tag)], b"").await;
    assert_eq!((status, body.len()), (StatusCode::NOT_MODIFIED, 0));
    assert_eq!(headers["etag"], tag.as_str());
    let (status, _, _) = send(&store, "GET", "/nope", &[("if-none-match", "*")], b"").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}
