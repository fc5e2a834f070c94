use super::*;
use proptest::prelude::*;
use serde_json::{Value, json};

fn p(lon: f64, lat: f64) -> LonLat {
    LonLat::new(lon, lat)
}

fn feature(name: Value, geometry: Value) -> Value {
    json!({ "type": "Feature", "properties": { "name": name }, "geometry": geometry })
}

fn collection(features: Vec<Value>) -> String {
    json!({ "type": "FeatureCollection", "features": features }).to_string()
}

fn polygon(rings: Value) -> Value {
    json!({ "type": "Polygon", "coordinates": rings })
}

/// A 0.01° square near Chicago, counter-clockwise.
fn square() -> Value {
    json!([[[-87.64, 41.88], [-87.63, 41.88], [-87.63, 41.89], [-87.64, 41.89], [-87.64, 41.88]]])
}

fn errors_of(text: &str) -> Vec<String> {
    match parse_areas(text, "name") {
        Ok(areas) => panic!("accepted: {areas:?}"),
        Err(errors) => errors.iter().map(ToString::to_string).collect(),
    }
}

#[test]
fn every_error_reason_is_reported() {
    let one = |geometry: Value| collection(vec![feature(json!("A"), geometry)]);
    let u_shape = json!([[0, 0], [3, 0], [3, 3], [2, 3], [2, 1], [1, 1], [1, 3], [0, 3], [0, 0]]);
    let cases: Vec<(&str, String, &str)> = vec![
        ("not JSON", "{\"type\":".to_owned(), "file: not valid JSON"),
        ("array", "[1, 2]".to_owned(), "file: not a FeatureCollection: the top level is a list"),
        ("a Feature", feature(json!("A"), polygon(square())).to_string(), "its type is \"Feature\""),
        ("no type", json!({ "features": [] }).to_string(), "no \"type\" member"),
        ("no features", json!({ "type": "FeatureCollection" }).to_string(), "no \"features\" array"),
        ("empty", collection(vec![]), "file: the FeatureCollection has no features"),
        (
            "projected crs",
            json!({ "type": "FeatureCollection", "crs": { "type": "name", "properties": { "name": "urn:ogc:def:crs:EPSG::3435" } },
                    "features": [feature(json!("A"), polygon(square()))] })
            .to_string(),
            "declares the coordinate system \"urn:ogc:def:crs:EPSG::3435\"",
        ),
        ("not a feature", collection(vec![json!(7)]), "feature 0: is a number, not a GeoJSON Feature object"),
        ("wrong feature type", collection(vec![polygon(square())]), "feature 0: has type \"Polygon\""),
        ("geometry missing", one(Value::Null), "feature 0: has no geometry"),
        ("point", one(json!({ "type": "Point", "coordinates": [0, 0] })), "feature 0: geometry is a Point"),
        ("no coordinates", one(json!({ "type": "Polygon" })), "Polygon geometry has no \"coordinates\" array"),
        ("no rings", one(polygon(json!([]))), "feature 0: Polygon has no rings"),
        ("no polygons", one(json!({ "type": "MultiPolygon", "coordinates": [] })), "MultiPolygon has no polygons"),
        (
            "non-numeric",
            one(polygon(json!([[[0, 0], ["1", 0], [1, 1], [0, 0]]]))),
            "feature 0: ring 0, position 1 is not a [longitude, latitude] pair of numbers (got [\"1\",0])",
        ),
        ("short position", one(polygon(json!([[[0, 0], [1], [1, 1], [0, 0]]]))), "position 1 is not a [longitude"),
        (
            "projected",
            one(polygon(json!([[[1165000.5, 1900000.0], [1166000.0, 1900000.0], [1166000.0, 1901000.0], [1165000.5, 1900000.0]]]))),
            "feature 0: ring 0, position 0 (1165000.5, 1900000) is outside longitude [-180, 180] / latitude [-90, 90] \
             (4 positions of this ring are); the file looks like it is in a projected coordinate system; reproject \
             it to WGS84 longitude/latitude (EPSG:4326)",
        ),
        (
            "swapped",
            one(polygon(json!([[[-33.8, 151.2], [-33.9, 151.2], [-33.9, 151.3], [-33.8, 151.2]]]))),
            "longitude and latitude look swapped",
        ),
        ("too few", one(polygon(json!([[[0, 0], [1, 0], [0, 0]]]))), "feature 0: ring 0 has 3 positions; a ring needs at least 4"),
        ("not closed", one(polygon(json!([[[0, 0], [1, 0], [1, 1], [0, 1]]]))), "feature 0: ring 0 is not closed"),
        ("zero area", one(polygon(json!([[[0, 0], [1, 1], [2, 2], [0, 0]]]))), "feature 0: ring 0 has zero area"),
        ("symmetric bow tie", one(polygon(json!([[[0, 0], [1, 1], [1, 0], [0, 1], [0, 0]]]))), "ring 0 has zero area"),
        ("one point", one(polygon(json!([[[5, 5], [5, 5], [5, 5], [5, 5]]]))), "ring 0 has zero area"),
        (
            "bow tie",
            one(polygon(json!([[[0, 0], [2, 2], [2, 0], [0, 1], [0, 0]]]))),
            "feature 0: ring 0 crosses or touches itself near (0.6666667, 0.6666667) (edges 0 and 2)",
        ),
        (
            "figure eight at a vertex",
            one(polygon(json!([[[0, 0], [1, 0], [1, 1], [2, 1], [2, 2], [1, 2], [1, 1], [0, 1], [0, 0]]]))),
            "ring 0 crosses or touches itself near (1, 1)",
        ),
        (
            "hole outside",
            one(polygon(json!([[[0, 0], [4, 0], [4, 4], [0, 4], [0, 0]], [[5, 5], [6, 5], [6, 6], [5, 5]]]))),
            "feature 0: ring 1 is not inside its exterior ring: position (5, 5) lies outside it",
        ),
        (
            "hole crossing a notch",
            one(polygon(json!([u_shape, [[0.5, 2], [2.5, 2], [2.5, 2.5], [0.5, 2.5], [0.5, 2]]]))),
            "feature 0: ring 1 is not inside its exterior ring: their edges cross",
        ),
        (
            "bad ring in a multipolygon",
            one(json!({ "type": "MultiPolygon", "coordinates": [square(), [[[0, 0], [1, 0], [1, 1], [0, 1]]]] })),
            "feature 0: polygon 1, ring 0 is not closed",
        ),
        ("name missing", collection(vec![json!({ "type": "Feature", "properties": { "BEAT": 1 }, "geometry": polygon(square()) })]),
            "feature 0: property \"name\" is missing (the feature has: BEAT)"),
        ("no properties", collection(vec![json!({ "type": "Feature", "properties": null, "geometry": polygon(square()) })]),
            "feature 0: has no properties"),
        ("name empty", collection(vec![feature(json!("  "), polygon(square()))]), "feature 0: property \"name\" is empty"),
        ("name null", collection(vec![feature(Value::Null, polygon(square()))]), "feature 0: property \"name\" is empty"),
        ("name bool", collection(vec![feature(json!(true), polygon(square()))]), "must be text or a number, got true/false"),
        (
            "duplicate",
            collection(vec![feature(json!("1234"), polygon(square())), feature(json!(1234), polygon(square()))]),
            "feature 1: name \"1234\" is also used by feature 0",
        ),
    ];
    for (label, text, want) in cases {
        let errors = errors_of(&text);
        assert!(errors.iter().any(|e| e.contains(want)), "{label}: wanted {want:?} in {errors:#?}");
    }
}

#[test]
fn all_problems_of_all_features_are_returned() {
    let text = collection(vec![
        feature(json!("A"), polygon(json!([[[0, 0], [1, 0], [1, 1], [0, 1]]]))),
        feature(json!("B"), polygon(square())),
        feature(json!(""), json!({ "type": "LineString", "coordinates": [[0, 0], [1, 1]] })),
        feature(json!("A"), polygon(json!([[[0, 0], [1, 0], [1, 1], [0, 0]], [[0, 0], [0, 1], [0, 0]]]))),
    ]);
    let errors = parse_areas(&text, "name").unwrap_err();
    let got: Vec<(Option<usize>, &str)> = errors.iter().map(|e| (e.feature, &e.reason[..12])).collect();
    assert_eq!(
        got,
        vec![
            (Some(0), "ring 0 is no"),
            (Some(2), "property \"na"),
            (Some(2), "geometry is "),
            (Some(3), "ring 1 has 3"),
            (Some(3), "name \"A\" is "),
        ]
    );
}

#[test]
fn accepts_polygons_multipolygons_holes_and_numeric_names() {
    let text = include_str!("../../tests/fixtures/beats.geojson");
    let areas = parse_areas(text, "beat_num").expect("fixture is valid");
    let names: Vec<&str> = areas.iter().map(|a| a.name.as_str()).collect();
    assert_eq!(names, vec!["0111", "0112", "1234", "2533"]);
    assert_eq!(areas[2].index, 2);
    // A hole touching its exterior at one vertex is allowed; altitude values are dropped.
    assert_eq!(areas[1].geometry.0[0].holes.len(), 1);
    assert_eq!(areas[3].geometry.0.len(), 2);
    let beat = &areas[1].geometry;
    assert!(beat.contains(p(-87.6350, 41.8810)));
    assert!(!beat.contains(p(-87.6255, 41.8850)), "inside the hole");
    assert!(!beat.contains(p(-87.60, 41.885)), "outside");
    let whole = MultiPolygon(vec![Polygon { exterior: beat.0[0].exterior.clone(), holes: vec![] }]);
    let hole = MultiPolygon(vec![Polygon { exterior: beat.0[0].holes[0].clone(), holes: vec![] }]);
    assert!((beat.area_m2() - (whole.area_m2() - hole.area_m2())).abs() < 1e-6);
}

#[test]
fn a_square_kilometre_near_chicago_has_its_area() {
    // 1 km = 1/111.0704 ° of latitude at 41.85° N and 1/83.0451 ° of longitude there (WGS84 radii of curvature).
    let (lon0, lat0) = (-87.65, 41.85);
    let (dlon, dlat) = (1.0 / 83.0451, 1.0 / 111.0704);
    let ring =
        vec![p(lon0, lat0), p(lon0 + dlon, lat0), p(lon0 + dlon, lat0 + dlat), p(lon0, lat0 + dlat), p(lon0, lat0)];
    let square = MultiPolygon(vec![Polygon { exterior: ring, holes: vec![] }]);
    let area = square.area_m2();
    assert!((area - 1_000_000.0).abs() < 5_000.0, "{area}");
    let c = square.centroid();
    assert!((c.lon - (lon0 + dlon / 2.0)).abs() < 1e-9 && (c.lat - (lat0 + dlat / 2.0)).abs() < 1e-6, "{c:?}");
}

fn unit_square() -> MultiPolygon {
    MultiPolygon(vec![Polygon { exterior: vec![p(0., 0.), p(1., 0.), p(1., 1.), p(0., 1.), p(0., 0.)], holes: vec![] }])
}

#[test]
fn bbox_fit_and_svg() {
    let a = unit_square();
    let b =
        MultiPolygon(vec![Polygon { exterior: vec![p(2., -1.), p(3., -1.), p(3., 0.), p(2., -1.)], holes: vec![] }]);
    assert_eq!(a.bbox(), (0.0, 0.0, 1.0, 1.0));
    assert_eq!(fit_bbox(&[&a, &b]), Some((0.0, -1.0, 3.0, 1.0)));
    assert_eq!(fit_bbox(&[]), None);
    assert_eq!(fit_bbox(&[&MultiPolygon::default()]), None);
    assert_eq!(MultiPolygon::default().bbox(), (0.0, 0.0, 0.0, 0.0));
    // At the equator no east–west squeeze: the unit square fills a 100 × 100 viewport, y pointing south.
    assert_eq!(a.svg_path(a.bbox(), 100.0, 100.0), "M0.0 100.0 L100.0 100.0 L100.0 0.0 L0.0 0.0 Z");
    // A wider viewport centres the square.
    assert_eq!(a.svg_path(a.bbox(), 200.0, 100.0), "M50.0 100.0 L150.0 100.0 L150.0 0.0 L50.0 0.0 Z");
    // At 60° N a degree of longitude is half as wide as a degree of latitude.
    let north = MultiPolygon(vec![Polygon {
        exterior: vec![p(0., 59.5), p(1., 59.5), p(1., 60.5), p(0., 60.5), p(0., 59.5)],
        holes: vec![],
    }]);
    let d = north.svg_path(north.bbox(), 100.0, 100.0);
    assert_eq!(d, "M25.0 100.0 L75.0 100.0 L75.0 0.0 L25.0 0.0 Z");
    // Holes are subpaths.
    let holed = MultiPolygon(vec![Polygon {
        exterior: unit_square().0[0].exterior.clone(),
        holes: vec![vec![p(0.25, 0.25), p(0.25, 0.75), p(0.75, 0.75), p(0.25, 0.25)]],
    }]);
    assert_eq!(holed.svg_path(holed.bbox(), 4.0, 4.0).matches('M').count(), 2);
}

#[test]
fn geometry_and_feature_round_trip() {
    let text = include_str!("../../tests/fixtures/beats.geojson");
    let areas = parse_areas(text, "beat_num").unwrap();
    let rewritten = json!({
        "type": "FeatureCollection",
        "features": areas.iter().map(|a| a.to_geojson("beat")).collect::<Vec<_>>(),
    });
    let again = parse_areas(&rewritten.to_string(), "beat").unwrap();
    assert_eq!(again, areas);
    for a in &areas {
        assert_eq!(parse_geometry(&a.geometry.to_geojson().to_string()).unwrap(), a.geometry);
    }
    let bad = parse_geometry(r#"{"type":"Polygon","coordinates":[[[0,0],[1,0],[1,1],[0,1]]]}"#).unwrap_err();
    assert_eq!(
        bad[0].to_string(),
        "file: ring 0 is not closed: the first position (0, 0) differs from the last (0, 1); repeat the first position at the end"
    );
    assert_eq!(parse_geometry("{\"type\":\"Point\",\"coordinates\":[0,0]}").unwrap_err()[0].feature, None);
}

#[test]
fn simplify_keeps_shape_and_at_least_a_triangle() {
    // A square with many nearly collinear points on each side.
    let mut ring = Vec::new();
    for i in 0..10 {
        ring.push(p(i as f64 * 0.1, if i % 2 == 0 { 0.0 } else { 0.0001 }));
    }
    ring.extend([p(1.0, 0.0), p(1.0, 1.0), p(0.0, 1.0), p(0.0, 0.0)]);
    let m = MultiPolygon(vec![Polygon { exterior: ring.clone(), holes: vec![] }]);
    let s = m.simplify(0.001);
    assert_eq!(s.0[0].exterior, vec![p(0., 0.), p(1., 0.), p(1., 1.), p(0., 1.), p(0., 0.)]);
    assert_eq!(m.simplify(0.0).0[0].exterior, ring);
    let tiny = m.simplify(10.0);
    assert_eq!(tiny.0[0].exterior.len(), 4);
    assert!(tiny.area_m2() > 0.0);
    assert!(s.position_count() < m.position_count());
}

/// A convex polygon: `n` points on a circle around (lon, lat) at strictly increasing angles.
fn convex(lon: f64, lat: f64, radius: f64, gaps: &[u32]) -> MultiPolygon {
    let total: u32 = gaps.iter().sum();
    let mut angle = 0.0f64;
    let mut ring = Vec::new();
    for g in gaps {
        ring.push(p(lon + radius * angle.cos(), lat + radius * angle.sin()));
        angle += std::f64::consts::TAU * f64::from(*g) / f64::from(total);
    }
    ring.push(ring[0]);
    MultiPolygon(vec![Polygon { exterior: ring, holes: vec![] }])
}

proptest! {
    #[test]
    fn a_convex_polygon_contains_its_centroid_and_round_trips(
        lon in -170.0f64..170.0, lat in -60.0f64..60.0, radius in 0.001f64..2.0,
        gaps in proptest::collection::vec(1u32..100, 3..24),
    ) {
        let m = convex(lon, lat, radius, &gaps);
        prop_assert!(m.contains(m.centroid()));
        prop_assert!(m.area_m2() > 0.0);
        let text = collection(vec![feature(json!("X"), m.to_geojson())]);
        let parsed = parse_areas(&text, "name").map_err(|e| TestCaseError::fail(format!("{e:?}")))?;
        prop_assert_eq!(&parsed[0].geometry, &m);
        let s = m.simplify(radius / 10.0);
        prop_assert!(s.0[0].exterior.len() >= 4);
        prop_assert_eq!(s.0[0].exterior.first(), s.0[0].exterior.last());
    }

    #[test]
    fn svg_path_never_has_nan(
        lon in -170.0f64..170.0, lat in -80.0f64..80.0, radius in 0.0001f64..5.0,
        gaps in proptest::collection::vec(1u32..100, 3..12),
        bbox in (prop::num::f64::ANY, prop::num::f64::ANY, prop::num::f64::ANY, prop::num::f64::ANY),
        width in prop::num::f64::ANY, height in prop::num::f64::ANY,
    ) {
        let m = convex(lon, lat, radius, &gaps);
        for d in [m.svg_path(m.bbox(), 640.0, 480.0), m.svg_path(bbox, width, height), m.svg_path(m.bbox(), 0.0, 0.0)] {
            prop_assert!(!d.contains("NaN") && !d.contains("inf"), "{}", d);
            prop_assert!(d.starts_with('M') && d.ends_with('Z'));
        }
    }
}

#[test]
fn a_detailed_outline_validates_quickly() {
    // 20,000 positions on a wobbly circle (about the size of the most detailed real beat outlines).
    let n = 20_000;
    let ring: Vec<Value> = (0..=n)
        .map(|i| {
            let t = std::f64::consts::TAU * f64::from(i % n) / f64::from(n);
            let r = 0.01 * (1.0 + 0.05 * (40.0 * t).sin());
            json!([-87.63 + r * t.cos(), 41.88 + r * t.sin()])
        })
        .collect();
    let started = std::time::Instant::now();
    let areas = parse_areas(&collection(vec![feature(json!("big"), polygon(json!([ring])))]), "name").unwrap();
    assert_eq!(areas[0].geometry.position_count(), n as usize + 1);
    assert!(started.elapsed().as_secs_f64() < 5.0, "{:?}", started.elapsed());
    let simplified = areas[0].geometry.simplify(0.0001);
    assert!(simplified.position_count() < 2_000, "{}", simplified.position_count());
}
