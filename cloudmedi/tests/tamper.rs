//! A database changed behind the ledger's back, seen through the real binary: `serve` refuses to start
//! when the append-only triggers were dropped and then names the changed entry; a change the start
//! cannot see (before the point it verified, with the triggers put back) stops the projectors with an
//! alarm that `projections status` and `GET /ready` show; `verify` reports a shortened tail.

mod support;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};
use support::{cloudmedi, path, Run, Server};

fn initialised() -> (tempfile::TempDir, PathBuf) {
    let temp = tempfile::tempdir().unwrap();
    let data = temp.path().join("data");
    let run = cloudmedi(&["init", "--data-dir", path(&data), "--node-name", "test-node"], None);
    assert_eq!(run.code, 0, "init failed: {}", run.stderr);
    (temp, data)
}

/// Runs SQL on the data directory's database, as someone with access to its files can.
fn tamper(data: &Path, sql: &str) {
    let url = format!("sqlite://{}", data.join("ledger.sqlite").display());
    tokio::runtime::Runtime::new().unwrap().block_on(async {
        let pool = sqlx::SqlitePool::connect(&url).await.unwrap();
        sqlx::raw_sql(sql).execute(&pool).await.unwrap();
        pool.close().await;
    });
}

/// Appends the registration of a member of staff, at position 3.
fn staff_member_at_position_3(data: &Path) {
    let run = cloudmedi(
        &[
            "admin",
            "create-system-administrator",
            "--data-dir",
            path(data),
            "--login",
            "minsante-adm-1",
            "--family-name",
            "Ngono",
            "--given-names",
            "Paul",
            "--email",
            "adm@minsante.cm",
        ],
        None,
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
}

/// Changes the staff member's family name in the entry at position 3.
const CHANGE_ENTRY_3: &str =
    "UPDATE ledger_entries SET payload = replace(payload, 'Ngono', 'Mbarga') WHERE position = 3;";

/// The trigger put back exactly as the migrations created it.
const PUT_BACK: &str = "CREATE TRIGGER ledger_entries_refuse_update BEFORE UPDATE ON ledger_entries
BEGIN
    SELECT RAISE(ABORT, 'the ledger is append-only: UPDATE on ledger_entries is refused');
END;";

/// Runs `cloudmedi serve` expecting it to refuse to start; a server that starts instead is stopped
/// and reported.
fn serve_refused(data: &Path) -> Run {
    let mut child = Command::new(env!("CARGO_BIN_EXE_cloudmedi"))
        .args(["serve", "--data-dir", path(data), "--listen", "127.0.0.1:0"])
        .env_remove("DATABASE_URL")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start cloudmedi serve");
    let deadline = Instant::now() + Duration::from_secs(60);
    while child.try_wait().unwrap().is_none() {
        if Instant::now() > deadline {
            let _ = child.kill();
            let output = child.wait_with_output().unwrap();
            panic!("the server started on a tampered ledger: {}", String::from_utf8_lossy(&output.stdout));
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let output = child.wait_with_output().unwrap();
    Run {
        code: output.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

#[test]
fn serve_refuses_a_dropped_trigger_then_names_the_changed_entry() {
    let (_temp, data) = initialised();
    // Opened once: the ledger is verified up to its head.
    staff_member_at_position_3(&data);

    tamper(&data, &format!("DROP TRIGGER ledger_entries_refuse_update; {CHANGE_ENTRY_3}"));
    let run = serve_refused(&data);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(run.stderr.contains("append-only triggers") && run.stderr.contains("were dropped"), "{}", run.stderr);

    let run = serve_refused(&data);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(run.stderr.contains("chain is broken at position 3: hash mismatch"), "{}", run.stderr);
}

#[test]
fn a_changed_entry_stops_the_projectors_and_the_server_is_not_ready() {
    let (_temp, data) = initialised();
    staff_member_at_position_3(&data);
    let run = cloudmedi(&["projections", "rebuild", "--data-dir", path(&data)], None);
    assert_eq!(run.code, 0, "{}", run.stderr);
    // Changed with the trigger put back as it was: the start verifies only what came after the point
    // it verified, so the projectors are the next to read the entry.
    tamper(&data, &format!("DROP TRIGGER ledger_entries_refuse_update; {CHANGE_ENTRY_3} {PUT_BACK}"));

    let run = cloudmedi(&["projections", "rebuild", "--data-dir", path(&data)], None);
    assert_ne!(run.code, 0, "a rebuild must not fold a changed entry: {}", run.stdout);
    assert!(run.stderr.contains("chain is broken at position 3"), "{}", run.stderr);
    assert!(!run.stderr.contains("Mbarga"), "{}", run.stderr);

    let run = cloudmedi(&["projections", "status", "--data-dir", path(&data)], None);
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    assert!(run.stdout.contains("ALARM: the projectors stopped at ledger position 3: hash mismatch"), "{}", run.stdout);

    let server = Server::start(&data, None, &[]);
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let (status, kind, problem) = runtime.block_on(async {
        let response = reqwest::get(server.url("/ready")).await.unwrap();
        let status = response.status().as_u16();
        let kind = response.headers()["content-type"].to_str().unwrap().to_owned();
        (status, kind, response.json::<serde_json::Value>().await.unwrap())
    });
    assert_eq!(status, 503, "{problem}");
    assert_eq!(kind, "application/problem+json");
    let detail = problem["detail"].as_str().unwrap_or_default();
    assert!(detail.contains("stopped at ledger position 3"), "{problem}");
    server.stop();
}

#[test]
fn verify_reports_a_shortened_tail() {
    let (_temp, data) = initialised();
    let run = cloudmedi(&["verify", "--data-dir", path(&data)], None);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    // The last entry deleted: what is left verifies entry by entry; only the head row shows the loss.
    tamper(&data, "DROP TRIGGER ledger_entries_refuse_delete; DELETE FROM ledger_entries WHERE position = 2;");
    let run = cloudmedi(&["verify", "--data-dir", path(&data)], None);
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    assert!(
        run.stdout.contains("FAILED")
            && run.stdout.contains("ends at position 2")
            && run.stdout.contains("chain ends at position 1")
            && run.stdout.contains("shortened tail"),
        "{}",
        run.stdout
    );
}
