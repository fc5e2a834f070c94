//! The displacement page (police and administrators): choose a target, a buffer and a control — areas, or a
//! square target around a point with a ring buffer around it — and before/after periods; see SM, BDM, WDQ, the
//! net effect, WDD with its 95 % interval and the E-test, with the plain-language reading.

use crate::AppState;
use crate::context::Ctx;
use crate::crime::problems::square;
use crate::crime::temporal;
use crate::error::AppResult;
use crate::routes::pages::{Shell, render};
use askama::Template;
use axum::extract::{Query, State};
use axum::response::Response;
use commonbeat_domain::incident::Category;
use serde::Deserialize;
use serde_json::{Value, json};

/// The form's fields (all optional: an empty form shows the form).
#[derive(Debug, Default, Clone, Deserialize)]
pub struct DisplacementQuery {
    target_area: Option<String>,
    buffer_area: Option<String>,
    control_area: Option<String>,
    lon: Option<String>,
    lat: Option<String>,
    inner_m: Option<String>,
    outer_m: Option<String>,
    category: Option<String>,
    before_from: Option<String>,
    before_to: Option<String>,
    after_from: Option<String>,
    after_to: Option<String>,
}

#[derive(Template)]
#[template(path = "crime/displacement.html")]
struct Page {
    shell: Shell,
    v: Echo,
    areas: Vec<(i64, String)>,
    categories: Vec<(String, String)>,
    error: Option<String>,
    rows: Vec<(String, String)>,
    summary: String,
}

fn p_value(v: &Value) -> String {
    match v.as_f64() {
        Some(p) if p < 0.001 => "< 0.001".into(),
        Some(p) => format!("{p:.3}"),
        None => "–".into(),
    }
}

fn num(v: &Value) -> String {
    v.as_f64().map(|x| format!("{x:.3}")).unwrap_or_else(|| "–".into())
}

/// The form's values as typed, for redisplay.
#[derive(Debug, Default)]
pub struct Echo {
    target_area: String,
    buffer_area: String,
    control_area: String,
    lon: String,
    lat: String,
    inner_m: String,
    outer_m: String,
    category: String,
    before_from: String,
    before_to: String,
    after_from: String,
    after_to: String,
}

impl From<&DisplacementQuery> for Echo {
    fn from(q: &DisplacementQuery) -> Self {
        let s = |v: &Option<String>| v.clone().unwrap_or_default();
        Echo {
            target_area: s(&q.target_area),
            buffer_area: s(&q.buffer_area),
            control_area: s(&q.control_area),
            lon: s(&q.lon),
            lat: s(&q.lat),
            inner_m: s(&q.inner_m),
            outer_m: s(&q.outer_m),
            category: s(&q.category),
            before_from: s(&q.before_from),
            before_to: s(&q.before_to),
            after_from: s(&q.after_from),
            after_to: s(&q.after_to),
        }
    }
}

fn field(q: &Option<String>) -> Option<&str> {
    q.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

fn body_of(q: &DisplacementQuery) -> Result<Value, String> {
    let area = |f: &Option<String>, name: &str| -> Result<Option<Value>, String> {
        match field(f) {
            None => Ok(None),
            Some(s) => s.parse::<i64>().map(|i| Some(json!(i))).map_err(|_| format!("{name}: choose an area")),
        }
    };
    let point = match (field(&q.lon), field(&q.lat)) {
        (Some(a), Some(b)) => {
            let lon: f64 = a.parse().map_err(|_| "lon: not a number".to_string())?;
            let lat: f64 = b.parse().map_err(|_| "lat: not a number".to_string())?;
            let inner: f64 =
                field(&q.inner_m).unwrap_or("150").parse().map_err(|_| "inner_m: not a number".to_string())?;
            let outer: f64 =
                field(&q.outer_m).unwrap_or("300").parse().map_err(|_| "outer_m: not a number".to_string())?;
            if !(10.0..=5000.0).contains(&inner) || outer <= inner || outer > 10_000.0 {
                return Err("outer_m: the ring must be wider than the target (10 m to 10 km)".into());
            }
            Some((lon, lat, inner, outer))
        }
        _ => None,
    };
    let (target, buffer) = match point {
        Some((lon, lat, inner, outer)) => {
            (Some(square(lon, lat, inner, None)), Some(square(lon, lat, outer, Some(inner))))
        }
        None => (area(&q.target_area, "target_area")?, area(&q.buffer_area, "buffer_area")?),
    };
    Ok(json!({
        "target": target, "buffer": buffer, "control": area(&q.control_area, "control_area")?,
        "category": field(&q.category),
        "before": {"from": field(&q.before_from), "to": field(&q.before_to)},
        "after": {"from": field(&q.after_from), "to": field(&q.after_to)},
    }))
}

/// The page.
pub async fn page(State(state): State<AppState>, ctx: Ctx, Query(q): Query<DisplacementQuery>) -> AppResult<Response> {
    ctx.require_role(super::POLICE)?;
    let t = ctx.tr();
    let areas = commonbeat_store::repo::areas::list(&state.db, ctx.jid(), None).await?;
    let asked = field(&q.before_from).is_some();
    let (mut rows, mut summary, mut error) = (Vec::new(), String::new(), None);
    if asked {
        let columns = state.crime.get(&state.db, ctx.jid()).await?;
        let tz = ctx.time_zone();
        match body_of(&q).and_then(|b| temporal::displacement(&columns, &b, &tz)) {
            Ok(out) => {
                let c = &out["counts"];
                let a = &out["assessment"];
                let ba = |k: &str| format!("{} → {}", c[k]["before"], c[k]["after"]);
                rows = vec![
                    (t.t("disp-target"), ba("target")),
                    (t.t("disp-buffer"), ba("buffer")),
                    (t.t("disp-control"), ba("control")),
                    ("SM".into(), num(&a["success_measure"])),
                    ("BDM".into(), num(&a["buffer_displacement_measure"])),
                    ("WDQ".into(), num(&a["wdq"])),
                    (t.t("disp-net"), num(&a["net_effect"])),
                    (
                        "WDD".into(),
                        format!(
                            "{} (SE {}, 95 % {} … {}, p {})",
                            num(&a["wdd"]["wdd"]),
                            num(&a["wdd"]["se"]),
                            num(&a["wdd"]["ci_low"]),
                            num(&a["wdd"]["ci_high"]),
                            p_value(&a["wdd"]["p"])
                        ),
                    ),
                    (t.t("disp-etest"), p_value(&a["target_e_test_p"])),
                ];
                summary =
                    t.t(&format!("disp-reading-{}", a["wdq_interpretation"].as_str().unwrap_or("not_meaningful")));
                ctx.audit(&state, "analysis.displacement", "incidents", "success", json!({"query": format!("{q:?}")}))
                    .await?;
            }
            Err(e) => error = Some(e),
        }
    }
    render(&Page {
        shell: Shell::new(&ctx, "disp-title"),
        v: Echo::from(&q),
        areas: areas.iter().map(|a| (a.id, format!("{} ({})", a.name, a.kind))).collect(),
        categories: Category::ALL
            .iter()
            .map(|c| (c.as_str().to_string(), t.t(&format!("crime-cat-{}", c.as_str()))))
            .collect(),
        error,
        rows,
        summary,
    })
}
