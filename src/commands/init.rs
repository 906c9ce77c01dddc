//! `pactum init [DIR] [--template T]`: start a workspace. Existing files are
//! never overwritten; the command says which ones it left alone.

use std::io::Write;
use std::path::{Path, PathBuf};

use super::{Failure, SUCCESS, write_stdout};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum Template {
    /// A referral partnership: content, webinars, referral links
    #[default]
    Referral,
    /// A reseller program with deal registrations
    Reseller,
    /// A technology or marketplace integration
    Integration,
}

impl Template {
    pub fn name(self) -> &'static str {
        match self {
            Template::Referral => "referral",
            Template::Reseller => "reseller",
            Template::Integration => "integration",
        }
    }

    /// The template's agreement text.
    pub fn agreement(self) -> &'static str {
        match self {
            Template::Referral => include_str!("../../templates/referral.pactum"),
            Template::Reseller => include_str!("../../templates/reseller.pactum"),
            Template::Integration => include_str!("../../templates/integration.pactum"),
        }
    }
}

pub struct Options {
    pub dir: PathBuf,
    pub template: Template,
}

/// The files a new workspace gets, relative to its folder.
pub fn files(template: Template) -> Vec<(String, &'static str)> {
    vec![
        (
            "pactum.yaml".to_string(),
            include_str!("../../templates/pactum.yaml"),
        ),
        (
            format!("agreements/{}.pactum", template.name()),
            template.agreement(),
        ),
        (
            ".github/workflows/pactum.yml".to_string(),
            include_str!("../../templates/github-workflow.yml"),
        ),
        (
            ".pre-commit-config.yaml".to_string(),
            include_str!("../../templates/pre-commit-config.yaml"),
        ),
    ]
}

pub fn run(options: &Options) -> Result<u8, Failure> {
    let mut report = String::new();
    for (relative, text) in files(options.template) {
        let path = options.dir.join(&relative);
        if path.exists() {
            report.push_str(&format!(
                "left alone  {} (already exists)\n",
                path.display()
            ));
            continue;
        }
        create(&path, text)?;
        report.push_str(&format!("created     {}\n", path.display()));
    }
    report.push_str(&format!(
        "\nNext: edit the agreement, then run `pactum check {}`.\n",
        options.dir.display()
    ));
    write_stdout(report.as_bytes())?;
    Ok(SUCCESS)
}

/// Writes a new file; fails rather than replace one that appeared meanwhile.
fn create(path: &Path, text: &str) -> Result<(), Failure> {
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).map_err(|e| Failure::io(parent, "create folder", &e))?;
    }
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(path)
        .map_err(|e| Failure::io(path, "create", &e))?;
    file.write_all(text.as_bytes())
        .and_then(|()| file.sync_all())
        .map_err(|e| Failure::io(path, "write", &e))
}
