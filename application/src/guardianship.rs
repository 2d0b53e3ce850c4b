//! Recording a minor's guardian: the guardian named by their health ID, as the desk reads it off their
//! card, and found in the index of patients' identifiers (which a registration fills before its event
//! is appended, so a patient just registered is found at once).

use crate::access::authorize_on_patient;
use crate::error::ApplicationError;
use crate::Application;
use domain::access::{Action, Facts, Principal};
use domain::health_id::HealthId;
use uuid::Uuid;

impl Application {
    /// The record of the patient whose health ID is `health_id`, to be recorded as the guardian of
    /// `ward`. Only someone who may record the ward's guardian learns whether the health ID is known:
    /// anyone else is refused as for any command on the ward's record.
    #[tracing::instrument(name = "application.guardianship.find_guardian", skip_all)]
    pub async fn guardian_by_health_id(
        &self,
        principal: &Principal,
        ward: Uuid,
        health_id: &str,
    ) -> Result<Uuid, ApplicationError> {
        let action = Action::ManageGuardianship { patient: ward };
        let care = self.care_of(principal, ward).await?;
        authorize_on_patient(principal, &action, &Facts { care }, Some(&action))?;
        let field = "/guardian_health_id";
        let health_id = HealthId::parse(health_id)
            .map_err(|error| ApplicationError::invalid_field(field, format!("not a health ID: {error}")))?;
        self.identity().patient_with_health_id(health_id.as_str()).await?.ok_or_else(|| {
            ApplicationError::invalid_field(field, "no patient has this health ID / identifiant inconnu")
        })
    }
}
