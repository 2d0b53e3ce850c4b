//! The printable vaccination card: one self-contained HTML page, in French and English, laid out for A4
//! paper, with the child's doses and the health ID as a QR code that a facility can scan to open the
//! record.
//!
//! Every piece of patient text goes through maud's `html!`, which escapes what it interpolates, so a
//! name such as `<script>` prints as text and can never become markup; the only text inserted unescaped
//! is the style sheet, a constant, and the QR code's SVG, which the QR encoder draws from geometry alone.

use domain::record::vaccination::{CardLine, DoseStatus, VaccinationPlan, GRACE_DAYS};
use maud::{html, Markup, PreEscaped, DOCTYPE};
use qrcode::render::svg;
use qrcode::QrCode;

/// What the card prints: the child's identity as registered, the day it is printed, and the plan.
#[derive(Debug, Clone, Copy)]
pub struct PrintableCard<'a> {
    pub health_id: &'a str,
    pub family_name: &'a str,
    pub given_names: &'a str,
    /// `YYYY-MM-DD`.
    pub birth_date: &'a str,
    /// As stored: `female`, `male` or `unknown`; the card prints it in French and English.
    pub sex: &'a str,
    /// `YYYY-MM-DD`.
    pub printed_on: &'a str,
    pub plan: &'a VaccinationPlan,
}

/// The card as a complete HTML5 page, ready to print or to save.
pub fn render_html(card: &PrintableCard) -> String {
    let page = html! {
        (DOCTYPE)
        html lang="fr" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { "Carnet de vaccination / Vaccination card — " (card.health_id) }
                style { (PreEscaped(STYLE)) }
            }
            body {
                header {
                    div.identity {
                        h1 { "Carnet de vaccination" span.en lang="en" { " / Vaccination card" } }
                        p.subtitle {
                            "République du Cameroun — Programme élargi de vaccination"
                            span.en lang="en" { " / Republic of Cameroon — Expanded Programme on Immunization" }
                        }
                        dl {
                            dt { "Nom" span.en lang="en" { " / Family name" } }
                            dd.name { (card.family_name) }
                            dt { "Prénoms" span.en lang="en" { " / Given names" } }
                            dd.name { (card.given_names) }
                            dt { "Né(e) le" span.en lang="en" { " / Date of birth" } }
                            dd { (card.birth_date) }
                            dt { "Sexe" span.en lang="en" { " / Sex" } }
                            dd {
                                @let (french, english) = sex_label(card.sex);
                                (french) span.en lang="en" { " / " (english) }
                            }
                        }
                    }
                    (health_id_block(card.health_id))
                }
                main {
                    h2 { "Vaccins" span.en lang="en" { " / Vaccines" } }
                    table {
                        thead {
                            tr {
                                th scope="col" { "Vaccin" br; span.en lang="en" { "Vaccine" } }
                                th scope="col" { "Dose" br; span.en lang="en" { "Dose" } }
                                th scope="col" { "Date prévue" br; span.en lang="en" { "Due date" } }
                                th scope="col" { "Statut" br; span.en lang="en" { "Status" } }
                                th scope="col" { "Administrée le" br; span.en lang="en" { "Given on" } }
                            }
                        }
                        tbody {
                            @for line in &card.plan.lines {
                                (dose_row(line))
                            }
                        }
                    }
                }
                footer {
                    p {
                        "Calendrier national en vigueur pour les enfants nés à partir du "
                        (card.plan.schedule_effective_from) ". "
                        "En retard : plus de " (GRACE_DAYS) " jours après la date prévue."
                        br;
                        span.en lang="en" {
                            "National schedule for children born from " (card.plan.schedule_effective_from) ". "
                            "Overdue: more than " (GRACE_DAYS) " days past the due date."
                        }
                    }
                    @if card.birth_date < card.plan.schedule_effective_from.as_str() {
                        p {
                            "Né(e) avant ce calendrier : le carnet montre les doses reçues et seulement les vaccins "
                            "encore proposés à son âge."
                            br;
                            span.en lang="en" {
                                "Born before this schedule: the card shows the doses received and only the vaccines "
                                "still offered at this age."
                            }
                        }
                    }
                    p { "Imprimé le" span.en lang="en" { " / Printed on" } " " (card.printed_on) }
                }
            }
        }
    };
    page.into_string()
}

/// The look of the card on paper: A4 with margins a binder can punch, rows that never split across
/// pages, a header row repeated on every page, and statuses that read in black and white as well as in
/// colour, since many facilities print on monochrome printers.
const STYLE: &str = r#"
@page { size: A4; margin: 15mm 15mm 15mm 20mm; }
* { box-sizing: border-box; }
html { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
body { font-family: "DejaVu Sans", Arial, Helvetica, sans-serif; font-size: 10pt; color: #000; margin: 0; }
header { display: flex; justify-content: space-between; align-items: flex-start; gap: 8mm;
         border-bottom: 1.5pt solid #000; padding-bottom: 4mm; }
h1 { font-size: 17pt; margin: 0 0 1mm; }
h2 { font-size: 12pt; margin: 5mm 0 2mm; }
.en { color: #444; font-weight: normal; }
.subtitle { margin: 0 0 3mm; font-size: 9pt; }
dl { display: grid; grid-template-columns: max-content 1fr; gap: 1mm 4mm; margin: 0; }
dt { font-weight: bold; }
dd { margin: 0; }
dd.name { font-size: 12pt; font-weight: bold; }
.health-id { text-align: center; flex: none; }
.health-id svg { width: 35mm; height: 35mm; display: block; margin: 0 auto; }
.health-id .code { font-family: "DejaVu Sans Mono", "Courier New", monospace; font-size: 12pt;
                   font-weight: bold; letter-spacing: 0.5pt; margin: 1mm 0 0; }
.health-id .label { font-size: 8pt; margin: 0; }
table { width: 100%; border-collapse: collapse; table-layout: fixed; }
th:nth-child(1) { width: 40%; }
th:nth-child(2) { width: 8%; }
th:nth-child(3), th:nth-child(5) { width: 17%; }
th:nth-child(4) { width: 18%; }
thead { display: table-header-group; }
tr { break-inside: avoid; page-break-inside: avoid; }
th, td { border: 0.75pt solid #000; padding: 1.2mm 2mm; text-align: left; vertical-align: top; }
th { background: #e6e6e6; font-size: 9pt; }
td.date { white-space: nowrap; font-variant-numeric: tabular-nums; }
td.status { white-space: nowrap; font-weight: bold; }
tr.given td.status { color: #1b5e20; }
tr.overdue td.status { color: #b71c1c; text-decoration: underline; }
tr.overdue { background: #fdecea; }
tr.due td.status { color: #8a4b00; }
tr.due { background: #fff6e0; }
tr.upcoming td.status { color: #333; font-weight: normal; }
footer { margin-top: 5mm; font-size: 8.5pt; border-top: 0.75pt solid #000; padding-top: 2mm; }
@media screen { body { max-width: 175mm; margin: 0 auto; padding: 10mm 0; } }
"#;

/// The health ID as a QR code with the ID printed under it, so the card can be scanned at any
/// facility and still read by eye where there is no scanner.
fn health_id_block(health_id: &str) -> Markup {
    html! {
        div.health-id {
            @match qr_svg(health_id) {
                Some(svg) => {
                    div.qr role="img" aria-label="QR code" { (PreEscaped(svg)) }
                }
                None => {
                    p.label { "Code QR indisponible / QR code unavailable" }
                }
            }
            p.code { (health_id) }
            p.label { "Identifiant santé" span.en lang="en" { " / Health ID" } }
        }
    }
}

/// The QR code of `text` as an inline SVG element, or `None` should the text not fit in a QR code
/// (a health ID always fits; the card then still prints the ID as text rather than failing).
fn qr_svg(text: &str) -> Option<String> {
    let code = QrCode::new(text.as_bytes()).ok()?;
    let document = code
        .render::<svg::Color>()
        .min_dimensions(200, 200)
        .dark_color(svg::Color("#000"))
        .light_color(svg::Color("#fff"))
        .quiet_zone(true)
        .build();
    // The encoder writes a standalone SVG document; inside an HTML page only the element belongs, and
    // the XML declaration before it would be parsed as a stray comment.
    document.find("<svg").map(|start| document[start..].to_owned())
}

fn dose_row(line: &CardLine) -> Markup {
    let (class, french, english) = status_label(line.status);
    html! {
        tr class=(class) {
            td { (line.antigen_name_fr) @if line.antigen_name != line.antigen_name_fr { br; span.en lang="en" { (line.antigen_name) } } }
            td { (line.dose_number) }
            @match &line.due_on {
                Some(due_on) => td.date { (due_on) },
                None => td { "hors calendrier" br; span.en lang="en" { "not in schedule" } },
            }
            td.status { (french) br; span.en lang="en" { (english) } }
            td.date { @if let Some(given_on) = &line.given_on { (given_on) } }
        }
    }
}

/// The sex as stored, in French and in English; a value the card does not know is printed as it is
/// rather than hidden.
fn sex_label(sex: &str) -> (&str, &str) {
    match sex {
        "female" => ("Féminin", "Female"),
        "male" => ("Masculin", "Male"),
        "unknown" => ("Non renseigné", "Not recorded"),
        other => (other, other),
    }
}

/// The row's style class and the status in French and in English.
fn status_label(status: DoseStatus) -> (&'static str, &'static str, &'static str) {
    match status {
        DoseStatus::Given => ("given", "Administrée", "Given"),
        DoseStatus::Overdue => ("overdue", "En retard", "Overdue"),
        DoseStatus::Due => ("due", "À faire", "Due"),
        DoseStatus::Upcoming => ("upcoming", "À venir", "Upcoming"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use domain::record::vaccination::{vaccination_plan, GivenDose, Vaccinee};

    fn given(antigen: &str, dose_number: u32, given_on: &str) -> GivenDose {
        GivenDose { antigen: antigen.into(), dose_number, given_on: given_on.into() }
    }

    /// A four-month-old's plan: given doses, a missed one, doses due, doses to come, and a campaign
    /// dose outside the schedule.
    fn plan() -> VaccinationPlan {
        let doses = [
            given("BCG", 1, "2025-01-10"),
            given("OPV", 0, "2025-01-10"),
            given("PENTA", 1, "2025-02-21"),
            given("MENA", 1, "2025-03-02"),
        ];
        let child = Vaccinee::from_stored("2025-01-10", "female", "LT", "Deido");
        vaccination_plan(&child, &doses, "2025-05-10").expect("valid dates")
    }

    fn render(family_name: &str, given_names: &str, plan: &VaccinationPlan) -> String {
        render_with_sex("female", family_name, given_names, plan)
    }

    fn render_with_sex(sex: &str, family_name: &str, given_names: &str, plan: &VaccinationPlan) -> String {
        render_html(&PrintableCard {
            health_id: "CM1234567894",
            family_name,
            given_names,
            birth_date: "2025-01-10",
            sex,
            printed_on: "2025-05-10",
            plan,
        })
    }

    /// The rows of the table's body, in order.
    fn rows(html: &str) -> Vec<&str> {
        let body = html.split_once("<tbody>").and_then(|(_, rest)| rest.split_once("</tbody>")).map(|(body, _)| body);
        body.unwrap_or_default().split("</tr>").filter(|row| row.contains("<tr")).collect()
    }

    #[test]
    fn patient_text_is_escaped() {
        let plan = plan();
        let html = render("<script>alert('x')</script>", "Marie & Jeanne \"Ngo\"", &plan);
        assert!(!html.contains("<script"), "a name must never become markup");
        assert!(html.contains("&lt;script&gt;alert('x')&lt;/script&gt;"));
        assert!(html.contains("Marie &amp; Jeanne &quot;Ngo&quot;"));
        assert!(!html.contains("Marie & Jeanne"));
    }

    #[test]
    fn the_page_is_a_complete_bilingual_document_for_a4() {
        let plan = plan();
        let html = render("Mbarga", "Jeanne", &plan);
        assert!(html.starts_with("<!DOCTYPE html><html lang=\"fr\">"));
        assert!(html.ends_with("</html>"));
        assert!(html.contains("<meta charset=\"utf-8\">"));
        assert!(html.contains("Carnet de vaccination"));
        assert!(html.contains("Vaccination card"));
        assert!(html.contains("size: A4"));
        assert!(html.contains("enfants nés à partir du 2024-01-22"));
        assert!(html.contains("more than 28 days past the due date"));
        assert!(html.contains("Printed on</span> 2025-05-10"));
    }

    #[test]
    fn the_sex_and_the_vaccines_read_in_both_languages() {
        let plan = plan();
        for (sex, shown) in [
            ("male", "Masculin<span class=\"en\" lang=\"en\"> / Male</span>"),
            ("female", "Féminin<span class=\"en\" lang=\"en\"> / Female</span>"),
            ("unknown", "Non renseigné<span class=\"en\" lang=\"en\"> / Not recorded</span>"),
        ] {
            let html = render_with_sex(sex, "Mbarga", "Jeanne", &plan);
            assert!(html.contains(shown), "{sex}: {html}");
            assert!(!html.contains(&format!("<dd>{sex}</dd>")), "{sex} printed untranslated");
        }
        let html = render("Mbarga", "Jeanne", &plan);
        assert!(html.contains("Vaccin polio oral (VPO)<br><span class=\"en\" lang=\"en\">Oral polio vaccine</span>"));
        assert!(html.contains("Rougeole-rubéole (RR)<br><span class=\"en\" lang=\"en\">Measles-rubella</span>"));
    }

    #[test]
    fn the_health_id_is_a_qr_code_with_the_id_under_it() {
        let plan = plan();
        let html = render("Mbarga", "Jeanne", &plan);
        let svg_start = html.find("<svg xmlns=\"http://www.w3.org/2000/svg\"").expect("an inline SVG");
        let svg_end = html.find("</svg>").expect("the SVG is closed");
        assert!(svg_start < svg_end);
        assert!(html[svg_start..svg_end].contains("<path fill=\"#000\" d=\"M"), "the QR code has dark modules");
        assert!(!html.contains("<?xml"), "no XML declaration inside the page");
        let id_text = html.find("<p class=\"code\">CM1234567894</p>").expect("the ID printed as text");
        assert!(svg_end < id_text, "the ID is printed under the QR code");
        assert_eq!(qr_svg("CM1234567894"), qr_svg("CM1234567894"), "the same ID always draws the same code");
        assert_ne!(qr_svg("CM1234567894"), qr_svg("CM1234567801"));
    }

    #[test]
    fn every_dose_is_a_row_with_its_status() {
        let plan = plan();
        let html = render("Mbarga", "Jeanne", &plan);
        let rows = rows(&html);
        assert_eq!(rows.len(), plan.lines.len());
        for (row, line) in rows.iter().zip(&plan.lines) {
            let (class, french, english) = status_label(line.status);
            assert!(row.contains(&format!("<tr class=\"{class}\">")), "{row}");
            assert!(row.contains(&format!("{french}<br><span class=\"en\" lang=\"en\">{english}</span>")), "{row}");
            assert!(row.contains(&line.antigen_name), "{row}");
            assert!(row.contains(&format!("<td>{}</td>", line.dose_number)), "{row}");
        }
        // The statuses a clinician looks for, on the rows they belong to.
        let row_of = |antigen: &str, dose: u32| {
            let index =
                plan.lines.iter().position(|line| line.antigen_name.starts_with(antigen) && line.dose_number == dose);
            index.map(|index| rows[index])
        };
        let bcg = row_of("BCG", 1).expect("BCG row");
        assert!(bcg.contains("Administrée") && bcg.contains("2025-01-10"));
        let opv1 = row_of("Oral polio", 1).expect("OPV 1 row");
        assert!(opv1.contains("En retard") && opv1.contains("2025-02-21"));
        let opv3 = row_of("Oral polio", 3).expect("OPV 3 row");
        assert!(opv3.contains("À faire") && opv3.contains("2025-04-18"));
        let measles = row_of("Measles", 1).expect("MR 1 row");
        assert!(measles.contains("À venir") && measles.contains("2025-10-11"));
        let campaign = row_of("MENA", 1).expect("the campaign dose row");
        assert!(campaign.contains("hors calendrier") && campaign.contains("2025-03-02"));
    }
}
