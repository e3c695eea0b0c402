//! The whole RFC 9110 section 13.2.2 evaluation: etagcore's `evaluate` vs the same decision
//! assembled from `headers` (entity-tag fields, `If-Range`) and `httpdate` (the two date fields).
//!
//! Both sides get the request's field values as a server holds them (`http::HeaderValue`s; their
//! bytes for etagcore) and the current representation's validators prepared once, outside the
//! timed loop. Both follow the same order and reach the same decision, checked before timing.

mod common;

use std::hint::black_box;
use std::iter;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use criterion::{BenchmarkId, Criterion};
use etagcore::{Decision, EntityTag, Method, Representation, Request, evaluate};
use headers::{ETag, Header, IfMatch, IfNoneMatch, IfRange, LastModified};
use http::HeaderValue;

const NOW: i64 = 1_767_225_600; // Thu, 01 Jan 2026 00:00:00 GMT: the response's Date
const LAST_MODIFIED: i64 = 1_445_412_480; // Wed, 21 Oct 2015 07:28:00 GMT
const CURRENT: &str = "\"5af94dd2-5ca3\"";
const LM_DATE: &str = "Wed, 21 Oct 2015 07:28:00 GMT";

/// The request's conditional fields, `None` when absent.
#[derive(Default)]
struct Fields {
    if_match: Option<HeaderValue>,
    if_none_match: Option<HeaderValue>,
    if_modified_since: Option<HeaderValue>,
    if_unmodified_since: Option<HeaderValue>,
    if_range: Option<HeaderValue>,
    has_range: bool,
}

/// The current representation as the `headers` side holds it.
struct Current {
    etag: ETag,
    last_modified: SystemTime,
    last_modified_header: LastModified,
}

fn date(value: &HeaderValue) -> Option<SystemTime> {
    httpdate::parse_http_date(value.to_str().ok()?).ok()
}

/// Section 13.2.2 for a GET, from `headers` and `httpdate` primitives.
fn headers_evaluate(method: &http::Method, f: &Fields, cur: &Current) -> Decision {
    let get_or_head = method == http::Method::GET || method == http::Method::HEAD;
    // Step 1 (If-Match; malformed is false), else step 2 (If-Unmodified-Since; invalid ignored).
    if let Some(v) = &f.if_match {
        let passes =
            IfMatch::decode(&mut iter::once(v)).is_ok_and(|im| im.precondition_passes(&cur.etag));
        if !passes {
            return Decision::PreconditionFailed;
        }
    } else if let Some(since) = f.if_unmodified_since.as_ref().and_then(date)
        && cur.last_modified > since
    {
        return Decision::PreconditionFailed;
    }
    // Step 3 (If-None-Match; malformed is true), else step 4 (If-Modified-Since, GET/HEAD).
    if let Some(v) = &f.if_none_match {
        let passes = IfNoneMatch::decode(&mut iter::once(v))
            .map_or(true, |inm| inm.precondition_passes(&cur.etag));
        if !passes {
            return if get_or_head {
                Decision::NotModified
            } else {
                Decision::PreconditionFailed
            };
        }
    } else if get_or_head
        && let Some(since) = f.if_modified_since.as_ref().and_then(date)
        && cur.last_modified <= since
    {
        return Decision::NotModified;
    }
    // Step 5: If-Range (absent or true: serve the range).
    if method == http::Method::GET && f.has_range {
        let range_ok = f.if_range.as_ref().is_none_or(|v| {
            IfRange::decode(&mut iter::once(v))
                .is_ok_and(|ir| !ir.is_modified(Some(&cur.etag), Some(&cur.last_modified_header)))
        });
        if range_ok {
            return Decision::ServeRange;
        }
    }
    Decision::Perform
}

fn bytes(v: &Option<HeaderValue>) -> Option<&[u8]> {
    v.as_ref().map(HeaderValue::as_bytes)
}

fn value(s: &str) -> Option<HeaderValue> {
    Some(HeaderValue::from_str(s).expect("valid header value"))
}

/// The cases: name, fields, expected decision.
fn cases() -> Vec<(&'static str, Fields, Decision)> {
    vec![
        ("none", Fields::default(), Decision::Perform),
        (
            // What a browser sends to revalidate a cached copy.
            "revalidate_304",
            Fields {
                if_none_match: value(CURRENT),
                if_modified_since: value(LM_DATE),
                ..Fields::default()
            },
            Decision::NotModified,
        ),
        (
            // All five: If-Match holds (so If-Unmodified-Since is not consulted), If-None-Match
            // misses (so If-Modified-Since is not either), If-Range by date equals Last-Modified.
            "five_fields",
            Fields {
                if_match: value(CURRENT),
                if_unmodified_since: value(LM_DATE),
                if_none_match: value("\"5af94e10-5ca3\""),
                if_modified_since: value(LM_DATE),
                if_range: value(LM_DATE),
                has_range: true,
            },
            Decision::ServeRange,
        ),
    ]
}

fn bench(c: &mut Criterion) {
    let tag = EntityTag::parse(CURRENT.as_bytes()).expect("valid tag");
    let current = Representation {
        etag: Some(tag),
        last_modified: Some(LAST_MODIFIED),
    };
    let lm = UNIX_EPOCH + Duration::from_secs(LAST_MODIFIED.unsigned_abs());
    let headers_current = Current {
        etag: CURRENT.parse().expect("valid tag"),
        last_modified: lm,
        last_modified_header: LastModified::from(lm),
    };
    let method = http::Method::GET;

    let mut group = c.benchmark_group("evaluate");
    for (name, fields, expected) in cases() {
        let lines = [
            bytes(&fields.if_match),
            bytes(&fields.if_none_match),
            bytes(&fields.if_modified_since),
            bytes(&fields.if_unmodified_since),
            bytes(&fields.if_range),
        ];
        let [im, inm, ims, ius, ir] = lines.map(|l| l.map(|b| [b]));
        let request = Request {
            method: Method::Get,
            if_match: im.as_ref().map_or(&[], |l| &l[..]),
            if_none_match: inm.as_ref().map_or(&[], |l| &l[..]),
            if_modified_since: ims.as_ref().map_or(&[], |l| &l[..]),
            if_unmodified_since: ius.as_ref().map_or(&[], |l| &l[..]),
            if_range: ir.as_ref().map_or(&[], |l| &l[..]),
            has_range: fields.has_range,
        };
        assert_eq!(evaluate(&request, Some(&current), NOW), expected, "{name}");
        assert_eq!(
            headers_evaluate(&method, &fields, &headers_current),
            expected,
            "{name}"
        );

        group.bench_function(BenchmarkId::new("etagcore", name), |b| {
            b.iter(|| {
                evaluate(
                    black_box(&request),
                    Some(black_box(&current)),
                    black_box(NOW),
                )
            });
        });
        group.bench_function(BenchmarkId::new("headers_httpdate", name), |b| {
            b.iter(|| {
                headers_evaluate(
                    black_box(&method),
                    black_box(&fields),
                    black_box(&headers_current),
                )
            });
        });
    }
    group.finish();
}

fn main() {
    let mut c = common::criterion();
    bench(&mut c);
    c.final_summary();
}
