//! What the layers cost per request, on a 16 KiB HTML response.
//!
//! - `layer/16KiB`: a GET answered in full (body read to the end), by the service alone (the
//!   baseline), under `ContentEtagLayer` (buffer + hash), and under `PreconditionLayer` +
//!   `ContentEtagLayer` (an unconditional request: tag, nothing to evaluate).
//! - `layer/revalidation`: what a client holding the tag costs: the service alone sending the
//!   full 200 again (the baseline), the 304 through the whole stack (`PreconditionLayer`,
//!   `CompressionLayer`, `ContentEtagLayer`) for an identity and a gzip client, and the gzip
//!   200 the 304 saves.
//!
//! Every future here is ready at once, so a spinning `block_on` with a no-op waker drives them:
//! no runtime in the measurement.
//!
//! Run: `cargo bench -p etagcore-http --bench layer` (criterion options after `--`).

#[path = "../../../benches/common/mod.rs"]
mod common;

use std::convert::Infallible;
use std::future::{Future, ready};
use std::hint::black_box;
use std::pin::pin;
use std::task::{Context, Poll, Waker};

use bytes::Bytes;
use criterion::{BenchmarkId, Criterion, Throughput};
use etagcore::ContentTag;
use etagcore_http::layer::{ContentEtagLayer, PreconditionLayer};
use http::{Request, Response, header};
use http_body::Body;
use http_body_util::{BodyExt, Full};
use tower::{Service, ServiceBuilder, ServiceExt};
use tower_http::compression::CompressionLayer;

const SIZE: usize = 16 * 1024;

/// 16 KiB of HTML-like text: compressible, like the pages a server revalidates.
fn page() -> Bytes {
    let mut out = String::with_capacity(SIZE + 64);
    let mut i = 0u32;
    while out.len() < SIZE {
        out.push_str(&format!("<li><a href=\"/item/{i}\">item {i}</a></li>\n"));
        i = i.wrapping_mul(7).wrapping_add(13) % 10_007;
    }
    out.truncate(SIZE);
    Bytes::from(out)
}

fn block_on<F: Future>(future: F) -> F::Output {
    let mut future = pin!(future);
    let mut cx = Context::from_waker(Waker::noop());
    loop {
        if let Poll::Ready(output) = future.as_mut().poll(&mut cx) {
            return output;
        }
    }
}

/// One request through `service`, the response's body read to the end; its status and length.
fn serve<S, B>(service: &S, request: Request<()>) -> (u16, usize)
where
    S: Service<Request<()>, Response = Response<B>, Error = Infallible> + Clone,
    B: Body,
    B::Error: std::fmt::Debug,
{
    block_on(async {
        let Ok(response) = service.clone().oneshot(request).await;
        let status = response.status().as_u16();
        let body = response.into_body().collect().await.map(|c| c.to_bytes());
        (status, body.map_or(usize::MAX, |b| b.len()))
    })
}

fn get(fields: &[(header::HeaderName, &'static str)]) -> Request<()> {
    let mut request = Request::get("/");
    for (name, value) in fields {
        request = request.header(name, *value);
    }
    request.body(()).unwrap_or_default()
}

fn bench(c: &mut Criterion) {
    let content = page();
    let tag = ContentTag::of(&content);
    let handler = tower::service_fn(move |_: Request<()>| {
        let mut response = Response::new(Full::new(content.clone()));
        let html = header::HeaderValue::from_static("text/html; charset=utf-8");
        response.headers_mut().insert(header::CONTENT_TYPE, html);
        ready(Ok::<_, Infallible>(response))
    });
    let tagged = ServiceBuilder::new()
        .layer(ContentEtagLayer::new())
        .service(handler.clone());
    let both = ServiceBuilder::new()
        .layer(PreconditionLayer::new())
        .layer(ContentEtagLayer::new())
        .service(handler.clone());
    let stack = ServiceBuilder::new()
        .layer(PreconditionLayer::new())
        .layer(CompressionLayer::new())
        .layer(ContentEtagLayer::new())
        .service(handler.clone());

    let weak: &'static str = tag.weaken().as_str().to_owned().leak();
    let strong: &'static str = tag.as_str().to_owned().leak();
    let plain = || get(&[]);
    let gzip = || get(&[(header::ACCEPT_ENCODING, "gzip")]);
    let revalidate_identity = || get(&[(header::IF_NONE_MATCH, strong)]);
    let revalidate_gzip = || {
        get(&[
            (header::ACCEPT_ENCODING, "gzip"),
            (header::IF_NONE_MATCH, weak),
        ])
    };
    assert_eq!(serve(&handler, plain()), (200, SIZE));
    assert_eq!(serve(&tagged, plain()), (200, SIZE));
    assert_eq!(serve(&both, plain()), (200, SIZE));
    assert_eq!(serve(&stack, revalidate_identity()), (304, 0));
    assert_eq!(serve(&stack, revalidate_gzip()), (304, 0));
    assert_eq!(serve(&stack, gzip()).0, 200);

    let mut group = c.benchmark_group("layer");
    group.throughput(Throughput::Bytes(SIZE as u64));
    let name = |what| BenchmarkId::new(what, "16KiB");
    group.bench_function(name("service"), |b| {
        b.iter(|| serve(black_box(&handler), plain()))
    });
    group.bench_function(name("content_etag"), |b| {
        b.iter(|| serve(black_box(&tagged), plain()))
    });
    group.bench_function(name("precondition+content_etag"), |b| {
        b.iter(|| serve(black_box(&both), plain()))
    });
    group.finish();

    let mut group = c.benchmark_group("revalidation");
    group.throughput(Throughput::Bytes(SIZE as u64));
    group.bench_function(name("service_200"), |b| {
        b.iter(|| serve(black_box(&handler), plain()))
    });
    group.bench_function(name("stack_304_identity"), |b| {
        b.iter(|| serve(black_box(&stack), revalidate_identity()))
    });
    group.bench_function(name("stack_304_gzip"), |b| {
        b.iter(|| serve(black_box(&stack), revalidate_gzip()))
    });
    group.bench_function(name("stack_200_gzip"), |b| {
        b.iter(|| serve(black_box(&stack), gzip()))
    });
    group.finish();
}

fn main() {
    let mut c = common::criterion();
    bench(&mut c);
    c.final_summary();
}
