//! The offline geocoder's index for a jurisdiction: its incidents' blocks (each at the mean position of its
//! located, non-sensitive incidents, one grouped query) and its areas' names (at their centroids). Built on first
//! use and kept in [`super::CrimeCache`] beside the columns; an import or an area change drops it with them.

use commonbeat_domain::geo;
use commonbeat_domain::geocode::Geocoder;
use commonbeat_store::Db;
use commonbeat_store::error::StoreResult;
use commonbeat_store::repo::{areas, incidents};

/// Builds the geocoder of a jurisdiction from the store.
pub async fn build(db: &Db, jurisdiction_id: i64) -> StoreResult<Geocoder> {
    let started = std::time::Instant::now();
    let mut g = Geocoder::new();
    for b in incidents::block_points(db, jurisdiction_id).await? {
        g.add_block(&b.block, geo::LonLat::new(b.lon, b.lat), b.incidents as f64);
    }
    for a in areas::list(db, jurisdiction_id, None).await? {
        if let Ok(outline) = geo::parse_geometry(&a.geometry) {
            g.add_area(&a.name, outline.centroid());
        }
    }
    tracing::info!(
        jurisdiction_id,
        blocks = g.block_count(),
        ms = started.elapsed().as_millis() as u64,
        "geocoder index built"
    );
    Ok(g)
}
