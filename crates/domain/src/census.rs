//! Demographics by area (beat, district, neighbourhood) in US Census ACS-style categories, so the people taking part
//! in a partnership can be compared with the people who live there.
//!
//! Every [`Dimension`] has a fixed, ordered list of category ids. The ids are stable (stored in the database, used
//! in URLs and the API); their English and Spanish labels live in the web layer's Fluent files.
//!
//! | dimension  | universe            | ACS table (collapsed) | categories |
//! |------------|---------------------|-----------------------|------------|
//! | `race`     | population          | B03002 | `hispanic` (of any race), then non-Hispanic `white`, `black`, `asian`, `native` (American Indian/Alaska Native), `pacific` (Native Hawaiian/Pacific Islander), `other`, `multiracial` |
//! | `age`      | population          | B01001 | `under-18`, `18-24`, `25-34`, `35-44`, `45-54`, `55-64`, `65+` |
//! | `sex`      | population          | B01001 | `female`, `male` |
//! | `tenure`   | households          | B25003 | `owner`, `renter` |
//! | `income`   | households          | B19001 | `under-25k`, `25k-50k`, `50k-75k`, `75k-100k`, `100k-150k`, `150k+` |
//! | `language` | population aged 5+  | C16001 | `english` (only English at home), `spanish`, `other-indo-european`, `asian-pacific`, `other` |
//!
//! # The demographics CSV file
//!
//! Administrators upload census figures as a CSV file (UTF-8, comma-separated, optional byte-order mark):
//!
//! ```text
//! area,dimension,category,count
//! 1234,race,hispanic,1520
//! 1234,race,white,2210
//! 1234,tenure,renter,1830
//! ```
//!
//! - The header row must name the columns `area`, `dimension`, `category` and `count`, in any order and any
//!   letter case. Other columns (a margin of error, a note) are allowed and ignored.
//! - One row per area × category. `area` is the area's name exactly as in the uploaded outlines (e.g. the beat
//!   number); `dimension` and `category` are the ids above (letter case is ignored); `count` is a whole number
//!   ≥ 0 (people, or households for tenure and income) without thousands separators.
//! - A category left out of an area counts as 0. The same area, dimension and category may appear only once.
//! - Blank lines are skipped; fields may be quoted and surrounding spaces are trimmed.
//!
//! [`parse_demographics_csv`] reports every problem at once, with 1-based line numbers (the header is line 1).

use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::fmt;

/// A demographic breakdown, following US Census ACS conventions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Dimension {
    /// Hispanic or Latino origin (of any race), then race alone or in combination for non-Hispanics (ACS B03002).
    Race,
    /// Age groups of the whole population (ACS B01001 collapsed).
    Age,
    /// Sex as recorded by the census (ACS B01001).
    Sex,
    /// Whether a household owns or rents its home (ACS B25003).
    Tenure,
    /// Household income in the past 12 months (ACS B19001 collapsed).
    Income,
    /// Language spoken at home by people aged 5 and over (ACS C16001 collapsed).
    Language,
}

const RACE: &[&str] = &["hispanic", "white", "black", "asian", "native", "pacific", "other", "multiracial"];
const AGE: &[&str] = &["under-18", "18-24", "25-34", "35-44", "45-54", "55-64", "65+"];
const SEX: &[&str] = &["female", "male"];
const TENURE: &[&str] = &["owner", "renter"];
const INCOME: &[&str] = &["under-25k", "25k-50k", "50k-75k", "75k-100k", "100k-150k", "150k+"];
const LANGUAGE: &[&str] = &["english", "spanish", "other-indo-european", "asian-pacific", "other"];

impl Dimension {
    /// All dimensions, in display order.
    pub const ALL: [Dimension; 6] =
        [Dimension::Race, Dimension::Age, Dimension::Sex, Dimension::Tenure, Dimension::Income, Dimension::Language];

    /// The stable id used in files, the database and the API.
    pub fn as_str(self) -> &'static str {
        match self {
            Dimension::Race => "race",
            Dimension::Age => "age",
            Dimension::Sex => "sex",
            Dimension::Tenure => "tenure",
            Dimension::Income => "income",
            Dimension::Language => "language",
        }
    }

    /// Reads a dimension id (surrounding spaces and letter case ignored).
    pub fn parse(s: &str) -> Option<Dimension> {
        let s = s.trim();
        Dimension::ALL.into_iter().find(|d| d.as_str().eq_ignore_ascii_case(s))
    }

    /// The category ids of this dimension, in display order.
    pub fn categories(self) -> &'static [&'static str] {
        match self {
            Dimension::Race => RACE,
            Dimension::Age => AGE,
            Dimension::Sex => SEX,
            Dimension::Tenure => TENURE,
            Dimension::Income => INCOME,
            Dimension::Language => LANGUAGE,
        }
    }

    /// Whether `id` is exactly one of this dimension's category ids.
    pub fn is_category(self, id: &str) -> bool {
        self.categories().contains(&id)
    }

    /// The canonical category id matching `id` (surrounding spaces and letter case ignored), if any.
    pub fn category(self, id: &str) -> Option<&'static str> {
        let id = id.trim();
        self.categories().iter().copied().find(|c| c.eq_ignore_ascii_case(id))
    }

    /// Who is counted: `"population"`, `"households"` or `"population-5-plus"`.
    pub fn universe(self) -> &'static str {
        match self {
            Dimension::Race | Dimension::Age | Dimension::Sex => "population",
            Dimension::Tenure | Dimension::Income => "households",
            Dimension::Language => "population-5-plus",
        }
    }

    /// The ACS detailed table the categories collapse.
    pub fn acs_table(self) -> &'static str {
        match self {
            Dimension::Race => "B03002",
            Dimension::Age | Dimension::Sex => "B01001",
            Dimension::Tenure => "B25003",
            Dimension::Income => "B19001",
            Dimension::Language => "C16001",
        }
    }
}

impl fmt::Display for Dimension {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One row of a demographics file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DemographicRow {
    /// 1-based line of the file the row starts on (the header is line 1).
    pub line: usize,
    /// The area's name, trimmed.
    pub area: String,
    /// The breakdown.
    pub dimension: Dimension,
    /// The canonical category id (one of `dimension.categories()`).
    pub category: &'static str,
    /// People (households for tenure and income).
    pub count: u64,
}

/// A problem in a demographics file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CsvError {
    /// 1-based line (the header is line 1).
    pub line: usize,
    /// The column concerned (`area`, `dimension`, `category`, `count`), or empty for the row as a whole.
    pub field: String,
    /// What is wrong and what is expected.
    pub reason: String,
}

impl fmt::Display for CsvError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.field.is_empty() {
            write!(f, "line {}: {}", self.line, self.reason)
        } else {
            write!(f, "line {}, field {}: {}", self.line, self.field, self.reason)
        }
    }
}

impl std::error::Error for CsvError {}

const COLUMNS: [&str; 4] = ["area", "dimension", "category", "count"];

/// Parses a demographics CSV file (format in the module documentation), returning every row or every problem.
pub fn parse_demographics_csv(text: &str) -> Result<Vec<DemographicRow>, Vec<CsvError>> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut reader =
        csv::ReaderBuilder::new().has_headers(true).flexible(true).trim(csv::Trim::All).from_reader(text.as_bytes());
    let header = reader.headers().map_err(|e| vec![reader_error(&e, &LineIndex::new(text))])?.clone();
    let lines = LineIndex::new(text);
    let header_line = header.position().map_or(1, |p| lines.line_at(p.byte()));
    if header.iter().all(str::is_empty) {
        return Err(vec![err(1, "", format!("the file is empty; it needs the header row {}", COLUMNS.join(",")))]);
    }
    let mut errors = Vec::new();
    let mut columns: [Option<usize>; 4] = [None; 4];
    for (i, name) in header.iter().enumerate() {
        let Some(k) = COLUMNS.iter().position(|c| c.eq_ignore_ascii_case(name)) else { continue };
        if columns[k].is_some() {
            errors.push(err(header_line, COLUMNS[k], "the column appears twice in the header".to_owned()));
        }
        columns[k] = Some(i);
    }
    for (k, col) in columns.iter().enumerate() {
        if col.is_none() {
            errors.push(err(
                header_line,
                COLUMNS[k],
                "missing column: the header must name the columns area, dimension, category and count (in any order)"
                    .to_owned(),
            ));
        }
    }
    let [Some(area_col), Some(dim_col), Some(cat_col), Some(count_col)] = columns else { return Err(errors) };
    if !errors.is_empty() {
        return Err(errors);
    }

    let mut rows = Vec::new();
    let mut seen: HashMap<(String, Dimension, &'static str), usize> = HashMap::new();
    for record in reader.records() {
        let record = match record {
            Ok(r) => r,
            Err(e) => {
                errors.push(reader_error(&e, &lines));
                continue;
            }
        };
        let line = record.position().map_or(0, |p| lines.line_at(p.byte()));
        let before = errors.len();
        let mut field = |k: usize, col: usize| -> Option<&str> {
            let value = record.get(col);
            if value.is_none() {
                errors.push(err(line, COLUMNS[k], format!("missing: the row has only {} fields", record.len())));
            }
            value
        };
        let (area, dim, cat, count) = (field(0, area_col), field(1, dim_col), field(2, cat_col), field(3, count_col));
        if errors.len() > before {
            continue;
        }
        let (area, dim, cat, count) = (area.unwrap_or(""), dim.unwrap_or(""), cat.unwrap_or(""), count.unwrap_or(""));
        if area.is_empty() {
            errors.push(err(line, "area", "must not be empty".to_owned()));
        }
        let dimension = Dimension::parse(dim);
        if dimension.is_none() {
            let valid: Vec<&str> = Dimension::ALL.iter().map(|d| d.as_str()).collect();
            errors.push(err(line, "dimension", format!("must be one of {}, got {dim:?}", valid.join(", "))));
        }
        let category = dimension.and_then(|d| d.category(cat));
        if let (Some(d), None) = (dimension, category) {
            errors.push(err(
                line,
                "category",
                format!("must be one of {} (the categories of {d}), got {cat:?}", d.categories().join(", ")),
            ));
        }
        let parsed_count = count.parse::<u64>().ok().filter(|_| count.bytes().all(|b| b.is_ascii_digit()));
        if parsed_count.is_none() {
            errors.push(err(line, "count", format!("must be a whole number ≥ 0, got {count:?}")));
        }
        let (Some(dimension), Some(category), Some(count)) = (dimension, category, parsed_count) else { continue };
        if area.is_empty() {
            continue;
        }
        match seen.get(&(area.to_owned(), dimension, category)) {
            Some(&first) => errors.push(err(
                line,
                "category",
                format!("duplicate row: area {area:?}, {dimension} {category} is already given on line {first}"),
            )),
            None => {
                seen.insert((area.to_owned(), dimension, category), line);
                rows.push(DemographicRow { line, area: area.to_owned(), dimension, category, count });
            }
        }
    }
    if errors.is_empty() { Ok(rows) } else { Err(errors) }
}

/// The counts of one area and dimension in category order, with 0 for categories the file left out (the shape
/// `commonbeat_analysis::representation::compare` takes as its census side).
pub fn counts_for(rows: &[DemographicRow], area: &str, dimension: Dimension) -> Vec<(&'static str, u64)> {
    dimension
        .categories()
        .iter()
        .map(|&c| {
            let n = rows.iter().filter(|r| r.area == area && r.dimension == dimension && r.category == c);
            (c, n.map(|r| r.count).sum())
        })
        .collect()
}

fn err(line: usize, field: &str, reason: String) -> CsvError {
    CsvError { line, field: field.to_owned(), reason }
}

fn reader_error(e: &csv::Error, lines: &LineIndex<'_>) -> CsvError {
    let line = e.position().map_or(1, |p| lines.line_at(p.byte()));
    err(line, "", format!("unreadable CSV ({e})"))
}

/// 1-based line numbers from byte offsets. (The CSV reader's own line count skips blank lines.)
struct LineIndex<'a> {
    text: &'a [u8],
    newlines: Vec<usize>,
}

impl<'a> LineIndex<'a> {
    fn new(text: &'a str) -> Self {
        let text = text.as_bytes();
        LineIndex { text, newlines: text.iter().enumerate().filter(|(_, b)| **b == b'\n').map(|(i, _)| i).collect() }
    }

    /// The line of the first character at or after `byte` that is not a line break (records start there).
    fn line_at(&self, byte: u64) -> usize {
        let mut b = usize::try_from(byte).unwrap_or(usize::MAX).min(self.text.len());
        while b < self.text.len() && matches!(self.text[b], b'\r' | b'\n') {
            b += 1;
        }
        1 + self.newlines.partition_point(|&n| n < b)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn errors(text: &str) -> Vec<String> {
        parse_demographics_csv(text).unwrap_err().iter().map(ToString::to_string).collect()
    }

    #[test]
    fn dimensions_and_categories() {
        for d in Dimension::ALL {
            assert_eq!(Dimension::parse(d.as_str()), Some(d));
            assert_eq!(Dimension::parse(&format!(" {} ", d.as_str().to_uppercase())), Some(d));
            assert!(!d.categories().is_empty());
            for c in d.categories() {
                assert!(d.is_category(c));
                assert_eq!(d.category(&c.to_uppercase()), Some(*c));
                assert!(c.chars().all(|ch| ch.is_ascii_lowercase() || ch.is_ascii_digit() || "-+".contains(ch)));
            }
        }
        assert_eq!(Dimension::parse("ethnicity"), None);
        assert_eq!(Dimension::Race.categories()[0], "hispanic");
        assert_eq!(Dimension::Age.categories().len(), 7);
        assert!(!Dimension::Sex.is_category("Female"), "is_category is exact; category() normalises");
        assert_eq!(Dimension::Tenure.universe(), "households");
        assert_eq!(Dimension::Language.acs_table(), "C16001");
        assert_eq!(serde_json_id(Dimension::Income), "\"income\"");
    }

    fn serde_json_id(d: Dimension) -> String {
        serde_json::to_string(&d).unwrap()
    }

    #[test]
    fn parses_a_file_in_any_column_order_with_extra_columns() {
        let text = "\u{feff}Count, Category ,MOE,AREA,Dimension\n\
                    1520,hispanic,120,1234,race\n\
                    \n\
                    2210,White,80,1234,RACE\n\
                    \"1830\",renter,,\"1234\",tenure\n\
                    0,owner,,0111,tenure\n";
        let rows = parse_demographics_csv(text).unwrap();
        let got: Vec<(usize, &str, Dimension, &str, u64)> =
            rows.iter().map(|r| (r.line, r.area.as_str(), r.dimension, r.category, r.count)).collect();
        assert_eq!(
            got,
            vec![
                (2, "1234", Dimension::Race, "hispanic", 1520),
                (4, "1234", Dimension::Race, "white", 2210),
                (5, "1234", Dimension::Tenure, "renter", 1830),
                (6, "0111", Dimension::Tenure, "owner", 0),
            ]
        );
        let race = counts_for(&rows, "1234", Dimension::Race);
        assert_eq!(race.len(), 8);
        assert_eq!(&race[..3], &[("hispanic", 1520), ("white", 2210), ("black", 0)]);
    }

    #[test]
    fn every_error_is_reported_with_its_line_and_field() {
        let cases: &[(&str, &[&str])] = &[
            ("", &["line 1: the file is empty; it needs the header row area,dimension,category,count"]),
            ("\n\n", &["line 1: the file is empty"]),
            (
                "area,dim,category,number\n",
                &["line 1, field dimension: missing column", "line 1, field count: missing column"],
            ),
            ("area,dimension,category\nx,race,white\n", &["line 1, field count: missing column"]),
            ("area,dimension,category,count,COUNT\n", &["line 1, field count: the column appears twice"]),
            (
                "area,dimension,category,count\n1,race,white,5\n1,race,white,-3\n",
                &["line 3, field count: must be a whole number ≥ 0, got \"-3\""],
            ),
            (
                "area,dimension,category,count\n1,race,white,2.5\n",
                &["line 2, field count: must be a whole number ≥ 0, got \"2.5\""],
            ),
            ("area,dimension,category,count\n1,race,white,\"1,234\"\n", &["got \"1,234\""]),
            ("area,dimension,category,count\n1,race,white,+4\n", &["got \"+4\""]),
            (
                "area,dimension,category,count\n1,ethnicity,white,5\n",
                &[
                    "line 2, field dimension: must be one of race, age, sex, tenure, income, language, got \"ethnicity\"",
                ],
            ),
            (
                "area,dimension,category,count\n1,race,latino,5\n",
                &["line 2, field category: must be one of hispanic, white, black, asian, native, pacific, other, \
                   multiracial (the categories of race), got \"latino\""],
            ),
            ("area,dimension,category,count\n,sex,male,5\n", &["line 2, field area: must not be empty"]),
            (
                "area,dimension,category,count\n1,sex\n",
                &["line 2, field category: missing: the row has only 2 fields", "line 2, field count: missing"],
            ),
            (
                "area,dimension,category,count\n1,sex,male,5\n2,sex,male,5\n\n1,SEX,Male,6\n",
                &["line 5, field category: duplicate row: area \"1\", sex male is already given on line 2"],
            ),
            (
                "area,dimension,category,count\n1,sex,boy,x\n2,age,old,\n",
                &[
                    "line 2, field category",
                    "line 2, field count",
                    "line 3, field category",
                    "line 3, field count: must be a whole number ≥ 0, got \"\"",
                ],
            ),
        ];
        for (text, wanted) in cases {
            let got = errors(text);
            assert_eq!(got.len(), wanted.len(), "{text:?}: {got:#?}");
            for (g, w) in got.iter().zip(wanted.iter()) {
                assert!(g.contains(w), "{text:?}: wanted {w:?}, got {g:?}");
            }
        }
    }

    #[test]
    fn quoted_multi_line_fields_keep_line_numbers() {
        let text = "area,dimension,category,count,note\n1,sex,male,5,\"two\nlines\"\n1,sex,female,x,\n";
        assert_eq!(errors(text), vec!["line 4, field count: must be a whole number ≥ 0, got \"x\"".to_owned()]);
    }

    proptest! {
        #[test]
        fn whatever_the_input_rows_are_valid_or_errors_are_located(text in "[a-z0-9,\\-\n\" ]{0,200}") {
            let header = format!("area,dimension,category,count\n{text}");
            match parse_demographics_csv(&header) {
                Ok(rows) => for r in rows {
                    prop_assert!(r.dimension.is_category(r.category));
                    prop_assert!(r.line >= 2);
                },
                Err(errors) => for e in errors {
                    prop_assert!(e.line >= 1 && !e.reason.is_empty());
                },
            }
        }
    }
}
