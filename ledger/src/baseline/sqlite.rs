//! The baseline's table on SQLite.

use super::PlainEvent;
use crate::error::LedgerError;
use sqlx::SqlitePool;

pub(super) async fn create(pool: &SqlitePool) -> Result<(), LedgerError> {
    sqlx::query(
        "CREATE TABLE plain_events (id INTEGER PRIMARY KEY AUTOINCREMENT, event_id TEXT NOT NULL, \
         stream_id TEXT NOT NULL, event_type TEXT NOT NULL, occurred_at TEXT NOT NULL, payload TEXT NOT NULL)",
    )
    .execute(pool)
    .await?;
    Ok(())
}

/// One row per statement inside one `BEGIN IMMEDIATE` transaction, which takes the write lock up front
/// as the ledger's appends do.
pub(super) async fn insert_batch(pool: &SqlitePool, events: &[&PlainEvent]) -> Result<(), LedgerError> {
    let mut tx = pool.begin_with("BEGIN IMMEDIATE").await?;
    for event in events {
        sqlx::query(
            "INSERT INTO plain_events (event_id, stream_id, event_type, occurred_at, payload) VALUES (?1, ?2, ?3, ?4, ?5)",
        )
        .bind(event.event_id.to_string())
        .bind(&event.stream_id)
        .bind(event.event_type)
        .bind(event.occurred_at.to_string())
        .bind(&event.payload)
        .execute(&mut *tx)
        .await?;
    }
    tx.commit().await?;
    Ok(())
}
