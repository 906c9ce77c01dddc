//! The HTML scorecard in a real browser (Debian's `chromium`, headless, as
//! `.ci/run` installs it): it renders to a screenshot that is not blank, and
//! the page requests nothing from the network. The network is watched
//! through Chromium's net log, where requests made by the page carry the
//! page's `file://` site; a page with a remote image proves the watch sees
//! them.

use std::path::{Path, PathBuf};
use std::process::Command;

fn scratch() -> PathBuf {
    let dir = std::env::temp_dir().join(format!("pactum-browser-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Opens `page` headless; returns the screenshot's path and the URLs the
/// page itself requested (not file:// ones).
fn open(page: &Path, dir: &Path, name: &str) -> (PathBuf, Vec<String>) {
    let screenshot = dir.join(format!("{name}.png"));
    let net_log = dir.join(format!("{name}.netlog.json"));
    let profile = dir.join(format!("{name}.profile"));
    let output = Command::new("chromium")
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            "--disable-background-networking",
            "--window-size=1200,2000",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .arg(format!("--log-net-log={}", net_log.display()))
        .arg(format!("--screenshot={}", screenshot.display()))
        .arg(format!("file://{}", page.display()))
        .output()
        .unwrap_or_else(|e| {
            panic!(
                "chromium is needed (apt-get install -y chromium; `bash .ci/run` installs it): {e}"
            )
        });
    assert!(
        output.status.success(),
        "chromium failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let log: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&net_log).unwrap()).unwrap();
    let start_job = log["constants"]["logEventTypes"]["URL_REQUEST_START_JOB"]
        .as_i64()
        .unwrap();
    let mut requested = Vec::new();
    for event in log["events"].as_array().unwrap() {
        if event["type"].as_i64() != Some(start_job) {
            continue;
        }
        let params = &event["params"];
        let url = params["url"].as_str().unwrap_or_default();
        let by_page = params["network_isolation_key"]
            .as_str()
            .unwrap_or_default()
            .contains("file://");
        if by_page && !url.starts_with("file:") {
            requested.push(url.to_string());
        }
    }
    (screenshot, requested)
}

/// The share of pixels that are not (near) white.
fn ink(png: &Path) -> f64 {
    let decoder = png::Decoder::new(std::io::BufReader::new(std::fs::File::open(png).unwrap()));
    let mut reader = decoder.read_info().unwrap();
    let mut buffer = vec![0; reader.output_buffer_size().unwrap()];
    let info = reader.next_frame(&mut buffer).unwrap();
    let channels = info.color_type.samples();
    let pixels = &buffer[..info.buffer_size()];
    let mut inked = 0usize;
    let mut total = 0usize;
    for pixel in pixels.chunks(channels) {
        total += 1;
        if pixel.iter().take(3).any(|&c| c < 200) {
            inked += 1;
        }
    }
    inked as f64 / total as f64
}

#[test]
fn the_html_scorecard_renders_in_a_browser_without_the_network() {
    let dir = scratch();
    let report = dir.join("scorecard.html");
    let output = Command::new(env!("CARGO_BIN_EXE_pactum"))
        .args([
            "report",
            "tests/sql/scorecard/agreement.pactum",
            "--data",
            "tests/sql/scorecard",
            "--as-of",
            "2026-04-30",
            "--out",
        ])
        .arg(&report)
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );

    let (screenshot, requested) = open(&report, &dir, "scorecard");
    assert!(requested.is_empty(), "the report requested {requested:?}");
    let share = ink(&screenshot);
    assert!(
        share > 0.02,
        "the screenshot is blank ({share:.4} of its pixels have ink)"
    );

    // The watch works: a page with a remote image is caught.
    let canary = dir.join("canary.html");
    std::fs::write(
        &canary,
        "<!DOCTYPE html><p>canary</p><img src=\"http://canary.invalid/x.png\">",
    )
    .unwrap();
    let (_, requested) = open(&canary, &dir, "canary");
    assert_eq!(requested, ["http://canary.invalid/x.png"]);
    std::fs::remove_dir_all(&dir).unwrap();
}
