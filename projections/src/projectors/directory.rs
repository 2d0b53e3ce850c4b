//! Facilities and staff, so that records and logs can name who did what and where.

use super::{decode, Projector};
use crate::context::Context;
use crate::table::Table;
use crate::write::{Value, Write};
use crate::{columns, ProjectionError};
use event_schema::events::facility::FacilityRegistered;
use event_schema::events::staff::{StaffRegistered, StaffReinstated, StaffSuspended};
use event_schema::{Catalog, Entry, EventPayload};

pub static FACILITIES: Table = Table {
    name: "rm_facilities",
    columns: columns![text "facility_id", text "name", text "region", text "health_district", int "position"],
    key: &["facility_id"],
};

pub static STAFF: Table = Table {
    name: "rm_staff",
    columns: columns![
        text "account_id", text "role", text "facility_id", text "family_name", text "given_names", int "suspended",
        int "position",
    ],
    key: &["account_id"],
};

pub struct Directory;

impl Projector for Directory {
    fn name(&self) -> &'static str {
        "directory"
    }

    fn tables(&self) -> &'static [&'static Table] {
        static OWN: [&Table; 2] = [&FACILITIES, &STAFF];
        &OWN
    }

    fn project(
        &self,
        entry: &Entry,
        catalog: &Catalog,
        _: &Context,
        out: &mut Vec<Write>,
    ) -> Result<(), ProjectionError> {
        let position = Value::from(entry.position);
        match entry.event_type.as_str() {
            FacilityRegistered::EVENT_TYPE => {
                let e: FacilityRegistered = decode(catalog, entry)?;
                out.push(Write::Insert {
                    table: &FACILITIES,
                    row: vec![e.facility_id.into(), e.name.into(), e.region.into(), e.health_district.into(), position],
                });
            }
            StaffRegistered::EVENT_TYPE => {
                let e: StaffRegistered = decode(catalog, entry)?;
                out.push(Write::Insert {
                    table: &STAFF,
                    row: vec![
                        e.account_id.into(),
                        e.role.as_str().into(),
                        e.facility_id.into(),
                        e.family_name.into(),
                        e.given_names.into(),
                        false.into(),
                        position,
                    ],
                });
            }
            StaffSuspended::EVENT_TYPE => {
                let e: StaffSuspended = decode(catalog, entry)?;
                out.push(Write::Sql {
                    sql: "UPDATE rm_staff SET suspended = 1, position = $2 WHERE account_id = $1",
                    params: vec![e.account_id.into(), position],
                });
            }
            StaffReinstated::EVENT_TYPE => {
                let e: StaffReinstated = decode(catalog, entry)?;
                out.push(Write::Sql {
                    sql: "UPDATE rm_staff SET suspended = 0, position = $2 WHERE account_id = $1",
                    params: vec![e.account_id.into(), position],
                });
            }
            _ => {}
        }
        Ok(())
    }
}
