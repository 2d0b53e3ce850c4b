//! Scratch PostgreSQL databases for tests and benchmarks: each gets a database of its own, created
//! fresh on the server named by `CLOUDMEDI_TEST_DATABASE_URL` (default: the local server, user
//! `postgres`), so no two tests ever share state.

use crate::error::LedgerError;
use sqlx::postgres::PgConnectOptions;
use sqlx::{Connection, Executor, PgConnection};
use std::str::FromStr;

/// The server used when `CLOUDMEDI_TEST_DATABASE_URL` is not set.
pub const DEFAULT_ADMIN_URL: &str = "postgres://postgres@127.0.0.1:5432/postgres";

/// The administrative connection URL for scratch databases.
pub fn admin_url() -> String {
    std::env::var("CLOUDMEDI_TEST_DATABASE_URL").unwrap_or_else(|_| DEFAULT_ADMIN_URL.to_owned())
}

/// A database created for one test or benchmark run.
pub struct ScratchDatabase {
    admin: PgConnectOptions,
    name: String,
    url: String,
}

impl ScratchDatabase {
    /// Creates an empty database named `<prefix>_<random>` on the server of [`admin_url`].
    pub async fn create(prefix: &str) -> Result<Self, LedgerError> {
        Self::create_on(&admin_url(), prefix).await
    }

    /// Creates an empty database named `<prefix>_<random>` on the server of `admin_url`.
    pub async fn create_on(admin_url: &str, prefix: &str) -> Result<Self, LedgerError> {
        let admin_url = admin_url.to_owned();
        let admin = PgConnectOptions::from_str(&admin_url)?;
        let name = format!("{prefix}_{}", uuid::Uuid::new_v4().simple());
        let mut conn = PgConnection::connect_with(&admin).await?;
        conn.execute(format!("CREATE DATABASE {name}").as_str()).await?;
        conn.close().await?;
        let url = match admin_url.rsplit_once('/') {
            Some((server, rest)) => match rest.split_once('?') {
                Some((_, query)) => format!("{server}/{name}?{query}"),
                None => format!("{server}/{name}"),
            },
            None => format!("{admin_url}/{name}"),
        };
        Ok(Self { admin, name, url })
    }

    /// The URL of the scratch database (it may hold a password: do not print it).
    pub fn url(&self) -> &str {
        &self.url
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    /// Drops the database, closing any connection still open to it.
    pub async fn drop_database(self) -> Result<(), LedgerError> {
        let mut conn = PgConnection::connect_with(&self.admin).await?;
        conn.execute(format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", self.name).as_str()).await?;
        conn.close().await?;
        Ok(())
    }
}
