//! The bundled SQLite is compiled with the options `.cargo/config.toml` gives it, and every connection
//! maps the database file as far as those options allow. Built without them (from a directory that does
//! not see that file, say), SQLite still works, only slower, so nothing else would notice.

use ledger::SqliteStorage;

#[tokio::test]
async fn sqlite_is_compiled_and_opened_as_configured() -> Result<(), Box<dyn std::error::Error>> {
    let directory = tempfile::tempdir()?;
    let storage = SqliteStorage::open(&directory.path().join("ledger.sqlite"), true).await?;
    let mut connection = storage.pool().acquire().await?;

    let options: Vec<String> = sqlx::query_scalar("PRAGMA compile_options").fetch_all(&mut *connection).await?;
    assert!(
        !options.iter().any(|option| option == "ENABLE_MEMORY_MANAGEMENT"),
        "connections keep their own page caches, without a global mutex: {options:?}"
    );
    assert!(options.iter().any(|option| option == "DEFAULT_MEMSTATUS=0"), "no allocation statistics: {options:?}");
    assert!(
        options.iter().any(|option| option == "MAX_MMAP_SIZE=68719476736"),
        "up to 64 GiB may be mapped: {options:?}"
    );

    let mapped: i64 = sqlx::query_scalar("PRAGMA mmap_size").fetch_one(&mut *connection).await?;
    assert_eq!(mapped, 64 << 30, "a connection maps up to 64 GiB of the file");
    Ok(())
}
