//! A small W3C WebDriver client for the browser tests: `chromedriver` (Debian package
//! `chromium-driver`) started on a free port of 127.0.0.1 and killed on drop, driving headless
//! Chromium with a throwaway profile. Calls go over [`super::http`] (hyper's HTTP/1 client);
//! every wait is bounded; a WebDriver error is a panic carrying its message (test code).
//! Chromium is told to fetch nothing by itself and to resolve no name but 127.0.0.1, so no
//! traffic leaves the loopback.
#![allow(dead_code)]

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use super::http::{Reply, request_in};

/// Where Debian puts chromedriver and Chromium.
pub const CHROMEDRIVER: &str = "/usr/bin/chromedriver";
pub const CHROMIUM: &str = "/usr/bin/chromium";

/// The key of an element reference in WebDriver's JSON.
const ELEMENT: &str = "element-6066-11e4-a52e-4f735466cecf";

/// An element of the current page, by its WebDriver id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct El(pub String);

impl El {
    /// The element as an argument of [`Browser::execute`].
    pub fn arg(&self) -> Value {
        json!({ ELEMENT: self.0 })
    }
}

/// A chromedriver child and one session of headless Chromium; both ended on drop.
pub struct Browser {
    rt: tokio::runtime::Runtime,
    driver: Child,
    base: String,
    session: String,
    _profile: tempfile::TempDir,
}

/// A free TCP port of 127.0.0.1 right now.
fn free_tcp_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

impl Browser {
    /// Starts chromedriver and a headless Chromium session. Panics, saying what to install,
    /// when either is missing: these tests never skip.
    pub fn start() -> Browser {
        for (path, package) in [(CHROMEDRIVER, "chromium-driver"), (CHROMIUM, "chromium")] {
            assert!(
                Path::new(path).exists(),
                "{path} is missing: install Debian's {package} (apt-get install chromium chromium-driver), or run scripts/test, which does"
            );
        }
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        let port = free_tcp_port();
        let driver = Command::new(CHROMEDRIVER)
            .arg(format!("--port={port}"))
            .arg("--allowed-ips=127.0.0.1")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("start {CHROMEDRIVER}: {e}"));
        let profile = tempfile::tempdir().unwrap();
        let mut browser = Browser {
            rt,
            driver,
            base: format!("http://127.0.0.1:{port}"),
            session: String::new(),
            _profile: profile,
        };
        browser.wait_ready();
        browser.session = browser.new_session();
        browser
    }

    /// Waits (bounded) until chromedriver answers `/status` ready.
    fn wait_ready(&mut self) {
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            if let Some(status) = self.driver.try_wait().unwrap() {
                panic!("chromedriver exited at start: {status}");
            }
            let ready = std::net::TcpStream::connect(self.base.trim_start_matches("http://"))
                .is_ok()
                && self.call("GET", "/status", None)["ready"] == true;
            if ready {
                return;
            }
            assert!(Instant::now() < deadline, "chromedriver not ready in 30 s");
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    fn new_session(&self) -> String {
        let profile = format!("--user-data-dir={}", self._profile.path().display());
        let caps = json!({ "capabilities": { "alwaysMatch": {
            "browserName": "chrome",
            "pageLoadStrategy": "normal",
            "timeouts": { "pageLoad": 60_000, "script": 30_000, "implicit": 0 },
            "goog:chromeOptions": {
                "binary": CHROMIUM,
                "args": [
                    "--headless=new", "--no-sandbox", "--disable-gpu",
                    "--window-size=1400,1000", profile,
                    "--disable-background-networking", "--disable-component-update",
                    "--disable-sync", "--disable-default-apps", "--no-first-run",
                    "--disable-dev-shm-usage",
                    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
                ],
            },
        }}});
        let v = self.call("POST", "/session", Some(caps));
        v["sessionId"]
            .as_str()
            .unwrap_or_else(|| panic!("no session id: {v}"))
            .to_string()
    }

    /// One WebDriver command; its `value`. Panics with the driver's error.
    fn call(&self, method: &str, path: &str, body: Option<Value>) -> Value {
        let url = format!("{}{path}", self.base);
        let body = body.map(|b| b.to_string().into_bytes());
        let reply: Reply = request_in(
            &self.rt,
            method,
            &url,
            &[("content-type", "application/json; charset=utf-8")],
            body.or_else(|| (method == "POST").then(|| b"{}".to_vec())),
        );
        let v: Value = serde_json::from_slice(&reply.body).unwrap_or_else(|e| {
            panic!("{method} {path}: {e}: {}", reply.text());
        });
        if reply.status != 200 {
            panic!(
                "WebDriver {method} {path}: {} {}: {}",
                reply.status, v["value"]["error"], v["value"]["message"]
            );
        }
        v["value"].clone()
    }

    /// A command of this session.
    fn cmd(&self, method: &str, path: &str, body: Option<Value>) -> Value {
        self.call(method, &format!("/session/{}{path}", self.session), body)
    }

    /// Opens `url` and waits for it to load.
    pub fn go(&self, url: &str) {
        self.cmd("POST", "/url", Some(json!({ "url": url })));
    }

    pub fn current_url(&self) -> String {
        self.cmd("GET", "/url", None).as_str().unwrap().to_string()
    }

    fn element(v: &Value) -> El {
        El(v[ELEMENT]
            .as_str()
            .unwrap_or_else(|| panic!("not an element: {v}"))
            .to_string())
    }

    /// Every element matching `css`, in document order.
    pub fn find_all(&self, css: &str) -> Vec<El> {
        let v = self.cmd(
            "POST",
            "/elements",
            Some(json!({ "using": "css selector", "value": css })),
        );
        v.as_array().unwrap().iter().map(Browser::element).collect()
    }

    /// The first element matching `css`; a panic naming it and the page when there is none.
    pub fn find(&self, css: &str) -> El {
        self.find_all(css).into_iter().next().unwrap_or_else(|| {
            panic!(
                "no {css} on {}:\n{}",
                self.current_url(),
                self.page_source()
            )
        })
    }

    /// Every element matching `css` inside `el`.
    pub fn find_in(&self, el: &El, css: &str) -> Vec<El> {
        let v = self.cmd(
            "POST",
            &format!("/element/{}/elements", el.0),
            Some(json!({ "using": "css selector", "value": css })),
        );
        v.as_array().unwrap().iter().map(Browser::element).collect()
    }

    /// Waits (polling every 50 ms, at most `timeout`) until `css` matches; the first match.
    pub fn wait_for(&self, css: &str, timeout: Duration) -> El {
        let deadline = Instant::now() + timeout;
        loop {
            if let Some(e) = self.find_all(css).into_iter().next() {
                return e;
            }
            assert!(
                Instant::now() < deadline,
                "no {css} on {} after {timeout:?}:\n{}",
                self.current_url(),
                self.page_source()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Waits (polling every 50 ms, at most `timeout`) until `ok` holds; what it last saw.
    pub fn wait_until<T: std::fmt::Debug>(
        &self,
        what: &str,
        timeout: Duration,
        mut probe: impl FnMut(&Browser) -> T,
        ok: impl Fn(&T) -> bool,
    ) -> T {
        let deadline = Instant::now() + timeout;
        loop {
            let seen = probe(self);
            if ok(&seen) {
                return seen;
            }
            assert!(
                Instant::now() < deadline,
                "{what}: not so after {timeout:?}; last {seen:?}"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    pub fn click(&self, el: &El) {
        self.cmd("POST", &format!("/element/{}/click", el.0), None);
    }

    pub fn send_keys(&self, el: &El, text: &str) {
        self.cmd(
            "POST",
            &format!("/element/{}/value", el.0),
            Some(json!({ "text": text })),
        );
    }

    pub fn clear(&self, el: &El) {
        self.cmd("POST", &format!("/element/{}/clear", el.0), None);
    }

    /// The element's rendered text.
    pub fn text(&self, el: &El) -> String {
        let v = self.cmd("GET", &format!("/element/{}/text", el.0), None);
        v.as_str().unwrap_or_default().to_string()
    }

    /// The element's attribute (or property) `name`, if it has one.
    pub fn attribute(&self, el: &El, name: &str) -> Option<String> {
        let v = self.cmd("GET", &format!("/element/{}/attribute/{name}", el.0), None);
        v.as_str().map(str::to_string)
    }

    /// Runs `script` (a function body; `arguments[i]` are `args`) in the page; what it returns.
    pub fn execute(&self, script: &str, args: Vec<Value>) -> Value {
        self.cmd(
            "POST",
            "/execute/sync",
            Some(json!({ "script": script, "args": args })),
        )
    }

    pub fn page_source(&self) -> String {
        self.cmd("GET", "/source", None)
            .as_str()
            .unwrap_or_default()
            .to_string()
    }

    /// The page's cookies, HttpOnly ones too, as WebDriver objects.
    pub fn cookies(&self) -> Vec<Value> {
        self.cmd("GET", "/cookie", None).as_array().unwrap().clone()
    }

    /// The cookie `name`'s value, if set.
    pub fn cookie(&self, name: &str) -> Option<String> {
        self.cookies()
            .into_iter()
            .find(|c| c["name"] == name)
            .and_then(|c| c["value"].as_str().map(str::to_string))
    }

    /// The viewport as PNG.
    pub fn screenshot(&self) -> Vec<u8> {
        let v = self.cmd("GET", "/screenshot", None);
        base64(v.as_str().expect("a screenshot as base64"))
    }

    /// Writes a screenshot to `path` and says where.
    pub fn screenshot_to(&self, path: &Path) {
        let png = self.screenshot();
        assert!(png.starts_with(b"\x89PNG"), "not a PNG");
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, png).unwrap();
        eprintln!("screenshot: {}", path.display());
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        if !self.session.is_empty() {
            let path = format!("/session/{}", self.session);
            // Best effort, and bounded: the child is killed next whatever happens.
            let _ = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                self.call("DELETE", &path, None)
            }));
        }
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
}

/// Standard base64 (with or without padding) decoded; a panic on anything else.
pub fn base64(text: &str) -> Vec<u8> {
    let value = |c: u8| -> u32 {
        match c {
            b'A'..=b'Z' => (c - b'A') as u32,
            b'a'..=b'z' => (c - b'a' + 26) as u32,
            b'0'..=b'9' => (c - b'0' + 52) as u32,
            b'+' => 62,
            b'/' => 63,
            _ => panic!("not base64: {c:#x}"),
        }
    };
    let digits: Vec<u8> = text.bytes().filter(|c| !b"=\r\n".contains(c)).collect();
    let mut out = Vec::with_capacity(digits.len() * 3 / 4);
    for chunk in digits.chunks(4) {
        let n = chunk.iter().fold(0u32, |n, &c| n << 6 | value(c)) << (6 * (4 - chunk.len()));
        let bytes = n.to_be_bytes();
        out.extend_from_slice(&bytes[1..chunk.len()]);
    }
    out
}

#[test]
fn base64_decodes_with_and_without_padding() {
    assert_eq!(base64("aGVsbG8="), b"hello");
    assert_eq!(base64("aGVsbG8"), b"hello");
    assert_eq!(base64("aGk="), b"hi");
    assert_eq!(base64("YWJj"), b"abc");
    assert_eq!(base64(""), b"");
}
