//! Every example agreement's scorecard and quarterly review in a real
//! browser (Debian's Chromium driven by playwright-core from the npm
//! registry; `.ci/run` installs both), at a desktop width (1280 px) and a
//! phone width (390 px): no page wider than the screen, no text over a
//! chart, no request to the network, and a screenshot with ink. Pages
//! made to fail each check prove that the checks see what they look for.
//!
//! The browser script is `tests/browser/check_pages.cjs`; playwright-core
//! is found in `PACTUM_NODE_MODULES` (default `~/.cache/pactum-node/node_modules`).

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

const EXAMPLES: [(&str, &str); 3] = [
    ("acme_referral", "quarterly"),
    ("channel_resellers", "quarterly_business_review"),
    ("marketplace_integration", "quarterly"),
];

/// A fresh folder of this test file's own.
fn scratch(name: &str) -> PathBuf {
    common::scratch(&format!("browser_pages_{name}"))
}

fn pactum(args: &[&str]) {
    let out = Command::new(env!("CARGO_BIN_EXE_pactum"))
        .args(args)
        .env_remove("SOURCE_DATE_EPOCH")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "pactum {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// One JSON object per page and width, from the browser script.
fn check(dir: &Path, pages: &[PathBuf]) -> Vec<serde_json::Value> {
    let modules = std::env::var("PACTUM_NODE_MODULES").unwrap_or_else(|_| {
        format!(
            "{}/.cache/pactum-node/node_modules",
            std::env::var("HOME").unwrap()
        )
    });
    assert!(
        Path::new(&modules).join("playwright-core").is_dir(),
        "playwright-core is needed in {modules} (`bash .ci/run` installs it with npm)"
    );
    let out = Command::new("node")
        .arg("tests/browser/check_pages.cjs")
        .arg(dir)
        .args(pages)
        .env("NODE_PATH", &modules)
        .output()
        .expect("node (Node.js) is needed");
    assert!(
        out.status.success(),
        "the browser script failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|line| serde_json::from_str(line).unwrap())
        .collect()
}

/// The share of a screenshot's pixels that are not near white.
fn ink(png: &Path) -> f64 {
    let decoder = png::Decoder::new(std::io::BufReader::new(std::fs::File::open(png).unwrap()));
    let mut reader = decoder.read_info().unwrap();
    let mut buffer = vec![0; reader.output_buffer_size().unwrap()];
    let info = reader.next_frame(&mut buffer).unwrap();
    let pixels: Vec<&[u8]> = buffer[..info.buffer_size()]
        .chunks(info.color_type.samples())
        .collect();
    let inked = pixels
        .iter()
        .filter(|p| p.iter().take(3).any(|&c| c < 200))
        .count();
    inked as f64 / pixels.len() as f64
}

#[test]
fn every_example_page_fits_desktop_and_phone_screens_offline() {
    let dir = scratch("examples");
    let mut pages = Vec::new();
    for (example, review) in EXAMPLES {
        let spec = format!("specs/{example}.pactum");
        let data = format!("examples/{example}");
        let scorecard = dir.join(format!("{example}.html"));
        pactum(&[
            "report",
            &spec,
            "--data",
            &data,
            "--as-of",
            "2026-09-30",
            "--out",
            scorecard.to_str().unwrap(),
        ]);
        let review_page = dir.join(format!("{example}-review.html"));
        pactum(&[
            "review",
            &spec,
            "--data",
            &data,
            "--period",
            "2026-Q3",
            "--review",
            review,
            "--out",
            review_page.to_str().unwrap(),
        ]);
        pages.push(scorecard);
        pages.push(review_page);
    }
    let results = check(&dir, &pages);
    assert_eq!(results.len(), pages.len() * 2);
    for r in &results {
        let what = format!("{} at {} width", r["page"], r["width"]);
        assert!(
            r["overflow"].as_i64().unwrap() <= 0,
            "{what}: wider than the screen by {} px ({})",
            r["overflow"],
            r["wide"]
        );
        assert_eq!(
            r["overlaps"],
            serde_json::json!([]),
            "{what}: text over a chart"
        );
        assert_eq!(
            r["requested"],
            serde_json::json!([]),
            "{what}: network requests"
        );
        let share = ink(Path::new(r["screenshot"].as_str().unwrap()));
        assert!(share > 0.01, "{what}: a blank screenshot ({share:.4})");
    }
}

#[test]
fn the_checks_catch_overflow_overlap_and_requests() {
    let dir = scratch("canaries");
    let page = dir.join("bad.html");
    std::fs::write(
        &page,
        "<!DOCTYPE html><meta name=viewport content='width=device-width'>\
         <div style='width:900px'>wide</div>\
         <svg width=200 height=100 style='display:block'><rect width=200 height=100 fill=#36c /></svg>\
         <p style='margin-top:-60px'>over the chart</p>\
         <img src='http://canary.invalid/x.png'>",
    )
    .unwrap();
    let results = check(&dir, &[page]);
    let phone = results.iter().find(|r| r["width"] == "phone").unwrap();
    assert!(phone["overflow"].as_i64().unwrap() > 0, "{phone}");
    assert_eq!(phone["overlaps"], serde_json::json!(["over the chart"]));
    assert_eq!(
        phone["requested"],
        serde_json::json!(["http://canary.invalid/x.png"])
    );
}
