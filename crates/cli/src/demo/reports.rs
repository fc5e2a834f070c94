//! Riverton's community reports: 560 reports over the last year, spread over the beats (points drawn inside the
//! beat outlines), with plausible categories, statuses across the whole lifecycle (older reports mostly closed),
//! public status notes and internal notes, anonymous and named reporters, a few moderated reports and some
//! follow-up answers. Assigned to partnerships by point-in-polygon, like reports from the form. Deterministic:
//! its own ChaCha8 stream from the demo seed, so adding it changes nothing else in the city.

use commonbeat_domain::geo::{LonLat, MultiPolygon};
use commonbeat_domain::report::{self, Category, Point, ReportStatus};
use commonbeat_store::Db;
use commonbeat_store::repo::reports::{self as repo, HistoryStep, NewReport};
use commonbeat_store::repo::{areas, partnerships};
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// How many reports the demo city gets.
pub const COUNT: usize = 560;

const WEIGHTS: [(Category, f64); 10] = [
    (Category::Graffiti, 0.17),
    (Category::StreetLighting, 0.14),
    (Category::IllegalDumping, 0.12),
    (Category::AbandonedVehicle, 0.10),
    (Category::Noise, 0.12),
    (Category::DrugActivity, 0.10),
    (Category::Disorder, 0.08),
    (Category::Traffic, 0.09),
    (Category::VacantBuilding, 0.05),
    (Category::Other, 0.03),
];

const STREETS: [&str; 12] = [
    "W Augusta Blvd",
    "W Division St",
    "N Pulaski Rd",
    "W Chicago Ave",
    "N Karlov Ave",
    "W Thomas St",
    "N Keeler Ave",
    "W Walton St",
    "N Hamlin Ave",
    "W Iowa St",
    "N Springfield Ave",
    "W Cortez St",
];

fn descriptions(c: Category) -> &'static [&'static str] {
    match c {
        Category::Graffiti => &[
            "Fresh tags on the side of the corner store, about two metres wide.",
            "Gang-style graffiti on the viaduct wall, appeared over the weekend.",
            "Pintaron grafiti en la cerca del parque infantil.",
        ],
        Category::StreetLighting => &[
            "The street light in front of the bus stop has been out for a week.",
            "Alley light flickers all night and goes dark after midnight.",
            "La farola de la esquina no funciona desde hace días.",
        ],
        Category::IllegalDumping => &[
            "Mattresses and tyres dumped in the alley behind the laundromat.",
            "Someone left construction debris on the vacant lot again.",
        ],
        Category::AbandonedVehicle => &[
            "Grey sedan with flat tyres and no plates, has not moved in a month.",
            "Van with broken windows parked by the school for weeks.",
        ],
        Category::Noise => &[
            "Loud parties with amplified music every Friday and Saturday until 3 am.",
            "Música muy alta todas las noches en el edificio de la esquina.",
        ],
        Category::DrugActivity => &[
            "Hand-to-hand sales at the corner in the evenings, cars stop briefly.",
            "People using in the gangway next to the vacant building.",
        ],
        Category::Disorder => &[
            "Group drinking and fighting outside the liquor store most nights.",
            "Young people blocking the sidewalk by the bus stop and harassing riders.",
        ],
        Category::Traffic => &[
            "Cars speed down this block to skip the light; children cross here to school.",
            "Drivers run the stop sign at this corner every morning.",
        ],
        Category::VacantBuilding => &[
            "Back door of the empty two-flat is open and people go in at night.",
            "Boarded-up building with a broken board, squatters inside.",
        ],
        Category::Other => &["Broken glass all over the playground every morning.", "Shopping carts left in the park."],
    }
}

fn closing_note(c: Category, s: ReportStatus) -> &'static str {
    match (s, c) {
        (ReportStatus::Fixed, Category::Graffiti) => "The graffiti crew painted over it.",
        (ReportStatus::Fixed, Category::StreetLighting) => "The light was repaired.",
        (ReportStatus::Fixed, Category::IllegalDumping) => "The dumped items were collected.",
        (ReportStatus::Fixed, Category::AbandonedVehicle) => "The vehicle was towed.",
        (ReportStatus::Fixed, _) => "Officers addressed this with extra attention over two weeks; it has stopped.",
        (ReportStatus::NoFurtherAction, _) => "Officers checked several times and found nothing to act on.",
        (ReportStatus::NotPoliceMatter, _) => "This is a matter for the property owner; we have told them.",
        (ReportStatus::Duplicate, _) => "Already reported; we are following the earlier report.",
        _ => "Passed to the responsible city department.",
    }
}

fn pick_category(rng: &mut ChaCha8Rng) -> Category {
    let total: f64 = WEIGHTS.iter().map(|w| w.1).sum();
    let mut x = rng.r#gen::<f64>() * total;
    for (c, w) in WEIGHTS {
        if x < w {
            return c;
        }
        x -= w;
    }
    Category::Other
}

/// Creates the demo reports. Returns how many were written.
pub async fn create(db: &Db, jid: i64, seed: u64) -> anyhow::Result<usize> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed ^ 0x5245_504f_5254_5321);
    let beats: Vec<MultiPolygon> =
        areas::list(db, jid, Some("beat")).await?.iter().filter_map(commonbeat_web::maps::geometry).collect();
    anyhow::ensure!(!beats.is_empty(), "demo reports need the beats");
    let mut zones: Vec<(i64, MultiPolygon)> = Vec::new();
    for p in partnerships::list(db, jid, &Default::default()).await?.into_iter().filter(|p| p.status != "closed") {
        for a in partnerships::areas_of(db, jid, p.id).await? {
            if let Some(g) = commonbeat_web::maps::geometry(&a) {
                zones.push((p.id, g));
            }
        }
    }
    let now = commonbeat_store::now();
    let mut made = Vec::with_capacity(COUNT);
    for i in 0..COUNT {
        let cat = pick_category(&mut rng);
        let beat = beats.choose(&mut rng).expect("beats");
        let (w, s, e, n) = beat.bbox();
        let at = loop {
            let p = LonLat::new(rng.gen_range(w..e), rng.gen_range(s..n));
            if beat.contains(p) {
                break p;
            }
        };
        let point = Point { lat: (at.lat * 1e6).round() / 1e6, lon: (at.lon * 1e6).round() / 1e6 };
        let block = report::generalise(point);
        // Older reports are more often closed; a year back, a few a day.
        let age_days = (rng.r#gen::<f64>().powf(1.3) * 365.0) as i64;
        let created = now - age_days * 86_400 - rng.gen_range(0..86_400);
        let closed_share = match age_days {
            0..=6 => 0.1,
            7..=29 => 0.4,
            30..=89 => 0.7,
            _ => 0.9,
        };
        let closed = rng.gen_bool(closed_share);
        let status = if closed {
            *[
                ReportStatus::Fixed,
                ReportStatus::Fixed,
                ReportStatus::Fixed,
                ReportStatus::NoFurtherAction,
                ReportStatus::NotPoliceMatter,
                ReportStatus::Duplicate,
                ReportStatus::Referred,
            ]
            .choose(&mut rng)
            .expect("statuses")
        } else {
            *[
                ReportStatus::Received,
                ReportStatus::Investigating,
                ReportStatus::InProgress,
                ReportStatus::ActionScheduled,
            ]
            .choose(&mut rng)
            .expect("statuses")
        };
        let named = rng.gen_bool(0.55) || !cat.allows_anonymous();
        let house = rng.gen_range(1..48) * 100 + rng.gen_range(0..60) * 2;
        let street = STREETS.choose(&mut rng).expect("streets");
        let address = if rng.gen_bool(0.6) { format!("{house} {street}") } else { String::new() };
        let partnership_id = zones.iter().find(|(_, g)| g.contains(at)).map(|(id, _)| *id);
        let r = repo::create(
            db,
            jid,
            NewReport {
                category: cat.as_str().into(),
                description: descriptions(cat).choose(&mut rng).expect("texts").to_string(),
                attributes: if rng.gen_bool(0.5) { r#"{"ongoing":"yes"}"#.into() } else { "{}".into() },
                lat: Some(point.lat),
                lon: Some(point.lon),
                block_lat: Some(block.lat),
                block_lon: Some(block.lon),
                block_address: report::block_of_address(&address),
                address,
                zipcode: "60651".into(),
                media_url: None,
                anonymous: !named,
                contact_name: if named { format!("Resident {}", i + 1) } else { String::new() },
                contact_email: if named { format!("resident{}@mail.example", i + 1) } else { String::new() },
                contact_phone: String::new(),
                source: ["web", "web", "web", "open311", "api"].choose(&mut rng).expect("sources").to_string(),
                open311_key_id: None,
                partnership_id,
                status: status.as_str().into(),
                created_at: created,
            },
            None,
        )
        .await?;
        // The path to the current status, with its notes.
        let mut steps = Vec::new();
        let mut t = created;
        let mut from = ReportStatus::Received;
        let span = (now - created).max(3_600);
        let mut path: Vec<ReportStatus> = Vec::new();
        if status != ReportStatus::Received {
            if status != ReportStatus::Investigating && rng.gen_bool(0.7) {
                path.push(ReportStatus::Investigating);
            }
            path.push(status);
        }
        if rng.gen_bool(0.3) {
            t += rng.gen_range(600..(span / 4).max(601));
            steps.push(HistoryStep {
                at: t.min(now),
                public: false,
                body: "Checked against recent calls for service at this block.".into(),
                status_from: None,
                status_to: None,
            });
        }
        for to in path {
            t += rng.gen_range(3_600..(span / 3).max(3_601));
            let body = if to.is_open() {
                match to {
                    ReportStatus::Investigating => "An officer has been asked to look at this.".to_string(),
                    ReportStatus::InProgress => "Work on this has started.".to_string(),
                    _ => "Action is scheduled for the coming days.".to_string(),
                }
            } else {
                closing_note(cat, to).to_string()
            };
            steps.push(HistoryStep {
                at: t.min(now),
                public: true,
                body,
                status_from: Some(from.as_str().into()),
                status_to: Some(to.as_str().into()),
            });
            from = to;
        }
        let closed_at = (!status.is_open()).then(|| steps.last().map(|s| s.at).unwrap_or(created));
        let answer = match closed_at {
            Some(c) if named && report::asks_follow_up(status) && now - c > report::FOLLOW_UP_DAYS * 86_400 => {
                rng.gen_bool(0.5).then(|| if rng.gen_bool(0.8) { "fixed".to_string() } else { "not_fixed".to_string() })
            }
            _ => None,
        };
        repo::seed_history(db, &r, steps, closed_at, answer).await?;
        if rng.gen_bool(0.01) {
            repo::moderate(db, repo::by_id(db, jid, r.id).await?, rng.gen_bool(0.5), true, "Names a private person")
                .await?;
        }
        made.push(r.id);
    }
    Ok(made.len())
}
