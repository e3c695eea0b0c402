//! `PreconditionLayer`: RFC 9110 conditions against the response the client would receive.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll, ready};

use etagcore::{Decision, EntityTag};
use http::header::{
    self, CONTENT_ENCODING, ETAG, HeaderName, IF_MATCH, IF_MODIFIED_SINCE, IF_NONE_MATCH, IF_RANGE,
    IF_UNMODIFIED_SINCE, RANGE,
};
use http::{HeaderMap, HeaderValue, Method, Request, Response};
use pin_project_lite::pin_project;
use tower_layer::Layer;
use tower_service::Service;

use super::body::PreconditionBody;
use crate::{
    Conditions, TaggedEncoding, not_modified, precondition_failed, representation, unix_now,
};

/// The request fields that conditions read.
const FIELDS: [HeaderName; 6] = [
    IF_MATCH,
    IF_NONE_MATCH,
    IF_MODIFIED_SINCE,
    IF_UNMODIFIED_SINCE,
    IF_RANGE,
    RANGE,
];

/// Evaluates a `GET` or `HEAD` request's conditions (RFC 9110 section 13.2.2) against the
/// validators of the response the client would receive, and answers 304 or 412 in its place.
///
/// Put it **outermost**, outside any compression layer (see the [module docs](super)): it then
/// sees the final `Content-Encoding` and `ETag`, and a 304 or 412 is decided before any
/// compressor runs.
///
/// For every response, first: an `ETag` recorded by a [`TaggedEncoding`] for another
/// `Content-Encoding` than the response now has (compressed on the fly after it was tagged) is
/// sent in its weak form, `W/` with the same opaque part (RFC 9110 section 8.8.1). A response
/// whose `Content-Encoding` is the recorded one (identity, or a precompressed file) keeps its
/// strong tag; a response without a [`TaggedEncoding`] is left as it is.
///
/// Then, for a `GET` or `HEAD` with conditional fields and a 2xx response:
/// - 304 Not Modified: the response's header fields that RFC 9110 section 15.4.5 keeps (`ETag`,
///   `Vary`, `Cache-Control`, `Date`...; no `Content-*`, no `Last-Modified` beside an `ETag`)
///   and an empty body;
/// - 412 Precondition Failed (`If-Match` or `If-Unmodified-Since` false): empty, no fields;
/// - otherwise the response as it is (200, or the inner service's 206 for a range).
///
/// In both refusals the inner body is dropped without being polled. Responses other than 2xx
/// ignore the conditions (section 13.2.1), and so do other methods: by the time a response
/// layer sees the answer to a `PUT`, `POST` or `DELETE`, the handler has already written, and
/// the response carries the *new* tag, so a 412 would report a failure that did not happen.
/// Guard state-changing methods in the handler, before the write, with [`guard`](crate::guard).
///
/// # Examples
///
/// ```
/// use etagcore_http::layer::PreconditionLayer;
/// use http::{Request, Response};
/// use tower::{ServiceBuilder, ServiceExt};
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() {
/// let service = ServiceBuilder::new().layer(PreconditionLayer::new()).service_fn(|_| async {
///     let response = Response::builder().header("etag", "\"v1\"").body(String::from("hello"));
///     Ok::<_, http::Error>(response?)
/// });
/// let request = Request::builder().header("if-none-match", "\"v1\"").body(()).unwrap();
/// let response = service.oneshot(request).await.unwrap();
/// assert_eq!(response.status(), 304);
/// assert_eq!(response.headers()["etag"], "\"v1\"");
/// # }
/// ```
#[derive(Clone, Copy, Debug)]
pub struct PreconditionLayer {
    clock: fn() -> i64,
}

impl PreconditionLayer {
    /// A layer whose clock is [`unix_now`].
    ///
    /// # Examples
    ///
    /// ```
    /// let layer = etagcore_http::layer::PreconditionLayer::new();
    /// ```
    #[must_use]
    pub const fn new() -> Self {
        Self { clock: unix_now }
    }

    /// Another clock, in seconds since the epoch: the `now` of the evaluation. A
    /// `Last-Modified` later than `now` counts as `now` (RFC 9110 section 8.8.2.1), and
    /// two-digit years are resolved against it. For tests, or a server that caches its `Date`.
    ///
    /// # Examples
    ///
    /// ```
    /// use etagcore_http::layer::PreconditionLayer;
    /// use http::{Request, Response};
    /// use tower::{ServiceBuilder, ServiceExt};
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// let service = |clock: fn() -> i64| {
    ///     ServiceBuilder::new().layer(PreconditionLayer::new().clock(clock)).service_fn(|_| async {
    ///         let modified = "Wed, 21 Oct 2015 07:28:00 GMT";
    ///         Ok::<_, http::Error>(Response::builder().header("last-modified", modified).body(String::new())?)
    ///     })
    /// };
    /// let request = || {
    ///     let cached = "Wed, 21 Oct 2015 07:27:00 GMT";
    ///     Request::builder().header("if-modified-since", cached).body(()).unwrap()
    /// };
    /// let in_2026 = service(|| 1_767_225_600).oneshot(request()).await.unwrap();
    /// assert_eq!(in_2026.status(), 200); // modified a minute after the cached copy
    /// let at_07_27 = service(|| 1_445_412_420).oneshot(request()).await.unwrap();
    /// assert_eq!(at_07_27.status(), 304); // a modification time in the future counts as now
    /// # }
    /// ```
    #[must_use]
    pub const fn clock(mut self, clock: fn() -> i64) -> Self {
        self.clock = clock;
        self
    }
}

impl Default for PreconditionLayer {
    fn default() -> Self {
        Self::new()
    }
}

impl<S> Layer<S> for PreconditionLayer {
    type Service = Precondition<S>;

    fn layer(&self, inner: S) -> Precondition<S> {
        Precondition {
            inner,
            clock: self.clock,
        }
    }
}

/// The service of [`PreconditionLayer`].
///
/// # Examples
///
/// ```
/// use etagcore_http::layer::{Precondition, PreconditionLayer};
/// use tower::Layer;
///
/// let service: Precondition<_> = PreconditionLayer::new().layer(tower::service_fn(|()| async {
///     Ok::<_, std::convert::Infallible>(http::Response::new(String::new()))
/// }));
/// ```
#[derive(Clone, Copy, Debug)]
pub struct Precondition<S> {
    inner: S,
    clock: fn() -> i64,
}

impl<S, ReqBody, ResBody> Service<Request<ReqBody>> for Precondition<S>
where
    S: Service<Request<ReqBody>, Response = Response<ResBody>>,
{
    type Response = Response<PreconditionBody<ResBody>>;
    type Error = S::Error;
    type Future = PreconditionFuture<S::Future>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), S::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: Request<ReqBody>) -> Self::Future {
        let conditions = Captured::of(request.method(), request.headers());
        PreconditionFuture {
            inner: self.inner.call(request),
            conditions,
            clock: self.clock,
        }
    }
}

/// The conditional fields of a `GET` or `HEAD` request, kept until its response: the request
/// itself has gone to the inner service. Only conditional requests pay for the copy.
#[derive(Debug)]
struct Captured {
    method: Method,
    headers: HeaderMap,
}

impl Captured {
    fn of(method: &Method, headers: &HeaderMap) -> Option<Self> {
        if (method != Method::GET && method != Method::HEAD)
            || !Conditions::new(method, headers).is_conditional()
        {
            return None;
        }
        let mut kept = HeaderMap::new();
        for name in FIELDS {
            for value in headers.get_all(&name) {
                kept.append(name.clone(), value.clone());
            }
        }
        Some(Captured {
            method: method.clone(),
            headers: kept,
        })
    }
}

pin_project! {
    /// Response future of [`Precondition`].
    ///
    /// # Examples
    ///
    /// ```
    /// use etagcore_http::layer::{PreconditionFuture, PreconditionLayer};
    /// use http::{Request, Response};
    /// use tower::{Layer, Service};
    ///
    /// let mut service = PreconditionLayer::new().layer(tower::service_fn(|_: Request<()>| {
    ///     std::future::ready(Ok::<_, std::convert::Infallible>(Response::new(String::new())))
    /// }));
    /// let future: PreconditionFuture<_> = service.call(Request::new(()));
    /// ```
    #[derive(Debug)]
    pub struct PreconditionFuture<F> {
        #[pin]
        inner: F,
        conditions: Option<Captured>,
        clock: fn() -> i64,
    }
}

impl<F, B, E> Future for PreconditionFuture<F>
where
    F: Future<Output = Result<Response<B>, E>>,
{
    type Output = Result<Response<PreconditionBody<B>>, E>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.project();
        let mut response = ready!(this.inner.poll(cx))?;
        weaken_if_recoded(&mut response);
        let Some(captured) = this.conditions.take() else {
            return Poll::Ready(Ok(response.map(PreconditionBody::new)));
        };
        if !response.status().is_success() {
            return Poll::Ready(Ok(response.map(PreconditionBody::new)));
        }
        let now = (this.clock)();
        let current = representation(response.headers(), now);
        let decision =
            Conditions::new(&captured.method, &captured.headers).evaluate(Some(&current), now);
        Poll::Ready(Ok(match decision {
            Decision::NotModified => {
                // The body is dropped here, never polled: no compressor runs for a 304.
                let (parts, _body) = response.into_parts();
                not_modified(parts)
            }
            Decision::PreconditionFailed => precondition_failed(),
            _ => response.map(PreconditionBody::new),
        }))
    }
}

/// `W/` before a strong `ETag` whose bytes had another `Content-Encoding` (recorded in the
/// [`TaggedEncoding`]) than the response has now.
fn weaken_if_recoded<B>(response: &mut Response<B>) {
    let Some(TaggedEncoding(tagged)) = response.extensions().get::<TaggedEncoding>() else {
        return;
    };
    if same_encoding(response.headers(), tagged.as_ref()) {
        return;
    }
    let mut etags = response.headers().get_all(ETAG).iter();
    let (Some(etag), None) = (etags.next(), etags.next()) else {
        return;
    };
    if !EntityTag::parse(etag.as_bytes()).is_ok_and(|tag| !tag.is_weak()) {
        return;
    }
    let mut weak = Vec::with_capacity(etag.len().saturating_add(2));
    weak.extend_from_slice(b"W/");
    weak.extend_from_slice(etag.as_bytes());
    if let Ok(weak) = HeaderValue::from_bytes(&weak) {
        response.headers_mut().insert(header::ETAG, weak);
    }
}

/// Whether the response's `Content-Encoding` is the recorded one. Several field lines never
/// are: when in doubt, weaken (a weak tag is never wrong, only less useful).
fn same_encoding(headers: &HeaderMap, tagged: Option<&HeaderValue>) -> bool {
    let mut lines = headers.get_all(CONTENT_ENCODING).iter();
    match (tagged, lines.next(), lines.next()) {
        (None, None, _) => true,
        (Some(tagged), Some(line), None) => tagged.as_bytes().eq_ignore_ascii_case(line.as_bytes()),
        _ => false,
    }
}
