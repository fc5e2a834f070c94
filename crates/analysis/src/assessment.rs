//! Before/after assessment of a response with displacement, as defined in METHODS.md ("Assessment of a
//! response"): the weighted displacement quotient (Bowers & Johnson 2003), the weighted displacement difference
//! (Wheeler & Ratcliffe 2018) and a Poisson E-test for the target area.
//!
//! Areas: target A (where the response happened), buffer B (where displacement would go), control C, and
//! optionally a control for the buffer. 0 = before, 1 = after, over periods of equal length. Every ratio that
//! would divide by zero is `None`; the output never holds NaN or infinity.

use serde::Serialize;

use crate::etest::e_test;
use crate::normal::two_sided_p;

/// The 97.5 % point of the standard normal distribution used for the 95 % interval (METHODS.md: 1.96).
const Z_95: f64 = 1.96;

/// Counts of one area before and after.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct BeforeAfter {
    /// Count in the period before the response.
    pub before: u64,
    /// Count in the period after the response.
    pub after: u64,
}

impl BeforeAfter {
    /// Counts `before` → `after`.
    pub fn new(before: u64, after: u64) -> Self {
        Self { before, after }
    }

    /// after − before.
    pub fn change(&self) -> f64 {
        self.after as f64 - self.before as f64
    }

    /// The same area with before and after swapped.
    pub fn swapped(&self) -> Self {
        Self { before: self.after, after: self.before }
    }
}

/// The counts an assessment needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct AssessmentInput {
    /// Target (response) area A / T.
    pub target: BeforeAfter,
    /// Buffer (displacement) area B / D.
    pub buffer: BeforeAfter,
    /// Control area C.
    pub control: BeforeAfter,
    /// Control for the buffer (DC); when absent the control C serves both.
    pub buffer_control: Option<BeforeAfter>,
}

/// What a weighted displacement quotient means (Bowers & Johnson 2003).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum WdqInterpretation {
    /// WDQ < 0: crime rose in the buffer relative to control while it fell in the target — displacement.
    Displacement,
    /// WDQ = 0: the buffer changed exactly as the control did — neither displacement nor diffusion.
    NoBufferChange,
    /// 0 < WDQ ≤ 1: the buffer improved too, by less than the target — diffusion of benefits.
    PartialDiffusion,
    /// WDQ > 1: the buffer improved more than the target did.
    BufferImprovedMore,
    /// The target did not improve relative to control (SM ≥ 0), or the measure is undefined (a control count of
    /// 0): the quotient is not meaningful.
    NotMeaningful,
}

impl WdqInterpretation {
    /// The interpretation of a WDQ (`None` when it is not meaningful: SM ≥ 0 or undefined).
    pub fn of(wdq: Option<f64>) -> Self {
        match wdq {
            None => Self::NotMeaningful,
            Some(q) if q < 0.0 => Self::Displacement,
            Some(0.0) => Self::NoBufferChange,
            Some(q) if q <= 1.0 => Self::PartialDiffusion,
            Some(_) => Self::BufferImprovedMore,
        }
    }

    /// A plain-language sentence for the interpretation.
    pub fn describe(self) -> &'static str {
        match self {
            Self::Displacement => "Crime appears to have moved into the buffer area (displacement).",
            Self::NoBufferChange => {
                "The buffer area changed just like the control area: no displacement, no diffusion."
            }
            Self::PartialDiffusion => {
                "The buffer area improved too, though less than the target (diffusion of benefits)."
            }
            Self::BufferImprovedMore => "The buffer area improved even more than the target area.",
            Self::NotMeaningful => {
                "The target did not improve relative to the control, so displacement cannot be judged."
            }
        }
    }
}

/// Weighted displacement difference test (Wheeler & Ratcliffe 2018).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Wdd {
    /// WDD = ΔT − ΔC + ΔD − ΔDC (negative = fewer crimes than expected).
    pub wdd: f64,
    /// Variance under the Poisson assumption: the sum of the eight counts (see [`wdd`]).
    pub variance: f64,
    /// Standard error √variance.
    pub se: f64,
    /// WDD / SE; `None` when SE = 0 (every count 0).
    pub z: Option<f64>,
    /// Lower end of the 95 % interval, WDD − 1.96·SE.
    pub ci_low: f64,
    /// Upper end of the 95 % interval, WDD + 1.96·SE.
    pub ci_high: f64,
    /// Two-sided normal p value of Z; `None` with Z.
    pub p: Option<f64>,
}

/// The full before/after assessment.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Assessment {
    /// Success measure SM = A1/C1 − A0/C0 (negative = success); `None` if a control count is 0.
    pub success_measure: Option<f64>,
    /// Buffer displacement measure BDM = B1/C1 − B0/C0; `None` if a control count is 0.
    pub buffer_displacement_measure: Option<f64>,
    /// WDQ = BDM / SM, only when SM < 0 and both are defined.
    pub wdq: Option<f64>,
    /// What the WDQ says.
    pub wdq_interpretation: WdqInterpretation,
    /// Control-adjusted counts prevented: (A0·C1/C0 − A1) + (B0·C1/C0 − B1); `None` if C0 = 0.
    pub net_effect: Option<f64>,
    /// The WDD test.
    pub wdd: Wdd,
    /// Poisson E-test p value for the target's count before vs after.
    pub target_e_test_p: f64,
}

/// r1/c1 − r0/c0, `None` when a control count is 0.
fn control_adjusted_change(area: BeforeAfter, control: BeforeAfter) -> Option<f64> {
    (control.before > 0 && control.after > 0)
        .then(|| area.after as f64 / control.after as f64 - area.before as f64 / control.before as f64)
}

/// The weighted displacement quotient WDQ = BDM / SM, defined only when SM < 0 (the target improved relative to
/// control): returns (SM, BDM, WDQ).
pub fn wdq(target: BeforeAfter, buffer: BeforeAfter, control: BeforeAfter) -> (Option<f64>, Option<f64>, Option<f64>) {
    let sm = control_adjusted_change(target, control);
    let bdm = control_adjusted_change(buffer, control);
    let q = match (sm, bdm) {
        (Some(s), Some(b)) if s < 0.0 => Some(b / s),
        _ => None,
    };
    (sm, bdm, q)
}

/// Net effect: control-adjusted counts prevented in target and buffer, (A0·C1/C0 − A1) + (B0·C1/C0 − B1);
/// `None` when C0 = 0.
pub fn net_effect(target: BeforeAfter, buffer: BeforeAfter, control: BeforeAfter) -> Option<f64> {
    (control.before > 0).then(|| {
        let ratio = control.after as f64 / control.before as f64;
        (target.before as f64 * ratio - target.after as f64) + (buffer.before as f64 * ratio - buffer.after as f64)
    })
}

/// The weighted displacement difference test (Wheeler & Ratcliffe 2018): WDD = ΔT − ΔC + ΔD − ΔDC with
/// Var = the sum of the eight counts. Without a buffer control, DC = C, so WDD = ΔT + ΔD − 2ΔC and
/// Var = T0 + T1 + D0 + D1 + 4(C0 + C1).
pub fn wdd(target: BeforeAfter, buffer: BeforeAfter, control: BeforeAfter, buffer_control: Option<BeforeAfter>) -> Wdd {
    let total = |a: BeforeAfter| a.before as f64 + a.after as f64;
    let (wdd, variance) = match buffer_control {
        Some(dc) => (
            target.change() - control.change() + buffer.change() - dc.change(),
            total(target) + total(control) + total(buffer) + total(dc),
        ),
        None => (
            target.change() + buffer.change() - 2.0 * control.change(),
            total(target) + total(buffer) + 4.0 * total(control),
        ),
    };
    let se = variance.sqrt();
    let z = (se > 0.0).then(|| wdd / se);
    Wdd { wdd, variance, se, z, ci_low: wdd - Z_95 * se, ci_high: wdd + Z_95 * se, p: z.map(two_sided_p) }
}

/// Every measure of METHODS.md's "Assessment of a response" for one set of counts.
pub fn assess(input: &AssessmentInput) -> Assessment {
    let (success_measure, buffer_displacement_measure, q) = wdq(input.target, input.buffer, input.control);
    Assessment {
        success_measure,
        buffer_displacement_measure,
        wdq: q,
        wdq_interpretation: WdqInterpretation::of(q),
        net_effect: net_effect(input.target, input.buffer, input.control),
        wdd: wdd(input.target, input.buffer, input.control, input.buffer_control),
        target_e_test_p: e_test(input.target.before, input.target.after),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn ba(before: u64, after: u64) -> BeforeAfter {
        BeforeAfter::new(before, after)
    }

    #[test]
    fn bowers_johnson_check() {
        let a = assess(&AssessmentInput {
            target: ba(100, 50),
            buffer: ba(100, 150),
            control: ba(100, 100),
            buffer_control: None,
        });
        assert_eq!(a.success_measure, Some(-0.5));
        assert_eq!(a.buffer_displacement_measure, Some(0.5));
        assert_eq!(a.wdq, Some(-1.0));
        assert_eq!(a.wdq_interpretation, WdqInterpretation::Displacement);
        assert_eq!(a.net_effect, Some(0.0));
    }

    #[test]
    fn ptools_wdd_check() {
        let w = wdd(ba(207, 110), ba(178, 157), ba(308, 318), Some(ba(150, 140)));
        assert_eq!(w.wdd, -118.0);
        assert_eq!(w.variance, 1568.0);
        assert!((w.se - 39.60).abs() < 0.005, "{}", w.se);
        assert!((w.z.unwrap() - -2.98).abs() < 0.005);
        assert_eq!((w.ci_low.round(), w.ci_high.round()), (-196.0, -40.0));
        let p = w.p.unwrap();
        assert!((p - two_sided_p(-118.0 / 1568f64.sqrt())).abs() < 1e-15 && p < 0.01);
    }

    #[test]
    fn wdd_without_buffer_control_uses_control_twice() {
        let t = ba(207, 110);
        let d = ba(178, 157);
        let c = ba(308, 318);
        // Same point estimate as passing C as the buffer control, but C enters twice (perfectly correlated),
        // so its variance counts four times rather than twice.
        let w = wdd(t, d, c, None);
        assert_eq!(w.wdd, wdd(t, d, c, Some(c)).wdd);
        assert_eq!(w.wdd, -97.0 - 21.0 - 2.0 * 10.0);
        assert_eq!(w.variance, 207.0 + 110.0 + 178.0 + 157.0 + 4.0 * (308.0 + 318.0));
    }

    #[test]
    fn undefined_measures_are_none() {
        let a =
            assess(&AssessmentInput { target: ba(0, 0), buffer: ba(0, 0), control: ba(0, 0), buffer_control: None });
        assert_eq!((a.success_measure, a.buffer_displacement_measure, a.wdq, a.net_effect), (None, None, None, None));
        assert_eq!(a.wdq_interpretation, WdqInterpretation::NotMeaningful);
        assert_eq!((a.wdd.wdd, a.wdd.se, a.wdd.z, a.wdd.p), (0.0, 0.0, None, None));
        assert_eq!(a.target_e_test_p, 1.0);
        // The target got worse relative to control: no WDQ.
        let (sm, _, q) = wdq(ba(10, 20), ba(5, 5), ba(10, 10));
        assert_eq!((sm, q), (Some(1.0), None));
        // Control after 0 but before not: SM undefined, net effect defined.
        let a =
            assess(&AssessmentInput { target: ba(10, 5), buffer: ba(4, 4), control: ba(8, 0), buffer_control: None });
        assert_eq!((a.success_measure, a.net_effect), (None, Some(-9.0)));
    }

    #[test]
    fn interpretation_boundaries() {
        assert_eq!(WdqInterpretation::of(Some(-0.1)), WdqInterpretation::Displacement);
        assert_eq!(WdqInterpretation::of(Some(0.0)), WdqInterpretation::NoBufferChange);
        assert_eq!(WdqInterpretation::of(Some(0.4)), WdqInterpretation::PartialDiffusion);
        assert_eq!(WdqInterpretation::of(Some(1.0)), WdqInterpretation::PartialDiffusion);
        assert_eq!(WdqInterpretation::of(Some(1.5)), WdqInterpretation::BufferImprovedMore);
        assert_eq!(WdqInterpretation::of(None), WdqInterpretation::NotMeaningful);
        assert!(!WdqInterpretation::Displacement.describe().is_empty());
    }

    fn counts() -> impl Strategy<Value = BeforeAfter> {
        (0u64..2000, 0u64..2000).prop_map(|(b, a)| ba(b, a))
    }

    proptest! {
        #[test]
        fn wdd_flips_sign_when_before_and_after_swap(t in counts(), d in counts(), c in counts(), dc in prop::option::of(counts())) {
            let w = wdd(t, d, c, dc);
            let s = wdd(t.swapped(), d.swapped(), c.swapped(), dc.map(|x| x.swapped()));
            prop_assert_eq!(s.wdd, -w.wdd);
            prop_assert_eq!(s.se, w.se);
            prop_assert_eq!(s.p, w.p);
        }

        #[test]
        fn outputs_are_finite(t in counts(), d in counts(), c in counts(), dc in prop::option::of(counts())) {
            let a = assess(&AssessmentInput { target: t, buffer: d, control: c, buffer_control: dc });
            let opts = [a.success_measure, a.buffer_displacement_measure, a.wdq, a.net_effect, a.wdd.z, a.wdd.p];
            prop_assert!(opts.iter().flatten().all(|v| v.is_finite()));
            prop_assert!([a.wdd.wdd, a.wdd.se, a.wdd.ci_low, a.wdd.ci_high, a.target_e_test_p].iter().all(|v| v.is_finite()));
            prop_assert!(a.wdq.is_none() || a.success_measure.unwrap() < 0.0);
        }
    }
}
