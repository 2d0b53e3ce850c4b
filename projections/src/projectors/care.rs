//! Care relationships, as the access policy needs them on the read side: where the patient is
//! registered or was seen, where they were referred, which facilities they granted access (and until
//! when), who broke the glass (until when, and why), and the minor's guardians (until when, and how
//! related). The same events build `PatientRecord`'s care
//! facts on the command side (`domain::record::apply`); both are judged by `domain::record::care`.

use super::{decode, patient_of, Projector};
use crate::context::Context;
use crate::table::Table;
use crate::write::{Value, Write};
use crate::{columns, micros, ProjectionError};
use event_schema::events::patient::PatientRegistered;
use event_schema::events::record::{
    AccessGranted, AccessRevoked, EmergencyAccessOpened, EncounterRecorded, GuardianRecorded, GuardianRelationship,
    GuardianshipEnded, ReferralMade,
};
use event_schema::{Catalog, Entry, EventPayload};
use uuid::Uuid;

pub static CARE: Table = Table {
    name: "rm_care",
    columns: columns![
        text "patient_id", text "facility_id", text "basis", text "account_id", text "until_day", int "expires_at",
        text "reason", int "opened_at", int "position",
    ],
    key: &["patient_id", "facility_id", "basis", "account_id"],
};

/// Care bases as stored.
pub mod basis {
    pub const SEEN: &str = "seen";
    pub const REFERRED: &str = "referred";
    pub const CONSENT: &str = "consent";
    pub const BREAK_GLASS: &str = "break_glass";
    /// A guardianship: no facility, the guardian's patient record in `account_id`, the last day it
    /// holds in `until_day` and the relationship (`mother`, `father`, `legal_guardian`) in `reason`.
    pub const GUARDIAN: &str = "guardian";
}

/// A consent or a break-the-glass access replaces the previous one of its kind.
const UPSERT: &str = "INSERT INTO rm_care (patient_id, facility_id, basis, account_id, until_day, expires_at, reason, \
     opened_at, position) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) \
     ON CONFLICT (patient_id, facility_id, basis, account_id) DO UPDATE SET until_day = excluded.until_day, \
     expires_at = excluded.expires_at, reason = excluded.reason, opened_at = excluded.opened_at, \
     position = excluded.position";

pub struct Care;

/// The care projector's name, in checkpoints (reads wait on it: see `progress`).
pub(crate) const NAME: &str = "care";

fn relationship(entry: &Entry, patient: Uuid, facility: Uuid, basis: &str) -> Vec<Value> {
    vec![
        patient.into(),
        facility.into(),
        basis.into(),
        "".into(),
        Value::Text(None),
        Value::Int(None),
        Value::Text(None),
        micros(&entry.occurred_at).into(),
        entry.position.into(),
    ]
}

impl Projector for Care {
    fn name(&self) -> &'static str {
        NAME
    }

    fn tables(&self) -> &'static [&'static Table] {
        static OWN: [&Table; 1] = [&CARE];
        &OWN
    }

    fn project(
        &self,
        entry: &Entry,
        catalog: &Catalog,
        _: &Context,
        out: &mut Vec<Write>,
    ) -> Result<(), ProjectionError> {
        match entry.event_type.as_str() {
            PatientRegistered::EVENT_TYPE => {
                let e: PatientRegistered = decode(catalog, entry)?;
                let row = relationship(entry, patient_of(entry)?, e.registered_at_facility, basis::SEEN);
                out.push(Write::Insert { table: &CARE, row });
            }
            EncounterRecorded::EVENT_TYPE => {
                let e: EncounterRecorded = decode(catalog, entry)?;
                let row = relationship(entry, patient_of(entry)?, e.facility_id, basis::SEEN);
                out.push(Write::Insert { table: &CARE, row });
            }
            ReferralMade::EVENT_TYPE => {
                let e: ReferralMade = decode(catalog, entry)?;
                let row = relationship(entry, patient_of(entry)?, e.to_facility_id, basis::REFERRED);
                out.push(Write::Insert { table: &CARE, row });
            }
            AccessGranted::EVENT_TYPE => {
                let e: AccessGranted = decode(catalog, entry)?;
                let mut params = relationship(entry, patient_of(entry)?, e.facility_id, basis::CONSENT);
                params[4] = e.until.into();
                out.push(Write::Sql { sql: UPSERT, params });
            }
            AccessRevoked::EVENT_TYPE => {
                let e: AccessRevoked = decode(catalog, entry)?;
                out.push(Write::Sql {
                    sql: "DELETE FROM rm_care WHERE patient_id = $1 AND facility_id = $2 AND basis = 'consent'",
                    params: vec![patient_of(entry)?.into(), e.facility_id.into()],
                });
            }
            EmergencyAccessOpened::EVENT_TYPE => {
                let e: EmergencyAccessOpened = decode(catalog, entry)?;
                let mut params = relationship(entry, patient_of(entry)?, e.facility_id, basis::BREAK_GLASS);
                params[3] = e.account_id.into();
                params[5] = micros(&e.expires_at).into();
                params[6] = e.reason.into();
                out.push(Write::Sql { sql: UPSERT, params });
            }
            GuardianRecorded::EVENT_TYPE => {
                let e: GuardianRecorded = decode(catalog, entry)?;
                let mut params = relationship(entry, patient_of(entry)?, Uuid::nil(), basis::GUARDIAN);
                params[1] = "".into();
                params[3] = e.guardian_patient_id.into();
                params[4] = e.until.into();
                params[6] = relationship_name(e.relationship).into();
                out.push(Write::Sql { sql: UPSERT, params });
            }
            GuardianshipEnded::EVENT_TYPE => {
                let e: GuardianshipEnded = decode(catalog, entry)?;
                out.push(Write::Sql {
                    sql: "DELETE FROM rm_care WHERE patient_id = $1 AND basis = 'guardian' AND account_id = $2",
                    params: vec![patient_of(entry)?.into(), e.guardian_patient_id.into()],
                });
            }
            _ => {}
        }
        Ok(())
    }
}

/// A guardian's relationship as stored, its name in the event.
pub fn relationship_name(relationship: GuardianRelationship) -> &'static str {
    match relationship {
        GuardianRelationship::Mother => "mother",
        GuardianRelationship::Father => "father",
        GuardianRelationship::LegalGuardian => "legal_guardian",
    }
}
