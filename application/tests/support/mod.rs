//! A fresh ledger per test, on SQLite or PostgreSQL, with the application over it.
#![allow(dead_code)]

use application::Application;
use domain::access::Principal;
use domain::staff::{ActivationDelivery, RegisterStaff};
use event_schema::events::patient::{BirthDate, PatientRegistered, Sex};
use event_schema::{events, Actor, Role, StreamId};
use ledger::outbox::Outbox;
use ledger::testing::ScratchDatabase;
use ledger::{AppendRequest, ExpectedVersion, Ledger, NewEvent, PgStorage, SqliteStorage, Storage};
use std::sync::Arc;
use std::time::Duration;
use uuid::Uuid;

pub struct World {
    pub application: Application,
    pub ledger: Ledger,
    pub outbox: Outbox,
    pub facility: Uuid,
    _dir: tempfile::TempDir,
    _scratch: Option<ScratchDatabase>,
}

pub async fn world(postgres: bool) -> World {
    let dir = tempfile::tempdir().expect("temp dir");
    let (storage, scratch): (Arc<dyn Storage>, _) = if postgres {
        let scratch = ScratchDatabase::create("cloudmedi_app").await.expect("PostgreSQL must be running");
        (Arc::new(PgStorage::connect(scratch.url()).await.expect("postgres")), Some(scratch))
    } else {
        (Arc::new(SqliteStorage::open(&dir.path().join("ledger.sqlite"), true).await.expect("sqlite")), None)
    };
    let (root, node) = (ledger::system::new_key_pair(), ledger::system::new_key_pair());
    Ledger::initialise(storage.as_ref(), &root, &node.public_key(), "test-node").await.expect("initialise");
    identity::migrate(&storage.database()).await.expect("the identity tables");
    application::migrate(&storage.database()).await.expect("the idempotency keys");
    let ledger = Ledger::open(storage, root.public_key(), node, events::catalog()).await.expect("open");
    let application = Application::new(ledger.clone());
    let outbox = application.outbox().clone();
    World { application, ledger, outbox, facility: Uuid::now_v7(), _dir: dir, _scratch: scratch }
}

impl World {
    /// A patient registered at the world's facility, reachable by SMS.
    pub async fn patient(&self) -> Uuid {
        let patient_id = Uuid::now_v7();
        let registered = PatientRegistered {
            patient_id,
            health_id: "CM1234567894".into(),
            national_id: None,
            family_name: "Mbarga".into(),
            given_names: "Jeanne".into(),
            sex: Sex::Female,
            birth_date: BirthDate { date: "1990-03-02".into(), estimated: false },
            region: "LT".into(),
            health_district: "Deido".into(),
            phone: Some("+237670000001".into()),
            email: None,
            next_of_kin: None,
            registered_at_facility: self.facility,
        };
        self.append(patient_id, NewEvent::typed(&registered, ledger::system::now()).expect("event")).await;
        patient_id
    }

    pub async fn append(&self, patient_id: Uuid, event: NewEvent) {
        let request =
            AppendRequest::new(StreamId::patient(patient_id), ExpectedVersion::Any, Actor::system(), vec![event]);
        self.ledger.append(request).await.expect("append");
    }

    pub fn staff(&self, role: Role, facility: Uuid) -> Principal {
        Principal { account_id: Uuid::now_v7(), role, facility_id: Some(facility), patient_id: None, region: None }
    }

    /// A member of the world's facility's staff, as its administrator registers them; `contact` is a
    /// phone number, or an e-mail address when it holds `@`.
    pub fn member(&self, role: Role, login: &str, contact: &str, printed: bool) -> RegisterStaff {
        let (phone, email) =
            if contact.contains('@') { (None, Some(contact.to_owned())) } else { (Some(contact.to_owned()), None) };
        RegisterStaff {
            account_id: Uuid::now_v7(),
            professional_id: login.to_owned(),
            role,
            facility_id: Some(self.facility),
            region: None,
            family_name: "Abena".into(),
            given_names: "Marie".into(),
            phone,
            email,
            registered_by: Role::FacilityAdministrator,
            delivery: if printed { ActivationDelivery::Printed } else { ActivationDelivery::ToContact },
        }
    }

    pub async fn messages_queued(&self) -> usize {
        self.outbox.claim_due(ledger::system::now(), Duration::from_secs(60), 100).await.expect("outbox").len()
    }
}

/// Runs each named scenario (an `async fn(postgres: bool)`) on both backends.
#[macro_export]
macro_rules! on_both_backends {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(#[tokio::test(flavor = "multi_thread")]
            async fn $name() {
                super::$name(false).await
            })*
        }
        mod postgres {
            $(#[tokio::test(flavor = "multi_thread")]
            async fn $name() {
                super::$name(true).await
            })*
        }
    };
}
