//! The reminders' texts: Project Fluent messages kept as data (`templates/fr.ftl`, `templates/en.ftl`,
//! embedded in the binary; an operator may point to a folder of their own), one message per occasion
//! and one for an e-mail's subject (`<occasion>-subject`).
//!
//! Every message is rendered once, for both addressees, when the templates are loaded: a message
//! missing, or naming a variable its occasion does not give, is an error then, at start-up, never a
//! reminder that fails or goes out with a hole at send time.

use event_schema::events::reminder::{Addressee, Occasion, ReminderLanguage};
use fluent_bundle::concurrent::FluentBundle;
use fluent_bundle::{FluentArgs, FluentResource, FluentValue};
use std::path::Path;

/// The variables each occasion's messages are given.
pub fn variables(occasion: Occasion) -> &'static [&'static str] {
    match occasion {
        Occasion::VaccinationDue | Occasion::VaccinationOverdue => &["addressee", "name", "vaccines", "count", "date"],
        Occasion::AppointmentAhead | Occasion::AppointmentToday => &["addressee", "name", "facility", "date", "time"],
        Occasion::AppointmentMissed => &["addressee", "name", "facility"],
        Occasion::LabResultReady => &["addressee", "name"],
    }
}

/// Why the templates cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum TemplateError {
    #[error("the {language} reminder templates cannot be read: {reason}")]
    Unreadable { language: &'static str, reason: String },
    #[error("the {language} reminder template `{message}` is missing")]
    Missing { language: &'static str, message: String },
    #[error("the {language} reminder template `{message}` is wrong: {reason}")]
    Wrong { language: &'static str, message: String, reason: String },
}

/// What a reminder says, filled in.
#[derive(Debug, Clone, Copy)]
pub struct Variables<'a> {
    pub addressee: Addressee,
    /// The patient's first given name.
    pub name: &'a str,
    /// The doses due, written out (`Pentavalent 3, Polio (oral) 3`).
    pub vaccines: &'a str,
    /// How many doses `vaccines` lists.
    pub count: usize,
    /// `dd/mm/yyyy`, as dates are written in Cameroon in both languages.
    pub date: &'a str,
    /// `hh:mm`, Cameroon time.
    pub time: &'a str,
    pub facility: &'a str,
}

/// A reminder's text, and its subject for an e-mail.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rendered {
    pub body: String,
    pub subject: String,
}

/// The templates of both languages, checked.
pub struct Templates {
    french: FluentBundle<FluentResource>,
    english: FluentBundle<FluentResource>,
}

impl std::fmt::Debug for Templates {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Templates")
    }
}

fn bundle(language: ReminderLanguage, text: String) -> Result<FluentBundle<FluentResource>, TemplateError> {
    let name = language.tag();
    let resource = FluentResource::try_new(text).map_err(|(_, errors)| TemplateError::Unreadable {
        language: name,
        reason: errors.iter().map(|error| error.to_string()).collect::<Vec<_>>().join("; "),
    })?;
    let tag = name.parse().map_err(|_| TemplateError::Unreadable { language: name, reason: "language tag".into() })?;
    let mut bundle = FluentBundle::new_concurrent(vec![tag]);
    // No Unicode isolation marks around the values: they would cost two characters each and force
    // every text message into UCS-2.
    bundle.set_use_isolating(false);
    bundle.add_resource(resource).map_err(|errors| TemplateError::Unreadable {
        language: name,
        reason: errors.iter().map(|error| error.to_string()).collect::<Vec<_>>().join("; "),
    })?;
    Ok(bundle)
}

impl Templates {
    /// The templates shipped in the binary.
    pub fn embedded() -> Result<Self, TemplateError> {
        Self::from_texts(include_str!("../templates/fr.ftl").to_owned(), include_str!("../templates/en.ftl").to_owned())
    }

    /// The templates in `folder` (`fr.ftl` and `en.ftl`).
    pub fn from_folder(folder: &Path) -> Result<Self, TemplateError> {
        let read = |language: ReminderLanguage| {
            std::fs::read_to_string(folder.join(format!("{}.ftl", language.tag()))).map_err(|error| {
                TemplateError::Unreadable { language: language.tag(), reason: error.kind().to_string() }
            })
        };
        Self::from_texts(read(ReminderLanguage::French)?, read(ReminderLanguage::English)?)
    }

    /// Templates from the two files' texts, each message rendered once for both addressees.
    pub fn from_texts(french: String, english: String) -> Result<Self, TemplateError> {
        let templates = Self {
            french: bundle(ReminderLanguage::French, french)?,
            english: bundle(ReminderLanguage::English, english)?,
        };
        for language in [ReminderLanguage::French, ReminderLanguage::English] {
            for occasion in Occasion::ALL {
                for addressee in [Addressee::Patient, Addressee::Guardian] {
                    let sample = Variables {
                        addressee,
                        name: "Amina",
                        vaccines: "Penta 3",
                        count: 1,
                        date: "01/02/2026",
                        time: "09:30",
                        facility: "CSI",
                    };
                    templates.render(language, occasion, &sample)?;
                }
            }
        }
        Ok(templates)
    }

    /// The reminder for `occasion` in `language`, filled in with `variables`.
    pub fn render(
        &self,
        language: ReminderLanguage,
        occasion: Occasion,
        variables: &Variables<'_>,
    ) -> Result<Rendered, TemplateError> {
        let bundle = match language {
            ReminderLanguage::French => &self.french,
            ReminderLanguage::English => &self.english,
        };
        let mut args = FluentArgs::new();
        for name in self::variables(occasion) {
            let value: FluentValue<'_> = match *name {
                "addressee" => match variables.addressee {
                    Addressee::Patient => "patient".into(),
                    Addressee::Guardian => "guardian".into(),
                },
                "name" => variables.name.into(),
                "vaccines" => variables.vaccines.into(),
                "count" => variables.count.into(),
                "date" => variables.date.into(),
                "time" => variables.time.into(),
                "facility" => variables.facility.into(),
                _ => continue,
            };
            args.set(*name, value);
        }
        let id = occasion.as_str();
        let format = |message_id: String| -> Result<String, TemplateError> {
            let message = bundle
                .get_message(&message_id)
                .and_then(|message| message.value())
                .ok_or_else(|| TemplateError::Missing { language: language.tag(), message: message_id.clone() })?;
            let mut errors = Vec::new();
            let text = bundle.format_pattern(message, Some(&args), &mut errors).into_owned();
            match errors.first() {
                Some(error) => Err(TemplateError::Wrong {
                    language: language.tag(),
                    message: message_id,
                    reason: error.to_string(),
                }),
                None => Ok(text),
            }
        };
        Ok(Rendered { body: format(id.to_owned())?, subject: format(format!("{id}-subject"))? })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample(addressee: Addressee) -> Variables<'static> {
        Variables {
            addressee,
            name: "Amina",
            vaccines: "Pentavalent 3",
            count: 1,
            date: "12/03/2026",
            time: "09:30",
            facility: "CSI de Bertoua",
        }
    }

    #[test]
    fn the_shipped_templates_load_and_speak_both_languages() {
        let templates = Templates::embedded().unwrap();
        let fr =
            templates.render(ReminderLanguage::French, Occasion::VaccinationDue, &sample(Addressee::Guardian)).unwrap();
        assert_eq!(
            fr.body,
            "CloudMedi : le vaccin de Amina (Pentavalent 3) est prévu le 12/03/2026. Apportez son carnet au centre de santé."
        );
        let en =
            templates.render(ReminderLanguage::English, Occasion::VaccinationDue, &sample(Addressee::Patient)).unwrap();
        assert!(en.body.starts_with("CloudMedi: your vaccine (Pentavalent 3) is due on 12/03/2026."), "{}", en.body);
        assert_eq!(en.subject, "Vaccination due on 12/03/2026");
        let several = Variables { vaccines: "Pentavalent 3, Polio 3", count: 2, ..sample(Addressee::Guardian) };
        let fr = templates.render(ReminderLanguage::French, Occasion::VaccinationDue, &several).unwrap();
        assert!(
            fr.body.starts_with("CloudMedi : les vaccins de Amina (Pentavalent 3, Polio 3) sont prévus"),
            "{}",
            fr.body
        );
        for occasion in Occasion::ALL {
            let text = templates.render(ReminderLanguage::English, occasion, &sample(Addressee::Patient)).unwrap().body;
            assert!(text.is_ascii(), "English texts stay in GSM-7: {text}");
        }
    }

    #[test]
    fn a_template_naming_a_variable_its_occasion_lacks_fails_when_loaded() {
        let english = include_str!("../templates/en.ftl").replace("{$time}, {$facility}.", "{$time}, {$room}.");
        let error = Templates::from_texts(include_str!("../templates/fr.ftl").to_owned(), english).unwrap_err();
        assert!(
            matches!(&error, TemplateError::Wrong { language: "en", message, .. } if message == "appointment_ahead"),
            "{error}"
        );
    }

    #[test]
    fn a_missing_template_fails_when_loaded() {
        let french = include_str!("../templates/fr.ftl").replace("lab_result_ready-subject", "lab_result_ready-sujet");
        let error = Templates::from_texts(french, include_str!("../templates/en.ftl").to_owned()).unwrap_err();
        assert!(matches!(&error, TemplateError::Missing { language: "fr", .. }), "{error}");
    }
}
