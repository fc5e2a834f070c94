//! Trust and safety surveys: surveys and their instrument versions, waves, single-use tokens (e-mailed links and
//! after-contact cards), anonymous responses and moderated open answers. Instrument rules live in
//! `commonbeat_domain::survey`; this module stores what they allowed.
//!
//! Privacy: a response row holds no account, no IP address and no token; its time is rounded down to the hour.
//! A token is marked used in the same transaction that stores the response, so one token gives one response.

use crate::entities::{survey, survey_response, survey_text, survey_token, survey_version, survey_wave};
use crate::error::{StoreError, StoreResult};
use crate::secrets::{hash_token, new_token};
use crate::{Db, now};
use rand::Rng;
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, Set,
};
use std::collections::BTreeMap;

pub use super::survey_columns::{ResponseColumns, response_columns, results_stamp};

/// Records a survey with its first instrument version.
pub async fn create(
    db: &Db,
    jurisdiction_id: i64,
    title: &str,
    template: &str,
    instrument_json: &str,
    created_by: Option<i64>,
) -> StoreResult<survey::Model> {
    let t = now();
    let txn = db.begin_write().await?;
    let s = survey::ActiveModel {
        jurisdiction_id: Set(jurisdiction_id),
        title: Set(title.to_string()),
        template: Set(template.to_string()),
        status: Set("draft".into()),
        results_public: Set(false),
        current_version: Set(1),
        created_by: Set(created_by),
        created_at: Set(t),
        updated_at: Set(t),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    survey_version::ActiveModel {
        jurisdiction_id: Set(jurisdiction_id),
        survey_id: Set(s.id),
        version: Set(1),
        instrument: Set(instrument_json.to_string()),
        created_at: Set(t),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    txn.commit().await?;
    Ok(s)
}

/// The jurisdiction's surveys, newest first.
pub async fn list(db: &Db, jurisdiction_id: i64) -> StoreResult<Vec<survey::Model>> {
    Ok(survey::Entity::find()
        .filter(survey::Column::JurisdictionId.eq(jurisdiction_id))
        .order_by_desc(survey::Column::CreatedAt)
        .order_by_desc(survey::Column::Id)
        .all(&db.conn)
        .await?)
}

/// One survey of this jurisdiction.
pub async fn by_id(db: &Db, jurisdiction_id: i64, id: i64) -> StoreResult<survey::Model> {
    survey::Entity::find_by_id(id)
        .filter(survey::Column::JurisdictionId.eq(jurisdiction_id))
        .one(&db.conn)
        .await?
        .ok_or(StoreError::NotFound)
}

/// The survey's current instrument version.
pub async fn current_version(db: &Db, jurisdiction_id: i64, s: &survey::Model) -> StoreResult<survey_version::Model> {
    survey_version::Entity::find()
        .filter(survey_version::Column::JurisdictionId.eq(jurisdiction_id))
        .filter(survey_version::Column::SurveyId.eq(s.id))
        .filter(survey_version::Column::Version.eq(s.current_version))
        .one(&db.conn)
        .await?
        .ok_or(StoreError::NotFound)
}

/// One instrument version by id.
pub async fn version_by_id(db: &Db, jurisdiction_id: i64, id: i64) -> StoreResult<survey_version::Model> {
    survey_version::Entity::find_by_id(id)
        .filter(survey_version::Column::JurisdictionId.eq(jurisdiction_id))
        .one(&db.conn)
        .await?
        .ok_or(StoreError::NotFound)
}

/// Saves an edited instrument. When a wave has fielded the current version it is frozen and a new version is
/// made (returned with `true`); otherwise the current version is updated in place.
pub async fn save_instrument(
    db: &Db,
    jurisdiction_id: i64,
    s: &survey::Model,
    instrument_json: &str,
) -> StoreResult<(survey_version::Model, bool)> {
    let cur = current_version(db, jurisdiction_id, s).await?;
    let fielded =
        survey_wave::Entity::find().filter(survey_wave::Column::VersionId.eq(cur.id)).count(&db.conn).await? > 0;
    let t = now();
    let txn = db.begin_write().await?;
    let v = if fielded {
        let v = survey_version::ActiveModel {
            jurisdiction_id: Set(jurisdiction_id),
            survey_id: Set(s.id),
            version: Set(cur.version + 1),
            instrument: Set(instrument_json.to_string()),
            created_at: Set(t),
            ..Default::default()
        }
        .insert(&txn)
        .await?;
        survey::Entity::update_many()
            .col_expr(survey::Column::CurrentVersion, Expr::value(v.version))
            .col_expr(survey::Column::UpdatedAt, Expr::value(t))
            .filter(survey::Column::Id.eq(s.id))
            .exec(&txn)
            .await?;
        v
    } else {
        let mut am: survey_version::ActiveModel = cur.into();
        am.instrument = Set(instrument_json.to_string());
        am.update(&txn).await?
    };
    txn.commit().await?;
    Ok((v, fielded))
}

/// Sets whether the survey's (suppressed) results are public.
pub async fn set_results_public(db: &Db, jurisdiction_id: i64, id: i64, public: bool) -> StoreResult<()> {
    survey::Entity::update_many()
        .col_expr(survey::Column::ResultsPublic, Expr::value(public))
        .col_expr(survey::Column::UpdatedAt, Expr::value(now()))
        .filter(survey::Column::Id.eq(id))
        .filter(survey::Column::JurisdictionId.eq(jurisdiction_id))
        .exec(&db.conn)
        .await?;
    Ok(())
}

/// A wave to field.
#[derive(Debug, Clone, Default)]
pub struct NewWave {
    /// The survey.
    pub survey_id: i64,
    /// The instrument version it fields.
    pub version_id: i64,
    /// Name (e.g. "Spring 2026").
    pub name: String,
    /// First day (ISO date).
    pub starts_on: String,
    /// Last day (ISO date).
    pub ends_on: String,
    /// The areas surveyed.
    pub area_ids: Vec<i64>,
    /// Responses wanted.
    pub target_sample: i64,
    /// Whether the public link takes answers without a token.
    pub open_link: bool,
}

/// A short random public link code (12 URL-safe characters, about 72 bits).
fn new_code() -> String {
    new_token().chars().take(12).collect()
}

/// Opens a wave with a fresh public link code and marks the survey fielded.
pub async fn create_wave(db: &Db, jurisdiction_id: i64, w: NewWave) -> StoreResult<survey_wave::Model> {
    let t = now();
    let txn = db.begin_write().await?;
    let m = survey_wave::ActiveModel {
        jurisdiction_id: Set(jurisdiction_id),
        survey_id: Set(w.survey_id),
        version_id: Set(w.version_id),
        name: Set(w.name),
        starts_on: Set(w.starts_on),
        ends_on: Set(w.ends_on),
        area_ids: Set(w.area_ids.iter().map(i64::to_string).collect::<Vec<_>>().join(",")),
        target_sample: Set(w.target_sample),
        code: Set(new_code()),
        open_link: Set(w.open_link),
        status: Set("open".into()),
        created_at: Set(t),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    survey::Entity::update_many()
        .col_expr(survey::Column::Status, Expr::value("fielded"))
        .col_expr(survey::Column::UpdatedAt, Expr::value(t))
        .filter(survey::Column::Id.eq(m.survey_id))
        .exec(&txn)
        .await?;
    txn.commit().await?;
    Ok(m)
}

/// The area ids of a wave.
pub fn wave_areas(w: &survey_wave::Model) -> Vec<i64> {
    w.area_ids.split(',').filter_map(|x| x.trim().parse().ok()).collect()
}

/// The survey's waves, oldest first.
pub async fn waves(db: &Db, jurisdiction_id: i64, survey_id: i64) -> StoreResult<Vec<survey_wave::Model>> {
    Ok(survey_wave::Entity::find()
        .filter(survey_wave::Column::JurisdictionId.eq(jurisdiction_id))
        .filter(survey_wave::Column::SurveyId.eq(survey_id))
        .order_by_asc(survey_wave::Column::StartsOn)
        .order_by_asc(survey_wave::Column::Id)
        .all(&db.conn)
        .await?)
}

/// One wave of this jurisdiction.
pub async fn wave_by_id(db: &Db, jurisdiction_id: i64, id: i64) -> StoreResult<survey_wave::Model> {
    survey_wave::Entity::find_by_id(id)
        .filter(survey_wave::Column::JurisdictionId.eq(jurisdiction_id))
        .one(&db.conn)
        .await?
        .ok_or(StoreError::NotFound)
}

/// The wave with this public link code.
pub async fn wave_by_code(db: &Db, jurisdiction_id: i64, code: &str) -> StoreResult<survey_wave::Model> {
    survey_wave::Entity::find()
        .filter(survey_wave::Column::JurisdictionId.eq(jurisdiction_id))
        .filter(survey_wave::Column::Code.eq(code))
        .one(&db.conn)
        .await?
        .ok_or(StoreError::NotFound)
}

/// Opens or closes a wave (`open`, `closed`).
pub async fn set_wave_status(db: &Db, jurisdiction_id: i64, id: i64, status: &str) -> StoreResult<()> {
    survey_wave::Entity::update_many()
        .col_expr(survey_wave::Column::Status, Expr::value(status))
        .filter(survey_wave::Column::Id.eq(id))
        .filter(survey_wave::Column::JurisdictionId.eq(jurisdiction_id))
        .exec(&db.conn)
        .await?;
    Ok(())
}

/// Makes `n` single-use tokens for a wave and returns them in plain text (only their SHA-256 is stored).
/// `kind` `email` gives 256-bit URL tokens; `card` gives 8-character codes from
/// `commonbeat_domain::survey::CARD_ALPHABET` for after-contact cards.
pub async fn create_tokens(
    db: &Db,
    jurisdiction_id: i64,
    wave_id: i64,
    kind: &str,
    area_id: Option<i64>,
    n: usize,
) -> StoreResult<Vec<String>> {
    let t = now();
    let alphabet = commonbeat_domain::survey::CARD_ALPHABET;
    let tokens: Vec<String> = (0..n)
        .map(|_| {
            if kind == "card" {
                let mut rng = rand::rngs::OsRng;
                (0..8).map(|_| char::from(alphabet[rng.gen_range(0..alphabet.len())])).collect()
            } else {
                new_token()
            }
        })
        .collect();
    if tokens.is_empty() {
        return Ok(tokens);
    }
    let rows = tokens.iter().map(|tok| survey_token::ActiveModel {
        jurisdiction_id: Set(jurisdiction_id),
        wave_id: Set(wave_id),
        token_hash: Set(hash_token(tok)),
        kind: Set(kind.to_string()),
        area_id: Set(area_id),
        used_at: Set(None),
        created_at: Set(t),
        ..Default::default()
    });
    let txn = db.begin_write().await?;
    survey_token::Entity::insert_many(rows).exec(&txn).await.map_err(|e| StoreError::unique(e, "token"))?;
    txn.commit().await?;
    Ok(tokens)
}

/// The unused token of this wave, if `token` is one.
pub async fn live_token(
    db: &Db,
    jurisdiction_id: i64,
    wave_id: i64,
    token: &str,
) -> StoreResult<Option<survey_token::Model>> {
    Ok(survey_token::Entity::find()
        .filter(survey_token::Column::JurisdictionId.eq(jurisdiction_id))
        .filter(survey_token::Column::WaveId.eq(wave_id))
        .filter(survey_token::Column::TokenHash.eq(hash_token(token)))
        .filter(survey_token::Column::UsedAt.is_null())
        .one(&db.conn)
        .await?)
}

/// Tokens of a wave: (kind, made, used).
pub async fn token_counts(db: &Db, jurisdiction_id: i64, wave_id: i64) -> StoreResult<Vec<(String, u64, u64)>> {
    let all = survey_token::Entity::find()
        .filter(survey_token::Column::JurisdictionId.eq(jurisdiction_id))
        .filter(survey_token::Column::WaveId.eq(wave_id))
        .all(&db.conn)
        .await?;
    let mut m: BTreeMap<String, (u64, u64)> = BTreeMap::new();
    for t in all {
        let e = m.entry(t.kind).or_default();
        e.0 += 1;
        e.1 += u64::from(t.used_at.is_some());
    }
    Ok(m.into_iter().map(|(k, (a, b))| (k, a, b)).collect())
}

/// A response to store.
#[derive(Debug, Clone, Default)]
pub struct NewResponse {
    /// The survey.
    pub survey_id: i64,
    /// The wave.
    pub wave_id: i64,
    /// The instrument version answered.
    pub version_id: i64,
    /// The respondent's area, if known.
    pub area_id: Option<i64>,
    /// JSON of the closed answers.
    pub answers: String,
    /// Demographics: census category ids, empty when not given (race, age, sex, tenure, income, language).
    pub demographics: [String; 6],
    /// Language of the page answered (`en`, `es`).
    pub locale: String,
    /// `link`, `email` or `card`.
    pub channel: String,
    /// Open answers: (item id, is the "number one issue" item, text).
    pub texts: Vec<(String, bool, String)>,
    /// When, unix seconds (rounded down to the hour when stored).
    pub at: i64,
}

fn response_row(jurisdiction_id: i64, r: &NewResponse) -> survey_response::ActiveModel {
    let [race, age, sex, tenure, income, language] = r.demographics.clone();
    survey_response::ActiveModel {
        jurisdiction_id: Set(jurisdiction_id),
        survey_id: Set(r.survey_id),
        wave_id: Set(r.wave_id),
        version_id: Set(r.version_id),
        area_id: Set(r.area_id),
        answers: Set(r.answers.clone()),
        race: Set(race),
        age: Set(age),
        sex: Set(sex),
        tenure: Set(tenure),
        income: Set(income),
        language: Set(language),
        locale: Set(r.locale.clone()),
        channel: Set(r.channel.clone()),
        created_at: Set(r.at - r.at.rem_euclid(3600)),
        ..Default::default()
    }
}

async fn insert_texts<C: ConnectionTrait>(
    c: &C,
    jurisdiction_id: i64,
    response_id: i64,
    r: &NewResponse,
    status: &str,
) -> StoreResult<()> {
    for (item, top, body) in &r.texts {
        survey_text::ActiveModel {
            jurisdiction_id: Set(jurisdiction_id),
            survey_id: Set(r.survey_id),
            wave_id: Set(r.wave_id),
            response_id: Set(response_id),
            item_id: Set(item.clone()),
            top_issue: Set(*top),
            area_id: Set(r.area_id),
            body: Set(body.clone()),
            status: Set(status.to_string()),
            theme: Set(String::new()),
            moderated_by: Set(None),
            created_at: Set(r.at - r.at.rem_euclid(3600)),
            ..Default::default()
        }
        .insert(c)
        .await?;
    }
    Ok(())
}

/// Stores a response (and its open answers, pending moderation). With a token, the token must be an unused
/// token of the wave and is used up in the same transaction: a second use is `Conflict { field: "token" }`.
pub async fn submit(db: &Db, jurisdiction_id: i64, r: NewResponse, token: Option<&str>) -> StoreResult<i64> {
    let txn = db.begin_write().await?;
    if let Some(tok) = token {
        let res = survey_token::Entity::update_many()
            .col_expr(survey_token::Column::UsedAt, Expr::value(now()))
            .filter(survey_token::Column::JurisdictionId.eq(jurisdiction_id))
            .filter(survey_token::Column::WaveId.eq(r.wave_id))
            .filter(survey_token::Column::TokenHash.eq(hash_token(tok)))
            .filter(survey_token::Column::UsedAt.is_null())
            .exec(&txn)
            .await?;
        if res.rows_affected != 1 {
            return Err(StoreError::Conflict { field: "token" });
        }
    }
    let m = response_row(jurisdiction_id, &r).insert(&txn).await?;
    insert_texts(&txn, jurisdiction_id, m.id, &r, "pending").await?;
    txn.commit().await?;
    Ok(m.id)
}

/// Stores many responses in one transaction (the demo); open answers get `text_status` and `theme`s in order.
pub async fn bulk_insert(
    db: &Db,
    jurisdiction_id: i64,
    rows: Vec<NewResponse>,
    text_status: &str,
    themes: &[String],
) -> StoreResult<usize> {
    let txn = db.begin_write().await?;
    let n = rows.len();
    let mut theme_i = 0;
    for chunk in rows.chunks(200) {
        let with_text: Vec<&NewResponse> = chunk.iter().filter(|r| !r.texts.is_empty()).collect();
        let plain: Vec<survey_response::ActiveModel> =
            chunk.iter().filter(|r| r.texts.is_empty()).map(|r| response_row(jurisdiction_id, r)).collect();
        if !plain.is_empty() {
            survey_response::Entity::insert_many(plain).exec(&txn).await?;
        }
        for r in with_text {
            let m = response_row(jurisdiction_id, r).insert(&txn).await?;
            insert_texts(&txn, jurisdiction_id, m.id, r, text_status).await?;
            if let Some(theme) = themes.get(theme_i) {
                survey_text::Entity::update_many()
                    .col_expr(survey_text::Column::Theme, Expr::value(theme.clone()))
                    .filter(survey_text::Column::ResponseId.eq(m.id))
                    .exec(&txn)
                    .await?;
            }
            theme_i += 1;
        }
    }
    txn.commit().await?;
    Ok(n)
}

/// Responses of the given waves, in id order.
pub async fn responses(db: &Db, jurisdiction_id: i64, wave_ids: &[i64]) -> StoreResult<Vec<survey_response::Model>> {
    Ok(survey_response::Entity::find()
        .filter(survey_response::Column::JurisdictionId.eq(jurisdiction_id))
        .filter(survey_response::Column::WaveId.is_in(wave_ids.to_vec()))
        .order_by_asc(survey_response::Column::Id)
        .all(&db.conn)
        .await?)
}

/// Responses per wave of a survey.
pub async fn response_count(db: &Db, jurisdiction_id: i64, wave_id: i64) -> StoreResult<u64> {
    Ok(survey_response::Entity::find()
        .filter(survey_response::Column::JurisdictionId.eq(jurisdiction_id))
        .filter(survey_response::Column::WaveId.eq(wave_id))
        .count(&db.conn)
        .await?)
}

/// Open answers of a survey: by moderation status (`pending`, `approved`, `rejected`; all when `None`), containing
/// `query` (letter case ignored; all when empty), newest first, at most `limit`.
pub async fn texts(
    db: &Db,
    jurisdiction_id: i64,
    survey_id: i64,
    status: Option<&str>,
    query: &str,
    limit: u64,
) -> StoreResult<Vec<survey_text::Model>> {
    use sea_orm::QuerySelect;
    let mut q = survey_text::Entity::find()
        .filter(survey_text::Column::JurisdictionId.eq(jurisdiction_id))
        .filter(survey_text::Column::SurveyId.eq(survey_id));
    if let Some(s) = status {
        q = q.filter(survey_text::Column::Status.eq(s));
    }
    let needle = query.trim().to_lowercase();
    if !needle.is_empty() {
        let pattern = format!("%{}%", needle.replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_"));
        q = q.filter(
            Expr::expr(sea_orm::sea_query::Func::lower(Expr::col(survey_text::Column::Body)))
                .like(sea_orm::sea_query::LikeExpr::new(pattern).escape('\\'))
                .or(survey_text::Column::Theme.eq(needle.clone())),
        );
    }
    Ok(q.order_by_desc(survey_text::Column::Id).limit(limit).all(&db.conn).await?)
}

/// One open answer of this jurisdiction.
pub async fn text_by_id(db: &Db, jurisdiction_id: i64, id: i64) -> StoreResult<survey_text::Model> {
    survey_text::Entity::find_by_id(id)
        .filter(survey_text::Column::JurisdictionId.eq(jurisdiction_id))
        .one(&db.conn)
        .await?
        .ok_or(StoreError::NotFound)
}

/// Moderates an open answer: `approved` or `rejected`, with a theme tag (lower-case, may be empty).
pub async fn moderate(
    db: &Db,
    jurisdiction_id: i64,
    text_id: i64,
    status: &str,
    theme: &str,
    by: Option<i64>,
) -> StoreResult<survey_text::Model> {
    let m = survey_text::Entity::find_by_id(text_id)
        .filter(survey_text::Column::JurisdictionId.eq(jurisdiction_id))
        .one(&db.conn)
        .await?
        .ok_or(StoreError::NotFound)?;
    let mut am: survey_text::ActiveModel = m.into();
    am.status = Set(status.to_string());
    am.theme = Set(theme.to_string());
    am.moderated_by = Set(by);
    Ok(am.update(&db.conn).await?)
}

/// Recent approved "number one issue" answers in these areas, counted by theme tag, most frequent first (ties by
/// theme). Answers without a theme are left out. For SARA scanning: what residents say is the top problem.
pub async fn top_issues(
    db: &Db,
    jurisdiction_id: i64,
    area_ids: &[i64],
    since: i64,
) -> StoreResult<Vec<(String, u64)>> {
    let rows = survey_text::Entity::find()
        .filter(survey_text::Column::JurisdictionId.eq(jurisdiction_id))
        .filter(survey_text::Column::TopIssue.eq(true))
        .filter(survey_text::Column::Status.eq("approved"))
        .filter(survey_text::Column::AreaId.is_in(area_ids.to_vec()))
        .filter(survey_text::Column::CreatedAt.gte(since))
        .filter(survey_text::Column::Theme.ne(""))
        .all(&db.conn)
        .await?;
    let mut m: BTreeMap<String, u64> = BTreeMap::new();
    for r in rows {
        *m.entry(r.theme).or_default() += 1;
    }
    let mut v: Vec<(String, u64)> = m.into_iter().collect();
    v.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    Ok(v)
}
