//! Riverton's decisions: settled and open proposals under the parity rule, every other kind of decision, a
//! decision scheduled to open next week, one for named voters only, and a common-ground activity with a few hundred
//! votes whose ranking also reads across members' race and ethnicity groups.

use commonbeat_store::Db;
use rand::Rng;
use rand::seq::SliceRandom;
use rand_chacha::ChaCha8Rng;

/// A closed proposal with its outcome and an open one with votes coming in, for an active partnership.
pub async fn decisions_for(
    db: &Db,
    jid: i64,
    pid: i64,
    chair: i64,
    (cops, residents): (&[i64], &[i64]),
    pi: usize,
    rng: &mut ChaCha8Rng,
) -> anyhow::Result<()> {
    use commonbeat_store::repo::decisions::{self, NewBallot, NewDecision};
    let now = commonbeat_store::now();
    let day = 86_400;
    let (closed_title, outcome, open_title, open_kind) = match pi {
        0 => (
            "Ask Streets and Sanitation to light the Kostner alley",
            "Passed by both sides. The co-chairs wrote to Streets and Sanitation; lights promised for March. Review at the March meeting.",
            "Move the monthly meeting to Thursday evenings",
            "proposal",
        ),
        1 => (
            "Start a walking school bus on Grand Avenue",
            "Passed. Officers and parents walk the route on school days from 3:15; the youth working group schedules volunteers.",
            "Try a summer basketball league with district officers",
            "sense_check",
        ),
        2 => (
            "Ask the alderman for a business-district security camera grant",
            "Did not pass: the community side had no majority (renters asked for lighting first). To come back after the lighting survey.",
            "Adopt the Pulaski lighting plan",
            "consent",
        ),
        _ => (
            "Publish a monthly scam alert in English and Spanish",
            "Passed. The first alert goes out next week.",
            "Hold a fraud-prevention workshop at the senior centre",
            "proposal",
        ),
    };
    let settings = serde_json::json!({"quorum_police": 1, "quorum_community": 2, "changeable": true, "reason_required": false, "visibility": "after_vote", "anonymous": false}).to_string();
    extra_decisions(db, jid, pid, chair, (cops, residents), pi, rng).await?;
    if pi == 0 {
        common_ground(db, jid, pid, chair, (cops, residents), rng).await?;
        scheduled_and_named(db, jid, pid, chair, (cops, residents), rng).await?;
    }
    for (title, kind, closed) in [(closed_title, "proposal", true), (open_title, open_kind, false)] {
        let d = decisions::create(
            db,
            jid,
            NewDecision {
                partnership_id: pid,
                kind: kind.into(),
                title: title.into(),
                body: String::new(),
                options: "[]".into(),
                settings: settings.clone(),
                opens_at: now - 20 * day,
                closes_at: if closed { now + 60 } else { now + 9 * day },
                is_private: false,
                affects: String::new(),
                created_by: Some(chair),
            },
            &[],
        )
        .await?;
        let voters = cops.iter().map(|u| (*u, "police")).chain(residents.iter().map(|u| (*u, "community")));
        for (uid, side) in voters {
            if !rng.gen_bool(if closed { 0.85 } else { 0.5 }) {
                continue;
            }
            let choice = match (kind, pi == 2 && closed && side == "community") {
                ("consent", _) => {
                    if rng.gen_bool(0.92) {
                        "consent"
                    } else {
                        "objection"
                    }
                }
                // Renters on the Pulaski side wanted lighting first: the community side said no.
                (_, true) => "disagree",
                // Settled proposals were carried by both sides; open ones are still mixed.
                _ if closed => {
                    ["agree", "agree", "agree", "agree", "agree", "agree", "abstain", "disagree"][rng.gen_range(0..8)]
                }
                _ => ["agree", "agree", "agree", "abstain", "disagree"][rng.gen_range(0..5)],
            };
            decisions::cast(
                db,
                jid,
                d.id,
                NewBallot { user_id: uid, side, choice: &serde_json::to_string(choice)?, reason: "", changeable: true },
            )
            .await?;
        }
        if closed {
            decisions::close(db, jid, d.id).await?;
            decisions::set_outcome(db, jid, d.id, outcome, chair, None).await?;
        }
    }
    Ok(())
}

/// A proposal scheduled to open in five days (members see it, nobody votes yet; the opening job opens it and sends
/// the notice), and a sense check for a working group of named voters from both sides, half of whom have voted.
async fn scheduled_and_named(
    db: &Db,
    jid: i64,
    pid: i64,
    chair: i64,
    (cops, residents): (&[i64], &[i64]),
    rng: &mut ChaCha8Rng,
) -> anyhow::Result<()> {
    use commonbeat_store::repo::decisions::{self, NewBallot, NewDecision};
    use commonbeat_store::repo::jobs;
    use commonbeat_web::routes::decisions::{CLOSE_JOB, OPEN_JOB};
    let now = commonbeat_store::now();
    let day = 86_400;
    let settings = |voters: &str| {
        serde_json::json!({"quorum_police": 1, "quorum_community": 1, "changeable": true, "visibility": "after_vote", "anonymous": false, "voters": voters})
        .to_string()
    };
    let new = |title: &str, kind: &str, body: &str, settings: String, opens_at: i64, closes_at: i64| NewDecision {
        partnership_id: pid,
        kind: kind.into(),
        title: title.into(),
        body: body.into(),
        options: "[]".into(),
        settings,
        opens_at,
        closes_at,
        is_private: false,
        affects: String::new(),
        created_by: Some(chair),
    };
    let scheduled = decisions::create(
        db,
        jid,
        new(
            "Adopt the summer youth-outreach plan",
            "proposal",
            "The youth working group's plan: the field house open until 9 pm on Fridays, officers at pick-up games twice a month. Voting opens after the plan is presented at the next meeting.",
            settings("members"),
            now + 5 * day,
            now + 19 * day,
        ),
        &[],
    )
    .await?;
    jobs::enqueue(db, jid, OPEN_JOB, &scheduled.id.to_string(), scheduled.opens_at).await?;
    jobs::enqueue(db, jid, CLOSE_JOB, &scheduled.id.to_string(), scheduled.closes_at).await?;
    // The lighting working group: two officers and three residents.
    let named: Vec<(i64, &str)> = cops
        .iter()
        .take(2)
        .map(|u| (*u, "police"))
        .chain(residents.iter().skip(1).take(3).map(|u| (*u, "community")))
        .collect();
    let ids: Vec<i64> = named.iter().map(|(u, _)| *u).collect();
    let d = decisions::create(
        db,
        jid,
        new(
            "Working group: is the Kostner survey ready to send?",
            "sense_check",
            "Only the lighting working group votes on this one.",
            settings("named"),
            now - 2 * day,
            now + 6 * day,
        ),
        &ids,
    )
    .await?;
    jobs::enqueue(db, jid, CLOSE_JOB, &d.id.to_string(), d.closes_at).await?;
    for (uid, side) in &named {
        if !rng.gen_bool(0.6) {
            continue;
        }
        let choice = serde_json::to_string(if rng.gen_bool(0.8) { "agree" } else { "abstain" })?;
        decisions::cast(
            db,
            jid,
            d.id,
            NewBallot { user_id: *uid, side, choice: &choice, reason: "", changeable: true },
        )
        .await?;
    }
    Ok(())
}

/// Polls, ranked choice, scores, dot votes, time polls and question rounds, open, with ballots from both sides.
async fn extra_decisions(
    db: &Db,
    jid: i64,
    pid: i64,
    chair: i64,
    (cops, residents): (&[i64], &[i64]),
    pi: usize,
    rng: &mut ChaCha8Rng,
) -> anyhow::Result<()> {
    use commonbeat_store::repo::decisions::{self, NewBallot, NewDecision};
    let now = commonbeat_store::now();
    let plans: &[(&str, &str, &[&str])] = match pi {
        0 => &[
            (
                "time_poll",
                "Pick a Saturday for the alley clean-up",
                &["Sat 14 Mar, 9:00", "Sat 21 Mar, 9:00", "Sat 28 Mar, 10:00"],
            ),
            (
                "ranked",
                "Which problem should we take on next?",
                &[
                    "Speeding on Kostner",
                    "Abandoned garage on Cortland",
                    "Graffiti on the viaduct",
                    "Loud parties at the park",
                ],
            ),
        ],
        1 => &[
            (
                "dot",
                "Where should summer programming happen?",
                &["Northgate High gym", "Kelvyn Park", "Library branch", "Church hall on Grand"],
            ),
            (
                "poll_single",
                "Best time for the youth listening session",
                &["Weekday after school", "Friday evening", "Saturday afternoon"],
            ),
        ],
        2 => &[
            (
                "score",
                "Rate the lighting options for Pulaski",
                &["LED streetlights", "Storefront lights kept on", "Alley motion lights"],
            ),
            (
                "poll_multi",
                "Which corners need the walk-and-talk first?",
                &["Pulaski & Armitage", "Pulaski & Cortland", "Pulaski & Wabansia", "Pulaski & North"],
            ),
        ],
        _ => &[("question", "What makes you feel unsafe walking at night?", &[])],
    };
    let settings =
        serde_json::json!({"quorum_police": 1, "quorum_community": 1, "changeable": true, "visibility": "always",
        "max_choices": 2, "score_min": 0, "score_max": 5, "dots": 5})
        .to_string();
    for (kind, title, options) in plans {
        let d = decisions::create(
            db,
            jid,
            NewDecision {
                partnership_id: pid,
                kind: kind.to_string(),
                title: title.to_string(),
                body: String::new(),
                options: serde_json::to_string(options)?,
                settings: settings.clone(),
                opens_at: now - 5 * 86_400,
                closes_at: now + 10 * 86_400,
                is_private: false,
                affects: String::new(),
                created_by: Some(chair),
            },
            &[],
        )
        .await?;
        let n = options.len();
        for (uid, side) in cops.iter().map(|u| (*u, "police")).chain(residents.iter().map(|u| (*u, "community"))) {
            if !rng.gen_bool(0.7) {
                continue;
            }
            let choice = match *kind {
                "time_poll" => serde_json::to_string(
                    &(0..n).map(|_| ["yes", "yes", "maybe", "no"][rng.gen_range(0..4)]).collect::<Vec<_>>(),
                )?,
                "ranked" => {
                    let mut order: Vec<usize> = (0..n).collect();
                    order.shuffle(rng);
                    order.truncate(rng.gen_range(1..=n));
                    serde_json::to_string(&order)?
                }
                "dot" => {
                    let mut dots = vec![0u64; n];
                    for _ in 0..5 {
                        dots[rng.gen_range(0..n)] += 1;
                    }
                    serde_json::to_string(&dots)?
                }
                "poll_single" => serde_json::to_string(&vec![rng.gen_range(0..n)])?,
                "score" => serde_json::to_string(&(0..n).map(|_| rng.gen_range(0..=5)).collect::<Vec<i32>>())?,
                "poll_multi" => {
                    let mut picks: Vec<usize> = (0..n).collect();
                    picks.shuffle(rng);
                    picks.truncate(rng.gen_range(1..=2));
                    serde_json::to_string(&picks)?
                }
                _ => serde_json::to_string("response")?,
            };
            let reason = if *kind == "question" {
                [
                    "Dark stretch under the viaduct.",
                    "Cars speeding with no lights.",
                    "Groups hanging out by the closed store.",
                    "Nobody around after 9 pm.",
                ][rng.gen_range(0..4)]
            } else {
                ""
            };
            decisions::cast(db, jid, d.id, NewBallot { user_id: uid, side, choice: &choice, reason, changeable: true })
                .await?;
        }
    }
    Ok(())
}

/// A common-ground activity with a dozen statements and a few hundred votes from both sides and the public.
async fn common_ground(
    db: &Db,
    jid: i64,
    pid: i64,
    chair: i64,
    (cops, residents): (&[i64], &[i64]),
    rng: &mut ChaCha8Rng,
) -> anyhow::Result<()> {
    use commonbeat_store::repo::decisions::{self, NewDecision};
    let now = commonbeat_store::now();
    let d = decisions::create(
        db,
        jid,
        NewDecision {
            partnership_id: pid,
            kind: "common_ground".into(),
            title: "What would make Riverside feel safer after dark?".into(),
            body: String::new(),
            options: "[]".into(),
            settings: serde_json::json!({"min_group_size": 5, "dimension": "race"}).to_string(),
            opens_at: now - 14 * 86_400,
            closes_at: now + 14 * 86_400,
            is_private: false,
            affects: String::new(),
            created_by: Some(chair),
        },
        &[],
    )
    .await?;
    // (statement, police agree probability, community agree probability)
    let statements: [(&str, f64, f64); 10] = [
        ("Fix the broken streetlights on Kostner Avenue", 0.9, 0.95),
        ("Officers should walk the beat on Friday and Saturday nights", 0.85, 0.8),
        ("More traffic stops on Armitage would make the corner safer", 0.75, 0.2),
        ("Teenagers need somewhere to go after 6 pm: open the field house later", 0.5, 0.85),
        ("Landlords of vacant buildings should be fined faster", 0.7, 0.75),
        ("Residents should call 911 for loitering", 0.6, 0.15),
        ("The beat meeting should have Spanish interpretation every time", 0.55, 0.9),
        ("Cameras on every block would make us safer", 0.8, 0.35),
        ("Officers should get to know business owners by name", 0.9, 0.85),
        ("Police stop residents too often without explaining why", 0.15, 0.7),
    ];
    let mut ids = Vec::new();
    for (body, ..) in &statements {
        ids.push(decisions::add_statement(db, jid, d.id, Some(chair), body, true).await?.id);
    }
    for pending in ["Move the beat meeting to the library", "Bring back the summer block parties"] {
        decisions::add_statement(db, jid, d.id, residents.first().copied(), pending, false).await?;
    }
    let stance = |p: f64, rng: &mut ChaCha8Rng| {
        let x: f64 = rng.gen_range(0.0..1.0);
        if x < p * 0.9 {
            "agree"
        } else if x < 0.9 {
            "disagree"
        } else {
            "pass"
        }
    };
    for (k, (_, pp, pc)) in statements.iter().enumerate() {
        for u in cops {
            if rng.gen_bool(0.85) {
                decisions::vote_statement(
                    db,
                    jid,
                    ids[k],
                    &format!("user:{u}"),
                    Some("police"),
                    None,
                    stance(*pp, rng),
                )
                .await?;
            }
        }
        for u in residents {
            if rng.gen_bool(0.85) {
                decisions::vote_statement(
                    db,
                    jid,
                    ids[k],
                    &format!("user:{u}"),
                    Some("community"),
                    None,
                    stance(*pc, rng),
                )
                .await?;
            }
        }
        for n in 0..30 {
            if rng.gen_bool(0.8) {
                let key = format!(
                    "anon:{}",
                    commonbeat_store::secrets::hash_token(&format!("riverton-demo-visitor-{n}:{}", d.id))
                );
                decisions::vote_statement(db, jid, ids[k], &key, None, None, stance((pp + pc) / 2.0, rng)).await?;
            }
        }
    }
    Ok(())
}
