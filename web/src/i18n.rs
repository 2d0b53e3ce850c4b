//! The pages' texts, in French and English: Project Fluent files (`locales/<language>/*.ftl`) embedded
//! in the binary, and the language a visitor reads, chosen by a form, remembered in a cookie, and
//! otherwise taken from `Accept-Language` (French, the language most of the country reads, when
//! nothing matches).
//!
//! Code names texts by their message id only; a test checks that both languages hold exactly the same
//! ids and that every id the code names exists, so a missing text is a failed test, never a page
//! showing an id. Should one slip through anyway, the id is shown and a warning logged: a page is
//! never refused for want of a text.

use axum::http::{header, HeaderMap};
use fluent_bundle::concurrent::FluentBundle;
use fluent_bundle::{FluentArgs, FluentResource, FluentValue};
use std::sync::OnceLock;

/// A language the pages are written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Language {
    #[default]
    French,
    English,
}

/// Every translation file, by language, in the order they are loaded.
const FILES: [(&str, &str, &str); 5] = [
    ("common", include_str!("../locales/fr/common.ftl"), include_str!("../locales/en/common.ftl")),
    ("sign-in", include_str!("../locales/fr/sign-in.ftl"), include_str!("../locales/en/sign-in.ftl")),
    ("home", include_str!("../locales/fr/home.ftl"), include_str!("../locales/en/home.ftl")),
    ("portal", include_str!("../locales/fr/portal.ftl"), include_str!("../locales/en/portal.ftl")),
    ("workspace", include_str!("../locales/fr/workspace.ftl"), include_str!("../locales/en/workspace.ftl")),
];

impl Language {
    pub const ALL: [Language; 2] = [Language::French, Language::English];

    /// The language's code, as `lang` attributes, the cookie and forms write it.
    pub fn code(self) -> &'static str {
        match self {
            Language::French => "fr",
            Language::English => "en",
        }
    }

    pub fn from_code(code: &str) -> Option<Language> {
        match code.trim().to_ascii_lowercase().as_str() {
            "fr" => Some(Language::French),
            "en" => Some(Language::English),
            _ => None,
        }
    }

    /// The language a request is answered in: the one its cookie remembers, else the first of French
    /// and English that `Accept-Language` prefers, else French.
    pub fn of_request(headers: &HeaderMap) -> Language {
        if let Some(language) = crate::cookies::get(headers, crate::cookies::LANGUAGE).and_then(Language::from_code) {
            return language;
        }
        let accepted = headers.get(header::ACCEPT_LANGUAGE).and_then(|value| value.to_str().ok()).unwrap_or("");
        preferred(accepted)
    }

    /// The text of message `id`.
    pub fn t(self, id: &str) -> String {
        texts().format(self, id, None)
    }

    /// The text of message `id` with its arguments.
    pub fn t_with(self, id: &str, arguments: &[(&str, FluentValue<'_>)]) -> String {
        let mut args = FluentArgs::new();
        for (name, value) in arguments {
            args.set(*name, value.clone());
        }
        texts().format(self, id, Some(&args))
    }
}

/// The language an `Accept-Language` header prefers among French and English, by quality and then by
/// order; French if it names neither.
pub fn preferred(header: &str) -> Language {
    let mut best: Option<(f32, Language)> = None;
    for item in header.split(',') {
        let mut parts = item.split(';').map(str::trim);
        let range = parts.next().unwrap_or("");
        let primary = range.split('-').next().unwrap_or("");
        let Some(language) = Language::from_code(primary) else { continue };
        let quality = parts
            .find_map(|parameter| parameter.strip_prefix("q="))
            .and_then(|q| q.trim().parse::<f32>().ok())
            .unwrap_or(1.0);
        if quality > 0.0 && best.is_none_or(|(best, _)| quality > best) {
            best = Some((quality, language));
        }
    }
    best.map(|(_, language)| language).unwrap_or_default()
}

/// Both languages' bundles, parsed once.
pub struct Texts {
    french: FluentBundle<FluentResource>,
    english: FluentBundle<FluentResource>,
}

/// The texts, parsed the first time a page needs them. A file that does not parse (which the tests
/// catch first) loses only its broken entries: Fluent recovers at the next message.
pub fn texts() -> &'static Texts {
    static TEXTS: OnceLock<Texts> = OnceLock::new();
    TEXTS.get_or_init(|| Texts { french: bundle(Language::French), english: bundle(Language::English) })
}

fn bundle(language: Language) -> FluentBundle<FluentResource> {
    let identifier: unic_langid::LanguageIdentifier = language.code().parse().unwrap_or_default();
    let mut bundle = FluentBundle::new_concurrent(vec![identifier]);
    // The pages are written left to right only; isolation marks around arguments would only add
    // invisible characters to names and numbers.
    bundle.set_use_isolating(false);
    for (name, french, english) in FILES {
        let source = if language == Language::French { french } else { english };
        let resource = FluentResource::try_new(source.to_owned()).unwrap_or_else(|(partial, errors)| {
            tracing::warn!(file = name, language = language.code(), errors = errors.len(), "web.i18n.unparsed");
            partial
        });
        if let Err(errors) = bundle.add_resource(resource) {
            tracing::warn!(file = name, language = language.code(), errors = errors.len(), "web.i18n.duplicate");
        }
    }
    bundle
}

impl Texts {
    fn format(&self, language: Language, id: &str, args: Option<&FluentArgs<'_>>) -> String {
        let bundle = match language {
            Language::French => &self.french,
            Language::English => &self.english,
        };
        let Some(pattern) = bundle.get_message(id).and_then(|message| message.value()) else {
            tracing::warn!(id, language = language.code(), "web.i18n.missing_text");
            return id.to_owned();
        };
        let mut errors = Vec::new();
        let text = bundle.format_pattern(pattern, args, &mut errors).into_owned();
        if !errors.is_empty() {
            tracing::warn!(id, language = language.code(), "web.i18n.format_error");
        }
        text
    }

    /// Whether `language` has message `id`.
    pub fn has(&self, language: Language, id: &str) -> bool {
        match language {
            Language::French => self.french.has_message(id),
            Language::English => self.english.has_message(id),
        }
    }
}

/// The message ids a translation file defines: Fluent starts a message at the beginning of a line with
/// its identifier and `=` (terms start with `-`, comments with `#`, continuations are indented).
pub fn message_ids(source: &str) -> Vec<&str> {
    source
        .lines()
        .filter_map(|line| {
            let (name, _) = line.split_once('=')?;
            let name = name.trim_end();
            let mut characters = name.chars();
            let starts = characters.next().is_some_and(|c| c.is_ascii_alphabetic());
            (starts && characters.all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')).then_some(name)
        })
        .collect()
}

/// Every translation file: name, French source, English source.
pub fn files() -> &'static [(&'static str, &'static str, &'static str)] {
    &FILES
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    fn ids(language: Language) -> BTreeSet<String> {
        files()
            .iter()
            .flat_map(|(_, french, english)| message_ids(if language == Language::French { french } else { english }))
            .map(str::to_owned)
            .collect()
    }

    #[test]
    fn both_languages_have_exactly_the_same_messages() {
        for (name, french, english) in files() {
            let french: BTreeSet<&str> = message_ids(french).into_iter().collect();
            let english: BTreeSet<&str> = message_ids(english).into_iter().collect();
            assert_eq!(french.difference(&english).collect::<Vec<_>>(), Vec::<&&str>::new(), "{name}: only in French");
            assert_eq!(english.difference(&french).collect::<Vec<_>>(), Vec::<&&str>::new(), "{name}: only in English");
        }
    }

    #[test]
    fn every_file_parses_and_every_message_has_a_text() {
        for (name, french, english) in files() {
            for source in [french, english] {
                assert!(FluentResource::try_new(source.to_string()).is_ok(), "{name} does not parse");
            }
        }
        for language in Language::ALL {
            for id in ids(language) {
                assert!(texts().has(language, &id), "{id} in {language:?}");
            }
        }
    }

    /// Every message id the code names (the string literal opening the arguments of `.t(`, `.t_with(`
    /// or `id!(`), found in the sources, exists in both languages; and every message is used.
    #[test]
    fn every_id_the_code_names_exists_and_every_message_is_used() {
        let mut used = BTreeSet::new();
        let sources = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
        let mut stack = vec![sources];
        while let Some(path) = stack.pop() {
            if path.is_dir() {
                for entry in std::fs::read_dir(&path).unwrap() {
                    stack.push(entry.unwrap().path());
                }
            } else if path.extension().is_some_and(|extension| extension == "rs") {
                let text = std::fs::read_to_string(&path).unwrap();
                for opening in [".t(", ".t_with(", "id!("] {
                    for (at, _) in text.match_indices(opening) {
                        // The id is the string literal that opens the arguments, if one does.
                        let Some(rest) = text[at + opening.len()..].trim_start().strip_prefix('"') else { continue };
                        let id = &rest[..rest.find('"').unwrap()];
                        // A literal that is no id (the search strings above) is not one.
                        if !id.is_empty() && id.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') {
                            used.insert(id.to_owned());
                        }
                    }
                }
            }
        }
        for id in &used {
            for language in Language::ALL {
                assert!(texts().has(language, id), "`{id}` is used in the code but has no {language:?} text");
            }
        }
        let unused: Vec<String> = ids(Language::French).difference(&used).cloned().collect();
        assert!(unused.is_empty(), "messages no page uses: {unused:?}");
    }

    #[test]
    fn the_language_comes_from_accept_language_and_french_otherwise() {
        assert_eq!(preferred("en-GB,en;q=0.9"), Language::English);
        assert_eq!(preferred("fr-CM,fr;q=0.9,en;q=0.8"), Language::French);
        assert_eq!(preferred("de-DE,en;q=0.5,fr;q=0.7"), Language::French);
        assert_eq!(preferred("de-DE,en;q=0.5"), Language::English);
        assert_eq!(preferred("en;q=0,de"), Language::French);
        assert_eq!(preferred(""), Language::French);
        assert_eq!(preferred("ewondo"), Language::French);
    }

    #[test]
    fn arguments_and_plurals_are_formatted() {
        let minutes = |language: Language, n: i64| language.t_with("error-too-many", &[("minutes", n.into())]);
        assert!(minutes(Language::English, 1).contains("one minute"));
        assert!(minutes(Language::English, 15).contains("15 minutes"));
        assert!(minutes(Language::French, 15).contains("15 minutes"));
        assert_eq!(Language::French.t("month-8"), "août");
    }
}
