//! HTML printed to PDF by headless Chromium, the browser that prints the
//! page as a reader's would: the report's print style applies, and nothing
//! is loaded from the network (the page's policy forbids it).

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// Where Chromium is looked for, in order, unless `PACTUM_CHROMIUM` names
/// the program.
const CANDIDATES: &[&str] = &[
    "chromium",
    "chromium-browser",
    "google-chrome-stable",
    "google-chrome",
];

/// How long a print may take before it is stopped.
const TIMEOUT: Duration = Duration::from_secs(120);

/// The PDF of an HTML page. On failure, what went wrong and what to do.
pub fn print(html: &str) -> Result<Vec<u8>, String> {
    let program = chromium().ok_or_else(|| {
        "printing a PDF needs Chromium, which was not found: install it (Debian: `apt-get install \
         chromium`) or set PACTUM_CHROMIUM to the browser's program"
            .to_string()
    })?;
    let folder = crate::run::scratch_folder()
        .map_err(|e| format!("cannot make a folder to print in: {e}"))?;
    let result = print_in(&program, html, &folder);
    let _ = std::fs::remove_dir_all(&folder);
    result
}

fn print_in(program: &Path, html: &str, folder: &Path) -> Result<Vec<u8>, String> {
    let page = folder.join("report.html");
    let pdf = folder.join("report.pdf");
    std::fs::write(&page, html).map_err(|e| format!("cannot write the page to print: {e}"))?;
    let mut command = Command::new(program);
    command
        .arg("--headless")
        .arg("--disable-gpu")
        .arg("--no-first-run")
        .arg("--disable-background-networking")
        .arg("--disable-component-update")
        .arg("--disable-sync")
        .arg("--no-pdf-header-footer")
        .arg(format!(
            "--user-data-dir={}",
            folder.join("profile").display()
        ))
        .arg(format!("--print-to-pdf={}", pdf.display()));
    // Chromium's sandbox refuses to start as root (in containers and CI).
    #[cfg(unix)]
    if unsafe { libc::geteuid() } == 0 {
        command.arg("--no-sandbox");
    }
    let mut child = command
        .arg(format!("file://{}", page.display()))
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("cannot start {}: {e}", program.display()))?;
    // Read on a thread of its own, so that a chatty browser never blocks
    // on a full pipe.
    let reader = child.stderr.take().map(|mut err| {
        std::thread::spawn(move || {
            use std::io::Read;
            let mut text = String::new();
            let _ = err.read_to_string(&mut text);
            text
        })
    });
    let started = Instant::now();
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break status,
            Ok(None) if started.elapsed() > TIMEOUT => {
                let _ = child.kill();
                let _ = child.wait();
                return Err(format!(
                    "Chromium did not print the page within {} s",
                    TIMEOUT.as_secs()
                ));
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(50)),
            Err(e) => return Err(format!("cannot wait for Chromium: {e}")),
        }
    };
    let bytes = std::fs::read(&pdf).unwrap_or_default();
    if !status.success() || !bytes.starts_with(b"%PDF") {
        let stderr = reader
            .and_then(|thread| thread.join().ok())
            .unwrap_or_default();
        let last = stderr
            .lines()
            .rev()
            .find(|l| !l.trim().is_empty())
            .unwrap_or("");
        return Err(format!(
            "Chromium did not print the page ({status}){}",
            if last.is_empty() {
                String::new()
            } else {
                format!(": {last}")
            }
        ));
    }
    Ok(bytes)
}

/// The Chromium program: `PACTUM_CHROMIUM`, else the first candidate on
/// the PATH.
fn chromium() -> Option<PathBuf> {
    if let Some(named) = std::env::var_os("PACTUM_CHROMIUM") {
        return Some(PathBuf::from(named));
    }
    let path = std::env::var_os("PATH")?;
    CANDIDATES.iter().find_map(|name| {
        std::env::split_paths(&path)
            .map(|dir| dir.join(name))
            .find(|candidate| candidate.is_file())
    })
}
