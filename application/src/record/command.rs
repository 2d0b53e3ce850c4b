//! The commands on a patient's record, typed: what each asks the access policy, which entry it creates,
//! and the domain decision it stands for.

use domain::access::{Action, Principal, Section};
use domain::record::appointments::{self, BookAppointment};
use domain::record::clinical::{
    self, CancelPrescription, DiagnoseCondition, MarkEnteredInError, PrescribeMedicine, RecordAllergy, RecordEncounter,
    RecordImmunization, ReferPatient,
};
use domain::record::consent::{self, BreakGlass, GrantAccess};
use domain::record::death::{self, RecordDeath};
use domain::record::guardianship::{self, EndGuardianship, RecordGuardian};
use domain::record::history::{self, RecordFamilyHistory, RecordMedicalHistory, RecordTreatment, StopTreatment};
use domain::record::merge::{self, MergeRecords};
use domain::record::observations::{self, OrderLab, RecordLabResult, RecordVitalSigns};
use domain::record::{PatientRecord, RecordError, RecordEvent};
use event_schema::events::record::AppointmentOutcome;
use event_schema::{Role, Timestamp};
use uuid::Uuid;

/// One command on a patient's record. A command that creates an entry carries that entry's id (see
/// [`crate::record::Submission::entry_id`], which derives it from the command's id so a retry names the
/// same entry).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RecordCommand {
    RecordAllergy(RecordAllergy),
    DiagnoseCondition(DiagnoseCondition),
    RecordImmunization(RecordImmunization),
    RecordEncounter(RecordEncounter),
    Prescribe(PrescribeMedicine),
    CancelPrescription(CancelPrescription),
    Refer(ReferPatient),
    MarkEnteredInError(MarkEnteredInError),
    GrantAccess(GrantAccess),
    RevokeAccess {
        facility_id: Uuid,
    },
    BreakGlass(BreakGlass),
    RecordMedicalHistory(RecordMedicalHistory),
    RecordFamilyHistory(RecordFamilyHistory),
    RecordTreatment(RecordTreatment),
    StopTreatment(StopTreatment),
    RecordVitalSigns(RecordVitalSigns),
    OrderLab(OrderLab),
    RecordLabResult(RecordLabResult),
    BookAppointment(BookAppointment),
    RescheduleAppointment {
        appointment_id: Uuid,
        starts_at: Timestamp,
        now: Timestamp,
    },
    CloseAppointment {
        appointment_id: Uuid,
        outcome: AppointmentOutcome,
        reason: Option<String>,
        now: Timestamp,
    },
    /// A patient cancels one of their own appointments before it starts: closed as cancelled, with
    /// the patient's reason, the patient's own account its actor.
    CancelOwnAppointment {
        appointment_id: Uuid,
        reason: String,
        now: Timestamp,
    },
    RecordDeath(RecordDeath),
    Merge(MergeRecords),
    /// Records another patient as this minor's guardian.
    RecordGuardian(RecordGuardian),
    EndGuardianship(EndGuardianship),
}

/// What a command on a record asks of the access policy, known before its content is read: enough to
/// refuse a caller whose role could take it on no patient before their request is even parsed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CommandKind {
    /// Writes this section of the record.
    Write(Section),
    /// Withdraws an entry recorded by mistake: a write to whichever section holds the entry.
    WithdrawEntry,
    /// Grants or revokes a facility's access (the patient's own).
    ManageConsent,
    BreakGlass,
    /// Merges a duplicate record into another.
    Merge,
    /// A patient cancels their own appointment.
    CancelOwnAppointment,
    /// Records or ends a minor's guardianship.
    ManageGuardianship,
}

impl CommandKind {
    /// The action the policy is asked about on `patient`; `None` for withdrawing an entry, whose
    /// section only the record tells.
    pub fn action(self, patient: Uuid) -> Option<Action> {
        match self {
            Self::Write(section) => Some(Action::WriteSection { patient, section }),
            Self::WithdrawEntry => None,
            Self::ManageConsent => Some(Action::ManageConsent { patient }),
            Self::BreakGlass => Some(Action::BreakGlass { patient }),
            Self::Merge => Some(Action::UpdateDemographics { patient }),
            // Without the record, the appointment is taken to be ahead: what could be allowed.
            Self::CancelOwnAppointment => Some(Action::CancelOwnAppointment { patient, upcoming: true }),
            Self::ManageGuardianship => Some(Action::ManageGuardianship { patient }),
        }
    }
}

impl RecordCommand {
    /// Closing an appointment as `principal` asks it: a patient's cancellation of their own
    /// appointment, or the facility's close with any outcome. Every entry point builds the command
    /// here, so a patient is decided alike wherever they ask.
    pub fn close_appointment(
        principal: &Principal,
        appointment_id: Uuid,
        outcome: AppointmentOutcome,
        reason: Option<String>,
        now: Timestamp,
    ) -> RecordCommand {
        match (principal.role, outcome) {
            (Role::Patient, AppointmentOutcome::Cancelled) => {
                Self::CancelOwnAppointment { appointment_id, reason: reason.unwrap_or_default(), now }
            }
            _ => Self::CloseAppointment { appointment_id, outcome, reason, now },
        }
    }

    /// What kind of command this is, for the access policy.
    pub fn kind(&self) -> CommandKind {
        match self {
            Self::RecordAllergy(_) => CommandKind::Write(Section::Allergies),
            Self::DiagnoseCondition(_) => CommandKind::Write(Section::Conditions),
            Self::RecordImmunization(_) => CommandKind::Write(Section::Immunizations),
            Self::RecordEncounter(_) => CommandKind::Write(Section::Encounters),
            Self::Prescribe(_) | Self::CancelPrescription(_) => CommandKind::Write(Section::Prescriptions),
            Self::Refer(_) => CommandKind::Write(Section::Referrals),
            Self::MarkEnteredInError(_) => CommandKind::WithdrawEntry,
            Self::GrantAccess(_) | Self::RevokeAccess { .. } => CommandKind::ManageConsent,
            Self::BreakGlass(_) => CommandKind::BreakGlass,
            Self::RecordMedicalHistory(_) => CommandKind::Write(Section::MedicalHistory),
            Self::RecordFamilyHistory(_) => CommandKind::Write(Section::FamilyHistory),
            Self::RecordTreatment(_) | Self::StopTreatment(_) => CommandKind::Write(Section::Treatments),
            Self::RecordVitalSigns(_) => CommandKind::Write(Section::VitalSigns),
            Self::OrderLab(_) => CommandKind::Write(Section::LabOrders),
            Self::RecordLabResult(_) => CommandKind::Write(Section::LabResults),
            Self::BookAppointment(_) | Self::RescheduleAppointment { .. } | Self::CloseAppointment { .. } => {
                CommandKind::Write(Section::Appointments)
            }
            Self::RecordDeath(_) => CommandKind::Write(Section::Death),
            Self::Merge(_) => CommandKind::Merge,
            Self::CancelOwnAppointment { .. } => CommandKind::CancelOwnAppointment,
            Self::RecordGuardian(_) | Self::EndGuardianship(_) => CommandKind::ManageGuardianship,
        }
    }

    /// The command's name, for spans and logs (never its content).
    pub fn name(&self) -> &'static str {
        match self {
            Self::RecordAllergy(_) => "record_allergy",
            Self::DiagnoseCondition(_) => "diagnose_condition",
            Self::RecordImmunization(_) => "record_immunization",
            Self::RecordEncounter(_) => "record_encounter",
            Self::Prescribe(_) => "prescribe",
            Self::CancelPrescription(_) => "cancel_prescription",
            Self::Refer(_) => "refer",
            Self::MarkEnteredInError(_) => "mark_entered_in_error",
            Self::GrantAccess(_) => "grant_access",
            Self::RevokeAccess { .. } => "revoke_access",
            Self::BreakGlass(_) => "break_glass",
            Self::RecordMedicalHistory(_) => "record_medical_history",
            Self::RecordFamilyHistory(_) => "record_family_history",
            Self::RecordTreatment(_) => "record_treatment",
            Self::StopTreatment(_) => "stop_treatment",
            Self::RecordVitalSigns(_) => "record_vital_signs",
            Self::OrderLab(_) => "order_lab",
            Self::RecordLabResult(_) => "record_lab_result",
            Self::BookAppointment(_) => "book_appointment",
            Self::RescheduleAppointment { .. } => "reschedule_appointment",
            Self::CloseAppointment { .. } => "close_appointment",
            Self::CancelOwnAppointment { .. } => "cancel_own_appointment",
            Self::RecordDeath(_) => "record_death",
            Self::Merge(_) => "merge_records",
            Self::RecordGuardian(_) => "record_guardian",
            Self::EndGuardianship(_) => "end_guardianship",
        }
    }

    /// What the access policy is asked about, given the record as it stands (`None`: not found).
    /// Marking an entry entered in error depends on the record (it is a write to the entry's
    /// section), and so does a patient's cancellation (whether the appointment has started).
    pub fn action(&self, patient: Uuid, record: Option<&PatientRecord>) -> Option<Action> {
        match self {
            Self::MarkEnteredInError(command) => {
                let section = clinical::section_of(record?, command.entry_id)?;
                Some(Action::WriteSection { patient, section })
            }
            Self::CancelOwnAppointment { appointment_id, now, .. } => {
                // An appointment the record does not hold is left to the domain, which says so.
                let upcoming = record?.appointments.get(appointment_id).is_none_or(|booked| booked.starts_at > *now);
                Some(Action::CancelOwnAppointment { patient, upcoming })
            }
            other => other.kind().action(patient),
        }
    }

    /// The entry the command creates, when it creates one.
    pub fn new_entry(&self) -> Option<Uuid> {
        match self {
            Self::RecordAllergy(command) => Some(command.entry_id),
            Self::DiagnoseCondition(command) => Some(command.entry_id),
            Self::RecordImmunization(command) => Some(command.entry_id),
            Self::RecordEncounter(command) => Some(command.entry_id),
            Self::Prescribe(command) => Some(command.entry_id),
            Self::Refer(command) => Some(command.entry_id),
            Self::RecordMedicalHistory(command) => Some(command.entry_id),
            Self::RecordFamilyHistory(command) => Some(command.entry_id),
            Self::RecordTreatment(command) => Some(command.entry_id),
            Self::RecordVitalSigns(command) => Some(command.entry_id),
            Self::OrderLab(command) => Some(command.entry_id),
            Self::RecordLabResult(command) => Some(command.entry_id),
            Self::BookAppointment(command) => Some(command.appointment_id),
            Self::RecordDeath(command) => Some(command.entry_id),
            Self::CancelPrescription(_)
            | Self::MarkEnteredInError(_)
            | Self::GrantAccess(_)
            | Self::RevokeAccess { .. }
            | Self::BreakGlass(_)
            | Self::StopTreatment(_)
            | Self::RescheduleAppointment { .. }
            | Self::CloseAppointment { .. }
            | Self::CancelOwnAppointment { .. }
            | Self::Merge(_)
            | Self::RecordGuardian(_)
            | Self::EndGuardianship(_) => None,
        }
    }

    /// The domain's decision on `record`; a merge also needs the record it merges into, as far as the
    /// caller may see it.
    pub fn decide(
        &self,
        record: &PatientRecord,
        survivor: Option<&PatientRecord>,
    ) -> Result<Vec<RecordEvent>, RecordError> {
        let record = Some(record);
        match self.clone() {
            Self::RecordAllergy(command) => clinical::decide_allergy(record, command),
            Self::DiagnoseCondition(command) => clinical::decide_condition(record, command),
            Self::RecordImmunization(command) => clinical::decide_immunization(record, command),
            Self::RecordEncounter(command) => clinical::decide_encounter(record, command),
            Self::Prescribe(command) => clinical::decide_prescription(record, command),
            Self::CancelPrescription(command) => clinical::decide_cancel_prescription(record, command),
            Self::Refer(command) => clinical::decide_referral(record, command),
            Self::MarkEnteredInError(command) => clinical::decide_entered_in_error(record, command),
            Self::GrantAccess(command) => consent::decide_grant(record, command),
            Self::RevokeAccess { facility_id } => consent::decide_revoke(record, facility_id),
            Self::BreakGlass(command) => consent::decide_break_glass(record, command),
            Self::RecordMedicalHistory(command) => history::decide_medical_history(record, command),
            Self::RecordFamilyHistory(command) => history::decide_family_history(record, command),
            Self::RecordTreatment(command) => history::decide_treatment(record, command),
            Self::StopTreatment(command) => history::decide_stop_treatment(record, command),
            Self::RecordVitalSigns(command) => observations::decide_vital_signs(record, command),
            Self::OrderLab(command) => observations::decide_lab_order(record, command),
            Self::RecordLabResult(command) => observations::decide_lab_result(record, command),
            Self::BookAppointment(command) => appointments::decide_book(record, command),
            Self::RescheduleAppointment { appointment_id, starts_at, now } => {
                appointments::decide_reschedule(record, appointment_id, starts_at, now)
            }
            Self::CloseAppointment { appointment_id, outcome, reason, now } => {
                appointments::decide_close(record, appointment_id, outcome, reason, now)
            }
            Self::CancelOwnAppointment { appointment_id, reason, now } => {
                appointments::decide_close(record, appointment_id, AppointmentOutcome::Cancelled, Some(reason), now)
            }
            Self::RecordDeath(command) => death::decide_death(record, command),
            Self::Merge(command) => merge::decide_merge(record, survivor, command),
            Self::RecordGuardian(command) => guardianship::decide_guardian(record, command),
            Self::EndGuardianship(command) => guardianship::decide_end(record, command),
        }
    }
}
