//! `ContentServeDir`: tower-http's `ServeDir` with content tags and the conditions decided
//! before it opens a file.

use std::convert::Infallible;
use std::future::Future;
use std::io;
use std::path::{Path, PathBuf};
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll, ready};
use std::time::UNIX_EPOCH;

use etagcore::{ContentTag, Decision, Member, Members, Representation, parse_http_date};
use http::header::{self, HeaderMap, HeaderValue};
use http::{Method, Request, Response, StatusCode, Uri};
use pin_project_lite::pin_project;
use tower_http::services::fs::{
    DefaultServeDirFallback, ServeFileSystemResponseBody, ServeFileSystemResponseFuture,
};
use tower_http::services::{ServeDir, ServeFile};
use tower_service::Service;

use super::cache::{Cached, TagCache, is_changed};
use super::manifest::{Manifest, ManifestError};
use super::resolve::{Precompressed, Resolved, Target, resolve};
use crate::{Conditions, TaggedEncoding, not_modified, precondition_failed, unix_now};

/// How many times one request resolves, tags and serves its file when the file changes under
/// it (between the `stat` here and ServeDir's, or while it is hashed) before it is served
/// without an `ETag`.
const ATTEMPTS: u8 = 3;

const ACCEPT_ENCODING: HeaderValue = HeaderValue::from_static("accept-encoding");

/// The response body: ServeDir's, streamed as it reads the file (empty for 304 and 412).
pub type ResponseBody = ServeFileSystemResponseBody;

/// tower-http's [`ServeDir`] with content ETags (XXH3-128 of each file's bytes, the same on
/// every server of a farm) and RFC 9110 conditional requests decided before the file is opened.
///
/// For a `GET` or `HEAD`, the service:
///
/// 1. resolves the request to a file by ServeDir's own rules (leading `/` stripped,
///    percent-decoding, only normal path components: `..` or a root give ServeDir's 404;
///    `dir/` serves `dir/index.html`; `dir` without the slash is ServeDir's redirect), and
///    picks the precompressed copy ServeDir would (`Accept-Encoding` q-values, ties broken
///    zstd > br > gzip > deflate, falling back to the next copy, then to the file itself);
/// 2. takes the tag of that file from the manifest (if one was given and the file is
///    unchanged since it was loaded) or the [`TagCache`] (one streaming hash per version of
///    a file, off the runtime);
/// 3. evaluates all five conditional fields with [`Conditions`], in RFC 9110's order, against
///    that tag and the file's mtime, and answers 412 or 304 itself: ServeDir never opens the
///    file for them. A 304 carries the tag in the form the client's `If-None-Match` matched it:
///    `W/"<hex>"` (and `Vary: accept-encoding`) when the client holds a copy that a compression
///    layer or a proxy compressed on the fly and weakened;
/// 4. otherwise has ServeDir serve that file, in its single-file mode (tower-http's
///    [`ServeFile`], so the path is not resolved and stat'ed a second time), with the
///    conditional fields removed (ServeDir does not judge them again with its metadata tag),
///    `Accept-Encoding` narrowed to the copy chosen in 1, and `Range` only when the decision is
///    to serve a range (a false `If-Range` gives the full 200, not a 206);
/// 5. checks that ServeDir served the version stat'ed in 1 (its metadata `ETag`, or else its
///    length and `Last-Modified`, and its `Content-Encoding`), then replaces ServeDir's
///    metadata `ETag` with the content tag and records [`TaggedEncoding`] (`None` for the file
///    itself, `Some(coding)` for a precompressed copy, which is tagged from its own bytes). The
///    body is ServeDir's, streamed, never buffered.
///
/// If the file changed between 1 and 5, the request starts again from 1, up to three times;
/// after that the response goes out without an `ETag` (none is safer than a wrong one). Other
/// methods, and requests ServeDir answers without a file (404, redirects), go to ServeDir
/// untouched, except that any `ETag` ServeDir would send is removed: a metadata tag differs from
/// server to server, which is what this service exists to avoid.
///
/// The `stat` calls of step 1 run on the runtime thread by default (a few microseconds on a
/// local file system, and one thread-pool round trip fewer per request); for a network file
/// system, [`ContentServeDir::stat_on_blocking_pool`] moves them to tokio's blocking pool.
///
/// Place it innermost, under compression and the precondition layer, like this
/// (`examples/serve_dir.rs` serves a folder so):
///
/// ```text
/// PreconditionLayer      W/ on tags of bodies compressed on the fly; 304/412 for responses
///                        that reach it with conditions still to judge
///   CompressionLayer     gzip for identity responses; precompressed copies pass untouched
///     ContentServeDir    content tags, conditions decided before any file is opened;
///                        vary_accept_encoding(true), so its own 304s carry the compressor's Vary
/// ```
///
/// # Examples
///
/// ```
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// use etagcore::ContentTag;
/// use etagcore_http::fs::ContentServeDir;
/// use http::{Request, StatusCode};
/// use tower::ServiceExt;
///
/// let root = std::env::temp_dir().join(format!("etagcore-doc-serve-{}", std::process::id()));
/// std::fs::create_dir_all(&root)?;
/// std::fs::write(root.join("app.js"), b"console.log(1)\n")?;
/// let tag = ContentTag::of(b"console.log(1)\n");
///
/// let service = ContentServeDir::new(&root);
/// let response = service.clone().oneshot(Request::get("/app.js").body(())?).await?;
/// assert_eq!(response.status(), StatusCode::OK);
/// assert_eq!(response.headers()["etag"], tag.as_str());
///
/// let revalidate = Request::get("/app.js").header("if-none-match", tag.as_str()).body(())?;
/// assert_eq!(service.oneshot(revalidate).await?.status(), StatusCode::NOT_MODIFIED);
/// # std::fs::remove_dir_all(&root)?;
/// # Ok(())
/// # }
/// ```
#[derive(Clone, Debug)]
pub struct ContentServeDir {
    serve_dir: ServeDir,
    config: Arc<Config>,
}

#[derive(Clone, Debug)]
struct Config {
    /// The root as ServeDir holds it (`./` + the path given), so paths compare equal.
    base: PathBuf,
    cache: TagCache,
    manifest: Option<Arc<Manifest>>,
    precompressed: Precompressed,
    append_index_html: bool,
    blocking_stat: bool,
    /// `Vary: accept-encoding` on every file response, for a compression layer outside.
    vary: bool,
    /// ServeDir's read size.
    chunk_size: usize,
    /// A copy of the ServeDir, for the requests that leave the fast path.
    serve_dir: ServeDir,
}

impl ContentServeDir {
    /// Serves the files under `root`, with a [`TagCache`] of
    /// [`TagCache::DEFAULT_CAPACITY`] entries and no precompressed copies.
    ///
    /// # Examples
    ///
    /// ```
    /// let service = etagcore_http::fs::ContentServeDir::new("assets");
    /// assert_eq!(service.tag_cache().capacity(), etagcore_http::fs::TagCache::DEFAULT_CAPACITY);
    /// ```
    pub fn new(root: impl AsRef<Path>) -> Self {
        let mut base = PathBuf::from(".");
        base.push(root.as_ref());
        let serve_dir = ServeDir::new(root.as_ref());
        ContentServeDir {
            config: Arc::new(Config {
                base,
                cache: TagCache::default(),
                manifest: None,
                precompressed: Precompressed::default(),
                append_index_html: true,
                blocking_stat: false,
                vary: false,
                chunk_size: 64 * 1024,
                serve_dir: serve_dir.clone(),
            }),
            serve_dir,
        }
    }

    fn with(mut self, change: impl FnOnce(&mut Config, ServeDir) -> ServeDir) -> Self {
        let config = Arc::make_mut(&mut self.config);
        let serve_dir = change(config, self.serve_dir);
        config.serve_dir = serve_dir.clone();
        ContentServeDir {
            serve_dir,
            config: self.config,
        }
    }

    /// Serves `file.gz` (`Content-Encoding: gzip`, tagged from its own bytes) instead of
    /// `file` to clients that accept gzip, when it exists ([`ServeDir::precompressed_gzip`]).
    ///
    /// # Examples
    ///
    /// ```
    /// let service = etagcore_http::fs::ContentServeDir::new("assets").precompressed_gzip();
    /// ```
    #[must_use]
    pub fn precompressed_gzip(self) -> Self {
        self.with(|c, s| {
            c.precompressed.gzip = true;
            s.precompressed_gzip()
        })
    }

    /// Serves `file.br` to clients that accept br, when it exists
    /// ([`ServeDir::precompressed_br`]).
    ///
    /// # Examples
    ///
    /// ```
    /// let service = etagcore_http::fs::ContentServeDir::new("assets").precompressed_br();
    /// ```
    #[must_use]
    pub fn precompressed_br(self) -> Self {
        self.with(|c, s| {
            c.precompressed.br = true;
            s.precompressed_br()
        })
    }

    /// Serves `file.zst` to clients that accept zstd, when it exists
    /// ([`ServeDir::precompressed_zstd`]).
    ///
    /// # Examples
    ///
    /// ```
    /// let service = etagcore_http::fs::ContentServeDir::new("assets").precompressed_zstd();
    /// ```
    #[must_use]
    pub fn precompressed_zstd(self) -> Self {
        self.with(|c, s| {
            c.precompressed.zstd = true;
            s.precompressed_zstd()
        })
    }

    /// Serves `file.zz` to clients that accept deflate, when it exists
    /// ([`ServeDir::precompressed_deflate`]).
    ///
    /// # Examples
    ///
    /// ```
    /// let service = etagcore_http::fs::ContentServeDir::new("assets").precompressed_deflate();
    /// ```
    #[must_use]
    pub fn precompressed_deflate(self) -> Self {
        self.with(|c, s| {
            c.precompressed.deflate = true;
            s.precompressed_deflate()
        })
    }

    /// Whether `dir/` serves `dir/index.html` (the default) or ServeDir's 404
    /// ([`ServeDir::append_index_html_on_directories`]).
    ///
    /// # Examples
    ///
    /// ```
    /// let service = etagcore_http::fs::ContentServeDir::new("assets")
    ///     .append_index_html_on_directories(false);
    /// ```
    #[must_use]
    pub fn append_index_html_on_directories(self, append: bool) -> Self {
        self.with(|c, s| {
            c.append_index_html = append;
            s.append_index_html_on_directories(append)
        })
    }

    /// The size of ServeDir's reads while streaming a body ([`ServeDir::with_buf_chunk_size`];
    /// 64 KiB by default).
    ///
    /// # Examples
    ///
    /// ```
    /// let service = etagcore_http::fs::ContentServeDir::new("assets").with_buf_chunk_size(16 * 1024);
    /// ```
    #[must_use]
    pub fn with_buf_chunk_size(self, chunk_size: usize) -> Self {
        self.with(|c, s| {
            c.chunk_size = chunk_size;
            s.with_buf_chunk_size(chunk_size)
        })
    }

    /// A new, empty tag cache of at most `entries` entries (see [`TagCache`] for the eviction
    /// rule).
    ///
    /// # Examples
    ///
    /// ```
    /// let service = etagcore_http::fs::ContentServeDir::new("assets").cache_capacity(100_000);
    /// assert_eq!(service.tag_cache().capacity(), 100_000);
    /// ```
    #[must_use]
    pub fn cache_capacity(self, entries: usize) -> Self {
        self.tag_cache_shared(TagCache::new(entries))
    }

    /// Uses `cache`, which may be shared with other services (clones of a [`TagCache`] share
    /// their entries), or kept to read [`TagCache::hashes`].
    ///
    /// # Examples
    ///
    /// ```
    /// use etagcore_http::fs::{ContentServeDir, TagCache};
    ///
    /// let cache = TagCache::new(10);
    /// let service = ContentServeDir::new("assets").tag_cache_shared(cache.clone());
    /// assert_eq!(service.tag_cache().capacity(), cache.capacity());
    /// ```
    #[must_use]
    pub fn tag_cache_shared(self, cache: TagCache) -> Self {
        self.with(|c, s| {
            c.cache = cache;
            s
        })
    }

    /// Tags from a deploy-time manifest, trusted for each file while its length, mtime and inode are
    /// the ones seen when the manifest was loaded (see [`Manifest`]); the other files go through
    /// the cache. Load the manifest with the same root as this service.
    ///
    /// # Examples
    ///
    /// ```
    /// use etagcore_http::fs::{ContentServeDir, Manifest};
    ///
    /// let service = ContentServeDir::new("assets").manifest(Manifest::default());
    /// ```
    #[must_use]
    pub fn manifest(self, manifest: Manifest) -> Self {
        self.with(|c, s| {
            c.manifest = Some(Arc::new(manifest));
            s
        })
    }

    /// Loads the manifest file `path` (paths relative to this service's root) with
    /// [`Manifest::load`] and uses it as [`ContentServeDir::manifest`] does. Blocking: call it
    /// at startup.
    ///
    /// # Errors
    ///
    /// Those of [`Manifest::load`]: an unreadable manifest, a malformed line, a listed file
    /// that cannot be stat'ed, each with its line number.
    ///
    /// # Examples
    ///
    /// ```
    /// let service = etagcore_http::fs::ContentServeDir::new(".");
    /// assert!(service.manifest_file("no-such-manifest.xxh128").is_err());
    /// ```
    pub fn manifest_file(self, path: impl AsRef<Path>) -> Result<Self, ManifestError> {
        let manifest = Manifest::load(&self.config.base, path)?;
        Ok(self.manifest(manifest))
    }

    /// Runs the `stat` calls that resolve a request on tokio's blocking pool (`true`) instead
    /// of the runtime thread (`false`, the default): worth it on a network file system, where
    /// a `stat` can block for milliseconds. Hashing always runs on the blocking pool.
    ///
    /// # Examples
    ///
    /// ```
    /// let service = etagcore_http::fs::ContentServeDir::new("/mnt/nfs/www").stat_on_blocking_pool(true);
    /// ```
    #[must_use]
    pub fn stat_on_blocking_pool(self, blocking: bool) -> Self {
        self.with(|c, s| {
            c.blocking_stat = blocking;
            s
        })
    }

    /// Sends `Vary: accept-encoding` with every file response, the 304s this service answers
    /// itself included. Set it when a compression layer sits outside this service: the
    /// compressed 200s get that `Vary` from the compressor, and RFC 9110 section 15.4.5 wants a
    /// 304 to carry the `Vary` its 200 would have had. (With precompressed copies configured,
    /// ServeDir and this service send it anyway.)
    ///
    /// # Examples
    ///
    /// ```
    /// use etagcore_http::fs::ContentServeDir;
    /// use tower::ServiceBuilder;
    /// use tower_http::compression::CompressionLayer;
    ///
    /// let service = ServiceBuilder::new()
    ///     .layer(CompressionLayer::new())
    ///     .service(ContentServeDir::new("assets").vary_accept_encoding(true));
    /// ```
    #[must_use]
    pub fn vary_accept_encoding(self, vary: bool) -> Self {
        self.with(|c, s| {
            c.vary = vary;
            s
        })
    }

    /// The tag cache this service fills.
    ///
    /// # Examples
    ///
    /// ```
    /// let service = etagcore_http::fs::ContentServeDir::new("assets");
    /// assert!(service.tag_cache().is_empty());
    /// ```
    #[must_use]
    pub fn tag_cache(&self) -> &TagCache {
        &self.config.cache
    }
}

impl<B> Service<Request<B>> for ContentServeDir {
    type Response = Response<ResponseBody>;
    type Error = Infallible;
    type Future = ResponseFuture;

    fn poll_ready(&mut self, _cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, request: Request<B>) -> Self::Future {
        let (parts, _body) = request.into_parts();
        let head = Head {
            method: parts.method,
            uri: parts.uri,
            headers: parts.headers,
        };
        let state = if head.method != Method::GET && head.method != Method::HEAD {
            State::serve(&mut self.serve_dir, pass_through(&head), None)
        } else if self.config.blocking_stat {
            State::slow(Arc::clone(&self.config), head, None, 0)
        } else {
            let resolved = self.config.resolve(&head);
            step(&self.config, &mut self.serve_dir, head, resolved)
        };
        ResponseFuture { state }
    }
}

/// What the service keeps of a request: ServeDir only needs the method, the URI and a few
/// fields, and the conditions are read from the original fields.
#[derive(Debug)]
struct Head {
    method: Method,
    uri: Uri,
    headers: HeaderMap,
}

/// What to check once ServeDir has answered, and what to retry with.
#[derive(Debug)]
struct Check {
    config: Arc<Config>,
    head: Head,
    target: Target,
    cached: Cached,
    attempt: u8,
}

type SlowFuture = Pin<Box<dyn Future<Output = Response<ResponseBody>> + Send>>;

pin_project! {
    /// Response future of [`ContentServeDir`]: a ready 304 or 412, ServeDir's future (no
    /// allocation of its own when the tag is cached), or, on a miss, the wait for the hash.
    pub struct ResponseFuture {
        #[pin]
        state: State,
    }
}

pin_project! {
    #[project = StateProj]
    enum State {
        Ready { response: Option<Response<ResponseBody>> },
        Serve {
            #[pin]
            future: ServeFileSystemResponseFuture<(), DefaultServeDirFallback>,
            check: Option<Check>,
        },
        Slow { future: SlowFuture },
    }
}

impl State {
    fn serve(serve_dir: &mut ServeDir, request: Request<()>, check: Option<Check>) -> Self {
        State::Serve {
            future: serve_dir.try_call(request),
            check,
        }
    }

    fn slow(config: Arc<Config>, head: Head, target: Option<Target>, attempt: u8) -> Self {
        State::Slow {
            future: Box::pin(slow(config, head, target, attempt)),
        }
    }
}

impl std::fmt::Debug for ResponseFuture {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ResponseFuture").finish_non_exhaustive()
    }
}

impl Future for ResponseFuture {
    type Output = Result<Response<ResponseBody>, Infallible>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let mut state = self.project().state;
        loop {
            let next = match state.as_mut().project() {
                StateProj::Ready { response } => {
                    return Poll::Ready(Ok(response.take().unwrap_or_default()));
                }
                StateProj::Slow { future } => return future.as_mut().poll(cx).map(Ok),
                StateProj::Serve { future, check } => {
                    let result = ready!(future.poll(cx));
                    let Some(check) = check.take() else {
                        return Poll::Ready(Ok(untagged(result)));
                    };
                    match finish(result, &check.target, &check.cached, check.config.vary) {
                        Finished::Done(response) => return Poll::Ready(Ok(response)),
                        Finished::Changed(response)
                            if check.attempt.saturating_add(1) >= ATTEMPTS =>
                        {
                            return Poll::Ready(Ok(untagged(Ok(response))));
                        }
                        Finished::Changed(_) => State::slow(
                            check.config,
                            check.head,
                            None,
                            check.attempt.saturating_add(1),
                        ),
                    }
                }
            };
            state.set(next);
        }
    }
}

impl Config {
    /// The file a GET or HEAD resolves to (blocking: `stat` calls).
    fn resolve(&self, head: &Head) -> Resolved {
        let accepted = self.precompressed.negotiate(&head.headers);
        resolve(
            &self.base,
            head.uri.path(),
            self.append_index_html,
            accepted,
        )
    }

    /// ServeDir in its single-file mode (ServeFile) for a resolved file: it serves that file (or,
    /// with `Accept-Encoding` narrowed to one coding, that copy of it) without resolving the
    /// path again, so without ServeDir's `is_dir` stat on the blocking pool.
    fn serve_file(&self, target: &Target) -> ServeFile {
        let mut file = ServeFile::new(target.requested()).with_buf_chunk_size(self.chunk_size);
        // Every configured coding, so that `Vary` is what ServeDir would send; the request's
        // narrowed `Accept-Encoding` picks the copy.
        let p = self.precompressed;
        if p.gzip {
            file = file.precompressed_gzip();
        }
        if p.br {
            file = file.precompressed_br();
        }
        if p.zstd {
            file = file.precompressed_zstd();
        }
        if p.deflate {
            file = file.precompressed_deflate();
        }
        file
    }

    /// The tag without waiting: the manifest's, or the cache's.
    fn lookup(&self, target: &Target) -> Option<Cached> {
        let listed = self.manifest.as_deref().and_then(|manifest| {
            let relative = target.relative(&self.base)?;
            manifest.lookup(relative, target.stamp).cloned()
        });
        listed.or_else(|| self.cache.peek(&target.path, target.stamp))
    }
}

/// The fast path: a resolved request whose tag is at hand is decided now; otherwise the slow
/// path waits for the hash.
fn step(config: &Arc<Config>, serve_dir: &mut ServeDir, head: Head, resolved: Resolved) -> State {
    let target = match resolved {
        Resolved::PassThrough => return State::serve(serve_dir, pass_through(&head), None),
        Resolved::File(target) => target,
    };
    let Some(cached) = config.lookup(&target) else {
        return State::slow(Arc::clone(config), head, Some(target), 0);
    };
    match plan(config, &head, &target, &cached) {
        Plan::Respond(response) => State::Ready {
            response: Some(response),
        },
        Plan::Forward(request) => State::Serve {
            future: config.serve_file(&target).try_call(request),
            check: Some(Check {
                config: Arc::clone(config),
                head,
                target,
                cached,
                attempt: 0,
            }),
        },
    }
}

/// Everything after a miss, or after the file changed under a request: resolve (on the
/// blocking pool if so configured), tag (waiting for the hash), decide, serve, check.
async fn slow(
    config: Arc<Config>,
    head: Head,
    mut resolved: Option<Target>,
    mut attempt: u8,
) -> Response<ResponseBody> {
    // ServeDir itself, for what this service does not tag.
    let pass = |head: &Head| config.serve_dir.clone().try_call(pass_through(head));
    loop {
        let target = match resolved.take() {
            Some(target) => target,
            None => match resolve_async(&config, &head).await {
                Resolved::File(target) => target,
                Resolved::PassThrough => return untagged(pass(&head).await),
            },
        };
        let last = attempt.saturating_add(1) >= ATTEMPTS;
        let cached = match config.lookup(&target) {
            Some(cached) => cached,
            None => match config
                .cache
                .cached_or_hash(&target.path, target.stamp)
                .await
            {
                Ok(cached) => cached,
                Err(e) if is_changed(&e) && !last => {
                    attempt = attempt.saturating_add(1);
                    continue;
                }
                // Unreadable, or still changing: ServeDir answers, without a tag.
                Err(_) => return untagged(pass(&head).await),
            },
        };
        let request = match plan(&config, &head, &target, &cached) {
            Plan::Respond(response) => return response,
            Plan::Forward(request) => request,
        };
        match finish(
            config.serve_file(&target).try_call(request).await,
            &target,
            &cached,
            config.vary,
        ) {
            Finished::Done(response) => return response,
            Finished::Changed(response) if last => return untagged(Ok(response)),
            Finished::Changed(_) => attempt = attempt.saturating_add(1),
        }
    }
}

async fn resolve_async(config: &Arc<Config>, head: &Head) -> Resolved {
    if !config.blocking_stat {
        return config.resolve(head);
    }
    let Ok(runtime) = tokio::runtime::Handle::try_current() else {
        return config.resolve(head);
    };
    let (config, path, headers) = (Arc::clone(config), head.uri.clone(), head.headers.clone());
    let work = move || {
        let head = Head {
            method: Method::GET,
            uri: path,
            headers,
        };
        config.resolve(&head)
    };
    runtime
        .spawn_blocking(work)
        .await
        .unwrap_or(Resolved::PassThrough)
}

enum Plan {
    Respond(Response<ResponseBody>),
    Forward(Request<()>),
}

/// RFC 9110 section 13.2.2 against the file's tag and mtime: 412 and 304 are answered here,
/// the rest is forwarded to ServeDir without the conditional fields.
fn plan(config: &Config, head: &Head, target: &Target, cached: &Cached) -> Plan {
    let conditions = Conditions::new(&head.method, &head.headers);
    let current = Representation {
        etag: Some(cached.tag.entity_tag()),
        last_modified: target.stamp.unix_secs(),
    };
    match conditions.evaluate(Some(&current), unix_now()) {
        Decision::PreconditionFailed => Plan::Respond(precondition_failed()),
        Decision::NotModified => {
            let (mut parts, ()) = Response::new(()).into_parts();
            let weak = matched_only_weakly(&conditions, &cached.tag);
            let etag = if weak {
                HeaderValue::from_str(cached.tag.weaken().as_str()).ok()
            } else {
                None
            };
            parts
                .headers
                .insert(header::ETAG, etag.unwrap_or_else(|| cached.value.clone()));
            if weak || config.vary || config.precompressed.any() {
                parts.headers.insert(header::VARY, ACCEPT_ENCODING);
            }
            parts
                .extensions
                .insert(TaggedEncoding(target.encoding.header_value()));
            Plan::Respond(not_modified(parts))
        }
        Decision::ServeRange => Plan::Forward(forward(head, target, true)),
        _ => Plan::Forward(forward(head, target, false)),
    }
}

/// Whether `If-None-Match` matched the tag only through members in the weak form: the client
/// holds a copy some layer or proxy compressed on the fly and weakened, `W/"<hex>"`, and the
/// 304 must name that copy (RFC 9110 section 15.4.5: the `ETag` and `Vary` its 200 had).
fn matched_only_weakly(conditions: &Conditions<'_>, tag: &ContentTag) -> bool {
    let ours = tag.entity_tag();
    conditions.with_request(|request| weak_only(request.if_none_match, &ours))
}

/// See `matched_only_weakly`: the members of one If-None-Match field.
fn weak_only(lines: &[&[u8]], ours: &etagcore::EntityTag<'_>) -> bool {
    let mut weak = false;
    for member in Members::new(lines) {
        match member {
            Ok(Member::Tag(held)) if held.weak_eq(ours) => {
                if !held.is_weak() {
                    return false;
                }
                weak = true;
            }
            Ok(Member::Any) => return false,
            _ => {}
        }
    }
    weak
}

/// The request ServeDir gets for a decided file: no conditional field, `Accept-Encoding`
/// naming only the chosen copy's coding, `Range` only when a range is to be served.
fn forward(head: &Head, target: &Target, range: bool) -> Request<()> {
    let mut request = Request::new(());
    *request.method_mut() = head.method.clone();
    *request.uri_mut() = head.uri.clone();
    let headers = request.headers_mut();
    if let Some(coding) = target.encoding.header_value() {
        headers.insert(header::ACCEPT_ENCODING, coding);
    }
    if range {
        for value in head.headers.get_all(header::RANGE) {
            headers.append(header::RANGE, value.clone());
        }
    }
    request
}

/// The request ServeDir gets when this service does not tag: no conditional field (ServeDir
/// would judge them with its metadata tag), and no `Range` when an `If-Range` came with it
/// (ServeDir would honour the range whatever `If-Range` says).
fn pass_through(head: &Head) -> Request<()> {
    let mut request = Request::new(());
    *request.method_mut() = head.method.clone();
    *request.uri_mut() = head.uri.clone();
    let headers = request.headers_mut();
    for value in head.headers.get_all(header::ACCEPT_ENCODING) {
        headers.append(header::ACCEPT_ENCODING, value.clone());
    }
    if !head.headers.contains_key(header::IF_RANGE) {
        for value in head.headers.get_all(header::RANGE) {
            headers.append(header::RANGE, value.clone());
        }
    }
    request
}

enum Finished {
    Done(Response<ResponseBody>),
    /// ServeDir served another version than the one decided on.
    Changed(Response<ResponseBody>),
}

/// ServeDir's answer for a decided file: tagged when it is the version stat'ed.
fn finish(
    result: io::Result<Response<ResponseBody>>,
    target: &Target,
    cached: &Cached,
    vary: bool,
) -> Finished {
    let mut response = match result {
        Ok(response) => response,
        Err(error) => return Finished::Done(error_response(&error)),
    };
    let status = response.status();
    if !status.is_success() && status != StatusCode::RANGE_NOT_SATISFIABLE {
        // The file went away in between (404): nothing to tag.
        response.headers_mut().remove(header::ETAG);
        return Finished::Done(response);
    }
    if !served(&response, target) {
        return Finished::Changed(response);
    }
    let headers = response.headers_mut();
    headers.insert(header::ETAG, cached.value.clone());
    if vary && !headers.contains_key(header::VARY) {
        headers.insert(header::VARY, ACCEPT_ENCODING);
    }
    response
        .extensions_mut()
        .insert(TaggedEncoding(target.encoding.header_value()));
    Finished::Done(response)
}

/// Whether ServeDir's response is for the version and copy stat'ed: its metadata `ETag`
/// (`"<secs hex>.<nanos 8 hex>-<size hex>"` in tower-http 0.7) names the same length and mtime
/// to the nanosecond; should that format change, the length and `Last-Modified` must match.
fn served(response: &Response<ResponseBody>, target: &Target) -> bool {
    let headers = response.headers();
    let status = response.status();
    if status != StatusCode::RANGE_NOT_SATISFIABLE
        && headers.get(header::CONTENT_ENCODING) != target.encoding.header_value().as_ref()
    {
        return false;
    }
    if let Some((secs, nanos, len)) = headers.get(header::ETAG).and_then(metadata_tag) {
        let Ok(since) = target.stamp.mtime.duration_since(UNIX_EPOCH) else {
            return false;
        };
        return (secs, nanos, len) == (since.as_secs(), since.subsec_nanos(), target.stamp.len);
    }
    let length = if status == StatusCode::OK {
        headers
            .get(header::CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok()?.parse::<u64>().ok())
    } else {
        headers
            .get(header::CONTENT_RANGE)
            .and_then(|v| v.to_str().ok()?.rsplit_once('/')?.1.parse::<u64>().ok())
    };
    let modified = headers
        .get(header::LAST_MODIFIED)
        .and_then(|v| parse_http_date(v.as_bytes(), unix_now()).ok());
    length == Some(target.stamp.len) && modified == target.stamp.unix_secs()
}

/// `"<secs hex>.<nanos 8 hex>-<size hex>"`, ServeDir's metadata tag.
fn metadata_tag(value: &HeaderValue) -> Option<(u64, u32, u64)> {
    let inner = value.to_str().ok()?.strip_prefix('"')?.strip_suffix('"')?;
    let (secs, rest) = inner.split_once('.')?;
    let (nanos, len) = rest.split_once('-')?;
    if nanos.len() != 8 {
        return None;
    }
    Some((
        u64::from_str_radix(secs, 16).ok()?,
        u32::from_str_radix(nanos, 16).ok()?,
        u64::from_str_radix(len, 16).ok()?,
    ))
}

/// ServeDir's answer where this service does not tag: any `ETag` it has is a metadata tag,
/// different on every server, and is removed.
fn untagged(result: io::Result<Response<ResponseBody>>) -> Response<ResponseBody> {
    match result {
        Ok(mut response) => {
            response.headers_mut().remove(header::ETAG);
            response
        }
        Err(error) => error_response(&error),
    }
}

/// What ServeDir's own `call` makes of an I/O error: 404 for a missing or forbidden file or a
/// file used as a directory, 500 otherwise.
fn error_response(error: &io::Error) -> Response<ResponseBody> {
    let not_found = matches!(
        error.kind(),
        io::ErrorKind::NotFound | io::ErrorKind::PermissionDenied | io::ErrorKind::NotADirectory
    );
    let mut response = Response::new(ResponseBody::default());
    *response.status_mut() = if not_found {
        StatusCode::NOT_FOUND
    } else {
        StatusCode::INTERNAL_SERVER_ERROR
    };
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn metadata_tags_parse() {
        let v = HeaderValue::from_static("\"68e1c880.0001e240-5a28\"");
        assert_eq!(metadata_tag(&v), Some((0x68e1_c880, 123_456, 0x5a28)));
        for bad in [
            "\"abc\"",
            "W/\"1.00000000-1\"",
            "\"1.0-1\"",
            "\"x.00000000-1\"",
        ] {
            assert_eq!(metadata_tag(&HeaderValue::from_static(bad)), None, "{bad}");
        }
    }
}
