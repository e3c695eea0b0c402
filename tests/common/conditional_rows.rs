//! The conditional vector tables (`../shared/vectors/FORMAT.md`) as plain rows, for the test
//! suites that run them through a header map of their own (etagcore-http's `http::HeaderMap`,
//! etagcore-actix's actix `HeaderMap`): every `*.tsv` of `tests/vectors/` and of
//! `$ETAGCORE_VECTORS_DIR` (empty: unset). Include it next to `mod.rs`:
//! `#[path = ".../tests/common/conditional_rows.rs"] mod conditional_rows;`.
#![allow(dead_code)] // each test binary uses a different subset

use std::path::{Path, PathBuf};

use crate::common::{decode_bytes, decode_lines, naive_imf_fixdate};

/// The five conditional columns, in `Request`'s field order.
pub const FIELD_COLUMNS: [&str; 5] = [
    "if_match",
    "if_none_match",
    "if_modified_since",
    "if_unmodified_since",
    "if_range",
];

/// One row of a conditional table.
pub struct Row {
    pub method: Vec<u8>,
    /// The field lines of each column of [`FIELD_COLUMNS`].
    pub fields: [Vec<Vec<u8>>; 5],
    pub has_range: bool,
    /// `None`: `(absent)`; else the ETag bytes (empty: none) and the Last-Modified.
    pub current: Option<(Vec<u8>, Option<i64>)>,
    pub now: i64,
    pub expected: u16,
}

/// Every vector file: tests/vectors/ of the repository, then `$ETAGCORE_VECTORS_DIR`.
pub fn vector_files(repository: &Path) -> Vec<PathBuf> {
    let mut dirs = vec![repository.join("tests/vectors")];
    if let Some(extra) = std::env::var_os("ETAGCORE_VECTORS_DIR").filter(|d| !d.is_empty()) {
        dirs.push(PathBuf::from(extra));
    }
    let mut files = Vec::new();
    for dir in dirs {
        let mut found: Vec<PathBuf> = std::fs::read_dir(&dir)
            .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|x| x == "tsv"))
            .collect();
        found.sort();
        files.extend(found);
    }
    files
}

/// The rows of a conditional table with their line numbers, or None for another kind of table.
pub fn rows(path: &Path) -> Option<Vec<(usize, Row)>> {
    let text = std::fs::read_to_string(path).unwrap();
    let mut lines = text.lines().filter(|l| !l.is_empty());
    let header: Vec<&str> = lines.next().unwrap_or("").split('\t').collect();
    if !header.contains(&"expected_status_per_RFC9110") {
        return None;
    }
    Some(
        lines
            .enumerate()
            .map(|(n, line)| {
                let cells: Vec<&str> = line.split('\t').collect();
                let row = row(&header, &cells)
                    .unwrap_or_else(|e| panic!("{}:{}: {e}", path.display(), n + 2));
                (n + 2, row)
            })
            .collect(),
    )
}

fn row(header: &[&str], cells: &[&str]) -> Result<Row, String> {
    let get = |column: &str| -> Result<&str, String> {
        let i = header
            .iter()
            .position(|h| *h == column)
            .ok_or(format!("no column {column}"))?;
        Ok(cells.get(i).copied().unwrap_or(""))
    };
    let date = |column: &str| -> Result<i64, String> {
        let bytes = decode_bytes(get(column)?)?;
        std::str::from_utf8(&bytes)
            .ok()
            .and_then(naive_imf_fixdate)
            .ok_or(format!("{column}: bad date"))
    };
    let mut fields: [Vec<Vec<u8>>; 5] = Default::default();
    for (slot, column) in fields.iter_mut().zip(FIELD_COLUMNS) {
        *slot = decode_lines(get(column)?)?.unwrap_or_default();
    }
    let has_range = match get("has_range")? {
        "yes" => true,
        "no" => false,
        other => return Err(format!("has_range {other:?}")),
    };
    let etag_cell = get("resource_etag")?;
    let current = match etag_cell {
        "(absent)" => None,
        _ => Some((
            decode_bytes(etag_cell)?,
            match get("resource_last_modified")? {
                "" => None,
                _ => Some(date("resource_last_modified")?),
            },
        )),
    };
    Ok(Row {
        method: decode_bytes(get("method")?)?,
        fields,
        has_range,
        current,
        now: date("now")?,
        expected: get("expected_status_per_RFC9110")?
            .parse()
            .map_err(|_| "bad status")?,
    })
}
