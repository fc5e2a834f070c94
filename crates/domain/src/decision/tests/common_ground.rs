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
    let settings = CommonGroundSettings { statements: 3, min_group_size: 10 };
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
    let settings = CommonGroundSettings { statements: 2, min_group_size: 3 };
    let r = rank_common_ground(&settings, &cards()).unwrap();
    let s0 = &r.statements[0];
    assert_eq!(s0.groups.len(), 3);
    let youth = &s0.groups[2];
    assert_eq!(youth.group, Group::Label("youth".into()));
    assert_eq!((youth.agree, youth.disagree, youth.pass, youth.votes), (2, 0, 1, 3));
    close(s0.gic, (4.0 / 6.0) * (2.0 / 6.0) * (3.0 / 5.0));

    // With no minimum every label is a group of every statement, voted on or not.
    let settings = CommonGroundSettings { statements: 3, min_group_size: 0 };
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
    let settings = CommonGroundSettings { statements: 1, min_group_size: 2 };
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
    let settings = CommonGroundSettings { statements: 1, min_group_size: 0 };
    let e = rank_common_ground(&settings, &[card(Police, &[], &[Some(Y), Some(N)])]).unwrap_err();
    assert_eq!(e, DecisionError::Ballot { index: 0, problem: BallotProblem::WrongLength { expected: 1, got: 2 } });
    let e = rank_common_ground(&settings, &[card(Police, &[], &[]), card(Police, &[" "], &[])]).unwrap_err();
    assert_eq!(e, DecisionError::Ballot { index: 1, problem: BallotProblem::EmptyGroupLabel });
    let none = CommonGroundSettings { statements: 0, min_group_size: 0 };
    assert_eq!(
        rank_common_ground(&none, &[]).unwrap_err(),
        DecisionError::Settings { problem: SettingsProblem::NoOptions }
    );
    for s in Stance::ALL {
        assert_eq!(Stance::parse(s.as_str()), Some(s));
    }
}
