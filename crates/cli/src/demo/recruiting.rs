//! A recruiting year in Riverton: outreach events co-hosted by the partnerships (a year of them and a few to
//! come), about three hundred candidates from events, partnerships, referrals and direct applications moving
//! through the pipeline with realistic attrition (and some group differences for the fairness report to find),
//! interview panels of residents and recruiting staff with their scores, and the demo officer as recruiting staff.
//! Deterministic from the seeded RNG; candidates and panels are loaded in bulk transactions.

use commonbeat_domain::recruit::DEFAULT_STAGES;
use commonbeat_store::Db;
use commonbeat_store::repo::partnerships::{self, Filter};
use commonbeat_store::repo::recruiting::{self, ImportedCandidate, NewCandidate, NewEvent, STAFF_SETTING};
use commonbeat_store::repo::settings;
use rand::Rng;
use rand::seq::SliceRandom;
use rand_chacha::ChaCha8Rng;

const DAY: i64 = 86_400;

const EVENTS: &[(&str, &str, &str)] = &[
    ("Spring career fair", "fair", "Humboldt Park fieldhouse, 1400 N Sacramento Ave"),
    ("Roosevelt High career day", "school", "Roosevelt High School gym"),
    ("Iglesia San Marcos after Mass", "faith", "Iglesia San Marcos parish hall"),
    ("Ride-along weekend", "ride_along", "District 14 station"),
    ("Community college job fair", "fair", "Riverton Community College, student center"),
    ("Greater Bethel community breakfast", "faith", "Greater Bethel AME church hall"),
    ("Northgate youth summit", "school", "Northgate library auditorium"),
    ("Summer block party booth", "other", "Kostner Ave & Armitage Ave"),
    ("Veterans' job fair", "fair", "VFW Post 7421"),
    ("Masjid Al-Noor open house", "faith", "Masjid Al-Noor community room"),
    ("Westlake senior centre talk", "other", "Westlake senior centre"),
    ("Fall career fair", "fair", "Humboldt Park fieldhouse, 1400 N Sacramento Ave"),
    ("Riverton High career day", "school", "Riverton High School library"),
    ("Winter ride-along night", "ride_along", "District 14 station"),
];

const FIRST: &[&str] = &[
    "Alejandro",
    "Brianna",
    "Carlos",
    "Destiny",
    "Elijah",
    "Fernanda",
    "Gabriel",
    "Hannah",
    "Isaiah",
    "Jasmine",
    "Kevin",
    "Lucía",
    "Marcus",
    "Nadia",
    "Omar",
    "Priya",
    "Quentin",
    "Rosa",
    "Samuel",
    "Tiana",
    "Víctor",
    "Wei",
    "Ximena",
    "Yusuf",
    "Zoe",
    "Andre",
    "Camila",
    "Darnell",
    "Emily",
    "Hector",
];
const LAST: &[&str] = &[
    "Alvarez",
    "Brooks",
    "Castillo",
    "Davis",
    "Edwards",
    "Flores",
    "Green",
    "Harris",
    "Ibarra",
    "Jackson",
    "Kim",
    "López",
    "Mitchell",
    "Nguyen",
    "Ortiz",
    "Patel",
    "Quinn",
    "Ramírez",
    "Smith",
    "Thompson",
    "Usman",
    "Vega",
    "Washington",
    "Xu",
    "Young",
    "Zamora",
];

/// Race mix of the candidates (weights in per cent) and how each group fares at the written test (a group
/// difference the fairness report should flag).
const RACES: &[(&str, u32, f64)] = &[
    ("hispanic", 34, 0.62),
    ("black", 29, 0.58),
    ("white", 22, 0.82),
    ("asian", 6, 0.8),
    ("multiracial", 3, 0.75),
    ("", 6, 0.7),
];

fn pick_race(rng: &mut ChaCha8Rng) -> (&'static str, f64) {
    let mut x = rng.gen_range(0..100);
    for (r, w, p) in RACES {
        if x < *w {
            return (r, *p);
        }
        x -= w;
    }
    ("", 0.7)
}

/// Creates the recruiting year. `police_ids[0]` is the demo officer (made recruiting staff); `community_ids[0]`
/// the demo resident (a referrer and a panelist).
pub async fn create(
    db: &Db,
    jid: i64,
    police_ids: &[i64],
    community_ids: &[i64],
    now: i64,
    rng: &mut ChaCha8Rng,
) -> anyhow::Result<()> {
    settings::set(db, jid, STAFF_SETTING, &police_ids[0].to_string()).await?;
    let ps = partnerships::list(db, jid, &Filter::default()).await?;
    let mut events = Vec::new();
    for (i, (title, kind, place)) in EVENTS.iter().enumerate() {
        // Eleven events over the past year, three to come.
        let days_ago: i64 = if i < 11 { 350 - 32 * i as i64 } else { -(10 + 14 * (i as i64 - 11)) };
        let n_hosts = rng.gen_range(1..=2);
        let mut hosts: Vec<i64> = ps.choose_multiple(rng, n_hosts).map(|p| p.id).collect();
        hosts.sort_unstable();
        let e = recruiting::create_event(
            db,
            jid,
            NewEvent {
                title: title.to_string(),
                kind: kind.to_string(),
                place: place.to_string(),
                starts_at: now - days_ago * DAY + 10 * 3600,
                description:
                    "Meet officers and residents from the partnership, ask about the job, the tests and the academy."
                        .into(),
                is_public: true,
                hosts: hosts.clone(),
                created_by: Some(police_ids[0]),
            },
        )
        .await?;
        if days_ago > 0 {
            recruiting::set_attendance(db, jid, e.id, rng.gen_range(25..160)).await?;
        }
        events.push((e.id, e.starts_at, hosts));
    }
    let past: Vec<&(i64, i64, Vec<i64>)> = events.iter().filter(|e| e.1 < now).collect();

    let mut list = Vec::new();
    let mut referred = Vec::new();
    for i in 0..320 {
        let (race, written_pass) = pick_race(rng);
        let sex = if rng.gen_bool(0.31) { "female" } else { "male" };
        let first = FIRST.choose(rng).copied().unwrap_or("Alex");
        let last = LAST.choose(rng).copied().unwrap_or("Smith");
        let (source, event_id, partnership_id, start) = match rng.gen_range(0..100) {
            0..=54 => {
                let e = past.choose(rng).expect("past events");
                ("event", Some(e.0), e.2.first().copied().filter(|_| rng.gen_bool(0.4)), e.1)
            }
            55..=64 => ("partnership", None, ps.choose(rng).map(|p| p.id), now - rng.gen_range(5..360) * DAY),
            65..=84 => ("referral", None, ps.choose(rng).map(|p| p.id), now - rng.gen_range(5..360) * DAY),
            _ => ("direct", None, None, now - rng.gen_range(5..360) * DAY),
        };
        let referrer = (source == "referral").then(|| {
            if i % 9 == 0 { community_ids[0] } else { *community_ids.choose(rng).unwrap_or(&community_ids[0]) }
        });
        let mut path = vec![("lead".to_string(), start)];
        let mut t = start;
        let mut closed = false;
        for w in DEFAULT_STAGES.windows(2) {
            let next = w[1];
            let p = match next.as_str() {
                "applied" => 0.6,
                "written_test" => 0.9,
                "physical" => written_pass,
                "background" => {
                    if sex == "female" {
                        0.72
                    } else {
                        0.8
                    }
                }
                "community_interview" => 0.85,
                "academy" => 0.7,
                _ => 0.88,
            };
            let step = rng.gen_range(7..40) * DAY;
            if t + step > now {
                break;
            }
            t += step;
            if rng.gen_bool(p) {
                path.push((next.as_str().to_string(), t));
                if next.as_str() == "hired" {
                    closed = true;
                }
            } else {
                let exit = if rng.gen_bool(0.4) { "withdrawn" } else { "not_selected" };
                path.push((exit.to_string(), t));
                closed = true;
                break;
            }
        }
        let email = format!("{}.{}{}@mail.example", first.to_lowercase(), last.to_lowercase(), i);
        if let Some(r) = referrer {
            referred.push((list.len(), r, partnership_id, email.clone(), start - 2 * DAY));
        }
        list.push(ImportedCandidate {
            candidate: NewCandidate {
                name: format!("{first} {last}"),
                email,
                phone: String::new(),
                source: source.into(),
                event_id,
                partnership_id,
                referrer_id: referrer,
                race: race.into(),
                sex: sex.into(),
            },
            path,
            closed,
        });
    }
    let reached_interview: Vec<(usize, bool, bool)> = list
        .iter()
        .enumerate()
        .filter(|(_, c)| c.path.iter().any(|(s, _)| s == "community_interview"))
        .map(|(i, c)| {
            (
                i,
                c.path.iter().any(|(s, _)| s == "academy"),
                c.path.last().is_some_and(|(s, _)| s == "community_interview"),
            )
        })
        .collect();
    let ids = recruiting::import_candidates(db, jid, list).await?;
    for (i, r, p, email, at) in referred {
        recruiting::import_referral(db, jid, r, p, ids[i], &email, at).await?;
    }

    // Panels: two residents and one member of recruiting staff; the demo resident sits on several, and has not
    // yet scored the first candidate still waiting for the interview.
    let staff = [police_ids[0], police_ids.get(1).copied().unwrap_or(police_ids[0])];
    let mut panels = Vec::new();
    let mut resident_waiting = false;
    for (n, (i, passed, waiting)) in reached_interview.into_iter().enumerate() {
        let mut residents: Vec<i64> = community_ids[1..].choose_multiple(rng, 2).copied().collect();
        if n % 4 == 0 || (waiting && !resident_waiting) {
            residents[0] = community_ids[0];
        }
        let members = vec![
            (residents[0], "resident".to_string()),
            (residents[1], "resident".to_string()),
            (staff[n % 2], "recruiting_staff".to_string()),
        ];
        let quality: i64 = if passed { rng.gen_range(3..=5) } else { rng.gen_range(1..=4) };
        let mut sheets = Vec::new();
        for (who, _) in &members {
            // Candidates still waiting for their interview: the demo resident has not scored yet.
            if waiting && *who == community_ids[0] {
                resident_waiting = true;
                continue;
            }
            let s = [0; 5].map(|_| (quality + rng.gen_range(-1..=1)).clamp(1, 5));
            sheets.push((*who, s));
        }
        panels.push((ids[i], members, sheets));
    }
    recruiting::import_panels(db, jid, panels).await?;
    Ok(())
}
