//! Command-line interface definition. Every flag also reads a `COMMONBEAT_*` environment variable.

use clap::{Args, Parser, Subcommand};
use std::path::PathBuf;

/// CommonBeat: police/community partnerships, run as equals.
#[derive(Debug, Parser)]
#[command(name = "commonbeat", version, about, propagate_version = true)]
pub struct Cli {
    /// Options every subcommand takes.
    #[command(flatten)]
    pub global: Global,
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// Options every subcommand takes.
#[derive(Debug, Args, Clone)]
pub struct Global {
    /// Database URL: sqlite://PATH or postgres://USER@HOST/DB [default: sqlite://DATA_DIR/commonbeat.db]
    #[arg(long, env = "COMMONBEAT_DATABASE_URL", global = true, hide_env_values = true)]
    pub database_url: Option<String>,
    /// Directory for the SQLite database and other data [default: ./commonbeat-data; demo: ./commonbeat-demo]
    #[arg(long, env = "COMMONBEAT_DATA_DIR", global = true)]
    pub data_dir: Option<PathBuf>,
    /// Jurisdiction (slug) to act on when a deployment hosts several [default: the only one]
    #[arg(long, env = "COMMONBEAT_JURISDICTION", global = true)]
    pub jurisdiction: Option<String>,
    /// Print only warnings and errors; no progress bars.
    #[arg(long, short, env = "COMMONBEAT_QUIET", global = true)]
    pub quiet: bool,
}

/// Subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the web server (migrates the database first unless --no-migrate).
    Serve(ServeArgs),
    /// Create (once) a demo city in the data directory and serve it.
    Demo(DemoArgs),
    /// Apply pending database migrations.
    Migrate,
    /// Manage user accounts.
    #[command(subcommand)]
    User(UserCommand),
    /// Write a backup of the database to FILE (SQLite: VACUUM INTO; PostgreSQL: logical JSON-lines dump).
    Backup {
        /// The backup file to create (must not exist).
        file: PathBuf,
    },
    /// Restore a backup made by `commonbeat backup` (refuses a database holding data unless --force).
    Restore {
        /// The backup file.
        file: PathBuf,
        /// Replace a database that already holds data.
        #[arg(long)]
        force: bool,
    },
    /// Audit log tools.
    #[command(subcommand)]
    Audit(AuditCommand),
    /// Import data: area outlines (GeoJSON), census demographics (CSV), ZIP codes of areas (CSV) and crime incidents
    /// (CSV). Nothing is half-applied.
    #[command(subcommand)]
    Import(ImportCommand),
    /// Open311 GeoReport v2 tools.
    #[command(subcommand)]
    Open311(Open311Command),
}

/// Open311 subcommands.
#[derive(Debug, Subcommand)]
pub enum Open311Command {
    /// API keys that let third-party Open311 clients create service requests.
    #[command(subcommand)]
    Key(Open311KeyCommand),
}

/// Open311 key subcommands.
#[derive(Debug, Subcommand)]
pub enum Open311KeyCommand {
    /// Issue a key and print it once (it is stored as SHA-256).
    Add {
        /// Who the key is for (a label).
        #[arg(long)]
        name: String,
    },
    /// List keys (label, prefix, created, revoked).
    List,
    /// Revoke a key by id.
    Revoke {
        /// The key's id (from `list`).
        #[arg(long)]
        id: i64,
    },
}

/// Import subcommands.
#[derive(Debug, Subcommand)]
pub enum ImportCommand {
    /// Area outlines from a GeoJSON FeatureCollection of Polygons/MultiPolygons in WGS84 (EPSG:4326).
    /// Re-importing a name of the same kind replaces its outline.
    Areas {
        /// The GeoJSON file.
        file: PathBuf,
        /// What the features are.
        #[arg(long, value_parser = ["beat", "district", "neighborhood"])]
        kind: String,
        /// The feature property holding each area's name (e.g. `beat_num`).
        #[arg(long, default_value = "name")]
        name_property: String,
    },
    /// Census counts per area: CSV with columns area,dimension,category,count (see README for the categories).
    /// An area's previous figures are replaced.
    Demographics {
        /// The CSV file.
        file: PathBuf,
    },
    /// ZIP codes of the areas: CSV with columns zip,area (area = the area's name, or its id; `area_code` is
    /// accepted as the column name). A ZIP maps to one area; the whole file is checked first and written in one
    /// transaction, and every problem is reported with its line and field.
    Zips {
        /// The CSV file.
        file: PathBuf,
        /// Make the file the whole mapping (ZIPs not in it are removed); by default only the listed ZIPs change.
        #[arg(long)]
        replace: bool,
    },
    /// Crime incidents from a CSV export (see docs/IMPORT-INCIDENTS.md). Re-importing updates incidents by their
    /// source id; invalid rows go to a reject report; the valid rows commit together or not at all.
    Incidents {
        /// The CSV file.
        file: PathBuf,
        /// The column layout: Chicago "Crimes – 2001 to Present", LAPD "Crime Data from 2020 to Present", NYPD
        /// "Complaint Data Historic", or generic (needs --mapping).
        #[arg(long, value_parser = ["chicago", "lapd", "nypd", "generic"])]
        profile: String,
        /// A TOML mapping file describing the columns (required for generic, optional override otherwise).
        #[arg(long)]
        mapping: Option<PathBuf>,
        /// Where to write the reject report (CSV: row, field, reason) [default: FILE.rejects.csv]
        #[arg(long)]
        rejects: Option<PathBuf>,
    },
}

/// Server options.
#[derive(Debug, Args, Clone)]
pub struct ServeArgs {
    /// Address to listen on.
    #[arg(long, env = "COMMONBEAT_BIND", default_value = "127.0.0.1:8080")]
    pub bind: String,
    /// SMTP server for e-mail (smtp://host:port, smtps://user:pass@host); without it mail stays in the outbox.
    #[arg(long, env = "COMMONBEAT_SMTP_URL", hide_env_values = true)]
    pub smtp_url: Option<String>,
    /// Sender address of e-mail.
    #[arg(long, env = "COMMONBEAT_MAIL_FROM", default_value = "CommonBeat <no-reply@commonbeat.local>")]
    pub mail_from: String,
    /// Public base URL used in links (https enables Secure cookies and HSTS) [default: http://BIND]
    #[arg(long, env = "COMMONBEAT_PUBLIC_URL")]
    pub public_url: Option<String>,
    /// IANA time zone of the department (dates are shown in it).
    #[arg(long, env = "COMMONBEAT_TIME_ZONE", default_value = "America/Chicago")]
    pub time_zone: String,
    /// Name of the jurisdiction created on first start.
    #[arg(long, env = "COMMONBEAT_JURISDICTION_NAME", default_value = "CommonBeat")]
    pub jurisdiction_name: String,
    /// Days to keep audit-log entries (at least 365).
    #[arg(long, env = "COMMONBEAT_AUDIT_RETENTION_DAYS", default_value_t = 400, value_parser = clap::value_parser!(i64).range(365..))]
    pub audit_retention_days: i64,
    /// Map tile URL template for interactive maps, e.g. `https://tile.example.org/{z}/{x}/{y}.png` [default: none:
    /// outline maps only, nothing fetched from elsewhere]
    #[arg(long, env = "COMMONBEAT_TILE_URL")]
    pub tile_url: Option<String>,
    /// Do not apply migrations on start.
    #[arg(long, env = "COMMONBEAT_NO_MIGRATE")]
    pub no_migrate: bool,
}

/// Demo options.
#[derive(Debug, Args, Clone)]
pub struct DemoArgs {
    /// Address to listen on.
    #[arg(long, env = "COMMONBEAT_BIND", default_value = "127.0.0.1:8080")]
    pub bind: String,
    /// Random seed of the generated city (same seed, same city).
    #[arg(long, default_value_t = 7)]
    pub seed: u64,
    /// Create the demo data and exit without serving.
    #[arg(long)]
    pub no_serve: bool,
}

/// User subcommands.
#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Add an account. Without --password-stdin an invitation link is e-mailed (and printed).
    Add {
        /// E-mail address (sign-in name).
        #[arg(long)]
        email: String,
        /// Display name.
        #[arg(long)]
        name: String,
        /// Role.
        #[arg(long, value_parser = ["admin", "police", "community"])]
        role: String,
        /// Read the password from standard input (one line).
        #[arg(long)]
        password_stdin: bool,
    },
    /// List accounts.
    List,
    /// Disable an account and end its sessions.
    Disable {
        /// E-mail address.
        #[arg(long)]
        email: String,
    },
    /// Create an API token for an account and print it once.
    Token {
        /// E-mail address.
        #[arg(long)]
        email: String,
        /// Label for the token.
        #[arg(long, default_value = "cli")]
        name: String,
    },
}

/// Audit subcommands.
#[derive(Debug, Subcommand)]
pub enum AuditCommand {
    /// Verify the hash chain: exit 0 when intact, 1 naming the first bad entry.
    Verify,
}
