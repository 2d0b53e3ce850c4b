//! Patients' demographics and the keys staff find them by.

use super::{decode, Projector};
use crate::context::Context;
use crate::table::Table;
use crate::write::{Value, Write};
use crate::{columns, micros, ProjectionError};
use event_schema::events::patient::{PatientMerged, PatientRegistered};
use event_schema::{Catalog, Entry, EventPayload};

pub static PATIENTS: Table = Table {
    name: "rm_patients",
    columns: columns![
        text "patient_id", text "health_id", text "national_id", text "family_name", text "given_names",
        text "family_key", text "sex", text "birth_date", int "birth_date_estimated", text "region",
        text "health_district", text "registered_at_facility", int "registered_at", text "merged_into",
        int "position",
    ],
    key: &["patient_id"],
};

/// A name folded for search: lower-case ASCII letters only, accents dropped, so that "Ngo Bassa",
/// "NGO-BASSA" and "Ngô Bassa" find one another.
pub fn search_key(name: &str) -> String {
    name.chars()
        .flat_map(char::to_lowercase)
        .map(|c| match c {
            'à' | 'á' | 'â' | 'ã' | 'ä' | 'å' => 'a',
            'ç' => 'c',
            'è' | 'é' | 'ê' | 'ë' => 'e',
            'ì' | 'í' | 'î' | 'ï' => 'i',
            'ñ' => 'n',
            'ò' | 'ó' | 'ô' | 'õ' | 'ö' => 'o',
            'ù' | 'ú' | 'û' | 'ü' => 'u',
            'ý' | 'ÿ' => 'y',
            other => other,
        })
        .filter(char::is_ascii_lowercase)
        .collect()
}

pub struct Patients;

impl Projector for Patients {
    fn name(&self) -> &'static str {
        "patients"
    }

    fn tables(&self) -> &'static [&'static Table] {
        static OWN: [&Table; 1] = [&PATIENTS];
        &OWN
    }

    fn project(
        &self,
        entry: &Entry,
        catalog: &Catalog,
        _: &Context,
        out: &mut Vec<Write>,
    ) -> Result<(), ProjectionError> {
        let position = Value::from(entry.position);
        match entry.event_type.as_str() {
            PatientRegistered::EVENT_TYPE => {
                let e: PatientRegistered = decode(catalog, entry)?;
                let sex = serde_json::to_value(e.sex).ok().and_then(|v| v.as_str().map(str::to_owned));
                let family_key = search_key(&e.family_name);
                out.push(Write::Insert {
                    table: &PATIENTS,
                    row: vec![
                        e.patient_id.into(),
                        e.health_id.into(),
                        e.national_id.into(),
                        e.family_name.into(),
                        e.given_names.into(),
                        family_key.into(),
                        Value::Text(sex),
                        e.birth_date.date.into(),
                        e.birth_date.estimated.into(),
                        e.region.into(),
                        e.health_district.into(),
                        e.registered_at_facility.into(),
                        micros(&entry.occurred_at).into(),
                        Value::Text(None),
                        position,
                    ],
                });
            }
            PatientMerged::EVENT_TYPE => {
                let e: PatientMerged = decode(catalog, entry)?;
                out.push(Write::Sql {
                    sql: "UPDATE rm_patients SET merged_into = $2, position = $3 WHERE patient_id = $1",
                    params: vec![e.patient_id.into(), e.merged_into.into(), position],
                });
            }
            _ => {}
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn names_fold_for_search() {
        assert_eq!(super::search_key("Ngô-BASSA"), "ngobassa");
        assert_eq!(super::search_key("Éyénga Ondoa"), "eyengaondoa");
    }
}
