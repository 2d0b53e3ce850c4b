//! What the commands print, written so that a closed pipe is not an error.
//!
//! `cloudmedi verify | head -1` closes standard output after one line. `println!` panics on the write
//! that follows, and a command writing its report would then die in the middle of its work with a
//! panic message. Here a closed pipe only stops the printing: the command finishes what it was doing
//! (a verification still reaches its verdict, a queued append still commits) and exits with its own
//! status, without a word about the pipe. Any other failure to write standard output (a full disk
//! under `> file`) is kept and reported when the command ends, since the output the user asked for
//! is then incomplete.

use std::fmt;
use std::io::{self, Write};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Mutex;

/// Set once the reader of standard output has gone away: nothing more is written.
static CLOSED: AtomicBool = AtomicBool::new(false);
/// The first failure to write standard output other than a closed pipe.
static FAILURE: Mutex<Option<io::Error>> = Mutex::new(None);

/// Writes one line to standard output (the `outln!` macro).
pub fn line(text: fmt::Arguments<'_>) {
    if CLOSED.load(Ordering::Relaxed) {
        return;
    }
    let mut stdout = io::stdout().lock();
    let written = stdout.write_fmt(text).and_then(|()| stdout.write_all(b"\n"));
    if let Err(error) = written {
        failed(error);
    }
}

/// Notes a failure to write standard output: a closed pipe stops the printing quietly, anything else
/// is kept for [`finish`]. For writers other than [`line`] (an export writing entries).
pub fn failed(error: io::Error) {
    if error.kind() == io::ErrorKind::BrokenPipe {
        CLOSED.store(true, Ordering::Relaxed);
    } else if let Ok(mut failure) = FAILURE.lock() {
        failure.get_or_insert(error);
    }
}

/// Whether the reader of standard output has gone away, so that a command producing nothing but
/// output (an export) can stop.
pub fn closed() -> bool {
    CLOSED.load(Ordering::Relaxed)
}

/// Flushes standard output at the end of a command; returns the failure to write it, if there was
/// one besides a closed pipe.
pub fn finish() -> Option<io::Error> {
    if !closed() {
        if let Err(error) = io::stdout().lock().flush() {
            failed(error);
        }
    }
    FAILURE.lock().ok().and_then(|mut failure| failure.take())
}

/// Writes one line to standard error, ignoring a closed stream: an error message that cannot be
/// shown must not turn into a panic.
pub fn error_line(text: fmt::Arguments<'_>) {
    let mut stderr = io::stderr().lock();
    let _ = stderr.write_fmt(text).and_then(|()| stderr.write_all(b"\n"));
}
