//! `include/etagcore.h` is generated, never edited: this test regenerates it in memory with the
//! pinned cbindgen and fails when the committed file differs. `UPDATE_HEADER=1` rewrites it.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

fn version_defines() -> String {
    let (major, minor, patch) = (
        env!("CARGO_PKG_VERSION_MAJOR"),
        env!("CARGO_PKG_VERSION_MINOR"),
        env!("CARGO_PKG_VERSION_PATCH"),
    );
    let number = [major, minor, patch]
        .iter()
        .map(|n| n.parse::<u32>().expect("a version number"))
        .fold(0, |acc, n| {
            assert!(n <= 0xff, "ETAGCORE_VERSION_NUMBER has 8 bits per part");
            (acc << 8) | n
        });
    format!(
        "\n#define ETAGCORE_VERSION_MAJOR {major}\n\
         #define ETAGCORE_VERSION_MINOR {minor}\n\
         #define ETAGCORE_VERSION_PATCH {patch}\n\
         #define ETAGCORE_VERSION_STRING \"{}\"\n\
         /* One number for #if comparisons: 0xMMmmpp ({} -> 0x{number:06x}). */\n\
         #define ETAGCORE_VERSION_NUMBER \\\n  \
         ((ETAGCORE_VERSION_MAJOR << 16) | (ETAGCORE_VERSION_MINOR << 8) | ETAGCORE_VERSION_PATCH)\n\n\
         /* The alignment etagcore_hasher needs, for the compilers that can express it. */\n\
         #if defined(_MSC_VER)\n\
         #define ETAGCORE_ALIGNED(n) __declspec(align(n))\n\
         #else\n\
         #define ETAGCORE_ALIGNED(n) __attribute__((aligned(n)))\n\
         #endif\n",
        env!("CARGO_PKG_VERSION"),
        env!("CARGO_PKG_VERSION"),
    )
}

fn generate() -> Vec<u8> {
    let crate_dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let mut config =
        cbindgen::Config::from_file(crate_dir.join("cbindgen.toml")).expect("ffi/cbindgen.toml");
    config.after_includes = Some(version_defines());
    let mut out = Vec::new();
    cbindgen::Builder::new()
        .with_crate(&crate_dir)
        .with_config(config)
        .generate()
        .expect("cbindgen generates the header")
        .write(&mut out);
    out
}

#[test]
fn committed_header_is_current() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../include/etagcore.h");
    let generated = generate();
    if std::env::var_os("UPDATE_HEADER").is_some_and(|v| v == "1") {
        std::fs::write(&path, &generated).expect("write include/etagcore.h");
        return;
    }
    let committed = std::fs::read(&path).unwrap_or_default();
    assert!(
        committed == generated,
        "include/etagcore.h is stale: run `UPDATE_HEADER=1 cargo test -p etagcore-ffi --test header` \
         and commit the result"
    );
}

/// The identifiers a doc comment may name in backticks, apart from its own subject's: every
/// `etagcore_*` / `ETAGCORE_*` name is fine, and these words are not identifiers of the header.
const NOT_IDENTIFIERS: [&str; 1] = [
    "etagc", // the ABNF rule of RFC 9110 section 8.8.3
];

/// The header's structs: name -> (field name, declaration) in order.
type Structs = HashMap<String, Vec<(String, String)>>;

/// `etagcore_x` of a `typedef struct [ETAGCORE_ALIGNED(n)] etagcore_x {` line.
fn struct_name(line: &str) -> Option<String> {
    line.trim()
        .strip_prefix("typedef struct ")?
        .split_whitespace()
        .find(|w| w.starts_with("etagcore_"))
        .map(str::to_owned)
}

/// Every struct of the header.
fn structs(header: &str) -> Structs {
    let mut out = HashMap::new();
    let mut current: Option<(String, Vec<(String, String)>)> = None;
    for line in header.lines() {
        let line = line.trim();
        if let Some(name) = struct_name(line) {
            current = Some((name, Vec::new()));
        } else if line.starts_with('}') {
            if let Some((name, fields)) = current.take() {
                out.insert(name, fields);
            }
        } else if let Some((_, fields)) = current.as_mut()
            && !line.starts_with("//")
            && line.ends_with(';')
        {
            let decl = line.trim_end_matches(';');
            let name = decl.rsplit([' ', '*']).next().unwrap_or("");
            let name = name.split('[').next().unwrap_or("");
            fields.push((name.to_owned(), decl.to_owned()));
        }
    }
    out
}

/// Every lowercase identifier in backticks in `doc` (`*out_tag` counts as `out_tag`,
/// `field.lines` as `field`); spans that are not a plain identifier (`opaque_len + 2`, `ETag`,
/// `"*"`) are prose.
fn named(doc: &str) -> Vec<String> {
    doc.split('`')
        .skip(1)
        .step_by(2)
        .filter_map(|span| {
            let span = span.trim_start_matches('*');
            let root = span.split('.').next().unwrap_or("");
            let plain = span.split('.').all(|p| {
                !p.is_empty()
                    && p.bytes()
                        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
            });
            (plain && root.bytes().next().is_some_and(|b| b.is_ascii_lowercase()))
                .then(|| root.to_owned())
        })
        .collect()
}

/// The struct type a parameter or field declaration names, if any (`const struct etagcore_field *f`).
fn struct_of(decl: &str, structs: &Structs) -> Option<String> {
    decl.split([' ', '*'])
        .find(|w| structs.contains_key(*w))
        .map(str::to_owned)
}

/// The names a doc about something with these declarations (parameters or fields) may use:
/// the declared names and the fields of the structs they name, all the way down.
fn allowed(decls: &[(String, String)], structs: &Structs) -> HashSet<String> {
    let mut names: HashSet<String> = decls.iter().map(|(n, _)| n.clone()).collect();
    let mut pending: Vec<String> = decls
        .iter()
        .filter_map(|(_, d)| struct_of(d, structs))
        .collect();
    let mut seen = HashSet::new();
    while let Some(s) = pending.pop() {
        if !seen.insert(s.clone()) {
            continue;
        }
        for (name, decl) in &structs[&s] {
            names.insert(name.clone());
            pending.extend(struct_of(decl, structs));
        }
    }
    names.extend(NOT_IDENTIFIERS.iter().map(|s| (*s).to_owned()));
    names
}

/// Header docs name only parameters and fields that exist: a doc saying `input` where the
/// parameter is `input_ptr` sends a C programmer looking for something that is not there.
#[test]
fn docs_name_existing_parameters_and_fields() {
    // The header as generated (committed_header_is_current compares it with the file).
    let header = String::from_utf8(generate()).expect("the header is UTF-8");
    let structs = structs(&header);
    let lines: Vec<&str> = header.lines().collect();
    let mut wrong = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        // A doc block, then what it documents.
        let mut doc = String::new();
        while i < lines.len() && lines[i].trim_start().starts_with("//") {
            doc.push_str(lines[i].trim_start().trim_start_matches('/'));
            doc.push('\n');
            i += 1;
        }
        if doc.is_empty() {
            i += 1;
            continue;
        }
        let Some(subject) = lines.get(i).map(|l| l.trim()) else {
            break;
        };
        let (what, decls) = if let Some(name) = struct_name(subject) {
            let decls = structs.get(&name).cloned().unwrap_or_default();
            (name, decls)
        } else if subject.starts_with("etagcore_result ")
            || subject.starts_with("const char *etagcore_")
        {
            let mut proto = String::new();
            let mut j = i;
            while j < lines.len() {
                proto.push_str(lines[j].trim());
                proto.push(' ');
                if lines[j].contains(");") {
                    break;
                }
                j += 1;
            }
            let name = proto
                .split('(')
                .next()
                .unwrap_or("")
                .rsplit([' ', '*'])
                .next()
                .unwrap_or("")
                .to_owned();
            let params = proto
                .split('(')
                .nth(1)
                .unwrap_or("")
                .split(')')
                .next()
                .unwrap_or("");
            let decls = params
                .split(',')
                .map(str::trim)
                .filter(|p| *p != "void" && !p.is_empty())
                .map(|p| {
                    (
                        p.rsplit([' ', '*']).next().unwrap_or("").to_owned(),
                        p.to_owned(),
                    )
                })
                .collect::<Vec<_>>();
            (name, decls)
        } else {
            // A field of the struct being read: its doc may name its siblings.
            let mut k = i;
            while k > 0
                && !lines[k].trim_start().starts_with("typedef struct ")
                && !lines[k].starts_with('}')
            {
                k -= 1;
            }
            let Some(name) = struct_name(lines[k]) else {
                continue; // a #define or an enum value: no parameters to name
            };
            let decls = structs.get(&name).cloned().unwrap_or_default();
            (format!("{name}: {subject}"), decls)
        };
        let ok = allowed(&decls, &structs);
        for name in named(&doc) {
            if !ok.contains(&name) && !name.starts_with("etagcore_") {
                wrong.push(format!("{what}: `{name}` is no parameter or field"));
            }
        }
    }
    assert!(
        wrong.is_empty(),
        "include/etagcore.h docs name what does not exist:\n{}",
        wrong.join("\n")
    );
}
