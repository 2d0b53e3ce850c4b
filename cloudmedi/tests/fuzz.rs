//! The command API fuzzed with schemathesis against its own OpenAPI document, on both backends, with
//! every check schemathesis has: the fuzzer sends generated valid and invalid requests to every
//! documented operation, and chains them where one answer feeds another (the stateful phase). It runs as
//! a doctor, then as a nurse, a patient and anonymously. Every answer must be one the document lists,
//! with the documented media type, headers and body; a request that keeps to the schema must not be
//! refused as malformed (a `400`), and one that does not must not be accepted; no answer may be a server
//! error and no request may go unanswered. Afterwards the server still answers, stops cleanly, and the
//! ledger, with everything the fuzzer managed to record, verifies.
//!
//! The GraphQL API is fuzzed the same way from the schema the server itself gives to the standard
//! introspection query, as the same doctor and as the patient: no answer may be a server error, and no resolver may fail
//! inside (each such failure is logged as `query_api.internal_error`).
//!
//! Schemathesis comes from PyPI: the first run creates a virtual environment under the workspace's
//! `target/` directory and installs the pinned version there; later runs reuse it. Each run draws a
//! new seed, printed with the results; `CLOUDMEDI_FUZZ_SEED` replays one.

// The fuzzer's progress goes to the test's output, where a closed pipe is no concern.
#![allow(clippy::disallowed_macros)]

mod support;

use ledger::testing::ScratchDatabase;
use serde_json::{json, Value};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};
use support::{bootstrap, cloudmedi, path, server_log, token, Api};

/// The schemathesis release the flags below were written for. Pinned so that a new release cannot
/// change what the suite checks, or break it, without a change here.
const SCHEMATHESIS: &str = "4.32.5";

/// Test cases per operation and phase, as the doctor: enough for the fuzzer to get past the refusals of
/// malformed input and record entries on the patient's record, few enough that a run on one backend
/// takes a few minutes on two cores.
const MAX_EXAMPLES: &str = "100";

/// Test cases per operation and phase for the other roles, whose requests are mostly refused early.
const MAX_EXAMPLES_OTHER_ROLES: &str = "20";

/// Longer than the server's own request timeout (30 s, answered with 408), so a request that runs
/// out of this time was not answered at all: the server hangs.
const REQUEST_TIMEOUT_SECS: &str = "40";

/// How long one run of schemathesis may take before it is taken to hang; a normal run takes a
/// fraction of it.
const RUN_DEADLINE: Duration = Duration::from_secs(10 * 60);

/// The Python interpreter of a virtual environment holding schemathesis, created on first use.
fn schemathesis() -> PathBuf {
    static PYTHON: OnceLock<PathBuf> = OnceLock::new();
    PYTHON.get_or_init(install_schemathesis).clone()
}

/// Finds or creates `target/schemathesis-<version>`.
///
/// The environment is built in a directory of its own and renamed into place only once the install
/// has succeeded, so its presence means it is complete, and two test processes creating it at once
/// cannot see or damage each other's half-built one: the first rename wins and the other is discarded.
/// The interpreter is called by its path inside the environment, rather than through the
/// `schemathesis` script, whose first line names the directory it was installed in, so the rename is
/// harmless.
fn install_schemathesis() -> PathBuf {
    let target = Path::new(env!("CARGO_MANIFEST_DIR")).join("../target");
    let venv = target.join(format!("schemathesis-{SCHEMATHESIS}"));
    let python = venv.join("bin/python");
    if python.is_file() {
        if runs(&python) {
            return python;
        }
        // The Python it was made with is gone or changed: start again.
        let broken = target.join(format!("schemathesis-{SCHEMATHESIS}.broken-{}", std::process::id()));
        if std::fs::rename(&venv, &broken).is_ok() {
            let _ = std::fs::remove_dir_all(&broken);
        }
    }
    std::fs::create_dir_all(&target).unwrap();
    let building = target.join(format!("schemathesis-{SCHEMATHESIS}.building-{}", std::process::id()));
    // A directory of this name can only be left over from an earlier process that had this id.
    let _ = std::fs::remove_dir_all(&building);
    let step = |what: &str, command: &mut Command| {
        let output = command.stdin(Stdio::null()).output();
        let failure = match output {
            Ok(output) if output.status.success() => return,
            Ok(output) => format!(
                "{}\n{}{}",
                output.status,
                String::from_utf8_lossy(&output.stdout),
                String::from_utf8_lossy(&output.stderr)
            ),
            Err(error) => error.to_string(),
        };
        let _ = std::fs::remove_dir_all(&building);
        panic!("could not {what} (the tests need python3 3.11 or later with venv and pip, and PyPI): {failure}");
    };
    step("create a Python virtual environment", Command::new("python3").args(["-m", "venv"]).arg(&building));
    step(
        &format!("install schemathesis {SCHEMATHESIS} from PyPI"),
        Command::new(building.join("bin/python"))
            .args(["-m", "pip", "install", "--quiet", "--disable-pip-version-check", "--no-input"])
            .arg(format!("schemathesis=={SCHEMATHESIS}")),
    );
    if std::fs::rename(&building, &venv).is_err() {
        // Another process finished first; its environment is as good as this one.
        let _ = std::fs::remove_dir_all(&building);
    }
    assert!(runs(&python), "schemathesis {SCHEMATHESIS} does not run from {}", venv.display());
    python
}

/// Whether `python` runs the pinned schemathesis.
fn runs(python: &Path) -> bool {
    Command::new(python)
        .args(["-m", "schemathesis.cli", "--version"])
        .stdin(Stdio::null())
        .output()
        .is_ok_and(|output| output.status.success() && String::from_utf8_lossy(&output.stdout).contains(SCHEMATHESIS))
}

/// Runs schemathesis with the configuration file `config`, `arguments` and extra environment variables
/// `envs` (such as `SCHEMATHESIS_HOOKS`) in `directory`; returns its
/// output, or why the run failed: it found something, exited abnormally, or ran past [`RUN_DEADLINE`]
/// and was stopped.
fn run_schemathesis(
    directory: &Path,
    config: &Path,
    arguments: &[&str],
    envs: &[(&str, &str)],
) -> Result<String, String> {
    let output_path = directory.join("schemathesis.out");
    let output = std::fs::File::create(&output_path).unwrap();
    // The working directory is a scratch one, so that nothing is written into the source tree.
    let mut child = Command::new(schemathesis())
        .args(["-m", "schemathesis.cli", "--config-file"])
        .arg(config)
        .arg("run")
        .args(arguments)
        .current_dir(directory)
        .envs(envs.iter().copied())
        .env("PYTHONUNBUFFERED", "1")
        .stdin(Stdio::null())
        .stdout(Stdio::from(output.try_clone().unwrap()))
        .stderr(Stdio::from(output))
        .spawn()
        .unwrap();
    let deadline = Instant::now() + RUN_DEADLINE;
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break Some(status);
        }
        if Instant::now() >= deadline {
            let _ = child.kill();
            let _ = child.wait();
            break None;
        }
        std::thread::sleep(Duration::from_millis(200));
    };
    let output = std::fs::read_to_string(&output_path).unwrap_or_default();
    match status {
        Some(status) if status.success() => Ok(output),
        Some(status) => Err(format!("schemathesis {status}:\n{output}")),
        None => Err(format!("schemathesis ran for more than {RUN_DEADLINE:?} and was stopped:\n{output}")),
    }
}

async fn fuzz(database_url: Option<&str>) {
    // Installing first, before any server is started, keeps a slow first install out of the life of
    // the access token below (15 minutes).
    schemathesis();
    let (temp, mut api, admin) = bootstrap(database_url).await;
    let subjects = subjects(&mut api, &admin).await;
    let config = temp.path().join("schemathesis.toml");
    std::fs::write(&config, configuration(&subjects)).unwrap();
    std::fs::write(temp.path().join("openapi_checks.py"), OPENAPI_CHECK).unwrap();
    let document = api.server.url("/api/v1/openapi.json");
    let seed = std::env::var("CLOUDMEDI_FUZZ_SEED").ok();
    let before = api.ledger_position().await;
    let started = Instant::now();
    // Logging out ends the session every other request is authenticated with, after which the fuzzer
    // would only ever be answered 401, and so does a changed password; the two logout operations and
    // the password's change are therefore fuzzed on their own, after everything else, rather than
    // left out.
    let logout = "^/api/v1/(auth/logout|me/password)";
    let all_but_logout = ["--exclude-path-regex", logout];
    let runs = [
        Run {
            role: "the doctor",
            token: Some(&subjects.doctor),
            examples: MAX_EXAMPLES,
            phases: ALL_PHASES,
            selection: all_but_logout,
        },
        // The other roles are mostly refused before their requests are read, which the generated
        // cases show as well as the coverage phase's exhaustive ones would, in a fraction of the time.
        Run {
            role: "the nurse",
            token: Some(&subjects.nurse),
            examples: MAX_EXAMPLES_OTHER_ROLES,
            phases: "fuzzing",
            selection: all_but_logout,
        },
        Run {
            role: "the patient",
            token: Some(&subjects.patient_session),
            examples: MAX_EXAMPLES_OTHER_ROLES,
            phases: "fuzzing",
            selection: all_but_logout,
        },
        Run {
            role: "anyone",
            token: None,
            examples: MAX_EXAMPLES_OTHER_ROLES,
            phases: "fuzzing",
            selection: all_but_logout,
        },
        Run {
            role: "the doctor",
            token: Some(&subjects.doctor),
            examples: MAX_EXAMPLES,
            phases: "examples,coverage,fuzzing",
            selection: ["--include-path-regex", logout],
        },
    ];
    for Run { role, token, examples, phases, selection } in runs {
        let authorization = token.map(|token| format!("Authorization: Bearer {token}"));
        let mut arguments = vec![
            "--checks",
            "all",
            // Replaced by `documented_request_accepted` (see `OPENAPI_CHECK`).
            "--exclude-checks",
            "positive_data_acceptance",
            // Valid requests, and invalid ones: wrong types, missing fields, malformed bodies and headers.
            "--mode",
            "all",
            "--phases",
            phases,
            "--max-examples",
            examples,
            "--request-timeout",
            REQUEST_TIMEOUT_SECS,
            // Examples found in one run are not replayed in the next: each run is on a fresh ledger, and
            // no file is left behind.
            "--generation-database",
            "none",
            "--no-color",
        ];
        if let Some(authorization) = &authorization {
            arguments.extend(["--header", authorization]);
        }
        if let Some(seed) = &seed {
            arguments.extend(["--seed", seed]);
        }
        arguments.extend(selection);
        arguments.push(&document);
        match run_schemathesis(temp.path(), &config, &arguments, &[("SCHEMATHESIS_HOOKS", "openapi_checks")]) {
            Ok(output) => println!("as {role}:\n{output}"),
            Err(failure) => {
                let log = std::fs::read_to_string(server_log(&api.data)).unwrap_or_default();
                let errors: Vec<&str> =
                    log.lines().filter(|line| line.contains("ERROR") || line.contains("panicked")).collect();
                panic!("as {role}: {failure}\nthe server's errors:\n{}", errors.join("\n"));
            }
        }
    }
    let after = api.ledger_position().await;
    println!("fuzzed in {:?}; the ledger went from position {before} to {after}", started.elapsed());

    let health = api.client.get(api.server.url("/health")).send().await.expect("the server still answers");
    assert_eq!(health.status(), 200);
    api.server.stop();
    let verify = cloudmedi(&["verify", "--data-dir", path(&api.data)], database_url);
    assert_eq!(verify.code, 0, "{}{}", verify.stdout, verify.stderr);
}

/// Every phase schemathesis has, the stateful one (requests chained by their answers) included.
const ALL_PHASES: &str = "examples,coverage,fuzzing,stateful";

/// One run of the fuzzer: as whom, how many cases per operation and phase, which phases and which
/// operations.
struct Run<'a> {
    role: &'a str,
    token: Option<&'a str>,
    examples: &'a str,
    phases: &'a str,
    selection: [&'a str; 2],
}

/// What the fuzzer is given so that it gets past "no such patient" often enough to reach the
/// record's own rules, and the ledger behind them: a doctor's session, and identifiers that exist.
struct Subjects {
    doctor: String,
    /// A nurse at the doctor's facility.
    nurse: String,
    /// The patient's own session.
    patient_session: String,
    /// A patient registered at the doctor's facility, so the doctor is in a care relationship with them.
    patient: String,
    health_id: String,
    /// The doctor's facility and another one, which referrals and consents can name.
    facilities: [String; 2],
    /// Entries on the patient's record: an encounter and a prescription.
    entries: [String; 2],
}

async fn subjects(api: &mut Api, admin: &str) -> Subjects {
    let (facility, manager) =
        api.facility_with_administrator(admin, "Hôpital Laquintinie", "LT", "LAQ", "690000001").await;
    let doctor = api.staff_member(&manager, &facility, "LAQ-MED-1", "doctor", "690000011").await;
    let doctor = token(&doctor).to_owned();
    let nurse = api.staff_member(&manager, &facility, "LAQ-INF-1", "nurse", "690000012").await;
    let nurse = token(&nurse).to_owned();
    let created = |response: reqwest::Response, key: &'static str| async move {
        let status = response.status();
        let body: Value = response.json().await.unwrap();
        assert_eq!(status, 201, "{body}");
        body[key].as_str().unwrap().to_owned()
    };
    let other = json!({"name": "Hôpital régional de Garoua", "level": "regional_hospital", "ownership": "public",
                       "region": "NO", "health_district": "Garoua"});
    let other = created(api.post("/api/v1/facilities", Some(admin), other).await, "facility_id").await;
    let patient = json!({"family_name": "Mbarga", "given_names": "Junior", "sex": "male",
                         "birth_date": {"date": "2025-01-10", "estimated": false}, "region": "LT",
                         "health_district": "Deido", "phone": "655443322"});
    let registered = api.register_patient(&doctor, patient).await;
    let patient = registered["patient_id"].as_str().unwrap().to_owned();
    let health_id = registered["health_id"].as_str().unwrap().to_owned();
    let patient_session =
        api.patient_session(&health_id, "+237655443322", "Mbarga keeps his carnet in a tin box").await;
    let record = format!("/api/v1/patients/{patient}");
    let encounter = json!({"date": "2025-11-24", "reason": "fever for three days"});
    let encounter =
        created(api.post(&format!("{record}/encounters"), Some(&doctor), encounter).await, "entry_id").await;
    let prescription = json!({"medicine": "artemether-lumefantrine", "dose": {"amount": "1", "unit": "tablet"},
                              "route": "oral", "times_per_day": 2, "duration_days": 3});
    let prescription =
        created(api.post(&format!("{record}/prescriptions"), Some(&doctor), prescription).await, "entry_id").await;
    Subjects {
        doctor,
        nurse,
        patient_session,
        patient,
        health_id,
        facilities: [facility, other],
        entries: [encounter, prescription],
    }
}

/// A schemathesis configuration that draws identifiers from `subjects` for about half of the
/// generated values and generates the others, which exercise the refusals of unknown ones.
fn configuration(subjects: &Subjects) -> String {
    let list = |values: &[&String]| serde_json::to_string(values).unwrap();
    let Subjects { patient, facilities: [own, other], entries: [encounter, prescription], .. } = subjects;
    format!(
        r#"# What a request that keeps to the document may be answered, besides success: 401, 403 and 404
# (the caller's session, role or care relationship), 409 (the record as it stands), 412 (a stale
# If-Match), 422 (a rule the schema cannot state, documented with its problem type on every
# operation that takes a body) and 429. Not 400, which says the request broke the document.
[checks.positive_data_acceptance]
expected-statuses = ["2xx", "401", "403", "404", "409", "412", "422", "429"]

[dictionaries]
patients = {{ values = {patients} }}
facilities = {{ values = {facilities} }}
entries = {{ values = {entries} }}

[parameters]
"path.patient_id" = {{ dictionary = "patients", probability = 0.6 }}
"path.facility_id" = {{ dictionary = "facilities", probability = 0.5 }}
"path.entry_id" = {{ dictionary = "entries", probability = 0.5 }}
"body.encounter_id" = {{ dictionary = "entries", probability = 0.5 }}
"body.to_facility_id" = {{ dictionary = "facilities", probability = 0.5 }}
"body.facility_id" = {{ dictionary = "facilities", probability = 0.5 }}
"#,
        patients = list(&[patient]),
        facilities = list(&[own, other]),
        entries = list(&[encounter, prescription]),
    )
}

/// schemathesis' `positive_data_acceptance`, except that a `400` is taken as the server's fault only
/// when the body sent really keeps to the document. The fuzzer can label a case as keeping to the
/// document after a dictionary value replaced the field one of its mutations was recorded against,
/// while the mutation itself (an undocumented member, say) is still in the body; the server is right
/// to refuse such a body, and the check would blame it. Every other answer is judged as the built-in
/// check judges it, with the statuses `[checks.positive_data_acceptance]` allows.
const OPENAPI_CHECK: &str = r#"
import schemathesis
from schemathesis.core import NOT_SET
from schemathesis.core.jsonschema import make_validator
from schemathesis.specs.openapi.checks import positive_data_acceptance
from schemathesis.transport.serialization import contains_binary


def body_breaks_document(case):
    if case.body is NOT_SET or contains_binary(case.body):
        return False
    body = case.operation.get_body_for_media_type(case.media_type)
    if body is None:
        return False
    validator = make_validator(body.optimized_schema, case.operation.schema.adapter.jsonschema_validator_cls)
    return not validator.is_valid(case.body)


@schemathesis.check
def documented_request_accepted(ctx, response, case):
    if response.status_code == 400 and body_breaks_document(case):
        return None
    return positive_data_acceptance(ctx, response, case)
"#;

/// A check for GraphQL answers: schemathesis' own `not_a_server_error` fails on any `errors` member, but
/// a record one may not see *must* be answered with an error (`NOT_FOUND`, `FORBIDDEN`…). What must never
/// happen is a 5xx, or an error that is not the client's: one without a code, or
/// `INTERNAL_SERVER_ERROR`.
///
/// The schema's own scalars get strategies of their own: values that keep to the scalar as often as not
/// (health IDs with a right check digit, page sizes and region codes in range), and others that do not,
/// which must be refused as the client's error.
const GRAPHQL_CHECK: &str = r#"
import schemathesis
from hypothesis import strategies as st
from schemathesis.graphql import nodes


schemathesis.graphql.scalar(
    "HealthId",
    # HEALTH_IDS, the registered patients' health IDs, is written above this by the test.
    st.one_of(st.sampled_from(HEALTH_IDS), st.text(max_size=20)).map(nodes.String),
)
schemathesis.graphql.scalar("PageSize", st.integers(min_value=-5, max_value=120).map(nodes.Int))
schemathesis.graphql.scalar(
    "RegionCode",
    st.one_of(st.sampled_from(["AD", "CE", "EN", "ES", "LT", "NO", "NW", "OU", "SU", "SW"]), st.text(max_size=4)).map(nodes.String),
)


@schemathesis.check
def only_client_errors(ctx, response, case):
    if response.status_code >= 500:
        raise AssertionError(f"server error {response.status_code}")
    try:
        body = response.json()
    except Exception:
        return None
    if not isinstance(body, dict):
        raise AssertionError("the answer is not a GraphQL response")
    for error in body.get("errors") or []:
        code = ((error or {}).get("extensions") or {}).get("code")
        if code in (None, "INTERNAL_SERVER_ERROR"):
            raise AssertionError(f"an error that is not the client's: {error}")
    return None
"#;

/// Fuzzes `/graphql` from the schema the server gives to the standard introspection query, as the
/// doctor, the patient and an analyst.
async fn fuzz_graphql(database_url: Option<&str>) {
    schemathesis();
    let (temp, mut api, admin) = bootstrap(database_url).await;
    let subjects = subjects(&mut api, &admin).await;
    let config = temp.path().join("schemathesis.toml");
    std::fs::write(&config, "").unwrap();
    let hooks = format!("HEALTH_IDS = {}\n{GRAPHQL_CHECK}", serde_json::to_string(&[&subjects.health_id]).unwrap());
    std::fs::write(temp.path().join("graphql_checks.py"), hooks).unwrap();
    let endpoint = api.server.url("/graphql");
    let seed = std::env::var("CLOUDMEDI_FUZZ_SEED").ok();
    let started = Instant::now();
    // The schema is loaded by the standard introspection query, which needs a session: the roles fuzzed
    // are those who have one.
    // The analyst reaches the statistics, which the others are refused.
    let analyst = support::national(&mut api, &admin, "MINSANTE-ANA-9", "health_authority_analyst", "690000099").await;
    let runs = [
        ("the doctor", &subjects.doctor, MAX_EXAMPLES),
        ("the patient", &subjects.patient_session, MAX_EXAMPLES_OTHER_ROLES),
        ("the analyst", &analyst, MAX_EXAMPLES_OTHER_ROLES),
    ];
    for (role, token, examples) in runs {
        let authorization = format!("Authorization: Bearer {token}");
        let mut arguments = vec![
            "--checks",
            "only_client_errors",
            "--max-examples",
            examples,
            "--request-timeout",
            REQUEST_TIMEOUT_SECS,
            "--header",
            &authorization,
            "--generation-database",
            "none",
            "--no-color",
        ];
        if let Some(seed) = &seed {
            arguments.extend(["--seed", seed]);
        }
        arguments.push(&endpoint);
        match run_schemathesis(temp.path(), &config, &arguments, &[("SCHEMATHESIS_HOOKS", "graphql_checks")]) {
            Ok(output) => println!("as {role}:\n{output}"),
            Err(failure) => panic!("as {role}: {failure}"),
        }
    }
    println!("fuzzed /graphql in {:?}", started.elapsed());
    let log = std::fs::read_to_string(server_log(&api.data)).unwrap_or_default();
    let failures: Vec<&str> =
        log.lines().filter(|line| line.contains("query_api.internal_error") || line.contains("panicked")).collect();
    assert!(failures.is_empty(), "resolvers failed inside:\n{}", failures.join("\n"));
    let health = api.client.get(api.server.url("/health")).send().await.expect("the server still answers");
    assert_eq!(health.status(), 200);
    api.server.stop();
    let verify = cloudmedi(&["verify", "--data-dir", path(&api.data)], database_url);
    assert_eq!(verify.code, 0, "{}{}", verify.stdout, verify.stderr);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn graphql_fuzzed_on_sqlite() {
    fuzz_graphql(None).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn graphql_fuzzed_on_postgres() {
    let database = ScratchDatabase::create("cloudmedi_gqlfuzz").await.expect("PostgreSQL must be running");
    fuzz_graphql(Some(database.url())).await;
    database.drop_database().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fuzzed_on_sqlite() {
    fuzz(None).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fuzzed_on_postgres() {
    let database = ScratchDatabase::create("cloudmedi_fuzz").await.expect("PostgreSQL must be running");
    fuzz(Some(database.url())).await;
    database.drop_database().await.unwrap();
}
