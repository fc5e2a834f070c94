use super::*;
use Side::{Community, Police};
use Stance::{Agree as Y, Disagree as N, Pass as P};

fn card(side: Side, groups: &[&str], stances: &[Option<Stance>]) -> Ballot<CommonGroundCard> {
    Ballot::new(
        side,
        CommonGroundCard { groups: groups.iter().map(|g| g.to_string()).collect(), stances: stances.to_vec() },
    )
}

/// Statement 0 splits the sides (police 3 of 4 agree, community 1 of 4); everyone agrees on statement 1; nobody
/// has seen statement 2.
fn cards() -> Vec<Ballot<CommonGroundCard>> {
    vec![
        card(Police, &[], &[Some(Y), Some(Y)]),
        card(Police, &[], &[Some(Y), Some(Y)]),
        card(Police, &["youth"], &[Some(Y), Some(Y)]),
        card(Police, &[], &[Some(N), Some(Y)]),
        card(Community, &["youth", "youth"], &[Some(Y), Some(Y)]),
        card(Community, &["youth"], &[Some(P), Some(Y)]),
        card(Community, &[], &[Some(N), Some(Y)]),
        card(Community, &["renter"], &[Some(N), Some(Y)]),
    ]
}

#[test]
fn group_informed_consensus_by_hand() {
    let settings = CommonGroundSettings { statements: 3, min_group_size: 10, pool_remainder: false };
    let r = rank_common_ground(&settings, &cards()).unwrap();
    let s0 = &r.statements[0];
    close(s0.gic, (4.0 / 6.0) * (2.0 / 6.0));
    let police = &s0.groups[0];
    assert_eq!(police.group, Group::Side(Police));
    assert_eq!((police.agree, police.disagree, police.pass, police.votes), (3, 1, 0, 4));
    close(police.agree_share.unwrap(), 0.75);
    let community = &s0.groups[1];
    assert_eq!((community.agree, community.disagree, community.pass), (1, 2, 1));
    close(community.factor, 2.0 / 6.0);
    close(s0.divisiveness.unwrap(), 0.5);
    close(r.statements[1].gic, (5.0 / 6.0) * (5.0 / 6.0));
    close(r.statements[1].divisiveness.unwrap(), 0.0);
    close(r.statements[2].gic, 0.25);
    assert_eq!(r.statements[2].divisiveness, None);
    assert_eq!(r.by_consensus, vec![1, 2, 0]);
    assert_eq!(r.most_divisive, vec![0, 1, 2]);
    assert_eq!(r.voters, PerSide { police: 4, community: 4 });
    assert!(r.complete);
}

#[test]
fn demographic_groups_count_once_they_are_big_enough() {
    // Youth: 3 voters (one police, two community; a repeated label counts once); renters: 1.
    let settings = CommonGroundSettings { statements: 2, min_group_size: 3, pool_remainder: false };
    let r = rank_common_ground(&settings, &cards()).unwrap();
    let s0 = &r.statements[0];
    assert_eq!(s0.groups.len(), 3);
    let youth = &s0.groups[2];
    assert_eq!(youth.group, Group::Label("youth".into()));
    assert_eq!((youth.agree, youth.disagree, youth.pass, youth.votes), (2, 0, 1, 3));
    close(s0.gic, (4.0 / 6.0) * (2.0 / 6.0) * (3.0 / 5.0));

    // With no minimum every label is a group of every statement, voted on or not.
    let settings = CommonGroundSettings { statements: 3, min_group_size: 0, pool_remainder: false };
    let r = rank_common_ground(&settings, &cards()).unwrap();
    let names: Vec<_> = r.statements[2].groups.iter().map(|g| g.group.clone()).collect();
    assert_eq!(
        names,
        vec![Group::Side(Police), Group::Side(Community), Group::Label("renter".into()), Group::Label("youth".into())]
    );
    close(r.statements[2].gic, 1.0 / 16.0);
}

#[test]
fn crossing_the_group_minimum_can_lower_consensus() {
    // Documented: the agree vote that brings a group to the minimum also brings in its factor, which is below 1.
    let settings = CommonGroundSettings { statements: 1, min_group_size: 2, pool_remainder: false };
    let mut cards = vec![card(Police, &["youth"], &[Some(Y)]), card(Community, &[], &[Some(Y)])];
    let before = rank_common_ground(&settings, &cards).unwrap().statements[0].gic;
    cards.push(card(Community, &["youth"], &[Some(Y)]));
    let after = rank_common_ground(&settings, &cards).unwrap().statements[0].gic;
    close(before, (2.0 / 3.0) * (2.0 / 3.0));
    close(after, (2.0 / 3.0) * (3.0 / 4.0) * (3.0 / 4.0));
    assert!(after < before);
}

#[test]
fn invalid_cards() {
    let settings = CommonGroundSettings { statements: 1, min_group_size: 0, pool_remainder: false };
    let e = rank_common_ground(&settings, &[card(Police, &[], &[Some(Y), Some(N)])]).unwrap_err();
    assert_eq!(e, DecisionError::Ballot { index: 0, problem: BallotProblem::WrongLength { expected: 1, got: 2 } });
    let e = rank_common_ground(&settings, &[card(Police, &[], &[]), card(Police, &[" "], &[])]).unwrap_err();
    assert_eq!(e, DecisionError::Ballot { index: 1, problem: BallotProblem::EmptyGroupLabel });
    let none = CommonGroundSettings { statements: 0, min_group_size: 0, pool_remainder: false };
    assert_eq!(
        rank_common_ground(&none, &[]).unwrap_err(),
        DecisionError::Settings { problem: SettingsProblem::NoOptions }
    );
    for s in Stance::ALL {
        assert_eq!(Stance::parse(s.as_str()), Some(s));
    }
}

#[test]
fn the_pool_of_unshown_voters_is_never_a_small_cell() {
    // Statement 0: five "a", one "b" (below k) and one voter without an answer → the pool would be 2 voters, whom
    // subtracting "a" from the sides' totals would reveal, so "a" is pooled too and no demographic group counts.
    let k = MIN_GROUP_VOTERS;
    let mut cards: Vec<_> = (0..5).map(|i| card(if i < 2 { Police } else { Community }, &["a"], &[Some(Y)])).collect();
    cards.push(card(Community, &["b"], &[Some(N)]));
    cards.push(card(Police, &[], &[Some(N)]));
    let pooled = CommonGroundSettings { statements: 1, min_group_size: k, pool_remainder: true };
    let r = rank_common_ground(&pooled, &cards).unwrap();
    assert_eq!(r.statements[0].groups.len(), 2, "the sides only");
    // Without pooling "a" counts (it has k voters) and the remainder of 2 could be worked out.
    let plain = CommonGroundSettings { pool_remainder: false, ..pooled };
    let r = rank_common_ground(&plain, &cards).unwrap();
    assert_eq!(r.statements[0].groups[2].group, Group::Label("a".into()));
    // Three more voters without an answer make the pool 5 (= k): "a" counts again, "b" still never shows.
    cards.extend((0..3).map(|_| card(Community, &[], &[Some(P)])));
    let r = rank_common_ground(&pooled, &cards).unwrap();
    let names: Vec<_> = r.statements[0].groups.iter().map(|g| g.group.clone()).collect();
    assert_eq!(names, vec![Group::Side(Police), Group::Side(Community), Group::Label("a".into())]);
    // Police 2 agree of 3, community 3 agree of 7, "a" 5 of 5.
    close(r.statements[0].gic, (3.0 / 5.0) * (4.0 / 9.0) * (6.0 / 7.0));
}

#[test]
fn named_voters_need_both_sides() {
    assert_eq!(missing_sides(&[Police, Community, Police]), Vec::<Side>::new());
    assert_eq!(missing_sides(&[Community]), vec![Police]);
    assert_eq!(missing_sides(&[]), vec![Police, Community]);
}

mod k_minimum {
    use super::*;
    use proptest::prelude::*;

    fn side() -> impl Strategy<Value = Side> {
        prop_oneof![Just(Police), Just(Community)]
    }

    proptest! {
        /// A demographic group with fewer than k voters never changes the ranking: giving up to k − 1 voters who had
        /// no answer a group of their own leaves every statement's groups, GIC and both orderings as they were,
        /// with or without pooling, and the group is never reported.
        #[test]
        fn a_group_below_k_never_changes_the_ranking(
            statements in 1usize..4,
            cards in prop::collection::vec(
                (side(), prop::option::of(prop::sample::select(vec!["a", "b", "c"])),
                 prop::collection::vec(prop::option::of(prop::sample::select(Stance::ALL.to_vec())), 0..4)),
                0..40),
            picks in prop::collection::vec(any::<prop::sample::Index>(), 0..(MIN_GROUP_VOTERS as usize)),
            pool in any::<bool>(),
        ) {
            let cards: Vec<_> = cards
                .into_iter()
                .map(|(side, label, mut stances)| {
                    stances.truncate(statements);
                    let groups = label.map(|l| vec![l.to_string()]).unwrap_or_default();
                    Ballot::new(side, CommonGroundCard { groups, stances })
                })
                .collect();
            let settings = CommonGroundSettings { statements, min_group_size: MIN_GROUP_VOTERS, pool_remainder: pool };
            let before = rank_common_ground(&settings, &cards).unwrap();
            let unlabelled: Vec<usize> = (0..cards.len()).filter(|i| cards[*i].choice.groups.is_empty()).collect();
            let mut with_small = cards.clone();
            if !unlabelled.is_empty() {
                for p in &picks {
                    with_small[unlabelled[p.index(unlabelled.len())]].choice.groups = vec!["small".into()];
                }
            }
            let after = rank_common_ground(&settings, &with_small).unwrap();
            prop_assert_eq!(&before, &after);
            let small = Group::Label("small".into());
            prop_assert!(after.statements.iter().all(|s| s.groups.iter().all(|g| g.group != small)));
        }

        /// With pooling, whenever a demographic group is reported on a statement, the statement's voters in no
        /// reported group number 0 or at least k, so subtracting the reported groups from the sides' totals never
        /// reveals fewer than k people's votes.
        #[test]
        fn the_unreported_pool_is_empty_or_at_least_k(
            cards in prop::collection::vec(
                (side(), prop::option::of(prop::sample::select(vec!["a", "b", "c", "d"])),
                 prop::collection::vec(prop::option::of(prop::sample::select(Stance::ALL.to_vec())), 2)),
                0..60),
        ) {
            let cards: Vec<_> = cards
                .into_iter()
                .map(|(side, label, stances)| {
                    let groups = label.map(|l| vec![l.to_string()]).unwrap_or_default();
                    Ballot::new(side, CommonGroundCard { groups, stances })
                })
                .collect();
            let k = MIN_GROUP_VOTERS;
            let settings = CommonGroundSettings { statements: 2, min_group_size: k, pool_remainder: true };
            let r = rank_common_ground(&settings, &cards).unwrap();
            for s in &r.statements {
                let total = s.groups[0].votes + s.groups[1].votes;
                let shown: u64 = s.groups[2..].iter().map(|g| g.votes).sum();
                prop_assert!(s.groups[2..].iter().all(|g| g.votes >= k));
                let pool = total - shown;
                prop_assert!(s.groups.len() == 2 || pool == 0 || pool >= k, "pool of {} on statement {}", pool, s.statement);
            }
        }
    }
}
