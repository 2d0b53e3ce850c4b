//! A real SMTP server for the tests: aiosmtpd (Debian's `python3-aiosmtpd`, which `.ci/run` installs
//! when missing) on a free port, storing what it receives in a Maildir, each message read back with
//! Python's own e-mail package, independent of the sender's.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// The Python that has Debian's aiosmtpd.
const PYTHON: &str = "/usr/bin/python3";

/// A port nothing listens on now.
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

/// An SMTP server on a port of this machine; stopped when dropped.
pub struct MailServer {
    child: Child,
    maildir: PathBuf,
    pub port: u16,
    _dir: tempfile::TempDir,
}

impl MailServer {
    pub fn start() -> Self {
        Self::start_on(free_port())
    }

    pub fn start_on(port: u16) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let maildir = dir.path().join("Maildir");
        let child = Command::new(PYTHON)
            .args(["-m", "aiosmtpd", "-n", "-l", &format!("127.0.0.1:{port}"), "-c", "aiosmtpd.handlers.Mailbox"])
            .arg(&maildir)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|error| {
                panic!("cannot run {PYTHON} -m aiosmtpd (apt-get install python3-aiosmtpd): {error}")
            });
        let deadline = Instant::now() + Duration::from_secs(20);
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(Instant::now() < deadline, "the SMTP server did not start on port {port}");
            std::thread::sleep(Duration::from_millis(50));
        }
        Self { child, maildir, port, _dir: dir }
    }

    /// A server that speaks only over TLS with the certificate `cert_pem` (its key `key_pem`), either
    /// from the first byte (`implicit`) or after STARTTLS, which it requires; it takes a message only
    /// after AUTH as `user` with `password`, and refuses the recipient `refused` with a 550.
    pub fn start_secured(secured: Secured<'_>) -> Self {
        let port = free_port();
        let dir = tempfile::tempdir().unwrap();
        let maildir = dir.path().join("Maildir");
        let (cert, key) = (dir.path().join("server.pem"), dir.path().join("server.key"));
        std::fs::write(&cert, secured.cert_pem).unwrap();
        std::fs::write(&key, secured.key_pem).unwrap();
        let mode = if secured.implicit { "implicit" } else { "starttls" };
        let child = Command::new(PYTHON)
            .arg("-c")
            .arg(SECURED_SERVER)
            .args([mode, &port.to_string()])
            .args([&cert, &key, &maildir])
            .args([secured.user, secured.password, secured.refused])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|error| panic!("cannot run {PYTHON} with aiosmtpd: {error}"));
        let deadline = Instant::now() + Duration::from_secs(20);
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(Instant::now() < deadline, "the SMTP server did not start on port {port}");
            std::thread::sleep(Duration::from_millis(50));
        }
        Self { child, maildir, port, _dir: dir }
    }

    /// The messages received so far, oldest first: `from`, `to`, `subject`, `message_id`, `type`,
    /// `charset` and the decoded `body`.
    pub fn received(&self) -> Vec<serde_json::Value> {
        let Ok(entries) = std::fs::read_dir(self.maildir.join("new")) else { return Vec::new() };
        let mut files: Vec<PathBuf> = entries.map(|entry| entry.unwrap().path()).collect();
        files.sort();
        files.iter().map(|file| parse(file)).collect()
    }

    /// Waits until `count` messages have arrived (at most 30 s) and returns them.
    pub fn wait_for(&self, count: usize) -> Vec<serde_json::Value> {
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let received = self.received();
            if received.len() >= count || Instant::now() > deadline {
                return received;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }
}

/// How a [`MailServer::start_secured`] server is secured.
pub struct Secured<'a> {
    pub cert_pem: &'a str,
    pub key_pem: &'a str,
    pub implicit: bool,
    pub user: &'a str,
    pub password: &'a str,
    pub refused: &'a str,
}

/// aiosmtpd with TLS and authentication, which its command line does not configure: the arguments
/// are the mode, the port, the certificate and key files, the Maildir, the account and the refused
/// recipient.
const SECURED_SERVER: &str = r#"
import ssl, sys, threading
from aiosmtpd.controller import Controller
from aiosmtpd.handlers import Mailbox
from aiosmtpd.smtp import AuthResult
mode, port, cert, key, maildir, user, password, refused = sys.argv[1:9]
context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
context.load_cert_chain(cert, key)
def authenticator(server, session, envelope, mechanism, data):
    login = getattr(data, 'login', None)
    # Not handled here: aiosmtpd answers the 235 or the 535 itself.
    return AuthResult(success=login == user.encode() and data.password == password.encode(), handled=False)
class Handler(Mailbox):
    async def handle_RCPT(self, server, session, envelope, address, options):
        if address == refused:
            return '550 5.1.1 mailbox unavailable'
        envelope.rcpt_tos.append(address)
        return '250 OK'
# Over implicit TLS the whole session is encrypted, which aiosmtpd's STARTTLS bookkeeping does not see.
implicit = {'ssl_context': context, 'auth_require_tls': False}
secured = implicit if mode == 'implicit' else {'tls_context': context, 'require_starttls': True}
controller = Controller(Handler(maildir), hostname='127.0.0.1', port=int(port), authenticator=authenticator,
                        auth_required=True, server_hostname='localhost', **secured)
controller.start()
threading.Event().wait()
"#;

impl Drop for MailServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn parse(file: &Path) -> serde_json::Value {
    let script = r#"
import email, email.policy, json, sys
m = email.message_from_binary_file(open(sys.argv[1], 'rb'), policy=email.policy.default)
print(json.dumps({
    'from': str(m['From']), 'to': str(m['To']), 'subject': str(m['Subject']),
    'message_id': str(m['Message-ID']), 'type': m.get_content_type(),
    'charset': m.get_content_charset(), 'body': m.get_content(),
}))
"#;
    let output = Command::new(PYTHON).arg("-c").arg(script).arg(file).output().unwrap();
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    serde_json::from_slice(&output.stdout).unwrap()
}
