//! EntityTag::parse agrees with the naive checker; a parsed tag formats back to the trimmed
//! input and parses to itself; a short buffer is left untouched.
#![no_main]

#[path = "../../tests/common/mod.rs"]
mod common;

use etagcore::{EntityTag, Error};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|input: &[u8]| {
    let trimmed = common::naive_trim(input);
    let parsed = EntityTag::parse(input);
    assert_eq!(
        parsed.ok().map(|t| (t.is_weak(), t.opaque().to_vec())),
        common::naive_entity_tag(trimmed),
        "parse disagrees with the naive model"
    );
    if let Ok(tag) = parsed {
        let mut buf = vec![0xA5u8; tag.encoded_len() + 8];
        let n = tag.write_to(&mut buf).expect("fits");
        assert_eq!(&buf[..n], trimmed, "format is not the field value");
        assert!(buf[n..].iter().all(|&b| b == 0xA5), "written past the tag");
        assert_eq!(EntityTag::parse(&buf[..n]), Ok(tag), "round trip");
        let mut short = vec![0xA5u8; n - 1];
        assert_eq!(tag.write_to(&mut short), Err(Error::BufferTooSmall));
        assert!(short.iter().all(|&b| b == 0xA5), "short buffer touched");
    }
});
