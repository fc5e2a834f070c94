//! Crime data in the web layer: the per-jurisdiction columnar cache the analyses read, the import pipeline
//! shared by `commonbeat import incidents` and the analysts' upload page, and the privacy rules of the public
//! views.

pub mod columns;
pub mod geocoding;
pub mod import;
pub mod params;
pub mod privacy;
pub mod problems;
pub mod spatial;
pub mod temporal;

use columns::{Columns, ColumnsBuilder};
use commonbeat_analysis::projection::LocalProjection;
use commonbeat_domain::geo;
use commonbeat_store::Db;
use commonbeat_store::error::StoreResult;
use commonbeat_store::repo::{areas, incidents};
use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use tokio::sync::{Mutex, RwLock};

/// Progress of a running import, readable while it runs.
#[derive(Debug, Default)]
pub struct Progress {
    /// Bytes of the file read so far.
    pub bytes: AtomicU64,
    /// Size of the file.
    pub total_bytes: AtomicU64,
    /// Data rows read so far.
    pub rows: AtomicU64,
    /// Rows rejected so far.
    pub rejected: AtomicU64,
}

impl Progress {
    /// Share of the file read, 0–100.
    pub fn percent(&self) -> u8 {
        let total = self.total_bytes.load(Ordering::Relaxed);
        if total == 0 {
            return 0;
        }
        ((self.bytes.load(Ordering::Relaxed) as f64 / total as f64) * 100.0).clamp(0.0, 100.0) as u8
    }
}

/// The incidents of each jurisdiction in memory, loaded on first use and rebuilt after every import.
#[derive(Default)]
pub struct CrimeCache {
    loaded: RwLock<HashMap<i64, Arc<Columns>>>,
    loading: Mutex<()>,
    geocoders: RwLock<HashMap<i64, Arc<commonbeat_domain::geocode::Geocoder>>>,
    running: std::sync::Mutex<HashMap<i64, Arc<Progress>>>,
}

impl std::fmt::Debug for CrimeCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("CrimeCache")
    }
}

impl CrimeCache {
    /// The jurisdiction's incidents, loading them on first use.
    pub async fn get(&self, db: &Db, jurisdiction_id: i64) -> StoreResult<Arc<Columns>> {
        if let Some(c) = self.loaded.read().await.get(&jurisdiction_id) {
            return Ok(c.clone());
        }
        let _one_loader = self.loading.lock().await;
        if let Some(c) = self.loaded.read().await.get(&jurisdiction_id) {
            return Ok(c.clone());
        }
        let c = Arc::new(load(db, jurisdiction_id).await?);
        self.loaded.write().await.insert(jurisdiction_id, c.clone());
        Ok(c)
    }

    /// The jurisdiction's offline geocoder (its blocks and areas), built on first use.
    pub async fn geocoder(
        &self,
        db: &Db,
        jurisdiction_id: i64,
    ) -> StoreResult<Arc<commonbeat_domain::geocode::Geocoder>> {
        if let Some(g) = self.geocoders.read().await.get(&jurisdiction_id) {
            return Ok(g.clone());
        }
        let g = Arc::new(geocoding::build(db, jurisdiction_id).await?);
        self.geocoders.write().await.insert(jurisdiction_id, g.clone());
        Ok(g)
    }

    /// Rebuilds the jurisdiction's columns from the database (after an import or an area change); the geocoder
    /// is rebuilt on its next use.
    pub async fn reload(&self, db: &Db, jurisdiction_id: i64) -> StoreResult<Arc<Columns>> {
        self.geocoders.write().await.remove(&jurisdiction_id);
        let _one_loader = self.loading.lock().await;
        let c = Arc::new(load(db, jurisdiction_id).await?);
        self.loaded.write().await.insert(jurisdiction_id, c.clone());
        Ok(c)
    }

    /// Registers a running import's progress.
    pub fn track(&self, import_id: i64) -> Arc<Progress> {
        let p = Arc::new(Progress::default());
        self.running.lock().expect("progress lock").insert(import_id, p.clone());
        p
    }

    /// The progress of a running import.
    pub fn progress(&self, import_id: i64) -> Option<Arc<Progress>> {
        self.running.lock().expect("progress lock").get(&import_id).cloned()
    }

    /// Forgets a finished import's progress.
    pub fn untrack(&self, import_id: i64) {
        self.running.lock().expect("progress lock").remove(&import_id);
    }
}

/// The projection for a jurisdiction: centred on its areas, or on Chicago's Loop when it has none yet
/// (any centre within a few hundred kilometres keeps distances within 0.1 %).
async fn projection_for(all: &[(i64, String, String, geo::MultiPolygon)]) -> LocalProjection {
    let outlines: Vec<&geo::MultiPolygon> = all.iter().map(|a| &a.3).collect();
    match geo::fit_bbox(&outlines) {
        Some((a, b, c, d)) => LocalProjection::centred_on(a, b, c, d),
        None => LocalProjection::new(-87.63, 41.88),
    }
}

async fn load(db: &Db, jurisdiction_id: i64) -> StoreResult<Columns> {
    let started = std::time::Instant::now();
    let all: Vec<(i64, String, String, geo::MultiPolygon)> = areas::list(db, jurisdiction_id, None)
        .await?
        .into_iter()
        .filter_map(|a| geo::parse_geometry(&a.geometry).ok().map(|g| (a.id, a.kind, a.name, g)))
        .collect();
    // A few more may arrive between the count and the read; the columns then grow once.
    let expected = incidents::count(db, jurisdiction_id).await?.max(0) as usize;
    let mut builder = ColumnsBuilder::with_capacity(projection_for(&all).await, expected);
    let n = incidents::for_each(db, jurisdiction_id, |row| builder.push(row)).await?;
    let columns = tokio::task::spawn_blocking(move || builder.finish(all))
        .await
        .map_err(|e| commonbeat_store::error::StoreError::Invalid(format!("crime cache build failed: {e}")))?;
    tracing::info!(jurisdiction_id, incidents = n, ms = started.elapsed().as_millis() as u64, "crime cache loaded");
    Ok(columns)
}

/// The "current crime conditions" of an area for a beat meeting's agenda: incidents in the 28 days to `end`
/// against the same 28 days a year earlier, with the E-test p and the three largest categories.
#[derive(Debug, Clone, PartialEq)]
pub struct Conditions {
    /// Start of the window (unix seconds).
    pub from: i64,
    /// End of the window (exclusive).
    pub to: i64,
    /// Incidents in the window.
    pub count: u64,
    /// Incidents in the same window a year earlier.
    pub year_before: u64,
    /// Poisson E-test p of the change.
    pub p: f64,
    /// The largest categories: (key, count).
    pub top: Vec<(String, u64)>,
}

/// Crime conditions in `areas` for the 28 days to `end` (capped at the public cut-off for the public).
pub fn conditions(c: &columns::Columns, areas: &[i64], end: i64, audience: privacy::Audience) -> Conditions {
    let now = jiff::Timestamp::now().as_second();
    let to = if audience.is_public() { end.min(privacy::public_cutoff(now)) } else { end.min(now) };
    let from = to - 28 * 86_400;
    let sel = |from: i64, to: i64| {
        privacy::for_area_totals(
            columns::Selection {
                from,
                to,
                category: None,
                areas: areas.to_vec(),
                include_sensitive: true,
                with_point: false,
            },
            audience,
            now,
        )
    };
    let now_idx = c.select(&sel(from, to));
    let before = c.select(&sel(from - 364 * 86_400, to - 364 * 86_400)).len() as u64;
    let mut by_cat: HashMap<u8, u64> = HashMap::new();
    for &i in &now_idx {
        *by_cat.entry(c.category[i as usize]).or_default() += 1;
    }
    let mut top: Vec<(String, u64)> =
        by_cat.into_iter().map(|(k, n)| (c.categories.get(k as u32).to_string(), n)).collect();
    top.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    top.truncate(3);
    let count = now_idx.len() as u64;
    Conditions { from, to, count, year_before: before, p: commonbeat_analysis::etest::e_test(before, count), top }
}

#[cfg(test)]
mod tests {
    use super::*;
    use commonbeat_store::repo::incidents::IncidentRow;

    #[test]
    fn conditions_count_the_last_28_days_against_a_year_earlier_in_the_areas() {
        let now = jiff::Timestamp::now().as_second();
        let square = geo::parse_geometry(
            r#"{"type":"Polygon","coordinates":[[[-87.70,41.90],[-87.69,41.90],[-87.69,41.91],[-87.70,41.91],[-87.70,41.90]]]}"#,
        )
        .unwrap();
        let mut b = ColumnsBuilder::new(LocalProjection::new(-87.695, 41.905));
        let mut id = 0;
        let mut add = |days_ago: i64, lon: f64, cat: &str, sensitive: Option<&str>| {
            id += 1;
            b.push(IncidentRow {
                id,
                occurred_at: now - days_ago * 86_400,
                category: cat.into(),
                sensitive: sensitive.map(Into::into),
                lon: Some(lon),
                lat: Some(41.905),
                block: None,
                location_type: None,
                arrest: false,
            });
        };
        add(380, -87.695, "property", None); // a year earlier (52 weeks before the window), inside
        add(20, -87.695, "property", None);
        add(15, -87.695, "property", None);
        add(12, -87.695, "violent", Some("domestic")); // sensitive: counts in area totals
        add(10, -87.60, "violent", None); // outside the area
        add(3, -87.695, "drugs", None); // inside the public lag
        let c = b.finish(vec![(7, "beat".to_string(), "A".to_string(), square)]);
        let police = conditions(&c, &[7], now, privacy::Audience::Police);
        assert_eq!(police.count, 4);
        assert_eq!(police.year_before, 1);
        assert_eq!(police.top[0], ("property".to_string(), 2));
        let public = conditions(&c, &[7], now, privacy::Audience::Public);
        assert_eq!(public.count, 3, "the last week is not published");
        assert_eq!(public.to, privacy::public_cutoff(now));
        assert!((0.0..=1.0).contains(&public.p));
    }

    #[test]
    fn the_spatial_index_assigns_exactly_the_incidents_inside_each_area() {
        use rand::{Rng, SeedableRng};
        let mut rng = rand::rngs::StdRng::seed_from_u64(3);
        let square = |lon0: f64, lat0: f64, d: f64| {
            geo::parse_geometry(&format!(
                r#"{{"type":"Polygon","coordinates":[[[{a},{b}],[{c},{b}],[{c},{e}],[{a},{e}],[{a},{b}]]]}}"#,
                a = lon0,
                b = lat0,
                c = lon0 + d,
                e = lat0 + d
            ))
            .unwrap()
        };
        let mut areas = Vec::new();
        for i in 0..3 {
            for j in 0..3 {
                let g = square(-87.70 + 0.01 * i as f64, 41.90 + 0.01 * j as f64, 0.01);
                areas.push((i * 3 + j, "beat".to_string(), format!("{i}{j}"), g));
            }
        }
        areas.push((99, "district".to_string(), "D".to_string(), square(-87.695, 41.905, 0.017)));
        let mut b = ColumnsBuilder::new(LocalProjection::new(-87.685, 41.915));
        for id in 0..3000 {
            b.push(IncidentRow {
                id,
                occurred_at: id,
                category: "other".into(),
                sensitive: None,
                lon: Some(rng.gen_range(-87.72..-87.66)),
                lat: Some(rng.gen_range(41.88..41.94)),
                block: None,
                location_type: None,
                arrest: false,
            });
        }
        let c = b.finish(areas.clone());
        for (k, a) in c.areas.iter().enumerate() {
            for i in 0..c.len() {
                let inside = c.lon_lat(i).is_some_and(|p| areas[k].3.contains(p));
                assert_eq!(a.contains(i), inside, "area {} incident {i}", a.name);
            }
        }
        assert!(c.areas.iter().all(|a| !a.is_empty()));
    }
}
