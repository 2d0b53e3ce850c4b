//! Phone numbers and e-mail addresses, as people type them at a desk, reduced to one stored form so
//! that the same number or address is always recorded the same way. Shared by every registration
//! (patients, staff). Errors are messages for the person typing.

/// Cameroon's country calling code.
const CAMEROON: &str = "237";
/// Cameroon numbers have nine digits: mobile numbers start with 6, fixed lines with 2.
const CAMEROON_DIGITS: usize = 9;
/// E.164 allows at most 15 digits; fewer than 8 is no real international number.
const INTERNATIONAL_DIGITS: std::ops::RangeInclusive<usize> = 8..=15;
const EMAIL_MAX: usize = 254;

const CAMEROON_HELP: &str = "a Cameroon number has 9 digits starting with 6 or 2, such as 699 12 34 56";

/// Normalises a phone number to E.164 (`+` and digits). Cameroon numbers are accepted as `6XXXXXXXX`
/// or `2XXXXXXXX`, with or without `237`, `+237` or `00237` in front, and become `+237` and their
/// nine digits; other international numbers are accepted as `+` (or `00`) and 8 to 15 digits. Spaces,
/// dots and hyphens are ignored anywhere, since numbers are written grouped in many ways.
pub fn normalise_phone(text: &str) -> Result<String, String> {
    let compact: String = text.chars().filter(|c| !c.is_whitespace() && *c != '.' && *c != '-').collect();
    if compact.is_empty() {
        return Err("the phone number is empty".into());
    }
    let (international, digits) = match compact.strip_prefix('+') {
        Some(rest) => (true, rest),
        None => match compact.strip_prefix("00") {
            Some(rest) => (true, rest),
            None => (false, compact.as_str()),
        },
    };
    if digits.is_empty() || !digits.bytes().all(|byte| byte.is_ascii_digit()) {
        return Err("a phone number has only digits, with + or 00 in front for an international number".into());
    }
    // Without a prefix, `237` and nine more digits is a Cameroon number written with its country
    // code; any other national form must be the nine digits alone.
    let national = match digits.strip_prefix(CAMEROON) {
        Some(rest) if international || rest.len() == CAMEROON_DIGITS => rest,
        _ if international => return international_number(digits),
        _ => digits,
    };
    if national.len() == CAMEROON_DIGITS && (national.starts_with('6') || national.starts_with('2')) {
        Ok(format!("+{CAMEROON}{national}"))
    } else {
        Err(CAMEROON_HELP.into())
    }
}

/// A number outside Cameroon, kept as given once its separators are gone.
fn international_number(digits: &str) -> Result<String, String> {
    if digits.starts_with('0') {
        return Err("an international number starts with its country code, which never begins with 0".into());
    }
    if !INTERNATIONAL_DIGITS.contains(&digits.len()) {
        return Err("an international number has 8 to 15 digits after the +".into());
    }
    Ok(format!("+{digits}"))
}

/// Normalises an e-mail address: surrounding white space removed and the domain lowercased (domains
/// are case-insensitive, the part before `@` in principle is not). The checks are deliberately
/// simple, one `@`, something before it, a dotted domain after it, at most 254 characters, because
/// only a message that arrives proves an address; these catch the typing slips.
pub fn normalise_email(text: &str) -> Result<String, String> {
    let address = text.trim();
    if address.is_empty() {
        return Err("the e-mail address is empty".into());
    }
    if address.chars().count() > EMAIL_MAX {
        return Err(format!("an e-mail address has at most {EMAIL_MAX} characters"));
    }
    if address.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err("an e-mail address has no spaces".into());
    }
    let Some((local, domain)) = address.split_once('@') else {
        return Err("an e-mail address has an @, as in name@example.cm".into());
    };
    if domain.contains('@') {
        return Err("an e-mail address has only one @".into());
    }
    if local.is_empty() {
        return Err("an e-mail address has a name before the @".into());
    }
    if !domain.contains('.') || domain.split('.').any(str::is_empty) {
        return Err("an e-mail address ends with a domain such as example.cm".into());
    }
    Ok(format!("{local}@{}", domain.to_lowercase()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cameroon_numbers_in_every_usual_form_become_e164() {
        for written in [
            "699123456",
            "699 12 34 56",
            "6 99 12 34 56",
            "699.12.34.56",
            "699-12-34-56",
            "+237699123456",
            "+237 699 12 34 56",
            "00237699123456",
            "00 237 6 99 12 34 56",
            "237 699 12 34 56",
            "237699123456",
        ] {
            assert_eq!(normalise_phone(written), Ok("+237699123456".into()), "{written}");
        }
        assert_eq!(normalise_phone("222 23 45 67"), Ok("+237222234567".into()), "a fixed line");
        assert_eq!(normalise_phone("+237 222 23 45 67"), Ok("+237222234567".into()));
    }

    #[test]
    fn other_international_numbers_are_kept_without_separators() {
        assert_eq!(normalise_phone("+33 6 12 34 56 78"), Ok("+33612345678".into()));
        assert_eq!(normalise_phone("0033 6 12 34 56 78"), Ok("+33612345678".into()));
        assert_eq!(normalise_phone("+234 803 123 4567"), Ok("+2348031234567".into()));
        assert_eq!(normalise_phone("+1234567"), Err("an international number has 8 to 15 digits after the +".into()));
        assert!(normalise_phone("+1234567890123456").is_err(), "16 digits");
        assert!(normalise_phone("+0123456789").is_err(), "no country code starts with 0");
    }

    #[test]
    fn numbers_that_are_not_phone_numbers_are_refused() {
        for written in [
            "",
            "   ",
            "+",
            "69912345",
            "6991234567",
            "799123456",
            "099123456",
            "+237 799 12 34 56",
            "+237 699 12 34 5",
            "237 699 12 34 5",
            "699 12 34 5x",
            "(699) 123456",
            "++237699123456",
            "６99123456",
        ] {
            assert!(normalise_phone(written).is_err(), "{written:?} is refused");
        }
    }

    #[test]
    fn e_mail_addresses_are_trimmed_and_their_domain_lowercased() {
        assert_eq!(normalise_email(" Awa.Ngono@Example.CM "), Ok("Awa.Ngono@example.cm".into()));
        assert_eq!(normalise_email("a@b.co"), Ok("a@b.co".into()));
        let longest = format!("{}@example.cm", "a".repeat(EMAIL_MAX - "@example.cm".len()));
        assert_eq!(normalise_email(&longest), Ok(longest.clone()));
    }

    #[test]
    fn e_mail_addresses_that_cannot_be_right_are_refused() {
        let too_long = format!("{}@example.cm", "a".repeat(EMAIL_MAX));
        for written in [
            "",
            "awa",
            "awa@",
            "@example.cm",
            "awa@example",
            "awa@@example.cm",
            "awa@ex@ample.cm",
            "awa@example.",
            "awa@.cm",
            "awa@example..cm",
            "awa ngono@example.cm",
            too_long.as_str(),
        ] {
            assert!(normalise_email(written).is_err(), "{written:?} is refused");
        }
    }
}
