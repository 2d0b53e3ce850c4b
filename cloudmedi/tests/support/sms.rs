//! A real SMS gateway for the tests: Kannel (Debian's `kannel` and `kannel-extras`, which `.ci/run`
//! installs when missing), its bearerbox and smsbox on free ports, with Kannel's own fake SMSC
//! (`fakesmsc`) standing for the operator's network and printing every message the gateway hands it.

use std::io::Write;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const BEARERBOX: &str = "/usr/sbin/bearerbox";
const SMSBOX: &str = "/usr/sbin/smsbox";
const FAKESMSC: &str = "/usr/lib/kannel/test/fakesmsc";

/// The `sendsms` account the gateway is configured with.
pub const USERNAME: &str = "cloudmedi";
pub const PASSWORD: &str = "sms gateway secret";

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

fn wait_for_port(port: u16, what: &str) {
    let deadline = Instant::now() + Duration::from_secs(20);
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(Instant::now() < deadline, "{what} did not start on port {port}");
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// One message the fake SMSC received: a whole message, or one part of a concatenated one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sms {
    pub from: String,
    pub to: String,
    /// `text` (GSM 03.38), `ucs-2`, or `udh` for a part of a concatenated message.
    pub coding: String,
    /// The text of a whole message.
    pub text: String,
    /// A part's user data header (its reference, count and number) and its bytes: GSM text as
    /// UTF-8, or UCS-2.
    pub udh: Vec<u8>,
    pub payload: Vec<u8>,
}

/// The parts of one concatenated message, in order, joined and read as UCS-2 or (`ucs2` false) as
/// text.
pub fn joined(parts: &[Sms], ucs2: bool) -> String {
    let mut parts: Vec<&Sms> = parts.iter().collect();
    // The header's last byte is the part's number.
    parts.sort_by_key(|part| part.udh.last().copied());
    let bytes: Vec<u8> = parts.iter().flat_map(|part| part.payload.iter().copied()).collect();
    decode(&bytes, ucs2)
}

fn decode(bytes: &[u8], ucs2: bool) -> String {
    if ucs2 {
        let units: Vec<u16> =
            bytes.chunks(2).map(|pair| u16::from_be_bytes([pair[0], *pair.get(1).unwrap_or(&0)])).collect();
        String::from_utf16_lossy(&units)
    } else {
        String::from_utf8_lossy(bytes).into_owned()
    }
}

/// A running gateway; every process stopped when dropped.
pub struct Gateway {
    children: Vec<Child>,
    received: PathBuf,
    /// The `sendsms` interface's URL, with the account's credentials.
    pub url: String,
    _dir: tempfile::TempDir,
}

impl Gateway {
    pub fn start() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let (admin, smsbox, smsc, sendsms) = (free_port(), free_port(), free_port(), free_port());
        let config = dir.path().join("kannel.conf");
        let mut file = std::fs::File::create(&config).unwrap();
        write!(
            file,
            "group = core\nadmin-port = {admin}\nadmin-password = \"admin secret\"\nsmsbox-port = {smsbox}\n\
             admin-allow-ip = \"127.0.0.1\"\nbox-allow-ip = \"127.0.0.1\"\nlog-level = 1\ndlr-storage = internal\n\
             log-file = \"{log}/bearerbox.log\"\n\n\
             group = smsc\nsmsc = fake\nsmsc-id = FAKE\nport = {smsc}\nconnect-allow-ip = 127.0.0.1\n\n\
             group = smsbox\nbearerbox-host = 127.0.0.1\nsendsms-port = {sendsms}\nlog-level = 1\n\
             log-file = \"{log}/smsbox.log\"\n\n\
             group = sendsms-user\nusername = {USERNAME}\npassword = \"{PASSWORD}\"\nmax-messages = 6\n\
             concatenation = true\n",
            log = dir.path().display(),
        )
        .unwrap();
        let quiet = |command: &mut Command| {
            command.stdin(Stdio::null()).stdout(Stdio::null()).stderr(Stdio::null());
        };
        let mut children = Vec::new();
        let mut bearerbox = Command::new(BEARERBOX);
        bearerbox.arg(&config);
        quiet(&mut bearerbox);
        children.push(
            bearerbox
                .spawn()
                .unwrap_or_else(|error| panic!("cannot run {BEARERBOX} (apt-get install kannel): {error}")),
        );
        wait_for_port(smsbox, "Kannel's bearerbox");
        let mut sms_box = Command::new(SMSBOX);
        sms_box.arg(&config);
        quiet(&mut sms_box);
        children.push(sms_box.spawn().unwrap());
        let received = dir.path().join("received.log");
        let log = std::fs::File::create(&received).unwrap();
        children.push(
            Command::new(FAKESMSC)
                .args(["-H", "127.0.0.1", "-r", &smsc.to_string(), "-m", "0", "1 2 text unused"])
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(log)
                .spawn()
                .unwrap_or_else(|error| panic!("cannot run {FAKESMSC} (apt-get install kannel-extras): {error}")),
        );
        wait_for_port(sendsms, "Kannel's smsbox");
        let url = format!("http://{USERNAME}:{}@127.0.0.1:{sendsms}/cgi-bin/sendsms", PASSWORD.replace(' ', "%20"));
        let gateway = Self { children, received, url, _dir: dir };
        // The fake SMSC connects to the bearerbox on its own schedule; messages sent before are queued
        // by Kannel, but a test reads what arrived, so wait until the link is up.
        let deadline = Instant::now() + Duration::from_secs(20);
        while !std::fs::read_to_string(&gateway.received).unwrap_or_default().contains("Connecting to") {
            assert!(Instant::now() < deadline, "Kannel's fake SMSC did not connect");
            std::thread::sleep(Duration::from_millis(50));
        }
        gateway
    }

    /// The messages the fake SMSC has received, in order.
    pub fn received(&self) -> Vec<Sms> {
        let log = std::fs::read_to_string(&self.received).unwrap_or_default();
        log.lines()
            .filter_map(|line| line.split_once("Got message ").map(|(_, rest)| rest))
            .filter_map(|rest| rest.split_once(": <").map(|(_, message)| message.trim_end_matches('>')))
            .filter_map(|message| {
                let mut parts = message.splitn(4, ' ');
                let (from, to, coding, data) = (parts.next()?, parts.next()?, parts.next()?, parts.next()?);
                let (udh, payload) = match coding {
                    // `udh <header> data <payload>`
                    "udh" => {
                        let mut rest = data.splitn(3, ' ');
                        let (udh, _, payload) = (rest.next()?, rest.next()?, rest.next()?);
                        (url_decoded(udh), url_decoded(payload))
                    }
                    _ => (Vec::new(), url_decoded(data)),
                };
                let text = if coding == "udh" { String::new() } else { decode(&payload, coding == "ucs-2") };
                Some(Sms { from: from.to_owned(), to: to.to_owned(), coding: coding.to_owned(), text, udh, payload })
            })
            .collect()
    }

    /// Waits until `count` messages have arrived (at most 30 s) and returns them.
    pub fn wait_for(&self, count: usize) -> Vec<Sms> {
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

impl Drop for Gateway {
    fn drop(&mut self) {
        for child in self.children.iter_mut().rev() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

/// `%XX` and `+` decoded into bytes, as fakesmsc writes message data.
fn url_decoded(data: &str) -> Vec<u8> {
    let bytes = data.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'%' if i + 3 <= bytes.len() => {
                let hex =
                    std::str::from_utf8(&bytes[i + 1..i + 3]).ok().and_then(|hex| u8::from_str_radix(hex, 16).ok());
                match hex {
                    Some(byte) => {
                        out.push(byte);
                        i += 3;
                    }
                    None => {
                        out.push(b'%');
                        i += 1;
                    }
                }
            }
            b'+' => {
                out.push(b' ');
                i += 1;
            }
            byte => {
                out.push(byte);
                i += 1;
            }
        }
    }
    out
}
