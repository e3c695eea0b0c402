//! proptest properties: format/parse round trips, streaming == one-shot, and the list iterator
//! against the naive split-then-parse model of `common`.

mod common;

use common::{DAYS, LONG_DAYS, MONTHS, NaiveMember, naive_days, naive_imf_fixdate, naive_members};
use etagcore::{
    Comparison, ContentHasher, ContentTag, EntityTag, Error, MAX_EMPTY_ELEMENTS, MAX_HTTP_DATE,
    MIN_HTTP_DATE, Member, Members, format_http_date, list_matches, parse_http_date,
};
use proptest::prelude::*;

fn etagc() -> impl Strategy<Value = u8> {
    prop_oneof![Just(0x21u8), 0x23u8..=0x7E, 0x80u8..=0xFF]
}

/// Mostly near-valid entity tags: OWS, an optional (sometimes lowercase) W/, quotes around any bytes.
fn tag_like() -> impl Strategy<Value = Vec<u8>> {
    let ows = proptest::collection::vec(prop_oneof![Just(b' '), Just(b'\t')], 0..3);
    let prefix = prop_oneof![Just(&b""[..]), Just(&b"W/"[..]), Just(&b"w/"[..])];
    let body = proptest::collection::vec(prop_oneof![etagc(), any::<u8>()], 0..16);
    let structured =
        (ows.clone(), prefix, body, any::<bool>(), ows).prop_map(|(a, p, b, close, z)| {
            let quote: &[u8] = if close { b"\"" } else { b"" };
            [a.as_slice(), p, b"\"", &b, quote, &z].concat()
        });
    prop_oneof![proptest::collection::vec(any::<u8>(), 0..12), structured]
}

/// Bytes that make list syntax interesting: quotes, commas, OWS, W/, *, etagc and non-etagc.
fn list_line() -> impl Strategy<Value = Vec<u8>> {
    let token = prop_oneof![
        Just(&b"\""[..]),
        Just(&b","[..]),
        Just(&b" "[..]),
        Just(&b"\t"[..]),
        Just(&b"W/"[..]),
        Just(&b"w/"[..]),
        Just(&b"*"[..]),
        Just(&b"a"[..]),
        Just(&b"b"[..]),
        Just(&b"\"a\""[..]),
        Just(&b"W/\"b\""[..]),
        Just(&b"\x7f"[..]),
        Just(&b"\x80"[..]),
        Just(&b"\r"[..]),
    ];
    proptest::collection::vec(token, 0..12).prop_map(|t| t.concat())
}

fn to_naive(m: Result<Member<'_>, Error>) -> NaiveMember {
    match m {
        Ok(Member::Any) => NaiveMember::Any,
        Ok(Member::Tag(t)) => NaiveMember::Tag {
            weak: t.is_weak(),
            opaque: t.opaque().to_vec(),
        },
        Err(Error::TooManyEmptyElements) => NaiveMember::TooManyEmpty,
        Err(_) => NaiveMember::Invalid,
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn entity_tag_format_then_parse(weak: bool, opaque in proptest::collection::vec(etagc(), 0..40)) {
        let tag = EntityTag::new(weak, &opaque).unwrap();
        let mut buf = [0u8; 64];
        let n = tag.write_to(&mut buf).unwrap();
        prop_assert_eq!(n, tag.encoded_len());
        prop_assert_eq!(EntityTag::parse(&buf[..n]), Ok(tag));
    }

    #[test]
    fn entity_tag_parse_then_format(input in tag_like()) {
        let trimmed = common::naive_trim(&input);
        let naive = common::naive_entity_tag(trimmed);
        let parsed = EntityTag::parse(&input);
        prop_assert_eq!(parsed.ok().map(|t| (t.is_weak(), t.opaque().to_vec())), naive.clone());
        if let Ok(tag) = parsed {
            let mut buf = [0u8; 64];
            let n = tag.write_to(&mut buf).unwrap();
            prop_assert_eq!(&buf[..n], trimmed);
        }
    }

    #[test]
    fn date_format_then_parse_all_formats(secs in MIN_HTTP_DATE..=MAX_HTTP_DATE) {
        let imf = format_http_date(secs).unwrap();
        let imf = std::str::from_utf8(&imf).unwrap();
        // The format agrees with the naive reader, and the parser with the format.
        prop_assert_eq!(naive_imf_fixdate(imf), Some(secs));
        prop_assert_eq!(parse_http_date(imf.as_bytes(), 0), Ok(secs));
        // The same instant in the two obsolete formats.
        let parts: Vec<&str> = imf.split([' ', ',']).filter(|p| !p.is_empty()).collect();
        let [wd, day, mon, year, time, _] = parts[..] else { panic!("{imf}") };
        let long = LONG_DAYS[DAYS.iter().position(|d| *d == wd).unwrap()];
        let rfc850 = format!("{long}, {day}-{mon}-{} {time} GMT", &year[2..]);
        prop_assert_eq!(parse_http_date(rfc850.as_bytes(), secs), Ok(secs), "{}", rfc850);
        let asctime = format!("{wd} {mon} {:>2} {time} {year}", day.trim_start_matches('0'));
        prop_assert_eq!(parse_http_date(asctime.as_bytes(), 0), Ok(secs), "{}", asctime);
    }

    #[test]
    fn date_parse_agrees_with_naive_reader(
        wd in 0usize..7, day in 0u32..33, mon in 0usize..12, year in 0i64..=9999,
        h in 0i64..25, m in 0i64..61, s in 0i64..62,
    ) {
        let text = format!("{}, {day:02} {} {year:04} {h:02}:{m:02}:{s:02} GMT", DAYS[wd], MONTHS[mon]);
        let month_len = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][mon];
        let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
        let exists = year >= 1 && day >= 1 && day <= month_len && !(mon == 1 && day == 29 && !leap);
        let time_ok = h <= 23 && m <= 59 && (s <= 59 || (h, m, s) == (23, 59, 60));
        // Any day-name: it need not be the date's weekday (RFC 9110 section 5.6.7, robustness).
        let expected = (exists && time_ok).then(|| naive_days(year, mon as u32 + 1, day));
        let got = parse_http_date(text.as_bytes(), 0).ok();
        prop_assert_eq!(got, expected.map(|d| d * 86_400 + h * 3600 + m * 60 + s), "{}", text);
    }

    /// Every instant, written in each of the three formats with each valid day-name, parses to
    /// that instant: the day-name is not checked against the date (RFC 9110 section 5.6.7), and
    /// formatting still writes the date's own weekday.
    #[test]
    fn any_day_name_names_the_same_instant(secs in MIN_HTTP_DATE..=MAX_HTTP_DATE, wd in 0usize..7) {
        let imf = String::from_utf8(format_http_date(secs).unwrap().to_vec()).unwrap();
        let own = (secs.div_euclid(86_400) + 3).rem_euclid(7) as usize; // 1970-01-01: Thursday
        prop_assert_eq!(&imf[..3], DAYS[own]);
        let rest = &imf[3..]; // ", DD Mon YYYY hh:mm:ss GMT"
        let (day, mon, year, time) = (&rest[2..4], &rest[5..8], &rest[9..13], &rest[14..22]);
        let forms = [
            format!("{}{rest}", DAYS[wd]),
            format!("{}, {day}-{mon}-{} {time} GMT", LONG_DAYS[wd], &year[2..]),
            format!("{} {mon} {:>2} {time} {year}", DAYS[wd], day.trim_start_matches('0')),
        ];
        for text in forms {
            prop_assert_eq!(parse_http_date(text.as_bytes(), secs), Ok(secs), "{}", text);
        }
    }

    #[test]
    fn date_parse_never_panics(input in proptest::collection::vec(any::<u8>(), 0..40), now: i64) {
        let _ = parse_http_date(&input, now);
    }

    #[test]
    fn streaming_equals_one_shot(
        content in proptest::collection::vec(any::<u8>(), 0..5000),
        cuts in proptest::collection::vec(any::<prop::sample::Index>(), 0..8),
    ) {
        let mut at: Vec<usize> = cuts.iter().map(|c| c.index(content.len() + 1)).collect();
        at.push(0);
        at.push(content.len());
        at.sort_unstable();
        let mut hasher = ContentHasher::new();
        for w in at.windows(2) {
            hasher.update(&content[w[0]..w[1]]);
        }
        prop_assert_eq!(hasher.finish(), ContentTag::of(&content));
    }

    #[test]
    fn members_agree_with_naive_model(lines in proptest::collection::vec(list_line(), 0..4)) {
        let borrowed: Vec<&[u8]> = lines.iter().map(Vec::as_slice).collect();
        let fast: Vec<NaiveMember> = Members::new(&borrowed).map(to_naive).collect();
        prop_assert_eq!(fast, naive_members(&lines, MAX_EMPTY_ELEMENTS));
    }

    #[test]
    fn list_matches_agrees_with_naive_model(lines in proptest::collection::vec(list_line(), 0..4), weak: bool, which in 0u8..3) {
        let borrowed: Vec<&[u8]> = lines.iter().map(Vec::as_slice).collect();
        let cur = EntityTag::new(weak, [&b"a"[..], b"b", b""][usize::from(which)]).unwrap();
        let model = naive_members(&lines, MAX_EMPTY_ELEMENTS);
        let expected = if model.iter().any(|m| matches!(m, NaiveMember::Invalid | NaiveMember::TooManyEmpty)) {
            None
        } else {
            Some(model.iter().any(|m| match m {
                NaiveMember::Any => true,
                NaiveMember::Tag { weak: w, opaque } => !*w && !weak && opaque == cur.opaque(),
                _ => false,
            }))
        };
        prop_assert_eq!(list_matches(&borrowed, Some(Some(&cur)), Comparison::Strong).ok(), expected);
    }
}

#[test]
fn many_empty_elements_agree_with_model() {
    for n in [
        MAX_EMPTY_ELEMENTS - 1,
        MAX_EMPTY_ELEMENTS,
        MAX_EMPTY_ELEMENTS + 1,
    ] {
        let line = vec![b','; n];
        let lines = vec![line];
        let borrowed: Vec<&[u8]> = lines.iter().map(Vec::as_slice).collect();
        let fast: Vec<NaiveMember> = Members::new(&borrowed).map(to_naive).collect();
        assert_eq!(
            fast,
            naive_members(&lines, MAX_EMPTY_ELEMENTS),
            "{n} commas"
        );
    }
}

fn lines(v: &[Vec<u8>]) -> Vec<&[u8]> {
    v.iter().map(Vec::as_slice).collect()
}

fn field_lines() -> impl Strategy<Value = Vec<Vec<u8>>> {
    let line = prop_oneof![
        list_line(),
        Just(b"\"xyzzy\"".to_vec()),
        Just(b"W/\"xyzzy\"".to_vec()),
        Just(b"*".to_vec()),
        Just(b"Wed, 21 Oct 2015 07:28:00 GMT".to_vec()),
        Just(b"Wed, 21 Oct 2015 07:27:59 GMT".to_vec()),
        Just(b"Wednesday, 21-Oct-15 07:28:00 GMT".to_vec()),
    ];
    proptest::collection::vec(line, 0..3)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(3000))]

    /// The evaluator agrees with the step-by-step naive model of section 13.2.2.
    #[test]
    fn evaluate_agrees_with_naive_model(
        method in prop_oneof![Just("GET"), Just("HEAD"), Just("PUT"), Just("POST"), Just("DELETE"), Just("OPTIONS"), Just("get")],
        im in field_lines(), inm in field_lines(), ims in field_lines(), ius in field_lines(), ir in field_lines(),
        has_range: bool, exists: bool, etag_kind in 0u8..4, lm_kind in 0u8..4, now_kind in 0u8..3,
    ) {
        let lm_value = 1_445_412_480; // Wed, 21 Oct 2015 07:28:00 GMT
        let etag = match etag_kind { 0 => None, 1 => Some((false, b"xyzzy".to_vec())), 2 => Some((true, b"xyzzy".to_vec())), _ => Some((false, b"a".to_vec())) };
        let last_modified = match lm_kind { 0 => None, 1 => Some(lm_value), 2 => Some(lm_value - 1), _ => Some(lm_value + 1) };
        let now = [1_767_225_600, lm_value, lm_value + 1][usize::from(now_kind)];
        let naive_req = common::NaiveRequest {
            method: method.as_bytes().to_vec(), if_match: im, if_none_match: inm,
            if_modified_since: ims, if_unmodified_since: ius, if_range: ir, has_range,
        };
        let naive_cur = common::NaiveResource { etag: etag.clone(), last_modified };
        let expected = common::naive_evaluate(&naive_req, exists.then_some(&naive_cur), now, |d, now| parse_http_date(d, now).ok());

        let (im, inm, ims, ius, ir) = (lines(&naive_req.if_match), lines(&naive_req.if_none_match),
            lines(&naive_req.if_modified_since), lines(&naive_req.if_unmodified_since), lines(&naive_req.if_range));
        let request = etagcore::Request {
            method: etagcore::Method::from_bytes(method.as_bytes()),
            if_match: &im, if_none_match: &inm, if_modified_since: &ims, if_unmodified_since: &ius, if_range: &ir,
            has_range,
        };
        let current = etagcore::Representation {
            etag: etag.as_ref().map(|(weak, opaque)| EntityTag::new(*weak, opaque).unwrap()),
            last_modified,
        };
        let got = etagcore::evaluate(&request, exists.then_some(&current), now).status();
        prop_assert_eq!(got, expected);
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(3000))]

    /// The date parser agrees with the naive reader on mutated dates of all three formats.
    #[test]
    fn parse_agrees_with_naive_reader_all_formats(
        secs in MIN_HTTP_DATE..=MAX_HTTP_DATE, now in MIN_HTTP_DATE..=MAX_HTTP_DATE, form in 0u8..3,
        flips in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 0..2),
    ) {
        let imf = String::from_utf8(format_http_date(secs).unwrap().to_vec()).unwrap();
        let parts: Vec<&str> = imf.split([' ', ',']).filter(|p| !p.is_empty()).collect();
        let [wd, day, mon, year, time, _] = parts[..] else { panic!("{imf}") };
        let long = LONG_DAYS[DAYS.iter().position(|d| *d == wd).unwrap()];
        let text = match form {
            0 => imf.clone(),
            1 => format!("{long}, {day}-{mon}-{} {time} GMT", &year[2..]),
            _ => format!("{wd} {mon} {:>2} {time} {year}", day.trim_start_matches('0')),
        };
        let mut bytes = text.into_bytes();
        for (at, byte) in flips {
            let i = at.index(bytes.len());
            bytes[i] = b" 0123456789:,-GMTSunNov"[usize::from(byte) % 23];
        }
        prop_assert_eq!(parse_http_date(&bytes, now).ok(), common::naive_http_date(&bytes, now), "{:?}", String::from_utf8_lossy(&bytes));
    }
}

/// Fuzz finding (http_date target): the naive reader sliced a `str` inside a multi-byte
/// character. The input, after its 8-byte little-endian `now`, must get the same answer from both.
#[test]
fn fuzz_finding_multibyte_asctime() {
    let input: &[u8] = b"\x00\xb9\x55\x69\x00\x00\x00\x00Sun Nrv 0\xd1\xb9\x55\x69\x00\x00\x00\x00\x20\x20\x09\x09\x09\x35\x38";
    let (now, date) = input.split_at(8);
    let now = i64::from_le_bytes(now.try_into().unwrap());
    assert_eq!(
        parse_http_date(date, now).ok(),
        common::naive_http_date(date, now)
    );
    assert_eq!(parse_http_date(date, now), Err(Error::InvalidDate));
}

/// Fuzz finding (evaluate target, against the mutant `+2` -> `+4` in the one-line fast path of
/// `list_holds`, which every other test let live): `If-Match: "",` for the current tag `""` is a
/// list holding that tag and an empty element (RFC 9110 section 5.6.1.2), so the condition is true
/// and HEAD is performed, not refused with 412. The input as the fuzzer decoded it:
/// `fuzz/corpus/evaluate/seed-c548de99e3e309b4`.
#[test]
fn fuzz_finding_if_match_tag_and_empty_element() {
    let naive_req = common::NaiveRequest {
        method: b"HEAD".to_vec(),
        if_match: vec![b"\"\",".to_vec()],
        if_modified_since: vec![Vec::new()],
        ..common::NaiveRequest::default()
    };
    let naive_cur = common::NaiveResource {
        etag: Some((false, Vec::new())),
        last_modified: None,
    };
    let expected = common::naive_evaluate(&naive_req, Some(&naive_cur), 0, |d, now| {
        parse_http_date(d, now).ok()
    });
    assert_eq!(expected, 200);
    let request = etagcore::Request {
        method: etagcore::Method::Head,
        if_match: &[b"\"\","],
        if_modified_since: &[b""],
        ..etagcore::Request::default()
    };
    let current = etagcore::Representation {
        etag: Some(EntityTag::new(false, b"").unwrap()),
        last_modified: None,
    };
    assert_eq!(
        etagcore::evaluate(&request, Some(&current), 0),
        etagcore::Decision::Perform
    );
}
