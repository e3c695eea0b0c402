//! Content ETags (hash + format) from 64 B to 64 MiB, one-shot and streaming in 64 KiB chunks:
//! etagcore vs raw XXH3-128 (the ceiling: the same hash, no tag), SHA-1, MD5 and BLAKE3 (each
//! digest formatted as a tag with `etagcore::write_digest_tag`), and a plain read pass over the
//! buffer (the memory-bandwidth limit).

mod common;

use std::hint::black_box;
use std::time::Duration;

use criterion::{BenchmarkId, Criterion, SamplingMode, Throughput};
use etagcore::{ContentHasher, ContentTag, write_digest_tag};
use md5::Md5;
use sha1::{Digest, Sha1};
use xxhash_rust::xxh3::{Xxh3Default, xxh3_128};

const CHUNK: usize = 64 * 1024;
const SIZES: [(&str, usize); 5] = [
    ("64B", 64),
    ("1KiB", 1024),
    ("16KiB", 16 * 1024),
    ("1MiB", 1024 * 1024),
    ("64MiB", 64 * 1024 * 1024),
];

/// Deterministic, incompressible-looking bytes (xorshift64*), every page touched before timing.
fn data(len: usize) -> Vec<u8> {
    let mut state = 0x9E37_79B9_7F4A_7C15_u64;
    let mut out = Vec::with_capacity(len);
    while out.len() < len {
        state ^= state >> 12;
        state ^= state << 25;
        state ^= state >> 27;
        out.extend_from_slice(&state.wrapping_mul(0x2545_F491_4F6C_DD1D).to_le_bytes());
    }
    out.truncate(len);
    out
}

/// A digest as a strong tag, the way a server using that hash would make its ETag.
fn tag_of(digest: &[u8]) -> ([u8; 68], usize) {
    let mut buf = [0u8; 68];
    let n = write_digest_tag(digest, false, &mut buf).unwrap_or(0);
    (buf, n)
}

/// The memory-bandwidth limit: read every byte once, summing u64 words.
fn read_pass(data: &[u8]) -> u64 {
    let (words, rest) = data.as_chunks::<8>();
    let sum = words
        .iter()
        .map(|w| u64::from_ne_bytes(*w))
        .fold(0u64, u64::wrapping_add);
    sum.wrapping_add(rest.len() as u64)
}

fn bench(c: &mut Criterion) {
    let all = data(SIZES[SIZES.len() - 1].1);
    let mut group = c.benchmark_group("content");
    for (name, size) in SIZES {
        let input = &all[..size];
        group.throughput(Throughput::Bytes(size as u64));
        if size >= 1024 * 1024 {
            // Keep the big sizes affordable: MD5 takes about 0.1 s per pass over 64 MiB.
            group
                .sampling_mode(SamplingMode::Flat)
                .sample_size(10)
                .warm_up_time(Duration::from_millis(500))
                .measurement_time(Duration::from_secs(if size > CHUNK * 16 { 3 } else { 2 }));
        }
        let mut streamed = ContentHasher::new();
        input.chunks(CHUNK).for_each(|c| streamed.update(c));
        assert_eq!(streamed.finish(), ContentTag::of(input));

        // One-shot.
        group.bench_function(BenchmarkId::new("etagcore", name), |b| {
            b.iter(|| ContentTag::of(black_box(input)));
        });
        group.bench_function(BenchmarkId::new("xxh3_128", name), |b| {
            b.iter(|| xxh3_128(black_box(input)));
        });
        group.bench_function(BenchmarkId::new("sha1", name), |b| {
            b.iter(|| tag_of(&Sha1::digest(black_box(input))));
        });
        group.bench_function(BenchmarkId::new("md5", name), |b| {
            b.iter(|| tag_of(&Md5::digest(black_box(input))));
        });
        group.bench_function(BenchmarkId::new("blake3", name), |b| {
            b.iter(|| tag_of(blake3::hash(black_box(input)).as_bytes()));
        });
        group.bench_function(BenchmarkId::new("read", name), |b| {
            b.iter(|| read_pass(black_box(input)));
        });

        // Streaming, 64 KiB at a time (one update below 64 KiB).
        group.bench_function(BenchmarkId::new("etagcore_stream", name), |b| {
            b.iter(|| {
                let mut h = ContentHasher::new();
                black_box(input).chunks(CHUNK).for_each(|c| h.update(c));
                h.finish()
            });
        });
        group.bench_function(BenchmarkId::new("xxh3_128_stream", name), |b| {
            b.iter(|| {
                let mut h = Xxh3Default::new();
                black_box(input).chunks(CHUNK).for_each(|c| h.update(c));
                h.digest128()
            });
        });
        group.bench_function(BenchmarkId::new("sha1_stream", name), |b| {
            b.iter(|| {
                let mut h = Sha1::new();
                black_box(input).chunks(CHUNK).for_each(|c| h.update(c));
                tag_of(&h.finalize())
            });
        });
        group.bench_function(BenchmarkId::new("md5_stream", name), |b| {
            b.iter(|| {
                let mut h = Md5::new();
                black_box(input).chunks(CHUNK).for_each(|c| h.update(c));
                tag_of(&h.finalize())
            });
        });
        group.bench_function(BenchmarkId::new("blake3_stream", name), |b| {
            b.iter(|| {
                let mut h = blake3::Hasher::new();
                black_box(input).chunks(CHUNK).for_each(|c| {
                    h.update(c);
                });
                tag_of(h.finalize().as_bytes())
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
