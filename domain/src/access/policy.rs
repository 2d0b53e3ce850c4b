//! The rules. Each role has one function; anything it does not allow is denied.

use super::{Action, CareBasis, Decision, Facts, Principal, Section, StatisticsScope};
use event_schema::Role;
use Decision::{Allow, Deny};

/// Decides whether `principal` may perform `action`, given `facts`. Deny by default.
pub fn authorize(principal: &Principal, action: &Action, facts: &Facts) -> Decision {
    match principal.role {
        Role::Doctor => doctor(principal, action, facts),
        Role::Nurse => nurse(principal, action, facts),
        Role::LabTechnician => lab_technician(principal, action, facts),
        Role::RegistrationClerk => registration_clerk(principal, action, facts),
        Role::Patient => patient(principal, action, facts),
        Role::FacilityAdministrator => facility_administrator(principal, action),
        Role::HealthAuthorityAnalyst => analyst(principal, action),
        Role::Auditor => auditor(action),
        Role::SystemAdministrator => system_administrator(action),
        Role::System => Deny("the system role acts only inside the ledger"),
    }
}

/// Clinicians act from a facility; a clinical account without one can do nothing.
fn at_facility(principal: &Principal) -> bool {
    principal.facility_id.is_some()
}

/// A care relationship of any kind a practitioner can have, break-the-glass included.
fn in_care(facts: &Facts) -> bool {
    matches!(facts.care, Some(CareBasis::Facility | CareBasis::Referral | CareBasis::Consent | CareBasis::BreakGlass))
}

/// A care relationship other than break-the-glass (which only doctors may use).
fn in_ordinary_care(facts: &Facts) -> bool {
    matches!(facts.care, Some(CareBasis::Facility | CareBasis::Referral | CareBasis::Consent))
}

const NOT_IN_CARE: Decision = Deny("the patient is not in this practitioner's care");
const NO_FACILITY: Decision = Deny("clinical staff act from a facility");

fn doctor(principal: &Principal, action: &Action, facts: &Facts) -> Decision {
    if !at_facility(principal) {
        return NO_FACILITY;
    }
    match action {
        Action::RegisterPatient => Allow("doctors register patients at their facility"),
        Action::SearchPatients => Allow("doctors find patients to care for them"),
        Action::BreakGlass { .. } => Allow("a doctor may break the glass in an emergency, with a reason"),
        Action::SetReminderPreferences { .. } => {
            if in_ordinary_care(facts) {
                Allow("the patient is in the doctor's care and states their choice")
            } else {
                NOT_IN_CARE
            }
        }
        Action::ManageGuardianship { .. } => {
            if in_ordinary_care(facts) {
                Allow("the minor is in the doctor's care and the proof of guardianship was seen")
            } else {
                NOT_IN_CARE
            }
        }
        Action::ReadDemographics { .. }
        | Action::UpdateDemographics { .. }
        | Action::ReadSection { .. }
        | Action::WriteSection { .. } => {
            if in_care(facts) {
                Allow("the patient is in the doctor's care")
            } else {
                NOT_IN_CARE
            }
        }
        _ => Deny("not a doctor's action"),
    }
}

/// The sections a nurse records. A death is not among them: only a doctor certifies one.
fn nurse_writes(section: Section) -> bool {
    matches!(
        section,
        Section::VitalSigns | Section::Immunizations | Section::Allergies | Section::Encounters | Section::Appointments
    )
}

fn nurse(principal: &Principal, action: &Action, facts: &Facts) -> Decision {
    if !at_facility(principal) {
        return NO_FACILITY;
    }
    match action {
        Action::RegisterPatient => Allow("nurses register patients at their facility"),
        Action::SearchPatients => Allow("nurses find patients to care for them"),
        Action::ReadDemographics { .. } | Action::ReadSection { .. } => {
            if in_ordinary_care(facts) {
                Allow("the patient is in the nurse's care")
            } else {
                NOT_IN_CARE
            }
        }
        Action::WriteSection { section, .. } => {
            if !nurse_writes(*section) {
                Deny("nurses do not record this section")
            } else if in_ordinary_care(facts) {
                Allow("the patient is in the nurse's care")
            } else {
                NOT_IN_CARE
            }
        }
        Action::BreakGlass { .. } => Deny("only doctors may break the glass"),
        Action::SetReminderPreferences { .. } => {
            if in_ordinary_care(facts) {
                Allow("the patient is in the nurse's care and states their choice")
            } else {
                NOT_IN_CARE
            }
        }
        Action::ManageGuardianship { .. } => {
            if in_ordinary_care(facts) {
                Allow("the minor is in the nurse's care and the proof of guardianship was seen")
            } else {
                NOT_IN_CARE
            }
        }
        _ => Deny("not a nurse's action"),
    }
}

fn lab_technician(principal: &Principal, action: &Action, facts: &Facts) -> Decision {
    if !at_facility(principal) {
        return NO_FACILITY;
    }
    let reads = |section: Section| matches!(section, Section::LabOrders | Section::LabResults | Section::Allergies);
    match action {
        Action::SearchPatients => Allow("lab technicians find the patient a sample belongs to"),
        Action::ReadDemographics { .. } if in_ordinary_care(facts) => Allow("identifying the patient of a sample"),
        Action::ReadSection { section, .. } if reads(*section) => {
            if in_ordinary_care(facts) {
                Allow("the patient is in the facility's care")
            } else {
                NOT_IN_CARE
            }
        }
        Action::WriteSection { section: Section::LabResults, .. } => {
            if in_ordinary_care(facts) {
                Allow("lab technicians record results for the facility's patients")
            } else {
                NOT_IN_CARE
            }
        }
        Action::ReadDemographics { .. } => NOT_IN_CARE,
        _ => Deny("not a lab technician's action"),
    }
}

fn registration_clerk(principal: &Principal, action: &Action, facts: &Facts) -> Decision {
    if !at_facility(principal) {
        return NO_FACILITY;
    }
    match action {
        Action::RegisterPatient => Allow("registration desks register patients"),
        Action::SearchPatients => Allow("registration desks find patients who present"),
        Action::ReadDemographics { .. }
        | Action::UpdateDemographics { .. }
        | Action::SetReminderPreferences { .. }
        | Action::ManageGuardianship { .. }
        | Action::ReadSection { section: Section::Appointments, .. }
        | Action::WriteSection { section: Section::Appointments, .. } => {
            if in_ordinary_care(facts) {
                Allow("the patient is registered or seen at the clerk's facility")
            } else {
                NOT_IN_CARE
            }
        }
        Action::ReadSection { .. } | Action::WriteSection { .. } => Deny("registration clerks see no clinical content"),
        _ => Deny("not a registration clerk's action"),
    }
}

/// A patient acts on their own record, and on a minor's whose guardian they are (the care facts say
/// so only while the guardianship holds) exactly as the minor could.
fn patient(principal: &Principal, action: &Action, facts: &Facts) -> Decision {
    let own = |patient: &uuid::Uuid| principal.patient_id.as_ref() == Some(patient);
    let guardian = facts.care == Some(CareBasis::Guardian);
    match action {
        Action::ReadDemographics { patient }
        | Action::ReadSection { patient, .. }
        | Action::ManageConsent { patient }
        | Action::SetReminderPreferences { patient }
        | Action::ReadAccessLog { patient } => {
            if own(patient) {
                Allow("patients see and control their own record")
            } else if guardian {
                Allow("a guardian sees and controls the record of the minor in their charge")
            } else {
                Deny("a patient sees only their own record")
            }
        }
        Action::CancelOwnAppointment { patient, upcoming } => {
            if !own(patient) && !guardian {
                Deny("a patient cancels only their own appointments")
            } else if !upcoming {
                Deny("an appointment that has started is closed by the facility")
            } else {
                Allow("patients cancel their own upcoming appointments")
            }
        }
        _ => Deny("not a patient's action"),
    }
}

fn facility_administrator(principal: &Principal, action: &Action) -> Decision {
    let own = |facility: &uuid::Uuid| principal.facility_id.as_ref() == Some(facility);
    match action {
        Action::ViewStaff { facility }
        | Action::RegisterStaff { facility }
        | Action::SuspendStaff { facility }
        | Action::ViewBreakGlassAlerts { facility } => {
            if own(facility) {
                Allow("facility administrators manage their own facility")
            } else {
                Deny("another facility's administration")
            }
        }
        Action::ReadStatistics { scope: StatisticsScope::Facility(facility) } => {
            if own(facility) {
                Allow("facility administrators read their own facility's aggregates")
            } else {
                Deny("another facility's aggregates")
            }
        }
        Action::ReadStatistics { .. } => Deny("facility administrators read their own facility's aggregates only"),
        Action::ReadEpidemicAlerts => Allow("facilities act on the epidemic alerts"),
        _ => Deny("facility administrators never see patient data"),
    }
}

fn analyst(principal: &Principal, action: &Action) -> Decision {
    match action {
        Action::ReadStatistics { scope } => match (&principal.region, scope) {
            (None, _) => Allow("national analysts see anonymised statistics"),
            (Some(own), StatisticsScope::Region(region)) if own == region => {
                Allow("regional analysts see their region's anonymised statistics")
            }
            (Some(_), _) => Deny("a regional analyst reads their own region's statistics only"),
        },
        Action::ReadEpidemicAlerts => Allow("analysts act on the epidemic alerts"),
        _ => Deny("analysts see only anonymised aggregates"),
    }
}

fn auditor(action: &Action) -> Decision {
    match action {
        Action::BrowseLedger | Action::VerifyLedger => Allow("auditors verify and browse the ledger"),
        Action::ReadAuditTrail { .. } | Action::ReadAccessLog { .. } => {
            Allow("auditors see who did what, when and from where")
        }
        _ => Deny("auditors read no clinical content"),
    }
}

fn system_administrator(action: &Action) -> Decision {
    match action {
        Action::RegisterFacility | Action::AppointFacilityAdministrator { .. } | Action::ManageNationalStaff => {
            Allow("system administrators manage facilities and their administrators")
        }
        Action::VerifyLedger => Allow("system administrators verify the ledger"),
        Action::ViewStaff { .. } | Action::SuspendStaff { .. } => {
            Allow("system administrators may act on any facility's staff")
        }
        _ => Deny("system administrators see no patient data"),
    }
}
