//! C ABI overhead: the same decisions through `etagcore_request_evaluate` / `etagcore_list_match`
//! (the etagcore-ffi rlib's `extern "C"` functions, exactly what a C caller runs) and through the
//! Rust API. The C side gets its structs built once, as a C server would keep them; the Rust side
//! gets its `Request` and parsed `Representation` built once too. The difference per call is what
//! crossing the C ABI costs: NULL and alignment checks, slices rebuilt from pointers, the current
//! tag parsed from bytes, the panic guard.

#[path = "../../benches/common/mod.rs"]
mod common;

use std::hint::black_box;
use std::ptr;

use criterion::{BenchmarkId, Criterion};
use etagcore::{Comparison, Decision, EntityTag, Representation, Request, evaluate, list_matches};
use etagcore_ffi::{
    etagcore_bytes, etagcore_decision, etagcore_field, etagcore_list_match,
    etagcore_representation, etagcore_request, etagcore_request_evaluate, etagcore_result,
};

const NOW: i64 = 1_767_225_600;
const LAST_MODIFIED: i64 = 1_445_412_480;
const CURRENT: &[u8] = b"\"5af94dd2-5ca3\"";
const OTHER: &[u8] = b"\"5af94e10-5ca3\"";
const LM_DATE: &[u8] = b"Wed, 21 Oct 2015 07:28:00 GMT";
/// `etagcore_comparison` WEAK, as C passes it.
const WEAK: u32 = 1;

fn bytes(s: &[u8]) -> etagcore_bytes {
    etagcore_bytes {
        ptr: s.as_ptr(),
        len: s.len(),
    }
}

fn field(lines: &[etagcore_bytes]) -> etagcore_field {
    etagcore_field {
        lines: if lines.is_empty() {
            ptr::null()
        } else {
            lines.as_ptr()
        },
        count: lines.len(),
    }
}

/// One case's field values, each absent (empty) or one line.
struct Case {
    name: &'static str,
    if_match: &'static [&'static [u8]],
    if_none_match: &'static [&'static [u8]],
    if_modified_since: &'static [&'static [u8]],
    if_unmodified_since: &'static [&'static [u8]],
    if_range: &'static [&'static [u8]],
    has_range: bool,
    expected: Decision,
}

const CASES: [Case; 2] = [
    Case {
        name: "revalidate_304",
        if_match: &[],
        if_none_match: &[CURRENT],
        if_modified_since: &[LM_DATE],
        if_unmodified_since: &[],
        if_range: &[],
        has_range: false,
        expected: Decision::NotModified,
    },
    Case {
        name: "five_fields",
        if_match: &[CURRENT],
        if_none_match: &[OTHER],
        if_modified_since: &[LM_DATE],
        if_unmodified_since: &[LM_DATE],
        if_range: &[LM_DATE],
        has_range: true,
        expected: Decision::ServeRange,
    },
];

/// The C side's answer as the Rust enum, for the checks before timing.
fn decision(d: etagcore_decision) -> Decision {
    match d {
        etagcore_decision::Perform => Decision::Perform,
        etagcore_decision::ServeRange => Decision::ServeRange,
        etagcore_decision::NotModified => Decision::NotModified,
        etagcore_decision::PreconditionFailed => Decision::PreconditionFailed,
    }
}

fn call_evaluate(
    request: &etagcore_request,
    c_rep: &etagcore_representation,
) -> (etagcore_result, etagcore_decision) {
    let mut out = etagcore_decision::Perform;
    // SAFETY: request and c_rep are live, aligned structs whose pointers all point to live
    // bytes and line arrays for the duration of the call; out is a writable etagcore_decision.
    let result = unsafe { etagcore_request_evaluate(request, c_rep, NOW, &mut out) };
    (result, out)
}

fn call_list_match(
    lines: &etagcore_field,
    c_rep: &etagcore_representation,
) -> (etagcore_result, bool) {
    let mut out = false;
    // SAFETY: as in call_evaluate; out is a writable bool.
    let result = unsafe { etagcore_list_match(lines, c_rep, WEAK, &mut out) };
    (result, out)
}

fn bench(c: &mut Criterion) {
    let current = Representation {
        etag: Some(EntityTag::parse(CURRENT).expect("valid tag")),
        last_modified: Some(LAST_MODIFIED),
    };
    let c_rep = etagcore_representation {
        etag: bytes(CURRENT),
        has_last_modified: 1,
        last_modified: LAST_MODIFIED,
    };
    let mut group = c.benchmark_group("c_abi");

    for case in &CASES {
        let lines = [
            case.if_match,
            case.if_none_match,
            case.if_modified_since,
            case.if_unmodified_since,
            case.if_range,
        ]
        .map(|l| l.iter().map(|b| bytes(b)).collect::<Vec<_>>());
        let [im, inm, ims, ius, ir] = &lines;
        let c_request = etagcore_request {
            method: bytes(b"GET"),
            if_match: field(im),
            if_none_match: field(inm),
            if_modified_since: field(ims),
            if_unmodified_since: field(ius),
            if_range: field(ir),
            has_range: u8::from(case.has_range),
        };
        let request = Request {
            method: etagcore::Method::Get,
            if_match: case.if_match,
            if_none_match: case.if_none_match,
            if_modified_since: case.if_modified_since,
            if_unmodified_since: case.if_unmodified_since,
            if_range: case.if_range,
            has_range: case.has_range,
        };
        assert_eq!(evaluate(&request, Some(&current), NOW), case.expected);
        let (result, out) = call_evaluate(&c_request, &c_rep);
        assert_eq!(
            (result, decision(out)),
            (etagcore_result::Ok, case.expected)
        );

        group.bench_function(BenchmarkId::new("c_abi", case.name), |b| {
            b.iter(|| call_evaluate(black_box(&c_request), black_box(&c_rep)));
        });
        group.bench_function(BenchmarkId::new("rust", case.name), |b| {
            b.iter(|| {
                evaluate(
                    black_box(&request),
                    Some(black_box(&current)),
                    black_box(NOW),
                )
            });
        });
    }

    // etagcore_list_match: one If-None-Match line holding the current tag.
    let line = [bytes(CURRENT)];
    let c_field = field(&line);
    let rust_lines: [&[u8]; 1] = [CURRENT];
    let rust_current = current.etag.as_ref();
    assert_eq!(
        list_matches(&rust_lines, Some(rust_current), Comparison::Weak),
        Ok(true)
    );
    assert_eq!(
        call_list_match(&c_field, &c_rep),
        (etagcore_result::Ok, true)
    );
    group.bench_function(BenchmarkId::new("c_abi", "list_match"), |b| {
        b.iter(|| call_list_match(black_box(&c_field), black_box(&c_rep)));
    });
    group.bench_function(BenchmarkId::new("rust", "list_match"), |b| {
        b.iter(|| {
            list_matches(
                black_box(&rust_lines),
                Some(black_box(rust_current)),
                Comparison::Weak,
            )
        });
    });
    group.finish();
}

fn main() {
    let mut c = common::criterion();
    bench(&mut c);
    c.final_summary();
}
