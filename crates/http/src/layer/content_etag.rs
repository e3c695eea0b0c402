//! `ContentEtagLayer`: the content tag of a response, from its bytes.

use std::future::Future;
use std::mem;
use std::pin::Pin;
use std::task::{Context, Poll, ready};

use bytes::Buf;
use http::header::{CONTENT_ENCODING, ETAG};
use http::response::Parts;
use http::{HeaderMap, HeaderValue, Method, Request, Response, StatusCode};
use http_body::Body;
use pin_project_lite::pin_project;
use tower_layer::Layer;
use tower_service::Service;

use super::body::{Chunks, ContentEtagBody};
use crate::TaggedEncoding;

/// How many frames one poll reads before yielding to the executor, so that a body of many
/// small ready frames cannot hold a worker thread.
const FRAMES_PER_POLL: usize = 64;

/// Tags `GET` 200 responses with the strong content ETag of their bytes (XXH3-128, the same on
/// every server of a farm) and records the `Content-Encoding` those bytes had as a
/// [`TaggedEncoding`] response extension.
///
/// A response is tagged when the request is a `GET`, the status is 200, the response has no
/// `ETag` yet, and its body's size is known ([`SizeHint::exact`](http_body::SizeHint::exact))
/// and at most [`limit`](Self::limit) bytes. The body is then read into memory, hashed, and
/// sent on unchanged (trailers included). Everything else passes through untouched and
/// unbuffered: other methods (`HEAD` bodies are empty in axum, so their tag would be wrong),
/// other statuses (206 and its ranges included), bodies of unknown or larger size, and
/// responses that carry their own `ETag`. The handler's own `ETag` always wins: it is never
/// hashed over, but gets a [`TaggedEncoding`] (its `Content-Encoding`, unless the handler
/// recorded one itself), so that an outer [`PreconditionLayer`](super::PreconditionLayer)
/// weakens it when a compressor recodes the body.
///
/// This layer only tags: the request's conditions are evaluated by the
/// [`PreconditionLayer`](super::PreconditionLayer) outside it, against the tag the client will
/// actually receive (see the [module docs](super) for the order).
///
/// If the body fails while being read, the response goes out without an `ETag`: the frames
/// already read, then the error (no tag is ever made from part of a body). If the body turns
/// out larger than announced, the frames read are replayed and the rest streams through, also
/// untagged.
///
/// Response bodies must be [`Unpin`] (hyper's, axum's and tower-http's bodies are): the body is
/// polled here and then handed on in the response.
///
/// # Examples
///
/// ```
/// use etagcore::ContentTag;
/// use etagcore_http::{TaggedEncoding, layer::ContentEtagLayer};
/// use http::{Request, Response};
/// use http_body_util::Full;
/// use tower::{ServiceBuilder, ServiceExt};
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() {
/// let service = ServiceBuilder::new().layer(ContentEtagLayer::new()).service_fn(|_| async {
///     Ok::<_, std::convert::Infallible>(Response::new(Full::<bytes::Bytes>::from("<h1>hello</h1>")))
/// });
/// let response = service.oneshot(Request::new(())).await.unwrap();
/// assert_eq!(response.headers()["etag"], ContentTag::of(b"<h1>hello</h1>").as_str());
/// assert_eq!(response.extensions().get(), Some(&TaggedEncoding(None)));
/// # }
/// ```
#[derive(Clone, Copy, Debug)]
pub struct ContentEtagLayer {
    limit: u64,
}

impl ContentEtagLayer {
    /// The default [`limit`](Self::limit): 1 MiB.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(etagcore_http::layer::ContentEtagLayer::DEFAULT_LIMIT, 1 << 20);
    /// ```
    pub const DEFAULT_LIMIT: u64 = 1 << 20;

    /// A layer that tags bodies of up to [`DEFAULT_LIMIT`](Self::DEFAULT_LIMIT) bytes.
    ///
    /// # Examples
    ///
    /// ```
    /// let layer = etagcore_http::layer::ContentEtagLayer::new();
    /// ```
    #[must_use]
    pub const fn new() -> Self {
        Self {
            limit: Self::DEFAULT_LIMIT,
        }
    }

    /// The largest body that is tagged, in bytes: at most this much is held in memory per
    /// response. Bodies announcing more stream through untagged.
    ///
    /// # Examples
    ///
    /// ```
    /// use etagcore_http::layer::ContentEtagLayer;
    /// use http::{Request, Response};
    /// use http_body_util::Full;
    /// use tower::{ServiceBuilder, ServiceExt};
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// let service = ServiceBuilder::new().layer(ContentEtagLayer::new().limit(4)).service_fn(|_| async {
    ///     Ok::<_, std::convert::Infallible>(Response::new(Full::<bytes::Bytes>::from("hello")))
    /// });
    /// let response = service.oneshot(Request::new(())).await.unwrap();
    /// assert!(!response.headers().contains_key("etag")); // 5 bytes > 4
    /// # }
    /// ```
    #[must_use]
    pub const fn limit(mut self, bytes: u64) -> Self {
        self.limit = bytes;
        self
    }
}

impl Default for ContentEtagLayer {
    fn default() -> Self {
        Self::new()
    }
}

impl<S> Layer<S> for ContentEtagLayer {
    type Service = ContentEtag<S>;

    fn layer(&self, inner: S) -> ContentEtag<S> {
        ContentEtag {
            inner,
            limit: self.limit,
        }
    }
}

/// The service of [`ContentEtagLayer`].
///
/// # Examples
///
/// ```
/// use etagcore_http::layer::{ContentEtag, ContentEtagLayer};
/// use tower::Layer;
///
/// let service: ContentEtag<_> = ContentEtagLayer::new().layer(tower::service_fn(|()| async {
///     Ok::<_, std::convert::Infallible>(http::Response::new(String::new()))
/// }));
/// ```
#[derive(Clone, Copy, Debug)]
pub struct ContentEtag<S> {
    inner: S,
    limit: u64,
}

impl<S, ReqBody, ResBody> Service<Request<ReqBody>> for ContentEtag<S>
where
    S: Service<Request<ReqBody>, Response = Response<ResBody>>,
    ResBody: Body + Unpin,
{
    type Response = Response<ContentEtagBody<ResBody>>;
    type Error = S::Error;
    type Future = ContentEtagFuture<S::Future, ResBody>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), S::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: Request<ReqBody>) -> Self::Future {
        let get = request.method() == Method::GET;
        ContentEtagFuture {
            inner: self.inner.call(request),
            state: State::Waiting {
                get,
                limit: self.limit,
            },
        }
    }
}

pin_project! {
    /// Response future of [`ContentEtag`]: waits for the inner response, then, for a response
    /// to tag, reads its body.
    ///
    /// # Examples
    ///
    /// ```
    /// use etagcore_http::layer::{ContentEtagBody, ContentEtagFuture, ContentEtagLayer};
    /// use http::{Request, Response};
    /// use tower::{Layer, Service};
    ///
    /// let mut service = ContentEtagLayer::new().layer(tower::service_fn(|_: Request<()>| {
    ///     std::future::ready(Ok::<_, std::convert::Infallible>(Response::new(String::new())))
    /// }));
    /// let future: ContentEtagFuture<_, String> = service.call(Request::new(()));
    /// ```
    #[derive(Debug)]
    pub struct ContentEtagFuture<F, B> {
        #[pin]
        inner: F,
        state: State<B>,
    }
}

#[derive(Debug)]
#[allow(
    clippy::large_enum_variant,
    reason = "a future's states: boxing the largest would allocate for every tagged response"
)]
enum State<B> {
    /// The inner future has not answered yet.
    Waiting { get: bool, limit: u64 },
    /// Reading the body of a response to tag.
    Buffering(Buffering<B>),
    /// The response has been handed on.
    Done,
}

#[derive(Debug)]
struct Buffering<B> {
    parts: Parts,
    body: B,
    chunks: Chunks,
    trailers: Option<HeaderMap>,
    limit: u64,
}

/// How reading a body to tag ended.
enum Outcome<E> {
    /// The body ended (or sent its trailers) within the limit: tag it.
    Complete,
    /// The body sent more than the limit after all: replay and stream the rest, untagged.
    Overflow,
    /// The body failed: replay what was read, then the error, untagged.
    Failed(E),
}

impl<F, B, E> Future for ContentEtagFuture<F, B>
where
    F: Future<Output = Result<Response<B>, E>>,
    B: Body + Unpin,
{
    type Output = Result<Response<ContentEtagBody<B>>, E>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.project();
        if let State::Waiting { get, limit } = *this.state {
            let mut response = ready!(this.inner.poll(cx))?;
            record_own_etag(&mut response);
            if !(get && to_tag(&response, limit)) {
                *this.state = State::Done;
                return Poll::Ready(Ok(response.map(ContentEtagBody::passthrough)));
            }
            let (parts, body) = response.into_parts();
            *this.state = State::Buffering(Buffering {
                parts,
                body,
                chunks: Chunks::default(),
                trailers: None,
                limit,
            });
        }
        let State::Buffering(buffering) = this.state else {
            // Polled again after it answered: nothing more will ever come.
            return Poll::Pending;
        };
        let outcome = ready!(buffering.read(cx));
        match mem::replace(this.state, State::Done) {
            State::Buffering(buffering) => Poll::Ready(Ok(buffering.finish(outcome))),
            State::Waiting { .. } | State::Done => Poll::Pending,
        }
    }
}

/// A handler's own `ETag` describes the bytes it sent, with the `Content-Encoding` it sent.
fn record_own_etag<B>(response: &mut Response<B>) {
    if response.headers().contains_key(ETAG)
        && response.extensions().get::<TaggedEncoding>().is_none()
    {
        let encoding = response.headers().get(CONTENT_ENCODING).cloned();
        response.extensions_mut().insert(TaggedEncoding(encoding));
    }
}

/// Whether the response to a `GET` is one this layer tags.
fn to_tag<B: Body>(response: &Response<B>, limit: u64) -> bool {
    response.status() == StatusCode::OK
        && !response.headers().contains_key(ETAG)
        && response
            .body()
            .size_hint()
            .exact()
            .is_some_and(|size| size <= limit)
}

impl<B: Body + Unpin> Buffering<B> {
    fn read(&mut self, cx: &mut Context<'_>) -> Poll<Outcome<B::Error>> {
        for _ in 0..FRAMES_PER_POLL {
            let frame = match ready!(Pin::new(&mut self.body).poll_frame(cx)) {
                None => return Poll::Ready(Outcome::Complete),
                Some(Err(error)) => return Poll::Ready(Outcome::Failed(error)),
                Some(Ok(frame)) => frame,
            };
            match frame.into_data() {
                Ok(mut data) => {
                    self.chunks.push(data.copy_to_bytes(data.remaining()));
                    if self.chunks.len() > self.limit {
                        return Poll::Ready(Outcome::Overflow);
                    }
                }
                Err(frame) => {
                    // Trailers are the last frame of a body; another kind of frame carries no
                    // content and is dropped.
                    if let Ok(trailers) = frame.into_trailers() {
                        self.trailers = Some(trailers);
                        return Poll::Ready(Outcome::Complete);
                    }
                }
            }
        }
        cx.waker().wake_by_ref();
        Poll::Pending
    }

    fn finish(self, outcome: Outcome<B::Error>) -> Response<ContentEtagBody<B>> {
        let Buffering {
            mut parts,
            body,
            chunks,
            trailers,
            ..
        } = self;
        let body = match outcome {
            Outcome::Complete => {
                let tag = chunks.tag();
                if let Ok(value) = HeaderValue::from_str(tag.as_str()) {
                    let encoding = parts.headers.get(CONTENT_ENCODING).cloned();
                    parts.headers.insert(ETAG, value);
                    parts.extensions.insert(TaggedEncoding(encoding));
                }
                ContentEtagBody::replay(chunks, trailers, None, None)
            }
            Outcome::Overflow => ContentEtagBody::replay(chunks, None, None, Some(body)),
            Outcome::Failed(error) => ContentEtagBody::replay(chunks, None, Some(error), None),
        };
        Response::from_parts(parts, body)
    }
}
