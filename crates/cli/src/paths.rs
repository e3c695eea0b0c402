//! Paths as the bytes of a checksum line: written raw, like `xxh128sum`, with GNU coreutils'
//! escape for the few bytes that would break a line (`sha256sum` does the same).
//!
//! A line whose path holds a backslash, LF or CR starts with `\`, and those bytes are written
//! `\\`, `\n`, `\r`. Every other byte, non-UTF-8 included, is written as it is, so such a line is
//! byte for byte what `xxh128sum` 0.8.1 prints.

use std::ffi::{OsStr, OsString};
use std::os::unix::ffi::{OsStrExt, OsStringExt};
use std::path::{Path, PathBuf};

/// Appends `<hex>  <path>\n` (escaped when the path needs it) to `out`.
pub fn write_line(out: &mut Vec<u8>, hash: &str, path: &Path) {
    let bytes = path.as_os_str().as_bytes();
    let escape = bytes.iter().any(|b| matches!(b, b'\\' | b'\n' | b'\r'));
    if escape {
        out.push(b'\\');
    }
    out.extend_from_slice(hash.as_bytes());
    out.extend_from_slice(b"  ");
    for &b in bytes {
        match b {
            b'\\' if escape => out.extend_from_slice(b"\\\\"),
            b'\n' => out.extend_from_slice(b"\\n"),
            b'\r' => out.extend_from_slice(b"\\r"),
            _ => out.push(b),
        }
    }
    out.push(b'\n');
}

/// Why a checksum line could not be read.
#[derive(Debug, PartialEq, Eq)]
pub enum LineError {
    /// Not `<32 hex digits>  <path>`.
    Shape,
    /// A backslash escape other than `\\`, `\n`, `\r` in an escaped line.
    Escape,
}

/// Reads one line (without its `\n`) as (32 lowercase hex digits, path).
pub fn read_line(line: &[u8]) -> Result<(String, PathBuf), LineError> {
    let (escaped, line) = match line.strip_prefix(b"\\") {
        Some(rest) => (true, rest),
        None => (false, line),
    };
    let (hex, rest) = line.split_at_checked(32).ok_or(LineError::Shape)?;
    let path = rest.strip_prefix(b"  ").ok_or(LineError::Shape)?;
    if !hex
        .iter()
        .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(b))
        || path.is_empty()
    {
        return Err(LineError::Shape);
    }
    let path = if escaped {
        unescape(path)?
    } else {
        path.to_vec()
    };
    let hex = String::from_utf8(hex.to_vec()).map_err(|_| LineError::Shape)?;
    Ok((hex, PathBuf::from(OsString::from_vec(path))))
}

fn unescape(path: &[u8]) -> Result<Vec<u8>, LineError> {
    let mut out = Vec::with_capacity(path.len());
    let mut bytes = path.iter();
    while let Some(&b) = bytes.next() {
        if b != b'\\' {
            out.push(b);
            continue;
        }
        match bytes.next() {
            Some(b'\\') => out.push(b'\\'),
            Some(b'n') => out.push(b'\n'),
            Some(b'r') => out.push(b'\r'),
            _ => return Err(LineError::Escape),
        }
    }
    Ok(out)
}

/// A path for a human on stderr: lossy UTF-8, control bytes escaped.
pub fn show(path: &Path) -> String {
    show_os(path.as_os_str())
}

fn show_os(s: &OsStr) -> String {
    s.to_string_lossy().escape_debug().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(path: &[u8]) -> Vec<u8> {
        let mut out = Vec::new();
        write_line(
            &mut out,
            &"0".repeat(32),
            Path::new(OsStr::from_bytes(path)),
        );
        out
    }

    #[test]
    fn plain_and_non_utf8_paths_are_written_raw() {
        let zeros = "0".repeat(32);
        assert_eq!(line(b"a b.txt"), format!("{zeros}  a b.txt\n").into_bytes());
        let mut want = format!("{zeros}  caf").into_bytes();
        want.extend_from_slice(b"\xe9.txt\n");
        assert_eq!(line(b"caf\xe9.txt"), want);
    }

    #[test]
    fn line_breaking_bytes_are_escaped_gnu_style() {
        let zeros = "0".repeat(32);
        assert_eq!(
            line(b"a\nb\\c\rd"),
            format!("\\{zeros}  a\\nb\\\\c\\rd\n").into_bytes()
        );
    }

    #[test]
    fn lines_read_back_what_was_written() {
        for path in [
            &b"a"[..],
            b"dir/a b",
            b"caf\xe9",
            b"a\nb\\c\rd",
            b"\\",
            b"x\\n",
        ] {
            let written = line(path);
            let (hex, read) = read_line(&written[..written.len() - 1]).unwrap();
            assert_eq!(hex, "0".repeat(32));
            assert_eq!(read.as_os_str().as_bytes(), path);
        }
    }

    #[test]
    fn malformed_lines_are_errors() {
        let ok = format!("{}  a", "0".repeat(32));
        assert!(read_line(ok.as_bytes()).is_ok());
        for bad in [
            "".to_string(),
            "0".repeat(31) + "  a",
            "0".repeat(32) + " a",
            "0".repeat(32) + "  ",
            "0".repeat(32) + "a",
            "A".repeat(32) + "  a",
            "g".repeat(32) + "  a",
        ] {
            assert_eq!(read_line(bad.as_bytes()), Err(LineError::Shape), "{bad:?}");
        }
        let bad_escape = format!("\\{}  a\\tb", "0".repeat(32));
        assert_eq!(read_line(bad_escape.as_bytes()), Err(LineError::Escape));
    }
}
