//! Telling people about a new health alert: the partnership's co-chairs and deputies, and the department's
//! community-policing coordinators (or, when none are named, its administrators). In each person's language,
//! by their "health" notification preference.

use super::COORDINATORS_KEY;
use crate::app::AppState;
use crate::error::AppResult;
use crate::i18n::Tr;
use crate::notify::{self, Letter};
use commonbeat_domain::Role;
use commonbeat_domain::health::SignalKey;
use commonbeat_store::entities::{health_alert, user};
use commonbeat_store::repo::users::role_of;
use commonbeat_store::repo::{leadership, partnerships, settings, users};

/// The coordinators named in the settings, or the administrators when none are.
pub async fn coordinators(state: &AppState, jid: i64) -> AppResult<Vec<user::Model>> {
    let named: Vec<i64> = settings::get(&state.db, jid, COORDINATORS_KEY)
        .await?
        .unwrap_or_default()
        .split(',')
        .filter_map(|x| x.trim().parse().ok())
        .collect();
    let all = users::list(&state.db, jid).await?;
    Ok(if named.is_empty() {
        all.into_iter().filter(|u| role_of(u) == Role::Admin).collect()
    } else {
        all.into_iter().filter(|u| named.contains(&u.id)).collect()
    })
}

/// The sentence describing a signal's numbers, in `t`'s language (variants where a number may be missing).
pub fn alert_sentence(t: &Tr, signal: &str, measures_json: &str) -> String {
    let measures: std::collections::BTreeMap<String, f64> = serde_json::from_str(measures_json).unwrap_or_default();
    if measures.is_empty() {
        return t.t("health-no-data");
    }
    let has = |k: &str| measures.contains_key(k);
    let key = match signal {
        "decisions" if has("police_participation") && has("community_participation") => {
            "health-says-decisions-both".to_string()
        }
        "leadership" if measures.get("vacant").copied().unwrap_or(0.0) > 0.0 => "health-says-leadership-vacant".into(),
        "leadership" if has("term_ends_in_days") => "health-says-leadership-term".into(),
        "leadership" => "health-says-leadership-ok".into(),
        "reports" if !has("median_days") => "health-says-reports-none".into(),
        "trust" if has("previous") => "health-says-trust-change".into(),
        "problems" if !has("longest_days") => "health-says-problems-none".into(),
        other => format!("health-says-{}", other.replace('_', "-")),
    };
    let args: Vec<(&str, f64)> = measures.iter().map(|(k, v)| (k.as_str(), round(k, *v))).collect();
    t.ta(&key, &args)
}

/// Rounds a measure for reading: rates as whole percent, day counts and means to one decimal.
pub fn round(name: &str, v: f64) -> f64 {
    if name.ends_with("_rate") || name.ends_with("_participation") {
        (v * 100.0).round()
    } else {
        (v * 10.0).round() / 10.0
    }
}

/// Notifies co-chairs and coordinators of a newly raised alert.
pub async fn alert_raised(state: &AppState, jid: i64, a: &health_alert::Model) -> AppResult<usize> {
    let p = partnerships::by_id(&state.db, jid, a.partnership_id).await?;
    let mut people: Vec<user::Model> =
        leadership::current(&state.db, jid, p.id).await?.into_iter().map(|t| t.user).collect();
    people.extend(coordinators(state, jid).await?);
    let link = format!("{}/partnerships/{}/health", state.config.public_url, p.slug);
    let signal = SignalKey::parse(&a.signal).map(|k| k.as_str()).unwrap_or("meetings");
    notify::notify(state, jid, &people, "health", |tr: &Tr, _| Letter {
        subject: tr.t2(
            "health-email-subject",
            ("partnership", &p.name),
            ("signal", &tr.t(&format!("health-signal-{}", signal.replace('_', "-")))),
        ),
        text: format!(
            "{}\n\n{}: {}\n\n{link}\n",
            alert_sentence(tr, signal, &a.measures),
            tr.t("health-suggested"),
            tr.t(&format!("health-suggest-{}", a.suggestion.replace('_', "-"))),
        ),
        calendar: None,
    })
    .await
}
