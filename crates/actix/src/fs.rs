//! Static files: content tags from a shared cache, never hashed per request.
//!
//! - [`TagCache`]: the content tag of each file, keyed by (path, length, mtime with
//!   nanoseconds), hashed once on a blocking thread (`spawn_blocking`) and shared by every
//!   worker; concurrent misses for one file wait for the same hash; bounded.
//! - [`TaggedFile`]: a [`NamedFile`] with its content tag, for handlers (`Responder`).
//! - [`TaggedFiles`]: a directory mounted like actix-files' `Files`, serving precompressed
//!   `.br` / `.gz` / `.zst` siblings with their own tags.
//!
//! actix-files still opens the files, picks their `Content-Type` and `Content-Disposition`, and
//! streams the bytes; its own inode-based `ETag` and its own precondition checks are turned off,
//! and etagcore evaluates all five conditional fields against the content tag instead.

use std::collections::HashMap;
use std::fs::{File, Metadata};
use std::future::{Future, Ready, ready};
use std::io::{self, Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};
use std::pin::Pin;
use std::rc::Rc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::task::{Context, Poll};
use std::time::{SystemTime, UNIX_EPOCH};

use actix_files::{HttpRange, NamedFile, PathBufWrap};
use actix_web::body::{BodySize, BoxBody, MessageBody};
use actix_web::dev::{
    AppService, HttpServiceFactory, ResourceDef, Service, ServiceFactory, ServiceRequest,
    ServiceResponse,
};
use actix_web::http::header::{
    self, AcceptEncoding, ContentEncoding, Encoding, HeaderMap, HeaderValue,
};
use actix_web::http::{Method, StatusCode};
use actix_web::rt::task::{JoinHandle, spawn_blocking};
use actix_web::web::Bytes;
use actix_web::{Error, HttpMessage, HttpRequest, HttpResponse, Responder};
use etagcore::{ContentHasher, ContentTag, Decision, Representation, format_http_date};
use tokio::sync::OnceCell;

use crate::middleware::EvaluatedOutside;
use crate::{Conditions, TaggedEncoding, unix_now};

/// Files up to this size are read in one piece and hashed in one pass; larger ones stream
/// through the hasher in chunks of this size (the CLI's and `xxh128sum`'s read size).
const CHUNK: usize = 64 * 1024;

/// The default number of files a [`TagCache`] remembers.
///
/// # Examples
///
/// ```
/// use etagcore_actix::fs::{DEFAULT_CACHE_CAPACITY, TagCache};
///
/// assert_eq!(TagCache::default().capacity(), DEFAULT_CACHE_CAPACITY);
/// ```
pub const DEFAULT_CACHE_CAPACITY: usize = 10_000;

/// A file's modification time as (seconds, nanoseconds) since the epoch, seconds negative
/// before 1970 with the nanoseconds counted forward (a POSIX `timespec`).
fn mtime(metadata: &Metadata) -> Option<(i64, u32)> {
    let modified = metadata.modified().ok()?;
    Some(match modified.duration_since(UNIX_EPOCH) {
        Ok(d) => (i64::try_from(d.as_secs()).ok()?, d.subsec_nanos()),
        Err(before) => {
            let d = before.duration();
            let secs = i64::try_from(d.as_secs()).ok()?;
            match d.subsec_nanos() {
                0 => (secs.checked_neg()?, 0),
                n => (secs.checked_neg()?.checked_sub(1)?, 1_000_000_000 - n),
            }
        }
    })
}

/// One remembered file: the length and mtime it was hashed at, the tag (or the hash under way).
struct Slot {
    len: u64,
    mtime: (i64, u32),
    tag: Arc<OnceCell<ContentTag>>,
    used: u64,
}

struct CacheInner {
    slots: Mutex<HashMap<PathBuf, Slot>>,
    capacity: usize,
    clock: AtomicU64,
    hashed: AtomicU64,
}

/// The content tags of files, shared by every worker of a server (clone it: clones share one
/// cache).
///
/// A file's tag is remembered with the length and modification time (to the nanosecond) it had
/// when it was hashed; a file whose length or mtime changed is hashed again. Hashing runs on
/// actix's blocking thread pool, never on a worker's event loop, and requests that miss on the
/// same file at the same time wait for one hash. The cache holds at most `capacity` files and
/// forgets the least recently used one first (found by a scan, on a miss in a full cache only:
/// hashing the new file costs far more). One entry per path: a file that changed replaces its
/// old entry.
///
/// The tag is XXH3-128 of the file's bytes, so every server of a farm gives a file the same tag
/// whatever its inode and mtime.
///
/// # Examples
///
/// ```
/// use etagcore::ContentTag;
/// use etagcore_actix::fs::TagCache;
///
/// # actix_web::rt::System::new().block_on(async {
/// let dir = std::env::temp_dir().join("etagcore-actix-doc-cache");
/// std::fs::create_dir_all(&dir)?;
/// let path = dir.join("hello.txt");
/// std::fs::write(&path, b"hello\n")?;
///
/// let cache = TagCache::new(100);
/// let metadata = std::fs::metadata(&path)?;
/// assert_eq!(cache.tag(&path, &metadata).await?, ContentTag::of(b"hello\n"));
/// assert_eq!(cache.tag(&path, &metadata).await?, ContentTag::of(b"hello\n"));
/// assert_eq!(cache.hashes(), 1); // the second answer came from the cache
/// # Ok::<(), std::io::Error>(())
/// # }).unwrap();
/// ```
#[derive(Clone)]
pub struct TagCache {
    inner: Arc<CacheInner>,
}

impl std::fmt::Debug for TagCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TagCache")
            .field("capacity", &self.inner.capacity)
            .field("len", &self.len())
            .field("hashes", &self.hashes())
            .finish()
    }
}

impl Default for TagCache {
    /// A cache of [`DEFAULT_CACHE_CAPACITY`] files.
    fn default() -> Self {
        TagCache::new(DEFAULT_CACHE_CAPACITY)
    }
}

impl TagCache {
    /// A cache that remembers at most `capacity` files (at least one).
    ///
    /// # Examples
    ///
    /// ```
    /// let cache = etagcore_actix::fs::TagCache::new(0);
    /// assert_eq!(cache.capacity(), 1);
    /// assert!(cache.is_empty());
    /// ```
    pub fn new(capacity: usize) -> Self {
        TagCache {
            inner: Arc::new(CacheInner {
                slots: Mutex::new(HashMap::new()),
                capacity: capacity.max(1),
                clock: AtomicU64::new(0),
                hashed: AtomicU64::new(0),
            }),
        }
    }

    /// The most files remembered.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(etagcore_actix::fs::TagCache::default().capacity(), 10_000);
    /// ```
    pub fn capacity(&self) -> usize {
        self.inner.capacity
    }

    /// How many files are remembered now (hashed or being hashed).
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(etagcore_actix::fs::TagCache::new(8).len(), 0);
    /// ```
    pub fn len(&self) -> usize {
        self.lock().len()
    }

    /// Whether no file is remembered.
    ///
    /// # Examples
    ///
    /// ```
    /// assert!(etagcore_actix::fs::TagCache::new(8).is_empty());
    /// ```
    pub fn is_empty(&self) -> bool {
        self.lock().is_empty()
    }

    /// How many times this cache has read a file to hash it, since it was made.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(etagcore_actix::fs::TagCache::new(8).hashes(), 0);
    /// ```
    pub fn hashes(&self) -> u64 {
        self.inner.hashed.load(Ordering::Relaxed)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<PathBuf, Slot>> {
        self.inner
            .slots
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }

    /// The content tag of the file at `path`, whose metadata (from the open file, or `stat`) is
    /// `metadata`: from the cache when the file was hashed at this length and mtime, else hashed
    /// now on a blocking thread (and remembered).
    ///
    /// Must run inside an actix (Tokio) runtime.
    ///
    /// # Errors
    ///
    /// The file cannot be read, or its length or mtime changed while it was being hashed (it
    /// is then not remembered: the next request hashes it again).
    ///
    /// # Examples
    ///
    /// ```
    /// use etagcore::ContentTag;
    /// use etagcore_actix::fs::TagCache;
    ///
    /// # actix_web::rt::System::new().block_on(async {
    /// let path = std::env::temp_dir().join("etagcore-actix-doc-tag.txt");
    /// std::fs::write(&path, b"body")?;
    /// let tag = TagCache::default().tag(&path, &std::fs::metadata(&path)?).await?;
    /// assert_eq!(tag, ContentTag::of(b"body"));
    /// # Ok::<(), std::io::Error>(())
    /// # }).unwrap();
    /// ```
    pub async fn tag(&self, path: &Path, metadata: &Metadata) -> io::Result<ContentTag> {
        let len = metadata.len();
        let Some(mtime) = mtime(metadata) else {
            // No mtime to notice a change by: hash every time rather than risk a stale tag.
            return self.hash(path.to_path_buf(), len, None).await;
        };
        let cell = self.slot(path, len, mtime);
        if let Some(tag) = cell.get() {
            return Ok(*tag);
        }
        cell.get_or_try_init(|| self.hash(path.to_path_buf(), len, Some(mtime)))
            .await
            .copied()
    }

    /// The cell of `path` at this length and mtime, made (and the least recently used file
    /// forgotten, when full) if the cache had none.
    fn slot(&self, path: &Path, len: u64, mtime: (i64, u32)) -> Arc<OnceCell<ContentTag>> {
        let now = self.inner.clock.fetch_add(1, Ordering::Relaxed);
        let mut slots = self.lock();
        if let Some(slot) = slots.get_mut(path) {
            if slot.len == len && slot.mtime == mtime {
                slot.used = now;
                return Arc::clone(&slot.tag);
            }
            // The file changed: its old tag is of no use any more.
            slot.len = len;
            slot.mtime = mtime;
            slot.tag = Arc::new(OnceCell::new());
            slot.used = now;
            return Arc::clone(&slot.tag);
        }
        if slots.len() >= self.inner.capacity {
            let oldest = slots
                .iter()
                .min_by_key(|(_, slot)| slot.used)
                .map(|(path, _)| path.clone());
            if let Some(oldest) = oldest {
                slots.remove(&oldest);
            }
        }
        let tag = Arc::new(OnceCell::new());
        slots.insert(
            path.to_path_buf(),
            Slot {
                len,
                mtime,
                tag: Arc::clone(&tag),
                used: now,
            },
        );
        tag
    }

    /// Hashes the file on a blocking thread.
    async fn hash(
        &self,
        path: PathBuf,
        len: u64,
        mtime: Option<(i64, u32)>,
    ) -> io::Result<ContentTag> {
        let inner = Arc::clone(&self.inner);
        spawn_blocking(move || {
            inner.hashed.fetch_add(1, Ordering::Relaxed);
            hash_file(&path, len, mtime)
        })
        .await
        .map_err(io::Error::other)?
    }

    /// The file with its content tag, for a handler to return (see [`TaggedFile`]). A file
    /// that cannot be hashed is served without an `ETag`.
    ///
    /// # Examples
    ///
    /// ```
    /// use actix_files::NamedFile;
    /// use etagcore::ContentTag;
    /// use etagcore_actix::fs::TagCache;
    ///
    /// # actix_web::rt::System::new().block_on(async {
    /// let path = std::env::temp_dir().join("etagcore-actix-doc-tagged.txt");
    /// std::fs::write(&path, b"page")?;
    /// let file = TagCache::default().tagged(NamedFile::open(&path)?).await;
    /// assert_eq!(file.tag(), Some(ContentTag::of(b"page")));
    /// # Ok::<(), std::io::Error>(())
    /// # }).unwrap();
    /// ```
    pub async fn tagged(&self, file: NamedFile) -> TaggedFile {
        let tag = self.tag(file.path(), file.metadata()).await.ok();
        TaggedFile {
            file,
            tag,
            vary: false,
        }
    }
}

/// Reads and hashes the file, checking that it still has the length and mtime it was looked
/// up with, before and after.
fn hash_file(path: &Path, len: u64, mtime_then: Option<(i64, u32)>) -> io::Result<ContentTag> {
    let changed = || io::Error::other("the file changed while it was being hashed");
    let mut file = File::open(path)?;
    let same = |md: &Metadata| md.len() == len && (mtime_then.is_none() || mtime(md) == mtime_then);
    if !same(&file.metadata()?) {
        return Err(changed());
    }
    let tag = if len <= CHUNK as u64 {
        let mut bytes = Vec::with_capacity(CHUNK.min(usize::try_from(len).unwrap_or(CHUNK)) + 1);
        file.read_to_end(&mut bytes)?;
        if bytes.len() as u64 != len {
            return Err(changed());
        }
        ContentTag::of(&bytes)
    } else {
        let mut hasher = ContentHasher::new();
        let mut buf = vec![0u8; CHUNK];
        let mut total = 0u64;
        loop {
            let n = file.read(&mut buf)?;
            if n == 0 {
                break;
            }
            hasher.update(buf.get(..n).unwrap_or_default());
            total = total.saturating_add(n as u64);
        }
        if total != len {
            return Err(changed());
        }
        hasher.finish()
    };
    if !same(&file.metadata()?) {
        return Err(changed());
    }
    Ok(tag)
}

/// A [`NamedFile`] with its content tag: a `Responder` that answers 304 and 412 itself (all five
/// conditional fields, RFC 9110 order, against the content tag and the file's mtime) and
/// otherwise sends the file, or the requested range, with `ETag` and `Last-Modified`.
///
/// actix-files' own `ETag` and conditional checks are turned off for the file. Get one from
/// [`TagCache::tagged`].
///
/// # Examples
///
/// ```
/// use actix_files::NamedFile;
/// use actix_web::{App, test, web};
/// use etagcore_actix::fs::{TagCache, TaggedFile};
///
/// async fn page(cache: web::Data<TagCache>) -> actix_web::Result<TaggedFile> {
///     let path = std::env::temp_dir().join("etagcore-actix-doc-page.html");
///     std::fs::write(&path, "<h1>hi</h1>")?;
///     Ok(cache.tagged(NamedFile::open(path)?).await)
/// }
///
/// # actix_web::rt::System::new().block_on(async {
/// let app = test::init_service(
///     App::new().app_data(web::Data::new(TagCache::default())).route("/", web::get().to(page)),
/// ).await;
/// let first = test::call_service(&app, test::TestRequest::get().uri("/").to_request()).await;
/// let etag = first.headers().get("etag").unwrap().clone();
///
/// let again = test::TestRequest::get().uri("/").insert_header(("if-none-match", etag)).to_request();
/// assert_eq!(test::call_service(&app, again).await.status(), 304);
/// # });
/// ```
#[derive(Debug)]
pub struct TaggedFile {
    file: NamedFile,
    tag: Option<ContentTag>,
    vary: bool,
}

impl TaggedFile {
    /// A file with a tag computed elsewhere (e.g. at build time with `etagcore tag`).
    ///
    /// # Examples
    ///
    /// ```
    /// use actix_files::NamedFile;
    /// use etagcore::ContentTag;
    /// use etagcore_actix::fs::TaggedFile;
    ///
    /// let path = std::env::temp_dir().join("etagcore-actix-doc-new.txt");
    /// std::fs::write(&path, b"x")?;
    /// let file = TaggedFile::new(NamedFile::open(&path)?, Some(ContentTag::of(b"x")));
    /// assert!(file.tag().is_some());
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn new(file: NamedFile, tag: Option<ContentTag>) -> Self {
        TaggedFile {
            file,
            tag,
            vary: false,
        }
    }

    /// The content tag (`None`: the file could not be hashed and goes out without `ETag`).
    ///
    /// # Examples
    ///
    /// ```
    /// use actix_files::NamedFile;
    /// use etagcore_actix::fs::TaggedFile;
    ///
    /// let path = std::env::temp_dir().join("etagcore-actix-doc-untagged.txt");
    /// std::fs::write(&path, b"x")?;
    /// assert_eq!(TaggedFile::new(NamedFile::open(&path)?, None).tag(), None);
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn tag(&self) -> Option<ContentTag> {
        self.tag
    }

    /// The file, without its tag.
    ///
    /// # Examples
    ///
    /// ```
    /// use actix_files::NamedFile;
    /// use etagcore_actix::fs::TaggedFile;
    ///
    /// let path = std::env::temp_dir().join("etagcore-actix-doc-inner.txt");
    /// std::fs::write(&path, b"x")?;
    /// let named = TaggedFile::new(NamedFile::open(&path)?, None).into_inner();
    /// assert_eq!(named.path(), path);
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn into_inner(self) -> NamedFile {
        self.file
    }
}

impl Responder for TaggedFile {
    type Body = BoxBody;

    fn respond_to(self, req: &HttpRequest) -> HttpResponse<BoxBody> {
        respond(self, req)
    }
}

/// The `Last-Modified` second of a file: its mtime rounded down.
fn last_modified(modified: Option<SystemTime>) -> Option<i64> {
    let modified = modified?;
    match modified.duration_since(SystemTime::UNIX_EPOCH) {
        Ok(d) => i64::try_from(d.as_secs()).ok(),
        Err(before) => {
            let d = before.duration();
            let secs = i64::try_from(d.as_secs()).ok()?.checked_neg()?;
            if d.subsec_nanos() == 0 {
                Some(secs)
            } else {
                secs.checked_sub(1)
            }
        }
    }
}

/// Whether actix-files, its own checks given no validator, would misjudge this request:
/// `If-Match` with a list is false for it (412), `If-Range` always false (no 206), and
/// `If-None-Match: *` true (304) even when the evaluation belongs to an outer `Preconditions`.
fn named_file_misjudges(headers: &HeaderMap) -> bool {
    headers.contains_key(header::IF_MATCH)
        || headers.contains_key(header::IF_RANGE)
        || headers
            .get_all(header::IF_NONE_MATCH)
            .any(|v| v.as_bytes().trim_ascii() == b"*")
}

/// A file's validators, and whether its responses vary by `Accept-Encoding`.
struct Validators {
    tag: Option<ContentTag>,
    lm: Option<i64>,
    vary: bool,
}

impl Validators {
    fn etag(&self) -> Option<HeaderValue> {
        self.tag
            .and_then(|t| HeaderValue::from_bytes(t.as_bytes()).ok())
    }

    fn last_modified(&self) -> Option<HeaderValue> {
        self.lm
            .and_then(|secs| format_http_date(secs).ok())
            .and_then(|date| HeaderValue::from_bytes(&date).ok())
    }
}

/// What the evaluation before any body says.
enum Early {
    /// Send the file: the decision says whether a range may be served.
    Send(Decision),
    /// The 304 or 412.
    Answer(HttpResponse<BoxBody>),
}

/// The evaluation, before a body is needed: the 304 or 412 (unless an outer `Preconditions`
/// evaluates), else the decision that says whether a range may be served.
fn early_answer(v: &Validators, req: &HttpRequest) -> Early {
    let current = Representation {
        etag: v.tag.as_ref().map(ContentTag::entity_tag),
        last_modified: v.lm,
    };
    let conditions = Conditions::new(req.method(), req.headers());
    let decision = if conditions.is_conditional() || conditions.has_range() {
        conditions.evaluate(Some(&current), unix_now())
    } else {
        Decision::Perform
    };
    let deferred = req.extensions().contains::<EvaluatedOutside>();
    match decision {
        Decision::NotModified if !deferred => {
            let mut response = HttpResponse::new(StatusCode::NOT_MODIFIED)
                .set_body(BoxBody::new(actix_web::body::None::new()));
            let headers = response.headers_mut();
            match v.etag() {
                Some(etag) => {
                    headers.insert(header::ETAG, etag);
                }
                // Last-Modified only guides a cache when there is no ETag (section 15.4.5).
                None => {
                    if let Some(lm) = v.last_modified() {
                        headers.insert(header::LAST_MODIFIED, lm);
                    }
                }
            }
            if v.vary {
                headers.append(header::VARY, HeaderValue::from_static("accept-encoding"));
            }
            Early::Answer(response)
        }
        Decision::PreconditionFailed if !deferred => Early::Answer(crate::precondition_failed()),
        decision => Early::Send(decision),
    }
}

fn respond(tagged: TaggedFile, req: &HttpRequest) -> HttpResponse<BoxBody> {
    let TaggedFile { file, tag, vary } = tagged;
    let v = Validators {
        tag,
        lm: last_modified(file.modified()),
        vary,
    };
    match early_answer(&v, req) {
        Early::Send(decision) => send(file, &v, decision, req),
        Early::Answer(answer) => answer,
    }
}

/// The file, or its range, with the validators: the decision passed (or is an outer layer's).
fn send(
    file: NamedFile,
    v: &Validators,
    decision: Decision,
    req: &HttpRequest,
) -> HttpResponse<BoxBody> {
    let file = file.use_etag(false).use_last_modified(false);
    let mut response = if named_file_misjudges(req.headers()) {
        own_response(file, req, decision == Decision::ServeRange)
    } else {
        file.into_response(req)
    };
    if matches!(
        response.status(),
        StatusCode::OK | StatusCode::PARTIAL_CONTENT
    ) {
        let encoding = TaggedEncoding::of(response.headers());
        let headers = response.headers_mut();
        if let Some(etag) = v.etag() {
            headers.insert(header::ETAG, etag);
        }
        if let Some(lm) = v.last_modified() {
            headers.insert(header::LAST_MODIFIED, lm);
        }
        if v.vary {
            headers.append(header::VARY, HeaderValue::from_static("accept-encoding"));
        }
        response.extensions_mut().insert(encoding);
    }
    response
}

/// `text/html` as `text/html; charset=utf-8`, as actix-files' `prefer_utf8` (on by default)
/// writes it.
fn utf8_equivalent(mime: &actix_web::mime::Mime) -> String {
    use actix_web::mime;
    let utf8 = [
        (
            mime::APPLICATION_JAVASCRIPT,
            mime::APPLICATION_JAVASCRIPT_UTF_8,
        ),
        (mime::TEXT_HTML, mime::TEXT_HTML_UTF_8),
        (mime::TEXT_CSS, mime::TEXT_CSS_UTF_8),
        (mime::TEXT_PLAIN, mime::TEXT_PLAIN_UTF_8),
        (mime::TEXT_CSV, mime::TEXT_CSV_UTF_8),
        (
            mime::TEXT_TAB_SEPARATED_VALUES,
            mime::TEXT_TAB_SEPARATED_VALUES_UTF_8,
        ),
    ];
    utf8.iter()
        .find(|(plain, _)| plain == mime)
        .map_or_else(|| mime.to_string(), |(_, with)| with.to_string())
}

/// The response actix-files would give with its checks passed: the file or its first
/// requested range (206, or 416 when unsatisfiable), streamed in 64 KiB reads on blocking
/// threads. Used for the requests whose conditional fields actix-files would misjudge.
fn own_response(file: NamedFile, req: &HttpRequest, serve_range: bool) -> HttpResponse<BoxBody> {
    let size = file.metadata().len();
    let mut builder = HttpResponse::Ok();
    builder.insert_header((header::CONTENT_TYPE, utf8_equivalent(file.content_type())));
    builder.insert_header((
        header::CONTENT_DISPOSITION,
        file.content_disposition().to_string(),
    ));
    if let Some(encoding) = file.content_encoding() {
        builder.insert_header((header::CONTENT_ENCODING, encoding.as_str()));
    }
    builder.insert_header((header::ACCEPT_RANGES, "bytes"));

    let (mut offset, mut length) = (0, size);
    let range = req
        .headers()
        .get(header::RANGE)
        .filter(|_| serve_range && req.method() == Method::GET)
        .and_then(|value| value.to_str().ok())
        .filter(|value| {
            value
                .split_once('=')
                .is_none_or(|(unit, _)| unit.trim().eq_ignore_ascii_case("bytes"))
        });
    if let Some(range) = range {
        match HttpRange::parse(range, size)
            .ok()
            .and_then(|ranges| ranges.first().copied())
        {
            Some(first) if first.length > 0 => {
                offset = first.start;
                length = first.length;
                let last = offset.saturating_add(length).saturating_sub(1);
                builder.status(StatusCode::PARTIAL_CONTENT);
                builder.insert_header((
                    header::CONTENT_RANGE,
                    format!("bytes {offset}-{last}/{size}"),
                ));
            }
            _ => {
                return HttpResponse::build(StatusCode::RANGE_NOT_SATISFIABLE)
                    .insert_header((header::CONTENT_RANGE, format!("bytes */{size}")))
                    .finish();
            }
        }
    }
    match file.file().try_clone() {
        Ok(handle) => builder.body(FileBody::new(handle, offset, length)),
        Err(err) => HttpResponse::from_error(Error::from(err)),
    }
}

/// `length` bytes of a file from `offset`, read in 64 KiB pieces on blocking threads.
struct FileBody {
    file: Option<File>,
    offset: u64,
    remaining: u64,
    length: u64,
    pending: Option<JoinHandle<io::Result<(File, Bytes)>>>,
}

impl FileBody {
    fn new(file: File, offset: u64, length: u64) -> Self {
        FileBody {
            file: Some(file),
            offset,
            remaining: length,
            length,
            pending: None,
        }
    }
}

impl MessageBody for FileBody {
    type Error = io::Error;

    fn size(&self) -> BodySize {
        BodySize::Sized(self.length)
    }

    fn poll_next(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Bytes, io::Error>>> {
        let this = self.get_mut();
        loop {
            if let Some(pending) = this.pending.as_mut() {
                let done = match Pin::new(pending).poll(cx) {
                    Poll::Pending => return Poll::Pending,
                    Poll::Ready(done) => done,
                };
                this.pending = None;
                return match done.map_err(io::Error::other).and_then(|read| read) {
                    Ok((file, bytes)) => {
                        let n = bytes.len() as u64;
                        this.offset = this.offset.saturating_add(n);
                        this.remaining = this.remaining.saturating_sub(n);
                        this.file = Some(file);
                        Poll::Ready(Some(Ok(bytes)))
                    }
                    Err(err) => {
                        this.remaining = 0;
                        Poll::Ready(Some(Err(err)))
                    }
                };
            }
            if this.remaining == 0 {
                return Poll::Ready(None);
            }
            let Some(mut file) = this.file.take() else {
                return Poll::Ready(None);
            };
            let (offset, want) = (this.offset, this.remaining.min(CHUNK as u64));
            this.pending = Some(spawn_blocking(move || {
                file.seek(SeekFrom::Start(offset))?;
                let mut buf = Vec::with_capacity(usize::try_from(want).unwrap_or(CHUNK));
                (&mut file).take(want).read_to_end(&mut buf)?;
                if buf.is_empty() {
                    return Err(io::Error::from(io::ErrorKind::UnexpectedEof));
                }
                Ok((file, Bytes::from(buf)))
            }));
        }
    }
}

/// A directory served like actix-files' `Files`, with content tags from a [`TagCache`].
///
/// `GET` and `HEAD` only (others get 405); `index_file` for directories; with
/// [`try_compressed`](Self::try_compressed), a `.br`, `.gz` or `.zst` sibling the client
/// accepts is sent as stored, with its own strong content tag, `Content-Encoding`, and
/// `Vary: accept-encoding`. Paths are checked by actix-files' `PathBufWrap` (no `..`, no hidden
/// files unless [`use_hidden_files`](Self::use_hidden_files)).
///
/// # Examples
///
/// ```
/// use actix_web::{App, test};
/// use etagcore_actix::fs::{TagCache, TaggedFiles};
///
/// # actix_web::rt::System::new().block_on(async {
/// let dir = std::env::temp_dir().join("etagcore-actix-doc-files");
/// std::fs::create_dir_all(&dir).unwrap();
/// std::fs::write(dir.join("app.js"), "console.log(1)").unwrap();
///
/// let cache = TagCache::default();
/// let app = test::init_service(App::new().service(TaggedFiles::new("/static", &dir, cache.clone()))).await;
/// let res = test::call_service(&app, test::TestRequest::get().uri("/static/app.js").to_request()).await;
/// assert_eq!(res.status(), 200);
/// assert_eq!(res.headers().get("etag").unwrap(), etagcore::ContentTag::of(b"console.log(1)").as_str());
/// # });
/// ```
#[derive(Clone, Debug)]
pub struct TaggedFiles {
    mount: String,
    root: PathBuf,
    cache: TagCache,
    index: Option<String>,
    compressed: bool,
    hidden: bool,
}

impl TaggedFiles {
    /// Serves the files under `root` at the URL prefix `mount`, tagged from `cache`.
    ///
    /// # Examples
    ///
    /// ```
    /// let files = etagcore_actix::fs::TaggedFiles::new("/", "./static", Default::default());
    /// ```
    pub fn new(mount: &str, root: impl Into<PathBuf>, cache: TagCache) -> Self {
        TaggedFiles {
            mount: mount.trim_end_matches('/').to_owned(),
            root: root.into(),
            cache,
            index: None,
            compressed: false,
            hidden: false,
        }
    }

    /// The file served for a directory, relative to it (e.g. `index.html`).
    ///
    /// # Examples
    ///
    /// ```
    /// let files = etagcore_actix::fs::TaggedFiles::new("/", ".", Default::default()).index_file("index.html");
    /// ```
    pub fn index_file(mut self, name: impl Into<String>) -> Self {
        self.index = Some(name.into());
        self
    }

    /// Sends a precompressed sibling (`app.js.br`, `app.js.gz`, `app.js.zst`) when the request's
    /// `Accept-Encoding` prefers it, tagged from its own bytes.
    ///
    /// # Examples
    ///
    /// ```
    /// let files = etagcore_actix::fs::TaggedFiles::new("/", ".", Default::default()).try_compressed();
    /// ```
    pub fn try_compressed(mut self) -> Self {
        self.compressed = true;
        self
    }

    /// Serves files and directories whose names start with a dot.
    ///
    /// # Examples
    ///
    /// ```
    /// let files = etagcore_actix::fs::TaggedFiles::new("/", ".", Default::default()).use_hidden_files();
    /// ```
    pub fn use_hidden_files(mut self) -> Self {
        self.hidden = true;
        self
    }
}

impl HttpServiceFactory for TaggedFiles {
    fn register(self, config: &mut AppService) {
        let rdef = if config.is_root() {
            ResourceDef::root_prefix(&self.mount)
        } else {
            ResourceDef::prefix(&self.mount)
        };
        config.register_service(rdef, None, self, None);
    }
}

impl ServiceFactory<ServiceRequest> for TaggedFiles {
    type Response = ServiceResponse;
    type Error = Error;
    type Config = ();
    type Service = TaggedFilesService;
    type InitError = ();
    type Future = Ready<Result<TaggedFilesService, ()>>;

    fn new_service(&self, _: ()) -> Self::Future {
        ready(Ok(TaggedFilesService(Rc::new(self.clone()))))
    }
}

/// The service of [`TaggedFiles`].
///
/// # Examples
///
/// ```
/// use actix_web::dev::{Service, ServiceFactory};
/// use actix_web::test;
/// use etagcore::ContentTag;
/// use etagcore_actix::fs::{TaggedFiles, TaggedFilesService};
///
/// # actix_web::rt::System::new().block_on(async {
/// let dir = std::env::temp_dir().join("etagcore-actix-doc-service");
/// std::fs::create_dir_all(&dir).unwrap();
/// std::fs::write(dir.join("a.txt"), "a").unwrap();
///
/// let files = TaggedFiles::new("/", &dir, Default::default());
/// let service: TaggedFilesService = files.new_service(()).await.unwrap();
/// let res = service.call(test::TestRequest::get().uri("/a.txt").to_srv_request()).await.unwrap();
/// assert_eq!(res.headers().get("etag").unwrap(), ContentTag::of(b"a").as_str());
/// # });
/// ```
#[derive(Clone, Debug)]
pub struct TaggedFilesService(Rc<TaggedFiles>);

/// The precompressed siblings, in the order they are offered to the negotiation.
const PRECOMPRESSED: [(Encoding, ContentEncoding, &str); 3] = [
    (Encoding::brotli(), ContentEncoding::Brotli, "br"),
    (Encoding::gzip(), ContentEncoding::Gzip, "gz"),
    (Encoding::zstd(), ContentEncoding::Zstd, "zst"),
];

/// The file a request resolves to, found by `stat` alone: the path whose bytes are sent (a
/// precompressed sibling or the file itself), its metadata, and the file it stands for.
struct Resolved {
    path: PathBuf,
    metadata: Metadata,
    original: PathBuf,
    coding: Option<ContentEncoding>,
}

impl Resolved {
    /// Opens it: a `NamedFile` with the original's name (so its `Content-Type`) and the served
    /// path's bytes.
    fn open(&self) -> io::Result<NamedFile> {
        let file = NamedFile::from_file(File::open(&self.path)?, &self.original)?;
        Ok(match self.coding {
            Some(coding) => file.set_content_encoding(coding),
            None => file,
        })
    }
}

impl TaggedFilesService {
    /// The file to serve for a path on disk (the directory's index file for a directory, a
    /// precompressed sibling the client accepts), by `stat` alone.
    fn resolve(&self, req: &ServiceRequest, path: PathBuf) -> io::Result<Resolved> {
        let mut path = path;
        let mut metadata = std::fs::metadata(&path)?;
        if metadata.is_dir() {
            match &self.0.index {
                Some(index) => path.push(index),
                None => return Err(io::Error::from(io::ErrorKind::NotFound)),
            }
        }
        if self.0.compressed
            && let Some(found) = precompressed(req, &path)
        {
            return Ok(found);
        }
        if metadata.is_dir() {
            metadata = std::fs::metadata(&path)?;
        }
        if !metadata.is_file() {
            return Err(io::Error::from(io::ErrorKind::NotFound));
        }
        Ok(Resolved {
            original: path.clone(),
            path,
            metadata,
            coding: None,
        })
    }
}

/// The precompressed sibling the request accepts best (`app.js.br`, `app.js.gz`,
/// `app.js.zst`), when one exists.
fn precompressed(req: &ServiceRequest, original: &Path) -> Option<Resolved> {
    let accept = req.get_header::<AcceptEncoding>()?;
    let mut offered: Vec<Encoding> = PRECOMPRESSED.iter().map(|(e, _, _)| e.clone()).collect();
    offered.push(Encoding::identity());
    loop {
        let chosen = accept.negotiate(offered.iter())?;
        let (coding, extension) = PRECOMPRESSED
            .iter()
            .find(|(e, _, _)| *e == chosen)
            .map(|(_, coding, extension)| (*coding, *extension))?;
        let mut name = original.file_name()?.to_owned();
        name.push(".");
        name.push(extension);
        let sibling = original.with_file_name(name);
        if let Ok(metadata) = std::fs::metadata(&sibling)
            && metadata.is_file()
        {
            return Some(Resolved {
                path: sibling,
                metadata,
                original: original.to_path_buf(),
                coding: Some(coding),
            });
        }
        offered.retain(|e| *e != chosen);
    }
}

impl Service<ServiceRequest> for TaggedFilesService {
    type Response = ServiceResponse;
    type Error = Error;
    type Future = Pin<Box<dyn Future<Output = Result<ServiceResponse, Error>>>>;

    actix_web::dev::always_ready!();

    fn call(&self, req: ServiceRequest) -> Self::Future {
        let this = self.clone();
        Box::pin(async move {
            if !matches!(*req.method(), Method::GET | Method::HEAD) {
                return Ok(req.into_response(
                    HttpResponse::MethodNotAllowed()
                        .insert_header((header::ALLOW, "GET, HEAD"))
                        .finish(),
                ));
            }
            let relative =
                match PathBufWrap::parse_path(req.match_info().unprocessed(), this.0.hidden) {
                    Ok(relative) => relative,
                    Err(err) => return Ok(req.error_response(err)),
                };
            let path = this.0.root.join(relative);
            let found = this.resolve(&req, path);
            let (req, _payload) = req.into_parts();
            let fail = |req, err: io::Error| {
                let status = match err.kind() {
                    io::ErrorKind::PermissionDenied => StatusCode::FORBIDDEN,
                    io::ErrorKind::NotFound | io::ErrorKind::NotADirectory => StatusCode::NOT_FOUND,
                    _ => StatusCode::INTERNAL_SERVER_ERROR,
                };
                Ok(ServiceResponse::new(req, HttpResponse::new(status)))
            };
            let found = match found {
                Ok(found) => found,
                Err(err) => return fail(req, err),
            };
            let cache = &this.0.cache;
            let mut v = Validators {
                tag: cache.tag(&found.path, &found.metadata).await.ok(),
                lm: last_modified(found.metadata.modified().ok()),
                vary: this.0.compressed,
            };
            // 304 and 412 without opening the file.
            let decision = match early_answer(&v, &req) {
                Early::Send(decision) => decision,
                Early::Answer(answer) => return Ok(ServiceResponse::new(req, answer)),
            };
            let file = match found.open() {
                Ok(file) => file,
                Err(err) => return fail(req, err),
            };
            if !same_version(file.metadata(), &found.metadata) {
                // Replaced between the stat and the open: the opened bytes decide.
                v.tag = cache.tag(&found.path, file.metadata()).await.ok();
                v.lm = last_modified(file.modified());
                let response = match early_answer(&v, &req) {
                    Early::Send(decision) => send(file, &v, decision, &req),
                    Early::Answer(answer) => answer,
                };
                return Ok(ServiceResponse::new(req, response));
            }
            let response = send(file, &v, decision, &req);
            Ok(ServiceResponse::new(req, response))
        })
    }
}

/// Whether two metadata describe the same version of a file: length and mtime.
fn same_version(a: &Metadata, b: &Metadata) -> bool {
    a.len() == b.len() && mtime(a) == mtime(b)
}
