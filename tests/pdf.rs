//! `pactum report --format pdf` (and `doc`), printed by headless Chromium,
//! read back as a reader gets it: `pdftotext` for the first page's words
//! and `pdftoppm` for page images (poppler-utils; `.ci/run` installs it and
//! Chromium). For each example agreement, the first page holds every goal,
//! the targets' verdicts, the forecast, every pilot verdict, the failed
//! audits and the actions past due; no page is blank. Without Chromium the
//! command says how to get it and writes nothing.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const EXAMPLES: [&str; 3] = [
    "acme_referral",
    "channel_resellers",
    "marketplace_integration",
];

fn pactum(args: &[&str], envs: &[(&str, &str)]) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_pactum"));
    command
        .args(args)
        .env("NO_COLOR", "1")
        .env_remove("SOURCE_DATE_EPOCH");
    for (k, v) in envs {
        command.env(k, v);
    }
    command.output().unwrap()
}

/// A fresh folder of this test file's own.
fn scratch(name: &str) -> PathBuf {
    common::scratch(&format!("pdf_{name}"))
}

/// A poppler program's output; fails saying how to get it.
fn poppler(program: &str, args: &[&str]) -> String {
    let out = Command::new(program)
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("cannot run {program} ({e}): apt-get install poppler-utils"));
    assert!(
        out.status.success(),
        "{program}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// Whether a page image has ink: some pixel clearly darker than paper.
fn has_ink(png: &Path) -> bool {
    let decoder = png::Decoder::new(std::io::BufReader::new(std::fs::File::open(png).unwrap()));
    let mut reader = decoder.read_info().unwrap();
    let mut buffer = vec![0; reader.output_buffer_size().unwrap()];
    let info = reader.next_frame(&mut buffer).unwrap();
    let channels = info.color_type.samples();
    buffer[..info.buffer_size()]
        .chunks(channels)
        .any(|pixel| pixel.iter().take(3).map(|&c| c as u32).sum::<u32>() < 3 * 128)
}

#[test]
fn the_first_page_decides_and_no_page_is_blank() {
    for example in EXAMPLES {
        let dir = scratch(example);
        let pdf = dir.join("scorecard.pdf");
        let spec = format!("specs/{example}.pactum");
        let out = pactum(
            &[
                "report",
                &spec,
                "--data",
                &format!("examples/{example}"),
                "--as-of",
                "2026-09-30",
                "--out",
                pdf.to_str().unwrap(),
            ],
            &[],
        );
        assert!(
            out.status.success(),
            "{example}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let bytes = std::fs::read(&pdf).unwrap();
        assert!(bytes.starts_with(b"%PDF"), "{example}: not a PDF");

        // The first page, as words: the summary is all on it.
        let first = poppler(
            "pdftotext",
            &["-f", "1", "-l", "1", pdf.to_str().unwrap(), "-"],
        )
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
        let text = std::fs::read_to_string(&spec).unwrap();
        let mut wanted = vec![
            "At a glance".to_string(),
            "Targets:".to_string(),
            "Next period".to_string(),
            "Data quality:".to_string(),
        ];
        // Every goal and pilot by its title, as the agreement writes it.
        for line in text.lines() {
            let line = line.trim();
            for keyword in ["goal ", "pilot "] {
                if let Some(rest) = line.strip_prefix(keyword)
                    && let Some(title) = rest.split('"').nth(1)
                {
                    wanted.push(format!("{title}:"));
                }
            }
        }
        if text.contains("action \"") {
            wanted.push("Action overdue:".to_string());
        }
        for w in &wanted {
            assert!(
                first.contains(w.as_str()),
                "{example}: page 1 lacks {w:?}:\n{first}"
            );
        }

        // Every page has ink.
        let pages: usize = poppler("pdfinfo", &[pdf.to_str().unwrap()])
            .lines()
            .find_map(|l| l.strip_prefix("Pages:"))
            .and_then(|n| n.trim().parse().ok())
            .unwrap();
        assert!(pages >= 2, "{example}: {pages} pages");
        poppler(
            "pdftoppm",
            &[
                "-r",
                "24",
                "-png",
                pdf.to_str().unwrap(),
                dir.join("page").to_str().unwrap(),
            ],
        );
        let mut images: Vec<PathBuf> = std::fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|e| e == "png"))
            .collect();
        images.sort();
        assert_eq!(images.len(), pages, "{example}");
        for image in &images {
            assert!(has_ink(image), "{example}: {} is blank", image.display());
        }
    }
}

#[test]
fn the_agreement_document_prints_too() {
    let dir = scratch("doc");
    let pdf = dir.join("agreement.pdf");
    let out = pactum(
        &[
            "doc",
            "specs/acme_referral.pactum",
            "--out",
            pdf.to_str().unwrap(),
        ],
        &[],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let first = poppler(
        "pdftotext",
        &["-f", "1", "-l", "1", pdf.to_str().unwrap(), "-"],
    );
    assert!(first.contains("Acme Cloud referral partnership"), "{first}");
}

#[test]
fn without_chromium_the_report_says_how_to_get_it_and_writes_nothing() {
    let dir = scratch("no_chromium");
    let pdf = dir.join("scorecard.pdf");
    let empty = dir.join("empty-path");
    std::fs::create_dir_all(&empty).unwrap();
    let mut command = Command::new(env!("CARGO_BIN_EXE_pactum"));
    command
        .args([
            "report",
            "specs/acme_referral.pactum",
            "--data",
            "examples/acme_referral",
            "--out",
            pdf.to_str().unwrap(),
        ])
        .env("PATH", &empty)
        .env_remove("PACTUM_CHROMIUM");
    let out = command.output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("printing a PDF needs Chromium, which was not found")
            && stderr.contains("apt-get install chromium"),
        "{stderr}"
    );
    assert!(!pdf.exists());
}
