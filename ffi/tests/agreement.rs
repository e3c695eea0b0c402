//! The C ABI gives the Rust API's answers on random inputs, and never writes past an output's
//! capacity: every call gets a buffer with sentinel bytes after the capacity it is told.

use etagcore::{
    Comparison, ContentTag, EntityTag, Method, Representation, Request, evaluate, format_http_date,
    list_matches, parse_http_date,
};
use etagcore_ffi::*;

mod common;
use common::{bytes, field, with_output};
use proptest::prelude::*;

fn token() -> impl Strategy<Value = Vec<u8>> {
    let pieces = prop_oneof![
        Just(b"\"".to_vec()),
        Just(b",".to_vec()),
        Just(b" ".to_vec()),
        Just(b"W/".to_vec()),
        Just(b"*".to_vec()),
        Just(b"\"xyzzy\"".to_vec()),
        Just(b"Sun, 06 Nov 1994 08:49:37 GMT".to_vec()),
        proptest::collection::vec(any::<u8>(), 0..4),
    ];
    proptest::collection::vec(pieces, 0..5).prop_map(|p| p.concat())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1000))]

    #[test]
    fn entity_tags_agree(input in token(), cap in 0usize..40) {
        let mut view = etagcore_entity_tag { opaque: std::ptr::null(), opaque_len: 0, weak: 0 };
        // SAFETY: input is a live Vec; view is writable.
        let r = unsafe { etagcore_entity_tag_parse(bytes(&input).ptr, input.len(), &mut view) };
        match EntityTag::parse(&input) {
            Ok(tag) => {
                prop_assert_eq!(r, etagcore_result::Ok);
                prop_assert_eq!(view.weak, u8::from(tag.is_weak()));
                prop_assert_eq!(view.opaque, tag.opaque().as_ptr());
                prop_assert_eq!(view.opaque_len, tag.opaque().len());
                // SAFETY: view borrows input; buffers come from with_output.
                let (r, out) = with_output(cap, |o, c, l| unsafe { etagcore_entity_tag_format(&view, o, c, l) });
                if cap >= tag.encoded_len() {
                    prop_assert_eq!(r, etagcore_result::Ok);
                    let mut expected = vec![0; tag.encoded_len()];
                    tag.write_to(&mut expected).unwrap();
                    prop_assert_eq!(out, expected);
                } else {
                    prop_assert_eq!(r, etagcore_result::InsufficientSize);
                }
            }
            Err(_) => prop_assert_eq!(r, etagcore_result::InvalidEntityTag),
        }
    }

    #[test]
    fn dates_agree(input in token(), now: i64, secs: i64, cap in 0usize..40) {
        let mut got = 0i64;
        // SAFETY: input is live; got is writable.
        let r = unsafe { etagcore_http_date_parse(bytes(&input).ptr, input.len(), now, &mut got) };
        match parse_http_date(&input, now) {
            Ok(expected) => prop_assert_eq!((r, got), (etagcore_result::Ok, expected)),
            Err(e) => prop_assert_eq!(r, etagcore_result::from(e)),
        }
        // SAFETY: buffers come from with_output.
        let (r, out) = with_output(cap, |o, c, l| unsafe { etagcore_http_date_format(secs, o, c, l) });
        match format_http_date(secs) {
            Ok(date) if cap >= date.len() => prop_assert_eq!((r, out), (etagcore_result::Ok, date.to_vec())),
            Ok(_) => prop_assert_eq!(r, etagcore_result::InsufficientSize),
            Err(e) => prop_assert_eq!(r, etagcore_result::from(e)),
        }
    }

    #[test]
    fn lists_and_evaluation_agree(
        lines in proptest::collection::vec(token(), 0..4),
        dates in proptest::collection::vec(token(), 0..2),
        method in prop_oneof![Just(&b"GET"[..]), Just(&b"HEAD"[..]), Just(&b"PUT"[..]), Just(&b"OPTIONS"[..])],
        exists: bool, weak: bool, has_range: bool, lm in proptest::option::of(0i64..2_000_000_000),
    ) {
        let etag = if weak { &b"W/\"xyzzy\""[..] } else { &b"\"xyzzy\""[..] };
        let borrowed: Vec<&[u8]> = lines.iter().map(Vec::as_slice).collect();
        let date_lines: Vec<&[u8]> = dates.iter().map(Vec::as_slice).collect();
        let c_lines: Vec<etagcore_bytes> = lines.iter().map(|l| bytes(l)).collect();
        let c_dates: Vec<etagcore_bytes> = dates.iter().map(|l| bytes(l)).collect();
        let rep = Representation { etag: Some(EntityTag::parse(etag).unwrap()), last_modified: lm };
        let c_rep = etagcore_representation { etag: bytes(etag), has_last_modified: u8::from(lm.is_some()), last_modified: lm.unwrap_or(0) };
        let current = exists.then_some(&rep);
        let c_current: *const etagcore_representation = if exists { &c_rep } else { std::ptr::null() };

        let mut matched = false;
        // SAFETY: all pointers come from live values above.
        let r = unsafe { etagcore_list_match(&field(&c_lines), c_current, etagcore_comparison::Weak as u32, &mut matched) };
        match list_matches(&borrowed, current.map(|c| c.etag.as_ref()), Comparison::Weak) {
            Ok(m) => prop_assert_eq!((r, matched), (etagcore_result::Ok, m)),
            Err(e) => prop_assert_eq!(r, etagcore_result::from(e)),
        }

        let now = 1_767_225_600;
        let request = Request {
            method: Method::from_bytes(method),
            if_match: &borrowed,
            if_none_match: &borrowed,
            if_modified_since: &date_lines,
            if_unmodified_since: &date_lines,
            if_range: &borrowed,
            has_range,
        };
        let c_request = etagcore_request {
            method: bytes(method),
            if_match: field(&c_lines),
            if_none_match: field(&c_lines),
            if_modified_since: field(&c_dates),
            if_unmodified_since: field(&c_dates),
            if_range: field(&c_lines),
            has_range: u8::from(has_range),
        };
        let mut decision = etagcore_decision::Perform;
        // SAFETY: all pointers come from live values above.
        let r = unsafe { etagcore_request_evaluate(&c_request, c_current, now, &mut decision) };
        prop_assert_eq!(r, etagcore_result::Ok);
        prop_assert_eq!(decision as u32, u32::from(evaluate(&request, current, now).status()));
    }

    #[test]
    fn content_tags_agree(data in proptest::collection::vec(any::<u8>(), 0..3000), split in any::<prop::sample::Index>(), weak: bool, cap in 30usize..40) {
        let tag = ContentTag::of(&data);
        let expected = if weak { tag.weaken() } else { tag };
        // SAFETY: data is live; buffers come from with_output.
        let (r, out) = with_output(cap, |o, c, l| unsafe { etagcore_content_tag_compute(bytes(&data).ptr, data.len(), u8::from(weak), o, c, l) });
        let fits = cap >= expected.as_bytes().len();
        prop_assert_eq!(r, if fits { etagcore_result::Ok } else { etagcore_result::InsufficientSize });
        if fits { prop_assert_eq!(&out[..], expected.as_bytes()); }

        let mut hasher = std::mem::MaybeUninit::<etagcore_hasher>::uninit();
        let (a, b) = data.split_at(split.index(data.len() + 1));
        // SAFETY: the storage is ours, aligned by its type; a and b are live slices.
        unsafe {
            prop_assert_eq!(etagcore_hasher_init(hasher.as_mut_ptr()), etagcore_result::Ok);
            prop_assert_eq!(etagcore_hasher_update(hasher.as_mut_ptr(), bytes(a).ptr, a.len()), etagcore_result::Ok);
            prop_assert_eq!(etagcore_hasher_update(hasher.as_mut_ptr(), bytes(b).ptr, b.len()), etagcore_result::Ok);
        }
        // SAFETY: initialised above; buffers come from with_output.
        let (r, streamed) = with_output(cap, |o, c, l| unsafe { etagcore_hasher_finish(hasher.as_ptr(), u8::from(weak), o, c, l) });
        if fits { prop_assert_eq!((r, &streamed[..]), (etagcore_result::Ok, expected.as_bytes())); }
    }
}

proptest! {
    /// Every flag byte: 0 and 1 work, anything else is INVALID_INPUT with nothing written.
    #[test]
    fn flag_bytes_other_than_0_and_1_are_invalid_input(v: u8) {
        let want = if v <= 1 { etagcore_result::Ok } else { etagcore_result::InvalidInput };
        // SAFETY: buffers come from with_output; the data is static.
        let (r, _) = with_output(64, |o, c, l| unsafe { etagcore_content_tag_compute(b"x".as_ptr(), 1, v, o, c, l) });
        prop_assert_eq!(r, want);
        // SAFETY: as above.
        let (r, _) = with_output(64, |o, c, l| unsafe { etagcore_digest_tag_format(b"x".as_ptr(), 1, v, o, c, l) });
        prop_assert_eq!(r, want);
        let tag = etagcore_entity_tag { opaque: b"x".as_ptr(), opaque_len: 1, weak: v };
        // SAFETY: tag points to live bytes; buffers come from with_output.
        let (r, _) = with_output(64, |o, c, l| unsafe { etagcore_entity_tag_format(&tag, o, c, l) });
        prop_assert_eq!(r, want);
        let request = etagcore_request {
            method: bytes(b"GET"),
            if_match: field(&[]),
            if_none_match: field(&[]),
            if_modified_since: field(&[]),
            if_unmodified_since: field(&[]),
            if_range: field(&[]),
            has_range: v,
        };
        let mut decision = etagcore_decision::Perform;
        // SAFETY: request is live; no current representation; decision is writable.
        let r = unsafe { etagcore_request_evaluate(&request, std::ptr::null(), 0, &mut decision) };
        prop_assert_eq!(r, want);
        let c_rep = etagcore_representation { etag: bytes(b"\"x\""), has_last_modified: v, last_modified: 0 };
        let request = etagcore_request { has_range: 0, ..request };
        // SAFETY: request and c_rep are live; decision is writable.
        let r = unsafe { etagcore_request_evaluate(&request, &c_rep, 0, &mut decision) };
        prop_assert_eq!(r, want);
    }
}

#[test]
fn null_with_length_is_rejected_before_reading() {
    let mut secs = 0;
    // SAFETY: a NULL pointer with a length must be rejected without being read.
    let r = unsafe { etagcore_http_date_parse(std::ptr::null(), 5, 0, &mut secs) };
    assert_eq!(r, etagcore_result::NullParameter);
    let line = etagcore_bytes {
        ptr: std::ptr::null(),
        len: 3,
    };
    let mut matched = true;
    // SAFETY: as above, inside a field line.
    let r = unsafe { etagcore_list_match(&field(&[line]), std::ptr::null(), 0, &mut matched) };
    assert_eq!((r, matched), (etagcore_result::NullParameter, true));
}
