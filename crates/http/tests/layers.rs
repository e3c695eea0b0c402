//! `ContentEtagLayer` and `PreconditionLayer` through `tower::ServiceExt::oneshot`: which
//! responses are tagged, what is buffered and replayed, the 304 and 412 they answer, and every
//! order of the two layers with tower-http's `CompressionLayer`.

use std::collections::VecDeque;
use std::convert::Infallible;
use std::fmt;
use std::future::{Ready, ready};
use std::io::Read;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::task::{Context, Poll};

use bytes::Bytes;
use etagcore::ContentTag;
use etagcore_http::TaggedEncoding;
use etagcore_http::layer::{ContentEtagLayer, PreconditionLayer};
use http::{HeaderMap, HeaderValue, Method, Request, Response, StatusCode, header};
use http_body::{Body, Frame, SizeHint};
use http_body_util::BodyExt;
use tower::{Layer, Service, ServiceBuilder, ServiceExt};
use tower_http::compression::CompressionLayer;

/// 2026-01-01T00:00:00Z: the clock of every `PreconditionLayer` here.
const NOW: i64 = 1_767_225_600;
const LAST_MODIFIED: &str = "Wed, 21 Oct 2015 07:28:00 GMT";

fn now() -> i64 {
    NOW
}

fn preconditions() -> PreconditionLayer {
    PreconditionLayer::new().clock(now)
}

// ---------------------------------------------------------------------------------------------
// A body that yields the frames it is given, announces the size it is told, and counts polls.

#[derive(Debug)]
struct Boom;

impl fmt::Display for Boom {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("boom")
    }
}

impl std::error::Error for Boom {}

#[derive(Debug, Default)]
struct Frames {
    frames: VecDeque<Result<Frame<Bytes>, Boom>>,
    hint: SizeHint,
    polls: Arc<AtomicUsize>,
}

impl Frames {
    /// Data frames, with their exact total as the size hint.
    fn data(chunks: &[&[u8]]) -> Self {
        let len = chunks.iter().map(|c| c.len() as u64).sum();
        Frames {
            frames: chunks
                .iter()
                .map(|c| Ok(Frame::data(Bytes::copy_from_slice(c))))
                .collect(),
            hint: SizeHint::with_exact(len),
            polls: Arc::default(),
        }
    }

    fn unknown_size(mut self) -> Self {
        self.hint = SizeHint::new();
        self
    }

    fn announcing(mut self, len: u64) -> Self {
        self.hint = SizeHint::with_exact(len);
        self
    }

    fn trailers(mut self, trailers: HeaderMap) -> Self {
        self.frames.push_back(Ok(Frame::trailers(trailers)));
        self
    }

    fn failing(mut self) -> Self {
        self.frames.push_back(Err(Boom));
        self
    }

    fn counted_by(mut self, polls: &Arc<AtomicUsize>) -> Self {
        self.polls = polls.clone();
        self
    }
}

impl Body for Frames {
    type Data = Bytes;
    type Error = Boom;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        _: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Boom>>> {
        self.polls.fetch_add(1, Ordering::SeqCst);
        Poll::Ready(self.frames.pop_front())
    }

    fn size_hint(&self) -> SizeHint {
        self.hint
    }
}

// ---------------------------------------------------------------------------------------------
// Handlers, requests, and reading responses.

/// A service answering each request with what its function builds for it.
#[derive(Clone)]
struct Handler(Arc<Make>);

type Make = dyn Fn(&Request<()>) -> Response<Frames> + Send + Sync;

impl Service<Request<()>> for Handler {
    type Response = Response<Frames>;
    type Error = Infallible;
    type Future = Ready<Result<Response<Frames>, Infallible>>;

    fn poll_ready(&mut self, _: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, request: Request<()>) -> Self::Future {
        ready(Ok((self.0)(&request)))
    }
}

fn handler(make: impl Fn(&Request<()>) -> Response<Frames> + Send + Sync + 'static) -> Handler {
    Handler(Arc::new(make))
}

/// A 200 with this body and these header fields.
fn ok(body: Frames, fields: &[(&str, &str)]) -> Response<Frames> {
    let mut response = Response::new(body);
    for (name, value) in fields {
        response.headers_mut().append(
            header::HeaderName::from_bytes(name.as_bytes()).unwrap(),
            HeaderValue::from_str(value).unwrap(),
        );
    }
    response
}

fn request(method: Method, fields: &[(&str, &str)]) -> Request<()> {
    let mut request = Request::builder().method(method);
    for (name, value) in fields {
        request = request.header(*name, *value);
    }
    request.body(()).unwrap()
}

fn get(fields: &[(&str, &str)]) -> Request<()> {
    request(Method::GET, fields)
}

async fn call<S, B>(service: S, request: Request<()>) -> Response<B>
where
    S: Service<Request<()>, Response = Response<B>, Error = Infallible>,
{
    match service.oneshot(request).await {
        Ok(response) => response,
        Err(never) => match never {},
    }
}

async fn bytes<B>(body: B) -> Bytes
where
    B: Body,
    B::Error: fmt::Debug,
{
    body.collect().await.unwrap().to_bytes()
}

fn etag<B>(response: &Response<B>) -> Option<&str> {
    response
        .headers()
        .get(header::ETAG)
        .map(|v| v.to_str().unwrap())
}

fn tagged<B>(response: &Response<B>) -> Option<&TaggedEncoding> {
    response.extensions().get::<TaggedEncoding>()
}

// ---------------------------------------------------------------------------------------------
// ContentEtagLayer: what is tagged, what passes through.

#[tokio::test]
async fn a_get_200_of_known_size_gets_the_content_tag_of_its_bytes() {
    let service = ContentEtagLayer::new().layer(handler(|_| {
        ok(Frames::data(&[b"hello"]), &[("content-length", "5")])
    }));
    let response = call(service, get(&[])).await;
    assert_eq!(response.status(), 200);
    assert_eq!(etag(&response), Some(ContentTag::of(b"hello").as_str()));
    assert_eq!(tagged(&response), Some(&TaggedEncoding(None)));
    assert_eq!(response.headers()["content-length"], "5");
    assert_eq!(response.body().size_hint().exact(), Some(5));
    assert_eq!(bytes(response.into_body()).await, "hello");
}

/// The tag is a contract between the servers of a farm: the golden value of the core's README.
#[tokio::test]
async fn the_tag_is_the_farm_wide_golden_string() {
    let service = ContentEtagLayer::new().layer(handler(|_| ok(Frames::data(&[b"hello\n"]), &[])));
    let response = call(service, get(&[])).await;
    assert_eq!(
        etag(&response),
        Some("\"6bba86c7e069f56d5a10b435f1c8e49c\"")
    );
}

#[tokio::test]
async fn many_chunks_are_tagged_as_their_concatenation_and_replayed_in_order() {
    let service = ContentEtagLayer::new().layer(handler(|_| {
        ok(Frames::data(&[b"hel", b"", b"lo, ", b"world"]), &[])
    }));
    let response = call(service, get(&[])).await;
    assert_eq!(
        etag(&response),
        Some(ContentTag::of(b"hello, world").as_str())
    );
    let mut body = response.into_body();
    let mut frames = Vec::new();
    while let Some(frame) = body.frame().await {
        frames.push(frame.unwrap().into_data().unwrap());
    }
    assert_eq!(frames, ["hel", "lo, ", "world"]);
}

#[tokio::test]
async fn an_empty_body_is_tagged() {
    let service = ContentEtagLayer::new().layer(handler(|_| ok(Frames::data(&[]), &[])));
    let response = call(service, get(&[])).await;
    assert_eq!(etag(&response), Some(ContentTag::of(b"").as_str()));
    assert!(response.body().is_end_stream());
    assert_eq!(bytes(response.into_body()).await, "");
}

/// A body of many ready frames is read across several polls (the layer yields between them).
#[tokio::test]
async fn a_body_of_many_small_frames_is_tagged() {
    let content: Vec<u8> = (0..1000u32).map(|i| (i % 251) as u8).collect();
    let expected = ContentTag::of(&content);
    let service = ContentEtagLayer::new().layer(handler(move |_| {
        let chunks: Vec<&[u8]> = content.chunks(1).collect();
        ok(Frames::data(&chunks), &[])
    }));
    let response = call(service, get(&[])).await;
    assert_eq!(etag(&response), Some(expected.as_str()));
    assert_eq!(bytes(response.into_body()).await.len(), 1000);
}

/// Size = limit is tagged; limit + 1 and an unknown size stream through unbuffered.
#[tokio::test]
async fn limit_boundaries() {
    for (len, tagged_) in [(7, true), (8, true), (9, false)] {
        let polls = Arc::new(AtomicUsize::new(0));
        let counter = polls.clone();
        let content = vec![b'x'; len];
        let service = ContentEtagLayer::new().limit(8).layer(handler(move |_| {
            ok(Frames::data(&[&content]).counted_by(&counter), &[])
        }));
        let response = call(service, get(&[])).await;
        assert_eq!(
            response.headers().contains_key("etag"),
            tagged_,
            "{len} bytes"
        );
        assert_eq!(tagged(&response).is_some(), tagged_, "{len} bytes");
        if !tagged_ {
            assert_eq!(polls.load(Ordering::SeqCst), 0, "untouched until sent");
        }
        assert_eq!(bytes(response.into_body()).await.len(), len);
    }

    let polls = Arc::new(AtomicUsize::new(0));
    let counter = polls.clone();
    let service = ContentEtagLayer::new().layer(handler(move |_| {
        ok(
            Frames::data(&[b"x"]).unknown_size().counted_by(&counter),
            &[],
        )
    }));
    let response = call(service, get(&[])).await;
    assert!(!response.headers().contains_key("etag"), "unknown size");
    assert_eq!(polls.load(Ordering::SeqCst), 0);
    assert_eq!(response.body().size_hint().exact(), None);
    assert_eq!(bytes(response.into_body()).await, "x");
}

#[tokio::test]
async fn the_default_limit_is_one_mib() {
    const MIB: usize = 1 << 20;
    assert_eq!(ContentEtagLayer::DEFAULT_LIMIT, MIB as u64);
    for (len, tagged_) in [(MIB, true), (MIB + 1, false)] {
        let content = Bytes::from(vec![7u8; len]);
        let service =
            ContentEtagLayer::new().layer(handler(move |_| ok(Frames::data(&[&content]), &[])));
        let response = call(service, get(&[])).await;
        assert_eq!(
            response.headers().contains_key("etag"),
            tagged_,
            "{len} bytes"
        );
    }
}

/// A body announcing 4 bytes that sends 10, past a limit of 8: what was read is replayed, the
/// rest streams on, trailers included, and nothing is tagged.
#[tokio::test]
async fn a_body_longer_than_announced_streams_through_untagged() {
    let mut trailers = HeaderMap::new();
    trailers.insert("x-checksum", HeaderValue::from_static("abc"));
    let sent = trailers.clone();
    let service = ContentEtagLayer::new().limit(8).layer(handler(move |_| {
        let body = Frames::data(&[b"abcd", b"efgh", b"ij"]).announcing(4);
        ok(body.trailers(sent.clone()), &[])
    }));
    let response = call(service, get(&[])).await;
    assert!(!response.headers().contains_key("etag"));
    assert!(tagged(&response).is_none());
    let collected = response.into_body().collect().await.unwrap();
    assert_eq!(collected.trailers(), Some(&trailers));
    assert_eq!(collected.to_bytes(), "abcdefghij");
}

#[tokio::test]
async fn a_body_error_mid_buffer_is_passed_on_untagged() {
    let service = ContentEtagLayer::new().layer(handler(|_| {
        ok(Frames::data(&[b"abc"]).announcing(6).failing(), &[])
    }));
    let response = call(service, get(&[])).await;
    assert_eq!(response.status(), 200);
    assert!(!response.headers().contains_key("etag"));
    assert!(tagged(&response).is_none());
    let mut body = response.into_body();
    let first = body.frame().await.unwrap().unwrap();
    assert_eq!(first.into_data().unwrap(), "abc");
    assert!(matches!(body.frame().await, Some(Err(Boom))));
    assert!(body.frame().await.is_none());
}

#[tokio::test]
async fn trailers_survive_tagged_and_untagged() {
    let mut trailers = HeaderMap::new();
    trailers.insert("grpc-status", HeaderValue::from_static("0"));
    for unknown_size in [false, true] {
        let sent = trailers.clone();
        let service = ContentEtagLayer::new().layer(handler(move |_| {
            let body = Frames::data(&[b"ab", b"cd"]).trailers(sent.clone());
            ok(
                if unknown_size {
                    body.unknown_size()
                } else {
                    body
                },
                &[],
            )
        }));
        let response = call(service, get(&[])).await;
        let expected = (!unknown_size).then(|| ContentTag::of(b"abcd"));
        assert_eq!(etag(&response), expected.as_ref().map(ContentTag::as_str));
        let collected = response.into_body().collect().await.unwrap();
        assert_eq!(
            collected.trailers(),
            Some(&trailers),
            "unknown size: {unknown_size}"
        );
        assert_eq!(collected.to_bytes(), "abcd");
    }
}

/// HEAD, other methods, 206 and other statuses pass through, and their bodies are not read.
#[tokio::test]
async fn other_methods_and_statuses_pass_through_unread() {
    let cases: [(Method, StatusCode); 6] = [
        (Method::HEAD, StatusCode::OK),
        (Method::POST, StatusCode::OK),
        (Method::PUT, StatusCode::OK),
        (Method::GET, StatusCode::PARTIAL_CONTENT),
        (Method::GET, StatusCode::NOT_FOUND),
        (Method::GET, StatusCode::CREATED),
    ];
    for (method, status) in cases {
        let polls = Arc::new(AtomicUsize::new(0));
        let counter = polls.clone();
        let service = ContentEtagLayer::new().layer(handler(move |_| {
            let mut response = ok(Frames::data(&[b"hello"]).counted_by(&counter), &[]);
            *response.status_mut() = status;
            response
        }));
        let response = call(service, request(method.clone(), &[("range", "bytes=0-1")])).await;
        assert_eq!(response.status(), status);
        assert!(
            !response.headers().contains_key("etag"),
            "{method} {status}"
        );
        assert!(tagged(&response).is_none());
        assert_eq!(polls.load(Ordering::SeqCst), 0, "{method} {status}");
        assert_eq!(bytes(response.into_body()).await, "hello");
    }
}

/// The handler's own ETag is kept, not hashed over, and recorded with its Content-Encoding.
#[tokio::test]
async fn a_handlers_own_etag_wins() {
    for (encoding, method) in [
        (None, Method::GET),
        (Some("br"), Method::GET),
        (None, Method::HEAD),
    ] {
        let polls = Arc::new(AtomicUsize::new(0));
        let counter = polls.clone();
        let service = ContentEtagLayer::new().layer(handler(move |_| {
            let mut fields = vec![("etag", "\"v1\"")];
            fields.extend(encoding.map(|e| ("content-encoding", e)));
            ok(Frames::data(&[b"hello"]).counted_by(&counter), &fields)
        }));
        let response = call(service, request(method, &[])).await;
        assert_eq!(etag(&response), Some("\"v1\""));
        assert_eq!(polls.load(Ordering::SeqCst), 0);
        let expected = TaggedEncoding(encoding.map(HeaderValue::from_static));
        assert_eq!(tagged(&response), Some(&expected));
        assert_eq!(bytes(response.into_body()).await, "hello");
    }

    // A TaggedEncoding the handler recorded itself is kept.
    let service = ContentEtagLayer::new().layer(handler(|_| {
        let mut response = ok(Frames::data(&[b"x"]), &[("etag", "\"v1\"")]);
        let gzip = TaggedEncoding(Some(HeaderValue::from_static("gzip")));
        response.extensions_mut().insert(gzip);
        response
    }));
    let response = call(service, get(&[])).await;
    assert_eq!(
        tagged(&response),
        Some(&TaggedEncoding(Some(HeaderValue::from_static("gzip"))))
    );
}

/// A precompressed body (the handler set Content-Encoding) gets the tag of its own bytes.
#[tokio::test]
async fn a_precompressed_body_gets_the_tag_of_its_encoded_bytes() {
    let gz: &[u8] = &[0x1f, 0x8b, 0x08, 0x00, 1, 2, 3];
    let service = ContentEtagLayer::new().layer(handler(move |_| {
        ok(Frames::data(&[gz]), &[("content-encoding", "gzip")])
    }));
    let response = call(service, get(&[])).await;
    assert_eq!(etag(&response), Some(ContentTag::of(gz).as_str()));
    assert_eq!(
        tagged(&response),
        Some(&TaggedEncoding(Some(HeaderValue::from_static("gzip"))))
    );
}

// ---------------------------------------------------------------------------------------------
// PreconditionLayer: 304, 412, and what it leaves alone.

fn page_handler(polls: &Arc<AtomicUsize>) -> Handler {
    let polls = polls.clone();
    handler(move |_| {
        ok(
            Frames::data(&[b"<p>hello</p>"]).counted_by(&polls),
            &[
                ("content-type", "text/html"),
                ("content-length", "12"),
                ("last-modified", LAST_MODIFIED),
                ("cache-control", "max-age=60"),
                ("vary", "accept-encoding"),
                ("set-cookie", "a=b"),
            ],
        )
    })
}

fn page_tag() -> String {
    ContentTag::of(b"<p>hello</p>").as_str().to_owned()
}

#[tokio::test]
async fn a_revalidation_answers_304_with_the_fields_of_15_4_5() {
    let polls = Arc::new(AtomicUsize::new(0));
    let service = ServiceBuilder::new()
        .layer(preconditions())
        .layer(ContentEtagLayer::new())
        .service(page_handler(&polls));

    let first = call(service.clone(), get(&[])).await;
    assert_eq!(first.status(), 200);
    assert_eq!(etag(&first), Some(page_tag().as_str()));

    for inm in [page_tag(), format!("W/{}", page_tag()), "*".to_owned()] {
        let response = call(service.clone(), get(&[("if-none-match", &inm)])).await;
        assert_eq!(response.status(), 304, "{inm}");
        let headers = response.headers();
        assert_eq!(headers["etag"], page_tag().as_str());
        assert_eq!(headers["vary"], "accept-encoding");
        assert_eq!(headers["cache-control"], "max-age=60");
        assert_eq!(headers["set-cookie"], "a=b");
        for gone in ["content-length", "content-type", "last-modified"] {
            assert!(!headers.contains_key(gone), "{gone}");
        }
        assert!(response.body().is_end_stream());
        assert_eq!(bytes(response.into_body()).await, "");
    }

    let stale = call(service, get(&[("if-none-match", "\"other\"")])).await;
    assert_eq!(stale.status(), 200);
    assert_eq!(bytes(stale.into_body()).await, "<p>hello</p>");
}

#[tokio::test]
async fn if_modified_since_alone_answers_304_and_keeps_last_modified() {
    let polls = Arc::new(AtomicUsize::new(0));
    let service = preconditions().layer(page_handler(&polls));
    let response = call(service, get(&[("if-modified-since", LAST_MODIFIED)])).await;
    assert_eq!(response.status(), 304);
    // Without an ETag, Last-Modified is the validator the 304 keeps.
    assert_eq!(response.headers()["last-modified"], LAST_MODIFIED);
    assert_eq!(polls.load(Ordering::SeqCst), 0);
}

/// A HEAD is not tagged by ContentEtagLayer, but a handler's own tag revalidates it.
#[tokio::test]
async fn a_head_revalidates_against_the_handlers_own_etag() {
    let service = ServiceBuilder::new()
        .layer(preconditions())
        .layer(ContentEtagLayer::new())
        .service(handler(|_| ok(Frames::data(&[]), &[("etag", "\"v1\"")])));
    let response = call(
        service,
        request(Method::HEAD, &[("if-none-match", "\"v1\"")]),
    )
    .await;
    assert_eq!(response.status(), 304);
    assert_eq!(etag(&response), Some("\"v1\""));
}

/// 412 for a false If-Match or If-Unmodified-Since: empty, no fields, the body never polled.
#[tokio::test]
async fn a_failed_precondition_is_an_empty_412_and_the_body_is_never_polled() {
    let yesterday = "Tue, 20 Oct 2015 07:28:00 GMT";
    for (method, field, value) in [
        (Method::GET, "if-match", "\"other\""),
        (Method::GET, "if-match", "W/\"v1\""),
        (Method::HEAD, "if-match", "\"other\""),
        (Method::GET, "if-unmodified-since", yesterday),
    ] {
        let polls = Arc::new(AtomicUsize::new(0));
        let service = preconditions().layer(page_handler(&polls).map_response(|mut r| {
            r.headers_mut()
                .insert("etag", HeaderValue::from_static("\"v1\""));
            r
        }));
        let response = call(service, request(method.clone(), &[(field, value)])).await;
        assert_eq!(response.status(), 412, "{method} {field}: {value}");
        assert!(response.headers().is_empty());
        assert!(response.body().is_end_stream());
        assert_eq!(bytes(response.into_body()).await, "");
        assert_eq!(polls.load(Ordering::SeqCst), 0);
    }
}

#[tokio::test]
async fn a_304_drops_the_body_unpolled() {
    let polls = Arc::new(AtomicUsize::new(0));
    let service = preconditions().layer(handler({
        let polls = polls.clone();
        move |_| {
            ok(
                Frames::data(&[b"x"]).counted_by(&polls),
                &[("etag", "\"v1\"")],
            )
        }
    }));
    let response = call(service, get(&[("if-none-match", "\"v1\"")])).await;
    assert_eq!(response.status(), 304);
    drop(bytes(response.into_body()).await);
    assert_eq!(polls.load(Ordering::SeqCst), 0);
}

/// RFC 9110 section 13.2.1: a response other than 2xx ignores the conditions.
#[tokio::test]
async fn non_2xx_responses_ignore_the_conditions() {
    for status in [
        StatusCode::NOT_FOUND,
        StatusCode::INTERNAL_SERVER_ERROR,
        StatusCode::FOUND,
    ] {
        let service = preconditions().layer(handler(move |_| {
            let mut response = ok(Frames::data(&[b"nope"]), &[("etag", "\"v1\"")]);
            *response.status_mut() = status;
            response
        }));
        for (field, value) in [("if-match", "\"other\""), ("if-none-match", "\"v1\"")] {
            let response = call(service.clone(), get(&[(field, value)])).await;
            assert_eq!(response.status(), status);
            assert_eq!(bytes(response.into_body()).await, "nope");
        }
    }
}

/// ServeRange and Perform pass the inner response on: its 206, or its 200.
#[tokio::test]
async fn ranges_and_true_conditions_pass_the_response_on() {
    let service = preconditions().layer(handler(|request| {
        let ranged = request.headers().contains_key("range");
        let mut response = ok(Frames::data(&[b"he"]), &[("etag", "\"v1\"")]);
        if ranged {
            *response.status_mut() = StatusCode::PARTIAL_CONTENT;
        }
        response
    }));
    let range = [("range", "bytes=0-1"), ("if-range", "\"v1\"")];
    let response = call(service.clone(), get(&range)).await;
    assert_eq!(response.status(), 206);
    assert_eq!(bytes(response.into_body()).await, "he");
    let response = call(
        service,
        get(&[("if-match", "\"v1\""), ("if-none-match", "\"v0\"")]),
    )
    .await;
    assert_eq!(response.status(), 200);
    assert_eq!(bytes(response.into_body()).await, "he");
}

/// A response layer sees a PUT or DELETE after the handler wrote: its response is passed on
/// (the handler guards the write itself, with `etagcore_http::guard`).
#[tokio::test]
async fn state_changing_methods_pass_the_response_on() {
    let service = preconditions().layer(handler(|request| {
        let mut response = ok(Frames::data(&[]), &[("etag", "\"v2\"")]);
        *response.status_mut() = match *request.method() {
            Method::POST => StatusCode::CREATED,
            _ => StatusCode::NO_CONTENT,
        };
        response
    }));
    for (method, field, value) in [
        (Method::PUT, "if-match", "\"v1\""),
        (Method::DELETE, "if-match", "\"v1\""),
        (Method::POST, "if-none-match", "*"),
        (
            Method::PATCH,
            "if-unmodified-since",
            "Tue, 20 Oct 2015 07:28:00 GMT",
        ),
    ] {
        let response = call(service.clone(), request(method.clone(), &[(field, value)])).await;
        assert!(response.status().is_success(), "{method}");
        assert_eq!(etag(&response), Some("\"v2\""));
    }
}

#[tokio::test]
async fn the_clock_is_the_now_of_the_evaluation() {
    let cached = "Wed, 21 Oct 2015 07:27:00 GMT";
    let service = |clock: fn() -> i64| {
        PreconditionLayer::new().clock(clock).layer(handler(|_| {
            ok(Frames::data(&[]), &[("last-modified", LAST_MODIFIED)])
        }))
    };
    let request = || get(&[("if-modified-since", cached)]);
    assert_eq!(call(service(now), request()).await.status(), 200);
    // At 07:27:00, a Last-Modified of 07:28:00 is in the future and counts as now.
    assert_eq!(
        call(service(|| 1_445_412_420), request()).await.status(),
        304
    );
}

/// When the response's Content-Encoding differs from the one its tag was computed with, the
/// strong tag is weakened; otherwise it is left as it is.
#[tokio::test]
async fn a_strong_tag_is_weakened_exactly_when_the_encoding_changed() {
    let cases: [(Option<&str>, &[&str], &str, &str); 10] = [
        (None, &[], "\"a\"", "\"a\""),
        (None, &["gzip"], "\"a\"", "W/\"a\""),
        (Some("gzip"), &["gzip"], "\"a\"", "\"a\""),
        (Some("GZIP"), &["gzip"], "\"a\"", "\"a\""),
        (Some("br"), &["gzip"], "\"a\"", "W/\"a\""),
        (Some("gzip"), &[], "\"a\"", "W/\"a\""),
        (Some("gzip"), &["gzip", "br"], "\"a\"", "W/\"a\""),
        (None, &["gzip"], "W/\"a\"", "W/\"a\""),
        (None, &["gzip"], "not-a-tag", "not-a-tag"),
        (None, &["gzip"], "\"\"", "W/\"\""),
    ];
    for (recorded, encodings, sent, expected) in cases {
        let service = preconditions().layer(handler(move |_| {
            let mut fields = vec![("etag", sent)];
            fields.extend(encodings.iter().map(|e| ("content-encoding", *e)));
            let mut response = ok(Frames::data(&[]), &fields);
            let recorded = TaggedEncoding(recorded.map(|r| HeaderValue::from_str(r).unwrap()));
            response.extensions_mut().insert(recorded);
            response
        }));
        let response = call(service, get(&[])).await;
        assert_eq!(
            etag(&response),
            Some(expected),
            "{recorded:?} {encodings:?} {sent}"
        );
    }

    // No TaggedEncoding: nobody said which bytes the tag is of; it is left alone.
    let service = preconditions().layer(handler(|_| {
        ok(
            Frames::data(&[]),
            &[("etag", "\"a\""), ("content-encoding", "gzip")],
        )
    }));
    assert_eq!(etag(&call(service, get(&[])).await), Some("\"a\""));
}

// ---------------------------------------------------------------------------------------------
// With tower-http's CompressionLayer: every order of the three layers.

/// Counts the polls of the body the compressor outside it reads.
#[derive(Clone)]
struct CountPolls<S> {
    inner: S,
    polls: Arc<AtomicUsize>,
}

struct Counted<B> {
    inner: B,
    polls: Arc<AtomicUsize>,
}

impl<B: Body + Unpin> Body for Counted<B> {
    type Data = B::Data;
    type Error = B::Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<B::Data>, B::Error>>> {
        self.polls.fetch_add(1, Ordering::SeqCst);
        Pin::new(&mut self.inner).poll_frame(cx)
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.inner.size_hint()
    }
}

impl<S, B> Service<Request<()>> for CountPolls<S>
where
    S: Service<Request<()>, Response = Response<B>, Error = Infallible>,
    S::Future: Send + 'static,
    B: 'static,
{
    type Response = Response<Counted<B>>;
    type Error = Infallible;
    type Future = Pin<Box<dyn Future<Output = Result<Response<Counted<B>>, Infallible>> + Send>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: Request<()>) -> Self::Future {
        let polls = self.polls.clone();
        let response = self.inner.call(request);
        Box::pin(async move {
            let response = response.await?;
            Ok(response.map(|inner| Counted { inner, polls }))
        })
    }
}

#[derive(Clone)]
struct CountPollsLayer(Arc<AtomicUsize>);

impl<S> Layer<S> for CountPollsLayer {
    type Service = CountPolls<S>;

    fn layer(&self, inner: S) -> CountPolls<S> {
        CountPolls {
            inner,
            polls: self.0.clone(),
        }
    }
}

const PAGE: &str = "<p>hello, world</p>\n<p>hello, world</p>\n<p>hello, world</p>\n";

fn page() -> Handler {
    handler(|_| {
        ok(
            Frames::data(&[PAGE.as_bytes()]),
            &[("content-type", "text/html"), ("cache-control", "no-cache")],
        )
    })
}

fn gunzip(bytes: &[u8]) -> String {
    let mut out = String::new();
    flate2::read::GzDecoder::new(bytes)
        .read_to_string(&mut out)
        .unwrap();
    out
}

/// What a client sees from one order of the layers.
#[derive(Debug, PartialEq, Eq)]
struct Seen {
    /// The ETag of the identity response.
    identity: Option<String>,
    /// The ETag of the gzip response (whose body always gunzips to the page).
    gzip: Option<String>,
    /// Revalidating the identity response with the identity tag of the page.
    identity_revalidation: u16,
    /// Revalidating the gzip response with the weak tag of the page.
    gzip_revalidation: u16,
    /// Whether that answer has `Vary: accept-encoding`.
    gzip_revalidation_vary: bool,
    /// Polls of the compressor's input for the gzip revalidation, its body read to the end.
    gzip_revalidation_polls: usize,
}

async fn seen<S, B>(service: S, polls: &AtomicUsize) -> Seen
where
    S: Service<Request<()>, Response = Response<B>, Error = Infallible> + Clone,
    B: Body,
    B::Error: fmt::Debug,
{
    let strong = ContentTag::of(PAGE.as_bytes());
    let weak = strong.weaken();

    let identity = call(service.clone(), get(&[("accept-encoding", "identity")])).await;
    assert_eq!(identity.status(), 200);
    let identity_tag = etag(&identity).map(str::to_owned);
    assert_eq!(bytes(identity.into_body()).await, PAGE);

    let gzip = call(service.clone(), get(&[("accept-encoding", "gzip")])).await;
    assert_eq!(gzip.status(), 200);
    assert_eq!(gzip.headers()["content-encoding"], "gzip");
    assert_eq!(gzip.headers()["vary"], "accept-encoding");
    let gzip_tag = etag(&gzip).map(str::to_owned);
    assert_eq!(gunzip(&bytes(gzip.into_body()).await), PAGE);

    let identity_revalidation = call(
        service.clone(),
        get(&[
            ("accept-encoding", "identity"),
            ("if-none-match", strong.as_str()),
        ]),
    )
    .await
    .status()
    .as_u16();

    polls.store(0, Ordering::SeqCst);
    let revalidation = call(
        service,
        get(&[
            ("accept-encoding", "gzip"),
            ("if-none-match", weak.as_str()),
        ]),
    )
    .await;
    let status = revalidation.status().as_u16();
    let vary = revalidation.headers().contains_key("vary");
    let body = bytes(revalidation.into_body()).await;
    if status == 304 {
        assert!(body.is_empty(), "a 304 has no content");
    }
    Seen {
        identity: identity_tag,
        gzip: gzip_tag,
        identity_revalidation,
        gzip_revalidation: status,
        gzip_revalidation_vary: vary,
        gzip_revalidation_polls: polls.load(Ordering::SeqCst),
    }
}

fn strong() -> Option<String> {
    Some(ContentTag::of(PAGE.as_bytes()).as_str().to_owned())
}

fn weak() -> Option<String> {
    Some(ContentTag::of(PAGE.as_bytes()).weaken().as_str().to_owned())
}

/// Precondition, Compression, ContentEtag: strong identity tag, W/ on gzip, 304 for both with
/// Vary, and the compressor never polled for the 304.
#[tokio::test]
async fn right_order_precondition_compression_content_etag() {
    let polls = Arc::new(AtomicUsize::new(0));
    let service = ServiceBuilder::new()
        .layer(preconditions())
        .layer(CompressionLayer::new())
        .layer(CountPollsLayer(polls.clone()))
        .layer(ContentEtagLayer::new())
        .service(page());
    let expected = Seen {
        identity: strong(),
        gzip: weak(),
        identity_revalidation: 304,
        gzip_revalidation: 304,
        gzip_revalidation_vary: true,
        gzip_revalidation_polls: 0,
    };
    assert_eq!(seen(service, &polls).await, expected);
}

/// The right order, more: a strong If-Match never matches the W/ gzip tag (412), does match the
/// identity one; a precondition failure never runs the compressor either.
#[tokio::test]
async fn right_order_strong_comparisons_and_412() {
    let polls = Arc::new(AtomicUsize::new(0));
    let service = ServiceBuilder::new()
        .layer(preconditions())
        .layer(CompressionLayer::new())
        .layer(CountPollsLayer(polls.clone()))
        .layer(ContentEtagLayer::new())
        .service(page());
    let strong = ContentTag::of(PAGE.as_bytes());
    let identity = get(&[
        ("accept-encoding", "identity"),
        ("if-match", strong.as_str()),
    ]);
    assert_eq!(call(service.clone(), identity).await.status(), 200);

    polls.store(0, Ordering::SeqCst);
    let gzip = get(&[("accept-encoding", "gzip"), ("if-match", strong.as_str())]);
    let response = call(service.clone(), gzip).await;
    assert_eq!(response.status(), 412);
    assert_eq!(bytes(response.into_body()).await, "");
    assert_eq!(polls.load(Ordering::SeqCst), 0);

    // The conditions that hold let the compressor run.
    let gzip = get(&[("accept-encoding", "gzip"), ("if-none-match", "\"other\"")]);
    let response = call(service, gzip).await;
    assert_eq!(response.status(), 200);
    assert_eq!(gunzip(&bytes(response.into_body()).await), PAGE);
    assert!(polls.load(Ordering::SeqCst) > 0);
}

/// A precompressed response (the handler set Content-Encoding) is skipped by the compressor and
/// keeps the strong tag of its own bytes, computed or the handler's own.
#[tokio::test]
async fn right_order_precompressed_keeps_its_strong_tag() {
    let gz = {
        let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        std::io::Write::write_all(&mut encoder, PAGE.as_bytes()).unwrap();
        encoder.finish().unwrap()
    };
    let gz_tag = ContentTag::of(&gz);
    for own_etag in [false, true] {
        let body = gz.clone();
        let tag = gz_tag.as_str().to_owned();
        let service = ServiceBuilder::new()
            .layer(preconditions())
            .layer(CompressionLayer::new())
            .layer(ContentEtagLayer::new())
            .service(handler(move |_| {
                let mut fields = vec![("content-encoding", "gzip"), ("content-type", "text/html")];
                if own_etag {
                    fields.push(("etag", &tag));
                }
                let mut response = ok(Frames::data(&[&body]), &fields);
                if own_etag {
                    let recorded = TaggedEncoding(Some(HeaderValue::from_static("gzip")));
                    response.extensions_mut().insert(recorded);
                }
                response
            }));
        let response = call(service.clone(), get(&[("accept-encoding", "gzip")])).await;
        assert_eq!(response.headers()["content-encoding"], "gzip");
        assert_eq!(
            etag(&response),
            Some(gz_tag.as_str()),
            "own etag: {own_etag}"
        );
        assert_eq!(gunzip(&bytes(response.into_body()).await), PAGE);

        let revalidation = get(&[
            ("accept-encoding", "gzip"),
            ("if-none-match", gz_tag.as_str()),
        ]);
        let response = call(service.clone(), revalidation).await;
        assert_eq!(response.status(), 304);
        assert_eq!(etag(&response), Some(gz_tag.as_str()));
        let strong_match = get(&[("accept-encoding", "gzip"), ("if-match", gz_tag.as_str())]);
        assert_eq!(call(service, strong_match).await.status(), 200);
    }
}

/// Compression outside the precondition layer: the strong identity tag leaks onto the gzip
/// body, and the 304 loses Vary.
#[tokio::test]
async fn wrong_order_compression_precondition_content_etag() {
    let polls = Arc::new(AtomicUsize::new(0));
    let service = ServiceBuilder::new()
        .layer(CompressionLayer::new())
        .layer(CountPollsLayer(polls.clone()))
        .layer(preconditions())
        .layer(ContentEtagLayer::new())
        .service(page());
    let expected = Seen {
        identity: strong(),
        gzip: strong(), // wrong: a strong tag on bytes compressed on the fly
        identity_revalidation: 304,
        gzip_revalidation: 304,
        gzip_revalidation_vary: false, // wrong: the 200 said Vary: accept-encoding
        gzip_revalidation_polls: 1,
    };
    assert_eq!(seen(service, &polls).await, expected);
}

/// The same order with a compressor told to compress everything runs it for the 304 and sends
/// gzip bytes in a response that must have no content.
#[tokio::test]
async fn wrong_order_compression_outside_gzips_the_304() {
    let polls = Arc::new(AtomicUsize::new(0));
    let always = |_: StatusCode, _: http::Version, _: &HeaderMap, _: &http::Extensions| true;
    let service = ServiceBuilder::new()
        .layer(CompressionLayer::new().compress_when(always))
        .layer(CountPollsLayer(polls.clone()))
        .layer(preconditions())
        .layer(ContentEtagLayer::new())
        .service(page());
    let weak = ContentTag::of(PAGE.as_bytes()).weaken();
    let request = get(&[
        ("accept-encoding", "gzip"),
        ("if-none-match", weak.as_str()),
    ]);
    let response = call(service.clone(), request).await;
    assert_eq!(response.status(), 304);
    assert_eq!(response.headers()["content-encoding"], "gzip");
    assert!(!bytes(response.into_body()).await.is_empty());
    assert!(polls.load(Ordering::SeqCst) > 0);

    // The right order with the same compressor: an empty 304, the compressor never polled.
    let polls = Arc::new(AtomicUsize::new(0));
    let service = ServiceBuilder::new()
        .layer(preconditions())
        .layer(CompressionLayer::new().compress_when(always))
        .layer(CountPollsLayer(polls.clone()))
        .layer(ContentEtagLayer::new())
        .service(page());
    let request = get(&[
        ("accept-encoding", "gzip"),
        ("if-none-match", weak.as_str()),
    ]);
    let response = call(service, request).await;
    assert_eq!(response.status(), 304);
    assert!(!response.headers().contains_key("content-encoding"));
    assert_eq!(response.headers()["vary"], "accept-encoding");
    assert_eq!(bytes(response.into_body()).await, "");
    assert_eq!(polls.load(Ordering::SeqCst), 0);
}

/// The tagger outside the compressor: gzip bodies have no known size, so they go untagged and
/// never revalidate; the compressor runs for every request.
#[tokio::test]
async fn wrong_order_precondition_content_etag_compression() {
    let polls = Arc::new(AtomicUsize::new(0));
    let service = ServiceBuilder::new()
        .layer(preconditions())
        .layer(ContentEtagLayer::new())
        .layer(CompressionLayer::new())
        .layer(CountPollsLayer(polls.clone()))
        .service(page());
    let seen = seen(service, &polls).await;
    let expected = Seen {
        identity: strong(),
        gzip: None, // wrong: no tag for a client that accepts gzip
        identity_revalidation: 304,
        gzip_revalidation: 200, // wrong: never a 304
        gzip_revalidation_vary: true,
        gzip_revalidation_polls: seen.gzip_revalidation_polls,
    };
    assert_eq!(seen, expected);
    assert!(seen.gzip_revalidation_polls > 0, "the compressor ran");
}

/// The precondition layer inside the tagger: it never sees a content tag, so no 304 ever.
#[tokio::test]
async fn wrong_order_content_etag_precondition_compression() {
    let polls = Arc::new(AtomicUsize::new(0));
    let service = ServiceBuilder::new()
        .layer(ContentEtagLayer::new())
        .layer(preconditions())
        .layer(CompressionLayer::new())
        .layer(CountPollsLayer(polls.clone()))
        .service(page());
    let seen = seen(service, &polls).await;
    let expected = Seen {
        identity: strong(),
        gzip: None,
        identity_revalidation: 200, // wrong
        gzip_revalidation: 200,     // wrong
        gzip_revalidation_vary: true,
        gzip_revalidation_polls: seen.gzip_revalidation_polls,
    };
    assert_eq!(seen, expected);
    assert!(seen.gzip_revalidation_polls > 0);
}

#[tokio::test]
async fn wrong_order_content_etag_compression_precondition() {
    let polls = Arc::new(AtomicUsize::new(0));
    let service = ServiceBuilder::new()
        .layer(ContentEtagLayer::new())
        .layer(CompressionLayer::new())
        .layer(CountPollsLayer(polls.clone()))
        .layer(preconditions())
        .service(page());
    let seen = seen(service, &polls).await;
    let expected = Seen {
        identity: strong(),
        gzip: None,
        identity_revalidation: 200, // wrong
        gzip_revalidation: 200,     // wrong
        gzip_revalidation_vary: true,
        gzip_revalidation_polls: seen.gzip_revalidation_polls,
    };
    assert_eq!(seen, expected);
    assert!(seen.gzip_revalidation_polls > 0);
}

/// Compression outermost, the precondition layer innermost: no 304 ever, and the strong tag
/// leaks onto gzip bodies.
#[tokio::test]
async fn wrong_order_compression_content_etag_precondition() {
    let polls = Arc::new(AtomicUsize::new(0));
    let service = ServiceBuilder::new()
        .layer(CompressionLayer::new())
        .layer(CountPollsLayer(polls.clone()))
        .layer(ContentEtagLayer::new())
        .layer(preconditions())
        .service(page());
    let seen = seen(service, &polls).await;
    let expected = Seen {
        identity: strong(),
        gzip: strong(),             // wrong
        identity_revalidation: 200, // wrong
        gzip_revalidation: 200,     // wrong
        gzip_revalidation_vary: true,
        gzip_revalidation_polls: seen.gzip_revalidation_polls,
    };
    assert_eq!(seen, expected);
    assert!(seen.gzip_revalidation_polls > 0);
}
