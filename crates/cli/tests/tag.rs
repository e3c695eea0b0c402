//! `etagcore tag` against Debian's xxh128sum, an implementation independent of this project,
//! on a generated tree: empty files, a 1 GiB sparse file, names with spaces and non-UTF-8 bytes.

mod common;

use std::ffi::OsStr;
use std::fs::{self, File};
use std::os::unix::ffi::OsStrExt;
use std::process::Command;

use common::{Scratch, code, etagcore, have_xxh128sum, stderr};

fn tree() -> Scratch {
    let s = Scratch::new("tree");
    fs::create_dir_all(s.path("site/assets/deep")).unwrap();
    fs::write(s.path("site/index.html"), "<h1>farm</h1>\n").unwrap();
    fs::write(s.path("site/empty"), "").unwrap();
    fs::write(s.path("site/with space.txt"), "spaces\n").unwrap();
    let latin1 = s.0.join(OsStr::from_bytes(b"site/caf\xe9.txt"));
    fs::write(latin1, "not UTF-8\n").unwrap();
    for n in [1usize, 240, 241, 65_536, 300_000] {
        let data: Vec<u8> = (0..n).map(|i| (i % 251) as u8).collect();
        fs::write(s.path(&format!("site/assets/f{n}.bin")), data).unwrap();
    }
    fs::write(
        s.path("site/assets/deep/app.js"),
        "console.log(1);\n".repeat(1000),
    )
    .unwrap();
    // 1 GiB, sparse: no disk used, but every byte is read and hashed.
    File::create(s.path("site/assets/sparse.bin"))
        .unwrap()
        .set_len(1 << 30)
        .unwrap();
    s
}

#[test]
fn tag_equals_xxh128sum_on_a_generated_tree() {
    if !have_xxh128sum() {
        return;
    }
    let s = tree();
    let ours = etagcore(&s.0, &["tag", "-r", "site"]);
    assert_eq!(code(&ours), 0, "{}", stderr(&ours));
    let lines: Vec<&[u8]> = ours
        .stdout
        .split(|&b| b == b'\n')
        .filter(|l| !l.is_empty())
        .collect();
    assert_eq!(lines.len(), 11, "every file once");
    // xxh128sum over the same paths, in our order: its output must be byte for byte ours.
    let paths: Vec<&OsStr> = lines.iter().map(|l| OsStr::from_bytes(&l[34..])).collect();
    let theirs = Command::new("xxh128sum")
        .args(&paths)
        .current_dir(&s.0)
        .output()
        .unwrap();
    assert!(theirs.status.success());
    assert_eq!(
        String::from_utf8_lossy(&ours.stdout),
        String::from_utf8_lossy(&theirs.stdout)
    );
    assert_eq!(ours.stdout, theirs.stdout);
    // And xxh128sum -c accepts what we printed.
    fs::write(s.path("tags.txt"), &ours.stdout).unwrap();
    let check = Command::new("xxh128sum")
        .args(["-c", "tags.txt"])
        .current_dir(&s.0)
        .output()
        .unwrap();
    assert!(
        check.status.success(),
        "{}",
        String::from_utf8_lossy(&check.stdout)
    );
}

#[test]
fn paths_come_sorted_by_their_bytes_within_each_directory() {
    let s = tree();
    let out = etagcore(&s.0, &["tag", "-r", "site/assets"]);
    let names: Vec<String> = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| l[34..].to_string())
        .collect();
    let want = [
        "site/assets/deep/app.js",
        "site/assets/f1.bin",
        "site/assets/f240.bin",
        "site/assets/f241.bin",
        "site/assets/f300000.bin",
        "site/assets/f65536.bin",
        "site/assets/sparse.bin",
    ];
    assert_eq!(names, want);
}

#[test]
fn etag_and_json_formats_carry_the_same_digits() {
    let s = tree();
    let xxh = etagcore(&s.0, &["tag", "site/index.html"]);
    let hex = String::from_utf8(xxh.stdout).unwrap()[..32].to_string();
    let etag = etagcore(&s.0, &["tag", "--format", "etag", "site/index.html"]);
    assert_eq!(
        String::from_utf8(etag.stdout).unwrap(),
        format!("\"{hex}\"  site/index.html\n")
    );
    let weak = etagcore(
        &s.0,
        &["tag", "--format", "etag", "--weak", "site/index.html"],
    );
    assert!(
        String::from_utf8(weak.stdout)
            .unwrap()
            .starts_with(&format!("W/\"{hex}\""))
    );
    let json = etagcore(&s.0, &["tag", "--json", "site/index.html", "site/missing"]);
    assert_eq!(code(&json), 1);
    let doc: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    assert_eq!(doc[0]["hex"], hex.as_str());
    assert_eq!(doc[0]["etag"], format!("\"{hex}\""));
    assert_eq!(doc[0]["size"], 14);
    assert_eq!(doc[1]["path"], "site/missing");
    assert_eq!(doc[1]["error"], "No such file or directory");
}

#[test]
fn unreadable_paths_exit_1_with_a_reason_and_the_rest_still_printed() {
    let s = tree();
    let out = etagcore(&s.0, &["tag", "site/nope", "site", "site/index.html"]);
    assert_eq!(code(&out), 1);
    let err = stderr(&out);
    assert!(
        err.contains("site/nope: No such file or directory"),
        "{err}"
    );
    assert!(err.contains("site: is a directory (use -r"), "{err}");
    let printed = String::from_utf8(out.stdout).unwrap();
    assert!(printed.ends_with("  site/index.html\n"), "{printed}");
    assert_eq!(printed.lines().count(), 1);
}

#[test]
fn usage_errors_exit_2() {
    let s = Scratch::new("usage");
    assert_eq!(code(&etagcore(&s.0, &["tag"])), 2);
    assert_eq!(code(&etagcore(&s.0, &["tag", "--format", "md5", "x"])), 2);
    assert_eq!(code(&etagcore(&s.0, &["frobnicate"])), 2);
}

#[test]
fn no_progress_bar_when_piped_even_for_a_long_run() {
    let s = Scratch::new("many");
    fs::create_dir(s.path("d")).unwrap();
    for i in 0..2_100 {
        fs::write(s.path(&format!("d/{i}")), i.to_string()).unwrap();
    }
    let out = etagcore(&s.0, &["tag", "-r", "d"]);
    assert_eq!(code(&out), 0);
    assert!(out.stderr.is_empty(), "stderr: {:?}", stderr(&out));
    assert_eq!(out.stdout.iter().filter(|&&b| b == b'\n').count(), 2_100);
}

#[test]
fn a_progress_bar_on_a_terminal_for_a_long_run_and_never_with_no_progress() {
    // util-linux's `script` gives the command a terminal for stdout and stderr.
    let s = Scratch::new("tty");
    fs::create_dir(s.path("d")).unwrap();
    for i in 0..2_100 {
        fs::write(s.path(&format!("d/{i}")), i.to_string()).unwrap();
    }
    let bin = env!("CARGO_BIN_EXE_etagcore");
    let on_tty = |extra: &str| {
        let cmd = format!("{bin} tag -r {extra} d > /dev/null");
        let out = Command::new("script")
            .args(["-qec", &cmd, "/dev/null"])
            .current_dir(&s.0)
            .output()
            .expect("script(1) from util-linux");
        assert!(out.status.success(), "{}", stderr(&out));
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    assert!(
        on_tty("").contains('\u{2591}'),
        "the bar's track is drawn on a terminal"
    );
    assert_eq!(on_tty("--no-progress"), "");
}
