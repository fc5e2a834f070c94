//! Geometric validity of rings and polygons: closure, size, area, self-intersection, holes inside exteriors.
//!
//! Intersections are tested pairwise on edges sorted by their western edge, skipping pairs whose bounding boxes
//! do not overlap (a sweep along longitude), which keeps real outlines of a few thousand positions fast.

use super::LonLat;

/// Shoelace area below this (in square degrees, about 0.1 m² at mid-latitudes) counts as zero.
const ZERO_AREA_DEG2: f64 = 1e-14;

/// The first problem with a ring's shape, described after its label (e.g. `"is not closed …"`), or `None`.
/// Coordinates are assumed finite and in range (checked while parsing).
pub(super) fn ring_problem(ring: &[LonLat]) -> Option<String> {
    if ring.len() < 4 {
        return Some(format!(
            "has {} position{}; a ring needs at least 4 (a triangle plus the first position repeated at the end)",
            ring.len(),
            if ring.len() == 1 { "" } else { "s" }
        ));
    }
    let (first, last) = (ring[0], ring[ring.len() - 1]);
    if first != last {
        return Some(format!(
            "is not closed: the first position {} differs from the last {}; repeat the first position at the end",
            show(first),
            show(last)
        ));
    }
    let ring = dedup(ring);
    if ring.len() < 4 || signed_area_deg2(&ring).abs() <= ZERO_AREA_DEG2 {
        return Some("has zero area (all its positions lie on one line or on one point)".to_owned());
    }
    let segments = segments(&ring, 0);
    let m = segments.len();
    let adjacent = |i: usize, j: usize| i.abs_diff(j) == 1 || (i.min(j) == 0 && i.max(j) == m - 1);
    let hit = first_meeting(&segments, |a, b, meet| !adjacent(a.index, b.index) && meet != Meet::None);
    hit.map(|(a, b, at)| {
        let (i, j) = (a.index.min(b.index), a.index.max(b.index));
        format!("crosses or touches itself near {} (edges {i} and {j}); a ring must be a simple closed line", show(at))
    })
}

/// Whether `hole` lies inside `exterior` (touching it at single points is allowed). Both rings must be valid.
/// Returns the problem, described after the hole's label, or `None`.
pub(super) fn hole_problem(exterior: &[LonLat], hole: &[LonLat]) -> Option<String> {
    for &p in hole {
        if !on_ring_boundary(exterior, p) && !ring_contains(exterior, p) {
            return Some(format!("is not inside its exterior ring: position {} lies outside it", show(p)));
        }
    }
    let ext = dedup(exterior);
    let hol = dedup(hole);
    let mut segs = segments(&ext, 0);
    segs.extend(segments(&hol, 1));
    let hit = first_meeting(&segs, |a, b, meet| a.ring != b.ring && matches!(meet, Meet::Cross | Meet::Overlap));
    hit.map(|(_, _, at)| format!("is not inside its exterior ring: their edges cross near {}", show(at)))
}

/// Even–odd point-in-ring test (ray cast towards east). The ring may be open or closed.
pub(super) fn ring_contains(ring: &[LonLat], p: LonLat) -> bool {
    let n = ring.len();
    if n < 3 {
        return false;
    }
    let mut inside = false;
    let mut j = n - 1;
    for i in 0..n {
        let (a, b) = (ring[i], ring[j]);
        if (a.lat > p.lat) != (b.lat > p.lat) {
            let x = a.lon + (p.lat - a.lat) * (b.lon - a.lon) / (b.lat - a.lat);
            if p.lon < x {
                inside = !inside;
            }
        }
        j = i;
    }
    inside
}

/// Whether `p` lies exactly on one of the ring's edges.
fn on_ring_boundary(ring: &[LonLat], p: LonLat) -> bool {
    ring.windows(2).any(|w| orient(w[0], w[1], p) == 0.0 && within_box(w[0], w[1], p))
}

/// The signed shoelace area in square degrees (positive when counter-clockwise).
pub(super) fn signed_area_deg2(ring: &[LonLat]) -> f64 {
    let Some(&o) = ring.first() else { return 0.0 };
    let mut s = 0.0;
    for w in ring.windows(2) {
        let (ax, ay) = (w[0].lon - o.lon, w[0].lat - o.lat);
        let (bx, by) = (w[1].lon - o.lon, w[1].lat - o.lat);
        s += ax * by - bx * ay;
    }
    s / 2.0
}

/// The ring without consecutive repeated positions (still closed).
fn dedup(ring: &[LonLat]) -> Vec<LonLat> {
    let mut out: Vec<LonLat> = Vec::with_capacity(ring.len());
    for &p in ring {
        if out.last() != Some(&p) {
            out.push(p);
        }
    }
    out
}

/// A position for messages, rounded to 7 decimals (about 1 cm).
fn show(p: LonLat) -> String {
    let r = |v: f64| (v * 1e7).round() / 1e7;
    format!("({}, {})", r(p.lon), r(p.lat))
}

/// An edge of a ring, with its bounding box.
#[derive(Clone, Copy)]
struct Segment {
    ring: u8,
    index: usize,
    a: LonLat,
    b: LonLat,
    min_lon: f64,
    max_lon: f64,
    min_lat: f64,
    max_lat: f64,
}

fn segments(ring: &[LonLat], tag: u8) -> Vec<Segment> {
    ring.windows(2)
        .enumerate()
        .map(|(index, w)| Segment {
            ring: tag,
            index,
            a: w[0],
            b: w[1],
            min_lon: w[0].lon.min(w[1].lon),
            max_lon: w[0].lon.max(w[1].lon),
            min_lat: w[0].lat.min(w[1].lat),
            max_lat: w[0].lat.max(w[1].lat),
        })
        .collect()
}

/// How two segments meet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Meet {
    /// They have no point in common.
    None,
    /// They share exactly one point, which is an endpoint of at least one of them.
    Touch,
    /// They cross at a point interior to both.
    Cross,
    /// They are collinear and share a stretch of positive length.
    Overlap,
}

/// The first pair of segments (in sweep order) for which `counts` holds, with a point where they meet.
fn first_meeting(
    segs: &[Segment],
    counts: impl Fn(&Segment, &Segment, Meet) -> bool,
) -> Option<(Segment, Segment, LonLat)> {
    let mut order: Vec<usize> = (0..segs.len()).collect();
    order.sort_by(|&i, &j| segs[i].min_lon.total_cmp(&segs[j].min_lon));
    for (k, &i) in order.iter().enumerate() {
        let s = &segs[i];
        for &j in &order[k + 1..] {
            let t = &segs[j];
            if t.min_lon > s.max_lon {
                break;
            }
            if t.min_lat > s.max_lat || t.max_lat < s.min_lat {
                continue;
            }
            let meet = meet(s.a, s.b, t.a, t.b);
            if counts(s, t, meet) {
                return Some((*s, *t, meeting_point(s, t)));
            }
        }
    }
    None
}

/// A representative point where two meeting segments meet (for the error message).
fn meeting_point(s: &Segment, t: &Segment) -> LonLat {
    for p in [t.a, t.b] {
        if orient(s.a, s.b, p) == 0.0 && within_box(s.a, s.b, p) {
            return p;
        }
    }
    for p in [s.a, s.b] {
        if orient(t.a, t.b, p) == 0.0 && within_box(t.a, t.b, p) {
            return p;
        }
    }
    // Proper crossing: intersect the supporting lines.
    let (d1, d2) = (orient(t.a, t.b, s.a), orient(t.a, t.b, s.b));
    let f = d1 / (d1 - d2);
    LonLat::new(s.a.lon + f * (s.b.lon - s.a.lon), s.a.lat + f * (s.b.lat - s.a.lat))
}

/// Orientation of `c` relative to the directed line `a → b`: > 0 left, < 0 right, 0 collinear.
fn orient(a: LonLat, b: LonLat, c: LonLat) -> f64 {
    (b.lon - a.lon) * (c.lat - a.lat) - (b.lat - a.lat) * (c.lon - a.lon)
}

/// Whether `p` lies within the bounding box of `a`–`b` (used for collinear points).
fn within_box(a: LonLat, b: LonLat, p: LonLat) -> bool {
    p.lon >= a.lon.min(b.lon) && p.lon <= a.lon.max(b.lon) && p.lat >= a.lat.min(b.lat) && p.lat <= a.lat.max(b.lat)
}

fn meet(p1: LonLat, p2: LonLat, q1: LonLat, q2: LonLat) -> Meet {
    let d1 = orient(q1, q2, p1);
    let d2 = orient(q1, q2, p2);
    let d3 = orient(p1, p2, q1);
    let d4 = orient(p1, p2, q2);
    let opposite = |x: f64, y: f64| (x > 0.0 && y < 0.0) || (x < 0.0 && y > 0.0);
    if opposite(d1, d2) && opposite(d3, d4) {
        return Meet::Cross;
    }
    if d1 == 0.0 && d2 == 0.0 && d3 == 0.0 && d4 == 0.0 {
        // Collinear: compare the projections on the dominant axis.
        let horizontal = (p2.lon - p1.lon).abs().max((q2.lon - q1.lon).abs())
            >= (p2.lat - p1.lat).abs().max((q2.lat - q1.lat).abs());
        let key = |p: LonLat| if horizontal { p.lon } else { p.lat };
        let (pa, pb) = (key(p1).min(key(p2)), key(p1).max(key(p2)));
        let (qa, qb) = (key(q1).min(key(q2)), key(q1).max(key(q2)));
        let overlap = pb.min(qb) - pa.max(qa);
        return if overlap > 0.0 {
            Meet::Overlap
        } else if overlap == 0.0 {
            Meet::Touch
        } else {
            Meet::None
        };
    }
    let touches = (d1 == 0.0 && within_box(q1, q2, p1))
        || (d2 == 0.0 && within_box(q1, q2, p2))
        || (d3 == 0.0 && within_box(p1, p2, q1))
        || (d4 == 0.0 && within_box(p1, p2, q2));
    if touches { Meet::Touch } else { Meet::None }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(lon: f64, lat: f64) -> LonLat {
        LonLat::new(lon, lat)
    }

    #[test]
    fn segment_meetings() {
        let cases = [
            ((p(0., 0.), p(2., 2.)), (p(0., 2.), p(2., 0.)), Meet::Cross),
            ((p(0., 0.), p(2., 0.)), (p(1., 0.), p(1., 5.)), Meet::Touch),
            ((p(0., 0.), p(2., 0.)), (p(2., 0.), p(3., 0.)), Meet::Touch),
            ((p(0., 0.), p(2., 0.)), (p(1., 0.), p(3., 0.)), Meet::Overlap),
            ((p(0., 0.), p(0., 2.)), (p(0., 1.), p(0., 3.)), Meet::Overlap),
            ((p(0., 0.), p(1., 0.)), (p(2., 0.), p(3., 0.)), Meet::None),
            ((p(0., 0.), p(1., 1.)), (p(0., 1.), p(0.4, 0.6)), Meet::None),
        ];
        for ((a, b), (c, d), want) in cases {
            assert_eq!(meet(a, b, c, d), want, "{a:?}-{b:?} vs {c:?}-{d:?}");
            assert_eq!(meet(c, d, a, b), want, "swapped {a:?}-{b:?} vs {c:?}-{d:?}");
        }
    }

    #[test]
    fn repeated_positions_are_harmless() {
        let ring = [p(0., 0.), p(1., 0.), p(1., 0.), p(1., 1.), p(0., 1.), p(0., 0.)];
        assert_eq!(ring_problem(&ring), None);
    }
}
