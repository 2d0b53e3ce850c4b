//! The command line as an operator and an auditor use it: init, verify, export, keys, on a real data
//! directory (SQLite) and on a real PostgreSQL database, with the exit codes scripts rely on
//! (0 verified, 1 verification failed, 2 could not run).

mod support;

use ledger::testing::ScratchDatabase;
use std::path::{Path, PathBuf};
use support::{cloudmedi, Run};

fn path(p: &Path) -> &str {
    p.to_str().expect("utf-8 path")
}

/// A temp dir with an initialised data directory `data` inside.
fn initialised(database_url: Option<&str>) -> (tempfile::TempDir, PathBuf) {
    let temp = tempfile::tempdir().unwrap();
    let data = temp.path().join("data");
    let run = cloudmedi(&["init", "--data-dir", path(&data), "--node-name", "test-node"], database_url);
    assert_eq!(run.code, 0, "init failed: {}", run.stderr);
    assert!(run.stdout.contains("Initialised CloudMedi ledger"), "{}", run.stdout);
    (temp, data)
}

fn export(data: &Path, to: &Path, database_url: Option<&str>) {
    let run = cloudmedi(&["export", "--data-dir", path(data), "--output", path(to)], database_url);
    assert_eq!(run.code, 0, "export failed: {}", run.stderr);
}

fn verify_export(file: &Path, root: &Path) -> Run {
    cloudmedi(&["verify", "--export", path(file), "--root-key", path(root)], None)
}

/// The full lifecycle on one backend: init, verify, rotate, export, verify the export offline.
fn lifecycle(database_url: Option<&str>) {
    let (temp, data) = initialised(database_url);
    let run = cloudmedi(&["verify", "--data-dir", path(&data)], database_url);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    assert!(run.stdout.contains("ledger verified: 2 entries"), "{}", run.stdout);

    let run = cloudmedi(&["keys", "rotate", "--data-dir", path(&data)], database_url);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let run = cloudmedi(&["keys", "list", "--data-dir", path(&data)], database_url);
    assert!(run.stdout.contains("revoked at position 4"), "{}", run.stdout);
    assert_eq!(run.stdout.matches(" active").count(), 1, "{}", run.stdout);

    let file = temp.path().join("ledger.jsonl");
    export(&data, &file, database_url);
    let lines: Vec<serde_json::Value> =
        std::fs::read_to_string(&file).unwrap().lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(lines.len(), 4);
    assert_eq!(lines[0]["event_type"], "ledger.genesis");
    assert_eq!(lines[3]["event_type"], "ledger.node_key_revoked");
    let run = verify_export(&file, &data.join("keys/root.pub"));
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    assert!(run.stdout.contains("ledger verified: 4 entries"), "{}", run.stdout);

    // The export's head hash is the database's.
    let from_db = cloudmedi(&["verify", "--data-dir", path(&data)], database_url);
    let head = |text: &str| text.lines().find(|l| l.contains("head hash")).map(str::to_owned);
    assert_eq!(head(&from_db.stdout), head(&run.stdout));
}

#[test]
fn lifecycle_on_sqlite() {
    lifecycle(None);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lifecycle_on_postgres() {
    let database = ScratchDatabase::create("cloudmedi_cli").await.expect("PostgreSQL must be running");
    let url = database.url().to_owned();
    tokio::task::spawn_blocking(move || lifecycle(Some(&url))).await.unwrap();
    database.drop_database().await.unwrap();
}

/// Rewrites one line of an export.
fn tamper_line(file: &Path, line: usize, change: impl FnOnce(&mut serde_json::Value)) {
    let text = std::fs::read_to_string(file).unwrap();
    let mut lines: Vec<String> = text.lines().map(str::to_owned).collect();
    let mut value: serde_json::Value = serde_json::from_str(&lines[line]).unwrap();
    change(&mut value);
    lines[line] = serde_json::to_string(&value).unwrap();
    std::fs::write(file, lines.join("\n") + "\n").unwrap();
}

#[test]
fn a_tampered_export_is_reported_at_the_right_position() {
    let (temp, data) = initialised(None);
    let run = cloudmedi(&["keys", "rotate", "--data-dir", path(&data)], None);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let root = data.join("keys/root.pub");
    let clean = temp.path().join("clean.jsonl");
    export(&data, &clean, None);

    let copy = |name: &str| {
        let file = temp.path().join(name);
        std::fs::copy(&clean, &file).unwrap();
        file
    };

    let file = copy("payload.jsonl");
    tamper_line(&file, 2, |v| v["payload"]["node_name"] = "someone else".into());
    let run = verify_export(&file, &root);
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    assert!(run.stdout.contains("FAILED at position 3: hash mismatch"), "{}", run.stdout);

    // Re-spelling a UUID in upper case changes nothing a parser sees, but a UUID has one spelling.
    let file = copy("uuid.jsonl");
    tamper_line(&file, 1, |v| {
        let upper = v["event_id"].as_str().unwrap().to_uppercase();
        v["event_id"] = upper.into();
    });
    let run = verify_export(&file, &root);
    assert_eq!(run.code, 1);
    assert!(run.stdout.contains("FAILED at position 2: malformed entry: `event_id` is not a UUID"), "{}", run.stdout);

    let file = copy("deleted.jsonl");
    let text = std::fs::read_to_string(&file).unwrap();
    let kept: Vec<&str> = text.lines().enumerate().filter(|(i, _)| *i != 1).map(|(_, l)| l).collect();
    std::fs::write(&file, kept.join("\n") + "\n").unwrap();
    let run = verify_export(&file, &root);
    assert_eq!(run.code, 1);
    assert!(run.stdout.contains("FAILED at position 2: gap"), "{}", run.stdout);

    let file = copy("garbage.jsonl");
    let text = std::fs::read_to_string(&file).unwrap();
    std::fs::write(&file, text.replacen("{\"position\":3", "{\"position\":3,,", 1)).unwrap();
    let run = verify_export(&file, &root);
    assert_eq!(run.code, 1);
    assert!(run.stdout.contains("FAILED at position 3: malformed entry: not JSON"), "{}", run.stdout);
    assert!(run.stdout.contains("(line 3 of the export)"), "{}", run.stdout);

    // A member given twice: a reader keeping the first copy would see something else than was signed.
    let file = copy("duplicate.jsonl");
    let text = std::fs::read_to_string(&file).unwrap();
    std::fs::write(&file, text.replacen("{\"position\":2,", "{\"position\":2,\"stream_id\":\"patient:forged\",", 1))
        .unwrap();
    let run = verify_export(&file, &root);
    assert_eq!(run.code, 1);
    assert!(
        run.stdout.contains("FAILED at position 2: malformed entry") && run.stdout.contains("appears twice"),
        "{}",
        run.stdout
    );

    // Another root key: the ledger was not founded on it.
    let other = tempfile::tempdir().unwrap();
    let other_data = other.path().join("data");
    assert_eq!(cloudmedi(&["init", "--data-dir", path(&other_data)], None).code, 0);
    let run = verify_export(&clean, &other_data.join("keys/root.pub"));
    assert_eq!(run.code, 1);
    assert!(
        run.stdout.contains("FAILED at position 1: the genesis entry names a different root key"),
        "{}",
        run.stdout
    );
}

#[test]
fn a_database_changed_behind_the_ledgers_back_fails_verification() {
    let (_temp, data) = initialised(None);
    let url = format!("sqlite://{}", data.join("ledger.sqlite").display());
    let runtime = tokio::runtime::Runtime::new().unwrap();
    runtime.block_on(async {
        let pool = sqlx::SqlitePool::connect(&url).await.unwrap();
        let refused = sqlx::query("UPDATE ledger_entries SET payload = '{}' WHERE position = 2").execute(&pool).await;
        assert!(refused.unwrap_err().to_string().contains("append-only"));
        sqlx::raw_sql(
            "DROP TRIGGER ledger_entries_refuse_update; \
             UPDATE ledger_entries SET payload = replace(payload, 'test-node', 'other-node') WHERE position = 2",
        )
        .execute(&pool)
        .await
        .unwrap();
        pool.close().await;
    });
    let run = cloudmedi(&["verify", "--data-dir", path(&data)], None);
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    assert!(run.stdout.contains("FAILED at position 2: hash mismatch"), "{}", run.stdout);
}

#[test]
fn broken_data_directories_get_clear_errors() {
    let temp = tempfile::tempdir().unwrap();
    let missing = temp.path().join("missing");
    let run = cloudmedi(&["verify", "--data-dir", path(&missing)], None);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("not an initialised CloudMedi data directory"), "{}", run.stderr);

    let (temp, data) = initialised(None);
    let run = cloudmedi(&["init", "--data-dir", path(&data)], None);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("refusing to overwrite"), "{}", run.stderr);

    // A private key others can read is refused before it signs anything.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let node_key = data.join("keys/node.key");
        std::fs::set_permissions(&node_key, std::fs::Permissions::from_mode(0o644)).unwrap();
        let run = cloudmedi(&["keys", "rotate", "--data-dir", path(&data)], None);
        assert_eq!(run.code, 2);
        assert!(run.stderr.contains("readable by others"), "{}", run.stderr);
        assert!(!run.stderr.contains("PRIVATE KEY"), "key material must never be printed");
        std::fs::set_permissions(&node_key, std::fs::Permissions::from_mode(0o600)).unwrap();
    }

    std::fs::remove_file(data.join("keys/node.key")).unwrap();
    let run = cloudmedi(&["keys", "rotate", "--data-dir", path(&data)], None);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("node.key does not exist"), "{}", run.stderr);

    std::fs::write(data.join("keys/root.pub"), "not a key\n").unwrap();
    let run = cloudmedi(&["verify", "--data-dir", path(&data)], None);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("root.pub"), "{}", run.stderr);

    let corrupt = temp.path().join("corrupt");
    let (_t2, good) = initialised(None);
    std::fs::rename(&good, &corrupt).unwrap();
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(corrupt.join(format!("ledger.sqlite{suffix}")));
    }
    std::fs::write(corrupt.join("ledger.sqlite"), vec![0x42u8; 8192]).unwrap();
    let run = cloudmedi(&["verify", "--data-dir", path(&corrupt)], None);
    assert_eq!(run.code, 2, "{}{}", run.stdout, run.stderr);
    assert!(run.stderr.contains("not a database"), "{}", run.stderr);
    assert!(!run.stderr.contains("panicked"), "{}", run.stderr);

    let existing = temp.path().join("exists.jsonl");
    std::fs::write(&existing, "keep me").unwrap();
    let run = cloudmedi(&["export", "--data-dir", path(&corrupt), "--output", path(&existing)], None);
    assert_eq!(run.code, 2);
    assert_eq!(std::fs::read_to_string(&existing).unwrap(), "keep me");
}

/// A database URL may carry a password: a failure names the database, never the password.
#[test]
fn errors_name_the_database_but_never_its_password() {
    let admin = ledger::testing::admin_url();
    let (scheme, rest) = admin.split_once("://").expect("a URL");
    let (user, server) = rest.split_once('@').expect("a user");
    let user = user.split(':').next().unwrap_or(user);
    let host = server.split('/').next().unwrap_or(server);
    let url = format!("{scheme}://{user}:hunter2-secret@{host}/cloudmedi_no_such_database");
    let temp = tempfile::tempdir().unwrap();
    let run = cloudmedi(&["export", "--data-dir", path(&temp.path().join("data"))], Some(&url));
    assert_eq!(run.code, 2, "{}{}", run.stdout, run.stderr);
    assert!(run.stderr.contains("database `cloudmedi_no_such_database`"), "{}", run.stderr);
    assert!(!run.stderr.contains("hunter2-secret"), "{}", run.stderr);
}

/// A second node joins a shared PostgreSQL ledger: it makes its own key, the root key's holder
/// registers it, and later revokes it; the ledger verifies throughout.
fn second_node(url: &str) {
    let (temp, admin) = initialised(Some(url));
    let node_b = temp.path().join("node-b");
    let root_pub = admin.join("keys/root.pub");

    let run = cloudmedi(&["init", "--data-dir", path(&node_b), "--join", "--root-key", path(&root_pub)], None);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("--database-url"), "{}", run.stderr);
    assert!(!node_b.exists(), "a refused init leaves nothing behind");

    let run = cloudmedi(
        &["init", "--data-dir", path(&node_b), "--join", "--root-key", path(&root_pub), "--node-name", "node-b"],
        Some(url),
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stdout.contains("cloudmedi keys register"), "{}", run.stdout);
    assert!(!node_b.join("keys/root.key").exists(), "a joining node never holds the root private key");
    let key_id = run
        .stdout
        .lines()
        .find_map(|line| line.trim().strip_prefix("node key: "))
        .and_then(|rest| rest.split_whitespace().next())
        .expect("the node key id is printed")
        .to_owned();

    // Only the root key's holder can change the registry.
    let run = cloudmedi(&["keys", "rotate", "--data-dir", path(&node_b)], Some(url));
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("root private key"), "{}", run.stderr);

    let node_b_pub = node_b.join("keys/node.pub");
    let register =
        ["keys", "register", "--data-dir", path(&admin), "--public-key", path(&node_b_pub), "--node-name", "node-b"];
    let run = cloudmedi(&register, Some(url));
    assert_eq!(run.code, 0, "{}", run.stderr);
    let run = cloudmedi(&register, Some(url));
    assert_eq!(run.code, 2, "registering a key twice is refused");
    assert!(run.stderr.contains("already registered"), "{}", run.stderr);

    let run = cloudmedi(&["keys", "list", "--data-dir", path(&node_b)], Some(url));
    assert_eq!(run.stdout.matches(" active").count(), 2, "{}", run.stdout);
    let run = cloudmedi(&["verify", "--data-dir", path(&node_b)], Some(url));
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    assert!(run.stdout.contains("ledger verified: 3 entries"), "{}", run.stdout);

    let run = cloudmedi(&["keys", "revoke", &key_id, "--reason", "compromised", "--data-dir", path(&admin)], Some(url));
    assert_eq!(run.code, 0, "{}", run.stderr);
    let run = cloudmedi(&["keys", "list", "--data-dir", path(&admin)], Some(url));
    assert!(run.stdout.contains(&format!("node key {key_id} revoked at position 4")), "{}", run.stdout);
    let run = cloudmedi(&["keys", "revoke", &key_id, "--reason", "retired", "--data-dir", path(&admin)], Some(url));
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("already revoked"), "{}", run.stderr);
    let run = cloudmedi(&["verify", "--data-dir", path(&admin)], Some(url));
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    assert!(run.stdout.contains("ledger verified: 4 entries"), "{}", run.stdout);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_second_node_joins_a_postgres_ledger() {
    let database = ScratchDatabase::create("cloudmedi_cli").await.expect("PostgreSQL must be running");
    let url = database.url().to_owned();
    tokio::task::spawn_blocking(move || second_node(&url)).await.unwrap();
    database.drop_database().await.unwrap();
}
