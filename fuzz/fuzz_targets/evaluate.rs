//! evaluate agrees with the step-by-step naive model of RFC 9110 section 13.2.2 on structured
//! requests.
#![no_main]

#[path = "../../tests/common/mod.rs"]
mod common;

use arbitrary::Arbitrary;
use etagcore::{EntityTag, Method, Representation, Request, evaluate, parse_http_date};
use libfuzzer_sys::fuzz_target;

#[derive(Arbitrary, Debug)]
struct Input {
    method: u8,
    fields: [Vec<Vec<u8>>; 5],
    has_range: bool,
    current: Option<(Option<(bool, Vec<u8>)>, Option<i64>)>,
    now: i64,
}

const METHODS: [&[u8]; 8] = [
    b"GET", b"HEAD", b"PUT", b"POST", b"DELETE", b"OPTIONS", b"PATCH", b"get",
];

fn lines(v: &[Vec<u8>]) -> Vec<&[u8]> {
    v.iter().map(Vec::as_slice).collect()
}

fuzz_target!(|input: Input| {
    let Input {
        method,
        fields,
        has_range,
        current,
        now,
    } = input;
    let method = METHODS[usize::from(method) % METHODS.len()];
    // The resource's own tag must be valid: keep only etagc bytes.
    let current = current.map(|(etag, lm)| {
        let etag = etag.map(|(weak, opaque)| {
            (
                weak,
                opaque
                    .into_iter()
                    .filter(|&b| b > 0x20 && b != b'"' && b != 0x7F)
                    .collect::<Vec<u8>>(),
            )
        });
        common::NaiveResource {
            etag,
            last_modified: lm,
        }
    });
    let [im, inm, ims, ius, ir] = fields;
    let naive = common::NaiveRequest {
        method: method.to_vec(),
        if_match: im,
        if_none_match: inm,
        if_modified_since: ims,
        if_unmodified_since: ius,
        if_range: ir,
        has_range,
    };
    let expected = common::naive_evaluate(&naive, current.as_ref(), now, |d, now| {
        parse_http_date(d, now).ok()
    });
    let (im, inm, ims, ius, ir) = (
        lines(&naive.if_match),
        lines(&naive.if_none_match),
        lines(&naive.if_modified_since),
        lines(&naive.if_unmodified_since),
        lines(&naive.if_range),
    );
    let request = Request {
        method: Method::from_bytes(method),
        if_match: &im,
        if_none_match: &inm,
        if_modified_since: &ims,
        if_unmodified_since: &ius,
        if_range: &ir,
        has_range,
    };
    let rep = current.as_ref().map(|c| Representation {
        etag: c
            .etag
            .as_ref()
            .map(|(weak, opaque)| EntityTag::new(*weak, opaque).expect("etagc")),
        last_modified: c.last_modified,
    });
    assert_eq!(
        evaluate(&request, rep.as_ref(), now).status(),
        expected,
        "{naive:?} {current:?} {now}"
    );
});
