//! State-changing methods: the conditions evaluated against the application's current tag
//! *before* the handler runs.
//!
//! A response middleware cannot protect a `PUT`, `PATCH` or `DELETE`: by the time it sees the
//! response, the handler has written (the failure of the published `etag-actix-middleware`).
//! RFC 9110 section 13.2.1 asks the server to evaluate the preconditions before performing the
//! method: the [`Checked`] extractor does, and a handler that takes it never runs when they
//! fail.

use std::fmt;
use std::future::Future;
use std::marker::PhantomData;
use std::pin::Pin;

use actix_web::body::{BoxBody, None as NoBody};
use actix_web::dev::Payload;
use actix_web::http::StatusCode;
use actix_web::http::header::{self, HeaderValue};
use actix_web::{FromRequest, HttpRequest, HttpResponse, ResponseError, web};
use etagcore::{ContentTag, Decision, EntityTag, Representation};

use crate::{Conditions, unix_now};

/// The validators of a resource as it is now: its entity tag and its modification time.
///
/// # Examples
///
/// ```
/// use etagcore::ContentTag;
/// use etagcore_actix::Current;
///
/// let current = Current::content(ContentTag::of(b"v1")).last_modified(1_445_412_480);
/// assert_eq!(current.representation().last_modified, Some(1_445_412_480));
/// assert_eq!(current.etag(), Some(ContentTag::of(b"v1").as_bytes()));
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Current {
    etag: Option<Tag>,
    last_modified: Option<i64>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
enum Tag {
    Content(ContentTag),
    Other(Box<[u8]>),
}

impl Current {
    /// A resource that exists and has no validator.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(etagcore_actix::Current::new().etag(), None);
    /// ```
    pub fn new() -> Self {
        Current::default()
    }

    /// A resource whose tag is this content tag.
    ///
    /// # Examples
    ///
    /// ```
    /// let current = etagcore_actix::Current::content(etagcore::ContentTag::of(b"x"));
    /// assert!(current.etag().is_some());
    /// ```
    pub fn content(tag: ContentTag) -> Self {
        Current {
            etag: Some(Tag::Content(tag)),
            last_modified: None,
        }
    }

    /// A resource whose tag is this `entity-tag` (`"v7"`, `W/"v7"`): a version number or a
    /// database row's revision.
    ///
    /// # Errors
    ///
    /// `value` is not an `entity-tag` (RFC 9110 section 8.8.3).
    ///
    /// # Examples
    ///
    /// ```
    /// use etagcore_actix::Current;
    ///
    /// assert!(Current::entity_tag(b"\"v7\"").is_ok());
    /// assert!(Current::entity_tag(b"v7").is_err());
    /// ```
    pub fn entity_tag(value: &[u8]) -> Result<Self, etagcore::Error> {
        EntityTag::parse(value)?;
        Ok(Current {
            etag: Some(Tag::Other(value.into())),
            last_modified: None,
        })
    }

    /// The same, last modified at `secs` since the epoch.
    ///
    /// # Examples
    ///
    /// ```
    /// let current = etagcore_actix::Current::new().last_modified(0);
    /// assert_eq!(current.representation().last_modified, Some(0));
    /// ```
    pub fn last_modified(mut self, secs: i64) -> Self {
        self.last_modified = Some(secs);
        self
    }

    /// The `ETag` field value, if any.
    ///
    /// # Examples
    ///
    /// ```
    /// let current = etagcore_actix::Current::entity_tag(b"W/\"1\"")?;
    /// assert_eq!(current.etag(), Some(&b"W/\"1\""[..]));
    /// # Ok::<(), etagcore::Error>(())
    /// ```
    pub fn etag(&self) -> Option<&[u8]> {
        match &self.etag {
            Some(Tag::Content(tag)) => Some(tag.as_bytes()),
            Some(Tag::Other(bytes)) => Some(bytes),
            None => None,
        }
    }

    /// The validators as the core sees them.
    ///
    /// # Examples
    ///
    /// ```
    /// let current = etagcore_actix::Current::entity_tag(b"\"1\"")?;
    /// assert_eq!(current.representation().etag.unwrap().opaque(), b"1");
    /// # Ok::<(), etagcore::Error>(())
    /// ```
    pub fn representation(&self) -> Representation<'_> {
        Representation {
            etag: match &self.etag {
                Some(Tag::Content(tag)) => Some(tag.entity_tag()),
                Some(Tag::Other(bytes)) => EntityTag::parse(bytes).ok(),
                None => None,
            },
            last_modified: self.last_modified,
        }
    }
}

/// What an application tells [`Checked`]: the current state of the resource a request targets.
///
/// Implement it on the type you register with `App::app_data(web::Data::new(...))`.
///
/// # Examples
///
/// ```
/// use std::collections::HashMap;
/// use std::sync::Mutex;
/// use actix_web::HttpRequest;
/// use etagcore::ContentTag;
/// use etagcore_actix::{Current, CurrentTag};
///
/// struct Docs(Mutex<HashMap<String, Vec<u8>>>);
///
/// impl CurrentTag for Docs {
///     async fn current(&self, req: &HttpRequest) -> Option<Current> {
///         let docs = self.0.lock().unwrap_or_else(|p| p.into_inner());
///         docs.get(req.path()).map(|body| Current::content(ContentTag::of(body)))
///     }
/// }
/// ```
pub trait CurrentTag: 'static {
    /// The validators of the resource `req` targets, or `None` when it does not exist (a `PUT`
    /// that would create it: `If-None-Match: *` passes, `If-Match: *` fails).
    ///
    /// # Examples
    ///
    /// ```
    /// use actix_web::{HttpRequest, test::TestRequest};
    /// use etagcore_actix::{Current, CurrentTag};
    ///
    /// struct Fixed;
    /// impl CurrentTag for Fixed {
    ///     async fn current(&self, _: &HttpRequest) -> Option<Current> {
    ///         Current::entity_tag(b"\"v1\"").ok()
    ///     }
    /// }
    /// # actix_web::rt::System::new().block_on(async {
    /// let current = Fixed.current(&TestRequest::default().to_http_request()).await;
    /// assert_eq!(current.unwrap().etag(), Some(&b"\"v1\""[..]));
    /// # });
    /// ```
    fn current(&self, req: &HttpRequest) -> impl Future<Output = Option<Current>>;
}

/// Why [`Checked`] refused to let the handler run: an error that answers 412 (or 304).
///
/// # Examples
///
/// ```
/// use actix_web::ResponseError;
/// use etagcore_actix::Refused;
///
/// assert_eq!(Refused::PreconditionFailed.status_code(), 412);
/// assert_eq!(Refused::PreconditionFailed.error_response().status(), 412);
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Refused {
    /// 412: `If-Match` or `If-Unmodified-Since` failed, or `If-None-Match` matched on a
    /// state-changing method (`If-None-Match: *` on a `PUT` that must not overwrite).
    PreconditionFailed,
    /// 304: a `GET` or `HEAD` whose cached copy is current (for handlers that guard reads too),
    /// with the current `ETag`.
    NotModified(Option<HeaderValue>),
}

impl fmt::Display for Refused {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Refused::PreconditionFailed => f.write_str("precondition failed"),
            Refused::NotModified(_) => f.write_str("not modified"),
        }
    }
}

impl ResponseError for Refused {
    fn status_code(&self) -> StatusCode {
        match self {
            Refused::PreconditionFailed => StatusCode::PRECONDITION_FAILED,
            Refused::NotModified(_) => StatusCode::NOT_MODIFIED,
        }
    }

    fn error_response(&self) -> HttpResponse<BoxBody> {
        match self {
            Refused::PreconditionFailed => crate::precondition_failed(),
            Refused::NotModified(etag) => {
                let mut response = HttpResponse::new(StatusCode::NOT_MODIFIED)
                    .set_body(BoxBody::new(NoBody::new()));
                if let Some(etag) = etag {
                    response.headers_mut().insert(header::ETAG, etag.clone());
                }
                response
            }
        }
    }
}

/// Evaluates a request's conditions against `current` at the system clock.
///
/// # Errors
///
/// [`Refused`] when the method must not run.
///
/// # Examples
///
/// ```
/// use actix_web::test::TestRequest;
/// use etagcore_actix::{Current, Refused, check};
///
/// // Create-only: If-None-Match: * on a resource that already exists.
/// let req = TestRequest::put().insert_header(("if-none-match", "*")).to_http_request();
/// assert_eq!(check(&req, Some(&Current::new())), Err(Refused::PreconditionFailed));
/// assert_eq!(check(&req, None), Ok(()));
/// ```
pub fn check(req: &HttpRequest, current: Option<&Current>) -> Result<(), Refused> {
    let representation = current.map(Current::representation);
    match Conditions::new(req.method(), req.headers()).evaluate(representation.as_ref(), unix_now())
    {
        Decision::PreconditionFailed => Err(Refused::PreconditionFailed),
        Decision::NotModified => Err(Refused::NotModified(
            current
                .and_then(Current::etag)
                .and_then(|etag| HeaderValue::from_bytes(etag).ok()),
        )),
        _ => Ok(()),
    }
}

/// Extractor: the request's preconditions passed against the current state that `T` (the
/// application's `web::Data<T>`) reports. When they fail, the handler never runs and the client
/// gets 412 (or 304 for a guarded `GET`).
///
/// The check and the write must not be separated by another writer: under the lock (or in the
/// transaction) of the write, call [`recheck`](Self::recheck) with the state seen there.
///
/// # Examples
///
/// ```
/// use std::sync::Mutex;
/// use actix_web::{App, HttpRequest, HttpResponse, test, web};
/// use etagcore::ContentTag;
/// use etagcore_actix::{Checked, Current, CurrentTag};
///
/// struct Doc(Mutex<Vec<u8>>);
///
/// impl CurrentTag for Doc {
///     async fn current(&self, _: &HttpRequest) -> Option<Current> {
///         Some(Current::content(ContentTag::of(&self.0.lock().unwrap())))
///     }
/// }
///
/// async fn put(checked: Checked<Doc>, body: web::Bytes) -> actix_web::Result<HttpResponse> {
///     let mut doc = checked.data().0.lock().unwrap();
///     checked.recheck(Some(&Current::content(ContentTag::of(&doc))))?; // same lock as the write
///     *doc = body.to_vec();
///     Ok(HttpResponse::NoContent().finish())
/// }
///
/// # actix_web::rt::System::new().block_on(async {
/// let doc = web::Data::new(Doc(Mutex::new(b"v1".to_vec())));
/// let app = test::init_service(App::new().app_data(doc.clone()).route("/", web::put().to(put))).await;
/// let stale = test::TestRequest::put()
///     .uri("/")
///     .insert_header(("if-match", ContentTag::of(b"v0").as_str()))
///     .set_payload("v2")
///     .to_request();
/// assert_eq!(test::call_service(&app, stale).await.status(), 412);
/// assert_eq!(*doc.0.lock().unwrap(), b"v1"); // the write never ran
/// # });
/// ```
pub struct Checked<T: CurrentTag> {
    data: web::Data<T>,
    current: Option<Current>,
    req: HttpRequest,
    _t: PhantomData<T>,
}

impl<T: CurrentTag> fmt::Debug for Checked<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Checked")
            .field("current", &self.current)
            .finish_non_exhaustive()
    }
}

impl<T: CurrentTag> Checked<T> {
    /// The application data the state came from.
    ///
    /// # Examples
    ///
    /// ```
    /// # use actix_web::HttpRequest;
    /// # use etagcore_actix::{Checked, Current, CurrentTag};
    /// struct Counter(std::sync::atomic::AtomicU64);
    /// # impl CurrentTag for Counter { async fn current(&self, _: &HttpRequest) -> Option<Current> { None } }
    /// async fn bump(checked: Checked<Counter>) -> String {
    ///     let n = checked.data().0.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
    ///     n.to_string()
    /// }
    /// ```
    pub fn data(&self) -> &web::Data<T> {
        &self.data
    }

    /// The state the conditions were evaluated against (`None`: the resource did not exist).
    ///
    /// # Examples
    ///
    /// ```
    /// # use actix_web::HttpRequest;
    /// # use etagcore_actix::{Checked, Current, CurrentTag};
    /// # struct App;
    /// # impl CurrentTag for App { async fn current(&self, _: &HttpRequest) -> Option<Current> { None } }
    /// async fn create(checked: Checked<App>) -> &'static str {
    ///     if checked.current().is_none() { "created" } else { "replaced" }
    /// }
    /// ```
    pub fn current(&self) -> Option<&Current> {
        self.current.as_ref()
    }

    /// Evaluates the request's conditions again, against the state seen under the lock of the
    /// write.
    ///
    /// # Errors
    ///
    /// [`Refused`] when another writer got in between: return it (`?`) and the client gets 412.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::sync::Mutex;
    /// use actix_web::{App, HttpRequest, HttpResponse, test, web};
    /// use etagcore_actix::{Checked, Current, CurrentTag};
    ///
    /// struct Version(Mutex<u64>);
    ///
    /// impl CurrentTag for Version {
    ///     async fn current(&self, _: &HttpRequest) -> Option<Current> {
    ///         let v = *self.0.lock().unwrap();
    ///         Current::entity_tag(format!("\"{v}\"").as_bytes()).ok()
    ///     }
    /// }
    ///
    /// async fn bump(checked: Checked<Version>) -> actix_web::Result<HttpResponse> {
    ///     let mut v = checked.data().0.lock().unwrap();
    ///     // Another request may have bumped it since the extractor looked: check again.
    ///     checked.recheck(Current::entity_tag(format!("\"{}\"", *v).as_bytes()).ok().as_ref())?;
    ///     *v += 1;
    ///     Ok(HttpResponse::NoContent().finish())
    /// }
    ///
    /// # actix_web::rt::System::new().block_on(async {
    /// let data = web::Data::new(Version(Mutex::new(1)));
    /// let app = test::init_service(App::new().app_data(data.clone()).route("/", web::post().to(bump))).await;
    /// let req = || test::TestRequest::post().uri("/").insert_header(("if-match", "\"1\"")).to_request();
    /// assert_eq!(test::call_service(&app, req()).await.status(), 204);
    /// assert_eq!(test::call_service(&app, req()).await.status(), 412);
    /// # });
    /// ```
    pub fn recheck(&self, current: Option<&Current>) -> Result<(), Refused> {
        check(&self.req, current)
    }
}

impl<T: CurrentTag> FromRequest for Checked<T> {
    type Error = actix_web::Error;
    type Future = Pin<Box<dyn Future<Output = Result<Self, Self::Error>>>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let req = req.clone();
        Box::pin(async move {
            let Some(data) = req.app_data::<web::Data<T>>().cloned() else {
                return Err(actix_web::error::ErrorInternalServerError(format!(
                    "Checked<{}>: no web::Data<{0}> registered with App::app_data",
                    std::any::type_name::<T>()
                )));
            };
            let current = data.current(&req).await;
            check(&req, current.as_ref())?;
            Ok(Checked {
                data,
                current,
                req,
                _t: PhantomData,
            })
        })
    }
}
