//! A year of meetings for every active or sustaining Riverton partnership: CAPS agendas, RSVPs, attendance by
//! side (one partnership whose officers stopped coming, so its alert shows), approved minutes whose action items
//! became commitments in every state (kept, kept late, dropped with a reason, in progress, open, overdue), and
//! announcements. Upcoming meetings are scheduled so the calendar feeds have something to show.

use commonbeat_domain::meeting::{Agenda, AgendaSection};
use commonbeat_store::Db;
use commonbeat_store::repo::commitments::{self, NewCommitment, Progress};
use commonbeat_store::repo::meetings::{self, MeetingDetails};
use commonbeat_store::repo::partnerships::{self, Filter};
use commonbeat_store::repo::{leadership, members};
use jiff::civil::Date;
use jiff::tz::TimeZone;
use jiff::{Timestamp, ToSpan};
use rand::Rng;
use rand::seq::SliceRandom;
use rand_chacha::ChaCha8Rng;

const PLACES: [&str; 4] = [
    "Kilbourn Park fieldhouse, 3501 N Kilbourn Ave (2nd floor, elevator)",
    "St. Hyacinth parish hall, 3636 W Wolfram St",
    "Riverton Public Library, Hermosa branch, community room",
    "14th District station community room, 2150 N California Ave",
];

const PROMISES: [(&str, bool); 12] = [
    ("Walk the Armitage corridor with residents on Friday evenings", true),
    ("Ask Streets and Sanitation to fix the alley lights behind the 4300 block", false),
    ("Report the vacant building at 2201 N Kostner to Buildings", false),
    ("Share the monthly crime summary for the beat before each meeting", true),
    ("Recruit two block-club captains for the south side of the beat", false),
    ("Invite the school principal to the next meeting", false),
    ("Park a squad at the corner during the after-school hour for a month", true),
    ("Translate the meeting flyer into Spanish and Polish", false),
    ("Follow up on the abandoned car on Cortland", true),
    ("Organise the spring alley clean-up", false),
    ("Check the speed-hump request with the alderman's office", false),
    ("Hold a youth basketball night with officers at the park", true),
];

/// Seeds meetings, minutes, commitments and announcements.
pub async fn create(db: &Db, jid: i64, time_zone: &str, rng: &mut ChaCha8Rng) -> anyhow::Result<()> {
    let zone = TimeZone::get(time_zone)?;
    let today = Timestamp::now().to_zoned_datetime(zone.clone()).date();
    let list = partnerships::list(db, jid, &Filter::default()).await?;
    for (pi, p) in list.iter().enumerate() {
        if !matches!(p.status.as_str(), "active" | "sustaining") {
            continue;
        }
        let people = members::list(db, jid, p.id, Some(members::ACTIVE)).await?;
        let chairs = leadership::current(db, jid, p.id).await?;
        let Some(chair) = chairs.first().map(|t| t.user.id) else { continue };
        let place = PLACES[pi % PLACES.len()];
        // Officers stopped coming to the third partnership's meetings: its attendance alert shows.
        let police_fading = pi == 2;
        let mut promise = pi;
        for k in -11i64..=2 {
            let date = second_tuesday(today, k);
            let start = date.at(18, 30, 0, 0).to_zoned_datetime(zone.clone())?.timestamp().as_second();
            let agenda = Agenda::caps_default(|s| english_title(s).to_string()).map_err(|e| anyhow::anyhow!("{e}"))?;
            let m = meetings::create(
                db,
                jid,
                p.id,
                MeetingDetails {
                    title: format!("Beat community meeting — {}", month_name(date)),
                    format: if k % 4 == 0 { "hybrid".into() } else { "in_person".into() },
                    starts_at: start,
                    ends_at: start + 90 * 60,
                    place: place.into(),
                    accessibility: "Step-free entrance on the east side; hearing loop; childcare in room 2.".into(),
                    interpretation: "Spanish; ASL on request a week ahead".into(),
                    online_url: if k % 4 == 0 { "https://meet.riverton.example/beat".into() } else { String::new() },
                    agenda: serde_json::to_string(&agenda)?,
                },
                Some(chair),
                None,
            )
            .await?;
            for x in &people {
                if rng.gen_bool(0.6) {
                    let r = ["yes", "yes", "maybe", "no"][rng.gen_range(0..4)];
                    meetings::rsvp(db, &m, x.user.id, r).await?;
                }
            }
            if k > 0 || (k == 0 && start > Timestamp::now().as_second()) {
                continue;
            }
            if k == -5 && pi == 0 {
                meetings::cancel(db, m, "The fieldhouse flooded; we meet next month.").await?;
                continue;
            }
            let fading = police_fading && k >= -2;
            // Residents are drifting away from Pulaski's meetings: fewer at each of the last four (its health alert).
            let thinning = (p.slug.starts_with("pulaski") && k >= -3).then(|| (k + 3) as usize);
            let mut residents_in = 0;
            for x in &people {
                let p_come = if x.membership.side == "police" { if fading { 0.0 } else { 0.55 } } else { 0.5 };
                let come = match thinning {
                    Some(step) if x.membership.side == "community" => residents_in < [9, 6, 4, 2][step.min(3)],
                    _ => rng.gen_bool(p_come),
                };
                if come {
                    residents_in += usize::from(x.membership.side == "community");
                    meetings::sign_in(db, &m, x.user.id, &x.membership.side).await?;
                }
            }
            let community_walk_ins = match thinning {
                Some(step) => [8, 5, 3, 1][step.min(3)],
                None => rng.gen_range(3..22),
            };
            let walk = (if fading { 0 } else { rng.gen_range(0..3) }, community_walk_ins);
            let recording = if k % 3 == 0 { "https://video.riverton.example/beat-meetings" } else { "" };
            let m = meetings::record_held(db, m, walk, recording).await?;
            // Minutes with two action items each; the newest ones still wait for approval.
            let mut lines = vec![
                "Welcome: 12 new neighbours introduced themselves.".to_string(),
                "Progress: the corridor walks continue; the alley lights were fixed.".to_string(),
                "Conditions: burglaries down, car break-ins up near the park.".to_string(),
            ];
            let mut items = Vec::new();
            for _ in 0..2 {
                let (what, police_owned) = PROMISES[promise % PROMISES.len()];
                promise += 1;
                let side = if police_owned { "police" } else { "community" };
                let owner = people
                    .iter()
                    .filter(|x| x.membership.side == side)
                    .collect::<Vec<_>>()
                    .choose(rng)
                    .map(|x| (*x).clone());
                let due = date.checked_add(rng.gen_range(14..60).days())?;
                match &owner {
                    Some(o) => lines.push(format!("- [ ] {what} — @{}, due {due}", o.user.name)),
                    None => lines.push(format!("- [ ] {what} — org: Streets and Sanitation, due {due}")),
                }
                items.push((what, owner, due));
            }
            let m = meetings::save_minutes(db, m, &lines.join("\n"), true).await?;
            if k == -1 {
                continue;
            }
            for t in &chairs {
                let side = people.iter().find(|x| x.user.id == t.user.id).map(|x| x.membership.side.clone());
                meetings::approve_minutes(db, &m, t.user.id, side.as_deref().unwrap_or("police")).await?;
            }
            meetings::mark_minutes_approved(db, &m).await?;
            for (what, owner, due) in items {
                let c = commitments::create(
                    db,
                    jid,
                    NewCommitment {
                        partnership_id: p.id,
                        meeting_id: Some(m.id),
                        decision_id: None,
                        problem_id: None,
                        strategy_id: None,
                        title: what.to_string(),
                        owner_user_id: owner.as_ref().map(|o| o.user.id),
                        owner_side: owner.as_ref().map(|o| o.membership.side.clone()),
                        owner_org: if owner.is_none() { "Streets and Sanitation".into() } else { String::new() },
                        due_on: due.to_string(),
                        is_public: true,
                        created_by: Some(chair),
                        created_on: date.to_string(),
                    },
                )
                .await?;
                settle(db, c, due, today, owner.map(|o| o.user.id), rng).await?;
            }
        }
        commitments::announce(
            db,
            jid,
            p.id,
            "Spring alley clean-up: bring gloves",
            "Saturday at **9:00**, meet at the fieldhouse. Streets and Sanitation brings the dumpsters; we bring the people.",
            true,
            Some(chair),
        )
        .await?;
        commitments::announce(
            db,
            jid,
            p.id,
            "New beat officers this month",
            "Two officers joined the beat team. Come say hello at the next meeting.",
            true,
            Some(chair),
        )
        .await?;
    }
    Ok(())
}

/// Moves a commitment through a realistic history: most past-due ones are kept (some late), some dropped with a
/// reason, some left open (overdue); future ones are open or in progress.
async fn settle(
    db: &Db,
    c: commonbeat_store::entities::commitment::Model,
    due: Date,
    today: Date,
    owner: Option<i64>,
    rng: &mut ChaCha8Rng,
) -> anyhow::Result<()> {
    let note = |status: Option<&str>, body: &str, completed: Option<Date>, reason: &str| Progress {
        status_to: status.map(str::to_string),
        drop_reason: reason.to_string(),
        completed_on: completed.map(|d| d.to_string()),
        body: body.to_string(),
        evidence_url: if completed.is_some() {
            "https://photos.riverton.example/beat/evidence".into()
        } else {
            String::new()
        },
        author_id: owner,
    };
    if due >= today {
        if rng.gen_bool(0.5) {
            commitments::progress(db, c, note(Some("in_progress"), "Started; first contact made.", None, "")).await?;
        }
        return Ok(());
    }
    let roll: f64 = rng.r#gen();
    let c = commitments::progress(db, c, note(Some("in_progress"), "Working on it.", None, "")).await?;
    if roll < 0.62 {
        let done = due.checked_sub(rng.gen_range(0..10).days())?;
        commitments::progress(db, c, note(Some("done"), "Done, photo attached.", Some(done), "")).await?;
    } else if roll < 0.77 {
        let done = due.checked_add(rng.gen_range(3..25).days())?.min(today);
        commitments::progress(db, c, note(Some("done"), "Done, later than promised.", Some(done), "")).await?;
    } else if roll < 0.87 {
        let reason = "The city moved the work into its own spring schedule.";
        commitments::progress(db, c, note(Some("dropped"), reason, None, reason)).await?;
    }
    Ok(())
}

/// The second Tuesday of the month `offset` months from `today`'s month.
fn second_tuesday(today: Date, offset: i64) -> Date {
    let first = today.first_of_month().checked_add(offset.months()).unwrap_or(today);
    let mut d = first;
    let mut tuesdays = 0;
    loop {
        if d.weekday() == jiff::civil::Weekday::Tuesday {
            tuesdays += 1;
            if tuesdays == 2 {
                return d;
            }
        }
        d = d.tomorrow().unwrap_or(d);
    }
}

fn month_name(d: Date) -> String {
    const M: [&str; 12] = [
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ];
    format!("{} {}", M[(d.month() - 1) as usize], d.year())
}

fn english_title(s: AgendaSection) -> &'static str {
    match s {
        AgendaSection::Welcome => "Welcome and introductions",
        AgendaSection::ProgressReport => "Progress on earlier problems: keep, change or close each strategy",
        AgendaSection::CrimeConditions => "Current crime conditions and new chronic problems",
        AgendaSection::Strategies => "Strategies, with a community contact for each problem",
        AgendaSection::NextSteps => "Next meeting date and working groups",
    }
}
