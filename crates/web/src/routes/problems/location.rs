//! A problem's location drawn on the map (`POST /partnerships/{slug}/problems/{id}/location`).
//!
//! The form carries the vertices as `lat,lon` lines in a textarea: the drawing tool (`assets/problem-draw.js`)
//! fills it as the user clicks, and keyboard users type or paste into it directly. Co-chairs (and
//! administrators) and the partnership's police members may save or clear it. The polygon is checked by
//! `geo::check_drawn_polygon` against the jurisdiction's bounds (the box around its areas). When set it is the
//! problem's target for the data panels and the assessment. The public never sees it: the public page shows
//! only its bounding box widened to a 250 m grid.

use super::show::page_with;
use super::{Access, load};
use crate::AppState;
use crate::context::Ctx;
use crate::error::AppResult;
use crate::i18n::Tr;
use axum::extract::{Form, Path, State};
use axum::response::Response;
use commonbeat_domain::geo::{self, DrawnError, LonLat, MultiPolygon, Polygon};
use commonbeat_store::entities::problem;
use commonbeat_store::repo::{areas, problems};
use serde::Deserialize;
use serde_json::{Value, json};

/// The grid the public bounding box is snapped to, in metres.
pub const PUBLIC_CELL_M: f64 = 250.0;

/// Whether the caller may draw the location: co-chairs, deputies and administrators, or the partnership's
/// active members on the police side.
pub fn can_locate(a: &Access) -> bool {
    a.can_manage() || (a.is_member() && a.membership.as_ref().is_some_and(|m| m.side == "police"))
}

/// The drawn polygon, if any.
pub fn polygon_of(p: &problem::Model) -> Option<Polygon> {
    geo::parse_geometry(p.polygon.as_deref()?).ok()?.0.into_iter().next()
}

/// The polygon as a GeoJSON Polygon value.
pub fn polygon_geojson(p: &Polygon) -> Value {
    let ring: Vec<Value> = p.exterior.iter().map(|q| json!([q.lon, q.lat])).collect();
    json!({"type": "Polygon", "coordinates": [ring]})
}

/// What the public may see of a drawn polygon: its bounding box on the 250 m grid, as a GeoJSON Polygon.
pub fn public_box(p: &Polygon) -> Value {
    let (a, b, c, d) = geo::snapped_bbox(p, PUBLIC_CELL_M);
    let ring = [(a, b), (c, b), (c, d), (a, d), (a, b)].map(|(x, y)| LonLat::new(x, y)).to_vec();
    polygon_geojson(&Polygon { exterior: ring, holes: Vec::new() })
}

/// The ring buffer around a drawn polygon for the assessment, as a displacement region: the points within
/// `width_m` metres of the polygon and outside it ([`geo::RingBuffer`]).
pub fn buffer_around(p: &Polygon, width_m: f64) -> Value {
    match geo::RingBuffer::new(MultiPolygon(vec![p.clone()]), width_m) {
        Some(b) => b.to_json(),
        None => polygon_geojson(p),
    }
}

/// The message for a refused polygon, naming the field.
pub fn message(t: &Tr, e: &DrawnError) -> String {
    let reason = match e {
        DrawnError::BadLine(n) => t.t1("problem-polygon-error-line", "line", &n.to_string()),
        DrawnError::TooFewVertices => t.t("problem-polygon-error-few"),
        DrawnError::TooManyVertices => t.t1("problem-polygon-error-many", "max", &geo::MAX_DRAWN_VERTICES.to_string()),
        DrawnError::SelfIntersecting(_) => t.t("problem-polygon-error-crossing"),
        DrawnError::TooLarge(a) => t.t1("problem-polygon-error-large", "km2", &format!("{:.2}", a / 1e6)),
        DrawnError::OutsideBounds => t.t("problem-polygon-error-outside"),
        DrawnError::NotAPolygon => t.t("problem-polygon-error-geojson"),
    };
    format!("{}: {reason}", t.t("problem-polygon-field"))
}

/// The jurisdiction's bounds for a drawn polygon: the box around its areas.
pub async fn bounds(state: &AppState, jid: i64) -> AppResult<geo::BBox> {
    let all = areas::list(&state.db, jid, None).await?;
    Ok(all
        .iter()
        .map(|x| (x.min_lon, x.min_lat, x.max_lon, x.max_lat))
        .reduce(|a, b| (a.0.min(b.0), a.1.min(b.1), a.2.max(b.2), a.3.max(b.3)))
        .unwrap_or((0.0, 0.0, 0.0, 0.0)))
}

/// Stores a checked polygon (or clears it with `None`) and audits the change; shared by the form and the API.
/// The caller has checked [`can_locate`].
pub async fn store(
    state: &AppState,
    ctx: &Ctx,
    p: &problem::Model,
    polygon: Option<Polygon>,
) -> AppResult<problem::Model> {
    let detail = match &polygon {
        Some(g) => {
            json!({"vertices": g.exterior.len() - 1, "area_m2": MultiPolygon(vec![g.clone()]).area_m2().round()})
        }
        None => json!({"polygon": null}),
    };
    let mut m = p.clone();
    m.polygon = polygon.as_ref().map(|g| polygon_geojson(g).to_string());
    let saved = problems::save(&state.db, m).await?;
    ctx.audit(state, "problem.location", &format!("problem:{}", p.id), "success", detail).await?;
    Ok(saved)
}

/// The location form.
#[derive(Debug, Deserialize)]
pub struct LocationForm {
    /// `lat,lon` lines.
    #[serde(default)]
    vertices: String,
    /// `save` (default) or `clear`.
    #[serde(default)]
    action: String,
}

/// Saves or clears the drawn polygon.
pub async fn save(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((slug, id)): Path<(String, i64)>,
    Form(f): Form<LocationForm>,
) -> AppResult<Response> {
    ctx.require_user()?;
    let (a, p) = load(&state, &ctx, &slug, id).await?;
    if !can_locate(&a) {
        return Err(crate::error::AppError::Forbidden);
    }
    let t = ctx.tr();
    if f.action == "clear" {
        let saved = store(&state, &ctx, &p, None).await?;
        return page_with(&state, &ctx, &a, saved, None, Some(t.t("problem-polygon-cleared")), None).await;
    }
    let bounds = bounds(&state, ctx.jid()).await?;
    let checked = geo::parse_lat_lon_lines(&f.vertices).and_then(|v| geo::check_drawn_polygon(&v, bounds));
    let polygon = match checked {
        Ok(polygon) => polygon,
        Err(e) => {
            let text = Some(f.vertices.chars().take(20_000).collect());
            return page_with(&state, &ctx, &a, p, Some(message(&t, &e)), None, text).await;
        }
    };
    let saved = store(&state, &ctx, &p, Some(polygon)).await?;
    page_with(&state, &ctx, &a, saved, None, Some(t.t("problem-polygon-saved")), None).await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn poly() -> Polygon {
        let v = geo::parse_lat_lon_lines("41.90,-87.70\n41.90,-87.695\n41.904,-87.6975").unwrap();
        geo::check_drawn_polygon(&v, (-88.0, 41.0, -87.0, 42.0)).unwrap()
    }

    #[test]
    fn the_buffer_is_a_true_ring_around_the_polygon_and_the_public_box_contains_it() {
        let p = poly();
        let buffer = geo::RingBuffer::from_json(&buffer_around(&p, 150.0)).unwrap().unwrap();
        assert_eq!(buffer.width_m(), 150.0);
        let inside = LonLat::new(-87.6975, 41.901);
        assert!(!buffer.contains(inside), "the target is cut out");
        assert!(buffer.contains(LonLat::new(-87.7005, 41.8995)), "the ring around it is in");
        // Beyond the south-west corner by about 150 m on each axis: in the old widened box, not within 150 m.
        assert!(!buffer.contains(LonLat::new(-87.70181, 41.89865)));
        let public = geo::parse_geometry(&public_box(&p).to_string()).unwrap();
        assert!(p.exterior.iter().all(|q| public.contains(*q)));
        assert_eq!(public.0[0].exterior.len(), 5, "a box, not the outline");
        let stored = polygon_geojson(&p).to_string();
        let back = geo::parse_geometry(&stored).unwrap();
        assert_eq!(back.0[0], p);
    }
}
