//! Every ledger entry's metadata, for auditors: who did what, when, from which facility, with the
//! entry's position and hash to match against a verified export. Never a payload: only its SHA-256
//! and the names of its fields, so that browsing history reveals no clinical content.

use super::{stream_entity, Projector};
use crate::table::Table;
use crate::write::{Value, Write};
use crate::{columns, micros, ProjectionError};
use event_schema::{Catalog, Entry};
use serde_json::value::RawValue;
use sha2::{Digest as _, Sha256};
use std::collections::BTreeMap;

pub static LEDGER_INDEX: Table = Table {
    name: "rm_ledger_index",
    columns: columns![
        int "position", text "stream_id", int "stream_version", text "event_type", text "actor_account_id",
        text "actor_role", text "actor_facility_id", int "occurred_at", int "recorded_at", text "hash",
        text "payload_digest", text "payload_fields", text "patient_id", text "entry_id",
    ],
    key: &["position"],
};

pub struct LedgerIndex;

impl Projector for LedgerIndex {
    fn name(&self) -> &'static str {
        "ledger_index"
    }

    fn tables(&self) -> &'static [&'static Table] {
        static OWN: [&Table; 1] = [&LEDGER_INDEX];
        &OWN
    }

    fn project(&self, entry: &Entry, _: &Catalog, out: &mut Vec<Write>) -> Result<(), ProjectionError> {
        let payload = entry.payload.as_str();
        let fields: BTreeMap<&str, &RawValue> = serde_json::from_str(payload).unwrap_or_default();
        let entry_id = fields.get("entry_id").and_then(|raw| serde_json::from_str::<uuid::Uuid>(raw.get()).ok());
        let field_names = fields.keys().copied().collect::<Vec<_>>().join(",");
        let patient = stream_entity(&entry.stream_id, "patient")
            .or_else(|| stream_entity(&entry.stream_id, event_schema::events::access::STREAM_CATEGORY));
        out.push(Write::Insert {
            table: &LEDGER_INDEX,
            row: vec![
                entry.position.into(),
                entry.stream_id.as_str().into(),
                entry.stream_version.into(),
                entry.event_type.as_str().into(),
                entry.actor.account_id.into(),
                entry.actor.role.as_str().into(),
                entry.actor.facility_id.into(),
                micros(&entry.occurred_at).into(),
                micros(&entry.recorded_at).into(),
                hex::encode(entry.hash.as_bytes()).into(),
                hex::encode(Sha256::digest(payload.as_bytes())).into(),
                field_names.into(),
                patient.into(),
                Value::from(entry_id),
            ],
        });
        Ok(())
    }
}
