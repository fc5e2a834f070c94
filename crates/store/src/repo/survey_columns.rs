//! Fast reads for the survey results (re-exported from [`super::surveys`]): a stamp of the data a wave's results
//! depend on, and a wave's responses as the columns estimation needs.

use crate::Db;
use crate::error::StoreResult;
use sea_orm::ConnectionTrait;
use std::collections::BTreeMap;

/// A version stamp of the data the results of these waves are computed from: per wave, the number of responses
/// and the latest response id; and for the jurisdiction's census rows the same pair (under key `-1`). Responses
/// are only ever added (or removed with their wave) and census rows are replaced with new ids, so an unchanged
/// stamp means unchanged data. Two index-only counts, so a cache can check it on every request.
pub async fn results_stamp(db: &Db, jurisdiction_id: i64, wave_ids: &[i64]) -> StoreResult<BTreeMap<i64, [i64; 2]>> {
    let ids = if wave_ids.is_empty() {
        "0".to_string()
    } else {
        wave_ids.iter().map(i64::to_string).collect::<Vec<_>>().join(",")
    };
    let sql = format!(
        "SELECT wave_id AS k, COUNT(*) AS n, MAX(id) AS m FROM survey_responses \
         WHERE jurisdiction_id = $1 AND wave_id IN ({ids}) GROUP BY wave_id \
         UNION ALL SELECT -1 AS k, COUNT(*) AS n, COALESCE(MAX(id), 0) AS m FROM area_demographics \
         WHERE jurisdiction_id = $1"
    );
    let rows = db.conn.query_all_raw(db.stmt(&sql, vec![jurisdiction_id.into()])).await?;
    let mut out = BTreeMap::new();
    for r in rows {
        let k: i64 = r.try_get("", "k")?;
        out.insert(k, [r.try_get("", "n")?, r.try_get("", "m")?]);
    }
    Ok(out)
}

/// The columns estimation needs of a wave's responses with an id above `after_id`, in id order (lighter than
/// [`super::surveys::responses`]: no locale, channel or time).
#[derive(Debug, Default)]
pub struct ResponseColumns {
    /// Response ids.
    pub ids: Vec<i64>,
    /// Area ids.
    pub area: Vec<Option<i64>>,
    /// Closed answers (JSON).
    pub answers: Vec<String>,
    /// Demographics: race, age, sex, tenure, income, language.
    pub demographics: Vec<[String; 6]>,
}

/// Reads [`ResponseColumns`] of one wave.
pub async fn response_columns(
    db: &Db,
    jurisdiction_id: i64,
    wave_id: i64,
    after_id: i64,
) -> StoreResult<ResponseColumns> {
    let sql = "SELECT id, area_id, answers, race, age, sex, tenure, income, language FROM survey_responses \
               WHERE jurisdiction_id = $1 AND wave_id = $2 AND id > $3 ORDER BY id";
    let rows =
        db.conn.query_all_raw(db.stmt(sql, vec![jurisdiction_id.into(), wave_id.into(), after_id.into()])).await?;
    let mut out = ResponseColumns::default();
    for r in rows {
        out.ids.push(r.try_get("", "id")?);
        out.area.push(r.try_get("", "area_id")?);
        out.answers.push(r.try_get("", "answers")?);
        out.demographics.push([
            r.try_get("", "race")?,
            r.try_get("", "age")?,
            r.try_get("", "sex")?,
            r.try_get("", "tenure")?,
            r.try_get("", "income")?,
            r.try_get("", "language")?,
        ]);
    }
    Ok(out)
}
