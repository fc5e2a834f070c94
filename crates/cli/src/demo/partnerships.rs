//! Riverton's partnerships, in every stage of life, with members on both sides, private member self-descriptions,
//! co-chairs with terms (one seat vacant, one term about to end) and a visible representation gap.

use super::city;
use commonbeat_domain::Side;
use commonbeat_domain::census::Dimension;
use commonbeat_domain::partnership::{Charter, MemberRole, Seat, Status};
use commonbeat_store::Db;
use commonbeat_store::repo::leadership::{self, Assignment};
use commonbeat_store::repo::members::{self, Change};
use commonbeat_store::repo::partnerships;
use rand::Rng;
use rand::seq::SliceRandom;
use rand_chacha::ChaCha8Rng;

struct Plan {
    name: &'static str,
    mission: &'static str,
    goals: &'static str,
    problem: &'static str,
    cadence: &'static str,
    beats: &'static [usize],
    status: Status,
    police: usize,
    community: usize,
    /// Community members recruited mostly at homeowner meetings (a representation gap).
    skewed: bool,
    community_chair: bool,
    /// Days left in the police co-chair's term.
    police_term_days: i64,
}

const PLANS: [Plan; 7] = [
    Plan {
        name: "Riverside Beat 1411 Partnership",
        mission: "Close the open-air drug market at Armitage and Kostner and keep the corner for families, with residents and the 14th District working side by side.",
        goals: "arrest,prevent,solve",
        problem: "Open-air drug sales at Armitage & Kostner, evenings and weekends",
        cadence: "monthly",
        beats: &[0, 1],
        status: Status::Active,
        police: 7,
        community: 9,
        skewed: false,
        community_chair: true,
        police_term_days: 240,
    },
    Plan {
        name: "Northgate Youth Safety Alliance",
        mission: "Fewer young people hurt or arrested: safe routes to school, summer jobs, and officers who know the kids by name.",
        goals: "prevent,quality",
        problem: "Fights and robberies on the walk home from Northgate High",
        cadence: "biweekly",
        beats: &[2, 3],
        status: Status::Active,
        police: 5,
        community: 7,
        skewed: false,
        community_chair: false,
        police_term_days: 300,
    },
    Plan {
        name: "Pulaski Corridor Partnership",
        mission: "A corridor where shops stay open after dark: lighting, cleaned-up lots and a quick answer when something happens.",
        goals: "prevent,solve,quality",
        problem: "Break-ins and loitering at closed storefronts on Pulaski Road",
        cadence: "monthly",
        beats: &[4, 5],
        status: Status::Active,
        police: 6,
        community: 8,
        skewed: true,
        community_chair: true,
        police_term_days: 20,
    },
    Plan {
        name: "Eastbank Tenants and Police",
        mission: "Tenants and officers together against the landlord neglect that lets crime move into our buildings.",
        goals: "solve,quality",
        problem: "Vacant units used for drug sales in the Eastbank courtyard buildings",
        cadence: "monthly",
        beats: &[6, 7],
        status: Status::Forming,
        police: 2,
        community: 3,
        skewed: false,
        community_chair: false,
        police_term_days: 365,
    },
    Plan {
        name: "Old Mill Block Watch",
        mission: "Neighbours watching out for each other on the Old Mill blocks, with a direct line to the beat officers.",
        goals: "prevent",
        problem: "Garage burglaries along the Old Mill alleys",
        cadence: "bimonthly",
        beats: &[8, 9],
        status: Status::Dormant,
        police: 3,
        community: 4,
        skewed: false,
        community_chair: true,
        police_term_days: 120,
    },
    Plan {
        name: "Harbor Point Safe Parks",
        mission: "Take back Harbor Point Park from night-time drug dealing with programming, lighting and patrols.",
        goals: "arrest,quality",
        problem: "Drug dealing and shootings in Harbor Point Park",
        cadence: "monthly",
        beats: &[10],
        status: Status::Closed,
        police: 3,
        community: 3,
        skewed: false,
        community_chair: true,
        police_term_days: 90,
    },
    Plan {
        name: "Westlake Seniors and Safety",
        mission: "Older residents who feel safe at home and on the street: scam alerts, escorts and check-ins.",
        goals: "prevent,quality",
        problem: "Scams and purse snatchings targeting seniors",
        cadence: "monthly",
        beats: &[11],
        status: Status::Active,
        police: 4,
        community: 6,
        skewed: false,
        community_chair: true,
        police_term_days: 150,
    },
];

/// Creates the partnerships. `police` and `community` are user ids by side; the named demo accounts come first.
pub async fn create(
    db: &Db,
    jid: i64,
    beats: &[i64],
    police: &[i64],
    community: &[i64],
    rng: &mut ChaCha8Rng,
) -> anyhow::Result<()> {
    let now = commonbeat_store::now();
    let day = 86_400;
    let mut profiled = std::collections::HashSet::new();
    for (pi, plan) in PLANS.iter().enumerate() {
        let charter = Charter::parse(plan.name, plan.mission, plan.goals, plan.problem, plan.cadence)
            .map_err(|e| anyhow::anyhow!("demo charter {}: {:?}", plan.name, e))?;
        let area_ids: Vec<i64> = plan.beats.iter().map(|b| beats[*b]).collect();
        // The named demo officer and resident are in the first partnerships; others are drawn.
        let mut cops: Vec<i64> = police[1..].choose_multiple(rng, plan.police).copied().collect();
        let mut residents: Vec<i64> = community[1..].choose_multiple(rng, plan.community).copied().collect();
        if pi < 3 {
            cops[0] = police[0];
            residents[0] = community[0];
        }
        let chair = cops[0];
        let p = partnerships::create(db, jid, &charter, &area_ids, Some(chair)).await?;
        for (uid, side) in
            cops.iter().map(|u| (*u, Side::Police)).chain(residents.iter().map(|u| (*u, Side::Community)))
        {
            let role = if rng.gen_bool(0.1) && uid != chair { MemberRole::Observer } else { MemberRole::Member };
            members::set_status(
                db,
                jid,
                p.id,
                Change { user_id: uid, side, role, status: members::REQUESTED, actor_id: Some(uid), note: "" },
            )
            .await?;
            members::set_status(
                db,
                jid,
                p.id,
                Change { user_id: uid, side, role, status: members::ACTIVE, actor_id: Some(chair), note: "" },
            )
            .await?;
            if side == Side::Community && profiled.insert(uid) && rng.gen_bool(0.85) {
                let beat = plan.beats[0];
                let mut answers = serde_json::Map::new();
                for dim in Dimension::ALL {
                    if rng.gen_bool(0.9) {
                        answers.insert(dim.as_str().into(), city::draw(dim, beat, plan.skewed, rng).into());
                    }
                }
                let types = [
                    "resident",
                    "resident",
                    "resident",
                    "business",
                    "faith",
                    "tenant_association",
                    "school",
                    "nonprofit",
                ];
                let mut mine = vec!["resident"];
                if rng.gen_bool(0.35) {
                    mine.push(types.choose(rng).copied().unwrap_or("resident"));
                }
                if plan.skewed {
                    mine = vec!["resident", "business"];
                }
                mine.dedup();
                members::save_profile(db, jid, uid, &mine.join(","), &serde_json::Value::Object(answers).to_string())
                    .await?;
            }
        }
        // A few pending join requests for co-chairs to answer.
        if plan.status != Status::Closed {
            for uid in community[1..].choose_multiple(rng, 2) {
                if members::of_user(db, jid, p.id, *uid).await?.is_none() {
                    members::set_status(
                        db,
                        jid,
                        p.id,
                        Change {
                            user_id: *uid,
                            side: Side::Community,
                            role: MemberRole::Member,
                            status: members::REQUESTED,
                            actor_id: Some(*uid),
                            note: "",
                        },
                    )
                    .await?;
                }
            }
        }
        leadership::assign(
            db,
            jid,
            p.id,
            Assignment {
                seat: Seat::PoliceChair,
                user_id: chair,
                starts_at: now - 300 * day,
                ends_at: now + plan.police_term_days * day,
                actor_id: Some(chair),
                handover_note: "",
            },
        )
        .await?;
        if plan.community_chair {
            leadership::assign(
                db,
                jid,
                p.id,
                Assignment {
                    seat: Seat::CommunityChair,
                    user_id: residents[0],
                    starts_at: now - 200 * day,
                    ends_at: now + 330 * day,
                    actor_id: Some(chair),
                    handover_note: "",
                },
            )
            .await?;
        } else if plan.status == Status::Active {
            // The community co-chair stepped down: the seat is vacant (a live alert on the partnership page).
            leadership::assign(
                db,
                jid,
                p.id,
                Assignment {
                    seat: Seat::CommunityChair,
                    user_id: residents[1],
                    starts_at: now - 400 * day,
                    ends_at: now + 100 * day,
                    actor_id: Some(chair),
                    handover_note: "",
                },
            )
            .await?;
            leadership::vacate(
                db,
                jid,
                p.id,
                Seat::CommunityChair,
                Some(residents[1]),
                "Moved out of the beat; handed the outreach list to the youth working group.",
            )
            .await?;
        }
        if pi == 0 {
            leadership::assign(
                db,
                jid,
                p.id,
                Assignment {
                    seat: Seat::CommunityDeputy,
                    user_id: residents[2],
                    starts_at: now - 100 * day,
                    ends_at: now + 265 * day,
                    actor_id: Some(chair),
                    handover_note: "",
                },
            )
            .await?;
        }
        if plan.status == Status::Active {
            super::decisions::decisions_for(db, jid, p.id, chair, (&cops, &residents), pi, rng).await?;
        }
        match plan.status {
            Status::Forming => {}
            Status::Active => {
                partnerships::set_status(
                    db,
                    jid,
                    p.id,
                    Status::Active,
                    Some(chair),
                    "Charter adopted at the first joint meeting",
                )
                .await?
            }
            Status::Dormant => {
                partnerships::set_status(
                    db,
                    jid,
                    p.id,
                    Status::Active,
                    Some(chair),
                    "Charter adopted at the first joint meeting",
                )
                .await?;
                partnerships::set_status(
                    db,
                    jid,
                    p.id,
                    Status::Dormant,
                    Some(chair),
                    "No meeting since the beat officers were reassigned; to be revived in spring",
                )
                .await?;
            }
            Status::Closed => {
                partnerships::set_status(db, jid, p.id, Status::Active, Some(chair), "Charter adopted").await?;
                partnerships::set_status(
                    db,
                    jid,
                    p.id,
                    Status::Closed,
                    Some(chair),
                    "Park problem solved; members joined the Westlake partnership",
                )
                .await?;
            }
        }
    }
    Ok(())
}
