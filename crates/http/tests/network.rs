//! The layers over a real connection: `axum::serve` on 127.0.0.1 and a reqwest client, in the
//! order the module docs give (PreconditionLayer, CompressionLayer, ContentEtagLayer).

use std::io::Read;
use std::net::SocketAddr;

use axum::Router;
use axum::routing::get;
use etagcore::ContentTag;
use etagcore_http::layer::{ContentEtagLayer, PreconditionLayer};
use tower::ServiceBuilder;
use tower_http::compression::CompressionLayer;

const PAGE: &str = "<!doctype html>\n<title>etagcore</title>\n<p>hello, world</p>\n";

/// Serves `PAGE` at `/` on a port of its own, for as long as the test's runtime lives.
async fn serve() -> SocketAddr {
    let app = Router::new().route("/", get(|| async { PAGE })).layer(
        ServiceBuilder::new()
            .layer(PreconditionLayer::new())
            .layer(CompressionLayer::new())
            .layer(ContentEtagLayer::new()),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    address
}

/// A GET of `/` with these header fields. reqwest is built without its `gzip` feature: it sends
/// the `Accept-Encoding` given here, or none, and hands the body over as it came.
async fn fetch(address: SocketAddr, fields: &[(&str, &str)]) -> reqwest::Response {
    let mut request = reqwest::Client::new().get(format!("http://{address}/"));
    for (name, value) in fields {
        request = request.header(*name, *value);
    }
    request.send().await.unwrap()
}

fn etag(response: &reqwest::Response) -> String {
    response.headers()["etag"].to_str().unwrap().to_owned()
}

#[tokio::test]
async fn a_get_then_a_revalidation_with_the_received_etag_is_a_304() {
    let address = serve().await;

    let response = fetch(address, &[]).await;
    assert_eq!(response.status(), 200);
    let tag = etag(&response);
    assert_eq!(tag, ContentTag::of(PAGE.as_bytes()).as_str());
    assert!(response.headers().get("content-encoding").is_none());
    assert_eq!(response.text().await.unwrap(), PAGE);

    let response = fetch(address, &[("if-none-match", &tag)]).await;
    assert_eq!(response.status(), 304);
    assert_eq!(etag(&response), tag);
    assert_eq!(response.headers()["vary"], "accept-encoding");
    assert!(response.headers().get("content-type").is_none());
    assert!(response.bytes().await.unwrap().is_empty());

    let response = fetch(address, &[("if-match", "\"0123\"")]).await;
    assert_eq!(response.status(), 412);
    assert!(response.bytes().await.unwrap().is_empty());
}

#[tokio::test]
async fn gzip_gets_the_weak_tag_and_revalidates_to_a_304() {
    let address = serve().await;
    let strong = ContentTag::of(PAGE.as_bytes());

    let response = fetch(address, &[("accept-encoding", "gzip")]).await;
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["content-encoding"], "gzip");
    let tag = etag(&response);
    assert_eq!(tag, strong.weaken().as_str());
    let gzip = response.bytes().await.unwrap();
    let mut page = String::new();
    flate2::read::GzDecoder::new(&gzip[..])
        .read_to_string(&mut page)
        .unwrap();
    assert_eq!(page, PAGE);

    let response = fetch(
        address,
        &[("accept-encoding", "gzip"), ("if-none-match", &tag)],
    )
    .await;
    assert_eq!(response.status(), 304);
    assert_eq!(etag(&response), tag);
    assert_eq!(response.headers()["vary"], "accept-encoding");
    assert!(response.headers().get("content-encoding").is_none());
    assert!(response.bytes().await.unwrap().is_empty());

    // A cache holding the identity response revalidates it for a gzip client too (weak
    // comparison), and a strong If-Match never matches the weak tag.
    let cross = [
        ("accept-encoding", "gzip"),
        ("if-none-match", strong.as_str()),
    ];
    assert_eq!(fetch(address, &cross).await.status(), 304);
    let strong_match = [("accept-encoding", "gzip"), ("if-match", strong.as_str())];
    assert_eq!(fetch(address, &strong_match).await.status(), 412);
}
