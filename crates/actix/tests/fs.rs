//! Static files: TagCache, TaggedFiles and TaggedFile through actix_web::test.

use std::fs::{self, File};
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use actix_files::NamedFile;
use actix_web::body::to_bytes;
use actix_web::dev::{Service, ServiceResponse};
use actix_web::http::header;
use actix_web::middleware::Compress;
use actix_web::web::Bytes;
use actix_web::{App, test, web};
use etagcore::ContentTag;
use etagcore_actix::fs::{TagCache, TaggedFile, TaggedFiles};
use etagcore_actix::{ContentEtag, Preconditions};

const MTIME: u64 = 1_760_000_000;
const LM: &str = "Thu, 09 Oct 2025 08:53:20 GMT";

/// A fresh directory under the test target dir.
fn scratch(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("fs").join(name);
    let _ = fs::remove_dir_all(&dir);
    fs::create_dir_all(&dir).unwrap();
    dir
}

fn write(dir: &Path, name: &str, bytes: &[u8], mtime: u64) -> PathBuf {
    let path = dir.join(name);
    if let Some(parent) = path.parent() {
        fs::create_dir_all(parent).unwrap();
    }
    fs::write(&path, bytes).unwrap();
    File::options()
        .write(true)
        .open(&path)
        .unwrap()
        .set_modified(UNIX_EPOCH + Duration::from_secs(mtime))
        .unwrap();
    path
}

fn js() -> Vec<u8> {
    (0..300)
        .flat_map(|i| format!("console.log({i});\n").into_bytes())
        .collect()
}

/// A site: app.js (+ .gz and .br siblings), a 200 KiB file, an index, a hidden file.
fn site(name: &str) -> PathBuf {
    let dir = scratch(name);
    write(&dir, "app.js", &js(), MTIME);
    write(&dir, "app.js.gz", b"pretend gzip bytes", MTIME);
    write(&dir, "app.js.br", b"pretend brotli bytes", MTIME);
    write(&dir, "big.bin", &big(), MTIME);
    write(&dir, "docs/index.html", b"<h1>docs</h1>", MTIME);
    write(&dir, ".secret", b"no", MTIME);
    dir
}

fn big() -> Vec<u8> {
    (0..200 * 1024u32).map(|i| (i % 253) as u8).collect()
}

async fn call<S, B>(
    app: &S,
    req: test::TestRequest,
    headers: &[(&str, &str)],
) -> (ServiceResponse<()>, Bytes)
where
    S: Service<actix_http::Request, Response = ServiceResponse<B>, Error = actix_web::Error>,
    B: actix_web::body::MessageBody,
{
    let mut req = req;
    for (name, value) in headers {
        req = req.append_header((*name, *value));
    }
    let (req, res) = test::call_service(app, req.to_request()).await.into_parts();
    let (res, body) = res.into_parts();
    let bytes = to_bytes(body)
        .await
        .unwrap_or_else(|_| panic!("body error"));
    (ServiceResponse::new(req, res), bytes)
}

async fn get<S, B>(app: &S, uri: &str, headers: &[(&str, &str)]) -> (ServiceResponse<()>, Bytes)
where
    S: Service<actix_http::Request, Response = ServiceResponse<B>, Error = actix_web::Error>,
    B: actix_web::body::MessageBody,
{
    call(app, test::TestRequest::get().uri(uri), headers).await
}

fn h(res: &ServiceResponse<()>, name: header::HeaderName) -> Option<&str> {
    res.headers().get(name).map(|v| v.to_str().unwrap())
}

#[actix_web::test]
async fn files_get_content_tags_and_last_modified() {
    let dir = site("basic");
    let cache = TagCache::default();
    let app = test::init_service(
        App::new().service(TaggedFiles::new("/", &dir, cache.clone()).index_file("index.html")),
    )
    .await;
    let (res, body) = get(&app, "/app.js", &[]).await;
    assert_eq!(res.status(), 200);
    assert_eq!(body, js());
    assert_eq!(h(&res, header::ETAG), Some(ContentTag::of(&js()).as_str()));
    assert_eq!(h(&res, header::LAST_MODIFIED), Some(LM));
    assert_eq!(h(&res, header::CONTENT_TYPE), Some("text/javascript"));
    assert_eq!(h(&res, header::ACCEPT_RANGES), Some("bytes"));
    assert_eq!(h(&res, header::VARY), None);

    let (res, body) = get(&app, "/docs/", &[]).await;
    assert_eq!(
        (res.status().as_u16(), &body[..]),
        (200, &b"<h1>docs</h1>"[..])
    );
    assert_eq!(
        h(&res, header::ETAG),
        Some(ContentTag::of(b"<h1>docs</h1>").as_str())
    );

    for missing in ["/nope.js", "/.secret", "/../Cargo.toml", "/docs/../../x"] {
        let status = get(&app, missing, &[]).await.0.status().as_u16();
        assert!(matches!(status, 400 | 404), "{missing}: {status}");
    }
    let (res, _) = call(&app, test::TestRequest::post().uri("/app.js"), &[]).await;
    assert_eq!(
        (res.status().as_u16(), h(&res, header::ALLOW)),
        (405, Some("GET, HEAD"))
    );
    let head = test::TestRequest::default()
        .method(actix_web::http::Method::HEAD)
        .uri("/app.js");
    let (res, _) = call(&app, head, &[]).await;
    assert_eq!(
        (res.status().as_u16(), h(&res, header::ETAG)),
        (200, Some(ContentTag::of(&js()).as_str()))
    );
    // Each file hashed once, however often it was served.
    assert_eq!(cache.hashes(), 2);
}

#[actix_web::test]
async fn files_answer_every_condition() {
    let dir = site("conditions");
    let app =
        test::init_service(App::new().service(TaggedFiles::new("/s", &dir, TagCache::default())))
            .await;
    let tag = ContentTag::of(&js());
    let t = tag.as_str();

    let (res, body) = get(&app, "/s/app.js", &[("if-none-match", t)]).await;
    assert_eq!(res.status(), 304);
    assert!(body.is_empty());
    assert_eq!(h(&res, header::ETAG), Some(t));
    assert_eq!(h(&res, header::LAST_MODIFIED), None);
    assert_eq!(h(&res, header::CONTENT_TYPE), None);
    assert_eq!(
        get(
            &app,
            "/s/app.js",
            &[("if-none-match", tag.weaken().as_str())]
        )
        .await
        .0
        .status(),
        304
    );
    assert_eq!(
        get(&app, "/s/app.js", &[("if-none-match", "\"x\"")])
            .await
            .0
            .status(),
        200
    );
    assert_eq!(
        get(&app, "/s/app.js", &[("if-modified-since", LM)])
            .await
            .0
            .status(),
        304
    );
    let both = [("if-none-match", "\"x\""), ("if-modified-since", LM)];
    assert_eq!(
        get(&app, "/s/app.js", &both).await.0.status(),
        200,
        "IMS ignored beside INM"
    );

    let (res, body) = get(&app, "/s/app.js", &[("if-match", "\"x\"")]).await;
    assert_eq!((res.status().as_u16(), body.len()), (412, 0));
    // A matching If-Match: the whole file (actix-files alone would answer 412 here).
    let (res, body) = get(&app, "/s/app.js", &[("if-match", t)]).await;
    assert_eq!((res.status().as_u16(), &body[..]), (200, &js()[..]));
    assert_eq!(h(&res, header::ETAG), Some(t));
    assert_eq!(h(&res, header::CONTENT_TYPE), Some("text/javascript"));
    // Both paths write the same representation metadata.
    for name in ["/s/app.js", "/s/docs/index.html", "/s/big.bin"] {
        let (plain, _) = get(&app, name, &[]).await;
        let etag = h(&plain, header::ETAG).unwrap().to_owned();
        let (checked, _) = get(&app, name, &[("if-match", &etag)]).await;
        for field in [
            header::CONTENT_TYPE,
            header::CONTENT_DISPOSITION,
            header::ACCEPT_RANGES,
            header::ETAG,
            header::LAST_MODIFIED,
        ] {
            assert_eq!(
                h(&plain, field.clone()),
                h(&checked, field.clone()),
                "{name} {field}"
            );
        }
    }
    assert_eq!(
        get(
            &app,
            "/s/app.js",
            &[("if-unmodified-since", "Thu, 09 Oct 2025 08:53:19 GMT")]
        )
        .await
        .0
        .status(),
        412
    );
    assert_eq!(
        get(&app, "/s/app.js", &[("if-unmodified-since", LM)])
            .await
            .0
            .status(),
        200
    );
}

#[actix_web::test]
async fn files_serve_ranges_and_if_range() {
    let dir = site("ranges");
    let app =
        test::init_service(App::new().service(TaggedFiles::new("/", &dir, TagCache::default())))
            .await;
    let tag = ContentTag::of(&big());
    let (res, body) = get(&app, "/big.bin", &[("range", "bytes=10-19")]).await;
    assert_eq!(res.status(), 206);
    assert_eq!(&body[..], &big()[10..20]);
    assert_eq!(h(&res, header::CONTENT_RANGE), Some("bytes 10-19/204800"));
    assert_eq!(h(&res, header::ETAG), Some(tag.as_str()));
    // If-Range with the current tag: the range (actix-files alone would send the whole file).
    let (res, body) = get(
        &app,
        "/big.bin",
        &[("range", "bytes=100000-"), ("if-range", tag.as_str())],
    )
    .await;
    assert_eq!(res.status(), 206);
    assert_eq!(&body[..], &big()[100_000..]);
    assert_eq!(
        h(&res, header::CONTENT_RANGE),
        Some("bytes 100000-204799/204800")
    );
    // A stale If-Range: the whole file, 200.
    let (res, body) = get(
        &app,
        "/big.bin",
        &[("range", "bytes=0-9"), ("if-range", "\"old\"")],
    )
    .await;
    assert_eq!((res.status().as_u16(), body.len()), (200, big().len()));
    assert_eq!(&body[..], &big()[..]);
    // If-Range by date works against Last-Modified.
    let (res, _) = get(
        &app,
        "/big.bin",
        &[("range", "bytes=0-9"), ("if-range", LM)],
    )
    .await;
    assert_eq!(res.status(), 206);
    // Unsatisfiable, on both paths.
    assert_eq!(
        get(&app, "/big.bin", &[("range", "bytes=999999-")])
            .await
            .0
            .status(),
        416
    );
    assert_eq!(
        get(
            &app,
            "/big.bin",
            &[("range", "bytes=999999-"), ("if-range", tag.as_str())]
        )
        .await
        .0
        .status(),
        416
    );
    // A matching If-Match on a file larger than one 64 KiB read: streamed whole.
    let (res, body) = get(&app, "/big.bin", &[("if-match", tag.as_str())]).await;
    assert_eq!((res.status().as_u16(), &body[..]), (200, &big()[..]));
}

#[actix_web::test]
async fn precompressed_siblings_get_their_own_strong_tags() {
    let dir = site("precompressed");
    let app = test::init_service(
        App::new().service(TaggedFiles::new("/", &dir, TagCache::default()).try_compressed()),
    )
    .await;
    let (res, body) = get(&app, "/app.js", &[("accept-encoding", "gzip")]).await;
    assert_eq!(&body[..], b"pretend gzip bytes");
    assert_eq!(h(&res, header::CONTENT_ENCODING), Some("gzip"));
    assert_eq!(h(&res, header::CONTENT_TYPE), Some("text/javascript"));
    assert_eq!(h(&res, header::VARY), Some("accept-encoding"));
    let gz = ContentTag::of(b"pretend gzip bytes");
    assert_eq!(h(&res, header::ETAG), Some(gz.as_str()));

    let (res, body) = get(&app, "/app.js", &[("accept-encoding", "gzip, br")]).await;
    assert_eq!(
        (h(&res, header::CONTENT_ENCODING), &body[..]),
        (Some("br"), &b"pretend brotli bytes"[..])
    );
    assert_eq!(
        h(&res, header::ETAG),
        Some(ContentTag::of(b"pretend brotli bytes").as_str())
    );

    let (res, body) = get(&app, "/app.js", &[]).await;
    assert_eq!(
        (h(&res, header::CONTENT_ENCODING), &body[..]),
        (None, &js()[..])
    );
    assert_eq!(h(&res, header::ETAG), Some(ContentTag::of(&js()).as_str()));
    assert_eq!(h(&res, header::VARY), Some("accept-encoding"));

    let (res, _) = get(
        &app,
        "/app.js",
        &[("accept-encoding", "gzip"), ("if-none-match", gz.as_str())],
    )
    .await;
    assert_eq!(
        (res.status().as_u16(), h(&res, header::VARY)),
        (304, Some("accept-encoding"))
    );
    // The identity tag does not revalidate the gzip copy.
    let (res, _) = get(
        &app,
        "/app.js",
        &[
            ("accept-encoding", "gzip"),
            ("if-none-match", ContentTag::of(&js()).as_str()),
        ],
    )
    .await;
    assert_eq!(res.status(), 200);
}

#[actix_web::test]
async fn under_compress_and_preconditions() {
    let dir = site("compress");
    write(&dir, "page.txt", "text ".repeat(300).as_bytes(), MTIME);
    let app = test::init_service(
        App::new()
            .wrap(Compress::default())
            .wrap(Preconditions::new())
            .service(TaggedFiles::new("/", &dir, TagCache::default()).try_compressed()),
    )
    .await;
    let identity = ContentTag::of("text ".repeat(300).as_bytes());
    // Compressed on the fly: the weak form.
    let (res, _) = get(&app, "/page.txt", &[("accept-encoding", "gzip")]).await;
    assert_eq!(h(&res, header::CONTENT_ENCODING), Some("gzip"));
    assert_eq!(h(&res, header::ETAG), Some(identity.weaken().as_str()));
    // Compress and the service both say Vary: accept-encoding; it goes out once.
    assert_eq!(res.headers().get_all(header::VARY).count(), 1);
    let (res, _) = get(
        &app,
        "/page.txt",
        &[
            ("accept-encoding", "gzip"),
            ("if-none-match", identity.as_str()),
        ],
    )
    .await;
    assert_eq!(res.status(), 304);
    assert_eq!(h(&res, header::VARY), Some("accept-encoding"));
    // Precompressed: Compress leaves it alone, it keeps its strong tag.
    let (res, _) = get(&app, "/app.js", &[("accept-encoding", "gzip")]).await;
    assert_eq!(
        h(&res, header::ETAG),
        Some(ContentTag::of(b"pretend gzip bytes").as_str())
    );
    // A range request is still revalidated, and still refused, by the outer evaluation.
    let range = ("range", "bytes=0-9");
    let (res, body) = get(
        &app,
        "/page.txt",
        &[range, ("if-none-match", identity.as_str())],
    )
    .await;
    assert_eq!((res.status().as_u16(), body.len()), (304, 0));
    assert_eq!(h(&res, header::CONTENT_RANGE), None);
    assert_eq!(
        get(&app, "/page.txt", &[range, ("if-match", "\"x\"")])
            .await
            .0
            .status(),
        412
    );
    let (res, body) = get(&app, "/page.txt", &[range, ("if-match", identity.as_str())]).await;
    assert_eq!(
        (res.status().as_u16(), &body[..]),
        (206, &b"text text "[..])
    );
    let (res, body) = get(&app, "/page.txt", &[range]).await;
    assert_eq!((res.status().as_u16(), body.len()), (206, 10));
    // Deferred to the outer evaluation: If-None-Match: * and a matching If-Match.
    assert_eq!(
        get(&app, "/page.txt", &[("if-none-match", "*")])
            .await
            .0
            .status(),
        304
    );
    let (res, body) = get(&app, "/page.txt", &[("if-match", identity.as_str())]).await;
    assert_eq!((res.status().as_u16(), body.len()), (200, 1500));
    assert_eq!(
        get(&app, "/page.txt", &[("if-match", "\"x\"")])
            .await
            .0
            .status(),
        412
    );
}

#[actix_web::test]
async fn same_bytes_different_mtimes_same_tag() {
    let a = scratch("farm-a");
    let b = scratch("farm-b");
    write(&a, "x.css", b"body{}", MTIME);
    write(&b, "x.css", b"body{}", MTIME + 3600);
    let cache = TagCache::default();
    let app_a =
        test::init_service(App::new().service(TaggedFiles::new("/", &a, cache.clone()))).await;
    let app_b =
        test::init_service(App::new().service(TaggedFiles::new("/", &b, TagCache::default())))
            .await;
    let (ra, _) = get(&app_a, "/x.css", &[]).await;
    let (rb, _) = get(&app_b, "/x.css", &[]).await;
    assert_eq!(h(&ra, header::ETAG), h(&rb, header::ETAG));
    assert_ne!(h(&ra, header::LAST_MODIFIED), h(&rb, header::LAST_MODIFIED));
    // A's tag revalidates on B, with If-Modified-Since from A too.
    let held = [
        ("if-none-match", h(&ra, header::ETAG).unwrap()),
        ("if-modified-since", h(&ra, header::LAST_MODIFIED).unwrap()),
    ];
    assert_eq!(get(&app_b, "/x.css", &held).await.0.status(), 304);
}

#[actix_web::test]
async fn concurrent_misses_hash_once() {
    let dir = scratch("concurrent");
    let path = write(&dir, "big.bin", &vec![7u8; 4 << 20], MTIME);
    let cache = TagCache::default();
    let md = fs::metadata(&path).unwrap();
    let tasks: Vec<_> = (0..16)
        .map(|_| {
            let (cache, path, md) = (cache.clone(), path.clone(), md.clone());
            actix_web::rt::spawn(async move { cache.tag(&path, &md).await.unwrap() })
        })
        .collect();
    let mut tags = Vec::new();
    for task in tasks {
        tags.push(task.await.unwrap());
    }
    assert!(
        tags.iter()
            .all(|t| *t == ContentTag::of(&vec![7u8; 4 << 20]))
    );
    assert_eq!(cache.hashes(), 1);
    assert_eq!(cache.len(), 1);
}

#[actix_web::test]
async fn a_changed_file_is_hashed_again() {
    let dir = scratch("changed");
    let path = write(&dir, "a.txt", b"one", MTIME);
    let cache = TagCache::default();
    let app =
        test::init_service(App::new().service(TaggedFiles::new("/", &dir, cache.clone()))).await;
    let (res, _) = get(&app, "/a.txt", &[]).await;
    assert_eq!(h(&res, header::ETAG), Some(ContentTag::of(b"one").as_str()));
    // Same length, same second, other nanoseconds: still noticed.
    fs::write(&path, b"two").unwrap();
    File::options()
        .write(true)
        .open(&path)
        .unwrap()
        .set_modified(UNIX_EPOCH + Duration::new(MTIME, 5))
        .unwrap();
    let (res, body) = get(&app, "/a.txt", &[]).await;
    assert_eq!(&body[..], b"two");
    assert_eq!(h(&res, header::ETAG), Some(ContentTag::of(b"two").as_str()));
    assert_eq!((cache.hashes(), cache.len()), (2, 1));
}

#[actix_web::test]
async fn the_cache_is_bounded() {
    let dir = scratch("bounded");
    let cache = TagCache::new(2);
    for (i, name) in ["a", "b", "c", "a"].iter().enumerate() {
        let path = write(&dir, name, name.as_bytes(), MTIME);
        let tag = cache
            .tag(&path, &fs::metadata(&path).unwrap())
            .await
            .unwrap();
        assert_eq!(tag, ContentTag::of(name.as_bytes()), "{i}");
        assert!(cache.len() <= 2);
    }
    // "a" was the least recently used when "c" came: hashed again.
    assert_eq!(cache.hashes(), 4);
}

#[actix_web::test]
async fn tagged_file_in_a_handler() {
    let dir = scratch("handler");
    let path = write(&dir, "report.csv", b"a,b\n1,2\n", MTIME);
    let app = test::init_service(
        App::new()
            .app_data(web::Data::new(TagCache::default()))
            .route(
                "/report",
                web::get().to(move |cache: web::Data<TagCache>| {
                    let path = path.clone();
                    async move {
                        Ok::<TaggedFile, actix_web::Error>(
                            cache.tagged(NamedFile::open(path)?).await,
                        )
                    }
                }),
            ),
    )
    .await;
    let tag = ContentTag::of(b"a,b\n1,2\n");
    let (res, body) = get(&app, "/report", &[]).await;
    assert_eq!(
        (res.status().as_u16(), &body[..]),
        (200, &b"a,b\n1,2\n"[..])
    );
    assert_eq!(h(&res, header::ETAG), Some(tag.as_str()));
    assert_eq!(
        get(&app, "/report", &[("if-none-match", tag.as_str())])
            .await
            .0
            .status(),
        304
    );
    let (res, body) = get(
        &app,
        "/report",
        &[("if-match", tag.as_str()), ("range", "bytes=0-2")],
    )
    .await;
    assert_eq!((res.status().as_u16(), &body[..]), (206, &b"a,b"[..]));
    assert_eq!(
        get(&app, "/report", &[("if-match", "\"x\"")])
            .await
            .0
            .status(),
        412
    );
}

/// ContentEtag never rebuilds the tag the file service set.
#[actix_web::test]
async fn content_etag_over_tagged_files_keeps_the_files_tag() {
    let dir = site("both");
    let app = test::init_service(
        App::new()
            .wrap(ContentEtag::new())
            .service(TaggedFiles::new("/", &dir, TagCache::default())),
    )
    .await;
    let tag = ContentTag::of(&js());
    let (res, _) = get(&app, "/app.js", &[]).await;
    assert_eq!(h(&res, header::ETAG), Some(tag.as_str()));
    assert_eq!(
        get(&app, "/app.js", &[("if-none-match", tag.as_str())])
            .await
            .0
            .status(),
        304
    );
}

#[actix_web::test]
async fn mtime_before_1970_is_fine() {
    let dir = scratch("old");
    let path = dir.join("old.txt");
    fs::write(&path, b"old").unwrap();
    File::options()
        .write(true)
        .open(&path)
        .unwrap()
        .set_modified(SystemTime::UNIX_EPOCH - Duration::new(10, 5))
        .unwrap();
    let app =
        test::init_service(App::new().service(TaggedFiles::new("/", &dir, TagCache::default())))
            .await;
    let (res, _) = get(&app, "/old.txt", &[]).await;
    assert_eq!(h(&res, header::ETAG), Some(ContentTag::of(b"old").as_str()));
    assert_eq!(
        h(&res, header::LAST_MODIFIED),
        Some("Wed, 31 Dec 1969 23:59:49 GMT")
    );
}
