//! Logging in through the application layer, on both backends: an issued account activated with its
//! code, a password then a code sent by e-mail, a lockout after five wrong passwords, and a password
//! changed.

mod support;

use application::login::LoginOutcome;
use application::ApplicationError;
use event_schema::events::account::SecondFactorMethod;
use event_schema::{Actor, Role};
use std::time::Duration;
use support::world;

const PASSWORD: &str = "Mangrove-Kribi-2026!";

async fn a_nurse_activates_then_logs_in_with_a_code_and_is_locked_out_after_five_failures(postgres: bool) {
    let world = world(postgres).await;
    let nurse = world.member(Role::Nurse, "CE0002-IDE08", "marie.abena@example.cm", true);
    let (registered, code) = world.application.issue_staff(Actor::system(), nurse).await.expect("issued");
    let code = code.expect("a printed code");

    let weak = world.application.activate(&registered.login, &code, "short".into()).await;
    assert!(matches!(&weak, Err(ApplicationError::Invalid(fields)) if fields[0].field == "/password"), "{weak:?}");
    let activated = world.application.activate("ce0002-ide08", &code, PASSWORD.into()).await.expect("activated");
    assert!(activated.second_factor_required, "staff always prove a second factor");
    let again = world.application.activate(&registered.login, &code, PASSWORD.into()).await;
    assert!(matches!(again, Err(ApplicationError::InvalidCredentials)), "a code works once: {again:?}");

    let LoginOutcome::SecondFactor(challenge) =
        world.application.log_in(&registered.login, PASSWORD.into()).await.expect("password accepted")
    else {
        panic!("a nurse needs a second factor")
    };
    assert_eq!(challenge.code_sent_by, Some(SecondFactorMethod::Email));
    let sent = world.outbox.claim_due(ledger::system::now(), Duration::from_secs(60), 10).await.expect("outbox");
    let body = &sent.last().expect("the login code was sent").body;
    let code: String = body.split("login code is ").nth(1).expect("a code").chars().take(6).collect();
    let wrong = world.application.prove_second_factor(challenge.challenge_id, SecondFactorMethod::Email, "000000x");
    assert!(matches!(wrong.await, Err(ApplicationError::InvalidCredentials)));
    let session = world
        .application
        .prove_second_factor(challenge.challenge_id, SecondFactorMethod::Email, &code)
        .await
        .expect("the code opens the session");
    assert_eq!(session.principal.account_id, registered.account_id);
    let refreshed = world.application.refresh_session(&session.refresh_token).await.expect("refreshed");
    assert_ne!(refreshed.access_token, session.access_token);
    let replayed = world.application.refresh_session(&session.refresh_token).await;
    assert!(matches!(replayed, Err(ApplicationError::InvalidCredentials)), "a spent refresh token ends it");

    let mut answers = Vec::new();
    for _ in 0..6 {
        answers.push(world.application.log_in(&registered.login, "Wrong-password-1".into()).await);
    }
    assert!(answers[..4].iter().all(|answer| matches!(answer, Err(ApplicationError::InvalidCredentials))));
    assert!(answers[4..].iter().all(|answer| matches!(answer, Err(ApplicationError::TooManyAttempts { .. }))));
    let locked = world.application.log_in(&registered.login, PASSWORD.into()).await;
    assert!(matches!(locked, Err(ApplicationError::TooManyAttempts { .. })), "even the right password waits");
}

async fn an_authenticator_app_replaces_codes_by_message_once_confirmed(postgres: bool) {
    let world = world(postgres).await;
    let doctor = world.member(Role::Doctor, "CE0002-DR09", "677 11 22 33", true);
    let (registered, code) = world.application.issue_staff(Actor::system(), doctor).await.expect("issued");
    let activated = world.application.activate(&registered.login, &code.expect("code"), PASSWORD.into()).await;
    let principal = activated.expect("activated").principal;
    let account = |world: &support::World| {
        let identity = world.application.identity().clone();
        let id = registered.account_id;
        async move { identity.get(id).await.expect("read").expect("the account") }
    };

    let wrong = world.application.start_totp_enrolment(&account(&world).await, "not-the-password".into()).await;
    assert!(matches!(&wrong, Err(ApplicationError::Invalid(fields)) if fields[0].field == "/password"), "{wrong:?}");
    let enrolment =
        world.application.start_totp_enrolment(&account(&world).await, PASSWORD.into()).await.expect("started");
    assert!(enrolment.otpauth_uri.contains(&enrolment.secret), "the typed secret is the QR code's");
    let pending = account(&world).await;
    let secret = application::login::decode_secret(pending.totp_pending_secret.as_deref().expect("pending"))
        .expect("a stored secret");
    let mismatch = world.application.confirm_totp_enrolment(&pending, &principal, "000000").await;
    assert!(matches!(&mismatch, Err(ApplicationError::Invalid(fields)) if fields[0].field == "/code"));
    let now = u64::try_from(chrono::Utc::now().timestamp()).expect("after 1970");
    let made = identity::totp::code_at(&secret, now).expect("a code");
    let recovery = world.application.confirm_totp_enrolment(&pending, &principal, &made).await.expect("confirmed");
    assert!(!recovery.is_empty(), "recovery codes are shown once");

    let LoginOutcome::SecondFactor(challenge) =
        world.application.log_in(&registered.login, PASSWORD.into()).await.expect("password accepted")
    else {
        panic!("a doctor needs a second factor")
    };
    assert_eq!(challenge.methods, vec![SecondFactorMethod::Totp, SecondFactorMethod::RecoveryCode]);
    assert_eq!(challenge.code_sent_by, None, "no SMS once the app is enrolled");
    let session =
        world.application.prove_second_factor(challenge.challenge_id, SecondFactorMethod::RecoveryCode, &recovery[0]);
    assert_eq!(session.await.expect("a recovery code opens a session").principal.account_id, registered.account_id);
}

/// A password changed: the policy first (a refused new one costs no attempt), then the current one
/// again; then the new one works, the old one does not, and every session of the account has ended.
async fn a_password_change_ends_every_session(postgres: bool) {
    let world = world(postgres).await;
    let doctor = world.member(Role::Doctor, "CE0002-DR10", "677 11 22 44", true);
    let (registered, code) = world.application.issue_staff(Actor::system(), doctor).await.expect("issued");
    let activated = world.application.activate(&registered.login, &code.expect("code"), PASSWORD.into()).await;
    let principal = activated.expect("activated").principal;
    let identity = world.application.identity().clone();
    let account = identity.get(registered.account_id).await.expect("read").expect("the account");
    let LoginOutcome::SecondFactor(challenge) =
        world.application.log_in(&registered.login, PASSWORD.into()).await.expect("password accepted")
    else {
        panic!("a doctor needs a second factor")
    };
    let sent = world.outbox.claim_due(ledger::system::now(), Duration::from_secs(60), 10).await.expect("outbox");
    let body = &sent.last().expect("the login code was sent").body;
    let code: String = body.split("login code is ").nth(1).expect("a code").chars().take(6).collect();
    let session = world.application.prove_second_factor(challenge.challenge_id, SecondFactorMethod::Sms, &code).await;
    let session = session.expect("signed in");
    let token = identity::codes::hash_token(&session.access_token);
    let (session_id, _) =
        identity.authenticate(&token, identity::now_micros()).await.expect("read").expect("a live session");

    let change = |current: &str, new: &str| {
        world.application.change_password(&account, &principal, &session_id, current.into(), new.into())
    };
    let weak = change(PASSWORD, "short").await;
    assert!(matches!(&weak, Err(ApplicationError::Invalid(fields)) if fields[0].field == "/new_password"), "{weak:?}");
    let wrong = change("not-the-password", "Baobab-Maroua-2027?").await;
    assert!(matches!(&wrong, Err(ApplicationError::Invalid(fields)) if fields[0].field == "/password"), "{wrong:?}");
    let changed = change(PASSWORD, "Baobab-Maroua-2027?").await.expect("changed");
    assert_eq!(changed.sessions_ended, 1);
    assert!(identity.authenticate(&token, identity::now_micros()).await.expect("read").is_none(), "the session ended");
    let old = world.application.log_in(&registered.login, PASSWORD.into()).await;
    assert!(matches!(old, Err(ApplicationError::InvalidCredentials)), "{old:?}");
    let new = world.application.log_in(&registered.login, "Baobab-Maroua-2027?".into()).await;
    assert!(matches!(new, Ok(LoginOutcome::SecondFactor(_))), "the new password works");
}

on_both_backends!(
    a_password_change_ends_every_session,
    a_nurse_activates_then_logs_in_with_a_code_and_is_locked_out_after_five_failures,
    an_authenticator_app_replaces_codes_by_message_once_confirmed,
);
