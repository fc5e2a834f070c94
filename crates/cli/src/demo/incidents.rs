//! Two years of generated crime incidents for Riverton, written through the same transactional writer as a real
//! import (profile `demo`, file `riverton-demo-incidents.csv`), so hot-spot maps, trends, near-repeat tables and the
//! displacement analysis have something true to find.
//!
//! What is in the data (all drawn from the demo's seeded generator, so the same seed gives the same incidents):
//! - about 31,000 incidents over the 730 days ending yesterday (in the jurisdiction's zone), spread over the twelve
//!   beats with busy and quiet beats, 30 % of them around nine persistent hot spots (a drug corner, the Pulaski Road
//!   shops, a transit stop, a bar strip, a housing complex, a high school, a park, a shopping plaza, a liquor-store
//!   corner), Gaussian within 50–250 m, the rest uniform within the beats;
//! - a Chicago-like category mix (property ≈ 45 %, violent ≈ 25 %, disorder ≈ 12 %, drugs ≈ 8 %, weapons ≈ 3 %, sex
//!   offences ≈ 2 %), IUCR-style codes, hundred-block addresses from a street grid (`0044XX W ARMITAGE AVE`) and CPD
//!   location types; sex offences, domestic violence (≈ 15 % of violent) and a few juvenile cases are sensitive;
//! - seasonality (summer +25 %, winter −20 %), an evening peak and a 4–6 am trough, busier Friday and Saturday
//!   nights, and a decline of 5 % a year;
//! - near repeats: three in ten residential burglaries are followed by 1–3 more within 200 m and 1–14 days.
//!
//! # The problem area (for the displacement analysis)
//!
//! The open-air drug market at Armitage & Kostner (`0044XX W ARMITAGE AVE` / `0020XX N KOSTNER AVE`) in beat 1411,
//! the founding problem of the Riverside Beat 1411 Partnership. Distances are measured along each axis from the
//! centre, so both areas are squares:
//! - **centre**: lon −87.7290, lat 41.9075 ([`TARGET_LON`], [`TARGET_LAT`]);
//! - **target**: the 300 m square on the centre (up to [`TARGET_HALF_SIDE_M`] = 150 m east–west and north–south);
//! - **buffer**: the ring between the target and the 600 m square on the centre (150–300 m from the centre along
//!   the farther axis; [`BUFFER_HALF_SIDE_M`] = 300 m);
//! - **response start**: local midnight [`RESPONSE_START_DAYS_BEFORE_END`] = 335 days (about 11 months) before the
//!   end of the data, the end being midnight at the start of the day the demo was generated.
//!
//! From the response start, `drugs` incidents ([`TARGET_CATEGORY`]) in the target fall by about 45 % and in the
//! buffer rise by about 15 % (displacement); every other place and category is unchanged, so the rest of beat 1411
//! and of the city serve as control. [`problem_area`] gives the same numbers.

use Category::{Disorder, Drugs, Other, Property, SexOffences, Violent, Weapons};
use Sensitivity::{Domestic, Juvenile, SexOffence};
use commonbeat_domain::incident::{Category, Sensitivity};
use commonbeat_store::Db;
use commonbeat_store::repo::incidents::{ImportSummary, IncidentWriter, NewIncident, start_import};
use jiff::civil::Date;
use jiff::tz::TimeZone;
use jiff::{Timestamp, ToSpan};
use rand::Rng;
use rand_chacha::ChaCha8Rng;
use std::f64::consts::TAU;

/// Longitude of the problem area's centre (Armitage & Kostner, beat 1411).
pub const TARGET_LON: f64 = -87.7290;
/// Latitude of the problem area's centre.
pub const TARGET_LAT: f64 = 41.9075;
/// Half the side of the target square, in metres (the target is the 300 m square on the centre).
pub const TARGET_HALF_SIDE_M: f64 = 150.0;
/// Half the side of the buffer's outer square, in metres (the buffer is the ring between it and the target).
pub const BUFFER_HALF_SIDE_M: f64 = 300.0;
/// Days before the end of the data (today's local midnight) at which the response started.
pub const RESPONSE_START_DAYS_BEFORE_END: i64 = 335;
/// The category the response targeted.
pub const TARGET_CATEGORY: Category = Category::Drugs;
/// Days of data, ending yesterday.
pub const DAYS: i64 = 730;
/// Rows per call to the writer (see [`write_in_parts`]).
const PART_ROWS: usize = 50;

/// The problem area: (centre lon, centre lat, target half-side m, buffer outer half-side m, response start as days
/// before the end). See the module docs.
pub fn problem_area() -> (f64, f64, f64, f64, i64) {
    (TARGET_LON, TARGET_LAT, TARGET_HALF_SIDE_M, BUFFER_HALF_SIDE_M, RESPONSE_START_DAYS_BEFORE_END)
}

/// The beat grid of `city.rs` (west edge, south edge, beat width and height in degrees; 4 columns, 3 rows).
const GRID: (f64, f64, f64, f64) = (-87.735, 41.880, 0.0145, 0.0110);
/// Relative background volume of each beat, in `city::BEATS` order.
const BEAT_WEIGHTS: [f64; 12] = [1.5, 1.1, 0.9, 1.2, 1.7, 1.4, 1.0, 1.5, 0.8, 0.6, 1.2, 0.5];
/// Expected incidents a day before seasonality, weekday and trend.
const BASE: f64 = 41.0;
/// Share of incidents at the hot spots.
const HOT_SHARE: f64 = 0.30;
const M_LAT: f64 = 111_320.0;
/// Chicago address numbers per metre (800 to the mile).
const PER_M: f64 = 800.0 / 1609.344;

fn m_lon() -> f64 {
    M_LAT * TARGET_LAT.to_radians().cos()
}

/// East–west streets by hundred north (entry = address / 100), `|`-separated.
const EW: &str = concat!(
    "MADISON ST|WASHINGTON BLVD|RANDOLPH ST|LAKE ST|KINZIE ST|OHIO ST|GRAND AVE|HURON ST|CHICAGO AVE",
    "|IOWA ST|AUGUSTA BLVD|THOMAS ST|DIVISION ST|HIRSCH ST|LE MOYNE ST|NORTH AVE|WABANSIA AVE",
    "|BLOOMINGDALE AVE|CORTLAND ST|DICKENS AVE|ARMITAGE AVE|SHAKESPEARE AVE|PALMER ST|MAPLE ST",
    "|FULLERTON AVE"
);
/// North–south streets by hundred west, from 1600 W, `|`-separated.
const NS_FROM: usize = 16;
const NS: &str = concat!(
    "ASHLAND AVE|PAULINA ST|WOOD ST|HONORE ST|DAMEN AVE|HOYNE AVE|LEAVITT ST|OAKLEY AVE|WESTERN AVE",
    "|CAMPBELL AVE|MAPLEWOOD AVE|ROCKWELL ST|CALIFORNIA AVE|FRANCISCO AVE|KEDZIE AVE|SAWYER AVE",
    "|SPAULDING AVE|ST LOUIS AVE|HOMAN AVE|TRUMBULL AVE|CENTRAL PARK AVE|MONTICELLO AVE|LAWNDALE AVE",
    "|HAMLIN AVE|PULASKI RD|KEELER AVE|KARLOV AVE|KILDARE AVE|KOSTNER AVE|KILBOURN AVE|KENTON AVE",
    "|KOLMAR AVE|CICERO AVE"
);

/// The hundred-block of the street nearest to a point, on a grid where the problem area's centre is 4400 W 2000 N
/// (every 100 address numbers a street, both ways), so nearby points share blocks.
fn block(lon: f64, lat: f64) -> String {
    let w = (4400.0 + (TARGET_LON - lon) * m_lon() * PER_M).max(0.0);
    let n = (2000.0 + (lat - TARGET_LAT) * M_LAT * PER_M).max(0.0);
    let (sn, sw) = ((n / 100.0).round(), (w / 100.0).round());
    if (sn * 100.0 - n).abs() <= (sw * 100.0 - w).abs() {
        format!("{:04}XX W {}", (w / 100.0) as u32, nth(EW, sn as usize))
    } else {
        format!("{:04}XX N {}", (n / 100.0) as u32, nth(NS, (sw as usize).saturating_sub(NS_FROM)))
    }
}

struct Offence {
    cat: Category,
    code: &'static str,
    desc: &'static str,
    weight: f64,
    places: &'static str,
    sens: Option<Sensitivity>,
}

const fn o(cat: Category, code: &'static str, desc: &'static str, weight: f64, places: &'static str) -> Offence {
    Offence { cat, code, desc, weight, places, sens: None }
}

const fn flag(sens: Sensitivity, off: Offence) -> Offence {
    Offence { sens: Some(sens), ..off }
}

const ANYWHERE: &str = concat!(
    "STREET|STREET|SIDEWALK|SIDEWALK|APARTMENT|RESIDENCE|ALLEY|PARKING LOT|SMALL RETAIL STORE",
    "|RESTAURANT|BAR OR TAVERN|CTA PLATFORM|CTA BUS STOP|PARK PROPERTY|SCHOOL - PUBLIC BUILDING",
    "|SCHOOL - PUBLIC GROUNDS|GAS STATION|RESIDENCE - PORCH / HALLWAY|CONVENIENCE STORE"
);
const OUTDOOR: &str = concat!(
    "STREET|STREET|STREET|SIDEWALK|SIDEWALK|ALLEY|PARKING LOT|PARK PROPERTY|VACANT LOT / LAND",
    "|CTA PLATFORM|GAS STATION|RESIDENCE - YARD (FRONT / BACK)|SCHOOL - PUBLIC GROUNDS"
);
const HOME: &str = "RESIDENCE|RESIDENCE|APARTMENT|APARTMENT|APARTMENT|RESIDENCE - PORCH / HALLWAY";
const STORES: &str = concat!(
    "SMALL RETAIL STORE|SMALL RETAIL STORE|GROCERY FOOD STORE|DEPARTMENT STORE|DRUG STORE",
    "|CONVENIENCE STORE|GAS STATION"
);
const THEFT: &str = concat!(
    "STREET|STREET|SIDEWALK|RESIDENCE|APARTMENT|SMALL RETAIL STORE|RESTAURANT|BAR OR TAVERN",
    "|CTA PLATFORM|CTA TRAIN|CTA STATION|PARKING LOT|DEPARTMENT STORE|GROCERY FOOD STORE",
    "|SCHOOL - PUBLIC BUILDING|PARK PROPERTY|GAS STATION"
);
const RESIDENTIAL: &str = "RESIDENCE|APARTMENT|APARTMENT|RESIDENCE - GARAGE";
const BURGLARY: &str = concat!(
    "RESIDENCE|RESIDENCE|APARTMENT|APARTMENT|RESIDENCE - GARAGE|SMALL RETAIL STORE|RESTAURANT",
    "|COMMERCIAL / BUSINESS OFFICE"
);
const VEHICLE: &str = "STREET|STREET|STREET|PARKING LOT|ALLEY|RESIDENCE - GARAGE|GAS STATION";

const OFFENCES: &[Offence] = &[
    flag(Domestic, o(Violent, "0486", "DOMESTIC BATTERY SIMPLE", 10.5, HOME)),
    flag(Domestic, o(Violent, "0497", "AGGRAVATED DOMESTIC BATTERY - OTHER DANGEROUS WEAPON", 2.5, HOME)),
    o(Violent, "0460", "BATTERY SIMPLE", 24.0, ANYWHERE),
    o(Violent, "0560", "ASSAULT SIMPLE", 18.0, ANYWHERE),
    o(Violent, "051A", "AGGRAVATED ASSAULT - HANDGUN", 6.0, OUTDOOR),
    o(Violent, "041A", "AGGRAVATED BATTERY - HANDGUN", 4.0, OUTDOOR),
    o(Violent, "0430", "AGGRAVATED BATTERY - OTHER DANGEROUS WEAPON", 5.0, ANYWHERE),
    o(Violent, "031A", "ROBBERY - ARMED: HANDGUN", 7.0, OUTDOOR),
    o(Violent, "0320", "ROBBERY - STRONG ARM - NO WEAPON", 8.0, OUTDOOR),
    o(Violent, "0325", "VEHICULAR HIJACKING", 2.0, VEHICLE),
    o(Violent, "0110", "HOMICIDE - FIRST DEGREE MURDER", 0.4, OUTDOOR),
    o(Property, "0820", "THEFT $500 AND UNDER", 24.0, THEFT),
    o(Property, "0810", "THEFT OVER $500", 9.0, THEFT),
    o(Property, "0860", "THEFT - RETAIL THEFT", 10.0, STORES),
    o(Property, "0890", "THEFT FROM BUILDING", 5.0, BURGLARY),
    o(Property, "0880", "THEFT - PURSE-SNATCHING", 1.0, OUTDOOR),
    o(Property, "0610", "BURGLARY - FORCIBLE ENTRY", 8.0, BURGLARY),
    o(Property, "0620", "BURGLARY - UNLAWFUL ENTRY", 5.0, BURGLARY),
    o(Property, "0910", "MOTOR VEHICLE THEFT - AUTOMOBILE", 10.0, VEHICLE),
    o(Property, "1310", "CRIMINAL DAMAGE TO PROPERTY", 11.0, ANYWHERE),
    o(Property, "1320", "CRIMINAL DAMAGE TO VEHICLE", 11.0, VEHICLE),
    o(Property, "1153", "DECEPTIVE PRACTICE - FINANCIAL IDENTITY THEFT OVER $ 300", 4.0, HOME),
    o(Property, "1150", "DECEPTIVE PRACTICE - CREDIT CARD FRAUD", 2.0, STORES),
    o(Drugs, "2027", "NARCOTICS - POSS: CRACK", 18.0, OUTDOOR),
    o(Drugs, "2024", "NARCOTICS - POSS: HEROIN(WHITE)", 15.0, OUTDOOR),
    o(Drugs, "2028", "NARCOTICS - POSS: SYNTHETIC DRUGS", 14.0, OUTDOOR),
    o(Drugs, "2017", "NARCOTICS - MANU/DELIVER: CRACK", 12.0, OUTDOOR),
    o(Drugs, "2014", "NARCOTICS - MANU/DELIVER: HEROIN (WHITE)", 10.0, OUTDOOR),
    o(Drugs, "2170", "NARCOTICS - POSSESSION OF DRUG EQUIPMENT", 10.0, ANYWHERE),
    o(Drugs, "2092", "NARCOTICS - SOLICIT NARCOTICS ON PUBLIC WAY", 8.0, OUTDOOR),
    o(Drugs, "1811", "NARCOTICS - POSS: CANNABIS 30GMS OR LESS", 6.0, OUTDOOR),
    o(Disorder, "1330", "CRIMINAL TRESPASS TO LAND", 15.0, BURGLARY),
    o(Disorder, "1350", "CRIMINAL TRESPASS TO STATE SUPPORTED LAND", 5.0, "SCHOOL - PUBLIC BUILDING|CTA STATION"),
    o(Disorder, "2890", "PUBLIC PEACE VIOLATION - RECKLESS CONDUCT", 15.0, ANYWHERE),
    o(Disorder, "2826", "HARASSMENT BY ELECTRONIC MEANS", 12.0, HOME),
    o(Disorder, "2825", "HARASSMENT BY TELEPHONE", 8.0, HOME),
    o(Disorder, "2251", "LIQUOR LAW VIOLATION - PUBLIC CONSUMPTION", 6.0, "STREET|SIDEWALK|PARK PROPERTY"),
    o(Disorder, "1513", "PROSTITUTION - SOLICIT FOR BUSINESS", 4.0, OUTDOOR),
    o(Disorder, "3731", "INTERFERENCE WITH PUBLIC OFFICER - OBSTRUCTING IDENTIFICATION", 5.0, OUTDOOR),
    o(Disorder, "1661", "GAMBLING - GAME/DICE", 3.0, OUTDOOR),
    o(Weapons, "143A", "WEAPONS VIOLATION - UNLAWFUL POSS OF HANDGUN", 40.0, OUTDOOR),
    o(Weapons, "1477", "WEAPONS VIOLATION - RECKLESS FIREARM DISCHARGE", 25.0, OUTDOOR),
    o(Weapons, "143C", "WEAPONS VIOLATION - UNLAWFUL POSS AMMUNITION", 10.0, OUTDOOR),
    o(Weapons, "1435", "WEAPONS VIOLATION - POSS FIREARM/AMMO: NO FOID CARD", 15.0, OUTDOOR),
    flag(SexOffence, o(SexOffences, "0281", "CRIMINAL SEXUAL ASSAULT - NON-AGGRAVATED", 25.0, HOME)),
    flag(SexOffence, o(SexOffences, "1563", "CRIMINAL SEXUAL ABUSE", 30.0, ANYWHERE)),
    flag(SexOffence, o(SexOffences, "1537", "PUBLIC INDECENCY", 15.0, OUTDOOR)),
    flag(SexOffence, o(SexOffences, "1565", "INDECENT SOLICITATION OF A CHILD", 5.0, HOME)),
    o(Other, "2820", "OTHER OFFENSE - TELEPHONE THREAT", 15.0, HOME),
    o(Other, "4625", "OTHER OFFENSE - PAROLE VIOLATION", 8.0, OUTDOOR),
    flag(Domestic, o(Other, "4387", "OTHER OFFENSE - VIOLATE ORDER OF PROTECTION", 18.0, HOME)),
    o(Other, "2860", "OTHER OFFENSE - FALSE POLICE REPORT", 4.0, ANYWHERE),
    o(Other, "5002", "OTHER OFFENSE - OTHER VEHICLE OFFENSE", 10.0, VEHICLE),
    flag(Juvenile, o(Other, "1780", "OFFENSE INVOLVING CHILDREN - ENDANGERING LIFE/HEALTH OF CHILD", 6.0, HOME)),
    flag(Juvenile, o(Other, "1750", "OFFENSE INVOLVING CHILDREN - CHILD ABUSE", 3.0, HOME)),
];

/// Arrest probability by category, in [`Category::ALL`] order.
const ARREST: [f64; 7] = [0.12, 0.05, 0.25, 0.20, 0.25, 0.08, 0.10];
/// Category mix of the diffuse background, in [`Category::ALL`] order.
const BACKGROUND: [f64; 7] = [25.0, 47.0, 5.5, 12.0, 3.0, 2.0, 5.5];

/// Hour-of-day profiles.
const CITY_H: usize = 0;
const NIGHT_H: usize = 1;
const SCHOOL_H: usize = 2;
const HOURS: [[f64; 24]; 3] = [
    [
        5.0, 3.8, 3.2, 2.6, 1.8, 1.6, 2.0, 2.8, 3.6, 4.0, 4.2, 4.5, 5.0, 4.8, 5.0, 5.4, 5.6, 5.8, 6.0, 6.0, 5.8, 5.6,
        5.4, 4.8,
    ],
    [
        6.0, 6.5, 6.0, 4.0, 1.5, 0.8, 0.6, 0.6, 0.8, 1.0, 1.2, 1.5, 2.0, 2.0, 2.0, 2.2, 2.5, 3.0, 3.5, 4.5, 5.5, 6.5,
        7.0, 7.0,
    ],
    [
        2.0, 1.5, 1.2, 1.0, 0.6, 0.5, 0.8, 3.0, 5.0, 3.0, 2.5, 3.0, 3.5, 3.5, 6.5, 8.0, 6.0, 4.0, 3.5, 3.0, 3.0, 2.8,
        2.5, 2.2,
    ],
];

/// A persistent hot spot: centre, Gaussian spread (m, east–west and north–south), share among the hot spots,
/// category mix, the places it is made of, its hour profile and the share of its violent cases with a child victim.
struct Spot {
    lon: f64,
    lat: f64,
    sx: f64,
    sy: f64,
    weight: f64,
    mix: [f64; 7],
    places: &'static str,
    hours: usize,
    juvenile: f64,
}

/// A hot spot at (lon, lat), spread (m) east–west and north–south, with its share among the hot spots.
const fn at((lon, lat): (f64, f64), (sx, sy): (f64, f64), weight: f64, mix: [f64; 7], places: &'static str) -> Spot {
    Spot { lon, lat, sx, sy, weight, mix, places, hours: CITY_H, juvenile: 0.0 }
}

impl Spot {
    const fn with(self, hours: usize, juvenile: f64) -> Spot {
        Spot { hours, juvenile, ..self }
    }
}

const DRUG_CORNER: &str = "STREET|SIDEWALK|ALLEY|VACANT LOT / LAND|GAS STATION|CONVENIENCE STORE|APARTMENT";
const SHOPS: &str =
    "SMALL RETAIL STORE|GROCERY FOOD STORE|DRUG STORE|RESTAURANT|SIDEWALK|PARKING LOT|CONVENIENCE STORE";
const TRANSIT: &str = "CTA PLATFORM|CTA PLATFORM|CTA STATION|CTA TRAIN|CTA BUS STOP|SIDEWALK";
const BARS: &str = "BAR OR TAVERN|BAR OR TAVERN|RESTAURANT|SIDEWALK|STREET|PARKING LOT";
const COURTS: &str = "APARTMENT|APARTMENT|RESIDENCE - PORCH / HALLWAY|PARKING LOT|RESIDENCE - YARD (FRONT / BACK)";
const SCHOOL: &str = "SCHOOL - PUBLIC BUILDING|SCHOOL - PUBLIC GROUNDS|SIDEWALK|STREET|CTA BUS STOP";
const PARK: &str = "PARK PROPERTY|PARK PROPERTY|ALLEY|STREET|VACANT LOT / LAND";
const PLAZA: &str = "DEPARTMENT STORE|GROCERY FOOD STORE|PARKING LOT|PARKING LOT|SMALL RETAIL STORE|RESTAURANT";
const LIQUOR: &str = "GAS STATION|CONVENIENCE STORE|SIDEWALK|STREET|TAVERN / LIQUOR STORE";

/// Mixes in [`Category::ALL`] order: violent, property, drugs, disorder, weapons, sex offences, other.
const SPOTS: [Spot; 9] = [
    // Beat 1411: the open-air drug market at Armitage & Kostner (the problem area).
    at((TARGET_LON, TARGET_LAT), (110.0, 110.0), 1.5, [15.0, 15.0, 45.0, 14.0, 8.0, 1.0, 2.0], DRUG_CORNER),
    // Beats 1421/1422: the Pulaski Road shopping strip (4000 W), long and narrow.
    at((-87.7193, 41.8965), (50.0, 250.0), 1.4, [15.0, 65.0, 3.0, 10.0, 1.0, 1.0, 5.0], SHOPS),
    // Beat 1431: the Old Mill elevated train station and bus turnaround.
    at((-87.7265, 41.8862), (100.0, 100.0), 1.0, [30.0, 50.0, 5.0, 10.0, 2.0, 2.0, 1.0], TRANSIT),
    // Beat 1423: the Eastbank bar strip, busiest late at night.
    at((-87.6985, 41.8972), (180.0, 120.0), 1.1, [45.0, 20.0, 5.0, 25.0, 3.0, 1.5, 0.5], BARS).with(NIGHT_H, 0.0),
    // Beat 1424: the Eastbank courtyard apartment buildings.
    at((-87.6852, 41.8950), (120.0, 120.0), 1.0, [40.0, 25.0, 15.0, 8.0, 5.0, 2.0, 5.0], COURTS),
    // Beat 1413: Northgate High School and the walk home (a quarter of its violent cases have a child victim).
    at((-87.6990, 41.9080), (200.0, 200.0), 0.8, [45.0, 25.0, 5.0, 15.0, 4.0, 2.0, 4.0], SCHOOL).with(SCHOOL_H, 0.25),
    // Beat 1433: Harbor Point Park.
    at((-87.6978, 41.8850), (150.0, 150.0), 0.8, [25.0, 10.0, 35.0, 15.0, 12.0, 1.0, 2.0], PARK),
    // Beat 1434: the Westlake shopping plaza and its parking lot.
    at((-87.6830, 41.8858), (140.0, 140.0), 1.1, [12.0, 75.0, 1.0, 8.0, 0.5, 1.0, 2.5], PLAZA),
    // Beat 1414: a liquor store and gas station corner.
    at((-87.6840, 41.9070), (100.0, 100.0), 0.7, [35.0, 30.0, 8.0, 20.0, 4.0, 1.0, 2.0], LIQUOR).with(NIGHT_H, 0.0),
];

/// One generated incident before it gets its source id.
struct Ev {
    t: i64,
    lon: f64,
    lat: f64,
    off: usize,
    place: &'static str,
    sens: Option<Sensitivity>,
    arrest: bool,
}

fn pick(weights: &[f64], rng: &mut ChaCha8Rng) -> usize {
    let total: f64 = weights.iter().sum();
    let mut x = rng.gen_range(0.0..total);
    for (i, w) in weights.iter().enumerate() {
        if x < *w {
            return i;
        }
        x -= w;
    }
    weights.len() - 1
}

/// The `i`-th entry of a `|`-separated list (the last one past its end).
fn nth(list: &'static str, i: usize) -> &'static str {
    list.split('|').take(i + 1).last().unwrap_or(list)
}

/// A random entry of a `|`-separated list (repeated entries are likelier).
fn one_of(list: &'static str, rng: &mut ChaCha8Rng) -> &'static str {
    let n = list.split('|').count();
    list.split('|').nth(rng.gen_range(0..n)).unwrap_or(list)
}

fn gauss(rng: &mut ChaCha8Rng) -> f64 {
    let u: f64 = rng.gen_range(f64::EPSILON..1.0);
    (-2.0 * u.ln()).sqrt() * (TAU * rng.r#gen::<f64>()).cos()
}

fn poisson(lambda: f64, rng: &mut ChaCha8Rng) -> u32 {
    let (limit, mut p, mut k) = ((-lambda).exp(), 1.0, 0);
    loop {
        p *= rng.r#gen::<f64>();
        if p <= limit {
            return k;
        }
        k += 1;
    }
}

fn moved(lon: f64, lat: f64, dx: f64, dy: f64) -> (f64, f64) {
    (lon + dx / m_lon(), lat + dy / M_LAT)
}

/// Metres east and north of the problem area's centre.
fn from_centre(lon: f64, lat: f64) -> (f64, f64) {
    ((lon - TARGET_LON) * m_lon(), (lat - TARGET_LAT) * M_LAT)
}

/// Weekend nights (Friday and Saturday evenings into the small hours) are busier.
fn weekend_night(weekday: usize, hour: usize) -> f64 {
    let busy = (weekday == 4 && hour >= 18) || (weekday == 5 && !(4..18).contains(&hour)) || (weekday == 6 && hour < 4);
    if busy { 1.45 } else { 1.0 }
}

/// The generator's fixed inputs and what it has produced so far.
struct Gen<'a> {
    rng: &'a mut ChaCha8Rng,
    tz: TimeZone,
    evs: Vec<Ev>,
    by_cat: Vec<(Vec<usize>, Vec<f64>)>,
    burglaries: Vec<usize>,
    end: i64,
    response: i64,
    inner: f64,
    outer: f64,
}

impl Gen<'_> {
    fn event(&mut self, t: i64, (lon, lat): (f64, f64), cat: usize, spot: Option<&Spot>) -> Ev {
        let (ids, weights) = &self.by_cat[cat];
        let off = ids[pick(weights, self.rng)];
        let o = &OFFENCES[off];
        let here: Vec<&'static str> =
            o.places.split('|').filter(|p| spot.is_none_or(|s| s.places.split('|').any(|q| q == *p))).collect();
        let place = if here.is_empty() { one_of(o.places, self.rng) } else { here[self.rng.gen_range(0..here.len())] };
        let mut sens = o.sens;
        if let Some(s) = spot
            && o.cat == Violent
            && sens.is_none()
            && self.rng.gen_bool(s.juvenile)
        {
            sens = Some(Juvenile);
        }
        let arrest = self.rng.gen_bool(ARREST[cat]);
        Ev { t, lon, lat, off, place, sens, arrest }
    }

    /// Adds an incident, applying the response around the problem area and the burglary near repeats.
    fn admit(&mut self, ev: Ev) {
        let o = &OFFENCES[ev.off];
        if o.cat == TARGET_CATEGORY && ev.t >= self.response {
            let (dx, dy) = from_centre(ev.lon, ev.lat);
            let d = dx.abs().max(dy.abs());
            if d <= self.inner && self.rng.gen_bool(0.45) {
                return;
            }
            if d > self.inner && d <= self.outer && self.rng.gen_bool(0.15) {
                // Displaced: the same kind of offence somewhere else in the buffer ring, around the same time.
                let (dx, dy) = loop {
                    let (x, y) =
                        (self.rng.gen_range(-self.outer..self.outer), self.rng.gen_range(-self.outer..self.outer));
                    if x.abs().max(y.abs()) > self.inner {
                        break (x, y);
                    }
                };
                let t = (ev.t + self.rng.gen_range(-180..=180) * 60).min(self.end - 60);
                let at = moved(TARGET_LON, TARGET_LAT, dx, dy);
                let cat = Category::ALL.iter().position(|c| *c == o.cat).unwrap_or(6);
                let mut copy = self.event(t, at, cat, None);
                copy.off = ev.off;
                copy.place = one_of(OUTDOOR, self.rng);
                self.evs.push(copy);
            }
        }
        let repeat = matches!(o.code, "0610" | "0620")
            && RESIDENTIAL.split('|').any(|p| p == ev.place)
            && self.rng.gen_bool(0.3);
        let (t0, lon0, lat0) = (ev.t, ev.lon, ev.lat);
        self.evs.push(ev);
        if repeat {
            for _ in 0..self.rng.gen_range(1..=3) {
                let t = t0 + self.rng.gen_range(1_440..=14 * 1_440) * 60;
                let (r, a) = (200.0 * self.rng.r#gen::<f64>().sqrt(), TAU * self.rng.r#gen::<f64>());
                let at = moved(lon0, lat0, r * a.cos(), r * a.sin());
                let off = self.burglaries[self.rng.gen_range(0..self.burglaries.len())];
                let place = one_of(RESIDENTIAL, self.rng);
                let arrest = self.rng.gen_bool(ARREST[1]);
                if t < self.end {
                    self.evs.push(Ev { t, lon: at.0, lat: at.1, off, place, sens: None, arrest });
                }
            }
        }
    }

    /// One incident on `date` (a `weekday`, Monday = 0) from the hot spots or the background.
    fn one(&mut self, date: Date, weekday: usize, hour_w: &[[[f64; 24]; 7]; 3]) -> anyhow::Result<()> {
        let (at, mix, spot, hours) = if self.rng.gen_bool(HOT_SHARE) {
            let s = &SPOTS[pick(&SPOTS.each_ref().map(|s| s.weight), self.rng)];
            let (dx, dy) = (gauss(self.rng) * s.sx, gauss(self.rng) * s.sy);
            (moved(s.lon, s.lat, dx, dy), s.mix, Some(s), s.hours)
        } else {
            let b = pick(&BEAT_WEIGHTS, self.rng);
            let (col, row) = ((b % 4) as f64, (b / 4) as f64);
            let lon = GRID.0 + (col + self.rng.r#gen::<f64>()) * GRID.2;
            let lat = GRID.1 + (2.0 - row + self.rng.r#gen::<f64>()) * GRID.3;
            ((lon, lat), BACKGROUND, None, CITY_H)
        };
        let hour = pick(&hour_w[hours][weekday], self.rng);
        let minute = if self.rng.gen_bool(0.3) { 0 } else { self.rng.gen_range(0..60) };
        let t = self.tz.to_timestamp(date.at(hour as i8, minute, 0, 0))?.as_second();
        let cat = pick(&mix, self.rng);
        let ev = self.event(t, at, cat, spot);
        self.admit(ev);
        Ok(())
    }
}

/// Generates and imports the incidents (see the module docs). Returns how many were written.
pub async fn create(db: &Db, jid: i64, rng: &mut ChaCha8Rng, tz: &jiff::tz::TimeZone) -> anyhow::Result<u64> {
    let (_, _, inner, outer, start_days) = problem_area();
    let today = Timestamp::now().to_zoned_datetime(tz.clone()).date();
    let midnight = |d: Date| -> anyhow::Result<i64> { Ok(tz.to_timestamp(d.at(0, 0, 0, 0))?.as_second()) };
    let end = midnight(today)?;
    let response = midnight(today.checked_sub(start_days.days())?)?;
    let mut by_cat: Vec<(Vec<usize>, Vec<f64>)> = vec![(Vec::new(), Vec::new()); Category::ALL.len()];
    for (i, o) in OFFENCES.iter().enumerate() {
        let c = Category::ALL.iter().position(|c| *c == o.cat).unwrap_or(6);
        by_cat[c].0.push(i);
        by_cat[c].1.push(o.weight);
    }
    let burglaries = OFFENCES.iter().enumerate().filter(|(_, o)| matches!(o.code, "0610" | "0620")).map(|(i, _)| i);
    // Hour weights by profile and weekday, and each weekday's volume relative to a plain day.
    let mut hour_w = [[[0.0; 24]; 7]; 3];
    for (k, profile) in HOURS.iter().enumerate() {
        for (wd, row) in hour_w[k].iter_mut().enumerate() {
            for (h, w) in row.iter_mut().enumerate() {
                *w = profile[h] * weekend_night(wd, h);
            }
        }
    }
    let plain: f64 = HOURS[CITY_H].iter().sum();
    let day_factor: Vec<f64> = hour_w[CITY_H].iter().map(|r| r.iter().sum::<f64>() / plain).collect();

    let mut g = Gen {
        rng,
        tz: tz.clone(),
        evs: Vec::with_capacity(40_000),
        by_cat,
        burglaries: burglaries.collect(),
        end,
        response,
        inner,
        outer,
    };
    let mut date = today.checked_sub(DAYS.days())?;
    for d in 0..DAYS {
        let weekday = date.weekday().to_monday_zero_offset() as usize;
        let season = 1.025 + 0.225 * (TAU * (f64::from(date.day_of_year()) - 196.0) / 365.25).cos();
        let trend = 0.95f64.powf(d as f64 / 365.25);
        let n = poisson(BASE * season * trend * day_factor[weekday], g.rng);
        for _ in 0..n {
            g.one(date, weekday, &hour_w)?;
        }
        date = date.tomorrow()?;
    }
    let mut evs = g.evs;
    evs.sort_by_key(|e| e.t);

    let import = start_import(db, jid, "demo", "riverton-demo-incidents.csv", None).await?;
    let summary = ImportSummary {
        rows_read: evs.len() as i64,
        rejected: 0,
        rejects_by_reason: "{}".into(),
        rejects_sample: "[]".into(),
    };
    let mut w = IncidentWriter::begin(db, jid, import).await?;
    let (mut year, mut seq) = (0, 0);
    for chunk in evs.chunks(5_000) {
        let mut batch = Vec::with_capacity(chunk.len());
        for e in chunk {
            let y = tz.to_datetime(Timestamp::from_second(e.t)?).year();
            if y != year {
                (year, seq) = (y, 0);
            }
            seq += 1;
            let o = &OFFENCES[e.off];
            batch.push(NewIncident {
                source_id: format!("RVT-{year}-{seq:06}"),
                occurred_at: e.t,
                offence_code: o.code.into(),
                offence: o.desc.into(),
                category: o.cat.as_str().into(),
                sensitive: e.sens.map(|s| s.as_str().into()),
                lon: Some((e.lon * 1e6).round() / 1e6),
                lat: Some((e.lat * 1e6).round() / 1e6),
                block: Some(block(e.lon, e.lat)),
                location_type: Some(e.place.into()),
                arrest: e.arrest,
            });
        }
        if let Err(err) = write_in_parts(&mut w, &batch).await {
            w.abort(db, &err.to_string(), summary).await?;
            return Err(err.into());
        }
    }
    let counts = w.finish(summary).await?;
    Ok(counts.accepted as u64)
}

/// Hands a batch to the writer in parts of [`PART_ROWS`]: SQLite's driver looks each bound parameter up by a
/// linear scan, so a statement's cost grows with the square of its rows, and 14,000 parameters a statement (the
/// writer's full 1,000 rows) spend most of the import there.
async fn write_in_parts(w: &mut IncidentWriter, batch: &[NewIncident]) -> Result<(), commonbeat_store::StoreError> {
    for part in batch.chunks(PART_ROWS) {
        w.write(part).await?;
    }
    Ok(())
}
