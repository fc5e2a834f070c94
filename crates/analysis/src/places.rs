//! Concentration of incidents at places (the "law of crime concentration"): how much of the total the busiest
//! places account for, and how many places see repeats.
//!
//! Places are whatever key identifies them (a block string, an address id, a grid cell). Only places with at
//! least one incident exist for these statistics: the number of places is the number of distinct keys.

use std::collections::HashMap;
use std::hash::Hash;

use serde::Serialize;

/// Share of incidents at the top `percent` % of places.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TopShare {
    /// The percentage of places, e.g. 5.
    pub percent: u32,
    /// Number of top places: ⌈percent/100 × places⌉, rounded up so that any place with an incident makes at
    /// least one top place (with 7 places, the top 5 % is 1 place).
    pub places: usize,
    /// Incidents at those places.
    pub incidents: u64,
    /// incidents / all incidents; `None` when there are no incidents.
    pub share: Option<f64>,
}

/// Place concentration of a set of incidents.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PlaceConcentration<K> {
    /// Number of incidents.
    pub incidents: u64,
    /// Number of distinct places with at least one incident.
    pub places: usize,
    /// The busiest 5 % of places.
    pub top5: TopShare,
    /// The busiest 10 % of places.
    pub top10: TopShare,
    /// The busiest 20 % of places.
    pub top20: TopShare,
    /// Places with two or more incidents.
    pub repeat_places: usize,
    /// Incidents at repeat places.
    pub repeat_incidents: u64,
    /// repeat_incidents / incidents; `None` when there are no incidents.
    pub repeat_share: Option<f64>,
    /// The busiest places with their counts, most incidents first (ties by key, ascending), at most `top_n`.
    pub top: Vec<(K, u64)>,
}

/// Places ranked by count, most first; ties broken by key so the ranking is deterministic.
pub fn rank_places<K: Ord + Hash + Clone>(keys: &[K]) -> Vec<(K, u64)> {
    let mut counts: HashMap<&K, u64> = HashMap::new();
    for k in keys {
        *counts.entry(k).or_default() += 1;
    }
    let mut ranked: Vec<(K, u64)> = counts.into_iter().map(|(k, c)| (k.clone(), c)).collect();
    ranked.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    ranked
}

fn top_share(ranked: &[u64], total: u64, percent: u32) -> TopShare {
    // ⌈percent × n / 100⌉ in integers.
    let places = (ranked.len() * percent as usize).div_ceil(100).min(ranked.len());
    let incidents: u64 = ranked[..places].iter().sum();
    TopShare { percent, places, incidents, share: (total > 0).then(|| incidents as f64 / total as f64) }
}

/// Concentration of incidents over places: `keys` holds the place of each incident (one entry per incident).
/// Reports the share of incidents at the busiest 5, 10 and 20 % of places, the places with repeats, and the
/// `top_n` busiest places.
pub fn place_concentration<K: Ord + Hash + Clone>(keys: &[K], top_n: usize) -> PlaceConcentration<K> {
    let ranked = rank_places(keys);
    let counts: Vec<u64> = ranked.iter().map(|(_, c)| *c).collect();
    let incidents = keys.len() as u64;
    let repeat_places = counts.iter().filter(|&&c| c >= 2).count();
    let repeat_incidents: u64 = counts.iter().filter(|&&c| c >= 2).sum();
    PlaceConcentration {
        incidents,
        places: ranked.len(),
        top5: top_share(&counts, incidents, 5),
        top10: top_share(&counts, incidents, 10),
        top20: top_share(&counts, incidents, 20),
        repeat_places,
        repeat_incidents,
        repeat_share: (incidents > 0).then(|| repeat_incidents as f64 / incidents as f64),
        top: ranked.into_iter().take(top_n).collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn small_example() {
        // 10 places: A ×6, B ×3, C ×2, D..J ×1 → 18 incidents.
        let mut keys = vec!["A"; 6];
        keys.extend(["B"; 3]);
        keys.extend(["C"; 2]);
        keys.extend(["D", "E", "F", "G", "H", "I", "J"]);
        let c = place_concentration(&keys, 3);
        assert_eq!((c.incidents, c.places), (18, 10));
        // Top 5 % of 10 places rounds up to 1 place, top 10 % is 1, top 20 % is 2.
        assert_eq!((c.top5.places, c.top5.incidents), (1, 6));
        assert_eq!((c.top10.places, c.top10.incidents), (1, 6));
        assert_eq!((c.top20.places, c.top20.incidents), (2, 9));
        assert_eq!(c.top20.share, Some(0.5));
        assert_eq!((c.repeat_places, c.repeat_incidents), (3, 11));
        assert_eq!(c.repeat_share, Some(11.0 / 18.0));
        assert_eq!(c.top, vec![("A", 6), ("B", 3), ("C", 2)]);
    }

    #[test]
    fn empty_and_ties() {
        let c = place_concentration::<u32>(&[], 5);
        assert_eq!((c.places, c.top5.places, c.top5.share, c.repeat_share), (0, 0, None, None));
        assert!(c.top.is_empty());
        let c = place_concentration(&[3u32, 1, 2, 3, 1], 10);
        assert_eq!(c.top, vec![(1, 2), (3, 2), (2, 1)]);
    }

    proptest! {
        #[test]
        fn shares_are_monotone(keys in prop::collection::vec(0u16..300, 0..400), top_n in 0usize..20) {
            let c = place_concentration(&keys, top_n);
            let shares = [c.top5.share, c.top10.share, c.top20.share];
            if keys.is_empty() {
                prop_assert!(shares.iter().all(Option::is_none));
            } else {
                let s: Vec<f64> = shares.iter().map(|s| s.unwrap()).collect();
                prop_assert!(0.0 < s[0] && s[0] <= s[1] && s[1] <= s[2] && s[2] <= 1.0);
                prop_assert!(c.repeat_share.unwrap() <= 1.0);
            }
            prop_assert!(c.top5.places <= c.top10.places && c.top10.places <= c.top20.places);
            let total: u64 = rank_places(&keys).iter().map(|(_, n)| n).sum();
            prop_assert_eq!(total, keys.len() as u64);
            prop_assert_eq!(c.top.len(), top_n.min(c.places));
        }
    }
}
