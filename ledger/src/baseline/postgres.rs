//! The baseline's table on PostgreSQL.

use super::{Durability, PlainEvent};
use crate::error::LedgerError;
use sqlx::PgPool;
use uuid::Uuid;

pub(super) async fn create(pool: &PgPool) -> Result<(), LedgerError> {
    sqlx::query(
        "CREATE TABLE plain_events (id BIGSERIAL PRIMARY KEY, event_id UUID NOT NULL, stream_id TEXT NOT NULL, \
         event_type TEXT NOT NULL, occurred_at TIMESTAMPTZ NOT NULL, payload TEXT NOT NULL)",
    )
    .execute(pool)
    .await?;
    Ok(())
}

/// The whole batch in one `INSERT … SELECT FROM UNNEST(…)`, as the ledger inserts its entries.
pub(super) async fn insert_batch(pool: &PgPool, events: &[&PlainEvent]) -> Result<(), LedgerError> {
    let ids: Vec<Uuid> = events.iter().map(|event| event.event_id).collect();
    let streams: Vec<&str> = events.iter().map(|event| event.stream_id.as_str()).collect();
    let types: Vec<&str> = events.iter().map(|event| event.event_type).collect();
    let times: Vec<_> = events.iter().map(|event| event.occurred_at.as_datetime()).collect();
    let payloads: Vec<&str> = events.iter().map(|event| event.payload.as_str()).collect();
    let mut tx = pool.begin().await?;
    sqlx::query(
        "INSERT INTO plain_events (event_id, stream_id, event_type, occurred_at, payload) \
         SELECT * FROM UNNEST($1::uuid[], $2::text[], $3::text[], $4::timestamptz[], $5::text[])",
    )
    .bind(ids)
    .bind(streams)
    .bind(types)
    .bind(times)
    .bind(payloads)
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(())
}

pub(super) async fn durability(pool: &PgPool) -> Result<Durability, LedgerError> {
    let synchronous_commit: String = sqlx::query_scalar("SHOW synchronous_commit").fetch_one(pool).await?;
    let fsync: String = sqlx::query_scalar("SHOW fsync").fetch_one(pool).await?;
    Ok(Durability { synchronous_commit, fsync })
}
