//! Projected x/y → longitude/latitude for the coordinate systems agencies publish incidents in.
//!
//! Only inverse projections are needed: files carry x/y, CommonBeat stores WGS84 longitude/latitude. The formulas
//! are the ones PROJ uses, so results agree with pyproj to well under a millimetre (the test compares against
//! `fixtures/projections.json`, written by `scripts/fixtures/projection_reference.py`):
//! - Transverse Mercator (State Plane TM zones, UTM): Krüger's series to sixth order in the third flattening
//!   (Karney 2011, "Transverse Mercator with an accuracy of a few nanometers"; PROJ's default `tmerc`).
//! - Lambert Conformal Conic with two standard parallels (EPSG method 9802, IOGP Guidance Note 7-2 §3.2.1.1).
//! - Web Mercator (EPSG:3857): spherical Mercator on the WGS84 semi-major axis.
//!
//! NAD83 and WGS84 differ by about a metre in the continental US; like most crime-mapping tools the importer
//! treats them as the same datum, so no datum shift is applied.

use std::f64::consts::{FRAC_PI_2, FRAC_PI_4};

/// One US survey foot in metres (1200/3937), the unit of the State Plane systems listed here.
const US_SURVEY_FOOT: f64 = 1200.0 / 3937.0;

/// A reference ellipsoid, by semi-major axis (metres) and inverse flattening.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Ellipsoid {
    a: f64,
    inv_f: f64,
}

/// GRS 1980, the ellipsoid of NAD83.
const GRS80: Ellipsoid = Ellipsoid { a: 6_378_137.0, inv_f: 298.257_222_101 };
/// WGS 84.
const WGS84: Ellipsoid = Ellipsoid { a: 6_378_137.0, inv_f: 298.257_223_563 };

impl Ellipsoid {
    fn f(self) -> f64 {
        1.0 / self.inv_f
    }
    /// First eccentricity.
    fn e(self) -> f64 {
        let f = self.f();
        (f * (2.0 - f)).sqrt()
    }
}

/// A supported coordinate reference system, identified by its EPSG code.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Crs {
    epsg: u32,
    kind: Kind,
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Kind {
    /// x = longitude, y = latitude in degrees (EPSG:4326, EPSG:4269).
    Geographic,
    WebMercator,
    TransverseMercator(TransverseMercator),
    Lambert(Lambert),
}

impl Crs {
    /// The systems the importer knows, for error messages: EPSG:4326, 4269, 3857, 3435, 2263, 2229, UTM north zones
    /// 26901–26923 (NAD83) and 32601–32660 (WGS84), UTM south zones 32701–32760 (WGS84).
    pub const SUPPORTED: &'static str = "4326 (WGS84 lon/lat), 4269 (NAD83 lon/lat), 3857 (Web Mercator), \
        3435 (Illinois East ftUS), 2263 (New York Long Island ftUS), 2229 (California zone 5 ftUS), \
        26901–26923 (NAD83 UTM north), 32601–32660 (WGS84 UTM north), 32701–32760 (WGS84 UTM south)";

    /// The system with this EPSG code, or `None` if the importer does not support it.
    pub fn from_epsg(epsg: u32) -> Option<Crs> {
        let deg = f64::to_radians;
        let dm = |d: f64, m: f64| (d.abs() + m / 60.0).copysign(d).to_radians();
        let kind = match epsg {
            4326 | 4269 => Kind::Geographic,
            3857 => Kind::WebMercator,
            // NAD83 / Illinois East (ftUS).
            3435 => Kind::TransverseMercator(TransverseMercator::new(
                GRS80,
                dm(36.0, 40.0),
                dm(-88.0, 20.0),
                0.999_975,
                300_000.0,
                0.0,
                US_SURVEY_FOOT,
            )),
            // NAD83 / New York Long Island (ftUS).
            2263 => Kind::Lambert(Lambert::new(
                GRS80,
                [dm(41.0, 2.0), dm(40.0, 40.0)],
                dm(40.0, 10.0),
                deg(-74.0),
                300_000.0,
                0.0,
                US_SURVEY_FOOT,
            )),
            // NAD83 / California zone 5 (ftUS).
            2229 => Kind::Lambert(Lambert::new(
                GRS80,
                [dm(35.0, 28.0), dm(34.0, 2.0)],
                dm(33.0, 30.0),
                deg(-118.0),
                2_000_000.0,
                500_000.0,
                US_SURVEY_FOOT,
            )),
            26901..=26923 => Kind::TransverseMercator(utm(GRS80, epsg - 26900, false)),
            32601..=32660 => Kind::TransverseMercator(utm(WGS84, epsg - 32600, false)),
            32701..=32760 => Kind::TransverseMercator(utm(WGS84, epsg - 32700, true)),
            _ => return None,
        };
        Some(Crs { epsg, kind })
    }

    /// The EPSG code.
    pub fn epsg(&self) -> u32 {
        self.epsg
    }

    /// Longitude and latitude in degrees of the point at `x` (easting) and `y` (northing), in the system's units
    /// (metres, US survey feet, or degrees for the geographic systems). Returns `None` when the input or the result
    /// is not a finite number.
    pub fn to_lon_lat(&self, x: f64, y: f64) -> Option<(f64, f64)> {
        if !x.is_finite() || !y.is_finite() {
            return None;
        }
        let (lon, lat) = match &self.kind {
            Kind::Geographic => return Some((x, y)),
            Kind::WebMercator => {
                let a = WGS84.a;
                (x / a, FRAC_PI_2 - 2.0 * (-y / a).exp().atan())
            }
            Kind::TransverseMercator(tm) => tm.inverse(x, y),
            Kind::Lambert(lcc) => lcc.inverse(x, y),
        };
        let (lon, lat) = (normalize_lon(lon.to_degrees()), lat.to_degrees());
        (lon.is_finite() && lat.is_finite()).then_some((lon, lat))
    }
}

/// Wraps a longitude in degrees into −180…180.
fn normalize_lon(lon: f64) -> f64 {
    if (-180.0..=180.0).contains(&lon) { lon } else { (lon + 180.0).rem_euclid(360.0) - 180.0 }
}

/// The UTM zone `zone` (1–60) as a Transverse Mercator projection.
fn utm(ellipsoid: Ellipsoid, zone: u32, south: bool) -> TransverseMercator {
    let lon0 = (f64::from(zone) * 6.0 - 183.0).to_radians();
    let false_northing = if south { 10_000_000.0 } else { 0.0 };
    TransverseMercator::new(ellipsoid, 0.0, lon0, 0.9996, 500_000.0, false_northing, 1.0)
}

/// Geodetic latitude from conformal-type latitude by fixed-point iteration (Snyder eq. 7-9), given
/// `t = tan(π/4 − χ/2)` of the target point. Converges by a factor of about e² per step.
fn latitude_from_t(t: f64, e: f64) -> f64 {
    let mut phi = FRAC_PI_2 - 2.0 * t.atan();
    for _ in 0..15 {
        let es = e * phi.sin();
        let next = FRAC_PI_2 - 2.0 * (t * ((1.0 - es) / (1.0 + es)).powf(e / 2.0)).atan();
        if (next - phi).abs() < 1e-14 {
            return next;
        }
        phi = next;
    }
    phi
}

/// Transverse Mercator (EPSG method 9807) with its constants precomputed.
#[derive(Debug, Clone, Copy, PartialEq)]
struct TransverseMercator {
    e: f64,
    lon0: f64,
    /// k0 · A, A being the rectifying radius.
    k0_a: f64,
    /// Northing of the origin latitude on the central meridian, before the false northing, in metres.
    m0: f64,
    false_easting: f64,
    false_northing: f64,
    unit: f64,
    beta: [f64; 6],
}

impl TransverseMercator {
    fn new(ell: Ellipsoid, lat0: f64, lon0: f64, k0: f64, fe_m: f64, fn_m: f64, unit: f64) -> Self {
        let f = ell.f();
        let n = f / (2.0 - f);
        let (n2, n3) = (n * n, n * n * n);
        let (n4, n5, n6) = (n2 * n2, n2 * n3, n3 * n3);
        let a_rect = ell.a / (1.0 + n) * (1.0 + n2 / 4.0 + n4 / 64.0 + n6 / 256.0);
        // Krüger series coefficients (Karney 2011, eqs. 35 and 36).
        let alpha = [
            n / 2.0 - 2.0 * n2 / 3.0 + 5.0 * n3 / 16.0 + 41.0 * n4 / 180.0 - 127.0 * n5 / 288.0 + 7891.0 * n6 / 37800.0,
            13.0 * n2 / 48.0 - 3.0 * n3 / 5.0 + 557.0 * n4 / 1440.0 + 281.0 * n5 / 630.0
                - 1_983_433.0 * n6 / 1_935_360.0,
            61.0 * n3 / 240.0 - 103.0 * n4 / 140.0 + 15061.0 * n5 / 26880.0 + 167_603.0 * n6 / 181_440.0,
            49561.0 * n4 / 161_280.0 - 179.0 * n5 / 168.0 + 6_601_661.0 * n6 / 7_257_600.0,
            34729.0 * n5 / 80640.0 - 3_418_889.0 * n6 / 1_995_840.0,
            212_378_941.0 * n6 / 319_334_400.0,
        ];
        let beta = [
            n / 2.0 - 2.0 * n2 / 3.0 + 37.0 * n3 / 96.0 - n4 / 360.0 - 81.0 * n5 / 512.0 + 96199.0 * n6 / 604_800.0,
            n2 / 48.0 + n3 / 15.0 - 437.0 * n4 / 1440.0 + 46.0 * n5 / 105.0 - 1_118_711.0 * n6 / 3_870_720.0,
            17.0 * n3 / 480.0 - 37.0 * n4 / 840.0 - 209.0 * n5 / 4480.0 + 5569.0 * n6 / 90720.0,
            4397.0 * n4 / 161_280.0 - 11.0 * n5 / 504.0 - 830_251.0 * n6 / 7_257_600.0,
            4583.0 * n5 / 161_280.0 - 108_847.0 * n6 / 3_991_680.0,
            20_648_693.0 * n6 / 638_668_800.0,
        ];
        let e = ell.e();
        // Conformal latitude of the origin, then its rectified (meridian-arc) value via the forward series.
        let chi0 = conformal_latitude(lat0, e);
        let mut xi0 = chi0;
        for (j, a) in alpha.iter().enumerate() {
            xi0 += a * (2.0 * (j as f64 + 1.0) * chi0).sin();
        }
        TransverseMercator {
            e,
            lon0,
            k0_a: k0 * a_rect,
            m0: k0 * a_rect * xi0,
            false_easting: fe_m,
            false_northing: fn_m,
            unit,
            beta,
        }
    }

    /// (λ, φ) in radians of x/y in the system's unit.
    fn inverse(&self, x: f64, y: f64) -> (f64, f64) {
        let xi = (y * self.unit - self.false_northing + self.m0) / self.k0_a;
        let eta = (x * self.unit - self.false_easting) / self.k0_a;
        let (mut xi_p, mut eta_p) = (xi, eta);
        for (j, b) in self.beta.iter().enumerate() {
            let k = 2.0 * (j as f64 + 1.0);
            xi_p -= b * (k * xi).sin() * (k * eta).cosh();
            eta_p -= b * (k * xi).cos() * (k * eta).sinh();
        }
        let chi = (xi_p.sin() / eta_p.cosh()).clamp(-1.0, 1.0).asin();
        let lon = self.lon0 + eta_p.sinh().atan2(xi_p.cos());
        (lon, geodetic_from_conformal(chi, self.e))
    }
}

/// Conformal latitude χ of geodetic latitude φ.
fn conformal_latitude(phi: f64, e: f64) -> f64 {
    let es = e * phi.sin();
    2.0 * ((FRAC_PI_4 + phi / 2.0).tan() * ((1.0 - es) / (1.0 + es)).powf(e / 2.0)).atan() - FRAC_PI_2
}

/// Geodetic latitude φ of conformal latitude χ.
fn geodetic_from_conformal(chi: f64, e: f64) -> f64 {
    latitude_from_t((FRAC_PI_4 - chi / 2.0).tan(), e)
}

/// Lambert Conformal Conic with two standard parallels (EPSG method 9802) with its constants precomputed.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Lambert {
    e: f64,
    lon0: f64,
    n: f64,
    /// a · F.
    a_f: f64,
    /// Radius of the origin latitude's parallel.
    r_origin: f64,
    false_easting: f64,
    false_northing: f64,
    unit: f64,
}

impl Lambert {
    fn new(ell: Ellipsoid, [lat1, lat2]: [f64; 2], lat0: f64, lon0: f64, fe_m: f64, fn_m: f64, unit: f64) -> Self {
        let e = ell.e();
        let m = |phi: f64| phi.cos() / (1.0 - (e * phi.sin()).powi(2)).sqrt();
        let t = |phi: f64| {
            let es = e * phi.sin();
            (FRAC_PI_4 - phi / 2.0).tan() / ((1.0 - es) / (1.0 + es)).powf(e / 2.0)
        };
        let (m1, m2, t1, t2) = (m(lat1), m(lat2), t(lat1), t(lat2));
        let n = (m1.ln() - m2.ln()) / (t1.ln() - t2.ln());
        let f = m1 / (n * t1.powf(n));
        let a_f = ell.a * f;
        Lambert { e, lon0, n, a_f, r_origin: a_f * t(lat0).powf(n), false_easting: fe_m, false_northing: fn_m, unit }
    }

    /// (λ, φ) in radians of x/y in the system's unit.
    fn inverse(&self, x: f64, y: f64) -> (f64, f64) {
        let dx = x * self.unit - self.false_easting;
        let dy = self.r_origin - (y * self.unit - self.false_northing);
        let r = dx.hypot(dy).copysign(self.n);
        let theta = if self.n > 0.0 { dx.atan2(dy) } else { (-dx).atan2(-dy) };
        let t = (r / self.a_f).powf(1.0 / self.n);
        (theta / self.n + self.lon0, latitude_from_t(t, self.e))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    #[derive(Deserialize)]
    struct Fixture {
        points: Vec<Point>,
    }

    #[derive(Deserialize)]
    struct Point {
        epsg: u32,
        x: f64,
        y: f64,
        lon: f64,
        lat: f64,
    }

    /// Reference values written by `scripts/fixtures/projection_reference.py` with pyproj; never edited by hand.
    #[test]
    fn projection_matches_pyproj() {
        let fixture: Fixture = serde_json::from_str(include_str!("fixtures/projections.json")).unwrap();
        assert!(fixture.points.len() >= 100);
        let mut codes = std::collections::BTreeSet::new();
        for p in &fixture.points {
            codes.insert(p.epsg);
            let crs = Crs::from_epsg(p.epsg).unwrap_or_else(|| panic!("EPSG:{} unsupported", p.epsg));
            let (lon, lat) = crs.to_lon_lat(p.x, p.y).unwrap();
            assert!(
                (lon - p.lon).abs() <= 1e-7 && (lat - p.lat).abs() <= 1e-7,
                "EPSG:{} ({}, {}): got ({lon}, {lat}), pyproj ({}, {})",
                p.epsg,
                p.x,
                p.y,
                p.lon,
                p.lat
            );
        }
        for code in [4326, 3857, 3435, 2263, 2229, 26916, 32616, 32756] {
            assert!(codes.contains(&code), "no reference points for EPSG:{code}");
        }
    }

    #[test]
    fn unsupported_codes_and_non_finite_input() {
        for code in [0, 2230, 26900, 26924, 32600, 32661, 32700, 32761] {
            assert!(Crs::from_epsg(code).is_none(), "EPSG:{code}");
        }
        let crs = Crs::from_epsg(3435).unwrap();
        assert_eq!(crs.epsg(), 3435);
        assert_eq!(crs.to_lon_lat(f64::NAN, 0.0), None);
        assert_eq!(crs.to_lon_lat(0.0, f64::INFINITY), None);
    }
}
