//! The bad-input table of the README, one test per row: what etagcore answers for each class of
//! hostile or broken input. (NULL pointers and lengths near SIZE_MAX are C-only: they are tested
//! in ffi/tests/c/api_test.c and ffi/tests/agreement.rs.)

use etagcore::{
    Decision, EntityTag, Error, MAX_HTTP_DATE, Members, Method, Representation, Request, evaluate,
    format_http_date, parse_http_date,
};

const NOW: i64 = 1_767_225_600;
const LM: i64 = 1_445_412_480;

fn current() -> Representation<'static> {
    Representation {
        etag: Some(EntityTag::parse(b"\"xyzzy\"").unwrap()),
        last_modified: Some(LM),
    }
}

fn decide(request: Request<'_>) -> Decision {
    evaluate(&request, Some(&current()), NOW)
}

fn inm(lines: &[&[u8]]) -> Decision {
    decide(Request {
        if_none_match: lines,
        ..Request::default()
    })
}

fn im(lines: &[&[u8]]) -> Decision {
    decide(Request {
        method: Method::Put,
        if_match: lines,
        ..Request::default()
    })
}

#[test]
fn nul_and_control_bytes() {
    for bad in [
        &b"\"xyz\x00zy\""[..],
        b"\"xyzzy\"\x00",
        b"\"xyzzy\"\r\n",
        b"\"xy\x1bzzy\"",
    ] {
        assert_eq!(EntityTag::parse(bad), Err(Error::InvalidEntityTag));
        assert_eq!(
            inm(&[bad]),
            Decision::Perform,
            "If-None-Match malformed: no match"
        );
        assert_eq!(
            im(&[bad]),
            Decision::PreconditionFailed,
            "If-Match malformed: fails closed"
        );
    }
    assert_eq!(
        parse_http_date(b"Wed, 21 Oct 2015 07:28:00 GMT\x00", NOW),
        Err(Error::InvalidDate)
    );
    assert_eq!(
        parse_http_date(b"Wed, 21 Oct 2015\x0007:28:00 GMT", NOW),
        Err(Error::InvalidDate)
    );
}

#[test]
fn obs_text() {
    let tag = EntityTag::parse(b"\"\x80\xff\"").unwrap();
    assert_eq!(
        tag.opaque(),
        b"\x80\xff",
        "kept octet for octet, no decoding"
    );
    let current = Representation {
        etag: Some(tag),
        last_modified: None,
    };
    let request = Request {
        if_none_match: &[b"\"\x80\xff\""],
        ..Request::default()
    };
    assert_eq!(
        evaluate(&request, Some(&current), NOW),
        Decision::NotModified
    );
    assert_eq!(
        parse_http_date(b"Wed, 21 Oct 2015 07:28:00 G\xc3\x9cT", NOW),
        Err(Error::InvalidDate)
    );
}

#[test]
fn header_values_of_64_kib() {
    let quotes = vec![b'"'; 64 * 1024];
    assert_eq!(inm(&[&quotes]), Decision::Perform);
    assert_eq!(im(&[&quotes]), Decision::PreconditionFailed);
    let mut long_tag = vec![b'a'; 64 * 1024];
    long_tag[0] = b'"';
    *long_tag.last_mut().unwrap() = b'"';
    let tag = EntityTag::parse(&long_tag).unwrap();
    assert_eq!(tag.opaque().len(), 64 * 1024 - 2);
    let current = Representation {
        etag: Some(tag),
        last_modified: None,
    };
    let request = Request {
        if_none_match: &[&long_tag],
        ..Request::default()
    };
    assert_eq!(
        evaluate(&request, Some(&current), NOW),
        Decision::NotModified
    );
    assert_eq!(
        parse_http_date(&vec![b'1'; 64 * 1024], NOW),
        Err(Error::InvalidDate)
    );
}

#[test]
fn lists_of_10_000_members() {
    let mut list = b"\"r2d2\", ".repeat(9_999);
    assert_eq!(
        inm(&[&list]),
        Decision::Perform,
        "a trailing empty element, no match"
    );
    list.extend_from_slice(b"\"xyzzy\"");
    assert_eq!(Members::new(&[&list]).count(), 10_000);
    assert_eq!(inm(&[&list]), Decision::NotModified, "match in last place");
    assert_eq!(im(&[&list]), Decision::Perform);
}

#[test]
fn empty_values() {
    let empty: &[&[u8]] = &[b""];
    assert_eq!(
        im(empty),
        Decision::PreconditionFailed,
        "empty If-Match lists no matching tag"
    );
    assert_eq!(
        inm(empty),
        Decision::Perform,
        "empty If-None-Match lists no matching tag"
    );
    assert_eq!(
        decide(Request {
            if_modified_since: empty,
            ..Request::default()
        }),
        Decision::Perform
    );
    assert_eq!(
        decide(Request {
            method: Method::Put,
            if_unmodified_since: empty,
            ..Request::default()
        }),
        Decision::Perform
    );
    assert_eq!(
        decide(Request {
            has_range: true,
            if_range: empty,
            ..Request::default()
        }),
        Decision::Perform
    );
    assert_eq!(EntityTag::parse(b""), Err(Error::InvalidEntityTag));
    assert_eq!(parse_http_date(b"", NOW), Err(Error::InvalidDate));
}

#[test]
fn unterminated_quotes() {
    for bad in [&b"\"xyzzy"[..], b"\"xyzzy\", \"r2d2", b"W/\"", b"\""] {
        assert_eq!(EntityTag::parse(bad), Err(Error::InvalidEntityTag));
        assert_eq!(inm(&[bad]), Decision::Perform);
        assert_eq!(im(&[bad]), Decision::PreconditionFailed);
    }
    // A quote left open on one field line does not continue on the next.
    assert_eq!(inm(&[b"\"xyz", b"zy\""]), Decision::Perform);
}

#[test]
fn dates_at_years_0_9999_10000() {
    assert_eq!(
        parse_http_date(b"Sat, 01 Jan 0000 00:00:00 GMT", NOW),
        Err(Error::DateOutOfRange)
    );
    assert_eq!(
        parse_http_date(b"Fri, 31 Dec 9999 23:59:59 GMT", NOW),
        Ok(MAX_HTTP_DATE)
    );
    assert_eq!(
        parse_http_date(b"Sat, 01 Jan 10000 00:00:00 GMT", NOW),
        Err(Error::InvalidDate)
    );
    assert_eq!(
        format_http_date(MAX_HTTP_DATE + 1),
        Err(Error::DateOutOfRange)
    );
    // An rfc850 two-digit year seen from year 9990 resolves past 9999.
    let now_9990 = 253_086_854_400; // Mon, 01 Jan 9990 00:00:00 GMT
    assert_eq!(
        parse_http_date(b"Saturday, 01-Jan-20 00:00:00 GMT", now_9990),
        Err(Error::DateOutOfRange)
    );
    // A field that is out of range is ignored like any invalid date.
    let request = Request {
        if_modified_since: &[b"Sat, 01 Jan 0000 00:00:00 GMT"],
        ..Request::default()
    };
    assert_eq!(decide(request), Decision::Perform);
}

#[test]
fn extreme_clocks() {
    for now in [i64::MIN, -1, 0, i64::MAX] {
        for date in [
            &b"Sunday, 06-Nov-94 08:49:37 GMT"[..],
            b"Sun, 06 Nov 1994 08:49:37 GMT",
        ] {
            let _ = parse_http_date(date, now); // must answer, never panic or overflow
        }
        let request = Request {
            if_modified_since: &[b"Sunday, 06-Nov-94 08:49:37 GMT"],
            has_range: true,
            if_range: &[b"Wed, 21 Oct 2015 07:28:00 GMT"],
            ..Request::default()
        };
        let current = Representation {
            etag: None,
            last_modified: Some(i64::MAX),
        };
        let _ = evaluate(&request, Some(&current), now);
    }
    assert_eq!(
        parse_http_date(b"Sunday, 06-Nov-94 08:49:37 GMT", i64::MAX),
        Err(Error::DateOutOfRange)
    );
}
