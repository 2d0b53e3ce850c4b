//! What the end-to-end tests of the binary share: running `cloudmedi` commands, and a real
//! `cloudmedi serve` process on a free port.
#![allow(dead_code)]

pub mod browser;
pub mod mail;
pub mod sms;

use reqwest::{Client, Response};
use serde_json::{json, Value};
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::path::PathBuf;
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

/// Where a server started on `data` writes its logs: beside the data directory, appended to across
/// restarts, so a test can read what an operator would see.
pub fn server_log(data: &Path) -> std::path::PathBuf {
    data.with_extension("server.log")
}

fn log_file(data: &Path) -> std::fs::File {
    std::fs::OpenOptions::new().create(true).append(true).open(server_log(data)).expect("open the server log")
}

/// The outcome of one `cloudmedi` command.
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

/// Runs `cloudmedi` with `args`, on PostgreSQL when `database_url` is given.
pub fn cloudmedi(args: &[&str], database_url: Option<&str>) -> Run {
    let mut command = Command::new(env!("CARGO_BIN_EXE_cloudmedi"));
    command.args(args).env_remove("DATABASE_URL").env_remove("CLOUDMEDI_DATA_DIR");
    if let Some(url) = database_url {
        command.env("DATABASE_URL", url);
    }
    let Output { status, stdout, stderr } = command.output().expect("run cloudmedi");
    Run {
        code: status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&stdout).into_owned(),
        stderr: String::from_utf8_lossy(&stderr).into_owned(),
    }
}

pub struct Server {
    pub child: Child,
    base: String,
    stdout: std::sync::mpsc::Receiver<String>,
}

impl Server {
    /// Starts `cloudmedi serve` and waits until it says where it listens.
    pub fn start(data: &Path, database_url: Option<&str>, envs: &[(&str, &str)]) -> Server {
        Self::start_with(data, database_url, envs, &[])
    }

    /// Starts `cloudmedi serve` with extra arguments (such as `--role projector`).
    pub fn start_with(data: &Path, database_url: Option<&str>, envs: &[(&str, &str)], args: &[&str]) -> Server {
        let mut command = Command::new(env!("CARGO_BIN_EXE_cloudmedi"));
        command
            .args(["serve", "--data-dir", data.to_str().unwrap(), "--listen", "127.0.0.1:0"])
            .args(args)
            .env_remove("DATABASE_URL")
            .stdout(Stdio::piped())
            .stderr(Stdio::from(log_file(data)));
        if let Some(url) = database_url {
            command.env("DATABASE_URL", url);
        }
        // Reminders decided every second and delivered at any hour, so that a test waiting for one
        // passes at night as by day; the quiet hours have tests of their own.
        command.env("CLOUDMEDI_REMINDER_INTERVAL_SECS", "1").env("CLOUDMEDI_REMINDER_QUIET_HOURS", "00:00-00:00");
        for (key, value) in envs {
            command.env(key, value);
        }
        let mut child = command.spawn().expect("start cloudmedi serve");
        let (lines, stdout) = std::sync::mpsc::channel();
        let out = child.stdout.take().expect("stdout");
        std::thread::spawn(move || {
            for line in BufReader::new(out).lines().map_while(Result::ok) {
                if lines.send(line).is_err() {
                    break;
                }
            }
        });
        // From here on `Drop` reaps the process, whatever happens.
        let mut server = Server { child, base: String::new(), stdout };
        let deadline = Instant::now() + Duration::from_secs(60);
        while server.base.is_empty() {
            let wait = deadline.saturating_duration_since(Instant::now());
            let line = server.stdout.recv_timeout(wait).expect("the server says where it listens");
            if let Some(address) = line.strip_prefix("listening on ") {
                server.base = address.to_owned();
            }
        }
        server
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// Sends SIGTERM and waits for a clean exit.
    pub fn stop(mut self) {
        let status = Command::new("kill").args(["-TERM", &self.child.id().to_string()]).status().unwrap();
        assert!(status.success());
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                assert!(status.success(), "the server exits cleanly on SIGTERM: {status}");
                break;
            }
            assert!(Instant::now() < deadline, "the server did not stop within 30 s of SIGTERM");
            std::thread::sleep(Duration::from_millis(50));
        }
        // The process has exited, so its output ends: read it to the end (the reader thread may still
        // be passing on the last lines).
        let mut rest = Vec::new();
        while let Ok(line) = self.stdout.recv_timeout(Duration::from_secs(10)) {
            rest.push(line);
        }
        assert!(rest.iter().any(|line| line == "stopped"), "{rest:?}");
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub const STRONG: &str = "mango tree by the Wouri river";

/// The story below makes far more unauthenticated requests from one address than a real client, so
/// it runs with a per-address allowance to match; the allowance itself is tested on its own.
pub const GENEROUS: (&str, &str) = ("CLOUDMEDI_AUTH_ATTEMPTS_BURST", "100000");

pub struct Api {
    pub client: Client,
    pub server: Server,
    pub data: PathBuf,
    pub database_url: Option<String>,
    pub outbox: PathBuf,
    /// Every password, code and token the test handled, to check none reached the ledger.
    pub secrets: Vec<String>,
}

impl Api {
    pub async fn post(&self, path: &str, token: Option<&str>, body: Value) -> Response {
        let mut request = self.client.post(self.server.url(path)).json(&body);
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        request.send().await.unwrap()
    }

    pub async fn get(&self, path: &str, token: &str) -> Response {
        self.client.get(self.server.url(path)).bearer_auth(token).send().await.unwrap()
    }

    /// The latest message the development channel `channel` delivered to `recipient` that contains
    /// `marker`, waiting for the dispatcher.
    pub async fn message_to(&self, channel: &str, recipient: &str, marker: &str, after: usize) -> String {
        let path = self.outbox.join(format!("{channel}.jsonl"));
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let lines: Vec<Value> = std::fs::read_to_string(&path)
                .unwrap_or_default()
                .lines()
                .map(|line| serde_json::from_str(line).unwrap())
                .collect();
            let found = lines
                .iter()
                .skip(after)
                .filter(|message| message["recipient"] == recipient)
                .filter_map(|message| message["body"].as_str())
                .rfind(|body| body.contains(marker));
            if let Some(body) = found {
                return body.to_owned();
            }
            assert!(Instant::now() < deadline, "no {channel} message to {recipient} containing {marker:?}");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    pub fn delivered(&self, channel: &str) -> usize {
        std::fs::read_to_string(self.outbox.join(format!("{channel}.jsonl"))).unwrap_or_default().lines().count()
    }

    /// Activates an issued account with the code from its activation message.
    pub async fn activate(&mut self, login: &str, code: &str, password: &str) -> Value {
        self.secrets.push(code.to_owned());
        self.secrets.push(password.to_owned());
        let response = self
            .post("/api/v1/auth/activate", None, json!({"login": login, "activation_code": code, "password": password}))
            .await;
        assert_eq!(response.status(), 200, "{}", response.text().await.unwrap());
        response.json().await.unwrap()
    }

    /// Logs in with a one-time code sent by `channel` to `recipient`; returns the tokens.
    pub async fn login_with_code(&mut self, login: &str, password: &str, channel: &str, recipient: &str) -> Value {
        let before = self.delivered(channel);
        let response = self.post("/api/v1/auth/login", None, json!({"login": login, "password": password})).await;
        assert_eq!(response.status(), 200);
        let challenge: Value = response.json().await.unwrap();
        assert_eq!(challenge["second_factor_required"], true, "{challenge}");
        assert_eq!(challenge["code_sent_by"], channel);
        assert!(challenge.get("access_token").is_none(), "no session before the second factor");
        let body = self.message_to(channel, recipient, "login code is", before).await;
        let code = code_in(&body, "login code is ");
        self.secrets.push(code.clone());
        let response = self
            .post(
                "/api/v1/auth/login/second-factor",
                None,
                json!({"challenge_id": challenge["challenge_id"], "method": channel, "code": code}),
            )
            .await;
        assert_eq!(response.status(), 200);
        let tokens: Value = response.json().await.unwrap();
        self.remember_tokens(&tokens);
        // A code works once.
        let replay = self
            .post(
                "/api/v1/auth/login/second-factor",
                None,
                json!({"challenge_id": challenge["challenge_id"], "method": channel, "code": code}),
            )
            .await;
        problem(replay, 401).await;
        tokens
    }

    pub fn remember_tokens(&mut self, tokens: &Value) {
        for key in ["access_token", "refresh_token"] {
            self.secrets.push(tokens[key].as_str().unwrap().to_owned());
        }
    }
    /// Sends the same request `times` times at once; returns the statuses.
    pub async fn concurrently(&self, path: &str, body: Value, times: usize) -> Vec<u16> {
        let mut requests = tokio::task::JoinSet::new();
        for _ in 0..times {
            let request = self.client.post(self.server.url(path)).json(&body);
            requests.spawn(async move { request.send().await.unwrap().status().as_u16() });
        }
        requests.join_all().await
    }

    /// Stops the server and starts it again on the same ledger with `envs`.
    pub fn restart(&mut self, envs: &[(&str, &str)]) {
        let url = self.database_url.clone();
        let next = Server::start(&self.data, url.as_deref(), envs);
        std::mem::replace(&mut self.server, next).stop();
    }
}

/// The code that follows `after` in a message.
pub fn code_in(body: &str, after: &str) -> String {
    let rest = body.split(after).nth(1).unwrap_or_else(|| panic!("no code in {body:?}"));
    rest.split([' ', '\n', '.', ';', ',', '(']).next().unwrap().to_owned()
}

pub fn token(tokens: &Value) -> &str {
    tokens["access_token"].as_str().unwrap()
}

pub async fn problem(response: Response, status: u16) -> Value {
    assert_eq!(response.status().as_u16(), status);
    assert_eq!(response.headers()["content-type"], "application/problem+json");
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["status"], status);
    let text = body.to_string();
    assert!(!text.contains("panicked") && !text.contains("sqlx") && !text.contains(".rs:"), "{text}");
    body
}

pub fn path(p: &Path) -> &str {
    p.to_str().unwrap()
}

/// A running system on a fresh data directory (and database), with its first system administrator
/// activated and logged in. Returns the temporary directory (keep it alive), the API, and the
/// administrator's access token.
pub async fn bootstrap(database_url: Option<&str>) -> (tempfile::TempDir, Api, String) {
    let temp = tempfile::tempdir().unwrap();
    let data = temp.path().join("data");
    let init = cloudmedi(&["init", "--data-dir", path(&data)], database_url);
    assert_eq!(init.code, 0, "{}", init.stderr);
    let issued = cloudmedi(
        &[
            "admin",
            "create-system-administrator",
            "--data-dir",
            path(&data),
            "--login",
            "MINSANTE-ADM-1",
            "--family-name",
            "Ngono",
            "--given-names",
            "Paul",
            "--email",
            "adm@minsante.cm",
        ],
        database_url,
    );
    assert_eq!(issued.code, 0, "{}", issued.stderr);
    let code = code_in(&issued.stdout, "activation code: ");
    let server = Server::start(&data, database_url, &[GENEROUS]);
    let mut api = Api {
        client: Client::new(),
        server,
        outbox: data.join("outbox"),
        data,
        database_url: database_url.map(str::to_owned),
        secrets: Vec::new(),
    };
    api.activate("MINSANTE-ADM-1", &code, "Ndole and plantains on Sunday").await;
    let tokens =
        api.login_with_code("MINSANTE-ADM-1", "Ndole and plantains on Sunday", "email", "adm@minsante.cm").await;
    let token = token(&tokens).to_owned();
    (temp, api, token)
}

/// Issues a national account (an analyst, an auditor) as the system administrator `admin`; the person
/// activates it and logs in with a code by SMS to `phone` (nine digits). Returns their access token.
pub async fn national(api: &mut Api, admin: &str, login: &str, role: &str, phone: &str) -> String {
    national_in(api, admin, login, role, phone, None).await
}

/// [`national`], for an analyst of a regional delegation when `region` is given.
pub async fn national_in(
    api: &mut Api,
    admin: &str,
    login: &str,
    role: &str,
    phone: &str,
    region: Option<&str>,
) -> String {
    let body = json!({"professional_id": login, "role": role, "family_name": "Tester", "given_names": login,
                      "phone": phone, "region": region});
    let response = api.post("/api/v1/staff", Some(admin), body).await;
    assert_eq!(response.status(), 201, "{}", response.text().await.unwrap());
    let recipient = format!("+237{phone}");
    let message = api.message_to("sms", &recipient, "activation code", 0).await;
    let password = "steady hands on the night rota";
    api.activate(login, &code_in(&message, "activation code is "), password).await;
    token(&api.login_with_code(login, password, "sms", &recipient).await).to_owned()
}

/// Waits until every projector has applied every entry (`cloudmedi projections status`).
pub fn caught_up(api: &Api) {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let run = cloudmedi(&["projections", "status", "--data-dir", path(&api.data)], api.database_url.as_deref());
        assert_eq!(run.code, 0, "{}", run.stderr);
        let lags: Vec<&str> = run.stdout.lines().skip(2).filter_map(|line| line.split_whitespace().nth(2)).collect();
        if lags.len() == projections::all().len() && lags.iter().all(|lag| *lag == "0") {
            return;
        }
        assert!(Instant::now() < deadline, "the projectors never caught up: {}", run.stdout);
        std::thread::sleep(Duration::from_millis(200));
    }
}

impl Api {
    /// Registers a patient at the desk with `registration` as the staff member `token`; returns the
    /// answer (`patient_id`, `health_id`, ...).
    pub async fn register_patient(&self, token: &str, registration: Value) -> Value {
        let response = self.post("/api/v1/patients", Some(token), registration).await;
        assert_eq!(response.status(), 201, "{}", response.text().await.unwrap());
        response.json().await.unwrap()
    }

    /// A patient who activates the account registered for them, with the code sent by SMS to `phone`
    /// (E.164), and logs in with their health ID; returns their access token.
    pub async fn patient_session(&mut self, health_id: &str, phone: &str, password: &str) -> String {
        let message = self.message_to("sms", phone, "activation code", 0).await;
        self.activate(health_id, &code_in(&message, "activation code is "), password).await;
        let response = self.post("/api/v1/auth/login", None, json!({"login": health_id, "password": password})).await;
        assert_eq!(response.status(), 200);
        let tokens: Value = response.json().await.unwrap();
        self.remember_tokens(&tokens);
        token(&tokens).to_owned()
    }

    /// Registers a facility and appoints its administrator, who activates the account and logs in.
    /// Returns the facility's id and the administrator's access token.
    pub async fn facility_with_administrator(
        &mut self,
        admin_token: &str,
        name: &str,
        region: &str,
        prefix: &str,
        phone: &str,
    ) -> (String, String) {
        let body = json!({"name": name, "level": "regional_hospital", "ownership": "public", "region": region,
                          "health_district": "Centre-ville"});
        let response = self.post("/api/v1/facilities", Some(admin_token), body).await;
        assert_eq!(response.status(), 201);
        let facility: Value = response.json().await.unwrap();
        let facility_id = facility["facility_id"].as_str().unwrap().to_owned();
        let manager = self
            .staff_member(admin_token, &facility_id, &format!("{prefix}-ADM"), "facility_administrator", phone)
            .await;
        (facility_id, token(&manager).to_owned())
    }

    /// Registers a member of staff at a facility, who activates the account and logs in with a code
    /// by SMS to `phone` (nine digits). Returns their tokens.
    pub async fn staff_member(
        &mut self,
        manager_token: &str,
        facility_id: &str,
        professional_id: &str,
        role: &str,
        phone: &str,
    ) -> Value {
        let body = json!({"professional_id": professional_id, "role": role, "family_name": "Tester",
                          "given_names": professional_id, "phone": phone});
        let response = self.post(&format!("/api/v1/facilities/{facility_id}/staff"), Some(manager_token), body).await;
        assert_eq!(response.status(), 201, "{}", response.text().await.unwrap());
        let recipient = format!("+237{phone}");
        let message = self.message_to("sms", &recipient, "activation code", 0).await;
        let password = "steady hands on the night rota".to_owned();
        self.activate(professional_id, &code_in(&message, "activation code is "), &password).await;
        self.login_with_code(professional_id, &password, "sms", &recipient).await
    }

    /// Sends a request with extra headers.
    pub async fn post_with(&self, path: &str, token: &str, headers: &[(&str, &str)], body: Value) -> Response {
        let mut request = self.client.post(self.server.url(path)).bearer_auth(token).json(&body);
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        request.send().await.unwrap()
    }

    /// The ledger's position, from the readiness endpoint.
    pub async fn ledger_position(&self) -> u64 {
        let ready: Value = self.client.get(self.server.url("/ready")).send().await.unwrap().json().await.unwrap();
        ready["ledger_position"].as_u64().unwrap()
    }
}

/// Returns once the server has appended nothing for three seconds (three rounds of the reminder
/// scheduler in a test server): reminders decided, sent and their outcomes recorded happen on their
/// own, so a test that says "nothing was written" by the ledger's position waits for them first.
pub async fn settled(api: &Api) {
    let deadline = Instant::now() + Duration::from_secs(60);
    let mut last = api.ledger_position().await;
    let mut quiet_since = Instant::now();
    while quiet_since.elapsed() < Duration::from_secs(3) {
        assert!(Instant::now() < deadline, "the server kept appending for a minute");
        tokio::time::sleep(Duration::from_millis(250)).await;
        let position = api.ledger_position().await;
        if position != last {
            (last, quiet_since) = (position, Instant::now());
        }
    }
}

/// The codes (`extensions.code`) of a GraphQL answer's errors, in order.
pub fn graphql_codes(body: &Value) -> Vec<String> {
    body["errors"]
        .as_array()
        .map(|errors| {
            errors.iter().map(|error| error["extensions"]["code"].as_str().unwrap_or("").to_owned()).collect()
        })
        .unwrap_or_default()
}
