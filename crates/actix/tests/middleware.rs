//! ContentEtag and Preconditions through actix_web::test: every rule of the middleware, the
//! published middlewares' failures as regression cases, and the order with Compress.

use std::io::Read;
use std::sync::LazyLock;

use actix_files::NamedFile;
use actix_web::body::{SizedStream, to_bytes};
use actix_web::dev::{Service, ServiceResponse};
use actix_web::http::header;
use actix_web::middleware::Compress;
use actix_web::web::Bytes;
use actix_web::{App, HttpRequest, HttpResponse, test, web};
use etagcore::ContentTag;
use etagcore_actix::{ContentEtag, MAX_FIELD_LINES, Preconditions};

const BODY: &str = "<h1>hello, farm</h1>";
const LM: &str = "Wed, 21 Oct 2015 07:28:00 GMT";
const BEFORE_LM: &str = "Wed, 21 Oct 2015 07:27:59 GMT";

static TAG: LazyLock<ContentTag> = LazyLock::new(|| ContentTag::of(BODY.as_bytes()));

fn tag() -> &'static ContentTag {
    &TAG
}

async fn page() -> HttpResponse {
    HttpResponse::Ok()
        .insert_header((header::CONTENT_TYPE, "text/html"))
        .insert_header((header::LAST_MODIFIED, LM))
        .insert_header((header::CACHE_CONTROL, "no-cache"))
        .insert_header((header::VARY, "cookie"))
        .insert_header((header::SET_COOKIE, "seen=1"))
        .body(BODY)
}

macro_rules! app {
    ($($wrap:expr),*) => {
        test::init_service(
            App::new()
                $(.wrap($wrap))*
                .route("/", web::get().to(page))
                .route("/", web::head().to(page))
                .route("/", web::post().to(page))
                .route("/own", web::get().to(|| async {
                    HttpResponse::Ok().insert_header((header::ETAG, "\"v7\"")).body("seven")
                }))
                .route("/weak", web::get().to(|| async {
                    HttpResponse::Ok().insert_header((header::ETAG, "W/\"v7\"")).body("seven")
                }))
                .route("/bad", web::get().to(|| async {
                    HttpResponse::Ok().insert_header((header::ETAG, "v7")).body("seven")
                }))
                .route("/stream", web::get().to(|| async {
                    HttpResponse::Ok().streaming(futures_stream(&[b"str", b"eam"]))
                }))
                .route("/sized", web::get().to(|| async {
                    HttpResponse::Ok().body(SizedStream::new(6, futures_stream(&[b"siz", b"ed"])))
                }))
                .route("/big", web::get().to(|| async { HttpResponse::Ok().body(vec![b'x'; 2048]) }))
                .route("/missing", web::get().to(|| async {
                    HttpResponse::NotFound().insert_header((header::ETAG, "\"v7\"")).body("no")
                }))
                .route("/text", web::get().to(|| async {
                    HttpResponse::Ok().content_type("text/plain").body("hello ".repeat(200))
                }))
        )
        .await
    };
}

/// A stream of chunks without the futures crate: one chunk per poll.
fn futures_stream(
    chunks: &'static [&'static [u8]],
) -> impl futures_core::Stream<Item = Result<Bytes, std::io::Error>> {
    struct Chunks(std::slice::Iter<'static, &'static [u8]>);
    impl futures_core::Stream for Chunks {
        type Item = Result<Bytes, std::io::Error>;
        fn poll_next(
            mut self: std::pin::Pin<&mut Self>,
            _: &mut std::task::Context<'_>,
        ) -> std::task::Poll<Option<Self::Item>> {
            std::task::Poll::Ready(self.0.next().map(|c| Ok(Bytes::from_static(c))))
        }
    }
    Chunks(chunks.iter())
}

async fn get<S, B>(app: &S, uri: &str, headers: &[(&str, &str)]) -> (ServiceResponse<()>, Bytes)
where
    S: Service<actix_http::Request, Response = ServiceResponse<B>, Error = actix_web::Error>,
    B: actix_web::body::MessageBody,
{
    call(app, test::TestRequest::get().uri(uri), headers).await
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
    let res = test::call_service(app, req.to_request()).await;
    let (req, res) = res.into_parts();
    let (res, body) = res.into_parts();
    let bytes = to_bytes(body)
        .await
        .unwrap_or_else(|_| panic!("body error"));
    (ServiceResponse::new(req, res), bytes)
}

fn etag<B>(res: &ServiceResponse<B>) -> Option<&str> {
    res.headers().get(header::ETAG).map(|v| v.to_str().unwrap())
}

#[actix_web::test]
async fn get_200_gets_the_strong_content_tag() {
    let app = app!(ContentEtag::new());
    let (res, body) = get(&app, "/", &[]).await;
    assert_eq!(res.status(), 200);
    assert_eq!(body, BODY);
    assert_eq!(etag(&res), Some(tag().as_str()));
    // The farm contract: 32 lowercase hex digits of XXH3-128, quoted.
    assert_eq!(
        ContentTag::of(b"hello\n").as_str(),
        "\"6bba86c7e069f56d5a10b435f1c8e49c\""
    );
}

#[actix_web::test]
async fn head_is_evaluated_but_not_tagged() {
    let app = app!(ContentEtag::new());
    let (res, _) = call(
        &app,
        test::TestRequest::default()
            .method(actix_web::http::Method::HEAD)
            .uri("/"),
        &[],
    )
    .await;
    assert_eq!(res.status(), 200);
    assert_eq!(etag(&res), None);
    let (res, _) = call(
        &app,
        test::TestRequest::default()
            .method(actix_web::http::Method::HEAD)
            .uri("/"),
        &[("if-modified-since", LM)],
    )
    .await;
    assert_eq!(res.status(), 304);
}

#[actix_web::test]
async fn if_none_match_gives_304_with_the_fields_of_15_4_5() {
    let app = app!(ContentEtag::new());
    for held in [
        tag().as_str().to_owned(),
        tag().weaken().as_str().to_owned(),
        "*".into(),
    ] {
        let (res, body) = get(&app, "/", &[("if-none-match", &held)]).await;
        assert_eq!(res.status(), 304, "{held}");
        assert!(body.is_empty());
        let h = res.headers();
        assert_eq!(etag(&res), Some(tag().as_str()));
        assert_eq!(h.get(header::CACHE_CONTROL).unwrap(), "no-cache");
        assert_eq!(h.get(header::VARY).unwrap(), "cookie");
        assert_eq!(h.get(header::SET_COOKIE).unwrap(), "seen=1");
        assert!(!h.contains_key(header::CONTENT_TYPE));
        assert!(!h.contains_key(header::CONTENT_LENGTH));
        assert!(
            !h.contains_key(header::LAST_MODIFIED),
            "Last-Modified beside an ETag"
        );
    }
}

#[actix_web::test]
async fn a_list_and_several_lines_of_if_none_match() {
    let app = app!(ContentEtag::new());
    let list = format!("\"a\", {}", tag());
    assert_eq!(
        get(&app, "/", &[("if-none-match", &list)]).await.0.status(),
        304
    );
    let lines = [
        ("if-none-match", "\"a\""),
        ("if-none-match", tag().as_str()),
    ];
    assert_eq!(get(&app, "/", &lines).await.0.status(), 304);
    assert_eq!(
        get(&app, "/", &[("if-none-match", "\"a\"")])
            .await
            .0
            .status(),
        200
    );
    // More lines than MAX_FIELD_LINES: a malformed field, which matches nothing.
    let held = tag();
    let many: Vec<(&str, &str)> = (0..=MAX_FIELD_LINES)
        .map(|_| ("if-none-match", held.as_str()))
        .collect();
    assert_eq!(get(&app, "/", &many).await.0.status(), 200);
}

#[actix_web::test]
async fn if_none_match_decides_before_if_modified_since() {
    let app = app!(ContentEtag::new());
    // Not modified by date, but the tag differs: 200 (section 13.1.3, IMS ignored with INM).
    let (res, _) = get(
        &app,
        "/",
        &[("if-none-match", "\"old\""), ("if-modified-since", LM)],
    )
    .await;
    assert_eq!(res.status(), 200);
    let (res, _) = get(
        &app,
        "/",
        &[
            ("if-none-match", tag().as_str()),
            ("if-modified-since", BEFORE_LM),
        ],
    )
    .await;
    assert_eq!(res.status(), 304);
    // Date alone.
    assert_eq!(
        get(&app, "/", &[("if-modified-since", LM)])
            .await
            .0
            .status(),
        304
    );
    assert_eq!(
        get(&app, "/", &[("if-modified-since", BEFORE_LM)])
            .await
            .0
            .status(),
        200
    );
}

#[actix_web::test]
async fn if_match_and_if_unmodified_since_give_412_with_an_empty_body() {
    let app = app!(ContentEtag::new());
    let (res, body) = get(&app, "/", &[("if-match", "\"stale\"")]).await;
    assert_eq!(res.status(), 412);
    assert!(body.is_empty());
    assert_eq!(
        get(&app, "/", &[("if-match", tag().as_str())])
            .await
            .0
            .status(),
        200
    );
    assert_eq!(get(&app, "/", &[("if-match", "*")]).await.0.status(), 200);
    // If-Match is strong: the weak form of the right tag fails.
    assert_eq!(
        get(&app, "/", &[("if-match", tag().weaken().as_str())])
            .await
            .0
            .status(),
        412
    );
    assert_eq!(
        get(&app, "/", &[("if-unmodified-since", BEFORE_LM)])
            .await
            .0
            .status(),
        412
    );
    assert_eq!(
        get(&app, "/", &[("if-unmodified-since", LM)])
            .await
            .0
            .status(),
        200
    );
    // If-Unmodified-Since is ignored when If-Match is present (section 13.1.4).
    let both = [
        ("if-match", tag().as_str()),
        ("if-unmodified-since", BEFORE_LM),
    ];
    assert_eq!(get(&app, "/", &both).await.0.status(), 200);
    // Step 1 before step 3: a failed If-Match wins over a matching If-None-Match.
    let both = [("if-match", "\"stale\""), ("if-none-match", tag().as_str())];
    assert_eq!(get(&app, "/", &both).await.0.status(), 412);
}

#[actix_web::test]
async fn range_requests_get_the_full_200_the_handler_made() {
    let app = app!(ContentEtag::new());
    let (res, body) = get(
        &app,
        "/",
        &[("range", "bytes=0-3"), ("if-range", tag().as_str())],
    )
    .await;
    assert_eq!(res.status(), 200);
    assert_eq!(body, BODY);
}

/// actix-middleware-etag 0.5 panicked when a handler set a quoted ETag: it is kept, byte for
/// byte, and evaluated.
#[actix_web::test]
async fn regression_a_handlers_quoted_etag_is_kept_and_does_not_panic() {
    for mw in [ContentEtag::new(), ContentEtag::new().limit(0)] {
        let app = app!(mw);
        let (res, body) = get(&app, "/own", &[]).await;
        assert_eq!(res.status(), 200);
        assert_eq!(body, "seven");
        assert_eq!(etag(&res), Some("\"v7\""));
        assert_eq!(
            get(&app, "/own", &[("if-none-match", "\"v7\"")])
                .await
                .0
                .status(),
            304
        );
        assert_eq!(
            get(&app, "/own", &[("if-match", "\"v6\"")])
                .await
                .0
                .status(),
            412
        );
        let (res, _) = get(&app, "/weak", &[("if-none-match", "\"v7\"")]).await;
        assert_eq!((res.status().as_u16(), etag(&res)), (304, Some("W/\"v7\"")));
        // A malformed tag is sent as the handler wrote it, and matches nothing.
        let (res, body) = get(&app, "/bad", &[("if-none-match", "v7")]).await;
        assert_eq!(
            (res.status().as_u16(), etag(&res), &body[..]),
            (200, Some("v7"), &b"seven"[..])
        );
    }
}

#[actix_web::test]
async fn unknown_or_larger_sizes_stream_through_untouched() {
    let app = app!(ContentEtag::new().limit(1024));
    let (res, body) = get(&app, "/stream", &[]).await;
    assert_eq!(
        (res.status().as_u16(), etag(&res), &body[..]),
        (200, None, &b"stream"[..])
    );
    let (res, body) = get(&app, "/big", &[]).await;
    assert_eq!((etag(&res), body.len()), (None, 2048));
    // A stream of known size is collected chunk by chunk.
    let (res, body) = get(&app, "/sized", &[]).await;
    assert_eq!(
        (etag(&res), &body[..]),
        (Some(ContentTag::of(b"sized").as_str()), &b"sized"[..])
    );
}

#[actix_web::test]
async fn only_get_and_head_200_responses_are_evaluated() {
    let app = app!(ContentEtag::new());
    // The POST handler ran already: a response middleware must not turn it into 412.
    let (res, _) = call(
        &app,
        test::TestRequest::post().uri("/"),
        &[("if-match", "\"stale\"")],
    )
    .await;
    assert_eq!((res.status().as_u16(), etag(&res)), (200, None));
    // Section 13.2.1: a 404 stays a 404 whatever the conditions.
    let (res, _) = get(
        &app,
        "/missing",
        &[("if-match", "\"nope\""), ("if-none-match", "\"v7\"")],
    )
    .await;
    assert_eq!(res.status(), 404);
}

/// actix-middleware-etag 0.5 sent an empty body for a 1000-byte NamedFile with
/// `use_etag(false)`: the body is collected whole and tagged.
#[actix_web::test]
async fn regression_a_named_file_body_never_comes_out_empty() {
    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("mw-named");
    std::fs::create_dir_all(&dir).unwrap();
    let bytes: Vec<u8> = (0..1000u32).map(|i| (i * 7 % 251) as u8).collect();
    let path = dir.join("thousand.bin");
    std::fs::write(&path, &bytes).unwrap();
    let file_path = path.clone();
    let app = test::init_service(App::new().wrap(ContentEtag::new()).route(
        "/f",
        web::get().to(move |req: HttpRequest| {
            let path = file_path.clone();
            async move {
                NamedFile::open(path)
                    .unwrap()
                    .use_etag(false)
                    .use_last_modified(false)
                    .into_response(&req)
            }
        }),
    ))
    .await;
    let (res, body) = get(&app, "/f", &[]).await;
    assert_eq!(res.status(), 200);
    assert_eq!(body.len(), 1000);
    assert_eq!(&body[..], &bytes[..]);
    assert_eq!(etag(&res), Some(ContentTag::of(&bytes).as_str()));
    assert_eq!(
        get(
            &app,
            "/f",
            &[("if-none-match", ContentTag::of(&bytes).as_str())]
        )
        .await
        .0
        .status(),
        304
    );
}

fn gunzip(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    flate2::read::GzDecoder::new(bytes)
        .read_to_end(&mut out)
        .unwrap();
    out
}

/// The documented order: ContentEtag innermost, Compress, Preconditions outermost.
#[actix_web::test]
async fn compress_between_content_etag_and_preconditions() {
    let app = app!(
        ContentEtag::new(),
        Compress::default(),
        Preconditions::new()
    );
    let text = "hello ".repeat(200);
    let strong = ContentTag::of(text.as_bytes());

    let (res, body) = get(&app, "/text", &[]).await;
    assert_eq!(
        (etag(&res), &body[..]),
        (Some(strong.as_str()), text.as_bytes())
    );

    let gz = [("accept-encoding", "gzip")];
    let (res, body) = get(&app, "/text", &gz).await;
    assert_eq!(res.headers().get(header::CONTENT_ENCODING).unwrap(), "gzip");
    assert_eq!(
        etag(&res),
        Some(strong.weaken().as_str()),
        "W/ + the same digits"
    );
    assert_eq!(gunzip(&body), text.as_bytes());

    // Both copies revalidate with either tag (weak comparison), the 304 keeps Vary.
    for held in [strong.as_str(), strong.weaken().as_str()] {
        let (res, body) = get(
            &app,
            "/text",
            &[("accept-encoding", "gzip"), ("if-none-match", held)],
        )
        .await;
        assert_eq!(res.status(), 304);
        assert!(body.is_empty());
        assert_eq!(etag(&res), Some(strong.weaken().as_str()));
        assert_eq!(res.headers().get(header::VARY).unwrap(), "accept-encoding");
        assert!(!res.headers().contains_key(header::CONTENT_ENCODING));
        assert_eq!(
            get(&app, "/text", &[("if-none-match", held)])
                .await
                .0
                .status(),
            304
        );
    }
    // If-Match is strong: the gzip body is another representation.
    let (res, _) = get(
        &app,
        "/text",
        &[("accept-encoding", "gzip"), ("if-match", strong.as_str())],
    )
    .await;
    assert_eq!(res.status(), 412);
    assert_eq!(
        get(&app, "/text", &[("if-match", strong.as_str())])
            .await
            .0
            .status(),
        200
    );
    // A handler's own strong tag is weakened the same way.
    let (res, _) = get(&app, "/own", &[("accept-encoding", "gzip")]).await;
    assert_eq!(etag(&res), Some("W/\"v7\""));
}

/// Wrong order 1: ContentEtag inside Compress, no Preconditions: the strong tag of the identity
/// bytes goes out on the gzip body, and its 304s lose Vary.
#[actix_web::test]
async fn wrong_order_content_etag_inside_compress_leaks_the_strong_tag() {
    let app = app!(ContentEtag::new(), Compress::default());
    let strong = ContentTag::of("hello ".repeat(200).as_bytes());
    let (res, _) = get(&app, "/text", &[("accept-encoding", "gzip")]).await;
    assert_eq!(res.headers().get(header::CONTENT_ENCODING).unwrap(), "gzip");
    assert_eq!(
        etag(&res),
        Some(strong.as_str()),
        "the failure this order has"
    );
    let (res, _) = get(
        &app,
        "/text",
        &[
            ("accept-encoding", "gzip"),
            ("if-none-match", strong.as_str()),
        ],
    )
    .await;
    assert_eq!(res.status(), 304);
    assert!(
        !res.headers().contains_key(header::VARY),
        "the failure this order has"
    );
}

/// Wrong order 2: ContentEtag outside Compress: compressed bodies are streams of unknown size,
/// so gzip clients get no tag and never a 304.
#[actix_web::test]
async fn wrong_order_content_etag_outside_compress_tags_nothing_compressed() {
    let app = app!(Compress::default(), ContentEtag::new());
    let strong = ContentTag::of("hello ".repeat(200).as_bytes());
    let (res, _) = get(&app, "/text", &[("accept-encoding", "gzip")]).await;
    assert_eq!(res.headers().get(header::CONTENT_ENCODING).unwrap(), "gzip");
    assert_eq!(etag(&res), None, "the failure this order has");
    let (res, _) = get(
        &app,
        "/text",
        &[
            ("accept-encoding", "gzip"),
            ("if-none-match", strong.weaken().as_str()),
        ],
    )
    .await;
    assert_eq!(res.status(), 200);
}

#[actix_web::test]
async fn preconditions_alone_evaluates_handler_validators() {
    let app = app!(Preconditions::new());
    assert_eq!(
        get(&app, "/own", &[("if-none-match", "\"v7\"")])
            .await
            .0
            .status(),
        304
    );
    assert_eq!(
        get(&app, "/", &[("if-modified-since", LM)])
            .await
            .0
            .status(),
        304
    );
    let (res, _) = get(&app, "/", &[]).await;
    assert_eq!(etag(&res), None);
}

#[actix_web::test]
async fn preconditions_inside_content_etag_still_answers() {
    // The wrong way round: the outer ContentEtag was not told to defer, so it evaluates.
    let app = app!(Preconditions::new(), ContentEtag::new());
    assert_eq!(
        get(&app, "/", &[("if-none-match", tag().as_str())])
            .await
            .0
            .status(),
        304
    );
}
