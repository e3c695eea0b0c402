//! Entity tags: parse (etagcore vs `headers::ETag` vs the `etag` crate), format a parsed tag, and
//! build an nginx-style `"mtime-size"` tag from two integers into a buffer vs `format!`.

mod common;

use std::fmt::Write as _;
use std::hint::black_box;

use criterion::{BenchmarkId, Criterion};
use etagcore::EntityTag;
use headers::{ETag, Header};

const STRONG: &str = "\"5af94dd2-5ca3\"";
const WEAK: &str = "W/\"5af94dd2-5ca3\"";
/// nginx's `ETag` of a file: `"%xT-%xO"`, its mtime and size in lowercase hex.
const MTIME: u64 = 0x5af9_4dd2;
const SIZE: u64 = 0x5ca3;

fn parse(c: &mut Criterion) {
    let mut group = c.benchmark_group("entity_tag_parse");
    for (name, input) in [("strong", STRONG), ("weak", WEAK)] {
        let weak = name == "weak";
        assert_eq!(
            EntityTag::parse(input.as_bytes()).map(|t| t.is_weak()),
            Ok(weak)
        );
        assert_eq!(input.parse::<ETag>().map(|t| t.is_weak()).ok(), Some(weak));
        assert_eq!(
            input.parse::<etag::EntityTag>().map(|t| t.weak).ok(),
            Some(weak)
        );

        group.bench_function(BenchmarkId::new("etagcore", name), |b| {
            b.iter(|| EntityTag::parse(black_box(input.as_bytes())));
        });
        group.bench_function(BenchmarkId::new("headers", name), |b| {
            b.iter(|| black_box(input).parse::<ETag>());
        });
        group.bench_function(BenchmarkId::new("etag_crate", name), |b| {
            b.iter(|| black_box(input).parse::<etag::EntityTag>());
        });
    }
    group.finish();
}

/// Lowercase hex of `n` without leading zeros (nginx's `%xT`), into `out`; the digits written.
fn write_hex(mut n: u64, out: &mut [u8; 16]) -> &[u8] {
    let mut i = out.len();
    loop {
        i -= 1;
        out[i] = b"0123456789abcdef"[(n & 0xF) as usize];
        n >>= 4;
        if n == 0 {
            return &out[i..];
        }
    }
}

/// `"mtime-size"` into `out` with etagcore: the opaque part assembled on the stack, validated as
/// an entity tag and written by `EntityTag::write_to`. Returns the length.
fn mtime_size_tag(mtime: u64, size: u64, out: &mut [u8]) -> usize {
    let (mut a, mut b) = ([0u8; 16], [0u8; 16]);
    let (mtime, size) = (write_hex(mtime, &mut a), write_hex(size, &mut b));
    let mut opaque = [0u8; 33];
    let len = mtime.len() + 1 + size.len();
    opaque[..mtime.len()].copy_from_slice(mtime);
    opaque[mtime.len()] = b'-';
    opaque[mtime.len() + 1..len].copy_from_slice(size);
    EntityTag::new(false, &opaque[..len])
        .and_then(|tag| tag.write_to(out))
        .unwrap_or(0)
}

fn format(c: &mut Criterion) {
    let mut group = c.benchmark_group("entity_tag_format");
    let ours = EntityTag::parse(WEAK.as_bytes()).expect("valid");
    let theirs: etag::EntityTag = WEAK.parse().expect("valid");
    let headers_tag: ETag = WEAK.parse().expect("valid");
    let mut buf = [0u8; 64];
    let n = ours.write_to(&mut buf).expect("fits");
    assert_eq!(&buf[..n], WEAK.as_bytes());
    assert_eq!(theirs.to_string(), WEAK);
    let mut encoded = Vec::new();
    headers_tag.encode(&mut encoded);
    assert_eq!(encoded[0].as_bytes(), WEAK.as_bytes());

    group.bench_function(BenchmarkId::new("etagcore", "write_to"), |b| {
        b.iter(|| black_box(&ours).write_to(black_box(&mut buf)));
    });
    group.bench_function(BenchmarkId::new("etag_crate", "write_to"), |b| {
        let mut s = String::with_capacity(64);
        b.iter(|| {
            s.clear();
            write!(s, "{}", black_box(&theirs)).expect("String never fails");
            black_box(s.len())
        });
    });
    group.bench_function(BenchmarkId::new("headers", "write_to"), |b| {
        let mut out = Vec::with_capacity(1);
        b.iter(|| {
            out.clear();
            black_box(&headers_tag).encode(&mut out);
            black_box(out.len())
        });
    });

    let n = mtime_size_tag(MTIME, SIZE, &mut buf);
    assert_eq!(&buf[..n], STRONG.as_bytes());
    assert_eq!(format!("\"{MTIME:x}-{SIZE:x}\""), STRONG);
    group.bench_function(BenchmarkId::new("etagcore", "mtime_size"), |b| {
        b.iter(|| mtime_size_tag(black_box(MTIME), black_box(SIZE), black_box(&mut buf)));
    });
    group.bench_function(BenchmarkId::new("format", "mtime_size"), |b| {
        b.iter(|| format!("\"{:x}-{:x}\"", black_box(MTIME), black_box(SIZE)));
    });
    group.finish();
}

fn main() {
    let mut c = common::criterion();
    parse(&mut c);
    format(&mut c);
    c.final_summary();
}
