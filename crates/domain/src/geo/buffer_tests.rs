use super::*;
use crate::geo::Polygon;
use proptest::prelude::*;

/// A closed polygon from corners given in metres east/north of (lon0, lat0).
fn polygon_m(lon0: f64, lat0: f64, corners: &[(f64, f64)]) -> MultiPolygon {
    let local = Local::at(lon0, lat0);
    let mut ring: Vec<LonLat> = corners.iter().map(|&(x, y)| local.lon_lat(x, y)).collect();
    ring.push(ring[0]);
    MultiPolygon(vec![Polygon { exterior: ring, holes: Vec::new() }])
}

/// Area of the buffer in m², counted on a grid of `step` metres over its bounding box.
fn grid_area(b: &RingBuffer, step: f64) -> f64 {
    let (a, s, c, n) = b.bbox();
    let sw = LonLat::new(a, s);
    let (w, h) =
        (b.local.xy(LonLat::new(c, n)).0 - b.local.xy(sw).0, b.local.xy(LonLat::new(c, n)).1 - b.local.xy(sw).1);
    let mut count = 0usize;
    let (nx, ny) = ((w / step).ceil() as usize, (h / step).ceil() as usize);
    for i in 0..nx {
        for j in 0..ny {
            let p = b.offset(sw, (i as f64 + 0.5) * step, (j as f64 + 0.5) * step);
            count += usize::from(b.contains(p));
        }
    }
    count as f64 * step * step
}

#[test]
fn the_buffer_of_a_square_has_the_analytic_area() {
    let (s, d) = (200.0, 50.0);
    let square = polygon_m(-87.69, 41.90, &[(0.0, 0.0), (s, 0.0), (s, s), (0.0, s)]);
    let b = RingBuffer::new(square, d).unwrap();
    let analytic = (s + 2.0 * d).powi(2) - s * s - (4.0 - std::f64::consts::PI) * d * d;
    let counted = grid_area(&b, 1.0);
    assert!((counted / analytic - 1.0).abs() < 0.01, "counted {counted:.0} m², analytic {analytic:.0} m²");
    // The widened bounding box the old buffer used has the corners too: (4 − π)·d² more.
    assert!(counted < (s + 2.0 * d).powi(2) - s * s - 0.5 * (4.0 - std::f64::consts::PI) * d * d);
}

#[test]
fn corners_are_rounded_and_the_target_is_cut_out() {
    let square = polygon_m(-87.69, 41.90, &[(0.0, 0.0), (100.0, 0.0), (100.0, 100.0), (0.0, 100.0)]);
    let b = RingBuffer::new(square, 50.0).unwrap();
    let sw = b.target().0[0].exterior[0];
    assert!(b.contains(b.offset(sw, -30.0, -30.0)), "42 m from the corner");
    assert!(!b.contains(b.offset(sw, -40.0, -40.0)), "57 m from the corner: in the old box, not the ring");
    assert!(b.contains(b.offset(sw, 50.0, -49.0)), "49 m below the south edge");
    assert!(!b.contains(b.offset(sw, 50.0, -51.0)));
    assert!(!b.contains(b.offset(sw, 50.0, 50.0)), "inside the target");
    assert!(!b.contains(sw), "the target's corner");
    assert!(!b.contains(b.offset(sw, 50.0, 0.0)), "the target's edge");
    assert_eq!(b.distance_m(b.offset(sw, 50.0, 50.0)), 0.0);
    assert!((b.distance_m(b.offset(sw, -30.0, -40.0)) - 50.0).abs() < 0.01);
}

#[test]
fn the_notch_of_a_concave_target_is_in_its_buffer() {
    // An L: the notch at the top right is outside the target but close to it.
    let l = polygon_m(
        -87.69,
        41.90,
        &[(0.0, 0.0), (200.0, 0.0), (200.0, 100.0), (100.0, 100.0), (100.0, 200.0), (0.0, 200.0)],
    );
    let b = RingBuffer::new(l, 60.0).unwrap();
    let o = b.target().0[0].exterior[0];
    assert!(b.contains(b.offset(o, 150.0, 150.0)), "50 m from both inner edges");
    assert!(!b.contains(b.offset(o, 180.0, 180.0)), "more than 60 m from the inner corner");
    assert!(!b.contains(b.offset(o, 50.0, 50.0)), "inside");
}

#[test]
fn a_target_with_a_hole_has_the_hole_in_its_buffer() {
    let local = Local::at(-87.69, 41.90);
    let ring = |c: &[(f64, f64)]| {
        let mut r: Vec<LonLat> = c.iter().map(|&(x, y)| local.lon_lat(x, y)).collect();
        r.push(r[0]);
        r
    };
    let target = MultiPolygon(vec![Polygon {
        exterior: ring(&[(0.0, 0.0), (300.0, 0.0), (300.0, 300.0), (0.0, 300.0)]),
        holes: vec![ring(&[(100.0, 100.0), (200.0, 100.0), (200.0, 200.0), (100.0, 200.0)])],
    }]);
    let b = RingBuffer::new(target, 40.0).unwrap();
    assert!(!b.contains(local.lon_lat(150.0, 150.0)), "the middle of the hole is 50 m from its edges");
    assert!(b.contains(local.lon_lat(150.0, 130.0)), "30 m inside the hole");
    assert!(!b.contains(local.lon_lat(50.0, 50.0)), "in the target");
}

#[test]
fn json_round_trips_and_bad_values_are_named() {
    let square = polygon_m(-87.69, 41.90, &[(0.0, 0.0), (100.0, 0.0), (100.0, 100.0), (0.0, 100.0)]);
    let b = RingBuffer::new(square, 75.0).unwrap();
    let back = RingBuffer::from_json(&b.to_json()).unwrap().unwrap();
    assert_eq!(back.width_m(), 75.0);
    assert_eq!(back.target(), b.target());
    assert_eq!(RingBuffer::from_json(&json!({"type": "Polygon"})), Ok(None));
    assert_eq!(RingBuffer::from_json(&json!(3)), Ok(None));
    let e = RingBuffer::from_json(&json!({"type": "RingBuffer", "around": b.target().to_geojson()})).unwrap_err();
    assert!(e.starts_with("width_m"), "{e}");
    let e = RingBuffer::from_json(&json!({"type": "RingBuffer", "width_m": 5})).unwrap_err();
    assert!(e.starts_with("around"), "{e}");
    assert!(RingBuffer::new(MultiPolygon::default(), 10.0).is_none());
    assert!(RingBuffer::new(b.target().clone(), 0.0).is_none());
    assert!(RingBuffer::new(b.target().clone(), f64::NAN).is_none());
}

/// Corners of a star-shaped polygon around the origin: one per angle step, at the given radii (metres).
fn star(radii: &[f64]) -> Vec<(f64, f64)> {
    let n = radii.len() as f64;
    radii
        .iter()
        .enumerate()
        .map(|(k, r)| {
            let a = k as f64 * std::f64::consts::TAU / n;
            (r * a.cos(), r * a.sin())
        })
        .collect()
}

proptest! {
    #[test]
    fn vertices_are_outside_and_points_half_the_width_out_are_inside(
        lon in -120.0f64..120.0, lat in -60.0f64..60.0,
        radii in proptest::collection::vec(50.0f64..500.0, 3..16),
        width in 10.0f64..300.0, convex in any::<bool>(),
    ) {
        // A regular polygon is convex; random radii make a star-shaped (simple, maybe concave) one.
        let radii: Vec<f64> = if convex { vec![radii[0]; radii.len()] } else { radii };
        let target = polygon_m(lon, lat, &star(&radii));
        let b = RingBuffer::new(target, width).unwrap();
        let ring = b.target().0[0].exterior.clone();
        for w in ring.windows(2) {
            prop_assert!(!b.contains(w[0]), "a vertex is not in the buffer");
            // The point half the width out from the middle of the edge (outward: the ring runs anticlockwise).
            let (p, q) = (b.local.xy(w[0]), b.local.xy(w[1]));
            let (dx, dy) = (q.0 - p.0, q.1 - p.1);
            let len = (dx * dx + dy * dy).sqrt();
            let (nx, ny) = (dy / len, -dx / len);
            let mid = b.local.lon_lat((p.0 + q.0) / 2.0, (p.1 + q.1) / 2.0);
            let out = b.offset(mid, nx * width / 2.0, ny * width / 2.0);
            if !b.target().contains(out) {
                prop_assert!(b.contains(out), "half the width outside an edge is in the buffer");
            }
            if convex {
                let far = b.offset(mid, nx * width * 1.5, ny * width * 1.5);
                prop_assert!(!b.contains(far), "one and a half widths out is beyond a convex target's buffer");
                prop_assert!((b.distance_m(out) - width / 2.0).abs() < width * 1e-3);
            }
        }
        prop_assert!(!b.contains(LonLat::new(lon, lat)), "the centre of a star is inside it");
    }
}
