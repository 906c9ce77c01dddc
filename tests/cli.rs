//! The command line as a user runs it: exit codes, messages, files on disk.

mod common;

use std::path::Path;
use std::process::{Command, Output, Stdio};

use common::{pactum, scratch, stderr, stdout};

fn pactum_stdin(args: &[&str], input: &[u8]) -> Output {
    use std::io::Write;
    let mut child = Command::new(env!("CARGO_BIN_EXE_pactum"))
        .args(args)
        .env("NO_COLOR", "1")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(input).unwrap();
    child.wait_with_output().unwrap()
}

const MESSY: &str = "agreement demo \"Demo\" {\n    version   1 // first\n  party acme {role partner}\n\n\n  target m at least 5\n}\n";
const TIDY: &str = "agreement demo \"Demo\" {\n  version 1 // first\n  party acme {\n    role partner\n  }\n\n  target m at least 5\n}\n";
const BROKEN: &str = "agreement demo {\n  versoin 1\n}\n";

fn entries(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

#[test]
fn fmt_rewrites_files_in_place_and_leaves_nothing_behind() {
    let dir = scratch("fmt_rewrite");
    std::fs::create_dir_all(dir.join("nested")).unwrap();
    std::fs::write(dir.join("a.pactum"), MESSY).unwrap();
    std::fs::write(dir.join("nested/b.pactum"), TIDY).unwrap();
    std::fs::write(dir.join("notes.txt"), MESSY).unwrap();
    let out = pactum(&["fmt", "."], &dir);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(std::fs::read_to_string(dir.join("a.pactum")).unwrap(), TIDY);
    assert_eq!(
        std::fs::read_to_string(dir.join("nested/b.pactum")).unwrap(),
        TIDY
    );
    assert_eq!(
        std::fs::read_to_string(dir.join("notes.txt")).unwrap(),
        MESSY,
        "only *.pactum files"
    );
    assert_eq!(
        entries(&dir),
        vec!["a.pactum", "nested", "notes.txt"],
        "no temporary files left"
    );
    assert!(
        stderr(&out).contains("1 file reformatted, 1 file already formatted"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn fmt_formats_through_links_and_keeps_mode_and_owner() {
    use std::os::unix::fs::{MetadataExt, PermissionsExt};
    let dir = scratch("fmt_links");
    // A link to the file: the file is formatted, the link stays a link.
    std::fs::create_dir_all(dir.join("real")).unwrap();
    let target = dir.join("real").join("a.pactum");
    std::fs::write(&target, MESSY).unwrap();
    std::fs::set_permissions(&target, std::fs::Permissions::from_mode(0o640)).unwrap();
    // As root, a file that belongs to someone else stays theirs.
    let root = unsafe { libc::geteuid() } == 0;
    if root {
        std::os::unix::fs::chown(&target, Some(65534), Some(65534)).unwrap();
    }
    let link = dir.join("a.pactum");
    std::os::unix::fs::symlink(&target, &link).unwrap();
    let out = pactum(&["fmt", "a.pactum"], &dir);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(
        std::fs::symlink_metadata(&link)
            .unwrap()
            .file_type()
            .is_symlink()
    );
    assert_eq!(std::fs::read_to_string(&target).unwrap(), TIDY);
    let meta = std::fs::metadata(&target).unwrap();
    assert_eq!(meta.permissions().mode() & 0o777, 0o640);
    if root {
        assert_eq!((meta.uid(), meta.gid()), (65534, 65534));
    }
    assert_eq!(entries(&dir.join("real")), ["a.pactum"]);

    // A read-only file is refused, untouched.
    let locked = dir.join("locked.pactum");
    std::fs::write(&locked, MESSY).unwrap();
    std::fs::set_permissions(&locked, std::fs::Permissions::from_mode(0o444)).unwrap();
    let out = pactum(&["fmt", "locked.pactum"], &dir);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(stderr(&out).contains("is read-only"), "{}", stderr(&out));
    assert_eq!(std::fs::read_to_string(&locked).unwrap(), MESSY);
    assert_eq!(
        std::fs::metadata(&locked).unwrap().permissions().mode() & 0o777,
        0o444
    );
}

#[test]
fn fmt_check_lists_changes_with_a_diff_and_exits_1() {
    let dir = scratch("fmt_check");
    std::fs::write(dir.join("a.pactum"), MESSY).unwrap();
    let out = pactum(&["fmt", "--check", "a.pactum"], &dir);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(err.contains("would reformat a.pactum"), "{err}");
    assert!(
        err.contains("-    version   1 // first") && err.contains("+  version 1 // first"),
        "{err}"
    );
    assert_eq!(
        std::fs::read_to_string(dir.join("a.pactum")).unwrap(),
        MESSY,
        "--check writes nothing"
    );
    std::fs::write(dir.join("a.pactum"), TIDY).unwrap();
    assert_eq!(
        pactum(&["fmt", "--check", "a.pactum"], &dir).status.code(),
        Some(0)
    );
}

#[test]
fn fmt_never_touches_a_file_that_does_not_parse() {
    let dir = scratch("fmt_broken");
    std::fs::write(dir.join("bad.pactum"), BROKEN).unwrap();
    let out = pactum(&["fmt", "bad.pactum"], &dir);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("bad.pactum:2:3"), "{}", stderr(&out));
    assert_eq!(
        std::fs::read_to_string(dir.join("bad.pactum")).unwrap(),
        BROKEN
    );
}

#[test]
fn fmt_reads_standard_input_and_writes_standard_output() {
    let out = pactum_stdin(&["fmt", "-"], MESSY.as_bytes());
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(stdout(&out), TIDY);
    let out = pactum_stdin(&["fmt", "-"], BROKEN.as_bytes());
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(stdout(&out), "", "nothing on stdout for a broken file");
    assert!(stderr(&out).contains("<stdin>:2:3"), "{}", stderr(&out));
}

#[test]
fn missing_paths_are_usage_errors_with_one_line_naming_the_path() {
    let dir = scratch("missing");
    for args in [
        vec!["fmt", "nope.pactum"],
        vec!["parse", "nope.pactum"],
        vec!["fmt", "--check", "nowhere/"],
    ] {
        let out = pactum(&args, &dir);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        let err = stderr(&out);
        assert_eq!(err.lines().count(), 1, "{err}");
        assert!(
            err.contains("nope.pactum") || err.contains("nowhere"),
            "{err}"
        );
        assert!(err.contains("no such file or folder"), "{err}");
    }
    let out = pactum(&["frobnicate"], &dir);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn parse_prints_the_tree_as_json() {
    let dir = scratch("parse");
    std::fs::write(dir.join("a.pactum"), TIDY).unwrap();
    let out = pactum(&["parse", "a.pactum"], &dir);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["root"]["kind"], "agreement");
    assert_eq!(json["root"]["name"]["name"], "demo");
    assert_eq!(json["root"]["items"][0]["item"], "version");
    assert_eq!(json["root"]["items"][0]["value"]["value"]["value"], 1);
    assert_eq!(
        json["root"]["items"][1]["value"]["fields"][0]["value"]["field"],
        "role"
    );
    std::fs::write(dir.join("bad.pactum"), BROKEN).unwrap();
    let out = pactum(&["parse", "bad.pactum"], &dir);
    assert_eq!(out.status.code(), Some(1));
    assert!(stdout(&out).is_empty());
    assert!(
        stderr(&out).contains("did you mean `version`?"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn every_command_help_shows_an_example() {
    let dir = scratch("help");
    let out = pactum(&["--help"], &dir);
    assert!(stdout(&out).contains("Examples:"), "{}", stdout(&out));
    for command in ["fmt", "parse", "explain", "completions"] {
        let out = pactum(&[command, "--help"], &dir);
        assert_eq!(out.status.code(), Some(0));
        assert!(
            stdout(&out).contains("Example"),
            "{command}: {}",
            stdout(&out)
        );
    }
}

#[test]
fn completions_are_generated_for_each_shell() {
    let dir = scratch("completions");
    for shell in ["bash", "zsh", "fish", "elvish", "powershell"] {
        let out = pactum(&["completions", shell], &dir);
        assert_eq!(out.status.code(), Some(0), "{shell}");
        assert!(stdout(&out).contains("fmt"), "{shell}");
    }
}

#[test]
fn explain_prints_a_wrong_and_a_right_example() {
    let dir = scratch("explain");
    for code in [
        "P0001", "P0002", "P0003", "P0004", "P0005", "P0006", "P0007", "P0008", "P0009", "P0010",
        "P0011", "P0012",
    ] {
        let out = pactum(&["explain", code], &dir);
        assert_eq!(out.status.code(), Some(0), "{code}");
        let text = stdout(&out);
        assert!(
            text.starts_with(code) && text.contains("Wrong") && text.contains("Right"),
            "{code}: {text}"
        );
    }
    let out = pactum(&["explain", "X9999"], &dir);
    assert_eq!(out.status.code(), Some(2));
}

/// Control characters in an agreement (a raw ESC is a syntax error, a
/// right-to-left override in a string a warning) are shown escaped in
/// every format a terminal reads; the source line is shown with them
/// masked, the underline still under the right characters.
#[test]
fn check_shows_control_characters_escaped_never_raw() {
    let dir = scratch("check-escapes");
    let spec = dir.join("escapes.pactum");
    std::fs::write(
        &spec,
        "agreement demo \"Demo \u{1b}[2K\rall good\" {\n  version 1\n  party acme \"Acme\u{202e}lla\" {\n    role partner\n  }\n}\n",
    )
    .unwrap();
    for format in ["human", "github"] {
        let output = pactum(&["check", "--format", format, "escapes.pactum"], &dir);
        let text = format!("{}{}", stdout(&output), stderr(&output));
        assert_eq!(output.status.code(), Some(1), "{text}");
        for hazard in ['\u{1b}', '\r', '\u{202e}'] {
            assert!(
                !text.contains(hazard),
                "{format}: {hazard:?} reached the terminal: {text:?}"
            );
        }
    }
    let output = pactum(&["check", "escapes.pactum"], &dir);
    let text = format!("{}{}", stdout(&output), stderr(&output));
    assert!(text.contains("P0003"), "{text}");
    assert!(text.contains("\"Demo ?[2K?all good\""), "{text}");
}

/// Folders hold only regular files for Pactum: a FIFO named `*.pactum`
/// (reading it would block) is passed over, a folder linked into itself
/// is read once, and a file reached twice counts once. A file too large to
/// be an agreement (a device, say) is refused, not read to the end.
#[test]
fn folders_are_read_without_blocking_looping_or_counting_twice() {
    let dir = scratch("walk-limits");
    std::fs::create_dir_all(dir.join("deals")).unwrap();
    std::fs::write(dir.join("deals/one.pactum"), TIDY).unwrap();
    let fifo = dir.join("deals/pipe.pactum");
    let made = Command::new("mkfifo").arg(&fifo).status().unwrap();
    assert!(made.success());
    std::os::unix::fs::symlink("..", dir.join("deals/loop")).unwrap();
    std::os::unix::fs::symlink("one.pactum", dir.join("deals/again.pactum")).unwrap();
    let output = pactum(&["fmt", "--check", "deals"], &dir);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let output = pactum(&["check", "deals"], &dir);
    let text = format!("{}{}", stdout(&output), stderr(&output));
    assert!(text.contains("in 1 file"), "{text}");

    let big = std::fs::File::create(dir.join("huge.pactum")).unwrap();
    big.set_len(65 * 1024 * 1024).unwrap();
    let output = pactum(&["check", "huge.pactum"], &dir);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("larger than 64 MiB"),
        "{}",
        stderr(&output)
    );
    for special in ["/dev/zero", "deals/pipe.pactum"] {
        let output = pactum(&["check", special], &dir);
        assert_eq!(output.status.code(), Some(2));
        assert!(
            stderr(&output).contains("not a regular file"),
            "{}",
            stderr(&output)
        );
    }
}
