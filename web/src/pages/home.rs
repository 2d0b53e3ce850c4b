//! The start page (`/`): for a patient, the summary of their record (or of the minor's in their
//! charge they chose to view); for a member of staff, the start
//! of their role's workspace. Signed out, the sign-in page.

use super::{summary, to_sign_in, Visit};
use crate::i18n::Language;
use crate::session::{self, SignedIn};
use crate::WebState;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use event_schema::Role;
use maud::html;

pub(crate) async fn page(State(state): State<WebState>, headers: HeaderMap) -> Response {
    let visit = Visit::new(&state, &headers);
    let signed_in = match session::current(&state, &headers).await {
        Ok(Some(signed_in)) => signed_in,
        Ok(None) => return to_sign_in("/", &headers),
        Err(error) => return visit.error(error),
    };
    match signed_in.principal.patient_id {
        Some(patient_id) if signed_in.principal.role == Role::Patient => {
            let in_view = signed_in.ward.unwrap_or(patient_id);
            summary::page(&state, &visit, &signed_in, in_view).await
        }
        _ => staff(&visit, &signed_in),
    }
}

/// The message naming a role, as "signed in as …" completes it.
fn role_name(role: Role) -> Option<&'static str> {
    Some(match role {
        Role::Doctor => id!("role-doctor"),
        Role::Nurse => id!("role-nurse"),
        Role::LabTechnician => id!("role-lab-technician"),
        Role::RegistrationClerk => id!("role-registration-clerk"),
        Role::FacilityAdministrator => id!("role-facility-administrator"),
        Role::HealthAuthorityAnalyst => id!("role-health-authority-analyst"),
        Role::Auditor => id!("role-auditor"),
        Role::SystemAdministrator => id!("role-system-administrator"),
        Role::Patient | Role::System => return None,
    })
}

/// A member of staff's start page: the workspace's pages their role may use, and only those.
fn staff(visit: &Visit, signed_in: &SignedIn) -> Response {
    let language: Language = visit.language;
    let name = format!("{} {}", signed_in.account.given_names, signed_in.account.family_name);
    let title = language.t("home-staff-title");
    let main = html! {
        h1 { (title) }
        p { (language.t_with("home-staff-greeting", &[("name", name.into())])) }
        @if let Some(role) = role_name(signed_in.principal.role) {
            p { (language.t_with("home-staff-role", &[("role", language.t(role).into())])) }
        }
        @let pages = crate::workspace::pages_for(signed_in.principal.role);
        @if pages.is_empty() {
            p.empty { (language.t("home-staff-empty")) }
        } @else {
            ul.links {
                @for (path, name) in pages { li { a href=(crate::workspace::href(path, language)) { (language.t(name)) } } }
            }
        }
    };
    visit.page(StatusCode::OK, &title, "/", true, main)
}
