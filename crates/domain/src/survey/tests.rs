use super::answers::{Answer, parse_answers, survey_categories};
use super::templates::{KEYS, blank, template};
use super::*;
use crate::census::Dimension;
use proptest::prelude::*;

fn pairs(v: &[(&str, &str)]) -> Vec<(String, String)> {
    v.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
}

#[test]
fn every_template_is_valid_and_bilingual() {
    for k in KEYS {
        let i = template(k).unwrap();
        assert_eq!(i.validate(), Ok(()), "{k}");
        assert!(i.items.iter().all(|it| it.kind == ItemKind::Demographics || it.en != it.es), "{k}");
        let back = Instrument::from_json(&i.to_json()).unwrap();
        assert_eq!(back, i);
    }
    assert!(template("nope").is_none());
    let ts = template("trust_safety").unwrap();
    let scales = ts.scales();
    assert_eq!(scales.iter().map(|s| s.name.as_str()).collect::<Vec<_>>(), ["safety", "trust"]);
    assert_eq!(scales[1].items.len(), 4);
    assert_eq!(ts.top_issue_item().unwrap().id, "top_issue");
    assert!(ts.has_demographics());
    assert!(blank("Custom").validate().is_ok());
}

#[test]
fn validation_reports_every_problem() {
    let mut i = template("quality_of_life").unwrap();
    i.title_es = " ".into();
    i.items[0].es.clear();
    i.items[1].id = i.items[0].id.clone();
    i.items[2].scale = Some("Bad Name".into());
    i.items[3].choices.truncate(1);
    i.items.push(Item { scale: Some("quality_of_life".into()), ..num_likert() });
    i.items.push(blank("x").items[0].clone());
    let errs = i.validate().unwrap_err();
    let fields: Vec<(Option<usize>, &str)> = errs.iter().map(|e| (e.item, e.field)).collect();
    assert!(fields.contains(&(None, "title_es")));
    assert!(fields.contains(&(Some(0), "es")));
    assert!(fields.contains(&(Some(1), "id")));
    assert!(fields.contains(&(Some(2), "scale")));
    assert!(fields.contains(&(Some(3), "choices")));
    assert!(fields.contains(&(Some(6), "scale")), "mixed answer scales: {errs:?}");
    assert!(fields.contains(&(None, "items")), "two demographics blocks");
    assert!(errs[0].to_string().contains("title_es"));
}

fn num_likert() -> Item {
    Item {
        id: "extra".into(),
        kind: ItemKind::Likert5,
        en: "Extra".into(),
        es: "Extra es".into(),
        choices: vec![],
        scale: None,
        top_issue: false,
    }
}

#[test]
fn scales_and_top_issue_rules() {
    let mut i = blank("t");
    i.items.push(Item { kind: ItemKind::Text, scale: Some("x".into()), ..num_likert() });
    let errs = i.validate().unwrap_err();
    assert_eq!(errs[0].field, "scale");
    let mut i = blank("t");
    i.items.push(Item { top_issue: true, ..num_likert() });
    assert_eq!(i.validate().unwrap_err()[0].field, "top_issue");
    let mut i = blank("t");
    i.items.push(Item { choices: vec![Choice { id: "a".into(), en: "A".into(), es: "A".into() }], ..num_likert() });
    assert_eq!(i.validate().unwrap_err()[0].field, "choices");
    assert!(Instrument::from_json("{").is_err());
}

#[test]
fn answers_are_checked_against_the_instrument() {
    let i = template("trust_safety").unwrap();
    let a = parse_answers(
        &i,
        &pairs(&[
            ("q_safe_day", "7"),
            ("q_trust_police", "0"),
            ("q_top_issue", "  Speeding on Main St  "),
            ("d_race", "Hispanic"),
            ("d_age", "25-34"),
            ("d_sex", ""),
            ("website", "ignored"),
        ]),
    )
    .unwrap();
    assert_eq!(a.number("safe_day"), Some(7));
    assert_eq!(a.number("trust_police"), Some(0));
    assert_eq!(a.number("fair"), None);
    assert_eq!(a.open["top_issue"], "Speeding on Main St");
    assert_eq!(a.demographics.race.as_deref(), Some("hispanic"));
    assert_eq!(a.demographics.get(Dimension::Age), Some("25-34"));
    assert_eq!(a.demographics.sex, None);
    let errs = parse_answers(
        &i,
        &pairs(&[("q_safe_day", "11"), ("q_fair", "x"), ("d_age", "under-18"), ("q_respect", "1"), ("q_respect", "2")]),
    )
    .unwrap_err();
    let f: Vec<&str> = errs.iter().map(|e| e.field.as_str()).collect();
    assert_eq!(f, ["q_safe_day", "q_respect", "q_fair", "d_age"]);
    let q = template("quality_of_life").unwrap();
    let a = parse_answers(
        &q,
        &pairs(&[("q_qol_problems", "noise"), ("q_qol_problems", "litter"), ("q_qol_problems", "noise")]),
    )
    .unwrap();
    assert_eq!(a.closed["qol_problems"], Answer::Choices(vec!["noise".into(), "litter".into()]));
    assert!(parse_answers(&q, &pairs(&[("q_qol_problems", "guns")])).is_err());
    let p = template("procedural_justice").unwrap();
    assert!(parse_answers(&p, &pairs(&[("q_voice", "0")])).is_err());
    assert!(parse_answers(&p, &pairs(&[])).unwrap().is_empty());
    assert!(!survey_categories(Dimension::Age).contains(&"under-18"));
}

#[test]
fn waves_and_cards() {
    assert_eq!(check_wave("Spring", "2026-03-01", "2026-03-31", 1500, 2), Ok(()));
    assert_eq!(check_wave("", "2026-03-01", "2026-03-31", 1500, 2), Err("name"));
    assert_eq!(check_wave("S", "2026-13-01", "2026-03-31", 1500, 2), Err("starts_on"));
    assert_eq!(check_wave("S", "2026-03-02", "2026-03-01", 1500, 2), Err("ends_on"));
    assert_eq!(check_wave("S", "2026-03-01", "2026-03-01", 0, 2), Err("target_sample"));
    assert_eq!(check_wave("S", "2026-03-01", "2026-03-01", 10, 0), Err("areas"));
    assert_eq!(normalise_card_code("abcd-efgh"), Some("ABCDEFGH".into()));
    assert_eq!(normalise_card_code("ABCD EFG0"), None);
    assert!(edit_needs_new_version(true));
    assert!(!edit_needs_new_version(false));
}

proptest! {
    #[test]
    fn parsed_numbers_stay_on_the_scale(v in any::<String>(), w in -5i32..20) {
        let i = template("trust_safety").unwrap();
        let w = w.to_string();
        if let Ok(a) = parse_answers(&i, &pairs(&[("q_safe_day", &v), ("q_fair", &w), ("q_top_issue", &v)])) {
            for n in a.closed.values() {
                if let Answer::Number(n) = n { prop_assert!(*n <= 10); }
            }
            if let Some(t) = a.open.get("top_issue") {
                prop_assert!(!t.is_empty() && t.chars().count() <= MAX_ANSWER);
            }
        }
    }

    #[test]
    fn ids_are_what_is_id_says(s in "[a-zA-Z0-9_ -]{0,45}") {
        let ok = is_id(&s);
        prop_assert_eq!(ok, !s.is_empty() && s.len() <= 40 && s.as_bytes()[0].is_ascii_lowercase()
            && s.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_'));
    }

    #[test]
    fn card_codes_roundtrip(code in proptest::collection::vec(proptest::sample::select(CARD_ALPHABET.to_vec()), 8)) {
        let s = String::from_utf8(code).unwrap();
        let typed = format!("{}-{}", s[..4].to_lowercase(), &s[4..]);
        prop_assert_eq!(normalise_card_code(&typed), Some(s));
    }
}

mod editing_tests {
    use super::super::editing::{Direction, EditError, ItemEdit, choices_text, parse_choices};
    use super::*;

    fn ids(i: &Instrument) -> Vec<&str> {
        i.items.iter().map(|x| x.id.as_str()).collect()
    }

    #[test]
    fn items_move_up_and_down_and_refuse_bad_indexes_and_edges() {
        let mut i = template("trust_safety").unwrap();
        let before = ids(&i).iter().map(|s| s.to_string()).collect::<Vec<_>>();
        i.move_item(1, Direction::Up).unwrap();
        assert_eq!(&ids(&i)[..3], &["safe_night", "safe_day", "respect"]);
        i.move_item(0, Direction::Down).unwrap();
        assert_eq!(ids(&i), before);
        let n = i.items.len();
        assert_eq!(i.move_item(n, Direction::Up), Err(EditError::NoItem { index: n, count: n }));
        assert_eq!(i.move_item(0, Direction::Up), Err(EditError::AtEdge { index: 0, direction: Direction::Up }));
        assert_eq!(
            i.move_item(n - 1, Direction::Down),
            Err(EditError::AtEdge { index: n - 1, direction: Direction::Down })
        );
        assert_eq!(ids(&i), before, "refused moves change nothing");
        assert!(EditError::NoItem { index: 9, count: 8 }.to_string().contains("no item 10"));
        assert_eq!(Direction::parse("down"), Some(Direction::Down));
        assert_eq!(Direction::parse("sideways"), None);
        assert_eq!(i.validate(), Ok(()));
    }

    #[test]
    fn an_edit_changes_texts_and_options_but_keeps_id_and_kind() {
        let mut i = blank("Custom");
        i.items.push(Item {
            id: "mode".into(),
            kind: ItemKind::Single,
            en: "How did you hear?".into(),
            es: "¿Cómo se enteró?".into(),
            choices: parse_choices("web | Web | Web\nradio | Radio | Radio"),
            scale: None,
            top_issue: false,
        });
        let at = i.items.len() - 1;
        let choices = parse_choices("web | Website | Sitio web\n\n flyer | Flyer | Volante \nradio | Radio | Radio");
        assert_eq!(choices.len(), 3);
        assert_eq!(choices[1].id, "flyer");
        i.edit_item(
            at,
            ItemEdit {
                en: " How did you hear about it? ".into(),
                es: "¿Cómo se enteró de ella?".into(),
                choices: choices.clone(),
                scale: None,
                top_issue: false,
            },
        )
        .unwrap();
        let it = &i.items[at];
        assert_eq!((it.id.as_str(), it.kind), ("mode", ItemKind::Single));
        assert_eq!(it.en, "How did you hear about it?");
        assert_eq!(it.choices, choices);
        assert_eq!(parse_choices(&choices_text(&it.choices)), choices, "the text form reads back");
        // Choices are dropped on items that take none; a missing Spanish text is caught by validation.
        let mut t = template("trust_safety").unwrap();
        t.edit_item(
            2,
            ItemEdit {
                en: "Police are respectful.".into(),
                es: String::new(),
                choices,
                scale: Some("trust".into()),
                ..Default::default()
            },
        )
        .unwrap();
        assert!(t.items[2].choices.is_empty());
        let errs = t.validate().unwrap_err();
        assert!(errs.iter().any(|e| e.item == Some(2) && e.field == "es"), "{errs:?}");
        assert_eq!(t.edit_item(99, ItemEdit::default()), Err(EditError::NoItem { index: 99, count: t.items.len() }));
    }

    proptest! {
        #[test]
        fn moving_permutes_items_and_up_undoes_down(index in 0usize..8, down in any::<bool>()) {
            let mut i = template("trust_safety").unwrap();
            let before = i.clone();
            let dir = if down { Direction::Down } else { Direction::Up };
            if i.move_item(index, dir).is_ok() {
                let mut a = ids(&i);
                let mut b = ids(&before);
                a.sort_unstable();
                b.sort_unstable();
                prop_assert_eq!(a, b);
                let (back, at) = if down { (Direction::Up, index + 1) } else { (Direction::Down, index - 1) };
                i.move_item(at, back).unwrap();
                prop_assert_eq!(i, before);
            } else {
                prop_assert_eq!(i, before);
            }
        }
    }
}
