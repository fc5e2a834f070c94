use super::*;
use proptest::prelude::*;

fn key(hundred: u32, direction: Option<&'static str>, name: &str, suffix: Option<&'static str>) -> BlockKey {
    BlockKey { hundred, direction, name: name.into(), suffix }
}

#[test]
fn incident_blocks_and_addresses_normalise_alike() {
    let madison = key(1200, Some("W"), "MADISON", Some("ST"));
    for text in [
        "012XX W MADISON ST",
        "0012XX W MADISON ST",
        "1234 W Madison St",
        "1234 West Madison Street",
        "1200 w. madison st.",
        "1234-36 W MADISON ST, Chicago, IL 60607",
        "1234A West Madison Street Apt 3",
        "  1299   WEST  MADISON   STREET ",
        "1234 W MADISON ST CHICAGO IL",
    ] {
        assert_eq!(parse_block(text), Some(madison.clone()), "{text}");
    }
    assert_eq!(parse_block("100XX S Halsted Ave"), Some(key(10000, Some("S"), "HALSTED", Some("AVE"))));
    assert_eq!(parse_block("5 E 1st Street"), Some(key(0, Some("E"), "1ST", Some("ST"))));
    assert_eq!(parse_block("450 N First St"), Some(key(400, Some("N"), "1ST", Some("ST"))));
    assert_eq!(parse_block("7 Saint Louis Avenue"), Some(key(0, None, "ST LOUIS", Some("AVE"))));
    assert_eq!(parse_block("7 St. Louis Av"), Some(key(0, None, "ST LOUIS", Some("AVE"))));
    assert_eq!(parse_block("820 Broadway"), Some(key(800, None, "BROADWAY", None)));
    // "West" alone is a street name, not a direction.
    assert_eq!(parse_block("12 West"), Some(key(0, None, "WEST", None)));
    assert_eq!(parse_block("12 West Street"), Some(key(0, None, "WEST", Some("ST"))));
    for none in ["W Madison St", "", "1234", "Madison and Halsted", "near the park"] {
        assert_eq!(parse_block(none), None, "{none}");
    }
    assert_eq!(madison.to_string(), "1200 block of W MADISON ST");
}

fn city() -> Geocoder {
    let mut g = Geocoder::new();
    g.add_block("012XX W MADISON ST", LonLat::new(-87.6580, 41.8815), 3.0);
    g.add_block("012XX W MADISON STREET", LonLat::new(-87.6590, 41.8815), 1.0);
    g.add_block("013XX W MADISON ST", LonLat::new(-87.6610, 41.8815), 1.0);
    g.add_block("012XX N HALSTED ST", LonLat::new(-87.6480, 41.9040), 1.0);
    g.add_block("012XX S HALSTED ST", LonLat::new(-87.6470, 41.8660), 1.0);
    g.add_block("004XX E 1ST AVE", LonLat::new(-87.60, 41.80), 1.0);
    assert!(!g.add_block("UNKNOWN", LonLat::new(0.0, 0.0), 1.0));
    g.add_area("Riverside", LonLat::new(-87.70, 41.90));
    g.add_area("West Loop", LonLat::new(-87.65, 41.88));
    g.add_area("A", LonLat::new(-87.69, 41.905));
    g
}

#[test]
fn an_address_finds_its_block_at_the_mean_of_its_incidents() {
    let g = city();
    assert_eq!(g.block_count(), 5, "the two spellings of the 1200 block are one");
    let found = g.locate("1234 West Madison Street, Chicago IL").unwrap();
    assert_eq!(found.precision, Precision::Block);
    assert_eq!(found.matched, "1200 block of W MADISON ST");
    assert!((found.at.lon - -87.65825).abs() < 1e-9, "weighted mean: {:?}", found.at);
    assert!((found.at.lat - 41.8815).abs() < 1e-9);
    // A missing suffix or direction is fine when one block fits.
    assert_eq!(g.locate("1250 W Madison").unwrap().matched, "1200 block of W MADISON ST");
    assert_eq!(g.locate("1310 madison st").unwrap().matched, "1300 block of W MADISON ST");
    assert_eq!(g.locate("410 East First Avenue").unwrap().matched, "400 block of E 1ST AVE");
    // …but not when several do.
    assert_eq!(
        g.locate("1200 Halsted St"),
        Err(NotFound::Ambiguous(vec!["1200 block of N HALSTED ST".into(), "1200 block of S HALSTED ST".into()]))
    );
    assert_eq!(g.locate("1200 S Halsted").unwrap().matched, "1200 block of S HALSTED ST");
    // A wrong direction or suffix does not match.
    assert_eq!(g.locate("1234 E Madison St"), Err(NotFound::NoMatch));
    assert_eq!(g.locate("1234 W Madison Ave"), Err(NotFound::NoMatch));
}

#[test]
fn areas_are_the_fallback_and_nonsense_is_not_found() {
    let g = city();
    let found = g.locate("by the river in Riverside").unwrap();
    assert_eq!((found.precision, found.matched.as_str()), (Precision::Area, "Riverside"));
    assert_eq!(g.locate("9999 W Unknown St, West Loop").unwrap().matched, "West Loop", "block unknown, area named");
    assert_eq!(g.locate("1200 Halsted, west loop").unwrap().matched, "West Loop", "ambiguous block, area named");
    assert_eq!(g.locate("Beat A").unwrap().matched, "A", "a short name needs a word before it");
    assert_eq!(g.locate("12 A Street"), Err(NotFound::NoMatch), "…so a lone letter is not an area");
    for nonsense in ["asdf qwerty", "", "42", "!!!", "1234 Nowhere Blvd"] {
        assert_eq!(g.locate(nonsense), Err(NotFound::NoMatch), "{nonsense}");
    }
    assert_eq!(Geocoder::new().locate("1234 W Madison St"), Err(NotFound::NoMatch));
}

proptest! {
    #[test]
    fn any_house_number_on_a_known_block_finds_it_in_any_spelling(
        n in 0u32..100, street in "[A-Z]{3,10}", dir in 0usize..4, suffix in 0usize..4, long in any::<bool>(),
        lower in any::<bool>(),
    ) {
        let (dirs, long_dirs) = (["N", "S", "E", "W"], ["North", "South", "East", "West"]);
        let (sufs, long_sufs) = (["ST", "AVE", "BLVD", "RD"], ["Street", "Avenue", "Boulevard", "Road"]);
        prop_assume!(lookup(SUFFIXES, &street).is_none() && lookup(DIRECTIONS, &street).is_none());
        prop_assume!(!UNIT_WORDS.contains(&street.as_str()) && NAME_WORDS.iter().all(|(w, _)| *w != street));
        let mut g = Geocoder::new();
        let block = format!("{:03}XX {} {} {}", n, dirs[dir], street, sufs[suffix]);
        prop_assert!(g.add_block(&block, LonLat::new(-87.6, 41.9), 1.0));
        let house = n * 100 + (n * 37) % 100;
        let mut address = if long {
            format!("{house} {} {} {}", long_dirs[dir], street, long_sufs[suffix])
        } else {
            format!("{house} {}. {} {}.", dirs[dir], street, sufs[suffix])
        };
        if lower {
            address = address.to_lowercase();
        }
        let found = g.locate(&address).map_err(|e| TestCaseError::fail(format!("{address}: {e}")))?;
        prop_assert_eq!(found.matched, format!("{} block of {} {} {}", n * 100, dirs[dir], street, sufs[suffix]));
        // Another hundred on the same street is not this block.
        let other = format!("{} {} {} {}", (n + 1) * 100, dirs[dir], street, sufs[suffix]);
        prop_assert_eq!(g.locate(&other), Err(NotFound::NoMatch));
    }
}
