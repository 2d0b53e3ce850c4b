//! The index of patients' identifiers: each health ID and national ID card number belongs to one
//! patient, claimed in the one statement the unique indexes guard, and the key two registrations of one
//! person share (names, date of birth, district), for flagging probable duplicates.

use crate::{stored, IdentityError, IdentityStore};
use ledger::on_database;
use uuid::Uuid;

/// What claiming a patient's identifiers came to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IdentifierClaim {
    Claimed,
    /// The health ID drawn belongs to someone else: draw again.
    HealthIdTaken,
    /// The national ID card number is already registered.
    NationalIdTaken,
}

/// The identifiers a new patient claims.
#[derive(Debug, Clone, Copy)]
pub struct PatientIdentifiers<'a> {
    pub patient_id: Uuid,
    pub health_id: &'a str,
    pub national_id: Option<&'a str>,
    pub match_key: &'a str,
}

impl IdentityStore {
    /// Claims a patient's health ID and national ID in one statement.
    pub async fn claim_patient_identifiers(
        &self,
        identifiers: PatientIdentifiers<'_>,
    ) -> Result<IdentifierClaim, IdentityError> {
        let result = on_database!(&self.database, pool => sqlx::query(
            "INSERT INTO patient_identifiers (patient_id, health_id, national_id, match_key) VALUES ($1, $2, $3, $4)",
        )
        .bind(identifiers.patient_id.to_string())
        .bind(identifiers.health_id)
        .bind(identifiers.national_id)
        .bind(identifiers.match_key)
        .execute(pool)
        .await
        .map(|_| ()));
        match result {
            Ok(()) => Ok(IdentifierClaim::Claimed),
            Err(sqlx::Error::Database(error)) if error.is_unique_violation() => {
                if error.message().contains("national_id") {
                    Ok(IdentifierClaim::NationalIdTaken)
                } else {
                    Ok(IdentifierClaim::HealthIdTaken)
                }
            }
            Err(error) => Err(IdentityError::Database(error)),
        }
    }

    /// Other patients registered under the same match key (at most 20, in id order).
    pub async fn similar_patients(&self, patient_id: Uuid, match_key: &str) -> Result<Vec<Uuid>, IdentityError> {
        let ids: Vec<String> = on_database!(&self.database, pool => sqlx::query_scalar(
            "SELECT patient_id FROM patient_identifiers WHERE match_key = $1 AND patient_id <> $2 \
             ORDER BY patient_id LIMIT 20",
        )
        .bind(match_key)
        .bind(patient_id.to_string())
        .fetch_all(pool)
        .await)?;
        ids.iter().map(|id| stored::uuid("patient_identifiers.patient_id", id)).collect()
    }

    /// Gives a patient's identifiers back, after a registration that could not be recorded.
    pub async fn release_patient_identifiers(&self, patient_id: Uuid) -> Result<(), IdentityError> {
        on_database!(&self.database, pool => sqlx::query("DELETE FROM patient_identifiers WHERE patient_id = $1")
            .bind(patient_id.to_string())
            .execute(pool)
            .await
            .map(|_| ()))?;
        Ok(())
    }

    /// The patient a health ID (in canonical form) was issued to.
    pub async fn patient_with_health_id(&self, health_id: &str) -> Result<Option<Uuid>, IdentityError> {
        let id: Option<String> = on_database!(&self.database, pool => sqlx::query_scalar(
            "SELECT patient_id FROM patient_identifiers WHERE health_id = $1",
        )
        .bind(health_id)
        .fetch_optional(pool)
        .await)?;
        id.map(|id| stored::uuid("patient_identifiers.patient_id", &id)).transpose()
    }

    /// The patient a national ID card number is registered to.
    pub async fn patient_with_national_id(&self, national_id: &str) -> Result<Option<Uuid>, IdentityError> {
        let id: Option<String> = on_database!(&self.database, pool => sqlx::query_scalar(
            "SELECT patient_id FROM patient_identifiers WHERE national_id = $1",
        )
        .bind(national_id)
        .fetch_optional(pool)
        .await)?;
        id.map(|id| stored::uuid("patient_identifiers.patient_id", &id)).transpose()
    }
}
