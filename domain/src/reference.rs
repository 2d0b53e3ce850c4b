//! Reference data kept as data: the regions of Cameroon (`data/regions.toml`).

use serde::Deserialize;
use std::sync::OnceLock;

/// One region.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Region {
    /// The stable code stored in events, e.g. `LT`.
    pub code: String,
    pub name_fr: String,
    pub name_en: String,
    pub capital: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RegionsFile {
    region: Vec<Region>,
}

const REGIONS_TOML: &str = include_str!("../data/regions.toml");

/// The regions, parsed once. The file ships inside the binary and a test parses it, so this list is
/// never empty in a released build; should it ever fail to parse, no region is known and every
/// facility registration is refused with a clear error rather than the process stopping.
pub fn regions() -> &'static [Region] {
    static REGIONS: OnceLock<Vec<Region>> = OnceLock::new();
    REGIONS.get_or_init(|| toml::from_str::<RegionsFile>(REGIONS_TOML).map(|file| file.region).unwrap_or_default())
}

/// The region with this code, if there is one.
pub fn region(code: &str) -> Option<&'static Region> {
    regions().iter().find(|region| region.code == code)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_ten_regions_are_known_by_code() {
        let parsed: RegionsFile = toml::from_str(REGIONS_TOML).expect("regions.toml parses");
        assert_eq!(parsed.region.len(), 10);
        assert_eq!(regions().len(), 10);
        assert_eq!(region("LT").map(|r| r.capital.as_str()), Some("Douala"));
        assert_eq!(region("NO").map(|r| r.name_en.as_str()), Some("North"));
        assert!(region("XX").is_none());
        let mut codes: Vec<_> = regions().iter().map(|r| r.code.clone()).collect();
        codes.sort();
        codes.dedup();
        assert_eq!(codes.len(), 10, "codes are unique");
    }
}
