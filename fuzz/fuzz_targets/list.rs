//! Members and list_matches over field lines (the input split on LF) agree with the naive
//! split-then-parse model.
#![no_main]

#[path = "../../tests/common/mod.rs"]
mod common;

use common::NaiveMember;
use etagcore::{Comparison, EntityTag, Error, MAX_EMPTY_ELEMENTS, Member, Members, list_matches};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|input: &[u8]| {
    let Some((&selector, rest)) = input.split_first() else {
        return;
    };
    let lines: Vec<Vec<u8>> = rest.split(|&b| b == b'\n').map(<[u8]>::to_vec).collect();
    let borrowed: Vec<&[u8]> = lines.iter().map(Vec::as_slice).collect();
    let model = common::naive_members(&lines, MAX_EMPTY_ELEMENTS);
    let fast: Vec<NaiveMember> = Members::new(&borrowed)
        .map(|m| match m {
            Ok(Member::Any) => NaiveMember::Any,
            Ok(Member::Tag(t)) => NaiveMember::Tag {
                weak: t.is_weak(),
                opaque: t.opaque().to_vec(),
            },
            Err(Error::TooManyEmptyElements) => NaiveMember::TooManyEmpty,
            Err(_) => NaiveMember::Invalid,
        })
        .collect();
    assert_eq!(fast, model, "members disagree with the naive model");

    // Match against a current tag taken from the first member, or a fixed one.
    let first = model.iter().find_map(|m| match m {
        NaiveMember::Tag { weak, opaque } => Some((*weak, opaque.clone())),
        _ => None,
    });
    let (cur_weak, cur_opaque) = first.unwrap_or((selector & 1 == 1, b"x".to_vec()));
    let current = EntityTag::new(cur_weak ^ (selector & 2 == 2), &cur_opaque).expect("etagc");
    let comparison = if selector & 4 == 4 {
        Comparison::Strong
    } else {
        Comparison::Weak
    };
    let exists = selector & 8 == 0;
    let valid = !model
        .iter()
        .any(|m| matches!(m, NaiveMember::Invalid | NaiveMember::TooManyEmpty));
    let expected = valid.then(|| {
        model.iter().any(|m| match m {
            NaiveMember::Any => exists,
            NaiveMember::Tag { weak, opaque } => {
                exists
                    && opaque == &cur_opaque
                    && (comparison == Comparison::Weak || (!weak && !current.is_weak()))
            }
            _ => false,
        })
    });
    let got = list_matches(&borrowed, exists.then_some(Some(&current)), comparison).ok();
    assert_eq!(got, expected, "list_matches disagrees with the naive model");
});
