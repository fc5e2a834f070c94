//! The in-memory columnar copy of a jurisdiction's incidents that every analysis reads: one vector per field,
//! sorted by time, strings interned, points projected to metres once, and a bitset per area saying which
//! incidents fall inside it (point in polygon, with a bounding-box pre-filter).
//!
//! About 25 bytes per incident plus 1 bit per incident per area, so 8 million incidents fit in about 200 MB.

use commonbeat_analysis::projection::LocalProjection;
use commonbeat_domain::geo::{LonLat, MultiPolygon};
use commonbeat_store::repo::incidents::IncidentRow;
use std::collections::HashMap;

/// An area outline with the incidents inside it.
#[derive(Debug, Clone)]
pub struct AreaIndex {
    /// Area id.
    pub id: i64,
    /// Kind (beat, district, neighborhood).
    pub kind: String,
    /// Name.
    pub name: String,
    /// Outline.
    pub geometry: MultiPolygon,
    /// Bit i set when incident i lies inside.
    members: Vec<u64>,
}

impl AreaIndex {
    /// Whether incident `i` lies inside the area.
    pub fn contains(&self, i: usize) -> bool {
        self.members.get(i / 64).is_some_and(|w| w & (1 << (i % 64)) != 0)
    }

    /// Number of incidents inside.
    pub fn len(&self) -> usize {
        self.members.iter().map(|w| w.count_ones() as usize).sum()
    }

    /// Whether no incident lies inside.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// Interns strings to small integers.
#[derive(Debug, Clone, Default)]
pub struct Interner {
    /// The distinct values; index 0 is the empty value.
    pub values: Vec<String>,
    index: HashMap<String, u32>,
}

impl Interner {
    fn new() -> Self {
        Interner { values: vec![String::new()], index: HashMap::from([(String::new(), 0)]) }
    }

    fn intern(&mut self, s: Option<String>) -> u32 {
        let s = s.unwrap_or_default();
        if let Some(&i) = self.index.get(&s) {
            return i;
        }
        let i = self.values.len() as u32;
        self.index.insert(s.clone(), i);
        self.values.push(s);
        i
    }

    /// The id of a value, if it occurs.
    pub fn id_of(&self, s: &str) -> Option<u32> {
        self.index.get(s).copied()
    }

    /// The value of an id.
    pub fn get(&self, i: u32) -> &str {
        self.values.get(i as usize).map(String::as_str).unwrap_or("")
    }
}

/// Every incident of a jurisdiction, column by column, in time order.
#[derive(Debug, Clone)]
pub struct Columns {
    /// The projection used for `x`/`y`.
    pub projection: LocalProjection,
    /// Database ids.
    pub id: Vec<i64>,
    /// Unix seconds, ascending.
    pub t: Vec<i64>,
    /// Projected x in metres (NaN without a point).
    pub x: Vec<f32>,
    /// Projected y in metres (NaN without a point).
    pub y: Vec<f32>,
    /// Category id (see `categories`).
    pub category: Vec<u8>,
    /// Sensitivity id (0 = not sensitive; see `sensitivities`).
    pub sensitive: Vec<u8>,
    /// Block id (0 = none; see `blocks`).
    pub block: Vec<u32>,
    /// Location type id (0 = none; see `location_types`).
    pub location_type: Vec<u32>,
    /// Arrest made.
    pub arrest: Vec<bool>,
    /// Category keys.
    pub categories: Interner,
    /// Sensitivity keys.
    pub sensitivities: Interner,
    /// Blocks.
    pub blocks: Interner,
    /// Location types.
    pub location_types: Interner,
    /// Areas with their member bitsets.
    pub areas: Vec<AreaIndex>,
}

/// Builds [`Columns`] from rows streamed in time order.
pub struct ColumnsBuilder {
    c: Columns,
    sorted: bool,
}

impl ColumnsBuilder {
    /// A builder projecting around `projection`.
    pub fn new(projection: LocalProjection) -> Self {
        Self::with_capacity(projection, 0)
    }

    /// A builder with room for `n` incidents: the columns are allocated once at their final size instead of
    /// doubling, which for millions of incidents leaves the allocator holding every outgrown copy.
    pub fn with_capacity(projection: LocalProjection, n: usize) -> Self {
        ColumnsBuilder {
            c: Columns {
                projection,
                id: Vec::with_capacity(n),
                t: Vec::with_capacity(n),
                x: Vec::with_capacity(n),
                y: Vec::with_capacity(n),
                category: Vec::with_capacity(n),
                sensitive: Vec::with_capacity(n),
                block: Vec::with_capacity(n),
                location_type: Vec::with_capacity(n),
                arrest: Vec::with_capacity(n),
                categories: Interner::new(),
                sensitivities: Interner::new(),
                blocks: Interner::new(),
                location_types: Interner::new(),
                areas: Vec::new(),
            },
            sorted: true,
        }
    }

    /// Adds one incident.
    pub fn push(&mut self, r: IncidentRow) {
        let c = &mut self.c;
        if c.t.last().is_some_and(|&last| last > r.occurred_at) {
            self.sorted = false;
        }
        let (x, y) = match (r.lon, r.lat) {
            (Some(lon), Some(lat)) if lon.is_finite() && lat.is_finite() => {
                let (x, y) = c.projection.forward(lon, lat);
                (x as f32, y as f32)
            }
            _ => (f32::NAN, f32::NAN),
        };
        c.id.push(r.id);
        c.t.push(r.occurred_at);
        c.x.push(x);
        c.y.push(y);
        c.category.push(c.categories.intern(Some(r.category)).min(255) as u8);
        c.sensitive.push(c.sensitivities.intern(r.sensitive).min(255) as u8);
        c.block.push(c.blocks.intern(r.block));
        c.location_type.push(c.location_types.intern(r.location_type));
        c.arrest.push(r.arrest);
    }

    /// Finishes: sorts by time if rows came out of order and indexes the areas.
    pub fn finish(mut self, areas: Vec<(i64, String, String, MultiPolygon)>) -> Columns {
        if !self.sorted {
            self.sort();
        }
        let c = &mut self.c;
        let members = members_of_all(c, &areas);
        c.areas = areas
            .into_iter()
            .zip(members)
            .map(|((id, kind, name, geometry), members)| AreaIndex { id, kind, name, geometry, members })
            .collect();
        self.c
    }

    fn sort(&mut self) {
        let c = &mut self.c;
        let mut order: Vec<usize> = (0..c.t.len()).collect();
        order.sort_by_key(|&i| (c.t[i], c.id[i]));
        fn permute<T: Copy>(v: &mut Vec<T>, order: &[usize]) {
            *v = order.iter().map(|&i| v[i]).collect();
        }
        permute(&mut c.id, &order);
        permute(&mut c.t, &order);
        permute(&mut c.x, &order);
        permute(&mut c.y, &order);
        permute(&mut c.category, &order);
        permute(&mut c.sensitive, &order);
        permute(&mut c.block, &order);
        permute(&mut c.location_type, &order);
        permute(&mut c.arrest, &order);
    }
}

/// Side of the spatial index over area outlines, in cells.
const INDEX_SIDE: usize = 64;

/// Assigns incidents to areas: a uniform grid over the areas' extent lists, per cell, the areas whose bounding
/// box touches it, so each incident is tested (point in polygon) only against the few areas near it.
fn members_of_all(c: &Columns, areas: &[(i64, String, String, MultiPolygon)]) -> Vec<Vec<u64>> {
    let words = c.t.len().div_ceil(64);
    let mut bits = vec![vec![0u64; words]; areas.len()];
    let boxes: Vec<_> = areas.iter().map(|a| a.3.bbox()).collect();
    let Some(extent) = boxes.iter().copied().reduce(|a, b| (a.0.min(b.0), a.1.min(b.1), a.2.max(b.2), a.3.max(b.3)))
    else {
        return bits;
    };
    let (w, h) = ((extent.2 - extent.0).max(1e-9), (extent.3 - extent.1).max(1e-9));
    let cell = |lon: f64, lat: f64| -> Option<usize> {
        if lon < extent.0 || lon > extent.2 || lat < extent.1 || lat > extent.3 {
            return None;
        }
        let cx = (((lon - extent.0) / w) * INDEX_SIDE as f64).min(INDEX_SIDE as f64 - 1.0) as usize;
        let cy = (((lat - extent.1) / h) * INDEX_SIDE as f64).min(INDEX_SIDE as f64 - 1.0) as usize;
        Some(cy * INDEX_SIDE + cx)
    };
    let mut index: Vec<Vec<usize>> = vec![Vec::new(); INDEX_SIDE * INDEX_SIDE];
    for (k, b) in boxes.iter().enumerate() {
        let (Some(lo), Some(hi)) = (cell(b.0, b.1), cell(b.2, b.3)) else { continue };
        for cy in lo / INDEX_SIDE..=hi / INDEX_SIDE {
            for cx in lo % INDEX_SIDE..=hi % INDEX_SIDE {
                index[cy * INDEX_SIDE + cx].push(k);
            }
        }
    }
    for i in 0..c.t.len() {
        let Some(p) = c.lon_lat(i) else { continue };
        let Some(cell) = cell(p.lon, p.lat) else { continue };
        for &k in &index[cell] {
            let b = boxes[k];
            if p.lon >= b.0 && p.lon <= b.2 && p.lat >= b.1 && p.lat <= b.3 && areas[k].3.contains(p) {
                bits[k][i / 64] |= 1 << (i % 64);
            }
        }
    }
    bits
}

impl Columns {
    /// Number of incidents.
    pub fn len(&self) -> usize {
        self.t.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.t.is_empty()
    }

    /// Whether incident `i` has a point.
    pub fn has_point(&self, i: usize) -> bool {
        !self.x[i].is_nan()
    }

    /// The WGS84 position of incident `i` (back-projected), if it has one.
    pub fn lon_lat(&self, i: usize) -> Option<LonLat> {
        if !self.has_point(i) {
            return None;
        }
        let (lon, lat) = self.projection.inverse(self.x[i] as f64, self.y[i] as f64);
        Some(LonLat::new(lon, lat))
    }

    /// The index range of incidents with `from <= t < to`.
    pub fn time_range(&self, from: i64, to: i64) -> std::ops::Range<usize> {
        let a = self.t.partition_point(|&t| t < from);
        let b = self.t.partition_point(|&t| t < to);
        a..b.max(a)
    }

    /// The area with this id.
    pub fn area(&self, id: i64) -> Option<&AreaIndex> {
        self.areas.iter().find(|a| a.id == id)
    }

    /// Indexes of the incidents matching `s`, in time order.
    pub fn select(&self, s: &Selection) -> Vec<u32> {
        let category = match &s.category {
            Some(k) => match self.categories.id_of(k) {
                Some(id) => Some(id as u8),
                None => return Vec::new(),
            },
            None => None,
        };
        let areas: Vec<&AreaIndex> = s.areas.iter().filter_map(|&id| self.area(id)).collect();
        if areas.len() < s.areas.len() {
            return Vec::new();
        }
        self.time_range(s.from, s.to)
            .filter(|&i| {
                category.is_none_or(|c| self.category[i] == c)
                    && (s.include_sensitive || self.sensitive[i] == 0)
                    && (!s.with_point || self.has_point(i))
                    && (areas.is_empty() || areas.iter().any(|a| a.contains(i)))
            })
            .map(|i| i as u32)
            .collect()
    }
}

/// Which incidents an analysis reads.
#[derive(Debug, Clone, PartialEq)]
pub struct Selection {
    /// Start (unix seconds, inclusive).
    pub from: i64,
    /// End (unix seconds, exclusive).
    pub to: i64,
    /// Category key, or all.
    pub category: Option<String>,
    /// Area ids (an incident in any of them counts), or the whole jurisdiction when empty.
    pub areas: Vec<i64>,
    /// Whether sensitive incidents are included (never for public point or grid views).
    pub include_sensitive: bool,
    /// Whether only incidents with a point are wanted.
    pub with_point: bool,
}
