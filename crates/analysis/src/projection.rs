//! A local projection from WGS84 longitude/latitude (degrees) to metres, for grids and distances within one
//! study area (a city or a county).
//!
//! The projection is equirectangular around a centre (lon₀, lat₀), scaled by the WGS84 ellipsoid's radii of
//! curvature at lat₀: the meridional radius M = a(1 − e²)/(1 − e² sin²lat₀)^{3/2} and the prime-vertical
//! radius N = a/√(1 − e² sin²lat₀). So
//!
//! x = (lon − lon₀) · N · cos(lat₀) · π/180 (metres east of the centre),
//! y = (lat − lat₀) · M · π/180 (metres north of the centre).
//!
//! Scales are exact at the centre. Away from it the east–west scale is off by about tan(lat₀)·d/R for a point
//! d north or south of the centre (R ≈ 6,371 km: 0.16 % at 10 km at 45° latitude) and the north–south scale by
//! far less, which is negligible for grids of 100 m cells over a city or county. It is not meant for areas
//! hundreds of kilometres across.

use std::f64::consts::PI;

/// WGS84 semi-major axis in metres.
pub const WGS84_A: f64 = 6_378_137.0;
/// WGS84 flattening.
pub const WGS84_F: f64 = 1.0 / 298.257_223_563;

/// An equirectangular projection around a centre, with the WGS84 radii of curvature at the centre's latitude.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LocalProjection {
    /// Longitude of the centre, degrees.
    pub lon0: f64,
    /// Latitude of the centre, degrees.
    pub lat0: f64,
    /// Metres per degree of longitude at lat₀: N·cos(lat₀)·π/180.
    pub m_per_deg_lon: f64,
    /// Metres per degree of latitude at lat₀: M·π/180.
    pub m_per_deg_lat: f64,
}

impl LocalProjection {
    /// The projection centred on (`lon0`, `lat0`) in degrees.
    ///
    /// # Panics
    /// If the centre is not finite or its latitude is not strictly between −90° and 90° (at a pole the
    /// east–west scale is zero and the projection cannot be inverted).
    pub fn new(lon0: f64, lat0: f64) -> Self {
        assert!(
            lon0.is_finite() && lat0.is_finite() && lat0.abs() < 90.0,
            "invalid projection centre ({lon0}, {lat0})"
        );
        let e2 = WGS84_F * (2.0 - WGS84_F);
        let phi = lat0.to_radians();
        let w = 1.0 - e2 * phi.sin().powi(2);
        let n = WGS84_A / w.sqrt();
        let m = WGS84_A * (1.0 - e2) / (w * w.sqrt());
        LocalProjection { lon0, lat0, m_per_deg_lon: n * phi.cos() * PI / 180.0, m_per_deg_lat: m * PI / 180.0 }
    }

    /// The projection centred on the middle of a bounding box given in degrees.
    ///
    /// # Panics
    /// As [`LocalProjection::new`] for the box's centre.
    pub fn centred_on(min_lon: f64, min_lat: f64, max_lon: f64, max_lat: f64) -> Self {
        LocalProjection::new((min_lon + max_lon) / 2.0, (min_lat + max_lat) / 2.0)
    }

    /// The projection centred on the middle of the bounding box of the points with finite coordinates
    /// (`lons[i]`, `lats[i]`); `None` when there is none. Pairs are taken up to the shorter slice.
    pub fn centred_on_points(lons: &[f64], lats: &[f64]) -> Option<Self> {
        let mut bbox: Option<[f64; 4]> = None;
        for (&lon, &lat) in lons.iter().zip(lats).filter(|(lon, lat)| lon.is_finite() && lat.is_finite()) {
            let b = bbox.get_or_insert([lon, lat, lon, lat]);
            *b = [b[0].min(lon), b[1].min(lat), b[2].max(lon), b[3].max(lat)];
        }
        bbox.map(|[a, b, c, d]| LocalProjection::centred_on(a, b, c, d))
    }

    /// Projects (`lon`, `lat`) in degrees to (x, y) in metres east and north of the centre.
    pub fn forward(&self, lon: f64, lat: f64) -> (f64, f64) {
        ((lon - self.lon0) * self.m_per_deg_lon, (lat - self.lat0) * self.m_per_deg_lat)
    }

    /// Maps (x, y) in metres back to (lon, lat) in degrees; the exact inverse of [`LocalProjection::forward`]
    /// up to rounding.
    pub fn inverse(&self, x: f64, y: f64) -> (f64, f64) {
        (self.lon0 + x / self.m_per_deg_lon, self.lat0 + y / self.m_per_deg_lat)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// Geodesic distance on the WGS84 ellipsoid by Vincenty's inverse formula (accurate to well under a
    /// millimetre for short lines), an independent check of the projection's scale.
    fn vincenty(lon1: f64, lat1: f64, lon2: f64, lat2: f64) -> f64 {
        let (a, f) = (WGS84_A, WGS84_F);
        let b = a * (1.0 - f);
        let l = (lon2 - lon1).to_radians();
        let u1 = ((1.0 - f) * lat1.to_radians().tan()).atan();
        let u2 = ((1.0 - f) * lat2.to_radians().tan()).atan();
        let (su1, cu1, su2, cu2) = (u1.sin(), u1.cos(), u2.sin(), u2.cos());
        let mut lambda = l;
        for _ in 0..200 {
            let (sl, cl) = lambda.sin_cos();
            let sin_sigma = ((cu2 * sl).powi(2) + (cu1 * su2 - su1 * cu2 * cl).powi(2)).sqrt();
            let cos_sigma = su1 * su2 + cu1 * cu2 * cl;
            let sigma = sin_sigma.atan2(cos_sigma);
            let sin_alpha = cu1 * cu2 * sl / sin_sigma;
            let cos2_alpha = 1.0 - sin_alpha * sin_alpha;
            let cos_2sm = if cos2_alpha == 0.0 { 0.0 } else { cos_sigma - 2.0 * su1 * su2 / cos2_alpha };
            let c = f / 16.0 * cos2_alpha * (4.0 + f * (4.0 - 3.0 * cos2_alpha));
            let next = l
                + (1.0 - c)
                    * f
                    * sin_alpha
                    * (sigma + c * sin_sigma * (cos_2sm + c * cos_sigma * (-1.0 + 2.0 * cos_2sm * cos_2sm)));
            let done = (next - lambda).abs() < 1e-13;
            lambda = next;
            if done {
                let u_sq = cos2_alpha * (a * a - b * b) / (b * b);
                let big_a = 1.0 + u_sq / 16384.0 * (4096.0 + u_sq * (-768.0 + u_sq * (320.0 - 175.0 * u_sq)));
                let big_b = u_sq / 1024.0 * (256.0 + u_sq * (-128.0 + u_sq * (74.0 - 47.0 * u_sq)));
                let d_sigma = big_b
                    * sin_sigma
                    * (cos_2sm
                        + big_b / 4.0
                            * (cos_sigma * (-1.0 + 2.0 * cos_2sm * cos_2sm)
                                - big_b / 6.0
                                    * cos_2sm
                                    * (-3.0 + 4.0 * sin_sigma * sin_sigma)
                                    * (-3.0 + 4.0 * cos_2sm * cos_2sm)));
                return b * big_a * (sigma - d_sigma);
            }
        }
        panic!("Vincenty did not converge");
    }

    #[test]
    fn one_kilometre_north_and_east() {
        for (lon0, lat0) in [(0.0, 0.0), (-75.16, 39.95), (-122.33, 47.61), (151.2, -33.87), (24.94, 60.17)] {
            let p = LocalProjection::new(lon0, lat0);
            assert_eq!(p.forward(lon0, lat0), (0.0, 0.0));
            for (x, y) in [(1000.0, 0.0), (0.0, 1000.0), (-1000.0, 0.0), (0.0, -1000.0)] {
                let (lon, lat) = p.inverse(x, y);
                let d = vincenty(lon0, lat0, lon, lat);
                assert!((d - 1000.0).abs() < 1.0, "({lon0}, {lat0}) + ({x}, {y}): {d} m");
            }
        }
    }

    #[test]
    fn centred_on_boxes_and_points() {
        let p = LocalProjection::centred_on(-75.3, 39.8, -75.0, 40.1);
        assert!((p.lon0 + 75.15).abs() < 1e-12 && (p.lat0 - 39.95).abs() < 1e-12);
        let q = LocalProjection::centred_on_points(&[-75.3, f64::NAN, -75.0], &[39.8, 50.0, 40.1]).unwrap();
        assert_eq!(p, q);
        assert!(LocalProjection::centred_on_points(&[], &[]).is_none());
        assert!(LocalProjection::centred_on_points(&[f64::NAN], &[1.0]).is_none());
    }

    proptest! {
        #[test]
        fn round_trip(lon0 in -180.0f64..180.0, lat0 in -85.0f64..85.0, dlon in -0.5f64..0.5, dlat in -0.5f64..0.5) {
            let p = LocalProjection::new(lon0, lat0);
            let (x, y) = p.forward(lon0 + dlon, lat0 + dlat);
            let (lon, lat) = p.inverse(x, y);
            prop_assert!((lon - (lon0 + dlon)).abs() < 1e-9);
            prop_assert!((lat - (lat0 + dlat)).abs() < 1e-9);
            let (x2, y2) = p.forward(lon, lat);
            prop_assert!((x2 - x).abs() < 1e-6 && (y2 - y).abs() < 1e-6);
        }
    }
}
