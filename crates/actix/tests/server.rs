//! A real server on 127.0.0.1:0 and a real client (awc): the middleware order of the docs,
//! static files, and a guarded PUT, over TCP.

use std::path::Path;
use std::sync::Mutex;

use actix_web::middleware::Compress;
use actix_web::{App, HttpRequest, HttpResponse, HttpServer, web};
use etagcore::ContentTag;
use etagcore_actix::fs::{TagCache, TaggedFiles};
use etagcore_actix::{Checked, ContentEtag, Current, CurrentTag, Preconditions};

struct Doc(Mutex<Vec<u8>>);

impl CurrentTag for Doc {
    async fn current(&self, _: &HttpRequest) -> Option<Current> {
        Some(Current::content(ContentTag::of(&self.0.lock().unwrap())))
    }
}

async fn put(checked: Checked<Doc>, body: web::Bytes) -> actix_web::Result<HttpResponse> {
    let mut doc = checked.data().0.lock().unwrap();
    checked.recheck(Some(&Current::content(ContentTag::of(&doc))))?;
    *doc = body.to_vec();
    Ok(HttpResponse::NoContent().finish())
}

#[actix_web::test]
async fn a_real_server_and_client() {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("server");
    std::fs::create_dir_all(&dir).unwrap();
    let css = "body { color: #123456; }\n".repeat(100);
    std::fs::write(dir.join("site.css"), &css).unwrap();

    let doc = web::Data::new(Doc(Mutex::new(b"v1".to_vec())));
    let cache = TagCache::default();
    let (root, data) = (dir.clone(), doc.clone());
    let server = HttpServer::new(move || {
        App::new()
            .app_data(data.clone())
            .wrap(ContentEtag::new())
            .wrap(Compress::default())
            .wrap(Preconditions::new())
            .route("/doc", web::put().to(put))
            .route("/hello", web::get().to(|| async { "hello over tcp" }))
            .service(TaggedFiles::new("/static", &root, cache.clone()))
    })
    .workers(2)
    .bind(("127.0.0.1", 0))
    .unwrap();
    let addr = server.addrs()[0];
    let server = server.run();
    let handle = server.handle();
    actix_web::rt::spawn(server);

    let client = awc::Client::default();
    let url = |path: &str| format!("http://{addr}{path}");

    // Static file, identity.
    let mut res = client
        .get(url("/static/site.css"))
        .insert_header(("accept-encoding", "identity"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let tag = ContentTag::of(css.as_bytes());
    assert_eq!(res.headers().get("etag").unwrap(), tag.as_str());
    assert_eq!(res.body().await.unwrap(), css.as_bytes());
    let res = client
        .get(url("/static/site.css"))
        .insert_header(("if-none-match", tag.as_str()))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 304);

    // The same file gzipped on the fly: the weak form, and a 304 for it.
    let mut res = client
        .get(url("/static/site.css"))
        .no_decompress()
        .insert_header(("accept-encoding", "gzip"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.headers().get("content-encoding").unwrap(), "gzip");
    assert_eq!(res.headers().get("etag").unwrap(), tag.weaken().as_str());
    assert!(res.body().await.unwrap().len() < css.len());
    let res = client
        .get(url("/static/site.css"))
        .insert_header(("accept-encoding", "gzip"))
        .insert_header(("if-none-match", tag.weaken().as_str()))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 304);
    assert_eq!(res.headers().get("vary").unwrap(), "accept-encoding");

    // A handler's body.
    let res = client
        .get(url("/hello"))
        .insert_header(("accept-encoding", "identity"))
        .send()
        .await
        .unwrap();
    assert_eq!(
        res.headers().get("etag").unwrap(),
        ContentTag::of(b"hello over tcp").as_str()
    );

    // A guarded PUT: stale, then current.
    let res = client
        .put(url("/doc"))
        .insert_header(("if-match", ContentTag::of(b"v0").as_str()))
        .send_body("v2")
        .await
        .unwrap();
    assert_eq!(res.status(), 412);
    assert_eq!(*doc.0.lock().unwrap(), b"v1");
    let res = client
        .put(url("/doc"))
        .insert_header(("if-match", ContentTag::of(b"v1").as_str()))
        .send_body("v2")
        .await
        .unwrap();
    assert_eq!(res.status(), 204);
    assert_eq!(*doc.0.lock().unwrap(), b"v2");

    handle.stop(true).await;
}
