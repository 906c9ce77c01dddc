//! The embedded engine's scratch database: a private folder (the sources
//! may hold personal data) with an unpredictable name, removed when the
//! engine is done, and removed by the next run when a run was killed.

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

use pactum::check::workspace::Workspace;
use pactum::run::{Embedded, Quiet};
use pactum::sql::plan::Options;

const FIXTURE: &str = "tests/sql/scorecard";

fn load() -> Embedded {
    let spec = Path::new(FIXTURE).join("agreement.pactum");
    let ws = Workspace::load(&[spec], Path::new(FIXTURE)).unwrap();
    let scope = ws.scope(ws.agreements()[0]);
    let agreement = pactum::model::Agreement::of(&scope);
    Embedded::with_data(&agreement, Path::new(FIXTURE), &Options::default(), &Quiet)
        .unwrap()
        .0
}

/// This process's scratch folders.
fn mine() -> Vec<PathBuf> {
    let prefix = format!("pactum-run-{}-", std::process::id());
    std::fs::read_dir(std::env::temp_dir())
        .unwrap()
        .map(|e| e.unwrap())
        .filter(|e| e.file_name().to_string_lossy().starts_with(&prefix))
        .map(|e| e.path())
        .collect()
}

// One test: the two parts both load engines in this process, and each
// counts this process's folders.
#[test]
fn scratch_folders_are_private_and_never_outlive_their_run() {
    the_scratch_folder_is_private_and_unpredictable_and_goes_away();
    a_killed_runs_folder_is_removed_by_the_next_run();
}

fn the_scratch_folder_is_private_and_unpredictable_and_goes_away() {
    let engine = load();
    let folders = mine();
    assert!(!folders.is_empty());
    for folder in &folders {
        let mode = std::fs::metadata(folder).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o700, "{}", folder.display());
        // PID, then 16 random hex digits.
        let name = folder.file_name().unwrap().to_string_lossy().into_owned();
        let random = name.rsplit('-').next().unwrap();
        assert_eq!(random.len(), 16, "{name}");
        assert!(random.bytes().all(|b| b.is_ascii_hexdigit()), "{name}");
    }
    let other = load();
    let names: Vec<PathBuf> = mine();
    assert!(names.len() >= 2, "two engines, two folders: {names:?}");
    drop(engine);
    drop(other);
    for folder in folders {
        assert!(!folder.exists(), "{} was left behind", folder.display());
    }
}

fn a_killed_runs_folder_is_removed_by_the_next_run() {
    // A process id no process has: above the kernel's largest.
    let max: u64 = std::fs::read_to_string("/proc/sys/kernel/pid_max")
        .unwrap()
        .trim()
        .parse()
        .unwrap();
    let stale = std::env::temp_dir().join(format!("pactum-run-{}-00000000deadbeef", max + 1));
    std::fs::create_dir_all(stale.join("inner")).unwrap();
    std::fs::write(stale.join("inner").join("main.db"), b"left by a killed run").unwrap();
    // Not a scratch folder: left alone.
    let other = std::env::temp_dir().join(format!("pactum-run-notes-{}", std::process::id()));
    std::fs::create_dir_all(&other).unwrap();
    let engine = load();
    assert!(!stale.exists(), "the stale folder is still there");
    assert!(other.exists());
    drop(engine);
    std::fs::remove_dir_all(&other).unwrap();
}
