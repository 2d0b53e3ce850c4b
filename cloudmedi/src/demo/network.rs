//! The health network: facilities across the regions, their administrators and clinical staff, and the
//! national accounts, registered as the command API would register them.

use super::calendar::{cameroon_day, clinic_time, instant, Clock};
use super::outbreaks::Outbreak;
use super::people::{email_address, mobile_number, person_name, CENTRE, LITTORAL};
use super::pipeline::{single_append, Job};
use super::rng::{pick, Rng};
use super::tables::Tables;
use crate::demo_accounts::DemoLogin;
use anyhow::{anyhow, bail};
use chrono::{DateTime, Duration, Utc};
use domain::facility::{self, FacilityEvent, RegisterFacility};
use domain::reference;
use domain::staff::{self, ActivationDelivery, RegisterStaff, StaffEvent};
use event_schema::events::facility::{FacilityLevel, FacilityOwnership};
use event_schema::events::patient::Sex;
use event_schema::{Actor, Role, Timestamp};
use ledger::NewEvent;
use serde::Deserialize;
use std::collections::HashMap;
use uuid::Uuid;

pub(super) fn level_rank(level: FacilityLevel) -> usize {
    match level {
        FacilityLevel::ReferenceHospital => 0,
        FacilityLevel::RegionalHospital => 1,
        FacilityLevel::DistrictHospital => 2,
        FacilityLevel::HealthCentre => 3,
        FacilityLevel::PrivateClinic => 4,
    }
}

/// A facility as patients meet it.
pub(super) struct Facility {
    pub(super) id: Uuid,
    pub(super) level: FacilityLevel,
    /// An index into the tables' regions.
    pub(super) region: usize,
    pub(super) district: usize,
    pub(super) english: bool,
    pub(super) team: Team,
    /// How many patients choose it, relative to others of its region.
    pub(super) attraction: f64,
}

impl Facility {
    pub(super) fn hospital(&self) -> bool {
        matches!(
            self.level,
            FacilityLevel::ReferenceHospital | FacilityLevel::RegionalHospital | FacilityLevel::DistrictHospital
        )
    }
}

/// A facility's clinical staff, as the actors of what they record. Every list has at least one member.
#[derive(Default)]
pub(super) struct Team {
    pub(super) doctors: Vec<Actor>,
    pub(super) nurses: Vec<Actor>,
    pub(super) laboratory: Vec<Actor>,
    pub(super) clerks: Vec<Actor>,
}

/// The facilities, their staff, and the reference tables everyone draws from.
pub(super) struct Network {
    pub(super) tables: &'static Tables,
    pub(super) facilities: Vec<Facility>,
    /// The members of staff who get a development account (`demo_accounts`).
    pub(super) logins: Vec<DemoLogin>,
    /// Per region, its facilities' indexes.
    pub(super) by_region: Vec<Vec<usize>>,
    /// Per region, the hospital patients are referred to.
    pub(super) referral: Vec<usize>,
}

impl Network {
    /// Decides the facilities and their staff, and the jobs that register them. Facilities come
    /// first in the regional capitals (so every region has a hospital), then spread by population;
    /// an outbreak's district that none was drawn in gets a health centre last, where its cases are seen.
    pub(super) fn build(
        tables: &'static Tables,
        seed: u64,
        target: u64,
        clock: &Clock,
    ) -> anyhow::Result<(Network, Vec<Job>)> {
        let (regions, names) = (&tables.regions, &tables.names);
        let mut rng = Rng::new(seed, u64::MAX);
        // A regional hospital per region, then one more facility per 5,000 events.
        let count = (regions.len() as u64 + target / 5_000).min(300) as usize;
        // Small runs get small teams, so that patients, not staff, make most of the data.
        let scale = (target as f64 / 400_000.0).min(1.0);
        let mut jobs = Vec::new();

        let admin_at = instant(clock.go_live - Duration::days(30), 600);
        let administrator =
            Actor { account_id: rng.uuid_at(admin_at), role: Role::SystemAdministrator, facility_id: None };
        let (family, given) = person_name(&mut rng, names, &regions[CENTRE], Sex::Female);
        let phone = Some(mobile_number(&mut rng, names));
        let system_administrator = RegisterStaff {
            account_id: administrator.account_id,
            professional_id: "MINSANTE-ADM-001".into(),
            role: Role::SystemAdministrator,
            facility_id: None,
            region: None,
            family_name: family,
            given_names: given,
            phone,
            email: None,
            registered_by: Role::System,
            delivery: ActivationDelivery::Printed,
        };
        jobs.push(staff_job(&mut rng, &Actor::system(), admin_at, system_administrator.clone())?);

        let mut logins = vec![DemoLogin { command: system_administrator, facility: None }];
        // An auditor and an analyst, appointed by the system administrator, so that a first try can
        // see the ledger as an auditor does and the statistics as the ministry does.
        for (role, professional_id, days) in
            [(Role::Auditor, "MINSANTE-AUD-001", 2), (Role::HealthAuthorityAnalyst, "MINSANTE-ANA-001", 3)]
        {
            let appointed_at = admin_at + Duration::days(days);
            let sex = if rng.chance(0.5) { Sex::Female } else { Sex::Male };
            let (family, given) = person_name(&mut rng, names, &regions[CENTRE], sex);
            let command = RegisterStaff {
                account_id: rng.uuid_at(appointed_at),
                professional_id: professional_id.into(),
                role,
                facility_id: None,
                region: None,
                family_name: family,
                given_names: given,
                phone: Some(mobile_number(&mut rng, names)),
                email: None,
                registered_by: Role::SystemAdministrator,
                delivery: ActivationDelivery::ToContact,
            };
            jobs.push(staff_job(&mut rng, &administrator, appointed_at, command.clone())?);
            logins.push(DemoLogin { command, facility: None });
        }
        // Accounts at the regional hospitals of the Centre (Yaoundé) and the Littoral (Douala), the first
        // district hospital and the first health centre: each kind of facility a first try would look at.
        let mut account_levels = vec![FacilityLevel::DistrictHospital, FacilityLevel::HealthCentre];

        let mut names_given: HashMap<String, u32> = HashMap::new();
        let mut has_district_hospital = vec![Vec::<usize>::new(); regions.len()];
        let weights: Vec<f64> = regions.iter().map(|region| region.population).collect();
        let mut facilities = Vec::with_capacity(count);
        for index in 0.. {
            let uncovered = |outbreak: &&Outbreak| {
                !facilities.iter().any(|f: &Facility| f.region == outbreak.region && f.district == outbreak.district)
            };
            let outbreak = if index < count {
                None
            } else {
                match tables.outbreaks.list.iter().find(uncovered) {
                    Some(outbreak) => Some((outbreak.region, outbreak.district)),
                    None => break,
                }
            };
            let (region_index, level, ownership, district) = if let Some((region, district)) = outbreak {
                (region, FacilityLevel::HealthCentre, FacilityOwnership::Public, district)
            } else if index < regions.len() {
                (index, FacilityLevel::RegionalHospital, FacilityOwnership::Public, 0)
            } else if index < regions.len() + 2 && count >= 20 {
                // The two general hospitals are in the largest cities.
                let region = if index == regions.len() { CENTRE } else { LITTORAL };
                (region, FacilityLevel::ReferenceHospital, FacilityOwnership::Public, 0)
            } else {
                let region_index = rng.weighted(&weights);
                let districts = regions[region_index].districts.len() as u64;
                let district = rng.below(districts) as usize;
                let (level, ownership) = match rng.weighted(&[20.0, 48.0, 12.0, 20.0]) {
                    0 if !has_district_hospital[region_index].contains(&district) => {
                        has_district_hospital[region_index].push(district);
                        (FacilityLevel::DistrictHospital, FacilityOwnership::Public)
                    }
                    0 | 1 => (FacilityLevel::HealthCentre, FacilityOwnership::Public),
                    2 => (FacilityLevel::HealthCentre, FacilityOwnership::FaithBased),
                    _ if rng.chance(0.3) => (FacilityLevel::PrivateClinic, FacilityOwnership::FaithBased),
                    _ => (FacilityLevel::PrivateClinic, FacilityOwnership::Private),
                };
                (region_index, level, ownership, district)
            };
            let region = &regions[region_index];
            let capital = reference::region(&region.code).map_or(region.districts[0].as_str(), |r| r.capital.as_str());
            let town = if district == 0 && level != FacilityLevel::HealthCentre {
                capital
            } else {
                region.districts[district].as_str()
            };
            let mut name = tables.facility_names.name(&mut rng, level, ownership, town, region.english);
            let seen = names_given.entry(name.clone()).or_insert(0);
            *seen += 1;
            if *seen > 1 {
                name = format!("{name} {}", roman(*seen));
            }
            let with_accounts = index == CENTRE || index == LITTORAL || account_levels.contains(&level);
            if with_accounts {
                account_levels.retain(|other| *other != level);
            }
            let facility_name = name.clone();
            let registered_on = clock.go_live + Duration::days(rng.between(0, 30));
            let registered_at = clinic_time(&mut rng, registered_on);
            let facility_id = rng.uuid_at(registered_at);
            let events = facility::decide_register(
                None,
                RegisterFacility {
                    facility_id,
                    name,
                    level,
                    ownership,
                    region: region.code.clone(),
                    health_district: region.districts[district].clone(),
                },
            )
            .map_err(|error| anyhow!("the domain refused a facility the demo planned: {error:?}"))?;
            let mut new_events = Vec::new();
            for FacilityEvent::Registered(registered) in &events {
                new_events.push(NewEvent::typed(registered, Timestamp::from_datetime(registered_at))?);
            }
            jobs.push(single_append(
                &mut rng,
                format!("facility:{facility_id}"),
                &administrator,
                registered_at,
                new_events,
            )?);

            // The facility's administrator, appointed by the system administrator, registers the rest.
            let appointed_at = registered_at + Duration::days(rng.between(1, 5));
            let prefix = format!("{}{:04}", region.code, index + 1);
            let admin_id = rng.uuid_at(appointed_at);
            let sex = if rng.chance(0.5) { Sex::Female } else { Sex::Male };
            let (family, given) = person_name(&mut rng, names, region, sex);
            let phone = Some(mobile_number(&mut rng, names));
            let appointment = RegisterStaff {
                account_id: admin_id,
                professional_id: format!("{prefix}-ADM01"),
                role: Role::FacilityAdministrator,
                facility_id: Some(facility_id),
                region: None,
                family_name: family,
                given_names: given,
                phone,
                email: None,
                registered_by: Role::SystemAdministrator,
                delivery: ActivationDelivery::ToContact,
            };
            if with_accounts {
                logins.push(DemoLogin { command: appointment.clone(), facility: Some(facility_name.clone()) });
            }
            jobs.push(staff_job(&mut rng, &administrator, appointed_at, appointment)?);
            let facility_admin =
                Actor { account_id: admin_id, role: Role::FacilityAdministrator, facility_id: Some(facility_id) };
            let full: [usize; 4] = match level {
                FacilityLevel::ReferenceHospital => [14, 24, 6, 5],
                FacilityLevel::RegionalHospital => [8, 16, 4, 3],
                FacilityLevel::DistrictHospital => [4, 9, 2, 2],
                FacilityLevel::HealthCentre => [1, 3, 1, 1],
                FacilityLevel::PrivateClinic => [2, 4, 1, 1],
            };
            let mut team = Team::default();
            for (kind, (role, code)) in [
                (Role::Doctor, "DR"),
                (Role::Nurse, "RN"),
                (Role::LabTechnician, "LAB"),
                (Role::RegistrationClerk, "REG"),
            ]
            .into_iter()
            .enumerate()
            {
                let members = ((full[kind] as f64 * scale).round() as usize).max(1);
                for member in 0..members {
                    let hired_on = cameroon_day(appointed_at + Duration::days(rng.between(1, 20)));
                    let hired_at = clinic_time(&mut rng, hired_on);
                    let account_id = rng.uuid_at(hired_at);
                    let sex = match role {
                        Role::Nurse if rng.chance(0.7) => Sex::Female,
                        _ if rng.chance(0.45) => Sex::Female,
                        _ => Sex::Male,
                    };
                    let (family, given) = person_name(&mut rng, names, region, sex);
                    let email = rng.chance(0.3).then(|| email_address(&mut rng, names, &family, &given));
                    let phone = Some(mobile_number(&mut rng, names));
                    let hire = RegisterStaff {
                        account_id,
                        professional_id: format!("{prefix}-{code}{:02}", member + 1),
                        role,
                        facility_id: Some(facility_id),
                        region: None,
                        family_name: family,
                        given_names: given,
                        phone,
                        email,
                        registered_by: Role::FacilityAdministrator,
                        delivery: ActivationDelivery::ToContact,
                    };
                    if with_accounts && member == 0 {
                        logins.push(DemoLogin { command: hire.clone(), facility: Some(facility_name.clone()) });
                    }
                    jobs.push(staff_job(&mut rng, &facility_admin, hired_at, hire)?);
                    let actor = Actor { account_id, role, facility_id: Some(facility_id) };
                    match role {
                        Role::Doctor => team.doctors.push(actor),
                        Role::Nurse => team.nurses.push(actor),
                        Role::LabTechnician => team.laboratory.push(actor),
                        _ => team.clerks.push(actor),
                    }
                }
            }
            let attraction = match level {
                FacilityLevel::ReferenceHospital => 6.0,
                FacilityLevel::RegionalHospital => 5.0,
                FacilityLevel::DistrictHospital => 3.0,
                FacilityLevel::HealthCentre => 2.0,
                FacilityLevel::PrivateClinic => 1.0,
            };
            facilities.push(Facility {
                id: facility_id,
                level,
                region: region_index,
                district,
                english: region.english,
                team,
                attraction,
            });
        }
        let mut by_region = vec![Vec::new(); regions.len()];
        for (index, facility) in facilities.iter().enumerate() {
            by_region[facility.region].push(index);
        }
        // Facilities 0 to 9 are the regional hospitals, in the order of `regions.toml`.
        let referral = (0..regions.len()).collect();
        Ok((Network { tables, facilities, by_region, referral, logins }, jobs))
    }
}

fn roman(number: u32) -> &'static str {
    match number {
        2 => "II",
        3 => "III",
        4 => "IV",
        5 => "V",
        6 => "VI",
        7 => "VII",
        8 => "VIII",
        9 => "IX",
        _ => "X",
    }
}

/// How facilities are named, in French and in English (`data/demo/facilities.toml`).
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct FacilityNames {
    french: Naming,
    english: Naming,
}

/// Patterns of names by level: `{town}` is the facility's town, `{name}` a denomination or a clinic's name.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Naming {
    reference_hospital: String,
    regional_hospital: String,
    district_hospital: String,
    health_centre: String,
    faith_based_health_centre: String,
    denominations: Vec<String>,
    private_clinic: String,
    clinic_names: Vec<String>,
}

impl FacilityNames {
    /// A facility's name; faith-based health centres and private clinics draw theirs from a list.
    fn name(
        &self,
        rng: &mut Rng,
        level: FacilityLevel,
        ownership: FacilityOwnership,
        town: &str,
        english: bool,
    ) -> String {
        let naming = if english { &self.english } else { &self.french };
        let (pattern, name) = match (level, ownership) {
            (FacilityLevel::ReferenceHospital, _) => (&naming.reference_hospital, ""),
            (FacilityLevel::RegionalHospital, _) => (&naming.regional_hospital, ""),
            (FacilityLevel::DistrictHospital, _) => (&naming.district_hospital, ""),
            (FacilityLevel::HealthCentre, FacilityOwnership::FaithBased) => {
                (&naming.faith_based_health_centre, pick(rng, &naming.denominations))
            }
            (FacilityLevel::HealthCentre, _) => (&naming.health_centre, ""),
            (FacilityLevel::PrivateClinic, _) => (&naming.private_clinic, pick(rng, &naming.clinic_names)),
        };
        pattern.replace("{name}", name).replace("{town}", town)
    }

    pub(super) fn check(&self) -> anyhow::Result<()> {
        for naming in [&self.french, &self.english] {
            let plain = [
                &naming.reference_hospital,
                &naming.regional_hospital,
                &naming.district_hospital,
                &naming.health_centre,
            ];
            let drawn = [
                (&naming.faith_based_health_centre, &naming.denominations),
                (&naming.private_clinic, &naming.clinic_names),
            ];
            if plain.iter().any(|pattern| !pattern.contains("{town}") || pattern.contains("{name}"))
                || drawn.iter().any(|(pattern, names)| {
                    !pattern.contains("{town}") || !pattern.contains("{name}") || names.is_empty()
                })
            {
                bail!("facilities.toml has a pattern without {{town}}, or a {{name}} without names to draw");
            }
        }
        Ok(())
    }
}

/// Registers a member of staff as the command API does, minus the account: demo staff have no
/// credentials and never log in.
pub(super) fn staff_job(
    rng: &mut Rng,
    actor: &Actor,
    at: DateTime<Utc>,
    command: RegisterStaff,
) -> anyhow::Result<Job> {
    let account_id = command.account_id;
    let decided = staff::decide_register(None, command)
        .map_err(|error| anyhow!("the domain refused a member of staff the demo planned: {error:?}"))?;
    let mut events = Vec::new();
    for event in &decided {
        if let StaffEvent::Registered(registered) = event {
            events.push(NewEvent::typed(registered, Timestamp::from_datetime(at))?);
        }
    }
    single_append(rng, format!("staff:{account_id}"), actor, at, events)
}
