//! The two middlewares: [`ContentEtag`] tags bodies (and evaluates the conditions when it is
//! alone), [`Preconditions`] evaluates outermost, outside actix-web's `Compress`.

use std::future::{Future, Ready, ready};
use std::pin::Pin;
use std::task::{Context, Poll};

use actix_web::body::{BodySize, BoxBody, EitherBody, MessageBody};
use actix_web::dev::{Service, ServiceRequest, ServiceResponse, Transform};
use actix_web::http::header::{self, HeaderValue};
use actix_web::http::{Method, StatusCode};
use actix_web::web::{Bytes, BytesMut};
use actix_web::{Error, HttpMessage, HttpRequest, HttpResponse};
use etagcore::{ContentTag, Decision};
use pin_project_lite::pin_project;

use crate::{Conditions, TaggedEncoding, not_modified, precondition_failed, representation};
use crate::{unix_now, weaken_etag};

/// A request extension set by [`Preconditions`]: an outer middleware evaluates the conditions,
/// so [`ContentEtag`] and the static-file service only tag.
#[derive(Clone, Copy, Debug)]
pub(crate) struct EvaluatedOutside;

/// The default most bytes [`ContentEtag`] buffers to tag a body: 1 MiB.
///
/// # Examples
///
/// ```
/// assert_eq!(etagcore_actix::DEFAULT_LIMIT, 1024 * 1024);
/// ```
pub const DEFAULT_LIMIT: usize = 1 << 20;

/// Middleware: the strong content ETag of each `GET` 200 response, and the request's
/// conditions evaluated against it.
///
/// - A `GET` 200 response without an `ETag` whose body has a known size of at most
///   [`limit`](Self::limit) bytes is buffered and gets `ETag: "<XXH3-128 hex>"`, the same on
///   every server. A body of unknown size (a stream) or a larger one goes through untouched,
///   untagged and unbuffered.
/// - An `ETag` the handler set is kept exactly as it was sent, and is what the conditions are
///   evaluated against (a malformed one counts as no tag).
/// - For `GET` and `HEAD` 200 (and 206) responses, all five conditional fields are evaluated in
///   the order of RFC 9110 section 13.2.2: 304 with the fields section 15.4.5 keeps (no `Content-*`, no
///   `Last-Modified` beside an `ETag`), or 412 with an empty body. Other methods are not
///   evaluated here: their handler has already run (use [`Checked`](crate::Checked)).
///
/// # With `Compress`
///
/// A body compressed on the fly is another representation: it must not carry the strong tag of
/// the identity bytes. Tag next to the handler, compress, and evaluate outermost with
/// [`Preconditions`]; in actix-web the last `wrap` is the outermost:
///
/// ```
/// use actix_web::{App, middleware::Compress, web};
/// use etagcore_actix::{ContentEtag, Preconditions};
///
/// let app = App::new()
///     .wrap(ContentEtag::new())   // innermost: tags the identity bytes
///     .wrap(Compress::default())  // gzip on the fly
///     .wrap(Preconditions::new()) // outermost: W/"<same hex>" on gzip bodies, then 304 / 412
///     .route("/", web::get().to(|| async { "hello" }));
/// ```
///
/// `ContentEtag` alone inside `Compress` sends the identity's strong tag on gzip bodies, and its
/// 304s lack `Vary`; alone outside `Compress` it sees compressed streams of unknown size and
/// tags none of them.
///
/// # Examples
///
/// ```
/// use actix_web::{App, test, web};
/// use etagcore::ContentTag;
/// use etagcore_actix::ContentEtag;
///
/// # actix_web::rt::System::new().block_on(async {
/// let app = test::init_service(
///     App::new().wrap(ContentEtag::new()).route("/", web::get().to(|| async { "hello" })),
/// ).await;
/// let res = test::call_service(&app, test::TestRequest::get().uri("/").to_request()).await;
/// assert_eq!(res.headers().get("etag").unwrap(), ContentTag::of(b"hello").as_str());
///
/// let req = test::TestRequest::get()
///     .uri("/")
///     .insert_header(("if-none-match", ContentTag::of(b"hello").as_str()))
///     .to_request();
/// assert_eq!(test::call_service(&app, req).await.status(), 304);
/// # });
/// ```
#[derive(Clone, Copy, Debug)]
pub struct ContentEtag {
    limit: usize,
}

impl Default for ContentEtag {
    fn default() -> Self {
        ContentEtag::new()
    }
}

impl ContentEtag {
    /// Tags bodies of up to [`DEFAULT_LIMIT`] bytes.
    ///
    /// # Examples
    ///
    /// ```
    /// let tagger = etagcore_actix::ContentEtag::new();
    /// ```
    pub fn new() -> Self {
        ContentEtag {
            limit: DEFAULT_LIMIT,
        }
    }

    /// Tags bodies of up to `bytes` bytes; larger ones stream through untagged.
    ///
    /// # Examples
    ///
    /// ```
    /// let tagger = etagcore_actix::ContentEtag::new().limit(64 * 1024);
    /// ```
    pub fn limit(self, bytes: usize) -> Self {
        ContentEtag { limit: bytes }
    }
}

impl<S, B> Transform<S, ServiceRequest> for ContentEtag
where
    S: Service<ServiceRequest, Response = ServiceResponse<B>, Error = Error>,
    B: MessageBody,
{
    type Response = ServiceResponse<EitherBody<B>>;
    type Error = Error;
    type Transform = ContentEtagMiddleware<S>;
    type InitError = ();
    type Future = Ready<Result<Self::Transform, Self::InitError>>;

    fn new_transform(&self, service: S) -> Self::Future {
        ready(Ok(ContentEtagMiddleware {
            service,
            limit: self.limit,
        }))
    }
}

/// The service [`ContentEtag`] wraps around the inner one.
///
/// # Examples
///
/// ```
/// use actix_web::dev::{Service, ServiceRequest, Transform, fn_service};
/// use actix_web::{HttpResponse, test};
/// use etagcore::ContentTag;
/// use etagcore_actix::{ContentEtag, ContentEtagFuture, ContentEtagMiddleware};
///
/// # actix_web::rt::System::new().block_on(async {
/// let handler = fn_service(|req: ServiceRequest| async {
///     Ok::<_, actix_web::Error>(req.into_response(HttpResponse::Ok().body("hi")))
/// });
/// let service: ContentEtagMiddleware<_> = ContentEtag::new().new_transform(handler).await.unwrap();
/// let future: ContentEtagFuture<_, _> = service.call(test::TestRequest::get().to_srv_request());
/// let res = future.await.unwrap();
/// assert_eq!(res.headers().get("etag").unwrap(), ContentTag::of(b"hi").as_str());
/// # });
/// ```
#[derive(Debug)]
pub struct ContentEtagMiddleware<S> {
    service: S,
    limit: usize,
}

impl<S, B> Service<ServiceRequest> for ContentEtagMiddleware<S>
where
    S: Service<ServiceRequest, Response = ServiceResponse<B>, Error = Error>,
    B: MessageBody,
{
    type Response = ServiceResponse<EitherBody<B>>;
    type Error = Error;
    type Future = ContentEtagFuture<S::Future, B>;

    actix_web::dev::forward_ready!(service);

    fn call(&self, req: ServiceRequest) -> Self::Future {
        let get = req.method() == Method::GET;
        let evaluate = !req.extensions().contains::<EvaluatedOutside>();
        ContentEtagFuture {
            state: State::Call {
                fut: self.service.call(req),
            },
            limit: self.limit,
            get,
            evaluate,
        }
    }
}

pin_project! {
    /// The response future of [`ContentEtagMiddleware`]: the inner service's response, its
    /// body collected and tagged when it qualifies, then evaluated.
    ///
    /// # Examples
    ///
    /// ```
    /// use actix_web::dev::{Service, ServiceRequest, Transform, fn_service};
    /// use actix_web::{HttpResponse, test};
    /// use etagcore::ContentTag;
    /// use etagcore_actix::ContentEtag;
    ///
    /// # actix_web::rt::System::new().block_on(async {
    /// let handler = fn_service(|req: ServiceRequest| async {
    ///     Ok::<_, actix_web::Error>(req.into_response(HttpResponse::Ok().body("hi")))
    /// });
    /// let service = ContentEtag::new().new_transform(handler).await.unwrap();
    /// let req = test::TestRequest::get()
    ///     .insert_header(("if-none-match", ContentTag::of(b"hi").as_str()))
    ///     .to_srv_request();
    /// assert_eq!(service.call(req).await.unwrap().status(), 304);
    /// # });
    /// ```
    pub struct ContentEtagFuture<F, B> {
        #[pin]
        state: State<F, B>,
        limit: usize,
        get: bool,
        evaluate: bool,
    }
}

pin_project! {
    #[project = StateProj]
    #[project_replace = StateOwned]
    enum State<F, B> {
        Call { #[pin] fut: F },
        Collect {
            #[pin]
            body: B,
            req: HttpRequest,
            head: HttpResponse<()>,
            buf: BytesMut,
        },
        Done,
    }
}

impl<F, B> Future for ContentEtagFuture<F, B>
where
    F: Future<Output = Result<ServiceResponse<B>, Error>>,
    B: MessageBody,
{
    type Output = Result<ServiceResponse<EitherBody<B>>, Error>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let mut this = self.project();
        loop {
            match this.state.as_mut().project() {
                StateProj::Call { fut } => {
                    let res = match fut.poll(cx) {
                        Poll::Pending => return Poll::Pending,
                        Poll::Ready(Err(err)) => {
                            this.state.set(State::Done);
                            return Poll::Ready(Err(err));
                        }
                        Poll::Ready(Ok(res)) => res,
                    };
                    let bufferable = *this.get
                        && res.status() == StatusCode::OK
                        && !res.headers().contains_key(header::ETAG)
                        && matches!(res.response().body().size(),
                            BodySize::Sized(n) if n <= *this.limit as u64);
                    if !bufferable {
                        this.state.set(State::Done);
                        return Poll::Ready(Ok(pass(res, *this.evaluate)));
                    }
                    let (req, res) = res.into_parts();
                    let (head, body) = res.into_parts();
                    match body.try_into_bytes() {
                        Ok(bytes) => {
                            this.state.set(State::Done);
                            return Poll::Ready(Ok(tagged(req, head, bytes, *this.evaluate)));
                        }
                        Err(body) => {
                            let capacity = match body.size() {
                                BodySize::Sized(n) => usize::try_from(n).unwrap_or(0),
                                _ => 0,
                            };
                            this.state.set(State::Collect {
                                body,
                                req,
                                head,
                                buf: BytesMut::with_capacity(capacity),
                            });
                        }
                    }
                }
                StateProj::Collect { body, buf, .. } => {
                    match body.poll_next(cx) {
                        Poll::Pending => return Poll::Pending,
                        Poll::Ready(Some(Ok(chunk))) => {
                            if buf.len().saturating_add(chunk.len()) > *this.limit {
                                // A body longer than the size it announced.
                                this.state.set(State::Done);
                                return Poll::Ready(Err(
                                    actix_web::error::ErrorInternalServerError(
                                        "response body longer than its announced size",
                                    ),
                                ));
                            }
                            buf.extend_from_slice(&chunk);
                        }
                        Poll::Ready(Some(Err(err))) => {
                            this.state.set(State::Done);
                            let err: Box<dyn std::error::Error> = err.into();
                            return Poll::Ready(Err(actix_web::error::ErrorInternalServerError(
                                err.to_string(),
                            )));
                        }
                        Poll::Ready(None) => {
                            if let StateOwned::Collect { req, head, buf, .. } =
                                this.state.as_mut().project_replace(State::Done)
                            {
                                return Poll::Ready(Ok(tagged(
                                    req,
                                    head,
                                    buf.freeze(),
                                    *this.evaluate,
                                )));
                            }
                            return Poll::Ready(Err(actix_web::error::ErrorInternalServerError(
                                "content tag state lost",
                            )));
                        }
                    }
                }
                StateProj::Done => {
                    return Poll::Ready(Err(actix_web::error::ErrorInternalServerError(
                        "ContentEtagFuture polled after completion",
                    )));
                }
            }
        }
    }
}

/// The buffered body, tagged, then evaluated unless an outer [`Preconditions`] will.
fn tagged<B>(
    req: HttpRequest,
    head: HttpResponse<()>,
    bytes: Bytes,
    evaluate: bool,
) -> ServiceResponse<EitherBody<B>> {
    let tag = ContentTag::of(&bytes);
    let mut res = head.set_body(BoxBody::new(bytes));
    if let Ok(value) = HeaderValue::from_bytes(tag.as_bytes()) {
        res.headers_mut().insert(header::ETAG, value);
    }
    let res = record(ServiceResponse::new(req, res));
    if !evaluate {
        return res.map_into_right_body();
    }
    match decide(res) {
        Outcome::Keep(res) | Outcome::Answer(res) => res.map_into_right_body(),
    }
}

/// Records the encoding of the response the `ETag` belongs to (see [`TaggedEncoding`]).
fn record<X>(mut res: ServiceResponse<X>) -> ServiceResponse<X> {
    if res.headers().contains_key(header::ETAG) {
        let encoding = TaggedEncoding::of(res.headers());
        res.response_mut().extensions_mut().insert(encoding);
    }
    res
}

/// A response that is not buffered: recorded, then evaluated unless deferred.
fn pass<B>(res: ServiceResponse<B>, evaluate: bool) -> ServiceResponse<EitherBody<B>> {
    let res = record(res);
    if !evaluate {
        return res.map_into_left_body();
    }
    decide(res).into_either()
}

/// One `Vary` line per value: `Compress` appends `accept-encoding` to a response that already
/// varies by it (a static-file service with precompressed siblings says so too).
fn dedupe_vary(headers: &mut header::HeaderMap) {
    let mut lines = headers.get_all(header::VARY);
    if lines.next().is_none() || lines.next().is_none() {
        return;
    }
    let mut kept: Vec<HeaderValue> = Vec::new();
    for value in headers.get_all(header::VARY) {
        if !kept
            .iter()
            .any(|k| k.as_bytes().eq_ignore_ascii_case(value.as_bytes()))
        {
            kept.push(value.clone());
        }
    }
    headers.remove(header::VARY);
    for value in kept {
        headers.append(header::VARY, value);
    }
}

/// What the evaluation does to a response.
enum Outcome<X> {
    /// The response goes out as it is.
    Keep(ServiceResponse<X>),
    /// A 304 or 412 replaces it.
    Answer(ServiceResponse<BoxBody>),
}

impl<X> Outcome<X> {
    fn into_either(self) -> ServiceResponse<EitherBody<X>> {
        match self {
            Outcome::Keep(res) => res.map_into_left_body(),
            Outcome::Answer(answered) => answered.map_into_right_body(),
        }
    }
}

/// The decision for a `GET` or `HEAD` 200 response, or a 206 an inner service made (the
/// conditions come before the range: a matching `If-None-Match` is a 304 whatever `Range` says).
fn decide<X>(res: ServiceResponse<X>) -> Outcome<X> {
    let req = res.request();
    let applies = matches!(*req.method(), Method::GET | Method::HEAD)
        && matches!(res.status(), StatusCode::OK | StatusCode::PARTIAL_CONTENT);
    let conditions = Conditions::new(req.method(), req.headers());
    if !applies || !conditions.is_conditional() {
        return Outcome::Keep(res);
    }
    let now = unix_now();
    let decision = conditions.evaluate(Some(&representation(res.headers(), now)), now);
    match decision {
        Decision::NotModified => {
            let (req, res) = res.into_parts();
            Outcome::Answer(ServiceResponse::new(req, not_modified(res)))
        }
        Decision::PreconditionFailed => {
            let (req, _) = res.into_parts();
            Outcome::Answer(ServiceResponse::new(req, precondition_failed()))
        }
        _ => Outcome::Keep(res),
    }
}

/// Middleware: the request's conditions evaluated outermost, after every transformation of the
/// response (see [`ContentEtag`] for the order with `Compress`).
///
/// When a response's `Content-Encoding` differs from the one its `ETag` was computed for
/// ([`TaggedEncoding`], recorded by [`ContentEtag`] and the static-file service), the `ETag`
/// becomes `W/"<same>"`. Then, for `GET` and `HEAD` 200 and 206 responses, all five conditional
/// fields are evaluated against the response's `ETag` and `Last-Modified` (304 or 412 as for
/// [`ContentEtag`]). Inner [`ContentEtag`]s and [`TaggedFiles`](crate::fs::TaggedFiles) then
/// only tag.
///
/// # Examples
///
/// ```
/// use actix_web::{App, HttpResponse, test, web};
/// use etagcore_actix::Preconditions;
///
/// # actix_web::rt::System::new().block_on(async {
/// // A handler that sets its own validators.
/// let app = test::init_service(App::new().wrap(Preconditions::new()).route(
///     "/",
///     web::get().to(|| async { HttpResponse::Ok().insert_header(("etag", "\"v7\"")).body("seven") }),
/// ))
/// .await;
/// let req = test::TestRequest::get().uri("/").insert_header(("if-none-match", "\"v7\"")).to_request();
/// assert_eq!(test::call_service(&app, req).await.status(), 304);
/// # });
/// ```
#[derive(Clone, Copy, Debug, Default)]
pub struct Preconditions {
    _private: (),
}

impl Preconditions {
    /// The middleware.
    ///
    /// # Examples
    ///
    /// ```
    /// let outermost = etagcore_actix::Preconditions::new();
    /// ```
    pub fn new() -> Self {
        Preconditions { _private: () }
    }
}

impl<S, B> Transform<S, ServiceRequest> for Preconditions
where
    S: Service<ServiceRequest, Response = ServiceResponse<B>, Error = Error>,
    B: MessageBody,
{
    type Response = ServiceResponse<EitherBody<B>>;
    type Error = Error;
    type Transform = PreconditionsMiddleware<S>;
    type InitError = ();
    type Future = Ready<Result<Self::Transform, Self::InitError>>;

    fn new_transform(&self, service: S) -> Self::Future {
        ready(Ok(PreconditionsMiddleware { service }))
    }
}

/// The service [`Preconditions`] wraps around the inner one.
///
/// # Examples
///
/// ```
/// use actix_web::dev::{Service, ServiceRequest, Transform, fn_service};
/// use actix_web::{HttpResponse, test};
/// use etagcore_actix::{Preconditions, PreconditionsFuture, PreconditionsMiddleware};
///
/// # actix_web::rt::System::new().block_on(async {
/// let handler = fn_service(|req: ServiceRequest| async {
///     let res = HttpResponse::Ok().insert_header(("etag", "\"v1\"")).body("one");
///     Ok::<_, actix_web::Error>(req.into_response(res))
/// });
/// let service: PreconditionsMiddleware<_> = Preconditions::new().new_transform(handler).await.unwrap();
/// let req = test::TestRequest::get().insert_header(("if-match", "\"v0\"")).to_srv_request();
/// let future: PreconditionsFuture<_> = service.call(req);
/// assert_eq!(future.await.unwrap().status(), 412);
/// # });
/// ```
#[derive(Debug)]
pub struct PreconditionsMiddleware<S> {
    service: S,
}

impl<S, B> Service<ServiceRequest> for PreconditionsMiddleware<S>
where
    S: Service<ServiceRequest, Response = ServiceResponse<B>, Error = Error>,
    B: MessageBody,
{
    type Response = ServiceResponse<EitherBody<B>>;
    type Error = Error;
    type Future = PreconditionsFuture<S::Future>;

    actix_web::dev::forward_ready!(service);

    fn call(&self, req: ServiceRequest) -> Self::Future {
        req.extensions_mut().insert(EvaluatedOutside);
        PreconditionsFuture {
            fut: self.service.call(req),
        }
    }
}

pin_project! {
    /// The response future of [`PreconditionsMiddleware`]: the inner service's response, its
    /// tag weakened when it was compressed after tagging, then evaluated.
    ///
    /// # Examples
    ///
    /// ```
    /// use actix_web::dev::{Service, ServiceRequest, Transform, fn_service};
    /// use actix_web::{HttpResponse, test};
    /// use etagcore_actix::Preconditions;
    ///
    /// # actix_web::rt::System::new().block_on(async {
    /// let handler = fn_service(|req: ServiceRequest| async {
    ///     let res = HttpResponse::Ok().insert_header(("etag", "\"v1\"")).body("one");
    ///     Ok::<_, actix_web::Error>(req.into_response(res))
    /// });
    /// let service = Preconditions::new().new_transform(handler).await.unwrap();
    /// let req = test::TestRequest::get().insert_header(("if-none-match", "\"v1\"")).to_srv_request();
    /// assert_eq!(service.call(req).await.unwrap().status(), 304);
    /// # });
    /// ```
    pub struct PreconditionsFuture<F> {
        #[pin]
        fut: F,
    }
}

impl<F, B> Future for PreconditionsFuture<F>
where
    F: Future<Output = Result<ServiceResponse<B>, Error>>,
    B: MessageBody,
{
    type Output = Result<ServiceResponse<EitherBody<B>>, Error>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let mut res = match self.project().fut.poll(cx) {
            Poll::Pending => return Poll::Pending,
            Poll::Ready(Err(err)) => return Poll::Ready(Err(err)),
            Poll::Ready(Ok(res)) => res,
        };
        let transformed = res
            .response()
            .extensions()
            .get::<TaggedEncoding>()
            .is_some_and(|tagged| !tagged.matches(res.headers()));
        if transformed {
            weaken_etag(res.headers_mut());
        }
        dedupe_vary(res.headers_mut());
        Poll::Ready(Ok(decide(res).into_either()))
    }
}
