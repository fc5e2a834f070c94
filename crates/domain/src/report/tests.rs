use super::*;
use proptest::prelude::*;

fn p(lat: f64, lon: f64) -> Point {
    Point::new(lat, lon).unwrap()
}

fn earlier(id: i64, category: Category, at: Point, created_at: i64) -> Earlier {
    Earlier { id, category, at, created_at, status: ReportStatus::Received }
}

#[test]
fn statuses_round_trip_and_split_open_and_closed() {
    for s in ReportStatus::ALL {
        assert_eq!(s.as_str().parse::<ReportStatus>(), Ok(s));
    }
    let open: Vec<_> = ReportStatus::ALL.into_iter().filter(|s| s.is_open()).map(ReportStatus::as_str).collect();
    assert_eq!(open, ["received", "investigating", "in_progress", "action_scheduled"]);
    assert!("bogus".parse::<ReportStatus>().is_err());
    for c in Category::ALL {
        assert_eq!(c.as_str().parse::<Category>(), Ok(c));
    }
}

#[test]
fn transitions_are_enforced_and_closing_needs_a_note() {
    use ReportStatus::*;
    assert_eq!(transition(Received, Investigating, ""), Ok(()));
    assert_eq!(transition(Received, Fixed, ""), Err(TransitionError::NoteRequired));
    assert_eq!(transition(Received, Fixed, "  "), Err(TransitionError::NoteRequired));
    assert_eq!(transition(Received, Fixed, "Cleaned on Tuesday"), Ok(()));
    assert_eq!(transition(Fixed, Referred, "x"), Err(TransitionError::NotAllowed { from: Fixed, to: Referred }));
    assert_eq!(transition(Fixed, Investigating, ""), Ok(()));
    assert_eq!(transition(Received, Received, "x"), Err(TransitionError::NotAllowed { from: Received, to: Received }));
    assert!(transition(InProgress, Duplicate, "x").is_err(), "a report being worked on is not a duplicate");
    // Every closed status can only be reopened.
    for s in ReportStatus::ALL.into_iter().filter(|s| !s.is_open()) {
        assert_eq!(s.next(), vec![Investigating]);
    }
}

#[test]
fn follow_up_reopens_only_when_not_fixed_and_closed() {
    use ReportStatus::*;
    assert_eq!(after_follow_up(Fixed, FollowUpAnswer::NotFixed), Some(Investigating));
    assert_eq!(after_follow_up(Fixed, FollowUpAnswer::Fixed), None);
    assert_eq!(after_follow_up(InProgress, FollowUpAnswer::NotFixed), None);
    assert!(asks_follow_up(Fixed) && asks_follow_up(NoFurtherAction));
    assert!(!asks_follow_up(Duplicate) && !asks_follow_up(Referred) && !asks_follow_up(Received));
}

#[test]
fn attributes_are_checked_against_the_category() {
    let given = vec![("time_of_day".to_string(), "night".to_string()), ("bogus".into(), "x".into())];
    assert_eq!(check_attributes(Category::Noise, &given), Ok(vec![("time_of_day".to_string(), "night".to_string())]));
    let bad = vec![("ongoing".to_string(), "maybe".to_string())];
    assert_eq!(check_attributes(Category::Noise, &bad), Err(AttributeError::BadValue("ongoing")));
    let long = vec![("pole_number".to_string(), "x".repeat(201))];
    assert_eq!(check_attributes(Category::StreetLighting, &long), Err(AttributeError::TooLong("pole_number")));
    assert!(Category::DrugActivity.allows_anonymous());
    assert!(!Category::Other.allows_anonymous());
}

#[test]
fn haversine_matches_known_distances() {
    // One degree of latitude on the mean sphere.
    let d = distance_m(p(0.0, 0.0), p(1.0, 0.0));
    assert!((d - 111_195.0).abs() < 1.0, "{d}");
    // 0.001° of longitude at 41.9° N is about 82.8 m.
    let d = distance_m(p(41.9, -87.7), p(41.9, -87.701));
    assert!((d - 82.8).abs() < 0.5, "{d}");
    assert_eq!(distance_m(p(10.0, 10.0), p(10.0, 10.0)), 0.0);
    assert!(Point::new(91.0, 0.0).is_none() && Point::new(0.0, f64::NAN).is_none());
}

#[test]
fn duplicates_need_same_category_within_150_m_and_30_days() {
    let now = 100 * 86_400;
    let here = p(41.9, -87.7);
    let near = p(41.9009, -87.7); // ~100 m north
    let far = p(41.902, -87.7); // ~222 m north
    let list = vec![
        earlier(1, Category::Graffiti, near, now - 86_400),
        earlier(2, Category::Graffiti, far, now - 86_400),
        earlier(3, Category::Noise, near, now - 86_400),
        earlier(4, Category::Graffiti, near, now - 31 * 86_400),
        earlier(5, Category::Graffiti, here, now - 29 * 86_400),
        Earlier { status: ReportStatus::Duplicate, ..earlier(6, Category::Graffiti, here, now) },
    ];
    let d = duplicates(Category::Graffiti, here, now, &list);
    assert_eq!(d.iter().map(|x| x.id).collect::<Vec<_>>(), vec![5, 1], "nearest first");
    assert!(d[1].distance_m > 99.0 && d[1].distance_m < 101.0);
}

#[test]
fn generalised_points_are_cell_centres() {
    let a = p(41.90012, -87.72034);
    let g = generalise(a);
    assert_ne!(g, a);
    assert_eq!(generalise(g), g, "a centre stays put");
    assert!(distance_m(a, g) < 110.0);
}

proptest! {
    #[test]
    fn generalising_moves_a_point_less_than_half_a_cell_diagonal(lat in -60.0f64..60.0, lon in -179.0f64..179.0) {
        let a = p(lat, lon);
        let g = generalise(a);
        prop_assert!(distance_m(a, g) <= PUBLIC_CELL_M * std::f64::consts::SQRT_2 / 2.0 + 1.0);
        prop_assert_eq!(cell_of(g), cell_of(a));
        prop_assert_eq!(generalise(g), g);
    }

    #[test]
    fn every_suggestion_is_within_the_radius_and_window(
        pts in proptest::collection::vec((-0.003f64..0.003, -0.003f64..0.003, 0i64..60, 0usize..3), 0..40)
    ) {
        let now = 1_000 * 86_400;
        let here = p(41.9, -87.7);
        let cats = [Category::Graffiti, Category::Noise, Category::Other];
        let list: Vec<Earlier> = pts.iter().enumerate().map(|(i, (dy, dx, days, c))| {
            earlier(i as i64, cats[*c], p(41.9 + dy, -87.7 + dx), now - days * 86_400)
        }).collect();
        let d = duplicates(Category::Graffiti, here, now, &list);
        for s in &d {
            let e = list.iter().find(|e| e.id == s.id).unwrap();
            prop_assert_eq!(e.category, Category::Graffiti);
            prop_assert!(s.distance_m <= DUPLICATE_RADIUS_M);
            prop_assert!(now - e.created_at <= DUPLICATE_WINDOW_DAYS * 86_400);
        }
        for w in d.windows(2) {
            prop_assert!(w[0].distance_m <= w[1].distance_m);
        }
        // Nothing qualifying is missed, and the bounding box pre-filter keeps all of them.
        let (s, w, n, e) = search_box(here, DUPLICATE_RADIUS_M);
        for x in &list {
            let qualifies = x.category == Category::Graffiti
                && now - x.created_at <= DUPLICATE_WINDOW_DAYS * 86_400
                && distance_m(here, x.at) <= DUPLICATE_RADIUS_M;
            prop_assert_eq!(qualifies, d.iter().any(|s| s.id == x.id));
            if qualifies {
                prop_assert!(x.at.lat >= s && x.at.lat <= n && x.at.lon >= w && x.at.lon <= e);
            }
        }
    }

    #[test]
    fn descriptions_are_trimmed_and_bounded(s in ".{0,60}") {
        match check_description(&s) {
            Ok(d) => {
                prop_assert!(d.chars().count() >= MIN_DESCRIPTION);
                prop_assert!(!d.chars().any(|c| c.is_control() && c != '\n' && c != '\t'));
            }
            Err(e) => prop_assert_eq!(e, DescriptionError::TooShort),
        }
    }
}

#[test]
fn addresses_are_generalised_to_the_hundred_block() {
    assert_eq!(block_of_address("1234 W Elm St, Riverton"), "1200 block of W Elm St");
    assert_eq!(block_of_address("56 Main Street"), "0 block of Main Street");
    assert_eq!(block_of_address("corner of Elm and 5th"), "corner of Elm and");
    assert_eq!(block_of_address("Apt 4 Elm St"), "Apt Elm St");
}
