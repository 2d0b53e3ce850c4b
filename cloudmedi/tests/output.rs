//! What the commands print, as scripts and terminals see it: a reader that stops early (`| head -1`)
//! ends the printing quietly and the command still exits with its own status, and an error's reason is
//! said once.

mod support;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use support::{cloudmedi, path};

/// A temp dir with an initialised data directory `data` inside.
fn initialised() -> (tempfile::TempDir, PathBuf) {
    let temp = tempfile::tempdir().unwrap();
    let data = temp.path().join("data");
    let run = cloudmedi(&["init", "--data-dir", path(&data), "--node-name", "test-node"], None);
    assert_eq!(run.code, 0, "init failed: {}", run.stderr);
    (temp, data)
}

/// Runs `cloudmedi` with its standard output a pipe whose reader has gone away before the command
/// writes anything, as `cloudmedi … | head -0` would. Returns the exit code and standard error.
fn with_closed_stdout(args: &[&str], data: &Path) -> (i32, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_cloudmedi"))
        .args(args)
        .arg("--data-dir")
        .arg(data)
        .env_remove("DATABASE_URL")
        .env_remove("CLOUDMEDI_DATA_DIR")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run cloudmedi");
    // Closing the only reader now, long before the process has opened its ledger: its first line of
    // output meets a closed pipe.
    drop(child.stdout.take());
    let output = child.wait_with_output().expect("wait for cloudmedi");
    (output.status.code().unwrap_or(-1), String::from_utf8_lossy(&output.stderr).into_owned())
}

#[test]
fn a_reader_that_stops_early_ends_the_output_quietly() {
    let (_temp, data) = initialised();
    for args in [
        &["verify"][..],
        &["projections", "status"][..],
        &["projections", "digest"][..],
        &["export"][..],
        &["keys", "list"][..],
    ] {
        let (code, stderr) = with_closed_stdout(args, &data);
        assert!(!stderr.contains("panicked"), "cloudmedi {args:?} panicked on a closed pipe: {stderr}");
        assert!(!stderr.to_lowercase().contains("broken pipe"), "cloudmedi {args:?}: {stderr}");
        assert_eq!(code, 0, "cloudmedi {args:?} exits with its own status: {stderr}");
    }

    // The status is the command's own: a ledger that fails verification still exits 1.
    let export = data.with_extension("jsonl");
    let run = cloudmedi(&["export", "--data-dir", path(&data), "--output", path(&export)], None);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let text = std::fs::read_to_string(&export).unwrap();
    let tampered = text.replacen("test-node", "other-node", 1);
    assert_ne!(text, tampered, "the export names the node");
    std::fs::write(&export, tampered).unwrap();
    let root = data.join("keys/root.pub");
    let (code, stderr) = with_closed_stdout(&["verify", "--export", path(&export), "--root-key", path(&root)], &data);
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert_eq!(code, 1, "a finding is still a finding when nobody reads it: {stderr}");
}

#[test]
fn a_key_files_reason_is_said_once() {
    let (_temp, data) = initialised();
    std::fs::write(data.join("keys/root.pub"), "not a key\n").unwrap();
    let run = cloudmedi(&["verify", "--data-dir", path(&data)], None);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(run.stderr.contains("root.pub"), "the error names the file: {}", run.stderr);
    let reason = "a public key must be 64 lower-case hex characters";
    assert_eq!(run.stderr.matches(reason).count(), 1, "the reason is said once: {}", run.stderr);
}
