//! The seasons illnesses follow (`data/demo/seasons.toml`): for each climate, how often a seasonal
//! illness strikes in each month, scaled so that the months average 1. An illness keeps its yearly
//! frequency and only its timing follows the season.

use anyhow::bail;
use serde::Deserialize;
use std::collections::BTreeMap;

/// Twelve monthly factors, January first.
pub(super) type Curve = [f64; 12];

/// The same factor every month: an illness without a season, or whose season the climate does not list.
pub(super) const EVEN: Curve = [1.0; 12];

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct SeasonsFile {
    climate: BTreeMap<String, BTreeMap<String, Curve>>,
}

/// The climates and their seasonal curves, each scaled to a mean of 1.
pub(super) struct Seasons {
    climates: BTreeMap<String, BTreeMap<String, Curve>>,
}

impl Seasons {
    pub(super) fn new(file: SeasonsFile) -> anyhow::Result<Self> {
        let mut climates = BTreeMap::new();
        for (climate, curves) in file.climate {
            let mut scaled = BTreeMap::new();
            for (season, curve) in curves {
                if curve.iter().any(|factor| !factor.is_finite() || *factor < 0.0) {
                    bail!("seasons.toml: {climate}.{season} has a factor that is not a number of 0 or more");
                }
                let mean = curve.iter().sum::<f64>() / 12.0;
                if mean <= 0.0 {
                    bail!("seasons.toml: {climate}.{season} is 0 in every month");
                }
                scaled.insert(season, curve.map(|factor| factor / mean));
            }
            climates.insert(climate, scaled);
        }
        Ok(Seasons { climates })
    }

    pub(super) fn has_climate(&self, climate: &str) -> bool {
        self.climates.contains_key(climate)
    }

    /// Whether some climate gives `season` a curve, so that a name an illness gives is not a slip.
    pub(super) fn knows(&self, season: &str) -> bool {
        self.climates.values().any(|curves| curves.contains_key(season))
    }

    /// The curve of `season` in `climate`; even for no season, or one the climate does not list.
    pub(super) fn curve(&self, climate: &str, season: Option<&str>) -> Curve {
        season
            .and_then(|season| self.climates.get(climate).and_then(|curves| curves.get(season)))
            .copied()
            .unwrap_or(EVEN)
    }
}
