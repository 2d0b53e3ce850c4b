//! What the tests of the web pages share: a browser without JavaScript that keeps its cookies and
//! posts forms ([`Visitor`]), and headless Chromium on a phone's screen, with screenshots kept as
//! artefacts in `target/web-screenshots/`.

use headless_chrome::protocol::cdp::{Emulation, Page as Cdp};
use headless_chrome::{Browser, LaunchOptions, Tab};
use reqwest::header::{HeaderMap, LOCATION, SET_COOKIE};
use reqwest::{redirect, Client, Response};
use std::collections::BTreeMap;
use std::ffi::OsStr;
use std::path::PathBuf;
use std::time::Duration;

/// The session cookie the pages set.
pub const SESSION: &str = "__Host-cloudmedi-session";

/// Debian's Chromium (`apt-get install chromium`; `.ci/run` installs it when missing).
pub const CHROMIUM: &str = "/usr/bin/chromium";

/// A browser without JavaScript: it follows no redirection by itself and keeps its cookies.
pub struct Visitor {
    pub client: Client,
    pub base: String,
    pub cookies: BTreeMap<String, String>,
    pub accept_language: &'static str,
}

/// A page as the visitor received it.
pub struct Page {
    pub status: u16,
    pub headers: HeaderMap,
    pub body: String,
}

impl Page {
    pub fn header(&self, name: &str) -> &str {
        self.headers.get(name).and_then(|value| value.to_str().ok()).unwrap_or("")
    }

    /// The form token of the page's forms.
    pub fn token(&self) -> String {
        self.hidden("form_token")
    }

    /// The value of the page's first hidden field `name`.
    pub fn hidden(&self, name: &str) -> String {
        let pattern = format!("name=\"{name}\" value=\"");
        let at = self.body.find(&pattern).unwrap_or_else(|| panic!("no {name} in {}", self.body));
        let rest = &self.body[at + pattern.len()..];
        rest[..rest.find('"').unwrap()].to_owned()
    }

    /// The first `attribute="…"` value after `marker` in the page.
    pub fn after(&self, marker: &str, attribute: &str) -> String {
        let at = self.body.find(marker).unwrap_or_else(|| panic!("no {marker} in {}", self.body));
        let pattern = format!("{attribute}=\"");
        let from = at + self.body[at..].find(&pattern).unwrap_or_else(|| panic!("no {attribute} after {marker}"));
        let rest = &self.body[from + pattern.len()..];
        rest[..rest.find('"').unwrap()].to_owned()
    }

    /// The text of the first element opening with `opening`.
    pub fn inside(&self, opening: &str) -> String {
        let at = self.body.find(opening).unwrap_or_else(|| panic!("no {opening} in {}", self.body));
        let rest = &self.body[at + opening.len()..];
        rest[..rest.find('<').unwrap()].to_owned()
    }
}

impl Visitor {
    pub fn new(base: &str, accept_language: &'static str) -> Self {
        let client = Client::builder().redirect(redirect::Policy::none()).build().unwrap();
        Self { client, base: base.trim_end_matches('/').to_owned(), cookies: BTreeMap::new(), accept_language }
    }

    /// A browser signed in with the session `access_token` (the pages' session is the API's own token).
    pub fn signed_in(base: &str, accept_language: &'static str, access_token: &str) -> Self {
        let mut visitor = Self::new(base, accept_language);
        visitor.cookies.insert(SESSION.to_owned(), access_token.to_owned());
        visitor
    }

    pub fn cookie_header(&self) -> String {
        self.cookies.iter().map(|(name, value)| format!("{name}={value}")).collect::<Vec<_>>().join("; ")
    }

    /// Keeps the cookies an answer sets (every one `__Host-`, secure, HTTP only, same site) and reads
    /// its page.
    pub async fn keep(&mut self, response: Response) -> Page {
        for cookie in response.headers().get_all(SET_COOKIE) {
            let cookie = cookie.to_str().unwrap();
            let (pair, attributes) = cookie.split_once(';').unwrap_or((cookie, ""));
            let (name, value) = pair.split_once('=').unwrap();
            assert!(name.starts_with("__Host-"), "{cookie}");
            for attribute in ["Path=/", "Secure", "HttpOnly", "SameSite=Strict"] {
                assert!(attributes.contains(attribute), "{cookie}");
            }
            if attributes.contains("Max-Age=0") {
                self.cookies.remove(name);
            } else {
                self.cookies.insert(name.to_owned(), value.to_owned());
            }
        }
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        Page { status, headers, body: response.text().await.unwrap() }
    }

    pub async fn get(&mut self, path: &str) -> Page {
        let request = self
            .client
            .get(format!("{}{path}", self.base))
            .header("cookie", self.cookie_header())
            .header("accept-language", self.accept_language);
        let response = request.send().await.unwrap();
        self.keep(response).await
    }

    /// Posts a form as this site's own page would.
    pub async fn post(&mut self, path: &str, fields: &[(&str, &str)]) -> Page {
        self.post_with(path, fields, &[]).await
    }

    /// Posts a form as this site's own page would, with `extra` headers.
    pub async fn post_with(&mut self, path: &str, fields: &[(&str, &str)], extra: &[(&str, &str)]) -> Page {
        let response = self.try_post(path, fields, extra).await.unwrap();
        self.keep(response).await
    }

    /// Sends a form, answering the transport's error rather than failing.
    pub async fn try_post(
        &mut self,
        path: &str,
        fields: &[(&str, &str)],
        extra: &[(&str, &str)],
    ) -> Result<Response, reqwest::Error> {
        let mut request = self
            .client
            .post(format!("{}{path}", self.base))
            .header("cookie", self.cookie_header())
            .header("accept-language", self.accept_language)
            .header("content-type", "application/x-www-form-urlencoded")
            .body(encode(fields));
        for (name, value) in extra {
            request = request.header(*name, *value);
        }
        request.send().await
    }

    /// Follows a `303 See Other`.
    pub async fn follow(&mut self, page: &Page) -> Page {
        assert_eq!(page.status, 303, "{}", page.body);
        let location = page.header(LOCATION.as_str()).to_owned();
        assert!(location.starts_with('/') && !location.starts_with("//"), "{location}");
        self.get(&location).await
    }

    /// Signs in with a password alone; returns the start page.
    pub async fn sign_in(&mut self, login: &str, password: &str) -> Page {
        let form = self.get("/sign-in").await;
        let answer =
            self.post("/sign-in", &[("login", login), ("password", password), ("form_token", &form.token())]).await;
        self.follow(&answer).await
    }
}

/// Form fields as `application/x-www-form-urlencoded`.
pub fn encode(fields: &[(&str, &str)]) -> String {
    fields
        .iter()
        .map(|(name, value)| {
            let value: String = value
                .bytes()
                .map(|byte| match byte {
                    b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' => (byte as char).to_string(),
                    b' ' => "+".to_owned(),
                    other => format!("%{other:02X}"),
                })
                .collect();
            format!("{name}={value}")
        })
        .collect::<Vec<_>>()
        .join("&")
}

/// Headless Chromium with a window of `width` × `height`, and the profile directory it runs in
/// (removed when dropped, so keep it as long as the browser).
pub fn chromium(width: u32, height: u32) -> (Browser, tempfile::TempDir) {
    assert!(std::path::Path::new(CHROMIUM).exists(), "the browser tests need Chromium: apt-get install chromium");
    let profile = tempfile::tempdir().unwrap();
    let flags = [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
    ];
    let options = LaunchOptions::default_builder()
        .path(Some(CHROMIUM.into()))
        .headless(true)
        .sandbox(false)
        .user_data_dir(Some(profile.path().to_owned()))
        .window_size(Some((width, height)))
        .idle_browser_timeout(Duration::from_secs(120))
        .args(flags.iter().map(OsStr::new).collect())
        .build()
        .unwrap();
    (Browser::new(options).unwrap(), profile)
}

/// A screen of `width` × `height` CSS pixels, a phone's when `mobile`.
pub fn screen(width: u32, height: u32, mobile: bool) -> Emulation::SetDeviceMetricsOverride {
    Emulation::SetDeviceMetricsOverride {
        width,
        height,
        device_scale_factor: 1.0,
        mobile,
        scale: None,
        screen_width: None,
        screen_height: None,
        position_x: None,
        position_y: None,
        dont_set_visible_size: None,
        screen_orientation: None,
        viewport: None,
        display_feature: None,
        device_posture: None,
    }
}

/// Where screenshots of what the browser showed are kept as the tests' artefacts.
pub fn screenshots() -> PathBuf {
    let directory = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../target/web-screenshots");
    std::fs::create_dir_all(&directory).unwrap();
    directory
}

/// Saves the whole page the tab shows, however long, at a phone's width (400 px), as `name.png`.
pub fn shoot(tab: &Tab, name: &str) {
    let height = tab.evaluate("document.documentElement.scrollHeight", false).unwrap();
    let height = height.value.and_then(|value| value.as_u64()).and_then(|value| u32::try_from(value).ok());
    tab.call_method(screen(400, height.unwrap_or(800).max(800), true)).unwrap();
    let png = tab.capture_screenshot(Cdp::CaptureScreenshotFormatOption::Png, None, None, true).unwrap();
    tab.call_method(screen(400, 800, true)).unwrap();
    assert!(png.starts_with(b"\x89PNG"), "{name}");
    std::fs::write(screenshots().join(format!("{name}.png")), png).unwrap();
}

/// The axe-core release the accessibility checks run (pinned; `.ci/run` installs it from the npm
/// registry into `target/axe-core/` when missing, and so does the first test that needs it).
pub const AXE_CORE_VERSION: &str = "4.14.1";

/// axe-core's script, installed with npm under `target/axe-core/` on first use.
fn axe_core() -> &'static str {
    static SOURCE: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    SOURCE.get_or_init(|| {
        let prefix = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../target/axe-core");
        let script = prefix.join("node_modules/axe-core/axe.min.js");
        let installed = prefix.join("node_modules/axe-core/package.json");
        let pinned = std::fs::read_to_string(&installed)
            .ok()
            .and_then(|text| serde_json::from_str::<serde_json::Value>(&text).ok())
            .is_some_and(|package| package["version"] == AXE_CORE_VERSION);
        if !pinned || !script.exists() {
            let status = std::process::Command::new("npm")
                .args(["install", "--no-audit", "--no-fund", "--silent", "--prefix"])
                .arg(&prefix)
                .arg(format!("axe-core@{AXE_CORE_VERSION}"))
                .status()
                .expect("the accessibility checks need npm (apt-get install npm) to install axe-core");
            assert!(status.success(), "npm could not install axe-core {AXE_CORE_VERSION}");
        }
        std::fs::read_to_string(&script).unwrap()
    })
}

/// Runs axe-core on the page the tab shows, against WCAG 2.1 A and AA, and fails on any violation
/// whose impact is serious or critical, naming each rule and the elements it found. The script is
/// injected over the DevTools protocol, which the page's `Content-Security-Policy` does not govern:
/// the page itself still runs no script but its own.
pub fn accessible(tab: &Tab, what: &str) {
    let loaded = tab.evaluate("typeof window.axe === 'object'", false).unwrap();
    if loaded.value != Some(serde_json::Value::Bool(true)) {
        tab.evaluate(axe_core(), false).unwrap();
    }
    let check = r#"axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } })
        .then(results => JSON.stringify(results.violations
            .filter(violation => violation.impact === 'serious' || violation.impact === 'critical')
            .map(violation => ({ rule: violation.id, impact: violation.impact, help: violation.help,
                                  nodes: violation.nodes.map(node => node.target.join(' ')) }))))"#;
    let answer = tab.evaluate(check, true).unwrap();
    let text = answer.value.and_then(|value| value.as_str().map(str::to_owned)).unwrap_or_else(|| "null".into());
    let violations: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(violations, serde_json::json!([]), "{what}: serious or critical accessibility violations");
}
