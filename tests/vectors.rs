//! The conformance-vector runner of `../shared/vectors/FORMAT.md`.
//!
//! Runs every `*.tsv` in `tests/vectors/` and, when `ETAGCORE_VECTORS_DIR` names a folder (set and
//! not empty), every `*.tsv` there; dispatches on the header row; prints `FILE_NAME: N passed, M failed` per file and
//! fails on any mismatch, undecodable cell or missing column.

mod common;

use std::path::{Path, PathBuf};

use common::{decode_bytes, decode_lines, naive_imf_fixdate};
use etagcore::{EntityTag, Method, Representation, Request, evaluate, parse_http_date};

struct Table {
    header: Vec<String>,
    rows: Vec<Vec<String>>,
}

struct Row<'t> {
    table: &'t Table,
    cells: &'t [String],
}

impl Row<'_> {
    fn get(&self, column: &str) -> Result<&str, String> {
        let i = self
            .table
            .header
            .iter()
            .position(|h| h == column)
            .ok_or_else(|| format!("missing column {column:?}"))?;
        Ok(self.cells.get(i).map_or("", String::as_str))
    }

    fn yes_no(&self, column: &str) -> Result<bool, String> {
        match self.get(column)? {
            "yes" => Ok(true),
            "no" => Ok(false),
            other => Err(format!("{column}: expected yes/no, got {other:?}")),
        }
    }

    fn date(&self, column: &str) -> Result<i64, String> {
        let raw = self.get(column)?;
        let bytes = decode_bytes(raw)?;
        std::str::from_utf8(&bytes)
            .ok()
            .and_then(naive_imf_fixdate)
            .ok_or_else(|| format!("{column}: not an IMF-fixdate: {raw:?}"))
    }
}

fn read_table(path: &Path) -> Result<Table, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let mut lines = text
        .lines()
        .map(|l| l.strip_suffix('\r').unwrap_or(l))
        .filter(|l| !l.is_empty());
    let header: Vec<String> = lines
        .next()
        .ok_or("empty file")?
        .split('\t')
        .map(str::to_owned)
        .collect();
    let rows = lines
        .map(|l| l.split('\t').map(str::to_owned).collect())
        .collect();
    Ok(Table { header, rows })
}

type Check = fn(&Row<'_>) -> Result<(), String>;

fn checker(table: &Table) -> Result<Check, String> {
    let has = |c: &str| table.header.iter().any(|h| h == c);
    if has("expected_status_per_RFC9110") {
        Ok(check_conditional)
    } else if has("unix_seconds") {
        Ok(check_date)
    } else if has("opaque") {
        Ok(check_etag)
    } else {
        Err(format!("unknown table kind, header {:?}", table.header))
    }
}

fn check_etag(row: &Row<'_>) -> Result<(), String> {
    let input = decode_bytes(row.get("input")?)?;
    let got = EntityTag::parse(&input);
    if !row.yes_no("valid")? {
        return match got {
            Err(_) => Ok(()),
            Ok(tag) => Err(format!("accepted invalid tag as {tag:?}")),
        };
    }
    let (weak, opaque) = (row.yes_no("weak")?, decode_bytes(row.get("opaque")?)?);
    match got {
        Ok(tag) if tag.is_weak() == weak && tag.opaque() == opaque => Ok(()),
        other => Err(format!(
            "expected weak={weak} opaque={:?}, got {other:?}",
            opaque.escape_ascii().to_string()
        )),
    }
}

fn check_date(row: &Row<'_>) -> Result<(), String> {
    let input = decode_bytes(row.get("input")?)?;
    let now = row.date("now")?;
    let got = parse_http_date(&input, now);
    if !row.yes_no("valid")? {
        return match got {
            Err(_) => Ok(()),
            Ok(secs) => Err(format!("accepted invalid date as {secs}")),
        };
    }
    let raw = row.get("unix_seconds")?;
    let expected: i64 = raw
        .parse()
        .map_err(|_| format!("unix_seconds: not an integer: {raw:?}"))?;
    if got == Ok(expected) {
        Ok(())
    } else {
        Err(format!("expected {expected}, got {got:?}"))
    }
}

fn as_lines(v: &[Vec<u8>]) -> Vec<&[u8]> {
    v.iter().map(Vec::as_slice).collect()
}

fn check_conditional(row: &Row<'_>) -> Result<(), String> {
    let method = Method::from_bytes(&decode_bytes(row.get("method")?)?);
    let field = |name: &str| -> Result<Vec<Vec<u8>>, String> {
        Ok(decode_lines(row.get(name)?)?.unwrap_or_default())
    };
    let (im, inm, ims, ius, ir) = (
        field("if_match")?,
        field("if_none_match")?,
        field("if_modified_since")?,
        field("if_unmodified_since")?,
        field("if_range")?,
    );
    let (im, inm, ims, ius, ir) = (
        as_lines(&im),
        as_lines(&inm),
        as_lines(&ims),
        as_lines(&ius),
        as_lines(&ir),
    );
    let request = Request {
        method,
        if_match: &im,
        if_none_match: &inm,
        if_modified_since: &ims,
        if_unmodified_since: &ius,
        if_range: &ir,
        has_range: row.yes_no("has_range")?,
    };
    let etag_cell = row.get("resource_etag")?;
    let etag_bytes = decode_bytes(etag_cell)?;
    let current = match etag_cell {
        "(absent)" => None,
        _ => Some(Representation {
            etag: match etag_bytes.as_slice() {
                [] => None,
                bytes => Some(
                    EntityTag::parse(bytes)
                        .map_err(|e| format!("resource_etag {etag_cell:?}: {e}"))?,
                ),
            },
            last_modified: match row.get("resource_last_modified")? {
                "" => None,
                _ => Some(row.date("resource_last_modified")?),
            },
        }),
    };
    let now = row.date("now")?;
    let raw = row.get("expected_status_per_RFC9110")?;
    let expected: u16 = match raw.parse() {
        Ok(s @ (200 | 206 | 304 | 412)) => s,
        _ => {
            return Err(format!(
                "expected_status_per_RFC9110: not 200/206/304/412: {raw:?}"
            ));
        }
    };
    let got = evaluate(&request, current.as_ref(), now);
    if got.status() == expected {
        Ok(())
    } else {
        Err(format!(
            "expected {expected}, got {} ({got:?})",
            got.status()
        ))
    }
}

/// Runs one file; returns (passed, failure messages) and prints the file's summary line.
fn run_file(path: &Path) -> (usize, Vec<String>) {
    let (passed, failures) = check_file(path);
    let name = path.file_name().map_or_else(
        || path.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    );
    println!("{name}: {passed} passed, {} failed", failures.len());
    (passed, failures)
}

/// Checks every row of one file; returns (passed, failure messages).
fn check_file(path: &Path) -> (usize, Vec<String>) {
    let name = path.file_name().map_or_else(
        || path.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    );
    let outcome = read_table(path).and_then(|table| checker(&table).map(|check| (table, check)));
    let (table, check) = match outcome {
        Ok(ok) => ok,
        Err(e) => return (0, vec![format!("{name}: {e}")]),
    };
    let mut passed = 0;
    let mut failures = Vec::new();
    for (i, cells) in table.rows.iter().enumerate() {
        let row = Row {
            table: &table,
            cells,
        };
        let id = row
            .get("id")
            .ok()
            .filter(|s| !s.is_empty())
            .map_or_else(|| format!("row {}", i + 2), str::to_owned);
        match check(&row) {
            Ok(()) => passed += 1,
            Err(e) => failures.push(format!("{name} {id}: {e}")),
        }
    }
    (passed, failures)
}

fn tsv_files(dir: &Path) -> Vec<PathBuf> {
    let entries = std::fs::read_dir(dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
    let mut files: Vec<PathBuf> = entries
        .map(|e| e.expect("readable entry").path())
        .filter(|p| p.extension().is_some_and(|x| x == "tsv"))
        .collect();
    files.sort();
    files
}

#[test]
fn conformance_vectors() {
    let mut files = tsv_files(&Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/vectors"));
    // Set but empty counts as unset: `ETAGCORE_VECTORS_DIR= cargo test`, or a blank make variable.
    if let Some(dir) = std::env::var_os("ETAGCORE_VECTORS_DIR").filter(|d| !d.is_empty()) {
        let extra = tsv_files(Path::new(&dir));
        assert!(
            !extra.is_empty(),
            "ETAGCORE_VECTORS_DIR={} holds no *.tsv",
            Path::new(&dir).display()
        );
        files.extend(extra);
    }
    let mut total = 0;
    let mut failures = Vec::new();
    for file in &files {
        let (passed, failed) = run_file(file);
        total += passed + failed.len();
        failures.extend(failed);
    }
    assert!(total > 0, "no vector rows ran");
    assert!(
        failures.is_empty(),
        "{} vector rows failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

/// The runner itself must be able to fail: a wrong expectation, an undecodable cell and a missing
/// column are each reported.
#[test]
fn runner_rejects_bad_files() {
    let dir = std::env::temp_dir().join(format!("etagcore-vectors-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let cases = [
        (
            "wrong.tsv",
            "input\tvalid\tweak\topaque\n\"a\"\tyes\tyes\ta\n",
        ),
        (
            "escape.tsv",
            "input\tvalid\tweak\topaque\n\"\\q\"\tyes\tno\tq\n",
        ),
        (
            "column.tsv",
            "input\tvalid\tunix_seconds\nSun, 06 Nov 1994 08:49:37 GMT\tyes\t784111777\n",
        ),
        ("kind.tsv", "foo\tbar\n1\t2\n"),
    ];
    for (name, text) in cases {
        let path = dir.join(name);
        std::fs::write(&path, text).expect("write");
        let (passed, failed) = check_file(&path);
        assert_eq!((passed, failed.len()), (0, 1), "{name}: {failed:?}");
    }
    std::fs::remove_dir_all(&dir).expect("cleanup");
}

/// An empty `ETAGCORE_VECTORS_DIR` means unset, as an empty variable does for most tools (a
/// `make` variable left blank exports one): the runner then reads only `tests/vectors/`. The
/// runner is this very test binary, run again with the variable set to the empty string.
#[test]
fn empty_vectors_dir_means_unset() {
    let exe = std::env::current_exe().expect("the test binary");
    let out = std::process::Command::new(exe)
        .args(["--exact", "conformance_vectors", "--nocapture"])
        .env("ETAGCORE_VECTORS_DIR", "")
        .output()
        .expect("the test binary runs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.contains("etagcore-date.tsv: "), "{stdout}");
}
