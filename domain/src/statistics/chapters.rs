//! The chapters of ICD-10 (WHO, 2019 edition), which the burden tables group diagnoses by.

/// One chapter: its Roman numeral, the first and last three-character categories it spans, and its
/// title in English and French.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Chapter {
    pub numeral: &'static str,
    pub first: &'static str,
    pub last: &'static str,
    pub title_en: &'static str,
    pub title_fr: &'static str,
}

impl Chapter {
    pub fn title(&self, french: bool) -> &'static str {
        if french {
            self.title_fr
        } else {
            self.title_en
        }
    }

    /// Whether a code (`B50.9`) or category (`B50`) falls in the chapter.
    pub fn holds(&self, code: &str) -> bool {
        let category = code.get(..3).unwrap_or(code);
        self.first <= category && category <= self.last
    }
}

/// The 22 chapters, in order. Chapter XXII (codes for special purposes, `U00`–`U85`, where COVID-19
/// is) is listed last, as WHO numbers it, although its letter sorts before `V`.
pub const CHAPTERS: [Chapter; 22] = [
    chapter(
        "I",
        "A00",
        "B99",
        "Certain infectious and parasitic diseases",
        "Certaines maladies infectieuses et parasitaires",
    ),
    chapter("II", "C00", "D48", "Neoplasms", "Tumeurs"),
    chapter(
        "III",
        "D50",
        "D89",
        "Diseases of the blood and blood-forming organs and certain disorders involving the immune mechanism",
        "Maladies du sang et des organes hématopoïétiques et certains troubles du système immunitaire",
    ),
    chapter(
        "IV",
        "E00",
        "E90",
        "Endocrine, nutritional and metabolic diseases",
        "Maladies endocriniennes, nutritionnelles et métaboliques",
    ),
    chapter("V", "F00", "F99", "Mental and behavioural disorders", "Troubles mentaux et du comportement"),
    chapter("VI", "G00", "G99", "Diseases of the nervous system", "Maladies du système nerveux"),
    chapter("VII", "H00", "H59", "Diseases of the eye and adnexa", "Maladies de l'œil et de ses annexes"),
    chapter(
        "VIII",
        "H60",
        "H95",
        "Diseases of the ear and mastoid process",
        "Maladies de l'oreille et de l'apophyse mastoïde",
    ),
    chapter("IX", "I00", "I99", "Diseases of the circulatory system", "Maladies de l'appareil circulatoire"),
    chapter("X", "J00", "J99", "Diseases of the respiratory system", "Maladies de l'appareil respiratoire"),
    chapter("XI", "K00", "K93", "Diseases of the digestive system", "Maladies de l'appareil digestif"),
    chapter(
        "XII",
        "L00",
        "L99",
        "Diseases of the skin and subcutaneous tissue",
        "Maladies de la peau et du tissu cellulaire sous-cutané",
    ),
    chapter(
        "XIII",
        "M00",
        "M99",
        "Diseases of the musculoskeletal system and connective tissue",
        "Maladies du système ostéo-articulaire, des muscles et du tissu conjonctif",
    ),
    chapter("XIV", "N00", "N99", "Diseases of the genitourinary system", "Maladies de l'appareil génito-urinaire"),
    chapter("XV", "O00", "O99", "Pregnancy, childbirth and the puerperium", "Grossesse, accouchement et puerpéralité"),
    chapter(
        "XVI",
        "P00",
        "P96",
        "Certain conditions originating in the perinatal period",
        "Certaines affections dont l'origine se situe dans la période périnatale",
    ),
    chapter(
        "XVII",
        "Q00",
        "Q99",
        "Congenital malformations, deformations and chromosomal abnormalities",
        "Malformations congénitales et anomalies chromosomiques",
    ),
    chapter(
        "XVIII",
        "R00",
        "R99",
        "Symptoms, signs and abnormal clinical and laboratory findings, not elsewhere classified",
        "Symptômes, signes et résultats anormaux d'examens cliniques et de laboratoire, non classés ailleurs",
    ),
    chapter(
        "XIX",
        "S00",
        "T98",
        "Injury, poisoning and certain other consequences of external causes",
        "Lésions traumatiques, empoisonnements et certaines autres conséquences de causes externes",
    ),
    chapter(
        "XX",
        "V01",
        "Y98",
        "External causes of morbidity and mortality",
        "Causes externes de morbidité et de mortalité",
    ),
    chapter(
        "XXI",
        "Z00",
        "Z99",
        "Factors influencing health status and contact with health services",
        "Facteurs influant sur l'état de santé et motifs de recours aux services de santé",
    ),
    chapter("XXII", "U00", "U99", "Codes for special purposes", "Codes d'utilisation particulière"),
];

const fn chapter(
    numeral: &'static str,
    first: &'static str,
    last: &'static str,
    title_en: &'static str,
    title_fr: &'static str,
) -> Chapter {
    Chapter { numeral, first, last, title_en, title_fr }
}

/// The chapter a code or category falls in.
pub fn chapter_of(code: &str) -> Option<&'static Chapter> {
    CHAPTERS.iter().find(|chapter| chapter.holds(code))
}

/// The chapter with this Roman numeral.
pub fn chapter_numbered(numeral: &str) -> Option<&'static Chapter> {
    CHAPTERS.iter().find(|chapter| chapter.numeral == numeral)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_fall_in_their_chapters() {
        assert_eq!(chapter_of("B50.9").map(|c| c.numeral), Some("I"));
        assert_eq!(chapter_of("D50").map(|c| c.numeral), Some("III"));
        assert_eq!(chapter_of("D48.9").map(|c| c.numeral), Some("II"));
        assert_eq!(chapter_of("H66.9").map(|c| c.numeral), Some("VIII"));
        assert_eq!(chapter_of("T14.9").map(|c| c.numeral), Some("XIX"));
        assert_eq!(chapter_of("U07.1").map(|c| c.numeral), Some("XXII"));
        assert_eq!(chapter_of("W19").map(|c| c.numeral), Some("XX"));
        assert_eq!(chapter_numbered("XXII").map(|c| c.first), Some("U00"));
    }

    #[test]
    fn every_code_of_the_shipped_list_has_a_chapter() {
        let list = include_str!("../../data/icd10/icd10_who_2019.tsv");
        for code in list.lines().filter_map(|line| line.split_once('\t')).map(|(code, _)| code) {
            assert!(chapter_of(code).is_some(), "{code} has no chapter");
        }
    }
}
