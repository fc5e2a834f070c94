//! TestApp: the real application on 127.0.0.1:0 with its own fresh database — a temp SQLite file, or a new
//! PostgreSQL database (created here, dropped when the TestApp is dropped) when `COMMONBEAT_TEST_POSTGRES` is set.
//! Also a real SMTP sink on a local port.

#![allow(dead_code)]

use commonbeat_domain::{Email, Locale, PersonName, Role};
use commonbeat_store::repo::jurisdictions;
use commonbeat_store::repo::users::{self, Change, NewUser};
use commonbeat_store::{Db, DbUrl, migration};
use commonbeat_web::auth::{password, totp};
use commonbeat_web::{AppState, WebConfig};
use sea_orm::ConnectionTrait;
use std::sync::{Arc, Mutex};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpListener;

/// A strong password used by test accounts.
pub const PW: &str = "lantern orchard velvet quarry";

/// A fresh database for one test.
pub struct TestDb {
    pub url: DbUrl,
    _dir: Option<tempfile::TempDir>,
    pg: Option<(String, String)>,
}

impl TestDb {
    pub fn new() -> TestDb {
        match std::env::var("COMMONBEAT_TEST_POSTGRES") {
            Ok(admin) if !admin.is_empty() => {
                let name = format!(
                    "cb_test_{}",
                    &commonbeat_store::secrets::hash_token(&commonbeat_store::secrets::new_token())[..16]
                );
                let admin2 = admin.clone();
                let name2 = name.clone();
                std::thread::spawn(move || {
                    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
                    rt.block_on(async {
                        let db = commonbeat_store::connect(&DbUrl::parse(&admin2).unwrap())
                            .await
                            .expect("PostgreSQL reachable");
                        db.conn
                            .execute_unprepared(&format!("CREATE DATABASE {name2}"))
                            .await
                            .expect("create test database");
                        db.conn.close().await.ok();
                    })
                })
                .join()
                .unwrap();
                let base = admin.rsplit_once('/').map(|(b, _)| b.to_string()).unwrap_or(admin.clone());
                TestDb { url: DbUrl::parse(&format!("{base}/{name}")).unwrap(), _dir: None, pg: Some((admin, name)) }
            }
            _ => {
                let dir = tempfile::tempdir().unwrap();
                let url = DbUrl::sqlite_in(dir.path());
                TestDb { url, _dir: Some(dir), pg: None }
            }
        }
    }

    pub fn is_postgres(&self) -> bool {
        self.pg.is_some()
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        if let Some((admin, name)) = self.pg.take() {
            let _ = std::thread::spawn(move || {
                let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
                rt.block_on(async {
                    if let Ok(db) = commonbeat_store::connect(&DbUrl::parse(&admin).unwrap()).await {
                        let _ =
                            db.conn.execute_unprepared(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)")).await;
                        db.conn.close().await.ok();
                    }
                })
            })
            .join();
        }
    }
}

/// A running application.
pub struct TestApp {
    pub addr: String,
    pub port: u16,
    pub state: AppState,
    pub db: Db,
    pub jid: i64,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
    _testdb: TestDb,
}

impl TestApp {
    pub async fn spawn() -> TestApp {
        TestApp::spawn_with(|_| {}).await
    }

    pub async fn spawn_with(f: impl FnOnce(&mut WebConfig)) -> TestApp {
        // Errors the app logs show up in a failing test's output.
        let _ = tracing_subscriber::fmt().with_env_filter("warn,commonbeat_web=warn").with_test_writer().try_init();
        let testdb = TestDb::new();
        let db = commonbeat_store::connect(&testdb.url).await.unwrap();
        migration::migrate(&db).await.unwrap();
        let j = jurisdictions::ensure_default(&db, "Testville Police", "America/Chicago").await.unwrap();
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let addr = format!("http://127.0.0.1:{port}");
        let mut config = WebConfig::local(&addr);
        config.job_poll_ms = 50;
        f(&mut config);
        let state = AppState::new(db.clone(), config);
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        tokio::spawn(commonbeat_web::serve(listener, state.clone(), async move {
            let _ = rx.await;
        }));
        TestApp { addr, port, state, db, jid: j.id, shutdown: Some(tx), _testdb: testdb }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.addr)
    }

    /// A browser-like client: cookies kept, redirects not followed (tests look at them).
    pub fn client(&self) -> reqwest::Client {
        reqwest::Client::builder().cookie_store(true).redirect(reqwest::redirect::Policy::none()).build().unwrap()
    }

    /// Creates an active account; police and admin accounts get MFA enrolled. Returns (user id, TOTP secret).
    pub async fn user(&self, email: &str, role: Role) -> (i64, Option<String>) {
        self.user_in(self.jid, email, role).await
    }

    pub async fn user_in(&self, jid: i64, email: &str, role: Role) -> (i64, Option<String>) {
        let u = users::create(
            &self.db,
            jid,
            NewUser {
                email: Email::parse(email).unwrap(),
                name: PersonName::parse(&format!("Test {}", role.as_str())).unwrap(),
                role,
                password_hash: Some(password::hash(PW)),
                locale: Locale::En,
            },
        )
        .await
        .unwrap();
        let secret = if role.requires_mfa() {
            let s = totp::new_secret();
            users::update(&self.db, jid, u.id, Change::Totp(Some(s.clone()), true)).await.unwrap();
            Some(s)
        } else {
            None
        };
        (u.id, secret)
    }

    /// The CSRF token on a page (from its hidden form field).
    pub async fn csrf(&self, client: &reqwest::Client, path: &str) -> String {
        let html = client.get(self.url(path)).send().await.unwrap().text().await.unwrap();
        extract_csrf(&html).unwrap_or_else(|| panic!("no csrf token on {path}: {html}"))
    }

    /// Signs in through the real forms (password, then TOTP when a secret is given). Panics on failure.
    pub async fn login(&self, client: &reqwest::Client, email: &str, secret: Option<&str>) {
        let csrf = self.csrf(client, "/login").await;
        let r = client
            .post(self.url("/login"))
            .form(&[("csrf_token", csrf.as_str()), ("email", email), ("password", PW)])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 303, "password step for {email}");
        if let Some(s) = secret {
            let loc = r.headers()["location"].to_str().unwrap().to_string();
            assert!(loc.starts_with("/login/mfa"), "expected MFA challenge, got {loc}");
            let csrf = self.csrf(client, &loc).await;
            let code = totp::current_code(s).unwrap();
            let r = client
                .post(self.url("/login/mfa"))
                .form(&[("csrf_token", csrf.as_str()), ("code", code.as_str())])
                .send()
                .await
                .unwrap();
            assert_eq!(r.status(), 303, "MFA step for {email}");
        }
    }

    /// A POST of a form with the page's CSRF token.
    pub async fn post_form(
        &self,
        client: &reqwest::Client,
        csrf_from: &str,
        path: &str,
        fields: &[(&str, &str)],
    ) -> reqwest::Response {
        let csrf = self.csrf(client, csrf_from).await;
        let mut form: Vec<(&str, &str)> = vec![("csrf_token", csrf.as_str())];
        form.extend_from_slice(fields);
        client.post(self.url(path)).form(&form).send().await.unwrap()
    }

    /// Runs raw SQL against the test database (to simulate time passing or tampering).
    pub async fn sql(&self, sql: &str) {
        self.db.conn.execute_unprepared(sql).await.unwrap();
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
    }
}

pub fn extract_csrf(html: &str) -> Option<String> {
    let i = html.find("name=\"csrf_token\" value=\"")? + "name=\"csrf_token\" value=\"".len();
    Some(html[i..].split('"').next()?.to_string())
}

/// A minimal, real SMTP server that keeps every message it receives.
#[derive(Clone)]
pub struct SmtpSink {
    pub port: u16,
    pub messages: Arc<Mutex<Vec<String>>>,
}

impl SmtpSink {
    pub async fn start() -> SmtpSink {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let messages = Arc::new(Mutex::new(Vec::new()));
        let store = messages.clone();
        tokio::spawn(async move {
            while let Ok((sock, _)) = listener.accept().await {
                let store = store.clone();
                tokio::spawn(async move {
                    let (r, mut w) = sock.into_split();
                    let mut lines = BufReader::new(r);
                    let _ = w.write_all(b"220 sink ESMTP\r\n").await;
                    let mut line = String::new();
                    loop {
                        line.clear();
                        if lines.read_line(&mut line).await.unwrap_or(0) == 0 {
                            break;
                        }
                        let cmd = line.trim_end().to_ascii_uppercase();
                        let reply: &[u8] = if cmd.starts_with("EHLO") {
                            b"250-sink\r\n250 8BITMIME\r\n"
                        } else if cmd.starts_with("DATA") {
                            let _ = w.write_all(b"354 go ahead\r\n").await;
                            let mut data = String::new();
                            loop {
                                let mut l = String::new();
                                if lines.read_line(&mut l).await.unwrap_or(0) == 0 || l == ".\r\n" {
                                    break;
                                }
                                data.push_str(&l);
                            }
                            store.lock().unwrap().push(data);
                            b"250 queued\r\n"
                        } else if cmd.starts_with("QUIT") {
                            let _ = w.write_all(b"221 bye\r\n").await;
                            break;
                        } else {
                            b"250 ok\r\n"
                        };
                        let _ = w.write_all(reply).await;
                    }
                });
            }
        });
        SmtpSink { port, messages }
    }

    pub fn url(&self) -> String {
        format!("smtp://127.0.0.1:{}", self.port)
    }

    /// Waits up to 10 s for `n` messages.
    pub async fn wait_for(&self, n: usize) -> Vec<String> {
        for _ in 0..200 {
            let m = self.messages.lock().unwrap().clone();
            if m.len() >= n {
                return m;
            }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        panic!("expected {n} e-mails, got {}", self.messages.lock().unwrap().len());
    }
}

/// Decodes a quoted-printable or plain e-mail body enough to find a URL path in it.
pub fn find_link(mail: &str, prefix: &str) -> Option<String> {
    let unfolded = mail.replace("=\r\n", "").replace("=3D", "=");
    let i = unfolded.find(prefix)?;
    Some(unfolded[i..].split(|c: char| c.is_whitespace()).next()?.to_string())
}
