use super::*;
use crate::account::Side;
use crate::locale::Locale;
use Stage::*;
use proptest::prelude::*;

#[test]
fn stages_round_trip_and_name_bad_values() {
    for s in Stage::ALL {
        assert_eq!(s.as_str().parse::<Stage>(), Ok(s));
        assert_eq!(serde_json::to_string(&s).unwrap(), format!("\"{}\"", s.as_str()));
        assert_eq!(s.to_string(), s.as_str());
    }
    assert_eq!(" Community_Interview ".parse::<Stage>(), Ok(CommunityInterview));
    let err = "interview".parse::<Stage>().unwrap_err();
    assert_eq!(err, UnknownStage("interview".into()));
    assert_eq!(err.to_string(), "unknown recruiting stage \"interview\"");
    let terminal: Vec<Stage> = Stage::ALL.into_iter().filter(|s| s.is_terminal()).collect();
    assert_eq!(terminal, vec![Hired, Withdrawn, NotSelected]);
    let exits: Vec<Stage> = Stage::ALL.into_iter().filter(|s| s.is_exit()).collect();
    assert_eq!(exits, vec![Withdrawn, NotSelected]);
}

#[test]
fn pipelines_are_validated() {
    let default = Pipeline::default();
    assert_eq!(default.stages(), &DEFAULT_STAGES);
    let ids: Vec<&str> = default.stages().iter().map(|s| s.as_str()).collect();
    assert_eq!(
        ids,
        ["lead", "applied", "written_test", "physical", "background", "community_interview", "academy", "hired"]
    );
    assert_eq!(Pipeline::from_ids(ids), Ok(default));
    // A department without a physical test, interviewing before the written test.
    let custom = Pipeline::from_ids(["applied", "community_interview", "written_test", "background", "hired"]);
    assert_eq!(custom.unwrap().stages()[1], CommunityInterview);
    assert_eq!(Pipeline::new(vec![Hired]).map(|p| p.stages().len()), Ok(1));

    let cases: [(Vec<Stage>, PipelineError); 5] = [
        (vec![], PipelineError::Empty),
        (vec![Applied, Background, Applied, Hired], PipelineError::Duplicate(Applied)),
        (vec![Applied, Withdrawn, Hired], PipelineError::Exit(Withdrawn)),
        (vec![Applied, Academy], PipelineError::MustEndHired),
        (vec![Applied, Hired, Academy], PipelineError::MustEndHired),
    ];
    for (stages, want) in cases {
        assert_eq!(Pipeline::new(stages.clone()), Err(want.clone()), "{stages:?}");
    }
    assert_eq!(Pipeline::new(vec![Hired, Hired]), Err(PipelineError::Duplicate(Hired)));
    let err = Pipeline::from_ids(["applied", "oral_board", "hired"]).unwrap_err();
    assert_eq!(err, PipelineError::Unknown(UnknownStage("oral_board".into())));
    assert_eq!(
        PipelineError::Exit(NotSelected).to_string(),
        "not_selected is a way out of the pipeline, not a stage in it"
    );
    assert_eq!(PipelineError::MustEndHired.to_string(), "the pipeline must end with hired");
}

#[test]
fn candidates_move_one_stage_forward_or_leave() {
    let p = Pipeline::default();
    for pair in DEFAULT_STAGES.windows(2) {
        assert_eq!(p.transition(pair[0], pair[1]), Ok(pair[1]));
        assert_eq!(p.next(pair[0]), Some(pair[1]));
        assert_eq!(p.allowed(pair[0]), vec![pair[1], Withdrawn, NotSelected]);
        for exit in [Withdrawn, NotSelected] {
            assert_eq!(p.transition(pair[0], exit), Ok(exit), "{} → {exit}", pair[0]);
        }
    }
    assert_eq!((p.next(Hired), p.next(Withdrawn)), (None, None));
    assert!(p.allowed(Hired).is_empty() && p.allowed(NotSelected).is_empty());
}

#[test]
fn refused_moves_say_why() {
    let p = Pipeline::default();
    for from in [Hired, Withdrawn, NotSelected] {
        for to in Stage::ALL {
            assert_eq!(p.transition(from, to), Err(TransitionError::Final { from }), "{from} → {to}");
        }
    }
    assert_eq!(p.transition(Physical, Physical), Err(TransitionError::Unchanged(Physical)));
    assert_eq!(p.transition(Background, Applied), Err(TransitionError::Backward { from: Background, to: Applied }));
    assert_eq!(
        p.transition(Applied, Hired),
        Err(TransitionError::Skip { from: Applied, to: Hired, next: WrittenTest })
    );
    let messages = [
        (TransitionError::Final { from: Withdrawn }, "a candidate who is withdrawn cannot move to another stage"),
        (TransitionError::Backward { from: Academy, to: Lead }, "a candidate cannot go back from academy to lead"),
        (
            TransitionError::Skip { from: Lead, to: Physical, next: Applied },
            "a candidate at lead must pass applied before physical",
        ),
        (TransitionError::Unchanged(Lead), "the candidate is already at lead"),
        (TransitionError::NotInPipeline(Physical), "stage physical is not part of this pipeline"),
    ];
    for (err, text) in messages {
        assert_eq!(err.to_string(), text);
    }

    // Stages a custom pipeline leaves out are refused both ways; its own order is followed.
    let custom = Pipeline::new(vec![Applied, WrittenTest, Background, Hired]).unwrap();
    assert_eq!(custom.transition(WrittenTest, Background), Ok(Background));
    assert_eq!(custom.transition(WrittenTest, Physical), Err(TransitionError::NotInPipeline(Physical)));
    assert_eq!(custom.transition(Lead, Applied), Err(TransitionError::NotInPipeline(Lead)));
    assert_eq!(custom.transition(Lead, Withdrawn), Err(TransitionError::NotInPipeline(Lead)));
    assert!(custom.allowed(Physical).is_empty());
}

/// Pipelines in the default order with any of the stages before hired left out.
fn pipeline() -> impl Strategy<Value = Pipeline> {
    proptest::collection::vec(any::<bool>(), 7).prop_map(|keep| {
        let mut stages: Vec<Stage> =
            DEFAULT_STAGES[..7].iter().zip(&keep).filter(|(_, k)| **k).map(|(s, _)| *s).collect();
        stages.push(Hired);
        Pipeline::new(stages).unwrap()
    })
}

proptest! {
    #[test]
    fn terminal_stages_are_never_left(p in pipeline(), start in 0usize..8, attempts in proptest::collection::vec(0usize..10, 0..40)) {
        let mut at = p.stages()[start % p.stages().len()];
        let mut finished = at.is_terminal();
        for a in attempts {
            let to = Stage::ALL[a];
            match p.transition(at, to) {
                Ok(next) => {
                    prop_assert!(!finished, "left final stage {} for {}", at, next);
                    prop_assert!(next == to && (to.is_exit() || p.next(at) == Some(to)));
                    prop_assert!(p.allowed(at).contains(&to));
                    at = next;
                }
                Err(e) => {
                    prop_assert!(!p.allowed(at).contains(&to));
                    if finished {
                        prop_assert_eq!(e, TransitionError::Final { from: at });
                    }
                }
            }
            finished = finished || at.is_terminal();
            prop_assert_eq!(finished, at.is_terminal());
        }
    }

    #[test]
    fn valid_walks_end_in_a_final_stage(p in pipeline(), choices in proptest::collection::vec(0usize..3, 20)) {
        let mut at = p.stages()[0];
        let mut steps = 0;
        for c in choices {
            let allowed = p.allowed(at);
            if allowed.is_empty() {
                break;
            }
            at = p.transition(at, allowed[c % allowed.len()]).unwrap();
            steps += 1;
        }
        prop_assert!(at.is_terminal() && steps <= p.stages().len());
    }
}

#[test]
fn the_rubric_has_five_anchored_dimensions_in_two_languages() {
    let ids: Vec<&str> = Dimension::ALL.iter().map(|d| d.as_str()).collect();
    assert_eq!(
        ids,
        ["communication", "empathy", "problem_solving_with_residents", "cultural_competence", "service_motivation"]
    );
    for (i, d) in Dimension::ALL.into_iter().enumerate() {
        assert_eq!(d.index(), i);
        assert_eq!(serde_json::to_string(&d).unwrap(), format!("\"{}\"", d.as_str()));
        for locale in Locale::ALL {
            assert!(!d.label(locale).is_empty());
            let anchors = d.anchors(locale);
            for (s, text) in anchors.iter().enumerate() {
                assert!(text.len() > 20 && text.ends_with('.'), "{d:?} {locale:?} {s}");
                assert!(!anchors[..s].contains(text));
                assert_eq!(d.anchor(Score::new(s as i64 + 1).unwrap(), locale), *text);
            }
        }
    }
    assert_eq!(Dimension::Empathy.label(Locale::Es), "Empatía");
    assert_eq!(Dimension::ServiceMotivation.label(Locale::En), "Service motivation");
    assert!(Dimension::Communication.anchor(Score::new(1).unwrap(), Locale::Es).starts_with("Sus respuestas"));
}

#[test]
fn scores_are_one_to_five() {
    for v in 1..=5 {
        assert_eq!(Score::new(v).map(Score::get), Ok(v as u8));
    }
    for v in [0, 6, -1, 256, i64::MIN] {
        assert_eq!(Score::new(v), Err(ScoreError(v)));
    }
    assert_eq!(ScoreError(7).to_string(), "score 7 is outside the rubric's 1 to 5");
    assert_eq!(serde_json::from_str::<Score>("4").unwrap().get(), 4);
    assert!(serde_json::from_str::<Score>("7").is_err());
    assert_eq!(serde_json::to_string(&Score::new(2).unwrap()).unwrap(), "2");
}

fn sheet(panelist: PanelistId, scores: [i64; 5]) -> ScoreSheet {
    let pairs: Vec<(Dimension, i64)> = Dimension::ALL.into_iter().zip(scores).collect();
    ScoreSheet::from_pairs(panelist, &pairs).unwrap()
}

#[test]
fn score_sheets_cover_every_dimension_once() {
    use Dimension::*;
    let s = ScoreSheet::from_pairs(
        7,
        &[
            (ServiceMotivation, 5),
            (Empathy, 3),
            (Communication, 4),
            (CulturalCompetence, 2),
            (ProblemSolvingWithResidents, 1),
        ],
    )
    .unwrap();
    assert_eq!((s.score(Communication).get(), s.score(ServiceMotivation).get()), (4, 5));
    assert_eq!(s, sheet(7, [4, 3, 1, 2, 5]));
    let missing = ScoreSheet::from_pairs(7, &[(Communication, 4)]).unwrap_err();
    assert_eq!(missing, SheetError::Missing(Empathy));
    assert_eq!(missing.to_string(), "empathy is not scored");
    let twice = ScoreSheet::from_pairs(7, &[(Empathy, 4), (Empathy, 4)]).unwrap_err();
    assert_eq!(twice.to_string(), "empathy is scored twice");
    let bad = ScoreSheet::from_pairs(7, &[(CulturalCompetence, 6)]).unwrap_err();
    assert_eq!(bad, SheetError::Score(CulturalCompetence, ScoreError(6)));
    assert_eq!(bad.to_string(), "cultural_competence: score 6 is outside the rubric's 1 to 5");
}

fn member(id: PanelistId, role: PanelRole) -> Panelist {
    Panelist { id, role }
}

fn panel() -> Panel {
    Panel::new(vec![
        member(1, PanelRole::Resident),
        member(2, PanelRole::RecruitingStaff),
        member(3, PanelRole::Resident),
    ])
    .unwrap()
}

#[test]
fn panels_need_members_once_and_report_balance() {
    assert_eq!(Panel::new(vec![]), Err(PanelError::Empty));
    let twice = Panel::new(vec![member(1, PanelRole::Resident), member(1, PanelRole::Officer)]);
    assert_eq!(twice, Err(PanelError::DuplicatePanelist(1)));
    assert_eq!(
        panel().balance(),
        PanelBalance {
            residents: 2,
            recruiting_staff: 1,
            officers: 0,
            community_side: 2,
            police_side: 1,
            balanced: true
        }
    );
    // Police-side members who are not recruiting staff do not stand in for them.
    let officers = Panel::new(vec![member(1, PanelRole::Resident), member(2, PanelRole::Officer)]).unwrap();
    let b = officers.balance();
    assert_eq!((b.community_side, b.police_side, b.officers, b.balanced), (1, 1, 1, false));
    let staff_only = Panel::new(vec![member(5, PanelRole::RecruitingStaff)]).unwrap().balance();
    assert_eq!((staff_only.residents, staff_only.balanced), (0, false));
    assert_eq!(PanelRole::Resident.side(), Side::Community);
    assert_eq!(PanelRole::Officer.side(), Side::Police);
    assert!(panel().contains(3) && !panel().contains(4));
}

#[test]
fn the_summary_waits_for_every_panelist() {
    let p = panel();
    let (a, c) = (sheet(3, [4, 4, 3, 5, 2]), sheet(1, [2, 3, 3, 4, 4]));
    assert_eq!(p.status(&[a]), Ok(PanelStatus::Scoring { submitted: vec![3], waiting_for: vec![1, 2] }));
    assert_eq!(p.status(&[]), Ok(PanelStatus::Scoring { submitted: vec![], waiting_for: vec![1, 2, 3] }));
    let b = sheet(2, [3, 2, 3, 3, 3]);
    let Ok(PanelStatus::Complete(summary)) = p.status(&[a, b, c]) else { panic!("panel should be complete") };
    let means: Vec<f64> = summary.means.iter().map(|(_, m)| *m).collect();
    assert_eq!(means, vec![3.0, 3.0, 3.0, 4.0, 3.0]);
    assert_eq!(summary.means[3].0, Dimension::CulturalCompetence);
    assert_eq!(summary.overall_mean, 3.2);
    // Released in panel order.
    let order: Vec<PanelistId> = summary.sheets.iter().map(|s| s.panelist).collect();
    assert_eq!(order, vec![1, 2, 3]);
    let json = serde_json::to_value(p.status(&[a]).unwrap()).unwrap();
    assert_eq!(json["status"], "scoring");

    assert_eq!(p.status(&[a, sheet(9, [3; 5])]), Err(PanelError::NotOnPanel(9)));
    assert_eq!(p.status(&[a, a]), Err(PanelError::DuplicateSheet(3)));
    assert_eq!(PanelError::NotOnPanel(9).to_string(), "panelist 9 is not on this panel");
}

#[test]
fn panelists_see_only_their_own_sheet_until_everyone_has_scored() {
    let p = panel();
    let sheets = [sheet(1, [5; 5]), sheet(3, [1; 5])];
    let own: Vec<PanelistId> = p.visible_sheets(1, &sheets).unwrap().iter().map(|s| s.panelist).collect();
    assert_eq!(own, vec![1]);
    assert!(p.visible_sheets(2, &sheets).unwrap().is_empty());
    assert!(p.visible_sheets(99, &sheets).unwrap().is_empty());
    let all = [sheets[0], sheets[1], sheet(2, [3; 5])];
    assert_eq!(p.visible_sheets(2, &all).unwrap().len(), 3);
    assert_eq!(p.visible_sheets(1, &[sheets[0], sheets[0]]), Err(PanelError::DuplicateSheet(1)));
}

proptest! {
    #[test]
    fn summary_means_stay_on_the_scale(scores in proptest::collection::vec(proptest::array::uniform5(1i64..6), 1..8)) {
        let members: Vec<Panelist> = (0..scores.len() as i64).map(|i| member(i, PanelRole::Resident)).collect();
        let p = Panel::new(members).unwrap();
        let sheets: Vec<ScoreSheet> = scores.iter().enumerate().map(|(i, s)| sheet(i as i64, *s)).collect();
        // Without the last sheet there is no summary.
        let partial = p.status(&sheets[..sheets.len() - 1]).unwrap();
        prop_assert!(matches!(partial, PanelStatus::Scoring { .. }), "scores shown early");
        let PanelStatus::Complete(summary) = p.status(&sheets).unwrap() else { panic!("incomplete") };
        let mean_of_means = summary.means.iter().map(|(_, m)| m).sum::<f64>() / 5.0;
        prop_assert!((summary.overall_mean - mean_of_means).abs() < 1e-12);
        for (d, m) in summary.means {
            prop_assert!((1.0..=5.0).contains(&m));
            let lo = scores.iter().map(|s| s[d.index()]).min().unwrap() as f64;
            let hi = scores.iter().map(|s| s[d.index()]).max().unwrap() as f64;
            prop_assert!(lo <= m && m <= hi);
        }
    }
}
