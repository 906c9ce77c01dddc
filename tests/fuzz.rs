//! Fuzzing of the whole pipeline on stable Rust: parse → check → model →
//! plan and render every dialect → doc → fmt, over inputs made from the
//! example agreements, the rule corpus, the malformed corpus and generated
//! agreements, mutated at the byte level (flips, deletions, duplications,
//! splices) and at the token level (keywords, braces, quotes, numbers,
//! operators inserted). Any panic fails the run; the input that caused it
//! is written to `target/fuzz-failures/` with its seed.
//!
//! Short run (in `.ci/run`): `PACTUM_FUZZ_SECONDS=60 cargo test --test fuzz`.
//! Long run: `PACTUM_FUZZ_SECONDS=3600 cargo test --release --test fuzz --
//! --nocapture` (another `PACTUM_FUZZ_SEED` explores other inputs).
//! Without the variable it runs 10 seconds.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use pactum::check::workspace::Workspace;
use pactum::sql::dialect;
use pactum::sql::plan::Options;
use pactum::sql::render::Renderer;

/// Words that make mutations reach past the lexer into the checker.
const TOKENS: &[&str] = &[
    "{",
    "}",
    "(",
    ")",
    "[",
    "]",
    "\"",
    ",",
    ".",
    "+",
    "-",
    "*",
    "/",
    "%",
    " 40% ",
    " 7 days ",
    " 2026-01-01 ",
    " 0 ",
    " -1 ",
    " 1e309 ",
    "\n",
    " agreement ",
    " party ",
    " metric ",
    " source ",
    " event ",
    " target ",
    " attribution ",
    " model ",
    " pilot ",
    " scorecard ",
    " incentive ",
    " audit ",
    " where ",
    " from ",
    " at least ",
    " by ",
    " per month ",
    " within 30 days ",
    " count(",
    " sum(",
    " retention(",
    " days_between(first ",
    " convert(",
    " data_driven ",
    " position_based { first 60% last 60% } ",
    " use ",
    "///",
    "//",
    "\u{202e}",
    "\u{1b}",
    "é",
];

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        // xorshift64*
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

fn corpus() -> Vec<Vec<u8>> {
    let mut inputs = Vec::new();
    for dir in [
        "specs",
        "specs/catalog",
        "tests/check",
        "tests/malformed",
        "tests/sql/scorecard",
    ] {
        let mut paths: Vec<PathBuf> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|e| e == "pactum"))
            .collect();
        paths.sort();
        inputs.extend(paths.iter().map(|p| std::fs::read(p).unwrap()));
    }
    for seed in 0..20 {
        inputs.push(pactum::generate::agreement(seed, false).into_bytes());
    }
    inputs
}

fn mutate(rng: &mut Rng, input: &[u8], corpus: &[Vec<u8>]) -> Vec<u8> {
    let mut bytes = input.to_vec();
    for _ in 0..1 + rng.below(4) {
        let at = rng.below(bytes.len() + 1);
        match rng.below(6) {
            0 if !bytes.is_empty() => {
                let i = rng.below(bytes.len());
                bytes[i] ^= 1 << rng.below(8);
            }
            1 if !bytes.is_empty() => {
                let end = (at + rng.below(64)).min(bytes.len());
                bytes.drain(at.min(end)..end);
            }
            2 => {
                let end = (at + rng.below(64)).min(bytes.len());
                let piece = bytes[at.min(end)..end].to_vec();
                let to = rng.below(bytes.len() + 1);
                bytes.splice(to..to, piece);
            }
            3 => {
                let other = &corpus[rng.below(corpus.len())];
                let from = rng.below(other.len() + 1);
                let end = (from + rng.below(400)).min(other.len());
                bytes.splice(at..at, other[from..end].iter().copied());
            }
            _ => {
                let token = TOKENS[rng.below(TOKENS.len())].as_bytes();
                bytes.splice(at..at, token.iter().copied());
            }
        }
    }
    bytes
}

/// Everything Pactum does with an agreement that needs no data.
fn pipeline(dir: &Path, bytes: &[u8]) {
    let path = dir.join("input.pactum");
    std::fs::write(&path, bytes).unwrap();
    let Ok(ws) = Workspace::load(std::slice::from_ref(&path), dir) else {
        return;
    };
    let diagnostics = pactum::check::run(&ws);
    for d in &diagnostics {
        let _ = pactum::diagnostics::render::render_human(
            d,
            &ws.sources,
            pactum::diagnostics::render::Style::Plain,
        );
    }
    let _ = pactum::diagnostics::formats::sarif(&diagnostics, &ws.sources);
    let parsed = pactum::parse(&ws.sources, ws.units[0].file);
    if let Some(file) = &parsed.file {
        let text = &ws.sources.get(ws.units[0].file).text;
        let formatted = pactum::syntax::format::format_file(file, &parsed.comments, text);
        // Formatting is idempotent on whatever parses.
        let mut sources = pactum::source::SourceMap::new();
        let again = sources.add("again", formatted.clone());
        let reparsed = pactum::parse(&sources, again);
        if let Some(tree) = &reparsed.file {
            assert_eq!(
                pactum::syntax::format::format_file(tree, &reparsed.comments, &formatted),
                formatted,
                "fmt is not idempotent"
            );
        }
    }
    if pactum::check::count(&diagnostics).errors > 0 {
        return;
    }
    for index in ws.agreements() {
        let scope = ws.scope(index);
        let model = pactum::model::Agreement::of(&scope);
        let plan = pactum::sql::plan(&model, &Options::default());
        for d in dialect::all() {
            for query in &plan.queries {
                let _ = Renderer::new(d).query(&query.query);
            }
        }
        let blocks = pactum::doc::blocks(&model);
        let _ = pactum::doc::markdown(&blocks);
        let _ = pactum::doc::html(&blocks, model.name);
    }
}

#[test]
fn the_pipeline_never_panics_on_mutated_agreements() {
    let seconds: u64 = std::env::var("PACTUM_FUZZ_SECONDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(10);
    let seed: u64 = std::env::var("PACTUM_FUZZ_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(0x005e_ed0f_9ac7);
    let corpus = corpus();
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("fuzz");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let failures = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .parent()
        .unwrap()
        .join("fuzz-failures");
    // Panics are caught and reported below, not printed as they happen.
    let quiet = std::panic::take_hook();
    std::panic::set_hook(Box::new(|_| {}));
    let mut rng = Rng(seed | 1);
    let deadline = Instant::now() + Duration::from_secs(seconds);
    let mut runs = 0u64;
    let mut found: Vec<String> = Vec::new();
    while Instant::now() < deadline && found.len() < 5 {
        let base = &corpus[rng.below(corpus.len())];
        let input = if runs < corpus.len() as u64 {
            corpus[runs as usize].clone()
        } else {
            mutate(&mut rng, base, &corpus)
        };
        runs += 1;
        if let Err(panic) = catch_unwind(AssertUnwindSafe(|| pipeline(&dir, &input))) {
            let message = panic
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string()))
                .unwrap_or_default();
            std::fs::create_dir_all(&failures).unwrap();
            let file = failures.join(format!("seed-{seed}-run-{runs}.pactum"));
            std::fs::write(&file, &input).unwrap();
            found.push(format!("{}: {message}", file.display()));
        }
    }
    std::panic::set_hook(quiet);
    println!(
        "fuzz: {runs} inputs in {seconds} s (seed {seed}), {} panics",
        found.len()
    );
    assert!(found.is_empty(), "panics:\n{}", found.join("\n"));
}
