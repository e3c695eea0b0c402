//! `etagcore manifest` and `etagcore check`: round trip, changed, missing, unreadable and
//! malformed input, and agreement with `xxh128sum -c`.

mod common;

use std::fs;
use std::process::Command;

use common::{Scratch, code, etagcore, have_xxh128sum, stderr};

fn site() -> Scratch {
    let s = Scratch::new("manifest");
    fs::create_dir_all(s.path("www/css")).unwrap();
    fs::write(s.path("www/index.html"), "<h1>farm</h1>\n").unwrap();
    fs::write(s.path("www/css/site.css"), "body{}\n").unwrap();
    fs::write(s.path("www/a-b"), "sorts before a/ in bytes\n").unwrap();
    fs::create_dir_all(s.path("www/a")).unwrap();
    fs::write(s.path("www/a/z"), "z\n").unwrap();
    s
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[test]
fn a_manifest_lists_relative_sorted_paths_and_checks_clean() {
    let s = site();
    let out = etagcore(&s.0, &["manifest", "www", "-o", "www.xxh128"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let manifest = fs::read_to_string(s.path("www.xxh128")).unwrap();
    let paths: Vec<&str> = manifest.lines().map(|l| &l[34..]).collect();
    assert_eq!(paths, ["a-b", "a/z", "css/site.css", "index.html"]);
    // The same tree elsewhere gives the same bytes.
    fs::rename(s.path("www"), s.path("moved")).unwrap();
    let again = etagcore(&s.0, &["manifest", "./moved/", "-o", "-"]);
    assert_eq!(text(&again.stdout), manifest);

    let ok = etagcore(&s.0, &["check", "www.xxh128", "-C", "moved"]);
    assert_eq!(code(&ok), 0, "{}{}", text(&ok.stdout), stderr(&ok));
    assert!(stderr(&ok).contains("4 files: 4 OK, 0 changed, 0 missing, 0 unreadable"));
    assert!(ok.stdout.is_empty(), "only problems are printed without -v");
    let verbose = etagcore(&s.0, &["check", "-v", "www.xxh128", "-C", "moved"]);
    assert!(text(&verbose.stdout).contains("index.html: OK"));

    if have_xxh128sum() {
        let theirs = Command::new("xxh128sum")
            .args(["-c", "../www.xxh128"])
            .current_dir(s.path("moved"))
            .output()
            .unwrap();
        assert!(theirs.status.success(), "{}", text(&theirs.stdout));
    }
}

#[test]
fn check_reports_changed_missing_and_unreadable_files() {
    let s = site();
    assert_eq!(
        code(&etagcore(&s.0, &["manifest", "www", "-o", "m.txt"])),
        0
    );
    fs::write(s.path("www/index.html"), "<h1>changed</h1>\n").unwrap();
    fs::remove_file(s.path("www/a-b")).unwrap();
    // A directory where a file was: open succeeds, reading fails (root ignores chmod 000).
    fs::remove_file(s.path("www/a/z")).unwrap();
    fs::create_dir(s.path("www/a/z")).unwrap();
    let out = etagcore(&s.0, &["check", "m.txt", "-C", "www"]);
    assert_eq!(code(&out), 1);
    let report = text(&out.stdout);
    assert!(report.contains("index.html: CHANGED (now "), "{report}");
    assert!(report.contains("a-b: MISSING"), "{report}");
    assert!(
        report.contains("a/z: UNREADABLE (Is a directory)"),
        "{report}"
    );
    assert!(!report.contains("site.css"), "{report}");
    assert!(stderr(&out).contains("4 files: 1 OK, 1 changed, 1 missing, 1 unreadable"));
}

#[test]
fn a_malformed_manifest_names_its_line_and_exits_2() {
    let s = site();
    let good = format!("{}  index.html\n", "0".repeat(32));
    fs::write(
        s.path("bad.txt"),
        format!("{good}{good}not a checksum line\n"),
    )
    .unwrap();
    let out = etagcore(&s.0, &["check", "bad.txt"]);
    assert_eq!(code(&out), 2);
    assert!(
        stderr(&out).contains("bad.txt:3: malformed line"),
        "{}",
        stderr(&out)
    );
    fs::write(s.path("empty.txt"), "").unwrap();
    let out = etagcore(&s.0, &["check", "empty.txt"]);
    assert_eq!(
        (code(&out), stderr(&out).contains("lists no files")),
        (2, true)
    );
    let out = etagcore(&s.0, &["check", "absent.txt"]);
    assert_eq!(code(&out), 2);
    assert!(stderr(&out).contains("absent.txt: No such file or directory"));
}

#[test]
fn manifest_needs_a_readable_directory_and_never_lists_itself() {
    let s = site();
    let out = etagcore(&s.0, &["manifest", "www/index.html", "-o", "m"]);
    assert_eq!(code(&out), 2);
    assert!(stderr(&out).contains("is not a directory"));
    let out = etagcore(&s.0, &["manifest", "www", "-o", "www/MANIFEST"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let out = etagcore(&s.0, &["manifest", "www", "-o", "www/MANIFEST"]);
    assert_eq!(code(&out), 0);
    let listed = fs::read_to_string(s.path("www/MANIFEST")).unwrap();
    assert!(!listed.contains("MANIFEST"), "{listed}");
    assert_eq!(listed.lines().count(), 4);
}
