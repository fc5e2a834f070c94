//! Public crime figures for the transparency views, under the rules of [`crate::crime::privacy`]: nothing after
//! the publication lag, sensitive incidents only inside totals (never in a category row), category counts under
//! the public minimum suppressed with their complement, and totals under the minimum hidden too.
//!
//! One pass over the incidents of the two periods (this one and the year before) counts them by the set of areas
//! each lies in (its "signature"); a partnership's figures are the sum over the signatures touching its areas, so
//! an incident in two of its areas counts once and 300 partnerships cost one pass, not 300.

use crate::crime::columns::Columns;
use crate::crime::privacy::{self, PUBLIC_MIN_COUNT};
use serde::Serialize;
use std::collections::HashMap;

/// The two periods compared: `[from, to)` and the year before `[prev_from, prev_to)`.
#[derive(Debug, Clone, Copy)]
pub struct CrimePeriods {
    /// Start of the period.
    pub from: i64,
    /// End (exclusive), already limited to the public cut-off.
    pub to: i64,
    /// Start of the year-earlier period.
    pub prev_from: i64,
    /// End of the year-earlier period.
    pub prev_to: i64,
}

/// A category row.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct CrimeCategory {
    /// Category key (`violent`, `property`, …).
    pub category: String,
    /// Incidents (sensitive ones excluded); `null` when suppressed.
    pub count: Option<u64>,
    /// Hidden as a small cell (or its complement).
    pub suppressed: bool,
}

/// The public crime figures of an area set.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct CrimeSummary {
    /// Start of the period (unix seconds).
    pub from: i64,
    /// End of the period, exclusive (unix seconds): never later than the publication lag allows.
    pub published_until: i64,
    /// All incidents, sensitive ones included; `null` when under the public minimum.
    pub total: Option<u64>,
    /// The same for the year before; `null` when suppressed or when the data do not reach back that far.
    pub total_year_before: Option<u64>,
    /// Change against the year before, percent.
    pub change_pct: Option<f64>,
    /// Non-sensitive incidents by category, small cells suppressed.
    pub categories: Vec<CrimeCategory>,
}

#[derive(Debug, Clone, Default)]
struct Counts {
    by_category: Vec<u64>,
    total: u64,
    prev_total: u64,
}

/// Incidents counted by area signature, ready to be summed per partnership.
pub struct CrimeTally {
    periods: CrimePeriods,
    covered: bool,
    categories: Vec<String>,
    /// Categories with any non-sensitive incident in the jurisdiction: a category whose incidents are all
    /// sensitive (sex offences, by default) gets no row at all, rather than a misleading zero.
    published: Vec<bool>,
    by_sig: HashMap<Vec<i64>, Counts>,
}

impl CrimeTally {
    /// Counts the incidents of both periods once.
    pub fn new(c: &Columns, periods: CrimePeriods) -> CrimeTally {
        let n_cat = c.categories.values.len();
        let mut by_sig: HashMap<Vec<i64>, Counts> = HashMap::new();
        let mut sig = Vec::new();
        let mut count = |i: usize, current: bool, by_sig: &mut HashMap<Vec<i64>, Counts>| {
            sig.clear();
            sig.extend(c.areas.iter().filter(|a| a.contains(i)).map(|a| a.id));
            let e = match by_sig.get_mut(&sig) {
                Some(e) => e,
                None => by_sig
                    .entry(sig.clone())
                    .or_insert_with(|| Counts { by_category: vec![0; n_cat], ..Counts::default() }),
            };
            if current {
                e.total += 1;
                if c.sensitive[i] == 0 {
                    e.by_category[usize::from(c.category[i])] += 1;
                }
            } else {
                e.prev_total += 1;
            }
        };
        for i in c.time_range(periods.prev_from, periods.prev_to) {
            count(i, false, &mut by_sig);
        }
        for i in c.time_range(periods.from, periods.to) {
            count(i, true, &mut by_sig);
        }
        let published =
            (0..n_cat).map(|k| by_sig.values().any(|e| e.by_category.get(k).is_some_and(|n| *n > 0))).collect();
        CrimeTally {
            periods,
            covered: c.t.first().is_some_and(|&first| first <= periods.prev_from),
            categories: c.categories.values.clone(),
            published,
            by_sig,
        }
    }

    /// The public figures for incidents in any of `areas` (the whole jurisdiction when `None`).
    pub fn summary(&self, areas: Option<&[i64]>) -> CrimeSummary {
        let mut sum = Counts { by_category: vec![0; self.categories.len()], ..Counts::default() };
        for (sig, c) in &self.by_sig {
            if areas.is_none_or(|set| sig.iter().any(|a| set.contains(a))) {
                sum.total += c.total;
                sum.prev_total += c.prev_total;
                for (s, x) in sum.by_category.iter_mut().zip(&c.by_category) {
                    *s += x;
                }
            }
        }
        let shown_total = (sum.total >= PUBLIC_MIN_COUNT).then_some(sum.total);
        let prev = (self.covered && sum.prev_total >= PUBLIC_MIN_COUNT).then_some(sum.prev_total);
        let change_pct = match (shown_total, prev) {
            (Some(t), Some(p)) if p > 0 => Some(((t as f64 - p as f64) / p as f64 * 1000.0).round() / 10.0),
            _ => None,
        };
        // Index 0 of the interner is the empty key; categories are listed in the interner's order.
        let keys: Vec<usize> = (1..self.categories.len()).filter(|&k| self.published[k]).collect();
        let counts: Vec<u64> = keys.iter().map(|&k| sum.by_category[k]).collect();
        // The total minus the category rows is the area's sensitive incidents, lumped: an area total, which the
        // public may see, but not when it is a small cell. Then one more category row is hidden with it (the
        // smallest), unless the suppression already hid one, so the difference never isolates it.
        let sensitive = sum.total.saturating_sub(sum.by_category.iter().sum::<u64>());
        let mut hidden = if shown_total.is_some() { privacy::suppressed(&counts) } else { vec![true; counts.len()] };
        if (1..privacy::PUBLIC_MIN_COUNT).contains(&sensitive)
            && !hidden.iter().any(|h| *h)
            && let Some(i) = (0..counts.len()).filter(|&i| counts[i] > 0).min_by_key(|&i| (counts[i], i))
        {
            hidden[i] = true;
        }
        let mut categories: Vec<CrimeCategory> = keys
            .iter()
            .zip(counts.iter().zip(&hidden))
            .map(|(&k, (&n, &h))| CrimeCategory {
                category: self.categories[k].clone(),
                count: (!h).then_some(n),
                suppressed: h,
            })
            .collect();
        categories.sort_by(|a, b| a.category.cmp(&b.category));
        CrimeSummary {
            from: self.periods.from,
            published_until: self.periods.to,
            total: shown_total,
            total_year_before: prev,
            change_pct,
            categories,
        }
    }
}

/// The periods ending at the public cut-off: the last `days` days before it and the same span a year earlier.
pub fn trailing(now: i64, days: i64) -> CrimePeriods {
    let to = privacy::public_cutoff(now);
    let from = to - days * 86_400;
    CrimePeriods { from, to, prev_from: from - 365 * 86_400, prev_to: from }
}

/// The periods of a calendar span `[from, to)`, cut at the public cut-off, with the same span a year earlier.
pub fn span(from: i64, to: i64, now: i64) -> CrimePeriods {
    let to = to.min(privacy::public_cutoff(now)).max(from);
    CrimePeriods { from, to, prev_from: from - 365 * 86_400, prev_to: to - 365 * 86_400 }
}
