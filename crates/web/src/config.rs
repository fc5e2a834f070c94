//! Run-time configuration of the web application (built by the CLI from flags and `COMMONBEAT_*` variables).

/// Settings the web layer needs. Secrets are redacted in `Debug`.
#[derive(Clone)]
pub struct WebConfig {
    /// The public base URL, e.g. `https://beat.example.org` (used in e-mailed links; https enables Secure cookies
    /// and HSTS).
    pub public_url: String,
    /// SMTP server URL (`smtp://host:port`, `smtps://…`); `None` keeps e-mail in the outbox.
    pub smtp_url: Option<String>,
    /// Sender address of e-mail.
    pub mail_from: String,
    /// Default IANA time zone for new jurisdictions and display.
    pub time_zone: String,
    /// Demo mode: the sign-in pages show the demo accounts and their current MFA codes. Never set by `serve`.
    pub demo_mode: bool,
    /// Days to keep audit entries (at least 365).
    pub audit_retention_days: i64,
    /// How often the job worker polls, in milliseconds.
    pub job_poll_ms: u64,
    /// Map tile URL template (`https://tiles.example.org/{z}/{x}/{y}.png`); none by default, so maps work offline
    /// and no request leaves for a tile server.
    pub tile_url: Option<String>,
}

impl WebConfig {
    /// The bare sender address (`no-reply@…`) of `mail_from`, for calendar ORGANIZER fields.
    pub fn mail_from_address(&self) -> String {
        match (self.mail_from.find('<'), self.mail_from.rfind('>')) {
            (Some(a), Some(b)) if a < b => self.mail_from[a + 1..b].trim().to_string(),
            _ => self.mail_from.trim().to_string(),
        }
    }

    /// Whether the public URL is https (Secure cookies, HSTS).
    pub fn is_https(&self) -> bool {
        self.public_url.starts_with("https://")
    }

    /// The origin (`https://host[:port]`) of the tile server, for the Content-Security-Policy.
    pub fn tile_origin(&self) -> Option<String> {
        let url = self.tile_url.as_deref()?;
        let (scheme, rest) = url.split_once("://")?;
        let host = rest.split('/').next()?;
        (!host.is_empty() && !host.contains(['{', '}', ' ', ';', '\'', '"'])).then(|| format!("{scheme}://{host}"))
    }

    /// Defaults suitable for tests and local use.
    pub fn local(public_url: &str) -> WebConfig {
        WebConfig {
            public_url: public_url.trim_end_matches('/').to_string(),
            smtp_url: None,
            mail_from: "CommonBeat <no-reply@commonbeat.local>".into(),
            time_zone: "America/Chicago".into(),
            demo_mode: false,
            audit_retention_days: commonbeat_store::repo::audit::DEFAULT_RETENTION_DAYS,
            job_poll_ms: 1000,
            tile_url: None,
        }
    }
}

impl std::fmt::Debug for WebConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WebConfig")
            .field("public_url", &self.public_url)
            .field("smtp_url", &self.smtp_url.as_ref().map(|_| "<redacted>"))
            .field("mail_from", &self.mail_from)
            .field("time_zone", &self.time_zone)
            .field("demo_mode", &self.demo_mode)
            .field("audit_retention_days", &self.audit_retention_days)
            .field("tile_url", &self.tile_url)
            .finish()
    }
}
