//! Writes a synthetic crime file in the exact column layout of the City of Chicago "Crimes – 2001 to Present"
//! export, for benchmarks and load tests.
//!
//! ```sh
//! cargo run --release -p commonbeat --example gen_chicago -- --rows 1000000 --out /tmp/chicago-1m.csv \
//!     [--seed 1] [--end 2026-11-18] [--days 730] [--bad 0.01] [--first-id 10000000]
//! ```
//!
//! - Points cluster like real crime: 65 % of incidents fall around 90 hot spots (Gaussian, 120–1,200 m) whose
//!   weights follow a heavy-tailed law, 35 % are spread over the city; everything lies inside 41.644–42.023 N,
//!   87.940–87.524 W and west of the lake shore. `X Coordinate`/`Y Coordinate` are the EPSG:3435 feet of the
//!   point (rounded to whole feet, as Chicago publishes them) and `Latitude`/`Longitude` are computed back from
//!   the rounded feet, so the two pairs agree.
//! - Primary types, IUCR codes and descriptions follow Chicago's frequencies; times of day peak in the evening;
//!   dates are spread evenly over the `--days` days before `--end` (exclusive), local Chicago time.
//! - IDs are unique and increasing from `--first-id`; case numbers are unique.
//! - About `--bad` of the rows (default 1 %) are broken, in equal shares: an unreadable date, bad coordinates
//!   (not a number, half a pair, or latitude out of range) or an empty ID. Another 0.8 % have no location at all
//!   (accepted without a point, as in the real file) and 0.2 % only the projected x/y.
//!
//! The same seed gives the same file. The generator prints the counts it wrote to stderr.

use commonbeat_domain::incident::{CHICAGO_HEADER, Crs};
use jiff::civil::Date;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use std::io::{BufWriter, Write};

/// (primary type, relative frequency ‰, [(IUCR, description, FBI code)]).
type Offence = (&'static str, u32, &'static [(&'static str, &'static str, &'static str)]);

const OFFENCES: &[Offence] = &[
    (
        "THEFT",
        220,
        &[
            ("0820", "$500 AND UNDER", "06"),
            ("0810", "OVER $500", "06"),
            ("0860", "RETAIL THEFT", "06"),
            ("0890", "FROM BUILDING", "06"),
        ],
    ),
    (
        "BATTERY",
        180,
        &[
            ("0486", "DOMESTIC BATTERY SIMPLE", "08B"),
            ("0460", "SIMPLE", "08B"),
            ("041A", "AGGRAVATED - HANDGUN", "04B"),
        ],
    ),
    ("CRIMINAL DAMAGE", 110, &[("1310", "TO PROPERTY", "14"), ("1320", "TO VEHICLE", "14")]),
    ("ASSAULT", 80, &[("0560", "SIMPLE", "08A"), ("051A", "AGGRAVATED - HANDGUN", "04A")]),
    (
        "DECEPTIVE PRACTICE",
        60,
        &[("1153", "FINANCIAL IDENTITY THEFT OVER $ 300", "11"), ("1150", "CREDIT CARD FRAUD", "11")],
    ),
    ("OTHER OFFENSE", 60, &[("2825", "HARASSMENT BY TELEPHONE", "26"), ("4387", "VIOLATE ORDER OF PROTECTION", "26")]),
    ("MOTOR VEHICLE THEFT", 55, &[("0910", "AUTOMOBILE", "07"), ("0930", "THEFT / RECOVERY - AUTOMOBILE", "07")]),
    ("NARCOTICS", 50, &[("1811", "POSSESS - CANNABIS 30 GRAMS OR LESS", "18"), ("2027", "POSSESS - CRACK", "18")]),
    ("BURGLARY", 40, &[("0610", "FORCIBLE ENTRY", "05"), ("0620", "UNLAWFUL ENTRY", "05")]),
    ("ROBBERY", 35, &[("031A", "ARMED - HANDGUN", "03"), ("0320", "STRONG ARM - NO WEAPON", "03")]),
    ("WEAPONS VIOLATION", 25, &[("143A", "UNLAWFUL POSSESSION - HANDGUN", "15")]),
    ("CRIMINAL TRESPASS", 20, &[("1330", "TO LAND", "26"), ("1320", "TO RESIDENCE", "26")]),
    ("OFFENSE INVOLVING CHILDREN", 10, &[("1750", "CHILD ABUSE", "08B"), ("1780", "OTHER OFFENSE", "26")]),
    ("PUBLIC PEACE VIOLATION", 6, &[("2820", "TELEPHONE THREAT", "24")]),
    ("CRIMINAL SEXUAL ASSAULT", 5, &[("0261", "AGGRAVATED - HANDGUN", "02"), ("0266", "PREDATORY", "02")]),
    ("SEX OFFENSE", 4, &[("1544", "SEXUAL EXPLOITATION OF A CHILD", "17"), ("1537", "PUBLIC INDECENCY", "17")]),
    ("INTERFERENCE WITH PUBLIC OFFICER", 3, &[("3731", "OBSTRUCTING IDENTIFICATION", "24")]),
    ("STALKING", 2, &[("0580", "SIMPLE", "26")]),
    ("ARSON", 2, &[("1020", "BY FIRE", "09")]),
    ("HOMICIDE", 1, &[("0110", "FIRST DEGREE MURDER", "01A")]),
    ("PROSTITUTION", 1, &[("1506", "SOLICIT ON PUBLIC WAY", "16")]),
    ("LIQUOR LAW VIOLATION", 1, &[("2230", "ILLEGAL CONSUMPTION BY MINOR", "22")]),
    ("KIDNAPPING", 1, &[("1792", "CHILD ABDUCTION / STRANGER", "20")]),
    ("HUMAN TRAFFICKING", 1, &[("1901", "COMMERCIAL SEX ACTS", "26")]),
];

const LOCATIONS: &[(&str, u32)] = &[
    ("STREET", 230),
    ("RESIDENCE", 170),
    ("APARTMENT", 150),
    ("SIDEWALK", 70),
    ("PARKING LOT / GARAGE (NON RESIDENTIAL)", 35),
    ("SMALL RETAIL STORE", 30),
    ("RESTAURANT", 25),
    ("ALLEY", 20),
    ("OTHER (SPECIFY)", 20),
    ("RESIDENCE - PORCH / HALLWAY", 18),
    ("DEPARTMENT STORE", 15),
    ("GROCERY FOOD STORE", 15),
    ("GAS STATION", 12),
    ("VEHICLE NON-COMMERCIAL", 12),
    ("CTA TRAIN", 8),
    ("COMMERCIAL / BUSINESS OFFICE", 10),
    ("SCHOOL - PUBLIC BUILDING", 8),
    ("PARK PROPERTY", 6),
    ("CTA BUS", 5),
    ("HOSPITAL BUILDING / GROUNDS", 5),
    ("BAR OR TAVERN", 5),
    ("", 3),
];

const STREETS: &[&str] = &[
    "MADISON ST",
    "STATE ST",
    "MICHIGAN AVE",
    "HALSTED ST",
    "ASHLAND AVE",
    "WESTERN AVE",
    "CICERO AVE",
    "PULASKI RD",
    "KEDZIE AVE",
    "CALIFORNIA AVE",
    "DAMEN AVE",
    "RACINE AVE",
    "CLARK ST",
    "BROADWAY",
    "SHERIDAN RD",
    "LAWRENCE AVE",
    "MONTROSE AVE",
    "IRVING PARK RD",
    "BELMONT AVE",
    "FULLERTON AVE",
    "ARMITAGE AVE",
    "NORTH AVE",
    "DIVISION ST",
    "CHICAGO AVE",
    "GRAND AVE",
    "LAKE ST",
    "ROOSEVELT RD",
    "CERMAK RD",
    "31ST ST",
    "35TH ST",
    "47TH ST",
    "51ST ST",
    "55TH ST",
    "63RD ST",
    "69TH ST",
    "71ST ST",
    "75TH ST",
    "79TH ST",
    "87TH ST",
    "95TH ST",
    "103RD ST",
    "111TH ST",
    "COTTAGE GROVE AVE",
    "DR MARTIN LUTHER KING JR DR",
    "STONY ISLAND AVE",
    "JEFFERY BLVD",
    "KING DR",
    "GARFIELD BLVD",
    "ARCHER AVE",
    "OGDEN AVE",
    "MILWAUKEE AVE",
    "ELSTON AVE",
    "DEVON AVE",
    "HOWARD ST",
    "FOSTER AVE",
    "PETERSON AVE",
    "HARLEM AVE",
    "AUSTIN AVE",
    "CENTRAL AVE",
    "LARAMIE AVE",
    "KOSTNER AVE",
    "HOMAN AVE",
    "SACRAMENTO AVE",
    "ROCKWELL ST",
    "WOOD ST",
    "LOOMIS ST",
    "MORGAN ST",
    "SANGAMON ST",
    "UNION AVE",
    "WENTWORTH AVE",
    "PRINCETON AVE",
    "WALLACE ST",
    "EMERALD AVE",
    "LOWE AVE",
    "PARNELL AVE",
    "LAFAYETTE AVE",
    "PERRY AVE",
    "INDIANA AVE",
    "PRAIRIE AVE",
    "CALUMET AVE",
    "VERNON AVE",
    "EBERHART AVE",
    "RHODES AVE",
    "SAINT LAWRENCE AVE",
    "EVANS AVE",
    "LANGLEY AVE",
    "CHAMPLAIN AVE",
    "ELLIS AVE",
    "DREXEL AVE",
    "WOODLAWN AVE",
    "KENWOOD AVE",
    "DORCHESTER AVE",
    "BLACKSTONE AVE",
    "HARPER AVE",
    "CORNELL AVE",
    "EAST END AVE",
    "CONSTANCE AVE",
    "CREGIER AVE",
    "MERRILL AVE",
    "CRANDON AVE",
    "PAXTON AVE",
    "OGLESBY AVE",
    "YATES BLVD",
    "CHAPPEL AVE",
    "CLYDE AVE",
    "LUELLA AVE",
    "COLES AVE",
    "BURLEY AVE",
    "HOUSTON AVE",
    "COMMERCIAL AVE",
    "BALTIMORE AVE",
    "EXCHANGE AVE",
    "ESCANABA AVE",
    "MUSKEGON AVE",
    "MANISTEE AVE",
    "MARQUETTE AVE",
    "KINGSTON AVE",
    "SAGINAW AVE",
    "HOXIE AVE",
    "VAN BUREN ST",
    "JACKSON BLVD",
    "ADAMS ST",
    "MONROE ST",
    "WASHINGTON BLVD",
    "RANDOLPH ST",
    "FULTON ST",
    "KINZIE ST",
    "OHIO ST",
    "ERIE ST",
    "HURON ST",
    "SUPERIOR ST",
    "AUGUSTA BLVD",
    "IOWA ST",
    "THOMAS ST",
    "CORTEZ ST",
    "HIRSCH ST",
    "LE MOYNE ST",
    "POTOMAC AVE",
    "CRYSTAL ST",
    "WABANSIA AVE",
    "BLOOMINGDALE AVE",
    "CORTLAND ST",
    "DICKENS AVE",
    "WRIGHTWOOD AVE",
    "DIVERSEY AVE",
    "WELLINGTON AVE",
    "ADDISON ST",
    "WAVELAND AVE",
    "GRACE ST",
    "BYRON ST",
    "WARNER AVE",
    "CULLOM AVE",
    "BERTEAU AVE",
    "AINSLIE ST",
    "ARGYLE ST",
    "WINONA ST",
    "CARMEN AVE",
    "GUNNISON ST",
    "WILSON AVE",
    "LELAND AVE",
    "BRYN MAWR AVE",
    "HOLLYWOOD AVE",
    "THORNDALE AVE",
    "GRANVILLE AVE",
    "ROSEMONT AVE",
    "NORTH SHORE AVE",
    "PRATT BLVD",
    "MORSE AVE",
    "LUNT AVE",
    "TOUHY AVE",
    "JARVIS AVE",
    "FARGO AVE",
    "JUNEAU AVE",
    "SOUTH SHORE DR",
];

/// (latitude, longitude of the shore): points east of the shore line are in Lake Michigan.
const SHORE: &[(f64, f64)] = &[
    (41.644, -87.524),
    (41.700, -87.524),
    (41.730, -87.530),
    (41.760, -87.548),
    (41.800, -87.580),
    (41.840, -87.605),
    (41.870, -87.612),
    (41.900, -87.622),
    (41.930, -87.632),
    (41.970, -87.645),
    (42.000, -87.660),
    (42.023, -87.668),
];

const LAT: (f64, f64) = (41.644, 42.023);
const LON: (f64, f64) = (-87.940, -87.524);
/// Metres per degree of latitude and of longitude at 41.85 N.
const M_PER_DEG_LAT: f64 = 111_070.0;
const M_PER_DEG_LON: f64 = 82_960.0;
/// US survey feet per metre.
const FT_PER_M: f64 = 3937.0 / 1200.0;

fn shore_lon(lat: f64) -> f64 {
    for w in SHORE.windows(2) {
        let ((a_lat, a_lon), (b_lat, b_lon)) = (w[0], w[1]);
        if lat <= b_lat {
            let t = ((lat - a_lat) / (b_lat - a_lat)).clamp(0.0, 1.0);
            return a_lon + t * (b_lon - a_lon);
        }
    }
    SHORE[SHORE.len() - 1].1
}

fn in_city(lat: f64, lon: f64) -> bool {
    (LAT.0..=LAT.1).contains(&lat) && (LON.0..=LON.1).contains(&lon) && lon <= shore_lon(lat)
}

/// A point uniformly inside the city.
fn uniform_point(rng: &mut ChaCha8Rng) -> (f64, f64) {
    loop {
        let lat = rng.gen_range(LAT.0..LAT.1);
        let lon = rng.gen_range(LON.0..LON.1);
        if in_city(lat, lon) {
            return (lat, lon);
        }
    }
}

/// A standard normal pair (Box–Muller).
fn normal_pair(rng: &mut ChaCha8Rng) -> (f64, f64) {
    let u1: f64 = 1.0 - rng.r#gen::<f64>();
    let u2: f64 = rng.r#gen::<f64>();
    let r = (-2.0 * u1.ln()).sqrt();
    let a = std::f64::consts::TAU * u2;
    (r * a.cos(), r * a.sin())
}

struct Hotspot {
    lat: f64,
    lon: f64,
    sigma_m: f64,
}

/// Cumulative weights for picking from a weighted table.
fn cumulative(weights: impl Iterator<Item = f64>) -> Vec<f64> {
    let mut acc = 0.0;
    let mut out: Vec<f64> = weights
        .map(|w| {
            acc += w;
            acc
        })
        .collect();
    for v in &mut out {
        *v /= acc;
    }
    out
}

fn pick(cum: &[f64], u: f64) -> usize {
    cum.partition_point(|&c| c < u).min(cum.len() - 1)
}

/// EPSG:3435 feet of a point: Newton steps on the inverse projection, starting from a local linear guess.
fn to_feet(crs: &Crs, lat: f64, lon: f64) -> (f64, f64) {
    let (mut x, mut y) = (
        1_176_350.0 + (lon + 87.6278) * M_PER_DEG_LON * FT_PER_M,
        1_900_300.0 + (lat - 41.8819) * M_PER_DEG_LAT * FT_PER_M,
    );
    for _ in 0..4 {
        let (l, p) = crs.to_lon_lat(x, y).expect("Chicago projects");
        x += (lon - l) * M_PER_DEG_LON * FT_PER_M;
        y += (lat - p) * M_PER_DEG_LAT * FT_PER_M;
    }
    (x, y)
}

struct Args {
    rows: u64,
    out: String,
    seed: u64,
    end: Date,
    days: i64,
    bad: f64,
    first_id: u64,
}

fn parse_args() -> Args {
    let mut a = Args {
        rows: 1_000_000,
        out: "chicago.csv".into(),
        seed: 1,
        end: jiff::civil::date(1970, 1, 1)
            .checked_add(jiff::Span::new().days(jiff::Timestamp::now().as_second() / 86_400))
            .expect("today"),
        days: 730,
        bad: 0.01,
        first_id: 10_000_000,
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let mut value = || it.next().unwrap_or_else(|| panic!("{flag} needs a value"));
        match flag.as_str() {
            "--rows" => a.rows = value().parse().expect("--rows N"),
            "--out" => a.out = value(),
            "--seed" => a.seed = value().parse().expect("--seed N"),
            "--end" => a.end = value().parse().expect("--end YYYY-MM-DD"),
            "--days" => a.days = value().parse().expect("--days N"),
            "--bad" => a.bad = value().parse().expect("--bad FRACTION"),
            "--first-id" => a.first_id = value().parse().expect("--first-id N"),
            other => panic!("unknown argument {other}; see the file's header for usage"),
        }
    }
    a
}

fn write_time(out: &mut impl Write, d: Date, secs: u32) -> std::io::Result<()> {
    let (h, m, s) = (secs / 3600, secs / 60 % 60, secs % 60);
    let (h12, ampm) = match h {
        0 => (12, "AM"),
        1..=11 => (h, "AM"),
        12 => (12, "PM"),
        _ => (h - 12, "PM"),
    };
    write!(out, "{:02}/{:02}/{:04} {h12:02}:{m:02}:{s:02} {ampm}", d.month(), d.day(), d.year())
}

fn main() -> std::io::Result<()> {
    let a = parse_args();
    let started = std::time::Instant::now();
    let mut rng = ChaCha8Rng::seed_from_u64(a.seed);
    let crs = Crs::from_epsg(3435).expect("EPSG:3435");

    // Hot spots: heavy-tailed weights (Pareto, alpha 1.2), sizes 120–1,200 m.
    let hotspots: Vec<Hotspot> = (0..90)
        .map(|_| {
            let (lat, lon) = uniform_point(&mut rng);
            Hotspot { lat, lon, sigma_m: rng.gen_range(120.0..1200.0) }
        })
        .collect();
    let hot_cum = cumulative((0..hotspots.len()).map(|_| (1.0 - rng.r#gen::<f64>()).powf(-1.0 / 1.2)));
    let type_cum = cumulative(OFFENCES.iter().map(|o| f64::from(o.1)));
    let loc_cum = cumulative(LOCATIONS.iter().map(|l| f64::from(l.1)));
    // Hour-of-day profile: low at 4–6 am, high from noon to midnight.
    const HOURS: [f64; 24] = [
        5.0, 3.5, 3.0, 2.5, 2.0, 1.8, 2.0, 2.6, 3.6, 4.2, 4.4, 4.6, 5.6, 4.8, 4.8, 5.0, 5.2, 5.4, 5.6, 5.6, 5.4, 5.2,
        5.0, 4.4,
    ];
    let hour_cum = cumulative(HOURS.iter().copied());
    let dates: Vec<Date> =
        (1..=a.days).map(|k| a.end.checked_sub(jiff::Span::new().days(k)).expect("date in range")).collect();

    let file = std::fs::File::create(&a.out)?;
    let mut out = BufWriter::with_capacity(1 << 20, file);
    writeln!(out, "{CHICAGO_HEADER}")?;
    let (mut bad_date, mut bad_coords, mut no_id, mut no_location, mut xy_only) = (0u64, 0u64, 0u64, 0u64, 0u64);
    for i in 0..a.rows {
        let id = a.first_id + i;
        // Location.
        let (lat, lon) = if rng.gen_bool(0.35) {
            uniform_point(&mut rng)
        } else {
            let h = &hotspots[pick(&hot_cum, rng.r#gen())];
            loop {
                let (dx, dy) = normal_pair(&mut rng);
                let (lat, lon) = (h.lat + dy * h.sigma_m / M_PER_DEG_LAT, h.lon + dx * h.sigma_m / M_PER_DEG_LON);
                if in_city(lat, lon) {
                    break (lat, lon);
                }
            }
        };
        let (x, y) = to_feet(&crs, lat, lon);
        let (x, y) = (x.round(), y.round());
        let (lon, lat) = crs.to_lon_lat(x, y).expect("Chicago projects");

        // Offence and place.
        let (primary, _, variants) = OFFENCES[pick(&type_cum, rng.r#gen())];
        let (iucr, description, fbi) = variants[rng.gen_range(0..variants.len())];
        let location = LOCATIONS[pick(&loc_cum, rng.r#gen())].0;
        let domestic = description.starts_with("DOMESTIC") || rng.gen_bool(0.08);
        let arrest = rng.gen_bool(if primary == "NARCOTICS" || primary == "WEAPONS VIOLATION" { 0.9 } else { 0.1 });

        // When.
        let date = dates[rng.gen_range(0..dates.len())];
        let secs = pick(&hour_cum, rng.r#gen()) as u32 * 3600 + rng.gen_range(0..3600);
        let updated = date.checked_add(jiff::Span::new().days(rng.gen_range(1..30))).expect("date");

        // Administrative areas from the position (a coarse but stable partition).
        let fy = (lat - LAT.0) / (LAT.1 - LAT.0);
        let fx = (lon - LON.0) / (LON.1 - LON.0);
        let district = 1 + ((fy * 5.0) as u32).min(4) * 5 + ((fx * 5.0) as u32).min(4);
        let beat = district * 100 + 11 + ((fy * 20.0) as u32 % 4) * 10 + (fx * 20.0) as u32 % 4;
        let ward = 1 + ((fy * 10.0) as u32).min(9) * 5 + ((fx * 5.0) as u32).min(4);
        let community = 1 + (((fy * 11.0) as u32).min(10) * 7 + ((fx * 7.0) as u32).min(6)).min(76);
        let street = STREETS[((fy * 60.0) as usize * 7 + (fx * 25.0) as usize) % STREETS.len()];
        let hundred = ((fy * 140.0) as u32 + (fx * 60.0) as u32) % 140;
        let dir = if fy > 0.55 {
            "N"
        } else if fx > 0.5 {
            "E"
        } else if fy > 0.4 {
            "W"
        } else {
            "S"
        };

        // Breakage.
        let mut kind = 0u8; // 0 ok, 1 bad date, 2 bad coordinates, 3 no id, 4 no location, 5 x/y only
        let u: f64 = rng.r#gen();
        if u < a.bad {
            kind = 1 + (u / a.bad * 3.0) as u8 % 3;
        } else if u < a.bad + 0.008 {
            kind = 4;
        } else if u < a.bad + 0.010 {
            kind = 5;
        }

        if kind == 3 {
            no_id += 1;
        } else {
            write!(out, "{id}")?;
        }
        write!(out, ",J{}{:06},", (b'A' + (id / 1_000_000 % 26) as u8) as char, id % 1_000_000)?;
        if kind == 1 {
            bad_date += 1;
            out.write_all(match id % 4 {
                0 => b"13/45/2024 10:00:00 AM".as_slice(),
                1 => b"2024-02-30".as_slice(),
                2 => b"".as_slice(),
                _ => b"02/30/2024 07:15:00 PM".as_slice(),
            })?;
        } else {
            write_time(&mut out, date, secs)?;
        }
        write!(out, ",{hundred:03}XX {dir} {street},{iucr},{primary},{description},{location},")?;
        write!(out, "{arrest},{domestic},{beat:04},{district:03},{ward},{community},{fbi},")?;
        match kind {
            4 => out.write_all(b",,")?,
            2 if id.is_multiple_of(3) => write!(out, "{x},,")?,
            _ => write!(out, "{x},{y},")?,
        }
        write!(out, "{},", date.year())?;
        write_time(&mut out, updated, 12 * 3600 + 47 * 60 + 5)?;
        match kind {
            4 => {
                no_location += 1;
                out.write_all(b",,,\n")?
            }
            5 => {
                xy_only += 1;
                out.write_all(b",,,\n")?
            }
            2 => {
                bad_coords += 1;
                match id % 3 {
                    0 => writeln!(out, ",{lat:.9},,\"({lat:.9}, )\"")?,
                    1 => writeln!(out, ",4I.{:09},{lon:.9},", (lat.fract() * 1e9) as u64)?,
                    _ => writeln!(out, ",{:.9},{lon:.9},\"({:.9}, {lon:.9})\"", lat + 100.0, lat + 100.0)?,
                }
            }
            _ => writeln!(out, ",{lat:.9},{lon:.9},\"({lat:.9}, {lon:.9})\"")?,
        }
    }
    out.flush()?;
    eprintln!(
        "wrote {} rows to {} in {:.1} s: {bad_date} bad date, {bad_coords} bad coordinates, {no_id} empty id, \
         {no_location} without a location, {xy_only} with x/y only",
        a.rows,
        a.out,
        started.elapsed().as_secs_f64()
    );
    Ok(())
}
