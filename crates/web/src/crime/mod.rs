//! Crime data in the web layer: the per-jurisdiction columnar cache the analyses read, the import pipeline
//! shared by `commonbeat import incidents` and the analysts' upload page, and the privacy rules of the public
//! views.

pub mod columns;
pub mod import;
pub mod params;
pub mod privacy;
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

    /// Rebuilds the jurisdiction's columns from the database (after an import or an area change).
    pub async fn reload(&self, db: &Db, jurisdiction_id: i64) -> StoreResult<Arc<Columns>> {
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
    let mut builder = ColumnsBuilder::new(projection_for(&all).await);
    let n = incidents::for_each(db, jurisdiction_id, |row| builder.push(row)).await?;
    let columns = tokio::task::spawn_blocking(move || builder.finish(all))
        .await
        .map_err(|e| commonbeat_store::error::StoreError::Invalid(format!("crime cache build failed: {e}")))?;
    tracing::info!(jurisdiction_id, incidents = n, ms = started.elapsed().as_millis() as u64, "crime cache loaded");
    Ok(columns)
}
