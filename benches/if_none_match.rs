//! The `If-None-Match` decision (RFC 9110 section 13.1.2) against the current representation's
//! entity tag: etagcore vs the `headers` crate vs a naive substring loop (the floor).
//!
//! Every contender gets its input the way a server would hold it: an `http::HeaderValue` for
//! `headers`, the value's bytes for etagcore and the naive loop, and the current tag parsed once,
//! outside the timed loop. The answer of each case is checked once before timing.

mod common;

use std::hint::black_box;
use std::iter;

use criterion::{BenchmarkId, Criterion};
use etagcore::{EntityTag, Representation};
use headers::{ETag, Header, IfNoneMatch};
use http::HeaderValue;

/// An nginx-style `"mtime-size"` tag: the representation the server holds.
const CURRENT: &str = "\"5af94dd2-5ca3\"";

/// `headers`: decode the typed header from its value, then ask it.
fn headers_passes(value: &HeaderValue, current: &ETag) -> bool {
    IfNoneMatch::decode(&mut iter::once(value)).map_or(true, |inm| inm.precondition_passes(current))
}

/// The floor: `*` or the quoted current tag anywhere in the value. Deliberately wrong (it ignores
/// the list grammar, so `"x", junk` or a tag inside another's quotes still "matches"), and what
/// a hand-written server check often looks like.
fn naive_passes(value: &[u8], quoted_current: &[u8]) -> bool {
    if value == b"*" {
        return false;
    }
    !value
        .windows(quoted_current.len())
        .any(|w| w == quoted_current)
}

/// The cases: name, value, whether the precondition passes (true: 200, false: 304).
fn cases() -> Vec<(&'static str, String, bool)> {
    let list10 = (0..9)
        .map(|i| format!("\"5af9{i:04x}-1a2b\""))
        .chain(iter::once(CURRENT.to_owned()))
        .collect::<Vec<_>>()
        .join(", ");
    // 64 KiB of near misses (same length, same prefix as the current tag): a valid list that every
    // contender reads to the end without finding a match.
    let near_miss = "\"5af94dd2-5ca4\"";
    let mut hostile = String::from(near_miss);
    while hostile.len() + 2 + near_miss.len() <= 64 * 1024 {
        hostile.push_str(", ");
        hostile.push_str(near_miss);
    }
    vec![
        ("one_tag_match", CURRENT.to_owned(), false),
        ("one_tag_miss", "\"5af94e10-5ca3\"".to_owned(), true),
        ("list10_match_last", list10, false),
        ("star", "*".to_owned(), false),
        ("hostile_64k", hostile, true),
    ]
}

fn bench(c: &mut Criterion) {
    let current_tag = EntityTag::parse(CURRENT.as_bytes()).expect("valid tag");
    let current = Representation {
        etag: Some(current_tag),
        last_modified: None,
    };
    let headers_current: ETag = CURRENT.parse().expect("valid tag");

    let mut group = c.benchmark_group("if_none_match");
    for (name, value, passes) in cases() {
        let header = HeaderValue::from_str(&value).expect("valid header value");
        let lines: [&[u8]; 1] = [value.as_bytes()];
        assert_eq!(
            etagcore::if_none_match(&lines, Some(&current)),
            Some(passes)
        );
        assert_eq!(headers_passes(&header, &headers_current), passes, "{name}");
        assert_eq!(naive_passes(value.as_bytes(), CURRENT.as_bytes()), passes);

        group.bench_function(BenchmarkId::new("etagcore", name), |b| {
            b.iter(|| etagcore::if_none_match(black_box(&lines), Some(black_box(&current))));
        });
        group.bench_function(BenchmarkId::new("headers", name), |b| {
            b.iter(|| headers_passes(black_box(&header), black_box(&headers_current)));
        });
        group.bench_function(BenchmarkId::new("naive", name), |b| {
            b.iter(|| naive_passes(black_box(value.as_bytes()), black_box(CURRENT.as_bytes())));
        });
    }
    group.finish();
}

fn main() {
    let mut c = common::criterion();
    bench(&mut c);
    c.final_summary();
}
