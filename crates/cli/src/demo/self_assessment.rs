//! Self-assessment rounds in Riverton: for up to three active partnerships, two closed rounds (about seven and four
//! months ago) and one open round (opened five days ago, with some members still to answer — the demo accounts
//! among them). Officers rate collaborative decision making and building trust well above residents, and the gap
//! narrows a little from round to round. Deterministic from the seeded RNG.

use commonbeat_domain::partnership::Status as PStatus;
use commonbeat_domain::self_assessment::{Answers, Dimension, ITEMS};
use commonbeat_store::Db;
use commonbeat_store::repo::members;
use commonbeat_store::repo::partnerships::{self, Filter};
use commonbeat_store::repo::self_assessment as repo;
use rand::Rng;
use rand_chacha::ChaCha8Rng;

const DAY: i64 = 86_400;

const COMMENTS: &[&str] = &[
    "Meetings run long; a tighter agenda would help.",
    "Más reuniones en español, por favor.",
    "The new co-chair has made a real difference.",
    "We decide things but the follow-through is slow.",
    "Officers rotate too often to build relationships.",
    "Good progress on the park lighting.",
];

/// The mean agreement (1–5) a side gives a dimension in round `r` (0, 1, 2).
fn mean_for(police: bool, d: Dimension, r: usize) -> f64 {
    let narrowing = 0.2 * r as f64;
    match (police, d) {
        (true, Dimension::DecisionMaking | Dimension::Trust) => 4.3,
        (false, Dimension::DecisionMaking) => 2.5 + narrowing,
        (false, Dimension::Trust) => 2.4 + narrowing,
        (true, Dimension::OrganisationalTransformation) => 3.0,
        (false, Dimension::OrganisationalTransformation) => 3.1,
        (false, Dimension::Representation) => 3.0,
        (true, _) => 3.7,
        (false, _) => 3.4,
    }
}

fn answers(police: bool, r: usize, rng: &mut ChaCha8Rng) -> Answers {
    let mut a = Answers::new();
    for i in &ITEMS {
        if rng.gen_bool(0.95) {
            let v = mean_for(police, i.dimension, r) + rng.gen_range(-1.2..1.2);
            a.insert(i.id.to_string(), v.round().clamp(1.0, 5.0) as u8);
        }
    }
    a
}

/// Seeds the rounds. `skip` are accounts left to answer the open round themselves (the demo accounts).
pub async fn create(db: &Db, jid: i64, skip: &[i64], end: i64, rng: &mut ChaCha8Rng) -> anyhow::Result<()> {
    let mut active =
        partnerships::list(db, jid, &Filter { status: Some(PStatus::Active), ..Default::default() }).await?;
    // Partnerships the demo accounts belong to first, so they find a round to answer.
    let mut mine = Vec::new();
    for p in &active {
        let mut count = 0;
        for uid in skip {
            count += usize::from(members::of_user(db, jid, p.id, *uid).await?.is_some());
        }
        mine.push((p.id, count));
    }
    active.sort_by_key(|p| std::cmp::Reverse(mine.iter().find(|(id, _)| *id == p.id).map_or(0, |x| x.1)));
    for p in active.iter().take(3) {
        for (r, days_ago) in [210i64, 120, 5].into_iter().enumerate() {
            let opens = end - days_ago * DAY;
            let closes = opens + 21 * DAY;
            let round = repo::open_round(db, jid, p.id, opens, closes, None).await?;
            let last = r == 2;
            for part in repo::participants(db, jid, round.id).await? {
                // Small partnerships: nearly everyone answers a closed round (so both sides reach k); the open round
                // is half answered, and the demo accounts are left to answer it themselves.
                let police = part.side == "police";
                let answer_rate = match (last, police) {
                    (true, _) => 0.5,
                    (false, true) => 1.0,
                    (false, false) => 0.9,
                };
                if (last && skip.contains(&part.user_id)) || !rng.gen_bool(answer_rate) {
                    continue;
                }
                let a = answers(police, r, rng);
                if a.is_empty() {
                    continue;
                }
                let comment = rng.gen_bool(0.2).then(|| COMMENTS[rng.gen_range(0..COMMENTS.len())]);
                repo::answer(db, jid, round.id, part.user_id, &serde_json::to_string(&a)?, comment, opens + DAY)
                    .await?;
            }
            if !last {
                repo::close(db, jid, round.id, closes).await?;
            }
        }
    }
    Ok(())
}
