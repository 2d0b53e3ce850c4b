//! Every ledger entry's metadata, for auditors: who did what, when, from which facility, at which
//! position. The row holds what auditors filter and list by; the entry's hash and what can be shown of
//! its payload (its SHA-256 and field names, never its values) are read from the ledger row itself
//! when a page is listed ([`crate::read::ReadModels::ledger_entries`]).

use super::{stream_entity, Projector};
use crate::context::Context;
use crate::table::Table;
use crate::write::Write;
use crate::{columns, micros, ProjectionError};
use event_schema::{Catalog, Entry};

pub static LEDGER_INDEX: Table = Table {
    name: "rm_ledger_index",
    columns: columns![
        int "position", text "stream_id", int "stream_version", text "event_type", text "actor_account_id",
        text "actor_role", text "actor_facility_id", int "occurred_at", int "recorded_at", text "patient_id",
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

    fn project(&self, entry: &Entry, _: &Catalog, _: &Context, out: &mut Vec<Write>) -> Result<(), ProjectionError> {
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
                patient.into(),
            ],
        });
        Ok(())
    }
}
