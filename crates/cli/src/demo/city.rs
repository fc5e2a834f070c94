//! Riverton's geography: twelve beats in three districts along a river, with census-like demographics whose
//! mix differs from beat to beat (so representation gaps are visible), and the ZIP codes of each beat (606xx).

use anyhow::Context;
use commonbeat_domain::{census, geo};
use commonbeat_store::Db;
use commonbeat_store::repo::areas::{self, DemographicCount, NewArea};
use commonbeat_store::repo::zips;
use rand::Rng;
use rand_chacha::ChaCha8Rng;

/// Beat names (CPD-style numbers) and the neighbourhood each lies in.
pub const BEATS: [(&str, &str); 12] = [
    ("1411", "Riverside"),
    ("1412", "Riverside"),
    ("1413", "Northgate"),
    ("1414", "Northgate"),
    ("1421", "Pulaski Corridor"),
    ("1422", "Pulaski Corridor"),
    ("1423", "Eastbank"),
    ("1424", "Eastbank"),
    ("1431", "Old Mill"),
    ("1432", "Old Mill"),
    ("1433", "Harbor Point"),
    ("1434", "Westlake"),
];

/// A beat's profile: shares of race groups, renters, low income and Spanish at home.
struct Mix {
    race: [f64; 8],
    renters: f64,
    low_income: f64,
    spanish: f64,
}

fn mix_for(i: usize) -> Mix {
    // hispanic, white, black, asian, native, pacific, other, multiracial
    match i % 4 {
        0 => Mix {
            race: [0.58, 0.17, 0.12, 0.06, 0.005, 0.002, 0.013, 0.05],
            renters: 0.68,
            low_income: 0.42,
            spanish: 0.44,
        },
        1 => Mix {
            race: [0.14, 0.22, 0.55, 0.04, 0.005, 0.002, 0.013, 0.03],
            renters: 0.61,
            low_income: 0.47,
            spanish: 0.08,
        },
        2 => Mix {
            race: [0.21, 0.52, 0.09, 0.13, 0.004, 0.002, 0.014, 0.03],
            renters: 0.44,
            low_income: 0.18,
            spanish: 0.12,
        },
        _ => Mix {
            race: [0.33, 0.31, 0.24, 0.07, 0.006, 0.002, 0.012, 0.03],
            renters: 0.55,
            low_income: 0.31,
            spanish: 0.24,
        },
    }
}

fn square(lon0: f64, lat0: f64, dlon: f64, dlat: f64, rng: &mut ChaCha8Rng) -> String {
    // Slightly irregular corners so the outlines look like real beats; shared edges stay shared because the
    // jitter is a deterministic function of the corner's grid position.
    let _ = rng;
    let j = |x: f64, y: f64| -> (f64, f64) {
        let h = ((x * 1000.0).sin() * 43758.5453 + (y * 1000.0).cos() * 12.9898).fract().abs();
        (x + (h - 0.5) * dlon * 0.12, y + (h - 0.5) * dlat * 0.08)
    };
    let c = [j(lon0, lat0), j(lon0 + dlon, lat0), j(lon0 + dlon, lat0 + dlat), j(lon0, lat0 + dlat)];
    format!(
        "[[[{:.6},{:.6}],[{:.6},{:.6}],[{:.6},{:.6}],[{:.6},{:.6}],[{:.6},{:.6}]]]",
        c[0].0, c[0].1, c[1].0, c[1].1, c[2].0, c[2].1, c[3].0, c[3].1, c[0].0, c[0].1
    )
}

/// Creates the beats and districts with demographics. Returns the beat area ids in [`BEATS`] order.
pub async fn create(db: &Db, jid: i64, rng: &mut ChaCha8Rng) -> anyhow::Result<Vec<i64>> {
    let (lon0, lat0, dlon, dlat) = (-87.735, 41.880, 0.0145, 0.0110);
    let mut beat_features = Vec::new();
    for (i, (num, hood)) in BEATS.iter().enumerate() {
        let (col, row) = (i % 4, i / 4);
        let poly = square(lon0 + col as f64 * dlon, lat0 + (2 - row) as f64 * dlat, dlon, dlat, rng);
        beat_features.push(format!(
            r#"{{"type":"Feature","properties":{{"beat_num":"{num}","neighborhood":"{hood}"}},"geometry":{{"type":"Polygon","coordinates":{poly}}}}}"#
        ));
    }
    let fc = format!(r#"{{"type":"FeatureCollection","features":[{}]}}"#, beat_features.join(","));
    let beats = geo::parse_areas(&fc, "beat_num")
        .map_err(|e| anyhow::anyhow!("demo beats: {:?}", e.first().map(|x| x.to_string())))?;
    let rows = |fs: &[geo::AreaFeature], prefix: &str| -> Vec<NewArea> {
        fs.iter()
            .map(|f| NewArea {
                name: format!("{prefix}{}", f.name),
                geometry: f.geometry.to_geojson().to_string(),
                bbox: f.geometry.bbox(),
                area_m2: f.geometry.area_m2(),
            })
            .collect()
    };
    areas::import(db, jid, "beat", rows(&beats, "Beat ")).await?;
    // Districts: one per row of beats.
    let mut district_features = Vec::new();
    for (d, name) in ["14th District North", "14th District Central", "14th District South"].iter().enumerate() {
        let poly = square(lon0, lat0 + (2 - d) as f64 * dlat, dlon * 4.0, dlat, rng);
        district_features.push(format!(r#"{{"type":"Feature","properties":{{"name":"{name}"}},"geometry":{{"type":"Polygon","coordinates":{poly}}}}}"#));
    }
    let fc = format!(r#"{{"type":"FeatureCollection","features":[{}]}}"#, district_features.join(","));
    let districts = geo::parse_areas(&fc, "name")
        .map_err(|e| anyhow::anyhow!("demo districts: {:?}", e.first().map(|x| x.to_string())))?;
    areas::import(db, jid, "district", rows(&districts, "")).await?;

    let all = areas::list(db, jid, Some("beat")).await?;
    let mut ids = Vec::new();
    let mut counts = Vec::new();
    for (i, (num, _)) in BEATS.iter().enumerate() {
        let a = all.iter().find(|a| a.name == format!("Beat {num}")).context("beat created")?;
        ids.push(a.id);
        let pop: f64 = rng.gen_range(4_200.0..9_800.0);
        let m = mix_for(i);
        let households = pop / 2.6;
        let mut add = |dim: census::Dimension, cat: &str, n: f64| {
            counts.push(DemographicCount {
                area_id: a.id,
                dimension: dim.as_str().into(),
                category: cat.into(),
                count: n.round().max(0.0) as i64,
            });
        };
        for (cat, share) in census::Dimension::Race.categories().iter().zip(m.race) {
            add(census::Dimension::Race, cat, pop * share);
        }
        for (cat, share) in census::Dimension::Age.categories().iter().zip([0.23, 0.10, 0.17, 0.15, 0.13, 0.11, 0.11]) {
            add(census::Dimension::Age, cat, pop * share);
        }
        add(census::Dimension::Sex, "female", pop * 0.51);
        add(census::Dimension::Sex, "male", pop * 0.49);
        add(census::Dimension::Tenure, "renter", households * m.renters);
        add(census::Dimension::Tenure, "owner", households * (1.0 - m.renters));
        let hi = 1.0 - m.low_income;
        for (cat, share) in census::Dimension::Income.categories().iter().zip([
            m.low_income,
            0.22,
            hi * 0.3,
            hi * 0.22,
            hi * 0.2,
            (hi * 0.28 - 0.22).max(0.02),
        ]) {
            add(census::Dimension::Income, cat, households * share);
        }
        let other = 0.08;
        for (cat, share) in
            census::Dimension::Language.categories().iter().zip([1.0 - m.spanish - other, m.spanish, 0.04, 0.03, 0.01])
        {
            add(census::Dimension::Language, cat, pop * 0.94 * share);
        }
    }
    areas::replace_demographics(db, jid, counts).await?;
    // ZIP codes: one or two per beat (made up, in Chicago's 606xx range), so residents may answer surveys by ZIP.
    let zip_rows: Vec<(String, i64)> = ids
        .iter()
        .enumerate()
        .flat_map(|(i, id)| {
            let first = (format!("606{:02}", 40 + i), *id);
            let second = (i % 3 == 0).then(|| (format!("606{:02}", 60 + i), *id));
            std::iter::once(first).chain(second)
        })
        .collect();
    zips::import(db, jid, &zip_rows, true).await?;
    Ok(ids)
}

/// Draws a category for a resident of beat `i` (optionally skewed toward whiter, richer home owners, as
/// partnerships that recruit only at homeowner meetings are).
pub fn draw(dim: census::Dimension, i: usize, skewed: bool, rng: &mut ChaCha8Rng) -> &'static str {
    let m = mix_for(i);
    let cats = dim.categories();
    let weights: Vec<f64> = match dim {
        census::Dimension::Race if skewed => vec![0.08, 0.72, 0.08, 0.08, 0.0, 0.0, 0.01, 0.03],
        census::Dimension::Race => m.race.to_vec(),
        census::Dimension::Age => vec![0.0, 0.06, 0.16, 0.2, 0.2, 0.2, 0.18],
        census::Dimension::Sex => vec![0.56, 0.44],
        census::Dimension::Tenure if skewed => vec![0.85, 0.15],
        census::Dimension::Tenure => vec![1.0 - m.renters * 0.8, m.renters * 0.8],
        census::Dimension::Income if skewed => vec![0.03, 0.07, 0.2, 0.25, 0.25, 0.2],
        census::Dimension::Income => vec![m.low_income * 0.8, 0.22, 0.2, 0.15, 0.12, 0.1],
        census::Dimension::Language if skewed => vec![0.9, 0.06, 0.02, 0.01, 0.01],
        census::Dimension::Language => vec![1.0 - m.spanish * 0.8 - 0.06, m.spanish * 0.8, 0.03, 0.02, 0.01],
    };
    let total: f64 = weights.iter().sum();
    let mut x = rng.gen_range(0.0..total);
    for (c, w) in cats.iter().zip(&weights) {
        if x < *w {
            return c;
        }
        x -= w;
    }
    cats[cats.len() - 1]
}
