//! Outlines of beats, districts and neighbourhoods, read from GeoJSON in WGS84 longitude/latitude (RFC 7946).
//!
//! [`parse_areas`] turns an uploaded FeatureCollection into [`AreaFeature`]s, checking every feature and reporting
//! every problem at once so an administrator can fix the file in one pass. The geometry types then answer the
//! questions the rest of CommonBeat asks of an area: its bounding box, whether a point lies inside it, its area in
//! square metres, its centroid, a simplified copy for the public map, GeoJSON for the API and an SVG path for the
//! server-rendered maps.
//!
//! Conventions:
//! - Coordinates are `[longitude, latitude]` in decimal degrees on WGS84 (EPSG:4326), as RFC 7946 requires. A third
//!   value (altitude) is accepted and dropped. Files in a projected system (State Plane, UTM, Web Mercator) are
//!   refused with a hint to reproject them.
//! - Rings are stored closed (first position equal to the last). Winding order is not enforced: RFC 7946 asks
//!   writers for counter-clockwise exteriors but tells readers not to reject the other order.
//! - Validity follows the OGC simple-features rules that PostGIS `ST_IsValid` and QGIS "Check validity" apply, so
//!   an administrator can find the same problems with those tools: a ring may not cross or touch itself, and a
//!   hole must lie inside its exterior (it may touch it at a point). Overlaps between the polygons of one
//!   multipolygon, or between holes, are not checked.
//! - Areas do not cross the antimeridian (the tool serves cities, not the Pacific).

mod buffer;
mod drawn;
mod measure;
mod parse;
mod render;
mod validate;

#[cfg(test)]
mod tests;

use serde::{Deserialize, Serialize};
use std::fmt;

pub use buffer::RingBuffer;
pub use drawn::{
    DrawnError, MAX_DRAWN_AREA_M2, MAX_DRAWN_VERTICES, check_drawn_polygon, parse_lat_lon_lines, snapped_bbox,
    to_lat_lon_lines, vertices_from_geojson,
};
pub use parse::{parse_areas, parse_geometry};

/// A position in WGS84 decimal degrees.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct LonLat {
    /// Longitude in degrees east, −180 to 180.
    pub lon: f64,
    /// Latitude in degrees north, −90 to 90.
    pub lat: f64,
}

impl LonLat {
    /// A position from longitude and latitude (in that order, as GeoJSON writes them).
    pub fn new(lon: f64, lat: f64) -> Self {
        LonLat { lon, lat }
    }
}

/// A polygon: one exterior ring and any number of holes. Every ring is stored closed (first == last).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Polygon {
    /// The outer boundary.
    pub exterior: Vec<LonLat>,
    /// Holes cut out of the exterior (e.g. a park or a neighbouring city inside a beat).
    pub holes: Vec<Vec<LonLat>>,
}

impl Polygon {
    /// All rings, exterior first.
    pub fn rings(&self) -> impl Iterator<Item = &Vec<LonLat>> {
        std::iter::once(&self.exterior).chain(self.holes.iter())
    }
}

/// One or more polygons making up an area (a beat split by a river is two polygons).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct MultiPolygon(pub Vec<Polygon>);

/// A named area read from a GeoJSON feature.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AreaFeature {
    /// 0-based index of the feature in the uploaded FeatureCollection.
    pub index: usize,
    /// The area's name (beat number, district or neighbourhood name), from the chosen property, trimmed.
    pub name: String,
    /// The outline.
    pub geometry: MultiPolygon,
}

impl AreaFeature {
    /// A GeoJSON `Feature` with the outline as geometry and the name under `name_property`.
    pub fn to_geojson(&self, name_property: &str) -> serde_json::Value {
        let mut properties = serde_json::Map::new();
        properties.insert(name_property.to_owned(), serde_json::Value::String(self.name.clone()));
        serde_json::json!({
            "type": "Feature",
            "properties": properties,
            "geometry": self.geometry.to_geojson(),
        })
    }
}

/// A problem found in an uploaded GeoJSON file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GeoError {
    /// 0-based index of the offending feature, or `None` for a problem with the file as a whole.
    pub feature: Option<usize>,
    /// What is wrong, in words an administrator can act on.
    pub reason: String,
}

impl GeoError {
    /// A problem with the whole file.
    pub fn file(reason: impl Into<String>) -> Self {
        GeoError { feature: None, reason: reason.into() }
    }

    /// A problem with one feature.
    pub fn feature(index: usize, reason: impl Into<String>) -> Self {
        GeoError { feature: Some(index), reason: reason.into() }
    }
}

impl fmt::Display for GeoError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.feature {
            Some(i) => write!(f, "feature {i}: {}", self.reason),
            None => write!(f, "file: {}", self.reason),
        }
    }
}

impl std::error::Error for GeoError {}

/// A bounding box `(min_lon, min_lat, max_lon, max_lat)` in degrees.
pub type BBox = (f64, f64, f64, f64);

impl MultiPolygon {
    /// Bounding box `(min_lon, min_lat, max_lon, max_lat)` of all rings. An empty multipolygon (which
    /// [`parse_areas`] never produces) gives `(0.0, 0.0, 0.0, 0.0)`.
    pub fn bbox(&self) -> BBox {
        measure::bbox(self).unwrap_or((0.0, 0.0, 0.0, 0.0))
    }

    /// Whether a point lies inside the area: inside some polygon's exterior and not inside one of its holes
    /// (even–odd rule). Points exactly on a boundary may fall either way.
    pub fn contains(&self, p: LonLat) -> bool {
        measure::contains(self, p)
    }

    /// Area in square metres on the WGS84 ellipsoid.
    ///
    /// Method: every position is projected with the Lambert cylindrical equal-area projection of the WGS84
    /// ellipsoid (x = a·λ, y = a·q(φ)/2 with q the authalic-latitude function, Snyder 1987 eq. 3-12), which
    /// preserves area exactly, and the shoelace formula is applied in that plane. Edges are thus taken as straight
    /// lines of the projection rather than geodesics; for city-sized areas the difference is far below 0.01 %.
    /// Holes are subtracted.
    pub fn area_m2(&self) -> f64 {
        measure::area_m2(self)
    }

    /// Area-weighted centroid (holes subtracted), computed in a local plane where longitude is scaled by the
    /// cosine of the mid-latitude of the bounding box; accurate to metres for city-sized areas. It may lie outside
    /// a concave area. A degenerate (zero-area) geometry gives the mean of its positions.
    pub fn centroid(&self) -> LonLat {
        measure::centroid(self)
    }

    /// The outline as a GeoJSON `MultiPolygon` geometry object (`{"type": "MultiPolygon", "coordinates": …}`).
    pub fn to_geojson(&self) -> serde_json::Value {
        render::to_geojson(self)
    }

    /// An SVG path `d` attribute drawing the outline inside a `width` × `height` viewport showing `bbox`.
    ///
    /// x grows east and y grows south; longitude is scaled by the cosine of the box's mid-latitude so shapes
    /// keep their proportions, and the box is fitted and centred in the viewport. Every ring (holes included) is
    /// its own closed subpath `M … Z`, so draw it with `fill-rule="evenodd"`. Coordinates have one decimal.
    pub fn svg_path(&self, bbox: BBox, width: f64, height: f64) -> String {
        render::svg_path(self, bbox, width, height)
    }

    /// A simplified copy for the public map: Douglas–Peucker on every ring with the given tolerance.
    ///
    /// The tolerance is in degrees of latitude (about 111 km each); longitude differences are scaled by the
    /// cosine of the ring's mid-latitude so the tolerance means the same ground distance east–west as
    /// north–south. A ring is never reduced below 4 positions (a triangle). Simplification may make a ring
    /// touch itself; the result is for display, not for analysis. A tolerance ≤ 0 (or NaN) returns a copy.
    pub fn simplify(&self, tolerance_deg: f64) -> MultiPolygon {
        render::simplify(self, tolerance_deg)
    }

    /// Total number of positions in all rings (a size indicator for the public map).
    pub fn position_count(&self) -> usize {
        self.0.iter().flat_map(|p| p.rings()).map(Vec::len).sum()
    }
}

/// The bounding box around several areas (e.g. all beats of a district, to frame a map), or `None` when there is
/// nothing to frame.
pub fn fit_bbox(areas: &[&MultiPolygon]) -> Option<BBox> {
    areas
        .iter()
        .filter_map(|m| measure::bbox(m))
        .reduce(|a, b| (a.0.min(b.0), a.1.min(b.1), a.2.max(b.2), a.3.max(b.3)))
}
