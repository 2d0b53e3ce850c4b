//! The nationwide health ID and the national ID card number.
//!
//! A health ID is issued by the system to every patient: `CM`, nine digits and a check digit, written
//! `CM1234567894` when stored and `CM 123 456 789 4` when shown to people. The check digit follows the
//! Damm algorithm, which catches every single-digit error and every transposition of adjacent digits
//! (Luhn misses the transposition `09` / `90`), the two mistakes people make copying a number from a
//! card. This module only makes and checks IDs: uniqueness is the caller's database index, and the
//! randomness comes from the caller, so the domain stays pure and its tests deterministic.

use std::fmt;
use std::str::FromStr;

/// A well-formed health ID in canonical form (`CM` and ten digits, the last a valid check digit).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct HealthId(String);

/// Why a text is not a health ID.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum HealthIdError {
    #[error("a health ID starts with CM")]
    MissingPrefix,
    #[error("a health ID has only digits after CM")]
    NotDigits,
    #[error("a health ID has 10 digits after CM, not {0}")]
    WrongLength(usize),
    #[error("the health ID's check digit does not match: a digit is probably mistyped")]
    WrongCheckDigit,
}

const PREFIX: &str = "CM";
const DIGITS: usize = 10;
/// The nine digits before the check digit never start with 0, so an ID never loses a digit when a
/// spreadsheet or a person reads it as a number.
const FIRST_NUMBER: u64 = 100_000_000;
const NUMBERS: u64 = 900_000_000;

impl HealthId {
    /// Makes a health ID from caller-supplied randomness. The nine digits are spread over
    /// 100000000..=999999999, so any `u64` (from a CSPRNG in production, a counter in tests) gives a
    /// valid ID; the caller retries with fresh randomness if the ID is already taken.
    pub fn generate(random: u64) -> HealthId {
        let number = FIRST_NUMBER + random % NUMBERS;
        let body = number.to_string();
        let check = damm_check_digit(body.bytes().map(|byte| byte - b'0'));
        HealthId(format!("{PREFIX}{body}{check}"))
    }

    /// Reads a health ID as people write it: `cm` in any case, spaces and hyphens anywhere.
    pub fn parse(text: &str) -> Result<HealthId, HealthIdError> {
        let compact: String =
            text.chars().filter(|c| !c.is_whitespace() && *c != '-').map(|c| c.to_ascii_uppercase()).collect();
        let digits = compact.strip_prefix(PREFIX).ok_or(HealthIdError::MissingPrefix)?;
        if !digits.bytes().all(|byte| byte.is_ascii_digit()) {
            return Err(HealthIdError::NotDigits);
        }
        if digits.len() != DIGITS {
            return Err(HealthIdError::WrongLength(digits.len()));
        }
        // Folding the check digit in with the others ends at 0 exactly when it is the right one.
        if damm_check_digit(digits.bytes().map(|byte| byte - b'0')) != 0 {
            return Err(HealthIdError::WrongCheckDigit);
        }
        Ok(HealthId(compact))
    }

    /// The canonical form, e.g. `CM1234567894`, as stored in events and indexes.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The form shown to people, in groups easy to read aloud: `CM 123 456 789 4`.
    pub fn display_grouped(&self) -> String {
        let mut grouped = String::from(PREFIX);
        for (index, digit) in self.0.chars().skip(PREFIX.len()).enumerate() {
            if index % 3 == 0 {
                grouped.push(' ');
            }
            grouped.push(digit);
        }
        grouped
    }
}

impl fmt::Display for HealthId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl FromStr for HealthId {
    type Err = HealthIdError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        HealthId::parse(text)
    }
}

/// Normalises a national ID card number: white space removed, letters uppercased, then 6 to 20
/// characters of A–Z and 0–9. Numbers are written on cards and forms with spaces and in either case,
/// so only this form is stored and compared. The error is a message for the person at the desk.
pub fn normalise_national_id(text: &str) -> Result<String, String> {
    let compact: String = text.chars().filter(|c| !c.is_whitespace()).map(|c| c.to_ascii_uppercase()).collect();
    if !compact.chars().all(|c| c.is_ascii_uppercase() || c.is_ascii_digit()) {
        return Err("a national ID number has only letters A to Z and digits".into());
    }
    if !(6..=20).contains(&compact.len()) {
        return Err("a national ID number has 6 to 20 letters and digits".into());
    }
    // Patients log in with either identifier: one shaped like a health ID would shadow another
    // patient's login.
    if compact.starts_with("CM") && HealthId::parse(&compact).is_ok() {
        return Err("this is a health ID, not a national ID card number".into());
    }
    Ok(compact)
}

/// The order-10 totally anti-symmetric quasigroup of Damm's thesis (2004), as published: row is the
/// interim digit, column the next digit of the number.
const DAMM: [[u8; 10]; 10] = [
    [0, 3, 1, 7, 5, 9, 8, 6, 4, 2],
    [7, 0, 9, 2, 1, 5, 4, 8, 6, 3],
    [4, 2, 0, 6, 8, 7, 1, 3, 5, 9],
    [1, 7, 5, 0, 9, 8, 3, 4, 2, 6],
    [6, 1, 2, 3, 0, 4, 5, 9, 7, 8],
    [3, 6, 7, 4, 2, 0, 9, 5, 8, 1],
    [5, 8, 6, 9, 7, 2, 0, 1, 3, 4],
    [8, 9, 4, 5, 3, 6, 2, 0, 1, 7],
    [9, 4, 3, 8, 6, 1, 7, 2, 0, 5],
    [2, 5, 8, 1, 4, 3, 6, 7, 9, 0],
];

/// The Damm check digit of a sequence of digits (each 0 to 9); over a number that already ends with
/// its check digit, the result is 0.
fn damm_check_digit(digits: impl IntoIterator<Item = u8>) -> u8 {
    digits.into_iter().fold(0, |interim, digit| DAMM[usize::from(interim)][usize::from(digit % 10)])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn digits(text: &str) -> Vec<u8> {
        text.bytes().map(|byte| byte - b'0').collect()
    }

    /// A small deterministic generator (SplitMix64), so the property loop covers many IDs reproducibly.
    fn splitmix(state: &mut u64) -> u64 {
        *state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = *state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    #[test]
    fn the_published_damm_vectors_hold() {
        assert_eq!(damm_check_digit(digits("572")), 4);
        assert_eq!(damm_check_digit(digits("5724")), 0, "5724 is valid");
        assert_ne!(damm_check_digit(digits("5727")), 0, "5727 is not");
        assert_eq!(damm_check_digit(digits("112946")), 0, "112946 is valid");
        assert_ne!(damm_check_digit(digits("112949")), 0, "112949 is not");
    }

    #[test]
    fn the_table_is_a_totally_anti_symmetric_quasigroup_with_a_zero_diagonal() {
        for (index, row) in DAMM.iter().enumerate() {
            assert_eq!(row[index], 0);
            let mut in_row: Vec<u8> = row.to_vec();
            let mut in_column: Vec<u8> = DAMM.iter().map(|other| other[index]).collect();
            in_row.sort();
            in_column.sort();
            assert_eq!(in_row, (0..10).collect::<Vec<u8>>(), "row {index} is a permutation");
            assert_eq!(in_column, (0..10).collect::<Vec<u8>>(), "column {index} is a permutation");
        }
        for c in 0..10usize {
            for x in 0..10usize {
                for y in 0..10usize {
                    let xy = DAMM[usize::from(DAMM[c][x])][y];
                    let yx = DAMM[usize::from(DAMM[c][y])][x];
                    assert!(x == y || xy != yx, "({c} * {x}) * {y} = ({c} * {y}) * {x}");
                }
            }
        }
    }

    #[test]
    fn generated_ids_are_canonical_and_parse_back() {
        for random in [0, 1, 899_999_999, 900_000_000, u64::MAX] {
            let id = HealthId::generate(random);
            assert_eq!(id.as_str().len(), 12);
            assert!(id.as_str().starts_with("CM"));
            assert_ne!(&id.as_str()[2..3], "0", "the first digit is never 0: {id}");
            assert_eq!(HealthId::parse(id.as_str()), Ok(id.clone()));
            assert_eq!(id.to_string(), id.as_str());
        }
        assert_eq!(HealthId::generate(0).as_str()[2..11], *"100000000");
        assert_eq!(HealthId::generate(899_999_999).as_str()[2..11], *"999999999");
        assert_eq!(HealthId::generate(900_000_000), HealthId::generate(0));
    }

    #[test]
    fn ids_are_read_as_people_write_them() {
        let id = HealthId::generate(23_456_789);
        let canonical = id.as_str().to_owned();
        assert_eq!(canonical, "CM1234567894", "the check digit of 123456789 is 4");
        assert_eq!(id.display_grouped(), "CM 123 456 789 4");
        for written in ["cm 123 456 789 4", "CM-123-456-789-4", " Cm1234567894 ", "c m 1234-5678 94", "CM\t123456789 4"]
        {
            assert_eq!(HealthId::parse(written).as_ref().map(HealthId::as_str), Ok(canonical.as_str()), "{written}");
        }
        assert_eq!("CM 123 456 789 4".parse::<HealthId>(), Ok(id));
    }

    #[test]
    fn malformed_ids_are_refused_with_the_reason() {
        assert_eq!(HealthId::parse("1234567894"), Err(HealthIdError::MissingPrefix));
        assert_eq!(HealthId::parse("XM1234567894"), Err(HealthIdError::MissingPrefix));
        assert_eq!(HealthId::parse(""), Err(HealthIdError::MissingPrefix));
        assert_eq!(HealthId::parse("CM12345678A4"), Err(HealthIdError::NotDigits));
        assert_eq!(HealthId::parse("CM１234567894"), Err(HealthIdError::NotDigits), "full-width digits");
        assert_eq!(HealthId::parse("CM123456789"), Err(HealthIdError::WrongLength(9)));
        assert_eq!(HealthId::parse("CM12345678940"), Err(HealthIdError::WrongLength(11)));
        assert_eq!(HealthId::parse("CM"), Err(HealthIdError::WrongLength(0)));
        assert_eq!(HealthId::parse("CM1234567895"), Err(HealthIdError::WrongCheckDigit));
    }

    #[test]
    fn every_single_digit_error_and_adjacent_transposition_is_caught() {
        let mut state = 20_240_501;
        for _ in 0..2_000 {
            let id = HealthId::generate(splitmix(&mut state));
            let good: Vec<u8> = id.as_str().bytes().collect();
            for position in 2..12 {
                for digit in b'0'..=b'9' {
                    if digit == good[position] {
                        continue;
                    }
                    let mut typo = good.clone();
                    typo[position] = digit;
                    let text = String::from_utf8_lossy(&typo).into_owned();
                    assert_eq!(HealthId::parse(&text), Err(HealthIdError::WrongCheckDigit), "{id} -> {text}");
                }
            }
            for position in 2..11 {
                if good[position] == good[position + 1] {
                    continue;
                }
                let mut swapped = good.clone();
                swapped.swap(position, position + 1);
                let text = String::from_utf8_lossy(&swapped).into_owned();
                assert_eq!(HealthId::parse(&text), Err(HealthIdError::WrongCheckDigit), "{id} -> {text}");
            }
        }
    }

    #[test]
    fn national_id_numbers_are_normalised_or_refused() {
        assert_eq!(normalise_national_id(" 1234 56789 "), Ok("123456789".into()));
        assert_eq!(normalise_national_id("ab 12 cd 34"), Ok("AB12CD34".into()));
        assert_eq!(normalise_national_id("A1B2C3"), Ok("A1B2C3".into()), "6 characters");
        assert_eq!(normalise_national_id("12345678901234567890"), Ok("12345678901234567890".into()), "20 characters");
        assert!(normalise_national_id("12345").is_err(), "too short");
        assert!(normalise_national_id("123456789012345678901").is_err(), "too long");
        assert!(normalise_national_id("1234-5678").is_err(), "hyphen");
        assert!(normalise_national_id("ÉCOLE123").is_err(), "accented letter");
        assert!(normalise_national_id("   ").is_err(), "blank");
    }
}
