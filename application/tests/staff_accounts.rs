//! Issuing staff accounts through the application layer on a real ledger and identity store, on both
//! backends: the registration is recorded, the login claimed and the code delivered exactly once.

mod support;

use application::staff::SystemAdministrator;
use application::ApplicationError;
use event_schema::{Actor, Role, StreamId};
use identity::codes::hash_code;
use identity::store::AccountStatus;
use support::world;
use uuid::Uuid;

fn administrator(login: &str) -> SystemAdministrator {
    SystemAdministrator {
        professional_id: login.into(),
        family_name: "Ngono".into(),
        given_names: "Paul".into(),
        phone: Some("677 00 00 01".into()),
        email: None,
    }
}

async fn the_first_administrator_gets_a_printed_code_and_an_issued_login(postgres: bool) {
    let world = world(postgres).await;
    let (registered, code) =
        world.application.issue_system_administrator(administrator("MINSANTE-ADM-001")).await.expect("issued");
    assert_eq!(registered.role, Role::SystemAdministrator);
    let account = world.application.identity().get(registered.account_id).await.expect("read");
    let account = account.expect("the login is claimed in the identity tables");
    assert_eq!((account.login.as_str(), account.status), ("MINSANTE-ADM-001", AccountStatus::Issued));
    assert_eq!(
        account.activation_code_hash.as_deref(),
        Some(hash_code(&code).as_str()),
        "the printed code activates it"
    );
    let (entries, version) = application::streams::read_stream(&world.ledger, &StreamId::staff(registered.account_id))
        .await
        .expect("stream");
    assert_eq!((entries.len(), version), (1, 1), "the registration is recorded once");
    assert_eq!(world.messages_queued().await, 0, "a printed code is not also sent");

    // The same login again is a field error, and nothing more is recorded or claimed.
    let again = world.application.issue_system_administrator(administrator("MINSANTE-ADM-001")).await;
    match again {
        Err(ApplicationError::Invalid(fields)) => assert_eq!(fields[0].field, "/professional_id"),
        other => panic!("expected a field error, got {other:?}"),
    }
}

async fn a_member_of_staff_is_sent_their_code(postgres: bool) {
    let world = world(postgres).await;
    let nurse = world.member(Role::Nurse, "CE0002-IDE07", "marie.abena@example.cm", false);
    let (registered, code) = world.application.issue_staff(Actor::system(), nurse).await.expect("issued");
    assert_eq!(code, None, "the code is sent, not returned");
    assert_eq!(registered.facility_id, Some(world.facility));
    assert_eq!(world.messages_queued().await, 1, "one message carries the activation code");
}

async fn invalid_contacts_are_named_before_anything_is_written(postgres: bool) {
    let world = world(postgres).await;
    let unreachable = SystemAdministrator { phone: Some("12".into()), ..administrator("MINSANTE-ADM-002") };
    match world.application.issue_system_administrator(unreachable).await {
        Err(ApplicationError::Invalid(fields)) => assert!(fields.iter().any(|field| field.field == "/phone")),
        other => panic!("expected a field error, got {other:?}"),
    }
    assert_eq!(world.application.identity().staff(None).await.expect("read").len(), 0, "no login was claimed");
}

async fn an_administrator_suspends_and_reinstates_their_facility_staff_only(postgres: bool) {
    let world = world(postgres).await;
    let clerk = world.member(Role::RegistrationClerk, "CE0002-ACC03", "699 00 00 03", true);
    let (registered, _) = world.application.issue_staff(Actor::system(), clerk).await.expect("issued");
    let administrator = world.staff(Role::FacilityAdministrator, world.facility);
    let elsewhere = world.staff(Role::FacilityAdministrator, Uuid::now_v7());

    let hidden = world.application.suspend_staff(&elsewhere, registered.account_id, "left the service".into()).await;
    assert!(matches!(hidden, Err(ApplicationError::NotFound)), "another facility's staff are not theirs: {hidden:?}");
    let suspended = world
        .application
        .suspend_staff(&administrator, registered.account_id, "left the service".into())
        .await
        .expect("suspended");
    assert_eq!(suspended.status, AccountStatus::Suspended);
    let again = world.application.suspend_staff(&administrator, registered.account_id, "again".into()).await;
    assert!(matches!(again, Err(ApplicationError::Conflict(_))), "{again:?}");
    let reinstated = world.application.reinstate_staff(&administrator, registered.account_id).await.expect("back");
    assert_eq!(reinstated.status, AccountStatus::Issued, "never activated, so waiting for activation again");
    let (entries, _) = application::streams::read_stream(&world.ledger, &StreamId::staff(registered.account_id))
        .await
        .expect("stream");
    assert_eq!(entries.len(), 3, "registered, suspended, reinstated");
    let sent = world.application.reissue_activation(&administrator, registered.account_id).await.expect("sent");
    assert_eq!(sent, event_schema::events::staff::ContactChannel::Sms);
    assert_eq!(world.messages_queued().await, 1, "the fresh code went by SMS");
}

on_both_backends!(
    an_administrator_suspends_and_reinstates_their_facility_staff_only,
    the_first_administrator_gets_a_printed_code_and_an_issued_login,
    a_member_of_staff_is_sent_their_code,
    invalid_contacts_are_named_before_anything_is_written,
);
