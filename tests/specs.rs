//! The example agreements under specs/: each parses, its syntax tree is
//! snapshotted, and each is already in canonical layout (so formatting is
//! idempotent on it).

use std::path::{Path, PathBuf};

use pactum::source::SourceMap;

fn spec_files() -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("specs");
    let files = pactum::commands::expand_paths(&[root]).expect("specs/ is readable");
    assert!(
        files.len() >= 4,
        "at least three agreements and one catalog"
    );
    files
}

fn relative(path: &Path) -> String {
    path.strip_prefix(env!("CARGO_MANIFEST_DIR"))
        .unwrap()
        .to_string_lossy()
        .replace('\\', "/")
}

#[test]
fn every_spec_parses_and_its_tree_is_snapshotted() {
    for path in spec_files() {
        let name = relative(&path);
        let mut sources = SourceMap::new();
        let id = sources.add(name.clone(), std::fs::read_to_string(&path).unwrap());
        let parsed = pactum::parse(&sources, id);
        assert!(
            parsed.diagnostics.is_empty(),
            "{name}: {:?}",
            parsed.diagnostics
        );
        let tree = parsed.file.expect("parses");
        let snapshot = name
            .trim_start_matches("specs/")
            .trim_end_matches(".pactum")
            .replace('/', "__");
        insta::with_settings!({ snapshot_path => "snapshots/specs", prepend_module_to_snapshot => false }, {
            insta::assert_json_snapshot!(snapshot, tree);
        });
    }
}

#[test]
fn every_spec_is_formatted_and_formatting_is_idempotent() {
    for path in spec_files() {
        let name = relative(&path);
        let text = std::fs::read_to_string(&path).unwrap();
        let mut sources = SourceMap::new();
        let id = sources.add(name.clone(), text.clone());
        let once = pactum::format(&sources, id, &pactum::parse(&sources, id)).expect("formats");
        assert_eq!(
            once, text,
            "{name} is not in canonical layout; run `pactum fmt specs/`"
        );
        let id2 = sources.add(name.clone(), once.clone());
        let twice = pactum::format(&sources, id2, &pactum::parse(&sources, id2)).expect("formats");
        assert_eq!(twice, once, "{name}: formatting is not idempotent");
    }
}

#[test]
fn formatting_keeps_every_comment() {
    for path in spec_files() {
        let name = relative(&path);
        let text = std::fs::read_to_string(&path).unwrap();
        let comments: Vec<&str> = text
            .lines()
            .filter_map(|l| l.find("//").map(|i| l[i..].trim_end()))
            .collect();
        let mut sources = SourceMap::new();
        let id = sources.add(name.clone(), text.clone());
        let formatted = pactum::format(&sources, id, &pactum::parse(&sources, id)).unwrap();
        for comment in comments {
            assert!(formatted.contains(comment), "{name}: lost {comment}");
        }
    }
}

#[test]
fn a_shared_catalog_is_imported_by_several_agreements() {
    let importers = spec_files()
        .iter()
        .filter(|p| {
            std::fs::read_to_string(p)
                .unwrap()
                .contains("use \"catalog/")
        })
        .count();
    assert!(
        importers >= 2,
        "only {importers} agreements import a catalog"
    );
}
