//! Tests of the tally engine: hand-worked examples per decision type and the parity properties.

use super::*;
use crate::account::Side;

mod common_ground;
mod polls;
mod proposal;
mod props;
mod ranked;

/// `n` copies of a ballot of `side`.
fn many<T: Clone>(side: Side, choice: T, n: usize) -> Vec<Ballot<T>> {
    vec![Ballot::new(side, choice); n]
}

/// Asserts that `got` is within 1e-12 of `want`.
#[track_caller]
fn close(got: f64, want: f64) {
    assert!((got - want).abs() < 1e-12, "got {got}, want {want}");
}

/// Asserts element-wise closeness.
#[track_caller]
fn close_all(got: &[f64], want: &[f64]) {
    assert_eq!(got.len(), want.len(), "lengths differ: {got:?} vs {want:?}");
    for (g, w) in got.iter().zip(want) {
        close(*g, *w);
    }
}
