//! The C entry points give the Rust API's answers and never write past an output's capacity:
//! every output buffer has sentinel bytes after the capacity it is given.
#![no_main]

use arbitrary::Arbitrary;
use etagcore::{
    Comparison, ContentTag, EntityTag, Method, Representation, Request, evaluate, format_http_date,
    list_matches, parse_http_date,
};
use etagcore_ffi::*;
use libfuzzer_sys::fuzz_target;

#[path = "../../ffi/tests/common/mod.rs"]
mod ffi_common;
use ffi_common::{bytes, field, with_output as output};

#[derive(Arbitrary, Debug)]
enum Op {
    ParseTag(Vec<u8>, u8),
    Date(Vec<u8>, i64, i64, u8),
    List(Vec<Vec<u8>>, bool, bool),
    Evaluate(Vec<u8>, [Vec<Vec<u8>>; 5], bool, Option<Option<i64>>, i64),
    Content(Vec<u8>, u8, u8),
}

fuzz_target!(|op: Op| match op {
    Op::ParseTag(input, cap) => {
        let mut view = etagcore_entity_tag {
            opaque: std::ptr::null(),
            opaque_len: 0,
            weak: 0,
        };
        // SAFETY: input is live; view is writable.
        let r = unsafe { etagcore_entity_tag_parse(bytes(&input).ptr, input.len(), &mut view) };
        match EntityTag::parse(&input) {
            Ok(tag) => {
                assert_eq!(
                    (r, view.weak, view.opaque_len),
                    (
                        etagcore_result::Ok,
                        u8::from(tag.is_weak()),
                        tag.opaque().len()
                    )
                );
                // SAFETY: view borrows input, which is live.
                let (r, out) = output(usize::from(cap), |o, c, l| unsafe {
                    etagcore_entity_tag_format(&view, o, c, l)
                });
                if usize::from(cap) >= tag.encoded_len() {
                    let mut expected = vec![0; tag.encoded_len()];
                    tag.write_to(&mut expected).expect("fits");
                    assert_eq!((r, out), (etagcore_result::Ok, expected));
                } else {
                    assert_eq!(r, etagcore_result::InsufficientSize);
                }
            }
            Err(e) => assert_eq!(r, etagcore_result::from(e)),
        }
    }
    Op::Date(input, now, secs, cap) => {
        let mut got = 0i64;
        // SAFETY: input is live; got is writable.
        let r = unsafe { etagcore_http_date_parse(bytes(&input).ptr, input.len(), now, &mut got) };
        match parse_http_date(&input, now) {
            Ok(expected) => assert_eq!((r, got), (etagcore_result::Ok, expected)),
            Err(e) => assert_eq!(r, etagcore_result::from(e)),
        }
        // SAFETY: buffers come from `output`.
        let (r, out) = output(usize::from(cap % 40), |o, c, l| unsafe {
            etagcore_http_date_format(secs, o, c, l)
        });
        match format_http_date(secs) {
            Ok(date) if usize::from(cap % 40) >= date.len() => {
                assert_eq!((r, out), (etagcore_result::Ok, date.to_vec()))
            }
            Ok(_) => assert_eq!(r, etagcore_result::InsufficientSize),
            Err(e) => assert_eq!(r, etagcore_result::from(e)),
        }
    }
    Op::List(lines, exists, strong) => {
        let lines: Vec<Vec<u8>> = lines.into_iter().take(ETAGCORE_MAX_FIELD_LINES).collect();
        let borrowed: Vec<&[u8]> = lines.iter().map(Vec::as_slice).collect();
        let c_lines: Vec<etagcore_bytes> = lines.iter().map(|l| bytes(l)).collect();
        let etag = b"\"xyzzy\"";
        let rep = Representation {
            etag: Some(EntityTag::parse(etag).expect("valid")),
            last_modified: None,
        };
        let c_rep = etagcore_representation {
            etag: bytes(etag),
            has_last_modified: 0,
            last_modified: 0,
        };
        let (kind, comparison) = if strong {
            (0, Comparison::Strong)
        } else {
            (1, Comparison::Weak)
        };
        let mut matched = false;
        let current: *const etagcore_representation =
            if exists { &c_rep } else { std::ptr::null() };
        // SAFETY: every pointer comes from a live value above.
        let r = unsafe { etagcore_list_match(&field(&c_lines), current, kind, &mut matched) };
        match list_matches(&borrowed, exists.then_some(rep.etag.as_ref()), comparison) {
            Ok(m) => assert_eq!((r, matched), (etagcore_result::Ok, m)),
            Err(e) => assert_eq!(r, etagcore_result::from(e)),
        }
    }
    Op::Evaluate(method, fields, has_range, current, now) => {
        let fields: Vec<Vec<Vec<u8>>> = fields
            .into_iter()
            .map(|f| f.into_iter().take(ETAGCORE_MAX_FIELD_LINES).collect())
            .collect();
        let borrowed: Vec<Vec<&[u8]>> = fields
            .iter()
            .map(|f| f.iter().map(Vec::as_slice).collect())
            .collect();
        let c_fields: Vec<Vec<etagcore_bytes>> = fields
            .iter()
            .map(|f| f.iter().map(|l| bytes(l)).collect())
            .collect();
        let etag = b"W/\"v1\"";
        let rep = current.map(|lm| Representation {
            etag: Some(EntityTag::parse(etag).expect("valid")),
            last_modified: lm,
        });
        let c_rep = current.map(|lm| etagcore_representation {
            etag: bytes(etag),
            has_last_modified: u8::from(lm.is_some()),
            last_modified: lm.unwrap_or(0),
        });
        let request = Request {
            method: Method::from_bytes(&method),
            if_match: &borrowed[0],
            if_none_match: &borrowed[1],
            if_modified_since: &borrowed[2],
            if_unmodified_since: &borrowed[3],
            if_range: &borrowed[4],
            has_range,
        };
        let c_request = etagcore_request {
            method: bytes(&method),
            if_match: field(&c_fields[0]),
            if_none_match: field(&c_fields[1]),
            if_modified_since: field(&c_fields[2]),
            if_unmodified_since: field(&c_fields[3]),
            if_range: field(&c_fields[4]),
            has_range: u8::from(has_range),
        };
        let c_current: *const etagcore_representation =
            c_rep.as_ref().map_or(std::ptr::null(), |r| r);
        let mut decision = etagcore_decision::Perform;
        // SAFETY: every pointer comes from a live value above.
        let r = unsafe { etagcore_request_evaluate(&c_request, c_current, now, &mut decision) };
        assert_eq!(r, etagcore_result::Ok);
        assert_eq!(
            decision as u32,
            u32::from(evaluate(&request, rep.as_ref(), now).status())
        );
    }
    Op::Content(data, weak, cap) => {
        let cap = usize::from(cap % 48);
        // SAFETY: data is live; buffers come from `output`.
        let (r, out) = output(cap, |o, c, l| unsafe {
            etagcore_content_tag_compute(bytes(&data).ptr, data.len(), weak, o, c, l)
        });
        // A flag byte other than 0 and 1 is refused before anything is computed.
        if weak > 1 {
            assert_eq!(r, etagcore_result::InvalidInput);
            return;
        }
        let tag = ContentTag::of(&data);
        let expected = if weak == 1 { tag.weaken() } else { tag };
        if cap >= expected.as_bytes().len() {
            assert_eq!((r, &out[..]), (etagcore_result::Ok, expected.as_bytes()));
        } else {
            assert_eq!(r, etagcore_result::InsufficientSize);
        }
    }
});
