//! Option-based decisions — single- and multiple-choice polls, ranked choice (instant run-off), score, dot vote,
//! time poll — and question rounds: ballots from forms, tallies per side and combined (each side weighs half).

use super::results::{OptionRow, Results, Settings};
use crate::i18n::Tr;
use commonbeat_domain::Side;
use commonbeat_domain::decision::{
    Availability, Ballot, DotSettings, PollSettings, Reason, ScoreRange, ScoreSettings, tally_dot_vote, tally_poll,
    tally_question_round, tally_ranked_choice, tally_score, tally_time_poll,
};
use commonbeat_store::entities::{ballot, decision};

/// Option-based kinds.
pub const OPTION_KINDS: [&str; 6] = ["poll_single", "poll_multi", "ranked", "score", "dot", "time_poll"];

/// The option labels of a decision.
pub fn labels(d: &decision::Model) -> Vec<String> {
    serde_json::from_str(&d.options).unwrap_or_default()
}

/// Extra settings of option kinds (stored in the same JSON as [`Settings`]).
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize, Default)]
pub struct OptionSettings {
    /// Most options a multiple-choice ballot may pick.
    #[serde(default)]
    pub max_choices: usize,
    /// Score range.
    #[serde(default)]
    pub score_min: i32,
    /// Score range.
    #[serde(default)]
    pub score_max: i32,
    /// Dots per voter.
    #[serde(default)]
    pub dots: u64,
}

impl OptionSettings {
    /// From a stored decision.
    pub fn of(d: &decision::Model) -> OptionSettings {
        serde_json::from_str(&d.settings).unwrap_or_default()
    }
}

/// Builds a ballot's JSON choice from submitted form pairs, or says what is wrong (a Fluent key).
pub fn ballot_from_form(d: &decision::Model, pairs: &[(String, String)]) -> Result<String, &'static str> {
    let n = labels(d).len();
    let s = OptionSettings::of(d);
    let get = |k: &str| pairs.iter().find(|(key, _)| key == k).map(|(_, v)| v.trim().to_string());
    let per_option = |prefix: &str| (0..n).map(|i| get(&format!("{prefix}{i}"))).collect::<Vec<_>>();
    let json = match d.kind.as_str() {
        "poll_single" => {
            let i: usize = get("option").and_then(|v| v.parse().ok()).filter(|i| *i < n).ok_or("vote-pick-one")?;
            serde_json::to_string(&vec![i])
        }
        "poll_multi" => {
            let picked: Vec<usize> = pairs
                .iter()
                .filter(|(k, _)| k == "option")
                .filter_map(|(_, v)| v.parse().ok())
                .filter(|i| *i < n)
                .collect();
            if picked.is_empty() || picked.len() > s.max_choices.max(1) {
                return Err("vote-pick-some");
            }
            serde_json::to_string(&picked)
        }
        "ranked" => {
            let mut ranked: Vec<(usize, usize)> = per_option("rank_")
                .iter()
                .enumerate()
                .filter_map(|(i, r)| r.as_ref()?.parse::<usize>().ok().map(|r| (r, i)))
                .collect();
            ranked.sort();
            let ranks: Vec<usize> = ranked.iter().map(|(r, _)| *r).collect();
            if ranked.is_empty() || ranks.windows(2).any(|w| w[0] == w[1]) {
                return Err("vote-rank-distinct");
            }
            serde_json::to_string(&ranked.into_iter().map(|(_, i)| i).collect::<Vec<_>>())
        }
        "score" => {
            let scores: Option<Vec<i32>> = per_option("score_").into_iter().map(|v| v?.parse::<i32>().ok()).collect();
            let scores = scores
                .filter(|v| v.iter().all(|x| *x >= s.score_min && *x <= s.score_max))
                .ok_or("vote-score-range")?;
            serde_json::to_string(&scores)
        }
        "dot" => {
            let dots: Option<Vec<u64>> = per_option("dots_")
                .into_iter()
                .map(|v| v.unwrap_or_default().parse::<u64>().ok().or(Some(0)))
                .collect();
            let dots = dots.unwrap_or_default();
            if dots.iter().sum::<u64>() > s.dots || dots.iter().all(|x| *x == 0) {
                return Err("vote-dots");
            }
            serde_json::to_string(&dots)
        }
        "time_poll" => {
            let a: Option<Vec<String>> =
                per_option("avail_").into_iter().map(|v| v.filter(|x| Availability::parse(x).is_some())).collect();
            serde_json::to_string(&a.ok_or("vote-availability")?)
        }
        "question" => serde_json::to_string("response"),
        _ => return Err("vote-refused"),
    };
    json.map_err(|_| "vote-refused")
}

fn pct(x: f64) -> f64 {
    (x * 1000.0).round() / 10.0
}

fn at(v: &Option<Vec<f64>>, i: usize) -> Option<f64> {
    v.as_ref().and_then(|v| v.get(i).copied())
}

/// Tallies an option-based decision or question round.
pub fn tally(t: &Tr, d: &decision::Model, stored: &[ballot::Model]) -> Results {
    let names = labels(d);
    let n = names.len();
    let s = OptionSettings::of(d);
    let _ = Settings::of(d);
    let side_of = |b: &ballot::Model| if b.side == "police" { Side::Police } else { Side::Community };
    let parse = |b: &ballot::Model| -> Option<serde_json::Value> { serde_json::from_str(&b.choice).ok() };
    let tp = stored.iter().filter(|b| side_of(b) == Side::Police).count() as u64;
    let tc = stored.len() as u64 - tp;
    let mut explanation = Vec::new();
    let row = |i: usize, p: u64, c: u64, ps: Option<f64>, cs: Option<f64>, comb: Option<f64>| OptionRow {
        option: i.to_string(),
        label: names.get(i).cloned().unwrap_or_default(),
        police: p,
        community: c,
        police_pct: ps.map(pct),
        community_pct: cs.map(pct),
        combined_pct: comb.map(pct),
    };
    let winners_line = |w: &[usize]| -> Option<String> {
        match w {
            [] => None,
            [one] => Some(t.t1("winner", "option", names.get(*one).map(String::as_str).unwrap_or(""))),
            many => Some(t.t1(
                "winners-tie",
                "options",
                &many.iter().filter_map(|i| names.get(*i).cloned()).collect::<Vec<_>>().join(", "),
            )),
        }
    };
    let options: Vec<OptionRow> = match d.kind.as_str() {
        "poll_single" | "poll_multi" => {
            let bs: Vec<Ballot<Vec<usize>>> = stored
                .iter()
                .filter_map(|b| Some(Ballot::new(side_of(b), serde_json::from_value(parse(b)?).ok()?)))
                .collect();
            let settings = if d.kind == "poll_single" {
                PollSettings::single(n)
            } else {
                PollSettings::multiple(n, s.max_choices.max(1))
            };
            match tally_poll(&settings, &bs) {
                Ok(r) => {
                    explanation.extend(winners_line(&r.winners));
                    (0..n)
                        .map(|i| {
                            row(
                                i,
                                r.sides.police.counts[i],
                                r.sides.community.counts[i],
                                at(&r.sides.police.shares, i),
                                at(&r.sides.community.shares, i),
                                at(&r.combined, i),
                            )
                        })
                        .collect()
                }
                Err(_) => Vec::new(),
            }
        }
        "score" => {
            let bs: Vec<Ballot<Vec<i32>>> = stored
                .iter()
                .filter_map(|b| Some(Ballot::new(side_of(b), serde_json::from_value(parse(b)?).ok()?)))
                .collect();
            let settings = ScoreSettings { options: n, range: ScoreRange { min: s.score_min, max: s.score_max } };
            match tally_score(&settings, &bs) {
                Ok(r) => {
                    explanation.extend(winners_line(&r.winners));
                    explanation.push(t.t2(
                        "score-means",
                        ("min", &s.score_min.to_string()),
                        ("max", &s.score_max.to_string()),
                    ));
                    let mean = |v: &Option<Vec<f64>>, i| at(v, i).map(|x| (x * 100.0).round() / 100.0);
                    (0..n)
                        .map(|i| OptionRow {
                            option: i.to_string(),
                            label: names[i].clone(),
                            police: r.sides.police.ballots,
                            community: r.sides.community.ballots,
                            police_pct: mean(&r.sides.police.means, i),
                            community_pct: mean(&r.sides.community.means, i),
                            combined_pct: mean(&r.combined, i),
                        })
                        .collect()
                }
                Err(_) => Vec::new(),
            }
        }
        "dot" => {
            let bs: Vec<Ballot<Vec<u64>>> = stored
                .iter()
                .filter_map(|b| Some(Ballot::new(side_of(b), serde_json::from_value(parse(b)?).ok()?)))
                .collect();
            match tally_dot_vote(&DotSettings { options: n, dots: s.dots }, &bs) {
                Ok(r) => {
                    explanation.extend(winners_line(&r.winners));
                    (0..n)
                        .map(|i| {
                            row(
                                i,
                                r.sides.police.dots[i],
                                r.sides.community.dots[i],
                                at(&r.sides.police.shares, i),
                                at(&r.sides.community.shares, i),
                                at(&r.combined, i),
                            )
                        })
                        .collect()
                }
                Err(_) => Vec::new(),
            }
        }
        "time_poll" => {
            let bs: Vec<Ballot<Vec<Availability>>> = stored
                .iter()
                .filter_map(|b| {
                    let v: Vec<String> = serde_json::from_value(parse(b)?).ok()?;
                    Some(Ballot::new(side_of(b), v.iter().map(|x| Availability::parse(x)).collect::<Option<Vec<_>>>()?))
                })
                .collect();
            match tally_time_poll(n, &bs) {
                Ok(r) => {
                    if let Some(best) = r.best.first() {
                        explanation.push(t.t1("time-best", "time", &names[*best]));
                    }
                    (0..n)
                        .map(|i| {
                            row(
                                i,
                                r.sides.police.yes[i],
                                r.sides.community.yes[i],
                                at(&r.sides.police.yes_share, i),
                                at(&r.sides.community.yes_share, i),
                                at(&r.combined_yes_share, i),
                            )
                        })
                        .collect()
                }
                Err(_) => Vec::new(),
            }
        }
        "ranked" => {
            let bs: Vec<Ballot<Vec<usize>>> = stored
                .iter()
                .filter_map(|b| Some(Ballot::new(side_of(b), serde_json::from_value(parse(b)?).ok()?)))
                .collect();
            match tally_ranked_choice(n, &bs) {
                Ok(r) => {
                    for round in &r.rounds {
                        if let Some(e) = &round.eliminated {
                            explanation.push(t.t2(
                                "irv-eliminated",
                                ("round", &round.round.to_string()),
                                ("option", &names[e.option]),
                            ));
                        }
                    }
                    if let Some(w) = r.winner {
                        explanation.push(t.t1("irv-winner", "option", &names[w]));
                    }
                    let first = r.rounds.first();
                    let last = r.rounds.last();
                    (0..n)
                        .map(|i| {
                            let fp = first.map(|f| (f.ballots.police[i], f.ballots.community[i])).unwrap_or((0, 0));
                            let share = |c: u64, t: u64| (t > 0).then(|| c as f64 / t as f64);
                            row(
                                i,
                                fp.0,
                                fp.1,
                                share(fp.0, tp),
                                share(fp.1, tc),
                                last.and_then(|l| l.weights[i])
                                    .map(|w| w / last.map_or(1.0, |l| l.remaining_weight.max(f64::MIN_POSITIVE))),
                            )
                        })
                        .collect()
                }
                Err(_) => Vec::new(),
            }
        }
        _ => {
            let bs: Vec<Ballot<()>> = stored.iter().map(|b| Ballot::new(side_of(b), ())).collect();
            let r = tally_question_round(&bs);
            explanation.push(t.t2(
                "question-responses",
                ("police", &r.responses.police.to_string()),
                ("community", &r.responses.community.to_string()),
            ));
            Vec::new()
        }
    };
    if stored.is_empty() {
        explanation.push(t.t("no-votes-yet"));
    } else if tp == 0 || tc == 0 {
        explanation.push(t.t("one-side-only"));
    }
    let _ = Reason::NotBinding;
    let unit = if d.kind == "score" { String::new() } else { "%".into() };
    Results {
        outcome: None,
        outcome_label: None,
        turnout_police: tp,
        turnout_community: tc,
        options,
        explanation,
        complete: tp > 0 && tc > 0,
        unit,
    }
}

/// The best time of a time poll (most "yes" across both sides, each weighing half) as a local date and time, when
/// its label names one (`YYYY-MM-DD` and `H:MM` anywhere in the label, e.g. `Sat 2026-12-12, 9:00`).
pub fn best_time(d: &decision::Model, stored: &[ballot::Model]) -> Option<jiff::civil::DateTime> {
    if d.kind != "time_poll" {
        return None;
    }
    let names = labels(d);
    let bs: Vec<Ballot<Vec<Availability>>> = stored
        .iter()
        .filter_map(|b| {
            let v: Vec<String> = serde_json::from_str(&b.choice).ok()?;
            let side = if b.side == "police" { Side::Police } else { Side::Community };
            Some(Ballot::new(side, v.iter().map(|x| Availability::parse(x)).collect::<Option<Vec<_>>>()?))
        })
        .collect();
    let best = *tally_time_poll(names.len(), &bs).ok()?.best.first()?;
    label_time(names.get(best)?)
}

/// Reads `YYYY-MM-DD` and `H:MM` from a time-poll option label.
pub fn label_time(label: &str) -> Option<jiff::civil::DateTime> {
    let words: Vec<&str> = label.split(|c: char| c.is_whitespace() || c == ',' || c == 'T').collect();
    let date: jiff::civil::Date = words.iter().find_map(|w| w.parse().ok())?;
    let time = words.iter().find_map(|w| {
        let (h, m) = w.split_once(':')?;
        jiff::civil::Time::new(h.parse().ok()?, m.parse().ok()?, 0, 0).ok()
    })?;
    Some(date.to_datetime(time))
}

#[cfg(test)]
mod time_tests {
    use super::label_time;

    #[test]
    fn reads_dates_and_times_from_labels() {
        assert_eq!(label_time("Sat 2026-12-12, 9:00").unwrap().to_string(), "2026-12-12T09:00:00");
        assert_eq!(label_time("2027-01-09T18:30").unwrap().to_string(), "2027-01-09T18:30:00");
        assert!(label_time("Sat 14 Mar, 9:00").is_none());
        assert!(label_time("2026-12-12 25:00").is_none());
    }
}
