//! The Checked extractor: preconditions of state-changing methods evaluated before the handler.

use std::collections::HashMap;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use actix_web::http::header;
use actix_web::{App, HttpRequest, HttpResponse, test, web};
use etagcore::ContentTag;
use etagcore_actix::{Checked, Current, CurrentTag};

#[derive(Default)]
struct Store {
    docs: Mutex<HashMap<String, Vec<u8>>>,
    writes: AtomicUsize,
}

impl CurrentTag for Store {
    async fn current(&self, req: &HttpRequest) -> Option<Current> {
        let docs = self.docs.lock().unwrap();
        docs.get(req.path())
            .map(|body| Current::content(ContentTag::of(body)).last_modified(1_445_412_480))
    }
}

async fn put(
    checked: Checked<Store>,
    req: HttpRequest,
    body: web::Bytes,
) -> actix_web::Result<HttpResponse> {
    let store = checked.data();
    let mut docs = store.docs.lock().unwrap();
    let current = docs
        .get(req.path())
        .map(|doc| Current::content(ContentTag::of(doc)));
    checked.recheck(current.as_ref())?;
    store.writes.fetch_add(1, Ordering::SeqCst);
    let created = docs.insert(req.path().to_owned(), body.to_vec()).is_none();
    Ok(if created {
        HttpResponse::Created()
    } else {
        HttpResponse::NoContent()
    }
    .insert_header((header::ETAG, ContentTag::of(&body).as_str()))
    .finish())
}

async fn delete(checked: Checked<Store>, req: HttpRequest) -> HttpResponse {
    checked.data().writes.fetch_add(1, Ordering::SeqCst);
    checked.data().docs.lock().unwrap().remove(req.path());
    HttpResponse::NoContent().finish()
}

async fn read(checked: Checked<Store>, req: HttpRequest) -> HttpResponse {
    let docs = checked.data().docs.lock().unwrap();
    match docs.get(req.path()) {
        Some(doc) => HttpResponse::Ok()
            .insert_header((header::ETAG, ContentTag::of(doc).as_str()))
            .body(doc.clone()),
        None => HttpResponse::NotFound().finish(),
    }
}

fn store() -> web::Data<Store> {
    let store = Store::default();
    store
        .docs
        .lock()
        .unwrap()
        .insert("/doc".into(), b"version 1".to_vec());
    web::Data::new(store)
}

macro_rules! app {
    ($store:expr) => {
        test::init_service(
            App::new()
                .app_data($store.clone())
                .route("/{name}", web::put().to(put))
                .route("/{name}", web::delete().to(delete))
                .route("/{name}", web::get().to(read)),
        )
        .await
    };
}

fn v1() -> ContentTag {
    ContentTag::of(b"version 1")
}

/// etag-actix-middleware 0.2.5 ran the handler, then answered 412: the write had happened.
#[actix_web::test]
async fn regression_a_stale_if_match_put_gets_412_and_the_write_never_runs() {
    let store = store();
    let app = app!(store);
    let stale = ContentTag::of(b"version 0");
    let req = test::TestRequest::put()
        .uri("/doc")
        .insert_header(("if-match", stale.as_str()))
        .set_payload("version 2")
        .to_request();
    let res = test::call_service(&app, req).await;
    assert_eq!(res.status(), 412);
    assert_eq!(
        store.writes.load(Ordering::SeqCst),
        0,
        "the handler's write ran"
    );
    assert_eq!(store.docs.lock().unwrap()["/doc"], b"version 1");
    assert!(test::read_body(res).await.is_empty());
}

#[actix_web::test]
async fn a_current_if_match_put_writes() {
    let store = store();
    let app = app!(store);
    let req = test::TestRequest::put()
        .uri("/doc")
        .insert_header(("if-match", v1().as_str()))
        .set_payload("version 2")
        .to_request();
    let res = test::call_service(&app, req).await;
    assert_eq!(res.status(), 204);
    assert_eq!(
        res.headers().get("etag").unwrap(),
        ContentTag::of(b"version 2").as_str()
    );
    // The same request again is now stale.
    let again = test::TestRequest::put()
        .uri("/doc")
        .insert_header(("if-match", v1().as_str()))
        .set_payload("version 3")
        .to_request();
    assert_eq!(test::call_service(&app, again).await.status(), 412);
    assert_eq!(store.writes.load(Ordering::SeqCst), 1);
}

#[actix_web::test]
async fn create_only_with_if_none_match_star() {
    let store = store();
    let app = app!(store);
    let create = |uri: &str| {
        test::TestRequest::put()
            .uri(uri)
            .insert_header(("if-none-match", "*"))
            .set_payload("new")
            .to_request()
    };
    assert_eq!(test::call_service(&app, create("/new")).await.status(), 201);
    assert_eq!(test::call_service(&app, create("/new")).await.status(), 412);
    assert_eq!(test::call_service(&app, create("/doc")).await.status(), 412);
    // If-Match: * on a missing resource fails.
    let req = test::TestRequest::put()
        .uri("/absent")
        .insert_header(("if-match", "*"))
        .set_payload("x")
        .to_request();
    assert_eq!(test::call_service(&app, req).await.status(), 412);
    assert_eq!(store.writes.load(Ordering::SeqCst), 1);
}

#[actix_web::test]
async fn delete_with_if_unmodified_since() {
    let store = store();
    let app = app!(store);
    let early = test::TestRequest::delete()
        .uri("/doc")
        .insert_header(("if-unmodified-since", "Wed, 21 Oct 2015 07:27:59 GMT"))
        .to_request();
    assert_eq!(test::call_service(&app, early).await.status(), 412);
    let ok = test::TestRequest::delete()
        .uri("/doc")
        .insert_header(("if-unmodified-since", "Wed, 21 Oct 2015 07:28:00 GMT"))
        .to_request();
    assert_eq!(test::call_service(&app, ok).await.status(), 204);
    assert_eq!(store.writes.load(Ordering::SeqCst), 1);
}

#[actix_web::test]
async fn unconditional_requests_and_guarded_reads() {
    let store = store();
    let app = app!(store);
    let req = test::TestRequest::put()
        .uri("/doc")
        .set_payload("v9")
        .to_request();
    assert_eq!(test::call_service(&app, req).await.status(), 204);
    let tag = ContentTag::of(b"v9");
    let req = test::TestRequest::get()
        .uri("/doc")
        .insert_header(("if-none-match", tag.as_str()))
        .to_request();
    let res = test::call_service(&app, req).await;
    assert_eq!(res.status(), 304);
    assert_eq!(res.headers().get("etag").unwrap(), tag.as_str());
}

#[actix_web::test]
async fn without_the_app_data_the_request_fails_closed() {
    let app = test::init_service(App::new().route("/{name}", web::put().to(put))).await;
    let req = test::TestRequest::put()
        .uri("/doc")
        .set_payload("x")
        .to_request();
    assert_eq!(test::call_service(&app, req).await.status(), 500);
}
