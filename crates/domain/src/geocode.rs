//! Offline geocoding of a report's street address to block level, from the jurisdiction's own data.
//!
//! No geocoding service is reachable (nor wanted: addresses are personal data), so CommonBeat matches an address
//! against the blocks its incidents name ("012XX W MADISON ST", each with the mean position of its incidents)
//! and, failing that, against the names of its areas. Both sides are normalised the same way: the house number
//! becomes its hundred block (`1234` and `012XX` are both the 1200 block), the direction and the street suffix take
//! their USPS abbreviations (`West` → `W`, `Street` → `ST`, `Avenue` → `AVE`), case and punctuation are ignored,
//! and anything after the street (a unit, the city, a ZIP code) is dropped. A missing direction or suffix in the
//! address matches any when only one block fits. The answer is never more precise than a block.

use crate::geo::LonLat;
use std::collections::HashMap;
use std::fmt;

/// USPS street-suffix abbreviations (the common ones): every spelling → the abbreviation.
const SUFFIXES: &[(&str, &[&str])] = &[
    ("ST", &["ST", "STR", "STREET"]),
    ("AVE", &["AVE", "AV", "AVEN", "AVENUE"]),
    ("BLVD", &["BLVD", "BLV", "BOULEVARD"]),
    ("RD", &["RD", "ROAD"]),
    ("DR", &["DR", "DRV", "DRIVE"]),
    ("CT", &["CT", "COURT"]),
    ("PL", &["PL", "PLACE"]),
    ("LN", &["LN", "LANE"]),
    ("PKWY", &["PKWY", "PKY", "PARKWAY"]),
    ("TER", &["TER", "TERR", "TERRACE"]),
    ("HWY", &["HWY", "HIGHWAY"]),
    ("SQ", &["SQ", "SQUARE"]),
    ("CIR", &["CIR", "CIRCLE"]),
    ("WAY", &["WAY"]),
    ("EXPY", &["EXPY", "EXPRESSWAY"]),
    ("TRL", &["TRL", "TRAIL"]),
    ("PLZ", &["PLZ", "PLAZA"]),
    ("ALY", &["ALY", "ALLEY"]),
    ("CRES", &["CRES", "CRESCENT"]),
    ("ROW", &["ROW"]),
];

/// Directions: every spelling → the abbreviation.
const DIRECTIONS: &[(&str, &[&str])] = &[
    ("N", &["N", "NORTH"]),
    ("S", &["S", "SOUTH"]),
    ("E", &["E", "EAST"]),
    ("W", &["W", "WEST"]),
    ("NE", &["NE", "NORTHEAST"]),
    ("NW", &["NW", "NORTHWEST"]),
    ("SE", &["SE", "SOUTHEAST"]),
    ("SW", &["SW", "SOUTHWEST"]),
];

/// Words in a street name written out or abbreviated: the spelling kept.
const NAME_WORDS: &[(&str, &str)] = &[
    ("SAINT", "ST"),
    ("MOUNT", "MT"),
    ("FORT", "FT"),
    ("FIRST", "1ST"),
    ("SECOND", "2ND"),
    ("THIRD", "3RD"),
    ("FOURTH", "4TH"),
    ("FIFTH", "5TH"),
    ("SIXTH", "6TH"),
    ("SEVENTH", "7TH"),
    ("EIGHTH", "8TH"),
    ("NINTH", "9TH"),
    ("TENTH", "10TH"),
];

/// Words that start a unit or the rest of an address, after which nothing belongs to the street.
const UNIT_WORDS: &[&str] = &["APT", "APARTMENT", "UNIT", "STE", "SUITE", "FL", "FLOOR", "RM", "ROOM", "BLDG"];

/// Words that introduce an area's name ("beat 1234").
const AREA_WORDS: &[&str] = &["BEAT", "DISTRICT", "SECTOR", "AREA", "NEIGHBORHOOD", "NEIGHBOURHOOD", "WARD"];

fn lookup(table: &'static [(&'static str, &'static [&'static str])], word: &str) -> Option<&'static str> {
    table.iter().find(|(_, all)| all.contains(&word)).map(|(abbr, _)| *abbr)
}

/// Upper-case words of letters and digits; punctuation separates words (`N.` → `N`, `O'Brien` → `O BRIEN`).
fn words(s: &str) -> Vec<String> {
    s.to_uppercase().split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty()).map(String::from).collect()
}

/// A block normalised for matching: hundred, direction, street name and suffix.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct BlockKey {
    /// The hundred block (1234 → 1200).
    pub hundred: u32,
    /// Direction abbreviation (`N`, `SW`…), if given.
    pub direction: Option<&'static str>,
    /// Street name words, upper case, single-spaced.
    pub name: String,
    /// Suffix abbreviation (`ST`, `AVE`…), if given.
    pub suffix: Option<&'static str>,
}

impl fmt::Display for BlockKey {
    /// "1200 block of W MADISON ST".
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} block of ", self.hundred)?;
        if let Some(d) = self.direction {
            write!(f, "{d} ")?;
        }
        write!(f, "{}", self.name)?;
        if let Some(s) = self.suffix {
            write!(f, " {s}")?;
        }
        Ok(())
    }
}

/// The hundred block of a house-number word: `1234`, `1234A`, `1234-36` → 1200; `012XX` → 1200.
fn hundred_of(word: &str) -> Option<u32> {
    let digits: String = word.chars().take_while(char::is_ascii_digit).collect();
    let n: u32 = digits.parse().ok()?;
    let rest = &word[digits.len()..];
    if rest == "XX" { n.checked_mul(100) } else { Some(n / 100 * 100) }
}

/// Reads a block or a street address: a house number (or `NNNXX`), an optional direction, the street name and an
/// optional suffix. Only the part before the first comma counts. `None` without a house number or street name.
pub fn parse_block(text: &str) -> Option<BlockKey> {
    let first_part = text.split(',').next().unwrap_or("").trim();
    let (number, street) = first_part.split_once(char::is_whitespace)?;
    let hundred = hundred_of(&number.to_uppercase())?;
    let w = words(street);
    let mut rest: &[String] = &w;
    // A direction needs a street name after it: in "12 West Street" West is the name.
    let direction = match rest {
        [_, only] if lookup(SUFFIXES, only).is_some() => None,
        [d, _, ..] => lookup(DIRECTIONS, d),
        _ => None,
    };
    if direction.is_some() {
        rest = &rest[1..];
    }
    let mut name: Vec<&str> = Vec::new();
    let mut suffix = None;
    for (i, word) in rest.iter().enumerate() {
        if UNIT_WORDS.contains(&word.as_str()) && i > 0 {
            break;
        }
        if i > 0
            && let Some(s) = lookup(SUFFIXES, word)
        {
            suffix = Some(s);
            break;
        }
        name.push(NAME_WORDS.iter().find(|(long, _)| long == word).map_or(word.as_str(), |(_, short)| short));
    }
    if name.is_empty() {
        return None;
    }
    Some(BlockKey { hundred, direction, name: name.join(" "), suffix })
}

/// How precise a geocoded point is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Precision {
    /// The mean position of a block's incidents.
    Block,
    /// The centre of a named area.
    Area,
}

impl Precision {
    /// `block` or `area`.
    pub fn as_str(self) -> &'static str {
        match self {
            Precision::Block => "block",
            Precision::Area => "area",
        }
    }
}

/// A located address.
#[derive(Debug, Clone, PartialEq)]
pub struct Geocoded {
    /// The block's (or area's) point.
    pub at: LonLat,
    /// What matched: "1200 block of W MADISON ST" or the area's name.
    pub matched: String,
    /// Block or area.
    pub precision: Precision,
}

/// Why an address was not located.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NotFound {
    /// No block or area matched.
    NoMatch,
    /// Several blocks fit equally (e.g. `1200 Halsted` with both N and S Halsted known); their labels.
    Ambiguous(Vec<String>),
}

impl fmt::Display for NotFound {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            NotFound::NoMatch => write!(f, "no known block or area matches the address"),
            NotFound::Ambiguous(c) => write!(f, "the address fits several blocks: {}", c.join("; ")),
        }
    }
}

/// The jurisdiction's known blocks and areas, ready to match addresses against.
#[derive(Debug, Clone, Default)]
pub struct Geocoder {
    /// Block → (weighted sum of lon, of lat, weight).
    blocks: HashMap<BlockKey, (f64, f64, f64)>,
    /// Street name → its blocks.
    streets: HashMap<String, Vec<BlockKey>>,
    /// Areas: (name words, name, centre).
    areas: Vec<(Vec<String>, String, LonLat)>,
}

impl Geocoder {
    /// An empty geocoder.
    pub fn new() -> Geocoder {
        Geocoder::default()
    }

    /// Adds a block as incidents name it, at the mean position of `weight` incidents. Blocks that normalise
    /// alike ("MADISON ST" and "MADISON STREET") are merged, weighted. Returns whether the block was readable.
    pub fn add_block(&mut self, block: &str, at: LonLat, weight: f64) -> bool {
        let Some(key) = parse_block(block) else { return false };
        let w = if weight.is_finite() && weight > 0.0 { weight } else { 1.0 };
        let entry = self.blocks.entry(key.clone()).or_insert_with(|| {
            self.streets.entry(key.name.clone()).or_default().push(key.clone());
            (0.0, 0.0, 0.0)
        });
        entry.0 += at.lon * w;
        entry.1 += at.lat * w;
        entry.2 += w;
        true
    }

    /// Adds a named area with its centre.
    pub fn add_area(&mut self, name: &str, centre: LonLat) {
        let w = words(name);
        if !w.is_empty() {
            self.areas.push((w, name.trim().to_string(), centre));
        }
    }

    /// Number of distinct blocks known.
    pub fn block_count(&self) -> usize {
        self.blocks.len()
    }

    fn point(&self, key: &BlockKey) -> LonLat {
        let (x, y, w) = self.blocks[key];
        LonLat::new(x / w, y / w)
    }

    /// Locates an address: its block when known (allowing a missing direction or suffix when only one block
    /// fits), else an area named in it, else [`NotFound`].
    pub fn locate(&self, address: &str) -> Result<Geocoded, NotFound> {
        let mut ambiguous = None;
        if let Some(key) = parse_block(address) {
            match self.block(&key) {
                Ok(found) => {
                    return Ok(Geocoded {
                        at: self.point(found),
                        matched: found.to_string(),
                        precision: Precision::Block,
                    });
                }
                Err(e @ NotFound::Ambiguous(_)) => ambiguous = Some(e),
                Err(NotFound::NoMatch) => {}
            }
        }
        if let Some((_, name, centre)) = self.area(address) {
            return Ok(Geocoded { at: *centre, matched: name.clone(), precision: Precision::Area });
        }
        Err(ambiguous.unwrap_or(NotFound::NoMatch))
    }

    fn block(&self, key: &BlockKey) -> Result<&BlockKey, NotFound> {
        if let Some((found, _)) = self.blocks.get_key_value(key) {
            return Ok(found);
        }
        let fits = |k: &&BlockKey| {
            k.hundred == key.hundred
                && (key.direction.is_none() || k.direction.is_none() || k.direction == key.direction)
                && (key.suffix.is_none() || k.suffix.is_none() || k.suffix == key.suffix)
        };
        let candidates: Vec<&BlockKey> = self.streets.get(&key.name).into_iter().flatten().filter(fits).collect();
        match candidates.as_slice() {
            [] => Err(NotFound::NoMatch),
            [one] => Ok(one),
            many => {
                let mut labels: Vec<String> = many.iter().map(|k| k.to_string()).collect();
                labels.sort();
                Err(NotFound::Ambiguous(labels))
            }
        }
    }

    /// The area whose name the address contains as whole words (the longest such name). Names of fewer than
    /// three characters, or without a letter, count only after a word such as "beat" ("beat 1234").
    fn area(&self, address: &str) -> Option<&(Vec<String>, String, LonLat)> {
        let text = words(address);
        let contains_at = |name: &[String]| -> Vec<usize> {
            if name.len() > text.len() {
                return Vec::new();
            }
            (0..=text.len() - name.len()).filter(|&i| text[i..i + name.len()] == *name).collect()
        };
        self.areas
            .iter()
            .filter(|(name, _, _)| {
                let joined: String = name.concat();
                let distinctive = joined.chars().count() >= 3 && joined.chars().any(char::is_alphabetic);
                contains_at(name)
                    .into_iter()
                    .any(|i| distinctive || (i > 0 && AREA_WORDS.contains(&text[i - 1].as_str())))
            })
            .max_by_key(|(name, _, _)| name.concat().len())
    }
}

#[cfg(test)]
#[path = "geocode_tests.rs"]
mod tests;
