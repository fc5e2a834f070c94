//! Riverton's trust and safety survey: three waves of about 1,500 responses across the twelve beats, from the
//! seeded generator. Respondents skew older, whiter and towards home owners (as real surveys do), so raking to
//! the census matters; trust differs by race (a visible gap) and rises a little from wave to wave. About one in
//! seven names a "number one issue"; the first two waves' answers are moderated and themed, the last wave's wait
//! for moderation.

use super::city::draw;
use commonbeat_domain::census::Dimension;
use commonbeat_domain::survey::templates::template;
use commonbeat_store::Db;
use commonbeat_store::repo::surveys::{self, NewResponse, NewWave};
use rand::Rng;
use rand_chacha::ChaCha8Rng;

/// Responses per wave.
pub const PER_WAVE: usize = 1_500;

/// "Number one issue" answers by theme, in English and Spanish.
const ISSUES: [(&str, &str, &str); 8] = [
    ("speeding", "Cars speeding on our street", "Autos a exceso de velocidad en nuestra calle"),
    ("drugs", "Drug dealing on the corner", "Venta de drogas en la esquina"),
    ("theft", "Car break-ins at night", "Robos de autos por la noche"),
    ("lighting", "Broken street lights", "Alumbrado público roto"),
    ("youth", "Nothing for teenagers to do", "No hay nada para los jóvenes"),
    ("noise", "Loud parties late at night", "Fiestas ruidosas de madrugada"),
    ("litter", "Illegal dumping in the alley", "Basura tirada en el callejón"),
    ("violence", "Shootings near the park", "Balaceras cerca del parque"),
];

/// Mean trust (0–10) by race category before wave and beat effects.
fn base_trust(race: &str) -> f64 {
    match race {
        "white" => 7.1,
        "asian" => 6.4,
        "hispanic" => 5.5,
        "black" => 4.4,
        _ => 5.6,
    }
}

fn answer(rng: &mut ChaCha8Rng, mean: f64) -> u8 {
    let noise: f64 = rng.gen_range(-2.2..2.2) + rng.gen_range(-1.0..1.0);
    (mean + noise).round().clamp(0.0, 10.0) as u8
}

/// Creates the survey, its three waves and their responses. `end` is today's midnight (unix seconds).
pub async fn create(
    db: &Db,
    jid: i64,
    beats: &[i64],
    created_by: Option<i64>,
    end: i64,
    rng: &mut ChaCha8Rng,
) -> anyhow::Result<()> {
    let inst = template("trust_safety").ok_or_else(|| anyhow::anyhow!("template"))?;
    let s = surveys::create(db, jid, "Riverton trust and safety survey", "trust_safety", &inst.to_json(), created_by)
        .await?;
    surveys::set_results_public(db, jid, s.id, true).await?;
    let v = surveys::current_version(db, jid, &s).await?;
    let day = 86_400;
    for (w, (name, months_ago)) in [("Spring", 10i64), ("Autumn", 5), ("Winter", 1)].into_iter().enumerate() {
        let start = end - months_ago * 30 * day;
        let stop = start + 28 * day;
        let date =
            |t: i64| jiff::Timestamp::from_second(t).map(|x| x.strftime("%Y-%m-%d").to_string()).unwrap_or_default();
        let wave = surveys::create_wave(
            db,
            jid,
            NewWave {
                survey_id: s.id,
                version_id: v.id,
                name: format!("{name} wave"),
                starts_on: date(start),
                ends_on: date(stop),
                area_ids: beats.to_vec(),
                target_sample: PER_WAVE as i64,
                open_link: true,
            },
        )
        .await?;
        if w < 2 {
            surveys::set_wave_status(db, jid, wave.id, "closed").await?;
        }
        let mut rows = Vec::with_capacity(PER_WAVE);
        let mut themes = Vec::new();
        for i in 0..PER_WAVE {
            let b = i % beats.len();
            let skewed = rng.gen_bool(0.45);
            let race = draw(Dimension::Race, b, skewed, rng);
            let demo: [String; 6] = if rng.gen_bool(0.08) {
                Default::default()
            } else {
                [
                    race.to_string(),
                    draw(Dimension::Age, b, skewed, rng).to_string(),
                    draw(Dimension::Sex, b, skewed, rng).to_string(),
                    draw(Dimension::Tenure, b, skewed, rng).to_string(),
                    draw(Dimension::Income, b, skewed, rng).to_string(),
                    draw(Dimension::Language, b, skewed, rng).to_string(),
                ]
            };
            let trust = base_trust(race) + 0.35 * w as f64 + [0.4, -0.6, 0.8, -0.2][b % 4];
            let safety = 6.4 + [0.2, -1.1, 1.0, -0.3][b % 4] + 0.2 * w as f64;
            let mut answers = serde_json::Map::new();
            for item in ["respect", "listen", "fair", "trust_police"] {
                if rng.gen_bool(0.96) {
                    answers.insert(item.into(), answer(rng, trust).into());
                }
            }
            answers.insert("safe_day".into(), answer(rng, safety + 1.2).into());
            answers.insert("safe_night".into(), answer(rng, safety - 1.6).into());
            let spanish = demo[5] == "spanish";
            let texts = if rng.gen_bool(0.14) {
                let (theme, en, es) = ISSUES[rng.gen_range(0..ISSUES.len())];
                themes.push(theme.to_string());
                vec![("top_issue".to_string(), true, if spanish { es } else { en }.to_string())]
            } else {
                Vec::new()
            };
            rows.push(NewResponse {
                survey_id: s.id,
                wave_id: wave.id,
                version_id: v.id,
                area_id: if rng.gen_bool(0.97) { Some(beats[b]) } else { None },
                answers: serde_json::Value::Object(answers).to_string(),
                demographics: demo,
                locale: if spanish { "es" } else { "en" }.into(),
                channel: ["link", "link", "link", "email", "card"][rng.gen_range(0..5)].into(),
                texts,
                at: start + rng.gen_range(0..28 * day),
            });
        }
        let (status, themes) = if w < 2 { ("approved", themes) } else { ("pending", Vec::new()) };
        surveys::bulk_insert(db, jid, rows, status, &themes).await?;
    }
    Ok(())
}
