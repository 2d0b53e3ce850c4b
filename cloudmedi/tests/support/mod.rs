//! What the end-to-end tests of the binary share: running `cloudmedi` commands, and a real
//! `cloudmedi serve` process on a free port.
#![allow(dead_code)]

use std::io::{BufRead, BufReader};
use std::path::Path;
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
        let mut command = Command::new(env!("CARGO_BIN_EXE_cloudmedi"));
        command
            .args(["serve", "--data-dir", data.to_str().unwrap(), "--listen", "127.0.0.1:0"])
            .env_remove("DATABASE_URL")
            .stdout(Stdio::piped())
            .stderr(Stdio::from(log_file(data)));
        if let Some(url) = database_url {
            command.env("DATABASE_URL", url);
        }
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
