//! Recruiting reports: where hires came from, time in each stage, rubric score distributions with the raters'
//! agreement, and the fairness table (pool against census shares, stage pass rates by group with the adverse-impact
//! ratio and the four-fifths flag, small cells suppressed). The public page gets suppressed aggregates only.

use super::panels::sheets_of;
use super::{RACES, SEXES, group_label, pipeline, require_staff, stage_label};
use crate::AppState;
use crate::context::Ctx;
use crate::error::AppResult;
use crate::i18n::Tr;
use crate::routes::pages::{Shell, render};
use askama::Template;
use axum::extract::{Query, State};
use axum::response::Response;
use commonbeat_analysis::agreement::{Level, krippendorff_alpha};
use commonbeat_analysis::fairness::SelectionTable;
use commonbeat_analysis::fairness::{DEFAULT_MIN_ENTRANTS, StageCount, pool_vs_census, selection_table};
use commonbeat_analysis::representation::Comparison;
use commonbeat_analysis::suppression::suppress_row;
use commonbeat_domain::recruit::{Dimension, Pipeline, Stage};
use commonbeat_store::entities::{recruit_candidate, recruit_stage_change};
use commonbeat_store::repo::{areas, recruiting};
use serde::Deserialize;
use serde_json::json;
use std::collections::{BTreeMap, HashMap};

/// The stages each candidate reached (entry included), from the stored changes.
pub fn reached(changes: &[recruit_stage_change::Model]) -> HashMap<i64, Vec<String>> {
    let mut out: HashMap<i64, Vec<String>> = HashMap::new();
    for c in changes {
        out.entry(c.candidate_id).or_default().push(c.to_stage.clone());
    }
    out
}

/// One stage of the fairness report.
pub struct StageFairness {
    /// The stage.
    pub stage: Stage,
    /// Pass rates by group.
    pub table: SelectionTable,
    /// Entrants by group against the census.
    pub pool: Comparison,
}

/// The fairness report over `dimension` (`race` or `sex`): for each stage but the last, who entered and who went
/// on to the next stage, by self-described group (candidates who did not say are left out), against `census`.
pub fn fairness(
    p: &Pipeline,
    candidates: &[recruit_candidate::Model],
    reached: &HashMap<i64, Vec<String>>,
    dimension: &str,
    census: &[(&str, u64)],
    k: u64,
) -> Vec<StageFairness> {
    let groups: &[&str] = if dimension == "sex" { &SEXES } else { &RACES };
    let group_of = |c: &recruit_candidate::Model| if dimension == "sex" { c.sex.clone() } else { c.race.clone() };
    let stages = p.stages();
    let mut out = Vec::new();
    for w in stages.windows(2) {
        let (s, next) = (w[0], w[1]);
        let counts: Vec<StageCount<'_>> = groups
            .iter()
            .map(|g| {
                let mut entered = 0;
                let mut passed = 0;
                for c in candidates.iter().filter(|c| group_of(c) == *g) {
                    let r = reached.get(&c.id).map(Vec::as_slice).unwrap_or_default();
                    if r.iter().any(|x| x == s.as_str()) {
                        entered += 1;
                        if r.iter().any(|x| x == next.as_str()) {
                            passed += 1;
                        }
                    }
                }
                StageCount::new(g, entered, passed)
            })
            .collect();
        let Ok(table) = selection_table(&counts, k) else { continue };
        out.push(StageFairness { stage: s, table, pool: pool_vs_census(&counts, census, k) });
    }
    out
}

/// Census counts of `dimension` over every area of the jurisdiction.
pub async fn census(state: &AppState, jid: i64, dimension: &str) -> AppResult<Vec<(String, u64)>> {
    let ids: Vec<i64> = areas::list(&state.db, jid, None).await?.iter().map(|a| a.id).collect();
    let d = areas::demographics(&state.db, jid, &ids).await?;
    let groups: &[&str] = if dimension == "sex" { &SEXES } else { &RACES };
    Ok(groups
        .iter()
        .map(|g| (g.to_string(), d.get(dimension).and_then(|m| m.get(*g)).copied().unwrap_or(0).max(0) as u64))
        .collect())
}

/// Hires and candidates by source: `(source id, candidates, hires)`.
pub fn by_source(candidates: &[recruit_candidate::Model]) -> Vec<(String, u64, u64)> {
    ["event", "partnership", "referral", "direct"]
        .iter()
        .map(|s| {
            let all = candidates.iter().filter(|c| c.source == *s);
            let n = all.clone().count() as u64;
            (s.to_string(), n, all.filter(|c| c.stage == "hired").count() as u64)
        })
        .collect()
}

/// Days spent in each stage by candidates who left it: `(stage, stays, median days, mean days)`.
pub fn time_in_stage(p: &Pipeline, changes: &[recruit_stage_change::Model]) -> Vec<(Stage, usize, f64, f64)> {
    let mut per: HashMap<i64, Vec<&recruit_stage_change::Model>> = HashMap::new();
    for c in changes {
        per.entry(c.candidate_id).or_default().push(c);
    }
    let mut days: BTreeMap<String, Vec<f64>> = BTreeMap::new();
    for list in per.values() {
        for w in list.windows(2) {
            days.entry(w[0].to_stage.clone()).or_default().push((w[1].created_at - w[0].created_at) as f64 / 86_400.0);
        }
    }
    p.stages()
        .iter()
        .filter(|s| **s != Stage::Hired)
        .map(|s| {
            let mut d = days.remove(s.as_str()).unwrap_or_default();
            d.sort_by(f64::total_cmp);
            let n = d.len();
            let median = match n {
                0 => 0.0,
                _ if n % 2 == 1 => d[n / 2],
                _ => (d[n / 2 - 1] + d[n / 2]) / 2.0,
            };
            let mean = if n == 0 { 0.0 } else { d.iter().sum::<f64>() / n as f64 };
            (*s, n, median, mean)
        })
        .collect()
}

/// Score counts 1–5 per dimension (rubric order), and Krippendorff's alpha (interval) over every sheet: panelists
/// are the raters, each candidate × dimension a unit.
pub fn score_distribution(rows: &[commonbeat_store::entities::recruit_score::Model]) -> (Vec<[u64; 5]>, Option<f64>) {
    let sheets = sheets_of(rows);
    let mut counts = vec![[0u64; 5]; 5];
    for s in &sheets {
        for d in Dimension::ALL {
            counts[d.index()][usize::from(s.score(d).get() - 1)] += 1;
        }
    }
    let mut raters: Vec<i64> = sheets.iter().map(|s| s.panelist).collect();
    raters.sort_unstable();
    raters.dedup();
    let mut units: Vec<i64> = rows.iter().map(|r| r.candidate_id).collect();
    units.sort_unstable();
    units.dedup();
    let data: Vec<Vec<Option<f64>>> = raters
        .iter()
        .map(|r| {
            let mut row = vec![None; units.len() * 5];
            for s in rows.iter().filter(|s| s.user_id == *r) {
                let u = units.iter().position(|x| *x == s.candidate_id).unwrap_or(0);
                for (sheet, d) in
                    sheets_of(std::slice::from_ref(s)).iter().flat_map(|sh| Dimension::ALL.map(|d| (sh, d)))
                {
                    row[u * 5 + d.index()] = Some(f64::from(sheet.score(d).get()));
                }
            }
            row
        })
        .collect();
    (counts, krippendorff_alpha(&data, Level::Interval))
}

/// A count in the public aggregates.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct RecruitCount {
    /// Stage or source id.
    pub id: String,
    /// Its name in the request's language.
    pub label: String,
    /// The count; `None` when hidden (small cell).
    pub count: Option<u64>,
}

/// Public aggregates (suppressed) for the public recruiting page.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct RecruitSummary {
    /// People who reached each stage; `None` when fewer than `k`.
    pub stages: Vec<RecruitCount>,
    /// Hires by source (`event`, `partnership`, `referral`, `direct`); small cells hidden with a complement.
    pub hires: Vec<RecruitCount>,
    /// Public events held.
    pub events: u64,
    /// People who came to them.
    pub attendance: i64,
    /// The small-cell threshold.
    pub k: u64,
}

/// The public aggregates.
pub async fn public_summary(state: &AppState, ctx: &Ctx) -> AppResult<RecruitSummary> {
    let t = ctx.tr();
    let k = DEFAULT_MIN_ENTRANTS;
    let p = pipeline(state, ctx.jid()).await?;
    let cands = recruiting::candidates(&state.db, ctx.jid()).await?;
    let changes = recruiting::all_stage_changes(&state.db, ctx.jid()).await?;
    let r = reached(&changes);
    let stages = p
        .stages()
        .iter()
        .map(|s| {
            let n = r.values().filter(|v| v.iter().any(|x| x == s.as_str())).count() as u64;
            RecruitCount {
                id: s.as_str().to_string(),
                label: stage_label(&t, s.as_str()),
                count: (n >= k).then_some(n),
            }
        })
        .collect();
    let src = by_source(&cands);
    let hires: Vec<u64> = src.iter().map(|x| x.2).collect();
    let total: u64 = hires.iter().sum();
    let shown = if total < k { vec![false; hires.len()] } else { suppress_row(&hires, k) };
    let events = recruiting::events(&state.db, ctx.jid(), true).await?;
    let now = commonbeat_store::now();
    let held: Vec<_> = events.iter().filter(|e| e.starts_at < now).collect();
    Ok(RecruitSummary {
        stages,
        hires: src
            .iter()
            .zip(shown)
            .map(|((s, _, h), show)| RecruitCount {
                id: s.clone(),
                label: t.t(&format!("recruit-source-{s}")),
                count: show.then_some(*h),
            })
            .collect(),
        events: held.len() as u64,
        attendance: held.iter().map(|e| e.attendance).sum(),
        k,
    })
}

/// A fairness row as shown.
pub struct FairRow {
    /// Group label.
    pub group: String,
    /// Entrants or "hidden".
    pub entered: String,
    /// Passes or "hidden".
    pub passed: String,
    /// Rate in %.
    pub rate: String,
    /// Impact ratio.
    pub ratio: String,
    /// Below four-fifths.
    pub flag: bool,
    /// Pool share in %.
    pub share: String,
    /// Census share in %.
    pub census: String,
    /// Under half its census share.
    pub under: bool,
}

/// A fairness stage as shown.
pub struct FairStage {
    /// Stage label.
    pub stage: String,
    /// Next stage label.
    pub next: String,
    /// The table's caption.
    pub caption: String,
    /// Rows.
    pub rows: Vec<FairRow>,
}

fn pct(x: Option<f64>, hidden: &str) -> String {
    x.map(|v| format!("{:.0} %", v * 100.0)).unwrap_or_else(|| hidden.to_string())
}

/// The fairness report as shown.
pub fn fair_view(t: &Tr, p: &Pipeline, f: &[StageFairness]) -> Vec<FairStage> {
    let hidden = t.t("recruit-hidden");
    f.iter()
        .map(|s| FairStage {
            stage: stage_label(t, s.stage.as_str()),
            next: p.next(s.stage).map(|n| stage_label(t, n.as_str())).unwrap_or_default(),
            caption: t.t2(
                "recruit-fair-caption",
                ("stage", &stage_label(t, s.stage.as_str())),
                ("next", &p.next(s.stage).map(|n| stage_label(t, n.as_str())).unwrap_or_default()),
            ),
            rows: s
                .table
                .groups
                .iter()
                .map(|g| {
                    let pool = s.pool.groups.iter().find(|x| x.category == g.group);
                    FairRow {
                        group: group_label(t, &g.group),
                        entered: g.entered.map(|n| n.to_string()).unwrap_or_else(|| hidden.clone()),
                        passed: g.passed.map(|n| n.to_string()).unwrap_or_else(|| hidden.clone()),
                        rate: pct(g.rate, "—"),
                        ratio: g.impact_ratio.map(|r| format!("{r:.2}")).unwrap_or_else(|| "—".into()),
                        flag: g.adverse_impact,
                        share: pct(pool.and_then(|x| x.member_share), &hidden),
                        census: pct(pool.map(|x| x.census_share), "—"),
                        under: pool.is_some_and(|x| x.under_represented),
                    }
                })
                .collect(),
        })
        .collect()
}

/// `?by=race|sex` for the fairness report.
#[derive(Debug, Deserialize)]
pub struct ReportQuery {
    /// The breakdown.
    #[serde(default)]
    pub by: String,
}

#[derive(Template)]
#[template(path = "recruiting/reports.html")]
struct ReportPage {
    shell: Shell,
    by: String,
    sources: Vec<(String, u64, u64)>,
    events: Vec<(String, u64, u64)>,
    times: Vec<(String, usize, String, String)>,
    scores: Vec<(String, Vec<u64>)>,
    alpha: String,
    fair: Vec<FairStage>,
    k: u64,
}

/// `GET /recruiting/reports`: the staff reports (recruiting staff; audited, as it is built from candidate data).
pub async fn page(State(state): State<AppState>, ctx: Ctx, Query(q): Query<ReportQuery>) -> AppResult<Response> {
    require_staff(&state, &ctx).await?;
    let t = ctx.tr();
    let by = if q.by == "sex" { "sex" } else { "race" };
    let p = pipeline(&state, ctx.jid()).await?;
    let cands = recruiting::candidates(&state.db, ctx.jid()).await?;
    let changes = recruiting::all_stage_changes(&state.db, ctx.jid()).await?;
    let census = census(&state, ctx.jid(), by).await?;
    let census_ref: Vec<(&str, u64)> = census.iter().map(|(g, n)| (g.as_str(), *n)).collect();
    let k = DEFAULT_MIN_ENTRANTS;
    let fair = fairness(&p, &cands, &reached(&changes), by, &census_ref, k);
    let sources = by_source(&cands).into_iter().map(|(s, n, h)| (t.t(&format!("recruit-source-{s}")), n, h)).collect();
    let events = recruiting::events(&state.db, ctx.jid(), false)
        .await?
        .into_iter()
        .map(|e| {
            let from: Vec<_> = cands.iter().filter(|c| c.event_id == Some(e.id)).collect();
            let hires = from.iter().filter(|c| c.stage == "hired").count() as u64;
            (e.title, from.len() as u64, hires)
        })
        .collect();
    let times = time_in_stage(&p, &changes)
        .into_iter()
        .map(|(s, n, med, mean)| (stage_label(&t, s.as_str()), n, format!("{med:.0}"), format!("{mean:.1}")))
        .collect();
    let (dist, alpha) = score_distribution(&recruiting::all_scores(&state.db, ctx.jid()).await?);
    let scores = Dimension::ALL.iter().map(|d| (d.label(ctx.locale).to_string(), dist[d.index()].to_vec())).collect();
    ctx.audit(&state, "recruiting.reports.read", "recruit_candidates", "success", json!({"by": by})).await?;
    render(&ReportPage {
        shell: Shell::new(&ctx, "recruit-reports-title"),
        by: by.to_string(),
        sources,
        events,
        times,
        scores,
        alpha: alpha.map(|a| format!("{a:.2}")).unwrap_or_else(|| t.t("recruit-alpha-undefined")),
        fair: fair_view(&t, &p, &fair),
        k,
    })
}
