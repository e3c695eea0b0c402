//! The adapter's cost: `Conditions::new(&Method, &HeaderMap)` + `evaluate`, against the same
//! decision built the way a hyper/axum user would without etagcore: the `headers` crate's typed
//! headers read from the same `HeaderMap` (`HeaderMapExt::typed_get`) and `httpdate`.
//!
//! Both sides get the request's `HeaderMap` as the server holds it and the current
//! representation prepared once, outside the timed loop, and reach the same decision (checked
//! before timing).

#[path = "../../../benches/common/mod.rs"]
mod common;

use std::hint::black_box;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use criterion::{BenchmarkId, Criterion};
use etagcore::{Decision, EntityTag, Representation};
use etagcore_http::Conditions;
use headers::{ETag, HeaderMapExt, IfMatch, IfModifiedSince, IfNoneMatch, IfUnmodifiedSince};
use http::{HeaderMap, HeaderValue, Method, header};

const NOW: i64 = 1_767_225_600;
const LAST_MODIFIED: i64 = 1_445_412_480; // Wed, 21 Oct 2015 07:28:00 GMT
const CURRENT: &str = "\"99aa06d3014798d86001c324468d497f\"";
const LM_DATE: &str = "Wed, 21 Oct 2015 07:28:00 GMT";

/// Section 13.2.2 for GET/HEAD/PUT from typed headers (no If-Range: the cases have none).
fn typed(method: &Method, h: &HeaderMap, etag: &ETag, lm: SystemTime) -> Decision {
    let read = method == Method::GET || method == Method::HEAD;
    if h.contains_key(header::IF_MATCH) {
        if !h
            .typed_get::<IfMatch>()
            .is_some_and(|im| im.precondition_passes(etag))
        {
            return Decision::PreconditionFailed;
        }
    } else if let Some(ius) = h.typed_get::<IfUnmodifiedSince>()
        && !ius.precondition_passes(lm)
    {
        return Decision::PreconditionFailed;
    }
    if h.contains_key(header::IF_NONE_MATCH) {
        if h.typed_get::<IfNoneMatch>()
            .is_some_and(|inm| !inm.precondition_passes(etag))
        {
            return if read {
                Decision::NotModified
            } else {
                Decision::PreconditionFailed
            };
        }
    } else if read
        && let Some(ims) = h.typed_get::<IfModifiedSince>()
        && !ims.is_modified(lm)
    {
        return Decision::NotModified;
    }
    Decision::Perform
}

fn map(fields: &[(header::HeaderName, &'static str)]) -> HeaderMap {
    let mut h = HeaderMap::new();
    for (name, value) in fields {
        h.append(name.clone(), HeaderValue::from_static(value));
    }
    h
}

fn bench(c: &mut Criterion) {
    let cases = [
        (
            "browser revalidation",
            Method::GET,
            map(&[
                (header::IF_NONE_MATCH, CURRENT),
                (header::IF_MODIFIED_SINCE, LM_DATE),
            ]),
        ),
        (
            "if-none-match list of 4",
            Method::GET,
            map(&[(
                header::IF_NONE_MATCH,
                "\"r2d2\", \"c3po\", W/\"bb8\", \"99aa06d3014798d86001c324468d497f\"",
            )]),
        ),
        (
            "put with if-match + if-unmodified-since",
            Method::PUT,
            map(&[
                (header::IF_MATCH, CURRENT),
                (header::IF_UNMODIFIED_SINCE, LM_DATE),
            ]),
        ),
        ("no conditions", Method::GET, HeaderMap::new()),
    ];
    let tag = EntityTag::parse(CURRENT.as_bytes()).expect("tag");
    let current = Representation {
        etag: Some(tag),
        last_modified: Some(LAST_MODIFIED),
    };
    let typed_etag: ETag = CURRENT.parse().expect("etag");
    let lm = UNIX_EPOCH + Duration::from_secs(LAST_MODIFIED as u64);

    let mut group = c.benchmark_group("http_adapter");
    for (name, method, headers) in &cases {
        let ours = Conditions::new(method, headers).evaluate(Some(&current), NOW);
        assert_eq!(
            ours,
            typed(method, headers, &typed_etag, lm),
            "{name}: the two sides disagree"
        );
        group.bench_with_input(BenchmarkId::new("etagcore-http", name), headers, |b, h| {
            b.iter(|| {
                Conditions::new(black_box(method), black_box(h)).evaluate(Some(&current), NOW)
            })
        });
        group.bench_with_input(BenchmarkId::new("headers", name), headers, |b, h| {
            b.iter(|| typed(black_box(method), black_box(h), &typed_etag, lm))
        });
    }
    group.finish();
}

fn main() {
    let mut c = common::criterion();
    bench(&mut c);
    c.final_summary();
}
