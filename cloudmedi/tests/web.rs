//! The web pages end to end, against the real server on both backends: a patient activates their
//! account and signs in, reads the summary of their record (an allergy a doctor recorded through the
//! API first), in French and then in English, and opens their vaccination card; a doctor signs in
//! with a code sent by SMS; forms without a token, with a forged one, or posted from another site are
//! refused with a page and record nothing; every page carries the browser protections and weighs
//! less than 60 KB with its style sheet; after signing out, or once the session is revoked, pages go
//! back to signing in.
//!
//! The pages are driven as a browser without JavaScript would (plain HTTP, cookies kept by hand) on
//! both backends, and in headless Chromium (Debian's `chromium`) on the embedded default, whose
//! screenshots of the main pages are kept in `target/web-screenshots/`.

mod support;

use serde_json::{json, Value};
use std::time::{Duration, Instant};
use support::browser::{self, Page, Visitor};
use support::{bootstrap, code_in, token, Api};

/// The pages' policy: nothing but this origin's style sheet, `data:` images and forms to this origin.
const STRICT: &str = "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; \
                      frame-ancestors 'none'; base-uri 'none'";

/// The heaviest a page may be on first load, its style sheet included.
const PAGE_BUDGET: usize = 60 * 1024;

const PATIENT_PASSWORD: &str = "Esther grows up in Deido";
const DOCTOR_PASSWORD: &str = "steady hands on the night rota";

fn borrowed<'a>(fields: &'a [(&'a str, String)]) -> Vec<(&'a str, &'a str)> {
    fields.iter().map(|(name, value)| (*name, value.as_str())).collect()
}

/// The browser protections every page carries, with `policy` as its `Content-Security-Policy`.
fn protected(page: &Page, policy: &str, what: &str) {
    assert!(page.header("content-type").starts_with("text/html"), "{what}: {}", page.header("content-type"));
    assert_eq!(page.header("content-security-policy"), policy, "{what}");
    assert_eq!(page.header("x-content-type-options"), "nosniff", "{what}");
    // The pages' URLs carry no patient data; their forms' posts carry their origin.
    assert_eq!(page.header("referrer-policy"), "same-origin", "{what}");
    assert_eq!(page.header("x-frame-options"), "DENY", "{what}");
    assert_eq!(page.header("cache-control"), "no-store", "{what}");
    assert!(!page.body.contains("<script"), "{what}: no page needs a script");
    assert!(!page.body.contains("style=\""), "{what}: no inline style");
}

/// Checks a page's weight with its style sheet, which it links under a versioned path cached for a
/// year.
async fn light(visitor: &mut Visitor, page: &Page, what: &str) {
    let at = page.body.find("href=\"/web/assets/style.").expect("the page links its style sheet");
    let rest = &page.body[at + "href=\"".len()..];
    let path = rest[..rest.find('"').unwrap()].to_owned();
    let sheet = visitor.get(&path).await;
    assert_eq!(sheet.status, 200);
    assert_eq!(sheet.header("content-type"), "text/css; charset=utf-8");
    assert_eq!(sheet.header("cache-control"), "public, max-age=31536000, immutable");
    let weight = page.body.len() + sheet.body.len();
    assert!(weight < PAGE_BUDGET, "{what} weighs {weight} bytes with its style sheet");
}

/// The latest code sent by `channel` to `recipient` after the `after`th message, read from the
/// development outbox as a phone would receive it.
fn code_sent(outbox: &std::path::Path, channel: &str, recipient: &str, marker: &str, after: usize) -> String {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let text = std::fs::read_to_string(outbox.join(format!("{channel}.jsonl"))).unwrap_or_default();
        let found = text
            .lines()
            .skip(after)
            .filter_map(|line| serde_json::from_str::<Value>(line).ok())
            .filter(|message| message["recipient"] == recipient)
            .filter_map(|message| message["body"].as_str().map(str::to_owned))
            .filter(|body| body.contains(marker))
            .last();
        if let Some(body) = found {
            return code_in(&body, &format!("{marker} "));
        }
        assert!(Instant::now() < deadline, "no {channel} message to {recipient}");
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// What the story needs from the API's side.
struct Story {
    api: Api,
    doctor_api_token: String,
    health_id: String,
    activation_code: String,
    _temp: tempfile::TempDir,
}

/// A hospital with a doctor; a patient registered there with an allergy, a diagnosis, a prescription
/// and a visit, recorded by the doctor through the API.
async fn story(database_url: Option<&str>) -> Story {
    let (temp, mut api, admin) = bootstrap(database_url).await;
    let (douala, manager) =
        api.facility_with_administrator(&admin, "Hôpital Laquintinie", "LT", "LAQ", "690000001").await;
    let doctor = api.staff_member(&manager, &douala, "LAQ-MED-1", "doctor", "690000011").await;
    let doctor = token(&doctor).to_owned();
    let patient = api
        .register_patient(
            &doctor,
            json!({"family_name": "Ngo Bassa", "given_names": "Esther", "sex": "female",
                   "birth_date": {"date": "1990-06-01", "estimated": false}, "region": "LT",
                   "health_district": "Deido", "phone": "655443311"}),
        )
        .await;
    let record = format!("/api/v1/patients/{}", patient["patient_id"].as_str().unwrap());
    let writes = [
        (
            "allergies",
            json!({"substance": "penicillin", "category": "medication", "severity": "severe",
                   "status": "confirmed", "reaction": "urticaria"}),
        ),
        ("conditions", json!({"icd10": "B50.9", "description": "paludisme simple", "status": "active"})),
        (
            "prescriptions",
            json!({"medicine": "artemether-lumefantrine", "dose": {"amount": "4", "unit": "tablet"},
                   "route": "oral", "times_per_day": 2, "duration_days": 3}),
        ),
        ("encounters", json!({"date": "2025-11-03", "reason": "fièvre depuis trois jours"})),
    ];
    for (section, body) in writes {
        let response = api.post(&format!("{record}/{section}"), Some(&doctor), body).await;
        assert_eq!(response.status(), 201, "{section}: {}", response.text().await.unwrap());
    }
    let message = api.message_to("sms", "+237655443311", "activation code", 0).await;
    let activation_code = code_in(&message, "activation code is ");
    support::caught_up(&api);
    Story {
        health_id: patient["health_id"].as_str().unwrap().to_owned(),
        activation_code,
        doctor_api_token: doctor,
        api,
        _temp: temp,
    }
}

/// Forms refused before they are read: without a token, with a forged one, from another site.
/// Nothing is recorded: the ledger stays where it was.
async fn refusals(story: &Story, visitor: &mut Visitor) {
    let position = story.api.ledger_position().await;
    let form = visitor.get("/sign-in").await;
    let token = form.token();
    let attempt = [("login", story.health_id.as_str()), ("password", PATIENT_PASSWORD)];
    let without = visitor.post_with("/sign-in", &attempt, &[]).await;
    assert_eq!(without.status, 403);
    assert!(without.body.contains("Ce formulaire a expiré ou n'a pas été délivré par ce site"), "{}", without.body);
    protected(&without, STRICT, "a refused form");
    let forged = "0".repeat(64);
    let with_forged = [attempt[0], attempt[1], ("form_token", forged.as_str())];
    assert_eq!(visitor.post_with("/sign-in", &with_forged, &[]).await.status, 403);
    let genuine = [attempt[0], attempt[1], ("form_token", token.as_str())];
    let host = story.api.server.url("").trim_start_matches("http://").trim_end_matches('/').to_owned();
    let elsewhere = visitor.post_with("/sign-in", &genuine, &[("origin", "https://evil.example")]).await;
    assert_eq!(elsewhere.status, 403);
    assert!(elsewhere.body.contains("envoyé depuis un autre site"), "{}", elsewhere.body);
    let cross_site = visitor.post_with("/sign-in", &genuine, &[("sec-fetch-site", "cross-site")]).await;
    assert_eq!(cross_site.status, 403);
    // A token for another browser does not work in this one.
    let mut other = Visitor::new(&visitor.base, "fr");
    other.get("/sign-in").await;
    assert_eq!(other.post_with("/sign-in", &genuine, &[]).await.status, 403);
    // A cross-site post to any form is refused.
    let language =
        visitor.post_with("/language", &[("lang", "en"), ("form_token", &token)], &[("origin", "null")]).await;
    assert_eq!(language.status, 403);
    // Posts refused before they were read recorded nothing, not even a failed sign-in.
    assert_eq!(story.api.ledger_position().await, position);
    // The same form, sent from this site, is read (and refused for its credentials only: the account
    // is not active yet), and the failure is recorded.
    let own = visitor
        .post_with("/sign-in", &genuine, &[("origin", &format!("http://{host}")), ("sec-fetch-site", "same-origin")])
        .await;
    assert_eq!(own.status, 401, "{}", own.body);
    assert!(own.body.contains("Les identifiants n'ont pas été acceptés."), "{}", own.body);
    assert!(!own.body.contains(PATIENT_PASSWORD), "a password is never sent back");
    assert!(story.api.ledger_position().await > position);
}

/// The patient activates the account (after a form with mistakes, re-displayed with each field's error
/// and nothing written) and signs in; returns the summary page.
async fn patient_signs_in(story: &Story, visitor: &mut Visitor) -> Page {
    let position = story.api.ledger_position().await;
    let activation = visitor.get("/activate").await;
    protected(&activation, STRICT, "activation");
    light(visitor, &activation, "activation").await;
    let token = activation.token();
    let mistaken = visitor
        .post_with(
            "/activate",
            &[
                ("login", &story.health_id),
                ("activation_code", ""),
                ("password", "short"),
                ("confirmation", "short"),
                ("form_token", &token),
            ],
            &[],
        )
        .await;
    assert_eq!(mistaken.status, 422);
    assert!(mistaken.body.contains("Ce champ est obligatoire."), "{}", mistaken.body);
    assert!(mistaken.body.contains("Au moins 12 caractères."), "{}", mistaken.body);
    assert!(mistaken.body.contains(&format!("value=\"{}\"", story.health_id)), "the login is kept");
    assert!(!mistaken.body.contains("value=\"short\""), "a password is never sent back");
    let mismatched = visitor
        .post_with(
            "/activate",
            &[
                ("login", &story.health_id),
                ("activation_code", &story.activation_code),
                ("password", PATIENT_PASSWORD),
                ("confirmation", "Esther grows up in Akwa"),
                ("form_token", &token),
            ],
            &[],
        )
        .await;
    assert_eq!(mismatched.status, 422);
    assert!(mismatched.body.contains("Les deux mots de passe sont différents."));
    assert_eq!(story.api.ledger_position().await, position, "nothing is written for a form with mistakes");

    let activated = visitor
        .post_with(
            "/activate",
            &[
                ("login", &story.health_id),
                ("activation_code", &story.activation_code),
                ("password", PATIENT_PASSWORD),
                ("confirmation", PATIENT_PASSWORD),
                ("form_token", &token),
            ],
            &[],
        )
        .await;
    assert_eq!(activated.status, 200, "{}", activated.body);
    assert!(activated.body.contains("Votre compte est activé"));

    // Signed out, the start page sends the visitor to sign in.
    let home = visitor.get("/").await;
    assert_eq!(home.status, 303);
    let form = visitor.follow(&home).await;
    assert_eq!(form.status, 200);
    protected(&form, STRICT, "sign-in");
    light(visitor, &form, "sign-in").await;
    let signed_in = visitor
        .post_with(
            "/sign-in",
            &[
                ("login", &story.health_id),
                ("password", PATIENT_PASSWORD),
                ("next", "/"),
                ("form_token", &form.token()),
            ],
            &[],
        )
        .await;
    let summary = visitor.follow(&signed_in).await;
    assert_eq!(summary.status, 200, "{}", summary.body);
    summary
}

/// What the patient's summary shows, in French.
fn summary_in_french(summary: &Page) {
    let body = &summary.body;
    assert!(body.contains("<html lang=\"fr\">"));
    assert!(body.contains("<title>Résumé de mon dossier — CloudMedi</title>"), "{body}");
    for shown in [
        "Esther",
        "Ngo Bassa",
        "1er juin 1990",
        "penicillin",
        "sévère",
        "Réaction : urticaria",
        "artemether-lumefantrine",
        "4 comprimés, 2 fois par jour",
        "paludisme simple",
        "B50.9",
        "3 novembre 2025",
        "fièvre depuis trois jours",
        "À Hôpital Laquintinie",
        "(UTC+01:00)",
    ] {
        assert!(body.contains(shown), "{shown} in {body}");
    }
    let allergies = body.find("Allergies et intolérances").unwrap();
    for later in ["Traitements en cours", "Diagnostics", "Consultations récentes"] {
        assert!(allergies < body.find(later).unwrap(), "allergies come before {later}");
    }
}

/// The story over plain HTTP: what a browser without JavaScript does.
async fn pages_without_a_browser(story: &Story) {
    let mut visitor = Visitor::new(&story.api.server.url(""), "fr-CM,fr;q=0.9,en;q=0.5");
    refusals(story, &mut visitor).await;
    let summary = patient_signs_in(story, &mut visitor).await;
    protected(&summary, STRICT, "the summary");
    light(&mut visitor, &summary, "the summary").await;
    summary_in_french(&summary);

    // The card, for the session: no patient id in the path.
    let card = visitor.get("/my/vaccination-card").await;
    assert_eq!(card.status, 200);
    assert!(card.body.contains(&story.health_id));
    let policy = card.header("content-security-policy");
    assert!(policy.contains("style-src 'sha256-") && !policy.contains("script-src"), "{policy}");
    assert!(card.body.len() < PAGE_BUDGET, "the card weighs {} bytes", card.body.len());

    // English, once chosen, is remembered.
    let switched =
        visitor.post_with("/language", &[("lang", "en"), ("next", "/"), ("form_token", &summary.token())], &[]).await;
    let english = visitor.follow(&switched).await;
    assert!(english.body.contains("<title>My record summary — CloudMedi</title>"), "{}", english.body);
    assert!(english.body.contains("4 tablets, twice a day"));
    assert!(english.body.contains("severe"));
    assert!(visitor.get("/").await.body.contains("My record summary"));

    // Errors are pages in the visitor's language, never problem documents.
    let wrong_method = visitor.get("/sign-out").await;
    assert_eq!(wrong_method.status, 405);
    protected(&wrong_method, STRICT, "an error page");
    assert!(wrong_method.body.contains("This page cannot be used this way."));
    assert_eq!(wrong_method.header("allow"), "POST");
    let unknown = visitor.get("/my/nothing-here").await;
    assert_eq!(unknown.status, 404);
    protected(&unknown, STRICT, "a page not found");
    assert!(unknown.body.contains("Page not found"));
    let old_sheet = visitor.get("/web/assets/style.0000000000000000.css").await;
    assert_eq!(old_sheet.status, 404);
    assert!(old_sheet.body.contains("Page not found"));

    // Too much data is refused with a page, not a problem document, and nothing is recorded.
    let huge = "x".repeat(2 * 1024 * 1024);
    let position = story.api.ledger_position().await;
    // (On a client of its own: the server closes a connection whose upload it refused.)
    let mut uploader = Visitor::new(&visitor.base, "en");
    match uploader.try_post("/sign-in", &[("login", &huge)], &[]).await {
        Ok(response) => {
            let too_large = uploader.keep(response).await;
            assert_eq!(too_large.status, 413);
            protected(&too_large, STRICT, "a refused upload");
            assert!(too_large.body.contains("What was sent is too large. Nothing was recorded."), "{}", too_large.body);
        }
        // The server refuses by the declared length, before reading the body, and closes the
        // connection: a client still writing the rest of two megabytes may see the connection shut
        // before it reads the answer (on a loaded machine, where the server answers sooner).
        Err(error) => assert!(error.is_request(), "{error}"),
    }
    assert_eq!(story.api.ledger_position().await, position, "a refused upload records nothing");

    // Signing out ends the session: the pages go back to signing in, and its token no longer works.
    let session = visitor.cookies["__Host-cloudmedi-session"].clone();
    let home = visitor.get("/").await;
    let out = visitor.post_with("/sign-out", &[("form_token", &home.token())], &[]).await;
    assert_eq!(out.status, 303);
    assert!(!visitor.cookies.contains_key("__Host-cloudmedi-session"));
    let card = visitor.get("/my/vaccination-card").await;
    assert_eq!(card.status, 303);
    assert_eq!(card.header("location"), "/sign-in?next=%2Fmy%2Fvaccination-card");
    let me = story.api.get("/api/v1/me", &session).await;
    assert_eq!(me.status(), 401);
    // Coming back with the old cookie changes nothing either (and the dead cookie is dropped).
    visitor.cookies.insert("__Host-cloudmedi-session".into(), session);
    assert_eq!(visitor.get("/").await.status, 303);
    assert!(!visitor.cookies.contains_key("__Host-cloudmedi-session"));

    // Signing in again comes back to the page asked for, and only ever to a page of this site.
    let form = visitor.follow(&card).await;
    assert!(form.body.contains("Sign in to continue."), "{}", form.body);
    // Switching language there keeps where signing in leads.
    let switched = visitor
        .post_with(
            "/language",
            &[("lang", "en"), ("next", "/sign-in?next=%2Fmy%2Fvaccination-card"), ("form_token", &form.token())],
            &[],
        )
        .await;
    assert_eq!(switched.header("location"), "/sign-in?next=%2Fmy%2Fvaccination-card");
    assert!(form.body.contains("name=\"next\" value=\"/my/vaccination-card\""), "{}", form.body);
    let credentials = [("login", story.health_id.as_str()), ("password", PATIENT_PASSWORD)];
    let back = visitor
        .post_with(
            "/sign-in",
            &[credentials[0], credentials[1], ("next", "/my/vaccination-card"), ("form_token", &form.token())],
            &[],
        )
        .await;
    assert_eq!(back.header("location"), "/my/vaccination-card");
    let home = visitor.get("/").await;
    let out = visitor.post_with("/sign-out", &[("form_token", &home.token())], &[]).await;
    assert_eq!(out.status, 303);
    let form = visitor.get("/sign-in?next=https%3A%2F%2Fevil.example%2F").await;
    assert!(!form.body.contains("evil.example"), "{}", form.body);
    let elsewhere = visitor
        .post_with(
            "/sign-in",
            &[credentials[0], credentials[1], ("next", "//evil.example/"), ("form_token", &form.token())],
            &[],
        )
        .await;
    assert_eq!(elsewhere.header("location"), "/", "no open redirect");

    // The doctor signs in with a code sent by SMS; then the session is revoked from the API.
    let mut doctor = Visitor::new(&story.api.server.url(""), "en-GB,en");
    let form = doctor.get("/sign-in").await;
    assert!(form.body.contains("<html lang=\"en\">"), "English from Accept-Language");
    let before = story.api.delivered("sms");
    let challenge = doctor
        .post_with(
            "/sign-in",
            &[("login", "LAQ-MED-1"), ("password", DOCTOR_PASSWORD), ("form_token", &form.token())],
            &[],
        )
        .await;
    assert_eq!(challenge.status, 200, "{}", challenge.body);
    assert!(challenge.body.contains("A code was just sent to your phone by SMS."));
    assert!(!doctor.cookies.contains_key("__Host-cloudmedi-session"), "no session before the second factor");
    protected(&challenge, STRICT, "the second factor");
    let code = code_sent(&story.api.outbox, "sms", "+237690000011", "login code is", before);
    let (challenge_id, methods, token) =
        (challenge.hidden("challenge_id"), challenge.hidden("methods"), challenge.token());
    let answer = |code: String| {
        vec![
            ("challenge_id", challenge_id.clone()),
            ("method", "sms".to_owned()),
            ("methods", methods.clone()),
            ("code", code),
            ("form_token", token.clone()),
        ]
    };
    let wrong = answer("000000".to_owned());
    let refused = doctor.post_with("/sign-in/second-factor", &borrowed(&wrong), &[]).await;
    assert_eq!(refused.status, 401);
    assert!(refused.body.contains("The code was not accepted."));
    let right = answer(code);
    let opened = doctor.post_with("/sign-in/second-factor", &borrowed(&right), &[]).await;
    let workspace = doctor.follow(&opened).await;
    assert_eq!(workspace.status, 200);
    assert!(workspace.body.contains("Your workspace"));
    assert!(workspace.body.contains("You are signed in as a doctor."));
    assert!(!workspace.body.contains("penicillin"));
    protected(&workspace, STRICT, "the workspace");
    light(&mut doctor, &workspace, "the workspace").await;
    let revoked = story.api.post("/api/v1/auth/logout-all", Some(&story.doctor_api_token), json!({})).await;
    assert_eq!(revoked.status(), 204);
    let after = doctor.get("/").await;
    assert_eq!(after.status, 303, "a revoked session ends at the next page");
    assert_eq!(after.header("location"), "/sign-in");

    // Refused credentials say only that; the fifth locks the login, and the page says so.
    let mut guesser = Visitor::new(&story.api.server.url(""), "fr");
    for attempt in 0..5 {
        let form = guesser.get("/sign-in").await;
        let password = format!("guess number {attempt} of many");
        let fields = [("login", "LAQ-MED-99"), ("password", password.as_str()), ("form_token", &form.token())];
        let answer = guesser.post_with("/sign-in", &fields, &[]).await;
        if attempt < 4 {
            assert_eq!(answer.status, 401, "{}", answer.body);
            assert!(answer.body.contains("Les identifiants n'ont pas été acceptés."));
        } else {
            assert_eq!(answer.status, 429, "{}", answer.body);
            assert!(
                answer.body.contains("Trop d'échecs : la connexion est bloquée. Réessayez dans"),
                "{}",
                answer.body
            );
            assert!(answer.header("retry-after").parse::<u64>().unwrap() > 0);
        }
    }
}

/// The patient's and the doctor's sign-in in headless Chromium, on a phone's screen (400 px wide).
fn in_chromium(base: &str, health_id: &str, activation_code: &str, outbox: &std::path::Path) {
    use std::collections::HashMap;

    let (browser, _profile) = browser::chromium(400, 800);
    let tab = browser.new_tab().unwrap();
    tab.set_extra_http_headers(HashMap::from([("Accept-Language", "fr-CM,fr;q=0.9")])).unwrap();
    tab.call_method(browser::screen(400, 800, true)).unwrap();
    let shoot = |name: &str| browser::shoot(&tab, name);
    let submit = |selector: &str| {
        tab.wait_for_element(selector).unwrap().click().unwrap();
        tab.wait_until_navigated().unwrap();
    };
    let fill = |selector: &str, text: &str| {
        tab.wait_for_element(selector).unwrap().click().unwrap();
        tab.type_str(text).unwrap();
    };
    // The page the browser shows once it has loaded the one titled `title`: its source.
    let arrived = |title: &str| {
        let deadline = Instant::now() + Duration::from_secs(20);
        while tab.get_title().unwrap() != title {
            assert!(Instant::now() < deadline, "{title}: {}", tab.get_content().unwrap());
            std::thread::sleep(Duration::from_millis(50));
        }
        tab.get_content().unwrap()
    };

    // Signed out, the start page is the sign-in page.
    tab.navigate_to(&format!("{base}/")).unwrap().wait_until_navigated().unwrap();
    arrived("Connexion — CloudMedi");
    assert!(tab.get_url().ends_with("/sign-in"), "{}", tab.get_url());
    shoot("sign-in");
    browser::accessible(&tab, "the sign-in page");

    // The patient activates the account and signs in.
    submit("a[href='/activate']");
    arrived("Activer votre compte — CloudMedi");
    fill("#login", health_id);
    fill("#activation_code", activation_code);
    fill("#password", PATIENT_PASSWORD);
    fill("#confirmation", PATIENT_PASSWORD);
    shoot("activation");
    browser::accessible(&tab, "the activation page");
    submit("form.page button[type=submit]");
    arrived("Votre compte est activé — CloudMedi");
    submit("main a[href='/sign-in']");
    arrived("Connexion — CloudMedi");
    fill("#login", health_id);
    fill("#password", PATIENT_PASSWORD);
    submit("form.page button[type=submit]");
    let french = arrived("Résumé de mon dossier — CloudMedi");
    assert!(french.contains("penicillin") && french.contains("sévère"), "{french}");
    shoot("summary-fr");
    browser::accessible(&tab, "the summary in French");

    // In English, after switching.
    submit("button[name=lang][value=en]");
    let english = arrived("My record summary — CloudMedi");
    assert!(english.contains("Allergies and intolerances") && english.contains("severe"), "{english}");
    shoot("summary-en");
    browser::accessible(&tab, "the summary in English");

    // The vaccination card, then back and sign out.
    submit("a[href='/my/vaccination-card']");
    assert!(arrived(&format!("Carnet de vaccination / Vaccination card — {health_id}")).contains(health_id));
    shoot("vaccination-card");
    browser::accessible(&tab, "the vaccination card");
    tab.navigate_to(&format!("{base}/")).unwrap().wait_until_navigated().unwrap();
    arrived("My record summary — CloudMedi");
    submit("form[action='/sign-out'] button");
    // The language chosen is remembered.
    arrived("Sign in — CloudMedi");
    assert!(tab.get_url().ends_with("/sign-in"), "{}", tab.get_url());
    tab.navigate_to(&format!("{base}/my/vaccination-card")).unwrap().wait_until_navigated().unwrap();
    arrived("Sign in — CloudMedi");
    assert!(tab.get_url().ends_with("/sign-in?next=%2Fmy%2Fvaccination-card"), "{}", tab.get_url());

    // The doctor signs in with a code sent by SMS.
    let before = std::fs::read_to_string(outbox.join("sms.jsonl")).unwrap_or_default().lines().count();
    tab.navigate_to(&format!("{base}/sign-in")).unwrap().wait_until_navigated().unwrap();
    arrived("Sign in — CloudMedi");
    fill("#login", "LAQ-MED-1");
    fill("#password", DOCTOR_PASSWORD);
    submit("form.page button[type=submit]");
    arrived("Second step of signing in — CloudMedi");
    shoot("second-factor");
    browser::accessible(&tab, "the second factor's page");
    let code = code_sent(outbox, "sms", "+237690000011", "login code is", before);
    fill("#code", &code);
    submit("form.page button[type=submit]");
    assert!(arrived("Your workspace — CloudMedi").contains("You are signed in as a doctor."));
    shoot("workspace");
    browser::accessible(&tab, "the staff's start page");
}

async fn the_web_pages(database_url: Option<&str>, with_chromium: bool) {
    let story = story(database_url).await;
    if with_chromium {
        // The browser activates the patient's account itself; the checks over plain HTTP then run on
        // another story.
        let base = story.api.server.url("").trim_end_matches('/').to_owned();
        let (health_id, code, outbox) =
            (story.health_id.clone(), story.activation_code.clone(), story.api.outbox.clone());
        tokio::task::spawn_blocking(move || in_chromium(&base, &health_id, &code, &outbox)).await.unwrap();
        story.api.server.stop();
        return;
    }
    pages_without_a_browser(&story).await;
    story.api.server.stop();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_web_pages_on_sqlite() {
    the_web_pages(None, false).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_web_pages_in_chromium() {
    the_web_pages(None, true).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_web_pages_on_postgres() {
    let database = ledger::testing::ScratchDatabase::create("cloudmedi_web_e2e").await.unwrap();
    the_web_pages(Some(database.url()), false).await;
    database.drop_database().await.unwrap();
}
