//! The statistics dashboard (`GET /statistics`): one small page, rendered on the server, for the
//! analysts of the ministry and the regional delegations: immunisation coverage by area with bars, the
//! epidemic curve of the notifiable diseases, the epidemic alerts and the attendance by month.
//!
//! It needs no script and loads nothing from anywhere (its one style sheet is inline, allowed by its
//! hash), so it works offline and on a cheap phone, and prints. Every figure comes from the published
//! tables GraphQL answers with ([`super::coverage`], [`super::tables`], [`super::alerts`]), already
//! through disclosure control: a suppressed figure reaches this module as `Published::Suppressed`,
//! which holds no number, so the page cannot show one in a cell, a title or a coordinate. A suppressed
//! bar is drawn the same whatever it hides: a hatched band of the chart's full height. Each table the
//! page shows is recorded as a statistics read (`dashboard:coverage`, `dashboard:epidemic_curve`,
//! `dashboard:alerts`, `dashboard:attendance`) before it is answered.
//!
//! Every text goes through maud's `html!`, which escapes what it interpolates; the only text inserted
//! unescaped is the style sheet, a constant.

use super::alerts::{self, Alert};
use super::coverage::{self, AreaLevel, Coverage, CoverageRow};
use super::export::{Checks, Refusal};
use super::labels::Label;
use super::tables::{self, Crosstab, Dimension, Indicator, Narrowing};
use crate::viewer::{ReadTracker, TableNoted};
use chrono::{Datelike, Days, NaiveDate};
use domain::statistics::disclosure::{Published, PublishedRate, Threshold};
use domain::statistics::{population, surveillance};
use domain::FieldError;
use maud::{html, Markup, PreEscaped, DOCTYPE};
use projections::read::ReadModels;
use std::collections::BTreeSet;

/// The language a page is written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Language {
    #[default]
    French,
    English,
}

impl Language {
    pub fn code(self) -> &'static str {
        match self {
            Language::French => "fr",
            Language::English => "en",
        }
    }

    /// The language of a `lang` parameter (`fr`, `en`).
    pub fn from_code(code: &str) -> Option<Language> {
        match code {
            "fr" => Some(Language::French),
            "en" => Some(Language::English),
            _ => None,
        }
    }

    /// The language an `Accept-Language` header prefers among French and English (French if it names
    /// neither): the highest quality wins, the first listed among equals.
    pub fn preferred(header: &str) -> Language {
        let mut best: Option<(f32, Language)> = None;
        for range in header.split(',') {
            let mut parts = range.split(';');
            let tag = parts.next().unwrap_or_default().trim().to_ascii_lowercase();
            let quality = parts
                .filter_map(|parameter| parameter.trim().strip_prefix("q="))
                .find_map(|value| value.trim().parse::<f32>().ok())
                .unwrap_or(1.0);
            let primary = tag.split('-').next().unwrap_or_default();
            let Some(language) = Language::from_code(primary) else { continue };
            if quality > 0.0 && best.is_none_or(|(known, _)| quality > known) {
                best = Some((quality, language));
            }
        }
        best.map(|(_, language)| language).unwrap_or_default()
    }

    fn french(self) -> bool {
        self == Language::French
    }

    /// The text in this language.
    fn t(self, french: &'static str, english: &'static str) -> &'static str {
        if self.french() {
            french
        } else {
            english
        }
    }
}

/// The dashboard's arguments as the query string gave them. An empty value, which a form sends for
/// "all", is no value.
#[derive(Debug, Clone, Copy, Default)]
pub struct DashboardArguments<'a> {
    pub year: Option<&'a str>,
    pub antigen: Option<&'a str>,
    pub dose_number: Option<&'a str>,
    pub disease: Option<&'a str>,
    pub region: Option<&'a str>,
    pub district: Option<&'a str>,
    pub from: Option<&'a str>,
    pub to: Option<&'a str>,
}

/// What the dashboard shows, checked; what is not given takes its default when the page is built.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DashboardRequest {
    /// The birth cohort of the coverage, and the year of the attendance; this year by default.
    pub year: Option<i32>,
    /// The dose whose coverage is shown; Penta 1 by default.
    pub antigen: Option<String>,
    pub dose_number: Option<i64>,
    /// The disease of the epidemic curve (by area); every notifiable disease when absent.
    pub disease: Option<String>,
    pub region: Option<String>,
    pub district: Option<String>,
    /// The weeks of the epidemic curve and the alerts; the twelve most recent by default.
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
    pub language: Language,
}

fn given(value: Option<&str>) -> Option<&str> {
    value.filter(|value| !value.is_empty())
}

impl DashboardRequest {
    /// Checks every argument, naming each invalid one.
    pub fn parse(arguments: &DashboardArguments, language: Language) -> Result<DashboardRequest, Vec<FieldError>> {
        let mut checks = Checks::default();
        let year = given(arguments.year).and_then(|text| match text.parse::<i32>() {
            Ok(year) if (1900..=2100).contains(&year) => Some(year),
            _ => {
                checks.malformed("/year", "must be a year, 1900 to 2100");
                None
            }
        });
        let antigen = checks.antigen(given(arguments.antigen));
        let dose_number = checks.dose_number("/dose_number", given(arguments.dose_number));
        let disease = checks.disease(given(arguments.disease));
        let region = checks.region(given(arguments.region));
        let district = given(arguments.district).and_then(|name| {
            if name.chars().count() > 120 {
                checks.malformed("/district", "must be at most 120 characters");
                return None;
            }
            checks.district(Some(name), region.as_deref())
        });
        let from = checks.day("/from", given(arguments.from));
        let to = checks.day("/to", given(arguments.to));
        if let (Some(from), Some(to)) = (from, to) {
            checks.period(from, to);
        }
        if checks.errors.is_empty() {
            Ok(DashboardRequest { year, antigen, dose_number, disease, region, district, from, to, language })
        } else {
            Err(checks.errors)
        }
    }
}

/// How many weeks the epidemic curve shows by default.
const DEFAULT_WEEKS: u64 = 12;

/// The request with every default taken, on `today`.
#[derive(Debug, Clone)]
struct Settings {
    year: i32,
    antigen: String,
    dose_number: i64,
    disease: Option<String>,
    region: Option<String>,
    district: Option<String>,
    from: NaiveDate,
    to: NaiveDate,
    today: NaiveDate,
    language: Language,
}

impl Settings {
    fn of(request: &DashboardRequest, today: NaiveDate) -> Result<Settings, Refusal> {
        let to = request.to.unwrap_or(today);
        let monday = to.checked_sub_days(Days::new(u64::from(to.weekday().num_days_from_monday()))).unwrap_or(to);
        let from = request
            .from
            .unwrap_or_else(|| monday.checked_sub_days(Days::new(7 * (DEFAULT_WEEKS - 1))).unwrap_or(monday));
        let mut checks = Checks::default();
        if checks.period(from, to).is_none() {
            // Only one end was given, and the other's default is on its wrong side.
            let field = if request.from.is_some() { "/from" } else { "/to" };
            return Err(Refusal::Rule(vec![FieldError::rule(
                field,
                "the period from `from` to `to` (today and twelve weeks before, unless given) is inverted or longer \
                 than five years",
            )]));
        }
        Ok(Settings {
            year: request.year.unwrap_or(today.year()),
            antigen: request.antigen.clone().unwrap_or_else(|| "PENTA".into()),
            dose_number: request.dose_number.unwrap_or(1),
            disease: request.disease.clone(),
            region: request.region.clone(),
            district: request.district.clone(),
            from,
            to,
            today,
            language: request.language,
        })
    }

    /// The year of the attendance: from 1 January to 31 December, or to today in the current year.
    fn attendance_days(&self) -> (NaiveDate, NaiveDate) {
        let first = NaiveDate::from_ymd_opt(self.year, 1, 1).unwrap_or(self.today);
        let last = NaiveDate::from_ymd_opt(self.year, 12, 31).unwrap_or(self.today);
        let last = if self.today >= first && self.today < last { self.today } else { last };
        (first, last)
    }

    /// The page's query string with `language`, to link to the same page in the other language.
    fn link(&self, language: Language) -> String {
        let mut pairs: Vec<(&str, String)> = vec![
            ("lang", language.code().to_owned()),
            ("year", self.year.to_string()),
            ("antigen", self.antigen.clone()),
            ("dose_number", self.dose_number.to_string()),
        ];
        for (name, value) in [("disease", &self.disease), ("region", &self.region), ("district", &self.district)] {
            if let Some(value) = value {
                pairs.push((name, value.clone()));
            }
        }
        pairs.push(("from", self.from.format("%Y-%m-%d").to_string()));
        pairs.push(("to", self.to.format("%Y-%m-%d").to_string()));
        let query: Vec<String> =
            pairs.into_iter().map(|(name, value)| format!("{name}={}", query_escape(&value))).collect();
        format!("?{}", query.join("&"))
    }
}

/// Percent-encodes a query string value (names of districts hold accents and spaces).
fn query_escape(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for byte in value.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'_' | b'.' | b'~') {
            out.push(char::from(byte));
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

fn day_text(day: NaiveDate) -> String {
    day.format("%Y-%m-%d").to_string()
}

/// What a table read is recorded with, as `name=value`, leaving out what was not given.
fn recorded(parameters: &[(&str, Option<String>)]) -> BTreeSet<String> {
    parameters.iter().filter_map(|(name, value)| Some(format!("{name}={}", value.as_ref()?))).collect()
}

fn count(figures: impl IntoIterator<Item = Published>) -> (u32, u32) {
    figures.into_iter().fold((0, 0), |(shown, hidden), figure| match figure {
        Published::Shown(_) => (shown + 1, hidden),
        Published::Suppressed => (shown, hidden + 1),
    })
}

fn crosstab_figures(table: &Crosstab) -> (u32, u32) {
    let all = table.cells.iter().flatten().chain(&table.row_totals).chain(&table.column_totals);
    count(std::iter::once(&table.total).chain(all).copied())
}

/// Everything the page shows, each table as published.
struct Page {
    settings: Settings,
    /// The areas the coverage is broken down by.
    level: AreaLevel,
    coverage: Coverage,
    curve: Crosstab,
    alerts: Vec<Alert>,
    attendance: Crosstab,
}

/// The rows the epidemic curve is broken down by: each notifiable disease, or, for one disease, each
/// district of the area asked (each region nationally).
fn curve_rows(settings: &Settings) -> Dimension {
    match (&settings.disease, &settings.region, &settings.district) {
        (None, _, _) => Dimension::Disease,
        (Some(_), None, None) => Dimension::Region,
        (Some(_), _, _) => Dimension::District,
    }
}

/// Reads the page's four tables, notes each read in `reads`, and renders the page.
pub(crate) async fn dashboard(
    read_models: &ReadModels,
    request: &DashboardRequest,
    today: NaiveDate,
    k: Threshold,
    reads: &ReadTracker,
) -> Result<String, Refusal> {
    let settings = Settings::of(request, today)?;
    let region = settings.region.clone();
    // Coverage is by district within a region, a district given alone standing for its region.
    let coverage_region = region.clone().or_else(|| {
        settings.district.as_deref().and_then(population::district).map(|district| district.region.clone())
    });
    let level = if coverage_region.is_some() { AreaLevel::District } else { AreaLevel::Region };
    let coverage = coverage::coverage(
        read_models,
        settings.year,
        &settings.antigen,
        settings.dose_number,
        level,
        coverage_region.as_deref(),
        None,
        k,
    )
    .await
    .map_err(|error| super::export::refusal(error, Indicator::DosesGiven))?;
    let figures =
        coverage.rows.iter().chain(std::iter::once(&coverage.total)).flat_map(|row| [row.registered, row.vaccinated]);
    let (shown, suppressed) = count(figures);
    reads.note_table(TableNoted {
        table: "dashboard:coverage".into(),
        parameters: recorded(&[
            ("birth_year", Some(settings.year.to_string())),
            ("antigen", Some(settings.antigen.clone())),
            ("dose_number", Some(settings.dose_number.to_string())),
            ("by", Some(if coverage_region.is_some() { "district" } else { "region" }.into())),
            ("region", coverage_region.clone()),
        ]),
        shown,
        suppressed,
    });

    let rows = curve_rows(&settings);
    let narrowing = Narrowing {
        days: Some((day_text(settings.from), day_text(settings.to))),
        region: region.clone(),
        district: settings.district.clone(),
        disease: settings.disease.clone(),
        ..Narrowing::default()
    };
    let curve = tables::crosstab(read_models, Indicator::NewDiagnoses, rows, Some(Dimension::Week), &narrowing, k)
        .await
        .map_err(|error| super::export::refusal(error, Indicator::NewDiagnoses))?;
    let (shown, suppressed) = crosstab_figures(&curve);
    reads.note_table(TableNoted {
        table: "dashboard:epidemic_curve".into(),
        parameters: recorded(&[
            ("rows", Some(rows.code().into())),
            ("columns", Some("week".into())),
            ("from", Some(day_text(settings.from))),
            ("to", Some(day_text(settings.to))),
            ("region", region.clone()),
            ("district", settings.district.clone()),
            ("disease", settings.disease.clone()),
        ]),
        shown,
        suppressed,
    });

    let mut alerts = alerts::alerts(read_models, settings.from, settings.to, region.as_deref())
        .await
        .map_err(|error| super::export::refusal(error, Indicator::NewDiagnoses))?;
    if let Some(district) = &settings.district {
        alerts.retain(|alert| &alert.district == district);
    }
    reads.note_table(TableNoted {
        table: "dashboard:alerts".into(),
        parameters: recorded(&[
            ("from", Some(day_text(settings.from))),
            ("to", Some(day_text(settings.to))),
            ("region", region.clone()),
            ("district", settings.district.clone()),
        ]),
        shown: u32::try_from(alerts.len()).unwrap_or(u32::MAX),
        suppressed: 0,
    });

    let (first, last) = settings.attendance_days();
    let narrowing = Narrowing {
        days: Some((day_text(first), day_text(last))),
        region: region.clone(),
        district: settings.district.clone(),
        ..Narrowing::default()
    };
    let attendance = tables::crosstab(read_models, Indicator::Encounters, Dimension::Month, None, &narrowing, k)
        .await
        .map_err(|error| super::export::refusal(error, Indicator::Encounters))?;
    let (shown, suppressed) = crosstab_figures(&attendance);
    reads.note_table(TableNoted {
        table: "dashboard:attendance".into(),
        parameters: recorded(&[
            ("rows", Some("month".into())),
            ("from", Some(day_text(first))),
            ("to", Some(day_text(last))),
            ("region", region),
            ("district", settings.district.clone()),
        ]),
        shown,
        suppressed,
    });

    Ok(render(&Page { settings, level, coverage, curve, alerts, attendance }))
}

// ---------------------------------------------------------------------------------------------------
// Rendering

/// The page's look: small type on a phone, tables that scroll sideways rather than overflow, charts
/// that scale with the screen, and on paper no form and no links. Suppressed figures are hatched,
/// which reads in black and white as well as in colour.
const STYLE: &str = r#"
*{box-sizing:border-box}
body{font-family:"DejaVu Sans",Arial,Helvetica,sans-serif;font-size:15px;line-height:1.4;color:#1b1b1b;margin:0;
background:#fff}
header,main,footer{max-width:60rem;margin:0 auto;padding:0 .75rem}
header{border-bottom:3px solid #0b6e3f;padding-top:.6rem;padding-bottom:.5rem}
h1{font-size:1.25rem;margin:0;color:#0b6e3f}
h2{font-size:1.05rem;margin:1.5rem 0 .4rem;color:#0b6e3f}
.sub{margin:.1rem 0 0;color:#444;font-size:.85rem}
nav{font-size:.85rem;margin-top:.3rem}
nav a,nav strong{margin-right:.6rem}
a{color:#0b5394}
form{display:flex;flex-wrap:wrap;gap:.4rem .7rem;align-items:flex-end;background:#f1f4f2;padding:.6rem;
margin:.8rem 0 0;border-radius:4px}
label{display:flex;flex-direction:column;font-size:.78rem;color:#333}
input,select,button{font:inherit;font-size:.88rem;padding:.2rem;width:9.5rem;max-width:100%}
input[type=number]{width:5.5rem}
button{background:#0b6e3f;color:#fff;border:0;padding:.35rem .9rem;border-radius:3px;width:auto}
.note{font-size:.8rem;color:#444;margin:.5rem 0}
.scroll{overflow-x:auto}
table{border-collapse:collapse;width:100%;font-size:.85rem}
caption{text-align:left;font-size:.8rem;color:#444;padding:.2rem 0}
th,td{padding:.25rem .4rem;border-bottom:1px solid #ddd;text-align:left;vertical-align:middle}
thead th{font-size:.78rem;color:#333;border-bottom:2px solid #999}
.n,.masked{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
.masked{color:#666;font-style:italic}
tfoot th,tfoot td{font-weight:bold;border-top:2px solid #999;border-bottom:0}
td.bar{width:28%;min-width:4.5rem}
svg.bar{display:block;width:100%;height:.6rem}
svg.chart{display:block;width:100%;height:auto;max-height:12rem}
svg.chart text{font-size:3.6px;fill:#333}
svg.chart text.v{font-size:3.4px;fill:#0b3d24}
svg.key{display:inline-block;width:1.3em;height:.8em;vertical-align:-.05em}
.legend{white-space:nowrap}
.defs{position:absolute;width:0;height:0;overflow:hidden}
figure{margin:.5rem 0 .9rem}
figcaption{font-size:.85rem;font-weight:bold}
figcaption span{font-weight:normal;color:#444}
.epidemic{color:#9c1c1c;font-weight:bold}
.alert{color:#8a4b00;font-weight:bold}
details{margin:.3rem 0}
summary{font-size:.85rem;cursor:pointer;color:#0b5394}
footer{font-size:.75rem;color:#555;border-top:1px solid #ccc;margin-top:1.5rem;padding-top:.5rem;padding-bottom:1rem}
@media print{form,nav,summary{display:none}body{font-size:10pt}.scroll{overflow:visible}section{break-inside:avoid}
a{color:inherit;text-decoration:none}}
@page{size:A4;margin:12mm}
"#;

/// The chart's drawing area, in the SVG's own units: each bar's slot is 10 wide, and a chart is at least
/// [`MIN_SLOTS`] slots wide, so that a short period does not draw a few giant bars.
const SLOT: f64 = 10.0;
const MIN_SLOTS: usize = 12;
const BAR: f64 = 7.0;
const PLOT_TOP: f64 = 5.0;
const PLOT_HEIGHT: f64 = 36.0;
const LABEL_Y: f64 = PLOT_TOP + PLOT_HEIGHT + 5.0;
const CHART_HEIGHT: f64 = LABEL_Y + 2.0;

/// A count as people read it: `12 345` in French (a narrow no-break space), `12,345` in English.
fn number(count: u64, language: Language) -> String {
    let digits = count.to_string();
    let separator = if language.french() { "\u{202F}" } else { "," };
    let mut out = String::new();
    for (index, digit) in digits.chars().enumerate() {
        if index > 0 && (digits.len() - index) % 3 == 0 {
            out.push_str(separator);
        }
        out.push(digit);
    }
    out
}

/// A rate as GraphQL publishes it (a percentage rounded to one decimal), written for `language`.
fn percent(rate: PublishedRate) -> Option<f64> {
    match rate {
        PublishedRate::Shown { .. } => rate.value().map(|value| (value * 1000.0).round() / 10.0),
        PublishedRate::Suppressed | PublishedRate::Undefined => None,
    }
}

fn percent_text(value: f64, language: Language) -> String {
    if language.french() {
        format!("{}\u{a0}%", format!("{value:.1}").replace('.', ","))
    } else {
        format!("{value:.1}%")
    }
}

/// A figure's cell: its count, or "hidden" with nothing of what it hides.
fn figure_cell(figure: Published, language: Language) -> Markup {
    match figure {
        Published::Shown(count) => html! { td.n { (number(count, language)) } },
        Published::Suppressed => html! { td.masked { (language.t("masqué", "hidden")) } },
    }
}

/// A rate's cell with its bar (capped at 100 %; the text says more).
fn rate_cells(rate: PublishedRate, language: Language) -> Markup {
    let bar = match (rate, percent(rate)) {
        (PublishedRate::Suppressed, _) => html! {
            rect width="100" height="6" fill="url(#hatch)" {}
        },
        (_, Some(value)) => html! {
            rect width=(format!("{:.1}", value.clamp(0.0, 100.0))) height="6" fill="#0b6e3f" {}
        },
        (_, None) => html! {},
    };
    html! {
        @match (rate, percent(rate)) {
            (PublishedRate::Suppressed, _) => td.masked { (language.t("masqué", "hidden")) },
            (_, Some(value)) => td.n { (percent_text(value, language)) },
            (_, None) => td.n { "—" },
        }
        td.bar {
            svg.bar viewBox="0 0 100 6" preserveAspectRatio="none" aria-hidden="true" {
                rect width="100" height="6" fill="#e4e8e6" {}
                (bar)
            }
        }
    }
}

fn coverage_row(row: &CoverageRow, language: Language, total: bool) -> Markup {
    let name = row.area.name(language.french());
    html! {
        tr data-code=(row.area.code) {
            th scope="row" { (name) @if total { " (" (language.t("total", "total")) ")" } }
            (rate_cells(row.coverage, language))
            (figure_cell(row.vaccinated, language))
            (figure_cell(row.registered, language))
            @match row.target {
                Some(target) => td.n { (number(target, language)) },
                None => td.n { "—" },
            }
            (rate_cells(row.coverage_of_target, language))
        }
    }
}

/// One bar chart: a bar per period, scaled to the largest figure shown; a suppressed period is a
/// hatched band of the full height, the same whatever it hides; a period counting no one has no bar.
fn chart(bars: &[(String, String, Published)], language: Language, name: &str) -> Markup {
    let peak = bars.iter().filter_map(|(_, _, figure)| figure.shown()).max().unwrap_or(0).max(1);
    let width = SLOT * bars.len().max(MIN_SLOTS) as f64;
    html! {
        svg.chart viewBox=(format!("0 0 {width:.0} {CHART_HEIGHT:.0}")) preserveAspectRatio="xMinYMax meet" role="img"
            aria-label=(name) {
            @for (index, (short, long, figure)) in bars.iter().enumerate() {
                @let x = SLOT * index as f64 + (SLOT - BAR) / 2.0;
                @let centre = SLOT * index as f64 + SLOT / 2.0;
                g {
                    @match figure {
                        Published::Shown(count) => {
                            title { (long) " : " (number(*count, language)) }
                            @if *count > 0 {
                                @let height = PLOT_HEIGHT * (*count as f64) / (peak as f64);
                                rect x=(format!("{x:.1}")) y=(format!("{:.1}", PLOT_TOP + PLOT_HEIGHT - height))
                                    width=(format!("{BAR:.1}")) height=(format!("{height:.1}")) fill="#2f7d5b" {}
                                text.v x=(format!("{centre:.1}")) y=(format!("{:.1}", PLOT_TOP + PLOT_HEIGHT - height - 1.0))
                                    text-anchor="middle" { (number(*count, language)) }
                            }
                        }
                        Published::Suppressed => {
                            title { (long) " : " (language.t("masqué", "hidden")) }
                            // A band across the whole slot, lighter than a bar, so that it reads as a gap.
                            rect.masked x=(format!("{:.1}", SLOT * index as f64 + 0.5)) y=(format!("{PLOT_TOP:.1}"))
                                width=(format!("{:.1}", SLOT - 1.0)) height=(format!("{PLOT_HEIGHT:.1}")) fill="url(#hatch)" {}
                        }
                    }
                    text x=(format!("{centre:.1}")) y=(format!("{LABEL_Y:.1}")) text-anchor="middle" { (short) }
                }
            }
            line x1="0" x2=(format!("{width:.0}")) y1=(format!("{:.1}", PLOT_TOP + PLOT_HEIGHT))
                y2=(format!("{:.1}", PLOT_TOP + PLOT_HEIGHT)) stroke="#777" stroke-width="0.4" {}
        }
    }
}

/// A week's short label under its bar (`S05` in French for *semaine*, `W05` in English).
fn week_label(code: &str, language: Language) -> String {
    let week = code.rsplit_once("-W").map_or(code, |(_, week)| week);
    format!("{}{week}", language.t("S", "W"))
}

const MONTHS_FR: [&str; 12] =
    ["janv.", "févr.", "mars", "avr.", "mai", "juin", "juil.", "août", "sept.", "oct.", "nov.", "déc."];
const MONTHS_EN: [&str; 12] = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

fn month_label(code: &str, language: Language) -> String {
    let month = code.get(5..7).and_then(|month| month.parse::<usize>().ok()).filter(|month| (1..=12).contains(month));
    match month {
        Some(month) if language.french() => MONTHS_FR[month - 1].to_owned(),
        Some(month) => MONTHS_EN[month - 1].to_owned(),
        None => code.to_owned(),
    }
}

/// A crosstab as a table: rows, a column per period, row totals, and the column totals.
fn crosstab_table(
    id: &str,
    table: &Crosstab,
    corner: &str,
    language: Language,
    short: fn(&str, Language) -> String,
) -> Markup {
    html! {
        div.scroll {
            table id=(id) {
                thead {
                    tr {
                        th scope="col" { (corner) }
                        @for column in &table.column_labels {
                            th.n scope="col" title=(column.code) { (short(&column.code, language)) }
                        }
                        th.n scope="col" { (language.t("Total", "Total")) }
                    }
                }
                tbody {
                    @for (index, row) in table.row_labels.iter().enumerate() {
                        tr data-code=(row.code) {
                            th scope="row" { (row.name(language.french())) }
                            @for figure in table.cells.get(index).map_or(&[][..], Vec::as_slice) {
                                (figure_cell(*figure, language))
                            }
                            (figure_cell(table.row_totals.get(index).copied().unwrap_or(Published::Suppressed), language))
                        }
                    }
                }
                tfoot {
                    tr data-code="_total" {
                        th scope="row" { (language.t("Total", "Total")) }
                        @for figure in &table.column_totals {
                            (figure_cell(*figure, language))
                        }
                        (figure_cell(table.total, language))
                    }
                }
            }
        }
    }
}

fn legend(language: Language) -> Markup {
    html! {
        span.legend {
            svg.key viewBox="0 0 12 8" aria-hidden="true" { rect width="12" height="8" fill="url(#hatch)" {} }
            " " (language.t("masqué", "hidden"))
        }
    }
}

fn coverage_section(page: &Page) -> Markup {
    let settings = &page.settings;
    let language = settings.language;
    let coverage = &page.coverage;
    let antigen = super::labels::label(Dimension::Antigen, &coverage.antigen);
    let by_district = page.level == AreaLevel::District;
    html! {
        section #coverage-section {
            h2 {
                (language.t("Couverture vaccinale", "Immunisation coverage")) " — "
                (antigen.name(language.french())) " " (coverage.dose_number) ", "
                (language.t("enfants nés en ", "children born in ")) (coverage.birth_year)
            }
            div.scroll {
                table #coverage {
                    thead {
                        tr {
                            th scope="col" {
                                @if by_district { "District" } @else { (language.t("Région", "Region")) }
                            }
                            th.n scope="col" colspan="2" { (language.t("Couverture", "Coverage")) }
                            th.n scope="col" { (language.t("Vaccinés", "Vaccinated")) }
                            th.n scope="col" { (language.t("Enfants enregistrés", "Children registered")) }
                            th.n scope="col" { (language.t("Cible officielle", "Official target")) }
                            th.n scope="col" colspan="2" { (language.t("Couverture de la cible", "Coverage of target")) }
                        }
                    }
                    tbody {
                        @for row in &coverage.rows { (coverage_row(row, language, false)) }
                    }
                    tfoot { (coverage_row(&coverage.total, language, true)) }
                }
            }
            p.note {
                (language.t(
                    "Couverture : enfants vaccinés parmi les enfants de la cohorte enregistrés dans CloudMedi ; cible : \
                     nourrissons survivants estimés. ",
                    "Coverage: children vaccinated among the cohort's children registered in CloudMedi; target: \
                     estimated surviving infants. ",
                ))
                (population::source())
            }
        }
    }
}

fn curve_section(page: &Page) -> Markup {
    let settings = &page.settings;
    let language = settings.language;
    let curve = &page.curve;
    let disease = settings.disease.as_deref().and_then(surveillance::disease);
    let with_cases: Vec<usize> = (0..curve.row_labels.len())
        .filter(|&index| {
            let cells = curve.cells.get(index).map_or(&[][..], Vec::as_slice);
            cells.iter().any(|figure| *figure != Published::Shown(0))
        })
        .collect();
    let without: Vec<&Label> = (0..curve.row_labels.len())
        .filter(|index| !with_cases.contains(index))
        .filter_map(|index| curve.row_labels.get(index))
        .collect();
    let corner = match curve.rows {
        Dimension::Disease => language.t("Maladie", "Disease"),
        Dimension::Region => language.t("Région", "Region"),
        _ => language.t("District", "District"),
    };
    let bars = |cells: &[Published]| -> Vec<(String, String, Published)> {
        curve
            .column_labels
            .iter()
            .zip(cells)
            .map(|(label, figure)| (week_label(&label.code, language), label.code.clone(), *figure))
            .collect()
    };
    html! {
        section #curve-section {
            h2 {
                (language.t("Courbe épidémique", "Epidemic curve")) " — "
                @match disease {
                    Some(disease) => (disease.name(language.french())),
                    None => (language.t("maladies à déclaration obligatoire", "notifiable diseases")),
                }
            }
            p.note {
                (language.t("Nouveaux cas par semaine (ISO), du ", "New cases by (ISO) week, from "))
                (day_text(settings.from)) (language.t(" au ", " to ")) (day_text(settings.to))
                @if let Some(district) = &settings.district {
                    ", " (district)
                } @else if let Some(region) = &settings.region {
                    ", " (super::labels::label(Dimension::Region, region).name(language.french()))
                }
                ". " (legend(language))
            }
            @if !with_cases.is_empty() {
                figure {
                    figcaption {
                        (language.t("Ensemble", "All")) " "
                        span { "(" (language.t("total", "total")) " : " (published_text(curve.total, language)) ")" }
                    }
                    (chart(&bars(&curve.column_totals), language, language.t("Ensemble", "All")))
                }
            }
            @for index in &with_cases {
                @if let Some(row) = curve.row_labels.get(*index) {
                    @let name = row.name(language.french());
                    @let total = curve.row_totals.get(*index).copied().unwrap_or(Published::Suppressed);
                    figure {
                        figcaption {
                            (name) " "
                            span { "(" (language.t("total", "total")) " : " (published_text(total, language)) ")" }
                        }
                        (chart(&bars(curve.cells.get(*index).map_or(&[][..], Vec::as_slice)), language, name))
                    }
                }
            }
            @if with_cases.is_empty() {
                p { (language.t("Aucun cas sur la période.", "No case in the period.")) }
            } @else if !without.is_empty() {
                p.note {
                    (language.t("Aucun cas : ", "No case: "))
                    @for (index, label) in without.iter().enumerate() {
                        @if index > 0 { ", " }
                        (label.name(language.french()))
                    }
                    "."
                }
            }
            details {
                summary { (language.t("Tableau des données", "Data table")) }
                (crosstab_table("curve", curve, corner, language, week_label))
            }
        }
    }
}

fn published_text(figure: Published, language: Language) -> String {
    match figure {
        Published::Shown(count) => number(count, language),
        Published::Suppressed => language.t("masqué", "hidden").to_owned(),
    }
}

fn alerts_section(page: &Page) -> Markup {
    let language = page.settings.language;
    html! {
        section #alerts-section {
            h2 { (language.t("Alertes épidémiques", "Epidemic alerts")) }
            @if page.alerts.is_empty() {
                p #alerts-none { (language.t("Aucune alerte sur la période.", "No alert in the period.")) }
            } @else {
                div.scroll {
                    table #alerts {
                        thead {
                            tr {
                                th scope="col" { (language.t("Semaine", "Week")) }
                                th scope="col" { (language.t("Maladie", "Disease")) }
                                th scope="col" { (language.t("District", "District")) }
                                th scope="col" { (language.t("Région", "Region")) }
                                th scope="col" { (language.t("Niveau", "Level")) }
                            }
                        }
                        tbody {
                            @for alert in &page.alerts {
                                tr data-code=(alert.disease.code) {
                                    td { (alert.week) }
                                    td { (alert.disease.name(language.french())) }
                                    td { (alert.district) }
                                    td { (alert.region.name(language.french())) }
                                    @match alert.level {
                                        surveillance::Level::Epidemic => {
                                            td.epidemic { (language.t("épidémie", "epidemic")) }
                                        }
                                        surveillance::Level::Alert => td.alert { (language.t("alerte", "alert")) },
                                    }
                                }
                            }
                        }
                    }
                }
            }
            p.note {
                (language.t(
                    "Semaines où un district a franchi le seuil d'alerte ou d'épidémie d'une maladie (SIMR). \
                     Une alerte ne donne ni effectif ni personne.",
                    "Weeks in which a district crossed a disease's alert or epidemic threshold (IDSR). \
                     An alert names no count and no person.",
                ))
            }
        }
    }
}

fn attendance_section(page: &Page) -> Markup {
    let settings = &page.settings;
    let language = settings.language;
    let table = &page.attendance;
    let bars: Vec<(String, String, Published)> = table
        .row_labels
        .iter()
        .zip(&table.cells)
        .map(|(label, cells)| {
            (
                month_label(&label.code, language),
                label.code.clone(),
                cells.first().copied().unwrap_or(Published::Suppressed),
            )
        })
        .collect();
    let name = language.t("Consultations par mois", "Visits by month");
    html! {
        section #attendance-section {
            h2 { (language.t("Fréquentation", "Attendance")) " — " (name) ", " (settings.year) }
            figure { (chart(&bars, language, name)) }
            div.scroll {
                table #attendance {
                    thead {
                        tr {
                            th scope="col" { (language.t("Mois", "Month")) }
                            th.n scope="col" { (language.t("Consultations", "Visits")) }
                        }
                    }
                    tbody {
                        @for (index, row) in table.row_labels.iter().enumerate() {
                            @let figure = table.cells.get(index).and_then(|cells| cells.first()).copied();
                            tr data-code=(row.code) {
                                th scope="row" { (month_label(&row.code, language)) " " (row.code.get(..4).unwrap_or_default()) }
                                (figure_cell(figure.unwrap_or(Published::Suppressed), language))
                            }
                        }
                    }
                    tfoot {
                        tr data-code="_total" {
                            th scope="row" { (language.t("Total", "Total")) }
                            (figure_cell(table.total, language))
                        }
                    }
                }
            }
        }
    }
}

fn form(settings: &Settings) -> Markup {
    let language = settings.language;
    let french = language.french();
    let antigens = domain::record::schedule::versions().last().map_or(&[][..], |version| version.antigens.as_slice());
    html! {
        form method="get" action="/statistics" {
            input type="hidden" name="lang" value=(language.code());
            label {
                (language.t("Cohorte (année)", "Cohort (year)"))
                input type="number" name="year" min="1900" max="2100" value=(settings.year);
            }
            label { (language.t("Vaccin", "Vaccine"))
                select name="antigen" {
                    @for antigen in antigens {
                        option value=(antigen.code) selected[antigen.code == settings.antigen] {
                            @if french { (antigen.name_fr) } @else { (antigen.name) }
                        }
                    }
                }
            }
            label { "Dose" input type="number" name="dose_number" min="0" max="10" value=(settings.dose_number); }
            label { (language.t("Maladie", "Disease"))
                select name="disease" {
                    option value="" { (language.t("Toutes", "All")) }
                    @for disease in surveillance::diseases() {
                        @let chosen = settings.disease.as_deref() == Some(disease.code.as_str());
                        option value=(disease.code) selected[chosen] { (disease.name(french)) }
                    }
                }
            }
            label { (language.t("Région", "Region"))
                select name="region" {
                    option value="" { (language.t("Tout le pays", "Whole country")) }
                    @for region in domain::reference::regions() {
                        option value=(region.code) selected[settings.region.as_deref() == Some(region.code.as_str())] {
                            @if french { (region.name_fr) } @else { (region.name_en) }
                        }
                    }
                }
            }
            label {
                "District"
                input type="text" name="district" maxlength="120" value=(settings.district.as_deref().unwrap_or_default());
            }
            label { (language.t("Du", "From")) input type="date" name="from" value=(day_text(settings.from)); }
            label { (language.t("Au", "To")) input type="date" name="to" value=(day_text(settings.to)); }
            button type="submit" { (language.t("Afficher", "Show")) }
        }
    }
}

/// The whole page.
fn render(page: &Page) -> String {
    let settings = &page.settings;
    let language = settings.language;
    let other = if language.french() { Language::English } else { Language::French };
    let title = language.t("Statistiques de santé publique", "Public health statistics");
    let k = page.coverage.k;
    let markup = html! {
        (DOCTYPE)
        html lang=(language.code()) {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (title) " — CloudMedi" }
                style { (PreEscaped(STYLE)) }
            }
            body {
                svg.defs aria-hidden="true" focusable="false" {
                    defs {
                        pattern #hatch width="3" height="3" patternUnits="userSpaceOnUse" patternTransform="rotate(45)" {
                            rect width="1.2" height="3" fill="#a6a6a6" {}
                        }
                    }
                }
                header {
                    h1 { (title) }
                    p.sub {
                        (language.t(
                            "République du Cameroun — Ministère de la Santé publique",
                            "Republic of Cameroon — Ministry of Public Health",
                        ))
                    }
                    nav {
                        strong lang=(language.code()) { (language.t("Français", "English")) }
                        a href=(settings.link(other)) hreflang=(other.code()) lang=(other.code()) {
                            (other.t("Français", "English"))
                        }
                    }
                }
                main {
                    (form(settings))
                    p.note {
                        (language.t(
                            "Chiffres anonymisés : aucune case ne montre un effectif de 1 à ",
                            "Anonymised figures: no cell shows a count of 1 to ",
                        ))
                        (k.saturating_sub(1))
                        (language.t(
                            " personnes ; ces effectifs, et ceux qui permettraient de les retrouver, sont masqués (",
                            " people; such counts, and any that would give one away, are hidden (",
                        ))
                        (legend(language)) ")."
                    }
                    (coverage_section(page))
                    (curve_section(page))
                    (alerts_section(page))
                    (attendance_section(page))
                }
                footer {
                    p {
                        (language.t("Seuil de publication", "Publication threshold")) " k = " (k) ". "
                        (language.t("Données au ", "Data as of ")) (day_text(settings.today)) ". "
                        (language.t(
                            "Chaque consultation de cette page est enregistrée dans le registre.",
                            "Every reading of this page is recorded in the ledger.",
                        ))
                    }
                }
            }
        }
    };
    markup.into_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn label(code: &str) -> Label {
        Label { code: code.into(), name_en: format!("{code} en"), name_fr: format!("{code} fr") }
    }

    fn day(text: &str) -> NaiveDate {
        NaiveDate::parse_from_str(text, "%Y-%m-%d").unwrap()
    }

    fn page(language: Language) -> Page {
        let settings = Settings::of(
            &DashboardRequest {
                year: Some(2026),
                antigen: None,
                dose_number: None,
                disease: Some("cholera".into()),
                region: Some("LT".into()),
                district: None,
                from: None,
                to: None,
                language,
            },
            day("2026-03-18"),
        )
        .unwrap();
        let area = |code: &str, registered, vaccinated| CoverageRow {
            area: label(code),
            registered,
            vaccinated,
            coverage: domain::statistics::disclosure::rate(vaccinated, registered),
            target: Some(12_345),
            coverage_of_target: domain::statistics::disclosure::rate(vaccinated, Published::Shown(12_345)),
        };
        let coverage = Coverage {
            birth_year: 2026,
            antigen: "PENTA".into(),
            dose_number: 1,
            rows: vec![
                area("Deido", Published::Shown(8), Published::Shown(6)),
                area("Nylon", Published::Suppressed, Published::Suppressed),
            ],
            total: area("LT", Published::Suppressed, Published::Suppressed),
            k: 5,
        };
        let weeks: Vec<Label> = ["2026-W01", "2026-W02", "2026-W03"].into_iter().map(label).collect();
        let curve = Crosstab {
            indicator: Indicator::NewDiagnoses,
            rows: Dimension::District,
            columns: Some(Dimension::Week),
            row_labels: vec![label("Deido"), label("Nylon"), label("Japoma")],
            column_labels: weeks,
            cells: vec![
                vec![Published::Shown(9), Published::Suppressed, Published::Shown(0)],
                vec![Published::Shown(0), Published::Suppressed, Published::Shown(0)],
                vec![Published::Shown(0), Published::Shown(0), Published::Shown(0)],
            ],
            row_totals: vec![Published::Suppressed, Published::Suppressed, Published::Shown(0)],
            column_totals: vec![Published::Shown(9), Published::Shown(5), Published::Shown(0)],
            total: Published::Shown(14),
            k: 5,
        };
        let attendance = Crosstab {
            indicator: Indicator::Encounters,
            rows: Dimension::Month,
            columns: None,
            row_labels: vec![label("2026-01"), label("2026-02"), label("2026-03")],
            column_labels: Vec::new(),
            cells: vec![vec![Published::Shown(1234)], vec![Published::Suppressed], vec![Published::Shown(0)]],
            row_totals: vec![Published::Shown(1234), Published::Suppressed, Published::Shown(0)],
            column_totals: Vec::new(),
            total: Published::Suppressed,
            k: 5,
        };
        Page { settings, level: AreaLevel::District, coverage, curve, alerts: Vec::new(), attendance }
    }

    #[test]
    fn defaults_are_this_year_penta_one_and_the_last_twelve_weeks() {
        let settings = Settings::of(
            &DashboardRequest::parse(&DashboardArguments::default(), Language::French).unwrap(),
            day("2026-03-18"),
        )
        .unwrap();
        assert_eq!((settings.year, settings.antigen.as_str(), settings.dose_number), (2026, "PENTA", 1));
        assert_eq!(settings.to, day("2026-03-18"));
        // Wednesday of week 12: weeks 1 to 12, from the Monday of week 1.
        assert_eq!(settings.from, day("2025-12-29"));
        assert_eq!(settings.attendance_days(), (day("2026-01-01"), day("2026-03-18")));
    }

    #[test]
    fn arguments_are_checked_and_empty_ones_are_absent() {
        let arguments = DashboardArguments {
            year: Some("20x6"),
            antigen: Some("NOPE"),
            disease: Some(""),
            region: Some("CE"),
            district: Some("Deido"),
            from: Some("2026-02-30"),
            ..DashboardArguments::default()
        };
        let errors = DashboardRequest::parse(&arguments, Language::English).unwrap_err();
        let fields: Vec<&str> = errors.iter().map(|error| error.field).collect();
        assert_eq!(fields, ["/year", "/antigen", "/district", "/from"]);
        let empty = DashboardArguments { region: Some(""), district: Some(""), ..DashboardArguments::default() };
        let request = DashboardRequest::parse(&empty, Language::English).unwrap();
        assert_eq!((request.region, request.district), (None, None));
    }

    #[test]
    fn accept_language_picks_french_or_english() {
        assert_eq!(Language::preferred("en-GB,en;q=0.9,fr;q=0.8"), Language::English);
        assert_eq!(Language::preferred("de-DE, fr;q=0.5, en;q=0.4"), Language::French);
        assert_eq!(Language::preferred("en;q=0.2, fr-CM;q=0.7"), Language::French);
        assert_eq!(Language::preferred("de, es"), Language::French);
        assert_eq!(Language::preferred(""), Language::French);
    }

    #[test]
    fn the_page_is_small_bilingual_and_shows_the_published_figures() {
        let french = render(&page(Language::French));
        assert!(french.starts_with("<!DOCTYPE html><html lang=\"fr\">"));
        assert!(french.contains("<title>Statistiques de santé publique — CloudMedi</title>"));
        assert!(french.contains("Couverture vaccinale"));
        assert!(french.contains("12\u{202F}345"), "grouped as French writes numbers");
        assert!(french.contains("75,0\u{a0}%"), "6 of 8");
        assert!(french.contains("href=\"?lang=en&amp;year=2026"), "a link to the same page in English");
        assert!(!french.contains("<script"), "no script");
        assert!(french.len() < 40_000, "{} bytes", french.len());
        let english = render(&page(Language::English));
        assert!(english.starts_with("<!DOCTYPE html><html lang=\"en\">"));
        assert!(english.contains("Immunisation coverage"));
        assert!(english.contains("12,345") && english.contains("75.0%"));
        assert!(english.contains("Deido en") && !english.contains("Deido fr"));
    }

    #[test]
    fn a_suppressed_figure_is_drawn_alike_whatever_it_hides() {
        let html = render(&page(Language::English));
        // Every hatched bar has the same geometry: the plot's full height from its top.
        let masked: Vec<&str> =
            html.split("<rect class=\"masked\"").skip(1).map(|rest| &rest[..rest.find('>').unwrap()]).collect();
        assert_eq!(masked.len(), 3, "week 2 of Deido and of Nylon, and February's attendance");
        for bar in &masked {
            assert!(bar.contains("y=\"5.0\"") && bar.contains("height=\"36.0\""), "{bar}");
        }
        // Titles of hidden bars name the period only.
        assert!(html.contains("<title>2026-W02 : hidden</title>"));
        // Japoma counted no one: no chart, named among those without a case.
        assert!(html.contains("No case: Japoma en."));
        // Nylon's row total is hidden in its caption as in the table.
        assert!(html.contains("Nylon en <span>(total : hidden)</span>"));
    }
}
