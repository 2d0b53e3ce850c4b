//! Authorising reads with the domain's policy, on the facts the read models hold.

use crate::error::Code;
use crate::loaders::Loaders;
use crate::viewer::Viewer;
use domain::access::{authorize, Action, CareBasis, Facts};
use domain::record::care::{care_basis_of, CareFacts};
use domain::record::EmergencyAccess;
use event_schema::events::access::ReadBasis;
use event_schema::{Role, Timestamp};
use projections::care_basis;
use std::collections::{BTreeMap, BTreeSet};
use uuid::Uuid;

/// How the viewer stands to a patient: their care relationship (or, for a patient's account, their
/// guardianship of a minor), read off the care read model and judged by the same function the
/// command side uses.
pub(crate) async fn care(loaders: &Loaders, viewer: &Viewer, patient: Uuid) -> Result<Option<CareBasis>, Code> {
    let principal = &viewer.principal;
    let guardian = principal.role == Role::Patient && principal.patient_id.is_some_and(|own| own != patient);
    if principal.facility_id.is_none() && !guardian {
        return Ok(None);
    }
    let rows = loaders.care.load_one(patient).await?.unwrap_or_default();
    let mut seen_at = BTreeSet::new();
    let mut referred_to = BTreeSet::new();
    let mut consents = BTreeMap::new();
    let mut emergency_accesses = Vec::new();
    let mut guardians = BTreeMap::new();
    for row in rows {
        // A guardianship names no facility.
        if row.basis == care_basis::GUARDIAN {
            if let (Ok(guardian), Some(until)) = (Uuid::parse_str(&row.account_id), row.until_day) {
                guardians.insert(guardian, until);
            }
            continue;
        }
        let Ok(facility) = Uuid::parse_str(&row.facility_id) else { continue };
        match row.basis.as_str() {
            care_basis::SEEN => {
                seen_at.insert(facility);
            }
            care_basis::REFERRED => {
                referred_to.insert(facility);
            }
            care_basis::CONSENT => {
                consents.insert(facility, row.until_day);
            }
            care_basis::BREAK_GLASS => {
                let account = Uuid::parse_str(&row.account_id).ok();
                let expires = row.expires_at.and_then(micros_to_timestamp);
                if let (Some(account_id), Some(expires_at)) = (account, expires) {
                    emergency_accesses.push(EmergencyAccess { account_id, facility_id: facility, expires_at });
                }
            }
            _ => {}
        }
    }
    let facts = CareFacts {
        seen_at: &seen_at,
        referred_to: &referred_to,
        consents: &consents,
        emergency_accesses: &emergency_accesses,
        guardians: &guardians,
    };
    let now = loaders.now;
    Ok(care_basis_of(&facts, &viewer.principal, now, &now.cameroon_date()))
}

pub(crate) fn micros_to_timestamp(micros: i64) -> Option<Timestamp> {
    chrono_from_micros(micros).map(Timestamp::from_datetime)
}

fn chrono_from_micros(micros: i64) -> Option<chrono::DateTime<chrono::Utc>> {
    chrono::DateTime::from_timestamp_micros(micros)
}

/// Allows `action`, or says why not: `FORBIDDEN` when the viewer's role could not do it to any
/// patient, `NOT_FOUND` when it depends on the patient (so that a record one may not see and a record
/// that does not exist are answered alike).
pub(crate) fn check(viewer: &Viewer, action: Action, care: Option<CareBasis>) -> Result<(), Code> {
    if authorize(&viewer.principal, &action, &Facts { care }).is_allowed() {
        return Ok(());
    }
    let probe = retarget(action, viewer.principal.patient_id);
    let possible = authorize(&viewer.principal, &probe, &Facts { care: Some(CareBasis::Facility) }).is_allowed();
    Err(if possible { Code::NotFound } else { Code::Forbidden })
}

/// The same action on the viewer's own record (for a patient), to learn whether the role may ever.
fn retarget(action: Action, own: Option<Uuid>) -> Action {
    let Some(own) = own else { return action };
    match action {
        Action::ReadDemographics { .. } => Action::ReadDemographics { patient: own },
        Action::ReadSection { section, .. } => Action::ReadSection { patient: own, section },
        Action::ReadAccessLog { .. } => Action::ReadAccessLog { patient: own },
        other => other,
    }
}

/// What a read is recorded under: nothing for the patient's own reads, `guardian` for a guardian's
/// reads of a minor's record, `audit` for auditors, else the care relationship that allowed it.
pub(crate) fn read_basis(viewer: &Viewer, care: Option<CareBasis>) -> Option<ReadBasis> {
    match viewer.principal.role {
        Role::Patient => (care == Some(CareBasis::Guardian)).then_some(ReadBasis::Guardian),
        Role::Auditor => Some(ReadBasis::Audit),
        _ => Some(match care {
            Some(CareBasis::Facility) | None => ReadBasis::Facility,
            Some(CareBasis::Referral) => ReadBasis::Referral,
            Some(CareBasis::Consent) => ReadBasis::Consent,
            Some(CareBasis::BreakGlass) => ReadBasis::BreakGlass,
            Some(CareBasis::Guardian) => ReadBasis::Guardian,
        }),
    }
}
