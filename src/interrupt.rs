//! Ctrl-C (SIGINT) and SIGTERM during a run: the running queries are
//! cancelled (on a server too, so nothing keeps running there), the run
//! ends with P0508, and its scratch files are removed on the way out.
//!
//! A signal handler may do almost nothing safely, so it only sets a flag;
//! a watcher thread sees the flag and calls the engine's canceller.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use crate::run::Canceller;

static INTERRUPTED: AtomicBool = AtomicBool::new(false);

extern "C" fn on_signal(_: libc::c_int) {
    INTERRUPTED.store(true, Ordering::SeqCst);
}

/// Whether Ctrl-C or SIGTERM came since the watch began.
pub fn interrupted() -> bool {
    INTERRUPTED.load(Ordering::SeqCst)
}

/// Cancels through `canceller` when a signal comes, until dropped.
pub struct Watch {
    done: Arc<AtomicBool>,
    thread: Option<std::thread::JoinHandle<()>>,
}

/// Catches Ctrl-C and SIGTERM from now on (they only set a flag), so that
/// one that comes before the engine can be cancelled is not lost.
pub fn catch() {
    INTERRUPTED.store(false, Ordering::SeqCst);
    let handler = on_signal as extern "C" fn(libc::c_int) as libc::sighandler_t;
    // SAFETY: the handler only stores into an atomic, which is
    // async-signal-safe; `signal` is called from one thread at a time.
    unsafe {
        libc::signal(libc::SIGINT, handler);
        libc::signal(libc::SIGTERM, handler);
    }
}

/// Cancels through `canceller` when a signal has come or comes (see
/// [`catch`]); when dropped, stops watching and gives the signals their
/// default action back.
pub fn watch(canceller: Canceller) -> Watch {
    let done = Arc::new(AtomicBool::new(false));
    let watching = done.clone();
    let thread = std::thread::spawn(move || {
        while !watching.load(Ordering::SeqCst) {
            if interrupted() {
                canceller.cancel();
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    });
    Watch {
        done,
        thread: Some(thread),
    }
}

impl Drop for Watch {
    fn drop(&mut self) {
        self.done.store(true, Ordering::SeqCst);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
        // SAFETY: restores the default action for both signals.
        unsafe {
            libc::signal(libc::SIGINT, libc::SIG_DFL);
            libc::signal(libc::SIGTERM, libc::SIG_DFL);
        }
    }
}
