//! The WHO ICD-10 code list (`data/icd10/icd10_who_2019.tsv`, 2019 edition: its source and licence
//! terms are in `data/icd10/README.md`), against which every ICD-10 code of the record is checked, and
//! which gives each code its title.
//!
//! # Which codes a diagnosis may carry
//!
//! Every three-character category and four- or five-character subcategory of the list is a code; a
//! diagnosis may carry any of them except a category that WHO subdivides. ICD-10's instruction manual
//! (volume 2) asks for the fourth character wherever the classification provides one, and every
//! subdivided category has a subcategory for the unspecified case (`A00.9`, "Cholera, unspecified"), so
//! a clinician who knows only "cholera" still has a code; refusing `A00` keeps the statistics at the
//! level of detail WHO reports at. Categories without subcategories (`I10`, `B54`) are codes as they
//! stand.

use std::sync::OnceLock;

const LIST: &str = include_str!("../../data/icd10/icd10_who_2019.tsv");

/// The edition the list is, as named in messages.
pub const EDITION: &str = "WHO ICD-10, 2019";

/// The list as (code, title) pairs sorted by code, parsed once. A line without a tab (which the file
/// has none of; a test reads every line) is skipped rather than trusted.
fn codes() -> &'static [(&'static str, &'static str)] {
    static CODES: OnceLock<Vec<(&'static str, &'static str)>> = OnceLock::new();
    CODES.get_or_init(|| {
        let mut codes: Vec<(&str, &str)> = LIST.lines().filter_map(|line| line.split_once('\t')).collect();
        codes.sort_unstable_by(|a, b| a.0.cmp(b.0));
        codes
    })
}

/// The title WHO gives `code` (in its canonical form, e.g. `B50.9`), if the list has it.
pub fn title(code: &str) -> Option<&'static str> {
    let codes = codes();
    codes.binary_search_by(|(listed, _)| (*listed).cmp(code)).ok().map(|index| codes[index].1)
}

/// The subcategories of a category (`A00` → `A00.0`, `A00.1`, `A00.9`), in code order.
pub fn subcategories(category: &str) -> impl Iterator<Item = (&'static str, &'static str)> + '_ {
    let codes = codes();
    let start = codes.partition_point(|(listed, _)| *listed <= category);
    codes[start..]
        .iter()
        .copied()
        .take_while(move |(listed, _)| listed.strip_prefix(category).is_some_and(|rest| rest.starts_with('.')))
}

/// Why a well-formed code cannot be recorded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// Not in the list.
    Unknown,
    /// A category WHO subdivides: one of its subcategories is needed; `example` is the unspecified one
    /// when there is one.
    Subdivided { title: &'static str, example: (&'static str, &'static str) },
}

/// Checks a code in canonical form: its title, or why it cannot be recorded.
pub fn check(code: &str) -> Result<&'static str, Refusal> {
    let title = title(code).ok_or(Refusal::Unknown)?;
    let mut subcategories = subcategories(code).peekable();
    let Some(&first) = subcategories.peek() else { return Ok(title) };
    let example = subcategories.find(|(sub, _)| sub.ends_with(".9")).unwrap_or(first);
    Err(Refusal::Subdivided { title, example })
}

/// The field error for a refused code, naming the code, in English then French.
pub fn refusal_message(code: &str, refusal: &Refusal) -> String {
    match refusal {
        Refusal::Unknown => {
            format!("{code} is not a code of {EDITION} / {code} n'est pas un code de la CIM-10 de l'OMS (2019)")
        }
        Refusal::Subdivided { title, example: (example, example_title) } => format!(
            "{code} ({title}) is subdivided: record one of its subcategories, e.g. {example} ({example_title}) / \
             {code} est subdivisé : enregistrez l'une de ses sous-catégories, par ex. {example}"
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_list_is_whole_and_sorted() {
        assert_eq!(LIST.lines().count(), codes().len(), "every line is a code and its title");
        assert!(codes().len() > 12_000);
        assert_eq!(title("A00"), Some("Cholera"));
        assert_eq!(title("B50.9"), Some("Plasmodium falciparum malaria, unspecified"));
        assert_eq!(title("U07.1"), Some("COVID-19, virus identified"));
        assert_eq!(title("B18.00").map(|title| title.starts_with("Chronic viral hepatitis B")), Some(true));
        assert_eq!(title("U99.9"), None);
        assert_eq!(title("A00.9X"), None);
    }

    #[test]
    fn a_subdivided_category_needs_a_subcategory() {
        assert_eq!(check("B54"), Ok("Unspecified malaria"));
        assert_eq!(check("I10"), Ok("Essential (primary) hypertension"));
        assert_eq!(check("U99.9"), Err(Refusal::Unknown));
        assert_eq!(
            check("A00"),
            Err(Refusal::Subdivided { title: "Cholera", example: ("A00.9", "Cholera, unspecified") })
        );
        assert_eq!(subcategories("A00").map(|(code, _)| code).collect::<Vec<_>>(), ["A00.0", "A00.1", "A00.9"]);
        assert!(check("B18.0").is_ok() && check("B18.00").is_ok(), "five characters refine four optionally");
    }
}
