//! `commonbeat demo`: a living demo city, generated once per data directory from a seed, then served.
//!
//! Riverton is fictional. Its people are generated; every later capability adds its demo data here.

use crate::cli::{DemoArgs, Global, ServeArgs};
use crate::commands::{data_dir, db_url, serve_with, web_config};
use anyhow::Context;
use commonbeat_domain::{Email, Locale, PersonName, Role};
use commonbeat_store::repo::audit::{self, AuditEvent};
use commonbeat_store::repo::users::{self, Change, NewUser};
use commonbeat_store::repo::{jurisdictions, settings};
use commonbeat_store::{Db, migration};
use commonbeat_web::auth::{password, totp};
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use std::process::ExitCode;

mod city;
mod decisions;
mod health;
mod incidents;
mod meetings;
mod partnerships;
mod problems;
mod recruiting;
mod reports;
mod self_assessment;
mod surveys;

/// The password of every demo account (demo only; it passes the password policy).
pub const DEMO_PASSWORD: &str = "riverton beat partners walk together";
/// The demo jurisdiction's slug.
pub const DEMO_SLUG: &str = "riverton";

const FIRST: &[&str] = &[
    "María",
    "José",
    "Aaliyah",
    "DeShawn",
    "Mei",
    "Tomás",
    "Grace",
    "Luis",
    "Fatima",
    "Kevin",
    "Rosa",
    "Andre",
    "Linh",
    "Carmen",
    "Jamal",
    "Olivia",
    "Hector",
    "Keisha",
    "Ana",
    "Marcus",
    "Sofia",
    "Tyrone",
    "Guadalupe",
    "Emily",
    "Omar",
    "Jasmine",
    "Miguel",
    "Hannah",
    "Darnell",
    "Yesenia",
    "Robert",
    "Lakisha",
    "Juan",
    "Patricia",
    "Nguyen",
    "Imani",
];
const LAST: &[&str] = &[
    "Delgado",
    "Walker",
    "Nguyen",
    "Johnson",
    "Ramírez",
    "Okafor",
    "Chen",
    "Washington",
    "García",
    "Murphy",
    "Haddad",
    "Brooks",
    "Hernández",
    "Kowalski",
    "Jackson",
    "Morales",
    "Tran",
    "Williams",
    "Castillo",
    "Robinson",
    "Pérez",
    "Thompson",
    "Flores",
    "Davis",
    "Reyes",
    "Coleman",
    "Ortiz",
    "Bennett",
    "Vargas",
    "Harris",
];

fn ascii_slug(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            'á' => 'a',
            'é' => 'e',
            'í' => 'i',
            'ó' => 'o',
            'ú' => 'u',
            'ñ' => 'n',
            c => c.to_ascii_lowercase(),
        })
        .filter(char::is_ascii_alphanumeric)
        .collect()
}

/// Creates the demo city in `db` unless it already exists. Returns the demo accounts as (role, email, password).
pub async fn seed(db: &Db, seed: u64, time_zone: &str) -> anyhow::Result<Vec<(String, String, String)>> {
    if let Ok(j) = jurisdictions::by_slug(db, DEMO_SLUG).await {
        let raw = settings::get(db, j.id, "demo.accounts").await?.unwrap_or_else(|| "[]".into());
        return Ok(serde_json::from_str(&raw)?);
    }
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let j = jurisdictions::create(db, DEMO_SLUG, "Riverton Police Department", None, time_zone).await?;
    let mut accounts = Vec::new();
    // One hash for every generated account: they all share the demo password, and argon2 is deliberately slow.
    let hash = password::hash(DEMO_PASSWORD);
    let add = async |name: String, email: String, role: Role, locale: Locale| -> anyhow::Result<i64> {
        let u = users::create(
            db,
            j.id,
            NewUser {
                email: Email::parse(&email)?,
                name: PersonName::parse(&name)?,
                role,
                password_hash: Some(hash.clone()),
                locale,
            },
        )
        .await?;
        if role.requires_mfa() {
            users::update(db, j.id, u.id, Change::Totp(Some(totp::new_secret()), true)).await?;
        }
        Ok(u.id)
    };
    add("Dana Whitfield".into(), "admin@riverton.example".into(), Role::Admin, Locale::En).await?;
    accounts.push(("admin".to_string(), "admin@riverton.example".to_string(), DEMO_PASSWORD.to_string()));
    let mut police_ids =
        vec![add("Sgt. María Delgado".into(), "officer@riverton.example".into(), Role::Police, Locale::Es).await?];
    accounts.push(("police".to_string(), "officer@riverton.example".to_string(), DEMO_PASSWORD.to_string()));
    let mut community_ids =
        vec![add("Rosa Hernández".into(), "resident@riverton.example".into(), Role::Community, Locale::Es).await?];
    accounts.push(("community".to_string(), "resident@riverton.example".to_string(), DEMO_PASSWORD.to_string()));

    let mut used = std::collections::HashSet::new();
    for i in 0..134 {
        let (first, last) = loop {
            let f = *FIRST.choose(&mut rng).expect("names");
            let l = *LAST.choose(&mut rng).expect("names");
            if used.insert((f, l)) {
                break (f, l);
            }
        };
        let police = i < 24;
        let name = if police {
            let rank = ["Officer", "Officer", "Officer", "Det.", "Sgt."][rng.gen_range(0..5)];
            format!("{rank} {first} {last}")
        } else {
            format!("{first} {last}")
        };
        let domain = if police { "rpd.riverton.example" } else { "mail.example" };
        let email = format!("{}.{}@{domain}", ascii_slug(first), ascii_slug(last));
        let locale = if rng.gen_bool(0.3) { Locale::Es } else { Locale::En };
        let id = add(name, email, if police { Role::Police } else { Role::Community }, locale).await?;
        if police {
            police_ids.push(id);
        } else {
            community_ids.push(id);
        }
    }
    let beats = city::create(db, j.id, &mut rng).await?;
    partnerships::create(db, j.id, &beats, &police_ids, &community_ids, &mut rng).await?;
    meetings::create(db, j.id, time_zone, &mut rng).await?;
    let tz = jiff::tz::TimeZone::get(time_zone)?;
    incidents::create(db, j.id, &mut rng, &tz).await?;
    let today = tz.to_datetime(jiff::Timestamp::now()).date();
    let end = tz.to_timestamp(today.at(0, 0, 0, 0))?.as_second();
    reports::create(db, j.id, seed).await?;
    problems::create(db, j.id, end, today, &tz).await?;
    surveys::create(db, j.id, &beats, police_ids.first().copied(), end, &mut rng).await?;
    recruiting::create(db, j.id, &police_ids, &community_ids, end, &mut rng).await?;
    let demo_accounts = [police_ids[0], community_ids[0]];
    self_assessment::create(db, j.id, &demo_accounts, end, &mut rng).await?;
    health::create(db, j.id, time_zone).await?;
    settings::set(db, j.id, "demo.accounts", &serde_json::to_string(&accounts)?).await?;
    audit::append(
        db,
        j.id,
        AuditEvent {
            actor: "system".into(),
            action: "demo.seed".into(),
            object: "jurisdiction".into(),
            outcome: "success".into(),
            source: "cli".into(),
            details: serde_json::json!({"seed": seed}).to_string(),
            ..Default::default()
        },
    )
    .await?;
    Ok(accounts)
}

/// `commonbeat demo`.
pub async fn run(g: &Global, d: DemoArgs) -> anyhow::Result<ExitCode> {
    let dir = data_dir(g, "./commonbeat-demo");
    let url = db_url(&Global { data_dir: Some(dir.clone()), ..g.clone() }, "./commonbeat-demo")?;
    let db = commonbeat_store::connect(&url).await.with_context(|| format!("cannot open {}", url.redacted()))?;
    migration::migrate(&db).await?;
    let serve_args = ServeArgs {
        bind: d.bind.clone(),
        smtp_url: std::env::var("COMMONBEAT_SMTP_URL").ok(),
        mail_from: "Riverton CommonBeat <no-reply@riverton.example>".into(),
        public_url: std::env::var("COMMONBEAT_PUBLIC_URL").ok(),
        time_zone: "America/Chicago".into(),
        jurisdiction_name: "Riverton Police Department".into(),
        audit_retention_days: 400,
        tile_url: std::env::var("COMMONBEAT_TILE_URL").ok(),
        no_migrate: false,
    };
    let mut config = web_config(&serve_args)?;
    config.demo_mode = true;
    let started = std::time::Instant::now();
    let accounts = seed(&db, d.seed, &config.time_zone).await?;
    if !g.quiet {
        println!("Riverton demo city ready in {} ({:.1} s)", dir.display(), started.elapsed().as_secs_f64());
        println!("Demo accounts (password for all: {DEMO_PASSWORD:?}):");
        for (role, email, _) in &accounts {
            println!("  {role:<10} {email}");
        }
        println!(
            "Police and admin accounts use two-step sign-in; in demo mode the current code is shown on the challenge page after the password."
        );
    }
    if d.no_serve {
        return Ok(ExitCode::SUCCESS);
    }
    println!("Open {}/login", config.public_url);
    serve_with(db, config, &d.bind).await?;
    Ok(ExitCode::SUCCESS)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn demo_password_meets_the_policy() {
        assert!(commonbeat_domain::check_password(DEMO_PASSWORD, &[]).is_ok());
        assert_eq!(ascii_slug("María José"), "mariajose");
    }
}
