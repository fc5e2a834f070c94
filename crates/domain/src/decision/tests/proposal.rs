use super::*;
use Side::{Community, Police};

/// Ballots from counts `[agree, abstain, disagree, block]` per side.
fn proposal_ballots(police: [usize; 4], community: [usize; 4]) -> Vec<Ballot<ProposalChoice>> {
    let mut out = Vec::new();
    for (side, counts) in [(Police, police), (Community, community)] {
        for (choice, n) in ProposalChoice::ALL.into_iter().zip(counts) {
            out.extend(many(side, choice, n));
        }
    }
    out
}

/// What is tested, police counts, community counts (in the order of the choice's `ALL`), quorum, whether it passes,
/// and the reasons.
type Case<const N: usize> = (&'static str, [usize; N], [usize; N], Quorum, bool, Vec<Reason>);

#[test]
fn proposals_follow_the_parity_rule() {
    use Reason::*;
    // (what, police [agree, abstain, disagree, block], community, quorum, passes, reasons)
    let cases: Vec<Case<4>> = vec![
        (
            "3 police agree vs 10 community disagree: no side outvotes the other",
            [3, 0, 0, 0],
            [0, 0, 10, 0],
            Quorum::NONE,
            false,
            vec![
                Majority { side: Police, agree: 3, against: 0 },
                NoMajority { side: Community, agree: 0, against: 10 },
            ],
        ),
        (
            "10 community agree vs 3 police disagree fails the same way",
            [0, 0, 3, 0],
            [10, 0, 0, 0],
            Quorum::NONE,
            false,
            vec![
                NoMajority { side: Police, agree: 0, against: 3 },
                Majority { side: Community, agree: 10, against: 0 },
            ],
        ),
        (
            "1 police agree + 1 community agree, no quorum",
            [1, 0, 0, 0],
            [1, 0, 0, 0],
            Quorum::NONE,
            true,
            vec![Majority { side: Police, agree: 1, against: 0 }, Majority { side: Community, agree: 1, against: 0 }],
        ),
        (
            "a single block fails a proposal both sides favour",
            [5, 0, 0, 0],
            [4, 0, 0, 1],
            Quorum::NONE,
            false,
            vec![
                Majority { side: Police, agree: 5, against: 0 },
                Majority { side: Community, agree: 4, against: 1 },
                Blocked { side: Community, blocks: 1 },
            ],
        ),
        (
            "a block counts as a disagree for the majority",
            [2, 0, 1, 1],
            [3, 0, 0, 0],
            Quorum::NONE,
            false,
            vec![
                NoMajority { side: Police, agree: 2, against: 2 },
                Majority { side: Community, agree: 3, against: 0 },
                Blocked { side: Police, blocks: 1 },
            ],
        ),
        (
            "a tie within a side is no majority",
            [2, 0, 2, 0],
            [5, 0, 1, 0],
            Quorum::NONE,
            false,
            vec![NoMajority { side: Police, agree: 2, against: 2 }, Majority { side: Community, agree: 5, against: 1 }],
        ),
        (
            "abstentions are set aside",
            [1, 5, 0, 0],
            [2, 3, 1, 0],
            Quorum::NONE,
            true,
            vec![Majority { side: Police, agree: 1, against: 0 }, Majority { side: Community, agree: 2, against: 1 }],
        ),
        (
            "a side that only abstains has no majority",
            [3, 0, 0, 0],
            [0, 4, 0, 0],
            Quorum::NONE,
            false,
            vec![Majority { side: Police, agree: 3, against: 0 }, NoMajority { side: Community, agree: 0, against: 0 }],
        ),
        (
            "quorum not met on one side",
            [2, 0, 0, 0],
            [3, 0, 0, 0],
            Quorum::each(3),
            false,
            vec![
                QuorumNotMet { side: Police, turnout: 2, quorum: 3 },
                Majority { side: Police, agree: 2, against: 0 },
                QuorumMet { side: Community, turnout: 3, quorum: 3 },
                Majority { side: Community, agree: 3, against: 0 },
            ],
        ),
        (
            "abstentions count towards the quorum",
            [1, 2, 0, 0],
            [2, 0, 1, 0],
            Quorum { police: 3, community: 2 },
            true,
            vec![
                QuorumMet { side: Police, turnout: 3, quorum: 3 },
                Majority { side: Police, agree: 1, against: 0 },
                QuorumMet { side: Community, turnout: 3, quorum: 2 },
                Majority { side: Community, agree: 2, against: 1 },
            ],
        ),
        (
            "a silent side fails the proposal",
            [4, 0, 0, 0],
            [0, 0, 0, 0],
            Quorum::NONE,
            false,
            vec![Majority { side: Police, agree: 4, against: 0 }, NoBallots { side: Community }],
        ),
        (
            "nobody voted",
            [0; 4],
            [0; 4],
            Quorum::NONE,
            false,
            vec![NoBallots { side: Police }, NoBallots { side: Community }],
        ),
    ];
    for (what, police, community, quorum, passes, reasons) in cases {
        let r = tally_proposal(&proposal_ballots(police, community), quorum);
        let want = if passes { Outcome::Passed } else { Outcome::Failed };
        assert_eq!(r.outcome, want, "{what}");
        assert_eq!(r.reasons, reasons, "{what}");
        assert_eq!(r.complete, police.iter().sum::<usize>() > 0 && community.iter().sum::<usize>() > 0, "{what}");
    }
}

#[test]
fn proposal_figures_per_side_and_combined() {
    let r = tally_proposal(&proposal_ballots([2, 1, 1, 0], [1, 0, 2, 1]), Quorum::each(4));
    let p = &r.sides.police;
    assert_eq!(p.counts, ProposalCounts { agree: 2, abstain: 1, disagree: 1, block: 0 });
    assert_eq!((p.turnout, p.quorum, p.quorum_met, p.majority), (4, 4, true, true));
    let ps = p.shares.unwrap();
    close_all(&[ps.agree, ps.abstain, ps.disagree, ps.block], &[0.5, 0.25, 0.25, 0.0]);
    close(p.decisive_agree_share.unwrap(), 2.0 / 3.0);
    let c = &r.sides.community;
    assert!(!c.majority);
    close(c.decisive_agree_share.unwrap(), 0.25);
    let s = r.combined.shares.unwrap();
    close_all(&[s.agree, s.abstain, s.disagree, s.block], &[0.375, 0.125, 0.375, 0.125]);
    close(r.combined.decisive_agree_share.unwrap(), 0.5 * (2.0 / 3.0) + 0.5 * 0.25);
    assert_eq!(r.weights, SideWeights { police: 0.5, community: 0.5 });
    assert!(r.complete);
}

#[test]
fn heads_do_not_count_only_sides_do() {
    // 3 police agree, 10 community disagree: by head-count 3/13 agree, by parity half.
    let r = tally_proposal(&proposal_ballots([3, 0, 0, 0], [0, 0, 10, 0]), Quorum::NONE);
    close(r.combined.shares.unwrap().agree, 0.5);
    close(r.combined.decisive_agree_share.unwrap(), 0.5);
}

#[test]
fn an_empty_side_has_no_weight_and_marks_the_result_incomplete() {
    let r = tally_proposal(&proposal_ballots([3, 1, 0, 0], [0; 4]), Quorum::NONE);
    assert!(!r.complete);
    assert_eq!(r.weights, SideWeights { police: 1.0, community: 0.0 });
    assert_eq!(r.sides.community.shares, None);
    close(r.combined.shares.unwrap().agree, 0.75);
    close(r.combined.decisive_agree_share.unwrap(), 1.0);
    // A side that only abstained has no decisive share: the decisive combined figure uses the other side.
    let r = tally_proposal(&proposal_ballots([1, 0, 1, 0], [0, 3, 0, 0]), Quorum::NONE);
    assert!(r.complete);
    close(r.combined.decisive_agree_share.unwrap(), 0.5);
    assert_eq!(
        tally_proposal(&[], Quorum::NONE).combined,
        ProposalCombined { shares: None, decisive_agree_share: None }
    );
}

#[test]
fn sense_checks_report_without_deciding() {
    let ballots = proposal_ballots([2, 1, 1, 0], [1, 0, 2, 1]);
    let s = tally_sense_check(&ballots);
    let p = tally_proposal(&ballots, Quorum::NONE);
    assert_eq!(s.sides, p.sides);
    assert_eq!(s.combined, p.combined);
    assert_eq!(s.reasons, vec![Reason::NotBinding]);
    let s = tally_sense_check(&proposal_ballots([0; 4], [1, 0, 0, 0]));
    assert_eq!(s.reasons, vec![Reason::NotBinding, Reason::NoBallots { side: Police }]);
    assert!(!s.complete);
}

fn consent_ballots(police: [usize; 2], community: [usize; 2]) -> Vec<Ballot<ConsentChoice>> {
    let mut out = Vec::new();
    for (side, counts) in [(Police, police), (Community, community)] {
        for (choice, n) in ConsentChoice::ALL.into_iter().zip(counts) {
            out.extend(many(side, choice, n));
        }
    }
    out
}

#[test]
fn consent_fails_on_any_objection() {
    use Reason::*;
    // (what, police [consent, objection], community, quorum, passes, reasons)
    let cases: Vec<Case<2>> = vec![
        (
            "everyone consents",
            [3, 0],
            [5, 0],
            Quorum::NONE,
            true,
            vec![NoObjection { side: Police }, NoObjection { side: Community }],
        ),
        (
            "one objection among many consents",
            [3, 0],
            [9, 1],
            Quorum::NONE,
            false,
            vec![NoObjection { side: Police }, Objected { side: Community, objections: 1 }],
        ),
        (
            "quorum not met",
            [1, 0],
            [4, 0],
            Quorum::each(2),
            false,
            vec![
                QuorumNotMet { side: Police, turnout: 1, quorum: 2 },
                NoObjection { side: Police },
                QuorumMet { side: Community, turnout: 4, quorum: 2 },
                NoObjection { side: Community },
            ],
        ),
        (
            "silence is consent when the side has no quorum",
            [2, 0],
            [0, 0],
            Quorum::NONE,
            true,
            vec![NoObjection { side: Police }, NoBallots { side: Community }, NoObjection { side: Community }],
        ),
        (
            "but not when it has one",
            [2, 0],
            [0, 0],
            Quorum { police: 0, community: 1 },
            false,
            vec![
                NoObjection { side: Police },
                NoBallots { side: Community },
                QuorumNotMet { side: Community, turnout: 0, quorum: 1 },
                NoObjection { side: Community },
            ],
        ),
    ];
    for (what, police, community, quorum, passes, reasons) in cases {
        let r = tally_consent(&consent_ballots(police, community), quorum);
        assert_eq!(r.outcome == Outcome::Passed, passes, "{what}");
        assert_eq!(r.reasons, reasons, "{what}");
    }
}

#[test]
fn consent_figures() {
    let r = tally_consent(&consent_ballots([3, 0], [1, 1]), Quorum::NONE);
    assert_eq!((r.sides.community.consents, r.sides.community.objections, r.sides.community.turnout), (1, 1, 2));
    close(r.sides.police.consent_share.unwrap(), 1.0);
    close(r.combined_consent_share.unwrap(), 0.75);
    assert!(r.complete);
}

#[test]
fn choice_ids_round_trip() {
    for c in ProposalChoice::ALL {
        assert_eq!(ProposalChoice::parse(c.as_str()), Some(c));
    }
    for c in ConsentChoice::ALL {
        assert_eq!(ConsentChoice::parse(c.as_str()), Some(c));
    }
    for k in DecisionKind::ALL {
        assert_eq!(DecisionKind::parse(k.as_str()), Some(k));
    }
    assert_eq!(ProposalChoice::parse("veto"), None);
    assert!(DecisionKind::Proposal.is_binding() && !DecisionKind::SenseCheck.is_binding());
    let json = serde_json::to_value(Reason::Blocked { side: Community, blocks: 2 }).unwrap();
    assert_eq!(json, serde_json::json!({ "kind": "blocked", "side": "community", "blocks": 2 }));
}
