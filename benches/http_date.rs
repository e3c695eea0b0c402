//! HTTP-dates (RFC 9110 section 5.6.7): parse each of the three formats, and format IMF-fixdate,
//! etagcore vs `httpdate` (the parser `hyper` and `headers` use).

mod common;

use std::hint::black_box;
use std::io::Write as _;
use std::time::{Duration, UNIX_EPOCH};

use criterion::{BenchmarkId, Criterion};
use etagcore::{format_http_date, parse_http_date};

const NOW: i64 = 1_767_225_600; // Thu, 01 Jan 2026 00:00:00 GMT
const STAMP: i64 = 784_111_777; // the RFC's example instant

fn parse(c: &mut Criterion) {
    let mut group = c.benchmark_group("http_date_parse");
    for (name, input) in [
        ("imf_fixdate", "Sun, 06 Nov 1994 08:49:37 GMT"),
        ("rfc850", "Sunday, 06-Nov-94 08:49:37 GMT"),
        ("asctime", "Sun Nov  6 08:49:37 1994"),
    ] {
        assert_eq!(parse_http_date(input.as_bytes(), NOW), Ok(STAMP), "{name}");
        let theirs = httpdate::parse_http_date(input).expect("valid date");
        assert_eq!(
            theirs.duration_since(UNIX_EPOCH).map(|d| d.as_secs()).ok(),
            Some(STAMP as u64)
        );

        group.bench_function(BenchmarkId::new("etagcore", name), |b| {
            b.iter(|| parse_http_date(black_box(input.as_bytes()), black_box(NOW)));
        });
        group.bench_function(BenchmarkId::new("httpdate", name), |b| {
            b.iter(|| httpdate::parse_http_date(black_box(input)));
        });
    }
    group.finish();
}

fn format(c: &mut Criterion) {
    let mut group = c.benchmark_group("http_date_format");
    let time = UNIX_EPOCH + Duration::from_secs(STAMP as u64);
    let expected = "Sun, 06 Nov 1994 08:49:37 GMT";
    assert_eq!(
        format_http_date(STAMP).map(|d| d.to_vec()),
        Ok(expected.as_bytes().to_vec())
    );
    assert_eq!(httpdate::fmt_http_date(time), expected);

    group.bench_function(BenchmarkId::new("etagcore", "imf_fixdate"), |b| {
        b.iter(|| format_http_date(black_box(STAMP)));
    });
    // httpdate without allocating: its Display into a stack buffer.
    group.bench_function(BenchmarkId::new("httpdate", "imf_fixdate"), |b| {
        b.iter(|| {
            let mut buf = [0u8; 29];
            let date = httpdate::HttpDate::from(black_box(time));
            write!(&mut buf[..], "{date}").expect("29 bytes fit");
            buf
        });
    });
    // What most callers write: fmt_http_date, a new String each time.
    group.bench_function(BenchmarkId::new("httpdate_string", "imf_fixdate"), |b| {
        b.iter(|| httpdate::fmt_http_date(black_box(time)));
    });
    group.finish();
}

fn main() {
    let mut c = common::criterion();
    parse(&mut c);
    format(&mut c);
    c.final_summary();
}
