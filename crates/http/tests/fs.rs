//! `etagcore_http::fs`: ContentServeDir over real files in temporary folders, through
//! `tower::ServiceExt::oneshot`, against plain tower-http ServeDir where they should agree.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use bytes::Bytes;
use etagcore::ContentTag;
use etagcore_http::TaggedEncoding;
use etagcore_http::fs::{ContentServeDir, LineError, Manifest, ManifestError, TagCache};
use http::response::Parts;
use http::{Request, StatusCode, header};
use http_body_util::BodyExt;
use tower::ServiceExt;
use tower_http::services::ServeDir;

const T0: u64 = 1_760_000_000;

/// A folder under the system's temporary directory, removed when dropped.
struct TempDir(PathBuf);

impl TempDir {
    fn new() -> Self {
        static N: AtomicUsize = AtomicUsize::new(0);
        let n = N.fetch_add(1, Ordering::Relaxed);
        let path = std::env::temp_dir().join(format!(
            "etagcore-http-fs-{}-{n}-{}",
            std::process::id(),
            SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .unwrap()
                .as_nanos()
        ));
        std::fs::create_dir_all(&path).unwrap();
        TempDir(path)
    }

    fn path(&self) -> &Path {
        &self.0
    }

    /// Writes `name` (folders made as needed) with that mtime, in seconds and nanoseconds.
    fn write(&self, name: &str, data: &[u8], secs: u64, nanos: u32) -> PathBuf {
        let path = self.0.join(name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, data).unwrap();
        set_mtime(&path, secs, nanos);
        path
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn set_mtime(path: &Path, secs: u64, nanos: u32) {
    let file = std::fs::File::options().write(true).open(path).unwrap();
    file.set_modified(UNIX_EPOCH + Duration::new(secs, nanos))
        .unwrap();
}

fn tag(data: &[u8]) -> String {
    ContentTag::of(data).as_str().to_owned()
}

fn get(path: &str) -> http::request::Builder {
    Request::get(path)
}

/// Sends one request, returns the response's head and its whole body.
async fn send<S>(service: &S, request: http::request::Builder) -> (Parts, Bytes)
where
    S: tower::Service<Request<()>, Error = std::convert::Infallible> + Clone,
    S::Response: Into<http::Response<tower_http::services::fs::ServeFileSystemResponseBody>>,
{
    let response: http::Response<_> = service
        .clone()
        .oneshot(request.body(()).unwrap())
        .await
        .unwrap()
        .into();
    let (parts, body) = response.into_parts();
    (parts, body.collect().await.unwrap().to_bytes())
}

fn header(parts: &Parts, name: header::HeaderName) -> Option<&str> {
    parts.headers.get(name).map(|v| v.to_str().unwrap())
}

const BODY: &[u8] = b"<!doctype html><title>farm</title><p>the same bytes everywhere</p>\n";

#[tokio::test]
async fn the_tag_is_the_content_tag_of_the_file() {
    let dir = TempDir::new();
    dir.write("index.html", BODY, T0, 123_456_789);
    let service = ContentServeDir::new(dir.path());
    let (parts, body) = send(&service, get("/index.html")).await;
    assert_eq!(parts.status, StatusCode::OK);
    assert_eq!(&body[..], BODY);
    assert_eq!(header(&parts, header::ETAG), Some(tag(BODY).as_str()));
    assert_eq!(
        parts.extensions.get::<TaggedEncoding>(),
        Some(&TaggedEncoding(None))
    );
    // ServeDir's other fields are kept.
    assert_eq!(header(&parts, header::CONTENT_TYPE), Some("text/html"));
    assert_eq!(
        header(&parts, header::LAST_MODIFIED),
        Some("Thu, 09 Oct 2025 08:53:20 GMT")
    );
    assert_eq!(header(&parts, header::ACCEPT_RANGES), Some("bytes"));
    // The golden string: the digits `xxh128sum` prints for these bytes.
    assert_eq!(
        tag(b"hello\n"),
        "\"6bba86c7e069f56d5a10b435f1c8e49c\"",
        "the content-tag format drifted"
    );
}

#[tokio::test]
async fn two_copies_with_different_mtimes_get_the_same_tag() {
    let (a, b) = (TempDir::new(), TempDir::new());
    a.write("app.js", BODY, T0, 0);
    b.write("app.js", BODY, T0 + 3600, 999);
    let (sa, sb) = (
        ContentServeDir::new(a.path()),
        ContentServeDir::new(b.path()),
    );
    let (pa, _) = send(&sa, get("/app.js")).await;
    let (pb, _) = send(&sb, get("/app.js")).await;
    let etag = header(&pa, header::ETAG).unwrap().to_owned();
    assert_eq!(header(&pb, header::ETAG), Some(etag.as_str()));
    // A client that got its tag from one server revalidates on the other.
    let (parts, body) = send(&sb, get("/app.js").header("if-none-match", &etag)).await;
    assert_eq!(parts.status, StatusCode::NOT_MODIFIED);
    assert!(body.is_empty());
    // Plain ServeDir gives the two copies two tags: what this crate exists for.
    let (sa, sb) = (ServeDir::new(a.path()), ServeDir::new(b.path()));
    let (pa, _) = send(&sa, get("/app.js")).await;
    let (pb, _) = send(&sb, get("/app.js")).await;
    assert_ne!(header(&pa, header::ETAG), header(&pb, header::ETAG));
}

#[tokio::test]
async fn if_none_match_gives_304_also_within_a_list_over_several_lines() {
    let dir = TempDir::new();
    dir.write("a.txt", BODY, T0, 0);
    let service = ContentServeDir::new(dir.path());
    let etag = tag(BODY);
    for lines in [
        vec![etag.clone()],
        vec![format!("W/{etag}")],
        vec!["*".to_owned()],
        vec![format!("\"r2d2\", {etag}, \"c3po\"")],
        vec!["\"r2d2\"".to_owned(), "\"c3po\"".to_owned(), etag.clone()],
    ] {
        let mut request = get("/a.txt");
        for line in &lines {
            request = request.header("if-none-match", line);
        }
        let (parts, body) = send(&service, request).await;
        assert_eq!(parts.status, StatusCode::NOT_MODIFIED, "{lines:?}");
        assert!(body.is_empty());
        let weak = format!("W/{etag}");
        let expected = if lines == [weak.clone()] {
            &weak
        } else {
            &etag
        };
        assert_eq!(header(&parts, header::ETAG), Some(expected.as_str()));
        assert_eq!(header(&parts, header::CONTENT_LENGTH), None);
        assert_eq!(header(&parts, header::LAST_MODIFIED), None);
    }
    let other = get("/a.txt")
        .header("if-none-match", "\"r2d2\"")
        .header("if-none-match", "\"c3po\"");
    let (parts, body) = send(&service, other).await;
    assert_eq!((parts.status, &body[..]), (StatusCode::OK, BODY));
}

#[tokio::test]
async fn dates_are_judged_against_the_files_mtime() {
    let dir = TempDir::new();
    dir.write("a.txt", BODY, T0, 500_000_000);
    let service = ContentServeDir::new(dir.path());
    let at = "Thu, 09 Oct 2025 08:53:20 GMT";
    let before = "Thu, 09 Oct 2025 08:53:19 GMT";
    let cases = [
        ("if-modified-since", at, StatusCode::NOT_MODIFIED),
        ("if-modified-since", before, StatusCode::OK),
        ("if-unmodified-since", at, StatusCode::OK),
        (
            "if-unmodified-since",
            before,
            StatusCode::PRECONDITION_FAILED,
        ),
    ];
    for (name, date, want) in cases {
        let (parts, _) = send(&service, get("/a.txt").header(name, date)).await;
        assert_eq!(parts.status, want, "{name}: {date}");
    }
    // If-None-Match wins over If-Modified-Since (RFC 9110 section 13.2.2, step 4).
    let request = get("/a.txt")
        .header("if-none-match", "\"other\"")
        .header("if-modified-since", at);
    assert_eq!(send(&service, request).await.0.status, StatusCode::OK);
}

#[tokio::test]
async fn if_match_with_another_tag_gives_412() {
    let dir = TempDir::new();
    dir.write("a.txt", BODY, T0, 0);
    let service = ContentServeDir::new(dir.path());
    let etag = tag(BODY);
    let (parts, body) = send(&service, get("/a.txt").header("if-match", "\"r2d2\"")).await;
    assert_eq!(parts.status, StatusCode::PRECONDITION_FAILED);
    assert!(body.is_empty());
    // A weak tag never matches If-Match (strong comparison).
    let weak = format!("W/{etag}");
    let (parts, _) = send(&service, get("/a.txt").header("if-match", &weak)).await;
    assert_eq!(parts.status, StatusCode::PRECONDITION_FAILED);
    for ok in [etag.as_str(), "*"] {
        let (parts, body) = send(&service, get("/a.txt").header("if-match", ok)).await;
        assert_eq!((parts.status, &body[..]), (StatusCode::OK, BODY), "{ok}");
    }
    // If-Match comes first: a failing one wins over a matching If-None-Match.
    let both = get("/a.txt")
        .header("if-match", "\"r2d2\"")
        .header("if-none-match", &etag);
    assert_eq!(
        send(&service, both).await.0.status,
        StatusCode::PRECONDITION_FAILED
    );
}

#[tokio::test]
async fn a_true_if_range_gives_206_and_a_false_one_the_whole_200() {
    let dir = TempDir::new();
    dir.write("a.txt", BODY, T0, 0);
    let service = ContentServeDir::new(dir.path());
    let etag = tag(BODY);

    let range = get("/a.txt").header("range", "bytes=0-4");
    let (parts, body) = send(&service, range).await;
    assert_eq!(parts.status, StatusCode::PARTIAL_CONTENT);
    assert_eq!(&body[..], &BODY[..5]);
    assert_eq!(header(&parts, header::ETAG), Some(etag.as_str()));

    let fresh = get("/a.txt")
        .header("range", "bytes=0-4")
        .header("if-range", &etag);
    let (parts, body) = send(&service, fresh).await;
    assert_eq!(parts.status, StatusCode::PARTIAL_CONTENT);
    assert_eq!(&body[..], &BODY[..5]);
    let total = format!("bytes 0-4/{}", BODY.len());
    assert_eq!(header(&parts, header::CONTENT_RANGE), Some(total.as_str()));

    for stale in [
        "\"r2d2\"",
        &format!("W/{etag}"),
        "Thu, 01 Jan 2015 00:00:00 GMT",
    ] {
        let request = get("/a.txt")
            .header("range", "bytes=0-4")
            .header("if-range", stale);
        let (parts, body) = send(&service, request).await;
        assert_eq!(parts.status, StatusCode::OK, "{stale}");
        assert_eq!(&body[..], BODY);
        assert_eq!(header(&parts, header::ETAG), Some(etag.as_str()));
    }
    // Plain ServeDir ignores If-Range: the stale one still gets a 206.
    let request = get("/a.txt")
        .header("range", "bytes=0-4")
        .header("if-range", "\"r2d2\"");
    let (parts, _) = send(&ServeDir::new(dir.path()), request).await;
    assert_eq!(parts.status, StatusCode::PARTIAL_CONTENT);
}

#[tokio::test]
async fn head_has_the_tag_and_no_body() {
    let dir = TempDir::new();
    dir.write("a.txt", BODY, T0, 0);
    let service = ContentServeDir::new(dir.path());
    let etag = tag(BODY);
    let (parts, body) = send(&service, Request::head("/a.txt")).await;
    assert_eq!(parts.status, StatusCode::OK);
    assert!(body.is_empty());
    assert_eq!(header(&parts, header::ETAG), Some(etag.as_str()));
    let length = BODY.len().to_string();
    assert_eq!(
        header(&parts, header::CONTENT_LENGTH),
        Some(length.as_str())
    );
    let revalidate = Request::head("/a.txt").header("if-none-match", &etag);
    assert_eq!(
        send(&service, revalidate).await.0.status,
        StatusCode::NOT_MODIFIED
    );
    // Range is for GET only.
    let ranged = Request::head("/a.txt").header("range", "bytes=0-4");
    assert_eq!(send(&service, ranged).await.0.status, StatusCode::OK);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_misses_hash_a_file_once() {
    let dir = TempDir::new();
    let big: Vec<u8> = (0..8u32 << 20)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
        .collect();
    dir.write("big.bin", &big, T0, 0);
    let service = ContentServeDir::new(dir.path());
    let tasks: Vec<_> = (0..32)
        .map(|_| {
            let service = service.clone();
            tokio::spawn(async move {
                let response = service
                    .oneshot(Request::head("/big.bin").body(()).unwrap())
                    .await
                    .unwrap();
                response.headers()[header::ETAG]
                    .to_str()
                    .unwrap()
                    .to_owned()
            })
        })
        .collect();
    for task in tasks {
        assert_eq!(task.await.unwrap(), tag(&big));
    }
    assert_eq!(service.tag_cache().hashes(), 1);
    // And the cache itself, asked directly by many tasks at once.
    let path = dir.write("other.bin", &big[1..], T0, 0);
    let metadata = std::fs::metadata(&path).unwrap();
    let cache = TagCache::new(8);
    let tasks: Vec<_> = (0..16)
        .map(|_| {
            let (cache, path, metadata) = (cache.clone(), path.clone(), metadata.clone());
            tokio::spawn(async move { cache.tag(&path, &metadata).await.unwrap() })
        })
        .collect();
    for task in tasks {
        assert_eq!(task.await.unwrap(), ContentTag::of(&big[1..]));
    }
    assert_eq!(cache.hashes(), 1);
}

#[tokio::test]
async fn a_rewritten_file_gets_a_new_tag() {
    let dir = TempDir::new();
    dir.write("a.txt", b"version 1", T0, 0);
    let service = ContentServeDir::new(dir.path());
    let etag = |parts: &Parts| header(parts, header::ETAG).map(str::to_owned);
    let (parts, _) = send(&service, get("/a.txt")).await;
    assert_eq!(etag(&parts), Some(tag(b"version 1")));
    // Another length, same mtime.
    dir.write("a.txt", b"version 22", T0, 0);
    let (parts, _) = send(&service, get("/a.txt")).await;
    assert_eq!(etag(&parts), Some(tag(b"version 22")));
    // Same length, the mtime one nanosecond later.
    dir.write("a.txt", b"version 33", T0, 1);
    let (parts, body) = send(&service, get("/a.txt")).await;
    assert_eq!(etag(&parts), Some(tag(b"version 33")));
    assert_eq!(&body[..], b"version 33");
    // The old tag no longer revalidates.
    let old = get("/a.txt").header("if-none-match", tag(b"version 22"));
    assert_eq!(send(&service, old).await.0.status, StatusCode::OK);
    assert_eq!(service.tag_cache().hashes(), 3);
    assert_eq!(service.tag_cache().len(), 1, "one entry per path");

    // Replaced by rename (a new inode) with the same length and mtime, as rsync does.
    let fresh = dir.write("a.txt.tmp", b"version 44", T0, 1);
    std::fs::rename(&fresh, dir.path().join("a.txt")).unwrap();
    let (parts, _) = send(&service, get("/a.txt")).await;
    assert_eq!(etag(&parts), Some(tag(b"version 44")));
}

#[tokio::test]
async fn a_precompressed_copy_has_its_own_strong_tag() {
    let dir = TempDir::new();
    let gz = b"\x1f\x8b pretend these are the gzip bytes of BODY";
    dir.write("app.js", BODY, T0, 0);
    dir.write("app.js.gz", gz, T0 + 1, 0);
    dir.write("plain.js", BODY, T0, 0);
    let service = ContentServeDir::new(dir.path()).precompressed_gzip();

    let gzip = || get("/app.js").header("accept-encoding", "br;q=1, gzip;q=0.8");
    let (parts, body) = send(&service, gzip()).await;
    assert_eq!(parts.status, StatusCode::OK);
    assert_eq!(&body[..], gz);
    assert_eq!(header(&parts, header::CONTENT_ENCODING), Some("gzip"));
    assert_eq!(header(&parts, header::ETAG), Some(tag(gz).as_str()));
    assert_eq!(header(&parts, header::VARY), Some("accept-encoding"));
    assert_eq!(
        parts.extensions.get::<TaggedEncoding>(),
        Some(&TaggedEncoding(Some("gzip".parse().unwrap())))
    );
    assert_eq!(
        header(&parts, header::CONTENT_TYPE),
        Some("text/javascript")
    );

    // Without gzip (or with gzip refused), the file itself and its own tag.
    for accept in [None, Some("gzip;q=0"), Some("identity")] {
        let mut request = get("/app.js");
        if let Some(accept) = accept {
            request = request.header("accept-encoding", accept);
        }
        let (parts, body) = send(&service, request).await;
        assert_eq!(&body[..], BODY, "{accept:?}");
        assert_eq!(header(&parts, header::CONTENT_ENCODING), None);
        assert_eq!(header(&parts, header::ETAG), Some(tag(BODY).as_str()));
        assert_eq!(
            parts.extensions.get::<TaggedEncoding>(),
            Some(&TaggedEncoding(None))
        );
    }
    // No copy: the file, even for a client that prefers gzip.
    let (parts, body) = send(&service, get("/plain.js").header("accept-encoding", "gzip")).await;
    assert_eq!(
        (&body[..], header(&parts, header::CONTENT_ENCODING)),
        (BODY, None)
    );

    // Each representation revalidates with its own tag; the 304 keeps Vary.
    let (parts, _) = send(&service, gzip().header("if-none-match", tag(gz))).await;
    assert_eq!(parts.status, StatusCode::NOT_MODIFIED);
    assert_eq!(header(&parts, header::ETAG), Some(tag(gz).as_str()));
    assert_eq!(header(&parts, header::VARY), Some("accept-encoding"));
    assert_eq!(
        parts.extensions.get::<TaggedEncoding>(),
        Some(&TaggedEncoding(Some("gzip".parse().unwrap())))
    );
    let (parts, _) = send(&service, gzip().header("if-none-match", tag(BODY))).await;
    assert_eq!(parts.status, StatusCode::OK);
}

#[tokio::test]
async fn what_servedir_answers_without_a_file_is_untouched() {
    let dir = TempDir::new();
    dir.write("a.txt", BODY, T0, 0);
    dir.write("sub/b.txt", BODY, T0, 0);
    // The root is `sub`: `..` must not reach `a.txt` beside it.
    let service = ContentServeDir::new(dir.path().join("sub"));
    let stock = ServeDir::new(dir.path().join("sub"));
    for (method, path) in [
        ("GET", "/missing.txt"),
        ("GET", "/missing/"),
        ("GET", "/../a.txt"),
        ("GET", "/%2e%2e/a.txt"),
        ("GET", "/b.txt/x"),
        ("GET", "/b.txt/"),
        ("HEAD", "/missing.txt"),
        ("POST", "/b.txt"),
        ("DELETE", "/missing.txt"),
    ] {
        let request = || {
            Request::builder()
                .method(method)
                .uri(path)
                .header("if-match", "\"r2d2\"")
        };
        let (ours, ours_body) = send(&service, request()).await;
        let (theirs, theirs_body) = send(&stock, request()).await;
        assert_eq!(ours.status, theirs.status, "{method} {path}");
        assert_eq!(ours.headers, theirs.headers, "{method} {path}");
        assert_eq!(ours_body, theirs_body);
        assert!(matches!(
            ours.status,
            StatusCode::NOT_FOUND | StatusCode::METHOD_NOT_ALLOWED
        ));
    }
}

#[tokio::test]
async fn directories_serve_their_index_or_servedirs_redirect() {
    let dir = TempDir::new();
    dir.write("index.html", b"root index", T0, 0);
    dir.write("docs/index.html", BODY, T0, 0);
    dir.write("empty/.keep", b"", T0, 0);
    let service = ContentServeDir::new(dir.path());

    let (parts, body) = send(&service, get("/docs/")).await;
    assert_eq!((parts.status, &body[..]), (StatusCode::OK, BODY));
    assert_eq!(header(&parts, header::ETAG), Some(tag(BODY).as_str()));
    let (parts, _) = send(&service, get("/docs/").header("if-none-match", tag(BODY))).await;
    assert_eq!(parts.status, StatusCode::NOT_MODIFIED);

    let (parts, body) = send(&service, get("/")).await;
    assert_eq!(&body[..], b"root index");
    assert_eq!(
        header(&parts, header::ETAG),
        Some(tag(b"root index").as_str())
    );

    let (parts, _) = send(&service, get("/docs")).await;
    assert_eq!(parts.status, StatusCode::TEMPORARY_REDIRECT);
    assert_eq!(header(&parts, header::LOCATION), Some("/docs/"));
    assert_eq!(header(&parts, header::ETAG), None);

    let (parts, _) = send(&service, get("/empty/")).await;
    assert_eq!(parts.status, StatusCode::NOT_FOUND);

    let no_index = ContentServeDir::new(dir.path()).append_index_html_on_directories(false);
    assert_eq!(
        send(&no_index, get("/docs/")).await.0.status,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn percent_encoded_paths_resolve_like_servedir() {
    let dir = TempDir::new();
    dir.write("a b/c%d.txt", BODY, T0, 0);
    let service = ContentServeDir::new(dir.path());
    let (parts, body) = send(&service, get("/a%20b/c%25d.txt")).await;
    assert_eq!((parts.status, &body[..]), (StatusCode::OK, BODY));
    assert_eq!(header(&parts, header::ETAG), Some(tag(BODY).as_str()));
    let (parts, _) = send(&service, get("/./a%20b//c%25d.txt")).await;
    assert_eq!(header(&parts, header::ETAG), Some(tag(BODY).as_str()));
}

#[tokio::test]
async fn a_manifest_supplies_tags_until_a_file_changes() {
    let dir = TempDir::new();
    dir.write("a.txt", b"aaa", T0, 0);
    dir.write("sub/b.txt", b"bbb", T0, 0);
    dir.write("sub/b.txt.gz", b"gz of bbb", T0, 0);
    // Digests chosen by hand, so the test sees that the manifest's are the ones served.
    let text = "00000000000000000000000000000001  ./a.txt\n\
                00000000000000000000000000000002  sub/b.txt\n\
                00000000000000000000000000000003  sub/b.txt.gz\n";
    let manifest_path = dir.path().join("tags.xxh128");
    std::fs::write(&manifest_path, text).unwrap();
    let service = ContentServeDir::new(dir.path())
        .precompressed_gzip()
        .manifest_file(&manifest_path)
        .unwrap();
    let (parts, body) = send(
        &service,
        get("/sub/b.txt").header("accept-encoding", "gzip"),
    )
    .await;
    assert_eq!(&body[..], b"gz of bbb");
    assert_eq!(
        header(&parts, header::ETAG),
        Some("\"00000000000000000000000000000003\"")
    );
    let (parts, body) = send(&service, get("/a.txt")).await;
    assert_eq!(&body[..], b"aaa");
    assert_eq!(
        header(&parts, header::ETAG),
        Some("\"00000000000000000000000000000001\"")
    );
    let (parts, _) = send(&service, get("/sub/b.txt")).await;
    assert_eq!(
        header(&parts, header::ETAG),
        Some("\"00000000000000000000000000000002\"")
    );
    let revalidate = get("/a.txt").header("if-none-match", "\"00000000000000000000000000000001\"");
    assert_eq!(
        send(&service, revalidate).await.0.status,
        StatusCode::NOT_MODIFIED
    );
    assert_eq!(service.tag_cache().hashes(), 0);

    // Changed since the manifest was loaded (another mtime): hashed, the manifest ignored.
    dir.write("a.txt", b"aaa", T0 + 60, 0);
    let (parts, _) = send(&service, get("/a.txt")).await;
    assert_eq!(header(&parts, header::ETAG), Some(tag(b"aaa").as_str()));
    assert_eq!(service.tag_cache().hashes(), 1);
}

#[test]
fn a_malformed_manifest_line_is_an_error_with_its_number() {
    let dir = TempDir::new();
    dir.write("a.txt", b"aaa", T0, 0);
    let good = format!("{}  a.txt\n", "0".repeat(32));
    let cases = [
        (
            format!("{good}not a manifest line\n"),
            2,
            "expected `<32 lowercase hex digits>  <path>`",
        ),
        (format!("{good}{}  a.txt\n", "A".repeat(32)), 2, "expected"),
        (format!("\n{good}"), 1, "expected"),
        (
            format!("{good}{}  ../x\n", "0".repeat(32)),
            2,
            "under the root",
        ),
    ];
    for (text, line, words) in cases {
        let error = Manifest::parse(dir.path(), text.as_bytes()).unwrap_err();
        let shown = error.to_string();
        assert!(
            shown.starts_with(&format!("manifest line {line}: ")) && shown.contains(words),
            "{shown}"
        );
        assert!(matches!(error, ManifestError::Malformed { line: l, .. } if l == line));
    }
    let missing = format!("{good}{}  gone.txt\n", "0".repeat(32));
    let error = Manifest::parse(dir.path(), missing.as_bytes()).unwrap_err();
    assert!(
        matches!(error, ManifestError::File { line: 2, .. }),
        "{error}"
    );
    assert!(error.to_string().starts_with("manifest line 2: gone.txt: "));
    let twice = format!("{good}{}  ./a.txt\n", "1".repeat(32));
    let error = Manifest::parse(dir.path(), twice.as_bytes()).unwrap_err();
    assert!(matches!(
        error,
        ManifestError::Duplicate { line: 2, first: 1 }
    ));
    let escape = format!("\\{}  a\\tb\n", "0".repeat(32));
    let error = Manifest::parse(dir.path(), escape.as_bytes()).unwrap_err();
    assert!(matches!(
        error,
        ManifestError::Malformed {
            line: 1,
            reason: LineError::Escape
        }
    ));
    let error = Manifest::load(dir.path(), dir.path().join("none")).unwrap_err();
    assert!(error.to_string().starts_with("cannot read the manifest "));
    assert_eq!(Manifest::parse(dir.path(), b"").unwrap().len(), 0);
}

#[tokio::test]
async fn the_cache_is_bounded_and_evicts_the_least_recently_used() {
    let dir = TempDir::new();
    for name in ["a", "b", "c"] {
        dir.write(name, name.as_bytes(), T0, 0);
    }
    let service = ContentServeDir::new(dir.path()).cache_capacity(2);
    let cache = service.tag_cache().clone();
    for path in ["/a", "/b", "/a", "/c"] {
        send(&service, get(path)).await;
    }
    assert_eq!((cache.len(), cache.hashes()), (2, 3));
    // b was the least recently used: a is still there, b is hashed again.
    send(&service, get("/a")).await;
    assert_eq!(cache.hashes(), 3);
    let (parts, _) = send(&service, get("/b")).await;
    assert_eq!(header(&parts, header::ETAG), Some(tag(b"b").as_str()));
    assert_eq!((cache.len(), cache.hashes()), (2, 4));
    let metadata = std::fs::metadata(dir.path().join("c")).unwrap();
    assert_eq!(
        cache.cached(&dir.path().join("c"), &metadata),
        None,
        "c went next"
    );
}

#[tokio::test]
async fn stat_on_the_blocking_pool_gives_the_same_answers() {
    let dir = TempDir::new();
    dir.write("a.txt", BODY, T0, 0);
    let service = ContentServeDir::new(dir.path()).stat_on_blocking_pool(true);
    let (parts, body) = send(&service, get("/a.txt")).await;
    assert_eq!((parts.status, &body[..]), (StatusCode::OK, BODY));
    assert_eq!(header(&parts, header::ETAG), Some(tag(BODY).as_str()));
    let revalidate = get("/a.txt").header("if-none-match", tag(BODY));
    assert_eq!(
        send(&service, revalidate).await.0.status,
        StatusCode::NOT_MODIFIED
    );
    assert_eq!(
        send(&service, get("/missing")).await.0.status,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn no_metadata_tag_ever_goes_out() {
    let dir = TempDir::new();
    dir.write("a.txt", BODY, T0, 0);
    let service = ContentServeDir::new(dir.path());
    let requests = [
        get("/a.txt"),
        get("/a.txt").header("range", "bytes=0-4"),
        get("/a.txt").header("range", "bytes=9999-"),
        Request::head("/a.txt"),
    ];
    for request in requests {
        let (parts, _) = send(&service, request).await;
        let etag = header(&parts, header::ETAG);
        assert!(
            etag.is_none() || etag == Some(tag(BODY).as_str()),
            "{parts:?}"
        );
    }
}

#[tokio::test]
async fn a_weak_match_gets_a_weak_304_with_vary() {
    let dir = TempDir::new();
    dir.write("a.txt", BODY, T0, 0);
    let service = ContentServeDir::new(dir.path());
    let etag = tag(BODY);
    let weak = format!("W/{etag}");
    let (parts, _) = send(&service, get("/a.txt").header("if-none-match", &weak)).await;
    assert_eq!(parts.status, StatusCode::NOT_MODIFIED);
    assert_eq!(header(&parts, header::ETAG), Some(weak.as_str()));
    assert_eq!(header(&parts, header::VARY), Some("accept-encoding"));
    // A strong member that matches wins: the client holds the identity copy too.
    let both = format!("{weak}, {etag}");
    let (parts, _) = send(&service, get("/a.txt").header("if-none-match", &both)).await;
    assert_eq!(header(&parts, header::ETAG), Some(etag.as_str()));
    assert_eq!(header(&parts, header::VARY), None);
}

#[tokio::test]
async fn vary_accept_encoding_goes_on_200s_and_304s() {
    let dir = TempDir::new();
    dir.write("a.txt", BODY, T0, 0);
    let service = ContentServeDir::new(dir.path()).vary_accept_encoding(true);
    let (parts, _) = send(&service, get("/a.txt")).await;
    assert_eq!(header(&parts, header::VARY), Some("accept-encoding"));
    let (parts, _) = send(&service, get("/a.txt").header("if-none-match", tag(BODY))).await;
    assert_eq!(parts.status, StatusCode::NOT_MODIFIED);
    assert_eq!(header(&parts, header::VARY), Some("accept-encoding"));
}

/// The order the example serves with: PreconditionLayer, CompressionLayer, ContentServeDir.
#[tokio::test]
async fn behind_compression_and_the_precondition_layer() {
    use etagcore_http::layer::PreconditionLayer;
    use tower::ServiceBuilder;
    use tower_http::compression::CompressionLayer;

    let dir = TempDir::new();
    let text = "<p>the same bytes everywhere</p>\n".repeat(100);
    dir.write("index.html", text.as_bytes(), T0, 0);
    let app = ServiceBuilder::new()
        .layer(PreconditionLayer::new())
        .layer(CompressionLayer::new())
        .service(ContentServeDir::new(dir.path()).vary_accept_encoding(true));
    let call = |accept: &str, inm: Option<&str>| {
        let mut request = get("/index.html").header("accept-encoding", accept);
        if let Some(inm) = inm {
            request = request.header("if-none-match", inm);
        }
        app.clone().oneshot(request.body(()).unwrap())
    };
    let strong = tag(text.as_bytes());
    let weak = format!("W/{strong}");

    let gzip = call("gzip", None).await.unwrap();
    assert_eq!(gzip.headers()[header::CONTENT_ENCODING], "gzip");
    assert_eq!(gzip.headers()[header::ETAG], weak.as_str());
    assert_eq!(gzip.headers()[header::VARY], "accept-encoding");
    let compressed = gzip.into_body().collect().await.unwrap().to_bytes();
    assert!(compressed.len() < text.len() / 4);

    let identity = call("identity", None).await.unwrap();
    assert_eq!(identity.headers()[header::ETAG], strong.as_str());
    assert!(!identity.headers().contains_key(header::CONTENT_ENCODING));

    for (accept, held) in [("gzip", &weak), ("identity", &strong), ("gzip", &strong)] {
        let response = call(accept, Some(held)).await.unwrap();
        assert_eq!(
            response.status(),
            StatusCode::NOT_MODIFIED,
            "{accept} {held}"
        );
        assert_eq!(response.headers()[header::ETAG], held.as_str());
        assert_eq!(response.headers()[header::VARY], "accept-encoding");
        assert!(!response.headers().contains_key(header::CONTENT_ENCODING));
        assert!(
            response
                .into_body()
                .collect()
                .await
                .unwrap()
                .to_bytes()
                .is_empty()
        );
    }
    let stale = call("gzip", Some("\"r2d2\"")).await.unwrap();
    assert_eq!(stale.status(), StatusCode::OK);
}

#[tokio::test]
async fn the_copy_chosen_is_servedirs_choice() {
    let dir = TempDir::new();
    dir.write("app.js", BODY, T0, 0);
    for (ext, bytes) in [
        ("gz", &b"gzip bytes"[..]),
        ("br", b"brotli bytes"),
        ("zst", b"zstd bytes"),
    ] {
        dir.write(&format!("app.js.{ext}"), bytes, T0, 0);
    }
    dir.write("only-gz.js", BODY, T0, 0);
    dir.write("only-gz.js.gz", b"gzip bytes", T0, 0);
    let ours = ContentServeDir::new(dir.path())
        .precompressed_gzip()
        .precompressed_br()
        .precompressed_zstd();
    let stock = ServeDir::new(dir.path())
        .precompressed_gzip()
        .precompressed_br()
        .precompressed_zstd();
    for path in ["/app.js", "/only-gz.js"] {
        for accept in [
            "gzip, br, zstd",
            "gzip, br",
            "br;q=0.5, gzip;q=0.9",
            "zstd;q=0, br;q=0.1",
            "identity, gzip;q=0.5",
            "x-gzip",
            "compress",
            "*",
        ] {
            let request = || get(path).header("accept-encoding", accept);
            let (theirs, their_body) = send(&stock, request()).await;
            let (mine, my_body) = send(&ours, request()).await;
            let coding = header(&theirs, header::CONTENT_ENCODING);
            assert_eq!(
                header(&mine, header::CONTENT_ENCODING),
                coding,
                "{path} {accept}"
            );
            assert_eq!(my_body, their_body, "{path} {accept}");
            assert_eq!(header(&mine, header::ETAG), Some(tag(&my_body).as_str()));
            let recorded = coding.map(|c| c.parse().unwrap());
            assert_eq!(
                mine.extensions.get::<TaggedEncoding>(),
                Some(&TaggedEncoding(recorded))
            );
        }
    }
}
