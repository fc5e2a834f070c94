//! The standard normal distribution's tails, through the complementary error function.
//!
//! `erfc` follows W. J. Cody, "Rational Chebyshev approximations for the error function", Math. Comp. 23
//! (1969) 631–638, as in his SPECFUN routine CALERF (three intervals: |x| ≤ 0.46875, ≤ 4, > 4, with the
//! exponential split into two factors to keep full relative accuracy in the far tail). The normal tail uses the
//! same rational part with exp(−z²/2) computed from z itself, so p values keep their relative accuracy too.
//! Relative errors are a few units in the last place (tested against 50-digit mpmath values in the crate's
//! fixtures).
// The coefficients are Cody's published values, kept digit for digit although f64 rounds the last ones.
#![allow(clippy::excessive_precision)]

/// √(1/π), for the far-tail interval.
const FRAC_1_SQRT_PI: f64 = 0.564_189_583_547_756_286_95;
/// Upper end of the first interval, where erf is approximated directly.
const THRESH: f64 = 0.468_75;
/// Above this erfc(x) underflows to zero in double precision.
const XBIG: f64 = 26.543;

/// Numerator of erf on |x| ≤ 0.46875 (constant term last but one, leading term last).
const A: [f64; 5] = [
    3.161_123_743_870_565_6,
    113.864_154_151_050_156,
    377.485_237_685_302_021,
    3_209.377_589_138_469_47,
    0.185_777_706_184_603_153,
];
/// Denominator of erf on |x| ≤ 0.46875.
const B: [f64; 4] =
    [23.601_290_952_344_120_9, 244.024_637_934_444_173, 1_282.616_526_077_372_28, 2_844.236_833_439_170_62];
/// Numerator of erfc on 0.46875 < |x| ≤ 4.
const C: [f64; 9] = [
    0.564_188_496_988_670_089,
    8.883_149_794_388_375_94,
    66.119_190_637_141_629_5,
    298.635_138_197_400_131,
    881.952_221_241_769_09,
    1_712.047_612_634_070_58,
    2_051.078_377_826_071_47,
    1_230.339_354_797_997_25,
    2.153_115_354_744_038_46e-8,
];
/// Denominator of erfc on 0.46875 < |x| ≤ 4.
const D: [f64; 8] = [
    15.744_926_110_709_834_7,
    117.693_950_891_312_499,
    537.181_101_862_009_858,
    1_621.389_574_566_690_19,
    3_290.799_235_733_459_63,
    4_362.619_090_143_247_16,
    3_439.367_674_143_721_64,
    1_230.339_354_803_749_42,
];
/// Numerator of the asymptotic correction of erfc on |x| > 4 (in 1/x²).
const P: [f64; 6] = [
    0.305_326_634_961_232_344,
    0.360_344_899_949_804_439,
    0.125_781_726_111_229_246,
    0.016_083_785_148_742_276_6,
    6.587_491_615_298_378_03e-4,
    0.016_315_387_137_302_097_8,
];
/// Denominator of the asymptotic correction of erfc on |x| > 4.
const Q: [f64; 5] = [
    2.568_520_192_289_822_42,
    1.872_952_849_923_460_47,
    0.527_905_102_951_428_412,
    0.060_518_341_312_441_319_1,
    0.002_335_204_976_268_691_85,
];

/// exp(−y²), or exp(−y²/2) when `halve`, for y ≥ 0 without losing relative accuracy for large y: y is split
/// into a multiple of 1/16 (whose square is exact) and a remainder, as Cody does.
fn exp_neg_sq(y: f64, halve: bool) -> f64 {
    let head = (y * 16.0).trunc() / 16.0;
    let del = (y - head) * (y + head);
    let f = if halve { 0.5 } else { 1.0 };
    (-head * head * f).exp() * (-del * f).exp()
}

/// exp(y²)·erfc(y) for y > 0.46875 (Cody's second and third intervals).
fn erfcx_upper(y: f64) -> f64 {
    if y <= 4.0 {
        let mut num = C[8] * y;
        let mut den = y;
        for (c, d) in C[..7].iter().zip(&D[..7]) {
            num = (num + c) * y;
            den = (den + d) * y;
        }
        (num + C[7]) / (den + D[7])
    } else {
        let ysq = 1.0 / (y * y);
        let mut num = P[5] * ysq;
        let mut den = ysq;
        for (p, q) in P[..4].iter().zip(&Q[..4]) {
            num = (num + p) * ysq;
            den = (den + q) * ysq;
        }
        (FRAC_1_SQRT_PI - ysq * (num + P[4]) / (den + Q[4])) / y
    }
}

/// erf(x) for |x| ≤ 0.46875 (Cody's first interval).
fn erf_small(x: f64) -> f64 {
    let ysq = x * x;
    let mut num = A[4] * ysq;
    let mut den = ysq;
    for (a, b) in A[..3].iter().zip(&B[..3]) {
        num = (num + a) * ysq;
        den = (den + b) * ysq;
    }
    x * (num + A[3]) / (den + B[3])
}

/// The complementary error function erfc(x) = 1 − erf(x) = (2/√π)∫ₓ^∞ e^(−t²) dt. NaN gives NaN.
pub fn erfc(x: f64) -> f64 {
    if x.is_nan() {
        return f64::NAN;
    }
    let y = x.abs();
    if y <= THRESH {
        // erfc is between 0.5 and 1.5 here: no cancellation.
        return 1.0 - erf_small(x);
    }
    let upper = if y >= XBIG { 0.0 } else { exp_neg_sq(y, false) * erfcx_upper(y) };
    if x < 0.0 { 2.0 - upper } else { upper }
}

/// The standard normal upper tail 1 − Φ(z) = P(Z > z), accurate in relative terms far into the tail (the
/// Gaussian factor exp(−z²/2) is computed from z itself, not from the rounded z/√2). NaN gives NaN.
pub fn normal_sf(z: f64) -> f64 {
    let y = z.abs() / std::f64::consts::SQRT_2;
    if y.is_nan() || y <= THRESH {
        return 0.5 * erfc(z / std::f64::consts::SQRT_2);
    }
    let upper = if y >= XBIG { 0.0 } else { 0.5 * exp_neg_sq(z.abs(), true) * erfcx_upper(y) };
    if z < 0.0 { 1.0 - upper } else { upper }
}

/// The standard normal distribution function Φ(z) = P(Z ≤ z).
pub fn normal_cdf(z: f64) -> f64 {
    normal_sf(-z)
}

/// The two-sided p value of a standard normal statistic: P(|Z| ≥ |z|) = 2(1 − Φ(|z|)). NaN gives NaN.
pub fn two_sided_p(z: f64) -> f64 {
    2.0 * normal_sf(z.abs())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn textbook_values() {
        // Φ(1.959963984540054) = 0.975 and the symmetric identities.
        assert!((normal_cdf(1.959_963_984_540_054) - 0.975).abs() < 1e-15);
        assert!((two_sided_p(1.959_963_984_540_054) - 0.05).abs() < 1e-15);
        assert_eq!(erfc(0.0), 1.0);
        assert_eq!(two_sided_p(0.0), 1.0);
        assert_eq!(erfc(30.0), 0.0);
        assert_eq!(erfc(-30.0), 2.0);
        assert!(erfc(f64::NAN).is_nan());
        for x in [-5.0, -3.3, -1.0, -0.4, 0.1, 0.46875, 0.5, 2.0, 3.99, 4.01, 9.0] {
            assert!((normal_cdf(x) + normal_sf(x) - 1.0).abs() < 1e-15, "{x}");
            assert!((erfc(x) + erfc(-x) - 2.0).abs() < 1e-15, "{x}");
        }
    }
}
