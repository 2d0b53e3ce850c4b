//! Whose statistics a reader may see: a national analyst the whole country, an analyst of a regional
//! delegation their region, a facility's administrator their own facility's aggregates.
//!
//! A read that names no narrower place is confined to the reader's reach (a regional analyst's table
//! without a region is their region's); one that names a place outside it is refused, saying what the
//! account reads, before anything is read. The policy then decides the read at the scope it ends up
//! with, so a mistake here is still refused there.

use super::tables::Narrowing;
use crate::error::Code;
use crate::viewer::Viewer;
use domain::access::{Action, StatisticsScope};
use domain::statistics::population;

/// Why a read was refused: the reader may read statistics, but not of the place asked for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutOfScope(pub String);

impl std::fmt::Display for OutOfScope {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// A refusal of a statistics read: the role reads none (`Forbidden`), or not this place.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refused {
    Code(Code),
    OutOfScope(OutOfScope),
}

impl From<Code> for Refused {
    fn from(code: Code) -> Self {
        Refused::Code(code)
    }
}

impl From<OutOfScope> for Refused {
    fn from(refusal: OutOfScope) -> Self {
        Refused::OutOfScope(refusal)
    }
}

/// The widest statistics the viewer reads, or `Forbidden` for a role that reads none.
pub(crate) fn reach(viewer: &Viewer) -> Result<StatisticsScope, Code> {
    let reach = viewer.principal.statistics_reach().ok_or(Code::Forbidden)?;
    crate::policy::check(viewer, Action::ReadStatistics { scope: reach }, None)?;
    Ok(reach)
}

fn only_region(region: &str) -> OutOfScope {
    OutOfScope(format!("your account reads the statistics of region {region} only"))
}

fn only_facility() -> OutOfScope {
    OutOfScope("your account reads its own facility's statistics only".to_owned())
}

/// Confines a table's narrowing to the viewer's reach and has the policy decide the read.
pub(crate) fn confine(viewer: &Viewer, narrowing: &mut Narrowing) -> Result<(), Refused> {
    let scope = match reach(viewer)? {
        StatisticsScope::National => StatisticsScope::National,
        StatisticsScope::Region(region) => {
            if narrowing.region.as_deref().is_some_and(|asked| asked != region) {
                return Err(only_region(region).into());
            }
            let district_elsewhere = narrowing
                .district
                .as_deref()
                .and_then(population::district)
                .is_some_and(|district| district.region != region);
            if district_elsewhere {
                return Err(only_region(region).into());
            }
            narrowing.region = Some(region.to_owned());
            StatisticsScope::Region(region)
        }
        StatisticsScope::Facility(facility) => {
            let own = facility.to_string();
            if narrowing.facility.as_deref().is_some_and(|asked| asked != own) {
                return Err(only_facility().into());
            }
            narrowing.facility = Some(own);
            StatisticsScope::Facility(facility)
        }
    };
    crate::policy::check(viewer, Action::ReadStatistics { scope }, None)?;
    Ok(())
}

/// Confines a read of areas (coverage and dropout, which count children by where they live, and the
/// dashboard) to the viewer's reach: a regional analyst's region, refused to a facility's
/// administrator. `district` is a district the read also names, if any.
pub(crate) fn confine_area(
    viewer: &Viewer,
    region: Option<String>,
    district: Option<&str>,
) -> Result<Option<String>, Refused> {
    let (region, scope) = match reach(viewer)? {
        StatisticsScope::National => (region, StatisticsScope::National),
        StatisticsScope::Region(own) => {
            let district_elsewhere =
                district.and_then(population::district).is_some_and(|district| district.region != own);
            if district_elsewhere || region.as_deref().is_some_and(|asked| asked != own) {
                return Err(only_region(own).into());
            }
            (Some(own.to_owned()), StatisticsScope::Region(own))
        }
        StatisticsScope::Facility(_) => {
            return Err(OutOfScope(
                "immunisation coverage is counted by where children live, not by facility; your account reads its \
                 own facility's statistics only"
                    .to_owned(),
            )
            .into())
        }
    };
    crate::policy::check(viewer, Action::ReadStatistics { scope }, None)?;
    Ok(region)
}

/// Whether the viewer may read the epidemic alerts (which name district-weeks, never a count).
pub(crate) fn alerts(viewer: &Viewer) -> Result<(), Code> {
    crate::policy::check(viewer, Action::ReadEpidemicAlerts, None)
}
