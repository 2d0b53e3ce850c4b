//! Who read each patient's record: one row per recorded read, from `access.record_read` events.

use super::{decode, stream_entity, Projector};
use crate::context::Context;
use crate::table::Table;
use crate::write::Write;
use crate::{columns, micros, ProjectionError};
use event_schema::events::access::{RecordRead, STREAM_CATEGORY};
use event_schema::{Catalog, Entry, EventPayload};

pub static ACCESS_LOG: Table = Table {
    name: "rm_access_log",
    columns: columns![
        int "position", text "patient_id", text "reader_account_id", text "reader_role", text "facility_id",
        int "read_at", text "basis", text "parts",
    ],
    key: &["position"],
};

pub struct AccessLog;

impl Projector for AccessLog {
    fn name(&self) -> &'static str {
        "access_log"
    }

    fn tables(&self) -> &'static [&'static Table] {
        static OWN: [&Table; 1] = [&ACCESS_LOG];
        &OWN
    }

    fn project(
        &self,
        entry: &Entry,
        catalog: &Catalog,
        _: &Context,
        out: &mut Vec<Write>,
    ) -> Result<(), ProjectionError> {
        if entry.event_type != RecordRead::EVENT_TYPE {
            return Ok(());
        }
        let read: RecordRead = decode(catalog, entry)?;
        // The stream names the patient too; the two must agree, or the entry is not projected as
        // someone else's read.
        if stream_entity(&entry.stream_id, STREAM_CATEGORY) != Some(read.patient_id) {
            return Err(ProjectionError::Undecodable {
                position: entry.position,
                event_type: entry.event_type.clone(),
                reason: "the read's patient is not its stream's".into(),
            });
        }
        let basis = serde_json::to_value(read.basis).ok().and_then(|v| v.as_str().map(str::to_owned));
        out.push(Write::Insert {
            table: &ACCESS_LOG,
            row: vec![
                entry.position.into(),
                read.patient_id.into(),
                entry.actor.account_id.into(),
                entry.actor.role.as_str().into(),
                entry.actor.facility_id.into(),
                micros(&entry.occurred_at).into(),
                basis.into(),
                read.parts.join(",").into(),
            ],
        });
        Ok(())
    }
}
