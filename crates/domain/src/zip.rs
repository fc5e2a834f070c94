//! ZIP codes and the ZIP → area mapping file.
//!
//! A ZIP code is five digits; ZIP+4 (`60601-1234`) and surrounding spaces are accepted and reduced to the five
//! digits. The mapping file is CSV with a header naming the columns `zip` and `area` (or `area_code`), in any
//! order: `area` is the area's name as imported (or its numeric id). Each ZIP may appear once; a ZIP maps to one
//! area (the one most of its residents live in), while an area may have several ZIPs. [`parse_zip_csv`] reports
//! every problem with its line and field, so a bad file is fixed in one pass and nothing is half-imported.

use crate::census::CsvError;
use std::collections::HashMap;

/// A five-digit ZIP code.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Zip(String);

impl Zip {
    /// Parses `12345` or `12345-6789` (spaces around ignored); anything else is `None`.
    pub fn parse(s: &str) -> Option<Zip> {
        let s = s.trim();
        let (five, plus4) = match s.split_once('-') {
            Some((a, b)) => (a, Some(b)),
            None => (s, None),
        };
        let digits = |x: &str, n: usize| x.len() == n && x.bytes().all(|b| b.is_ascii_digit());
        if digits(five, 5) && plus4.is_none_or(|p| digits(p, 4)) { Some(Zip(five.to_string())) } else { None }
    }

    /// The five digits.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for Zip {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// Parses a list of ZIP codes typed in a form: separated by commas, spaces or new lines. Returns the codes
/// (sorted, without repeats) or the entries that are not ZIP codes.
pub fn parse_zip_list(s: &str) -> Result<Vec<Zip>, Vec<String>> {
    let mut ok = Vec::new();
    let mut bad = Vec::new();
    for part in s.split(|c: char| c == ',' || c == ';' || c.is_whitespace()).filter(|p| !p.is_empty()) {
        match Zip::parse(part) {
            Some(z) => ok.push(z),
            None => bad.push(part.to_string()),
        }
    }
    if !bad.is_empty() {
        return Err(bad);
    }
    ok.sort();
    ok.dedup();
    Ok(ok)
}

/// One row of a ZIP mapping file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ZipRow {
    /// 1-based line of the file.
    pub line: usize,
    /// The ZIP code.
    pub zip: Zip,
    /// The area: its name (or numeric id) as written.
    pub area: String,
}

fn err(line: usize, field: &str, reason: impl Into<String>) -> CsvError {
    CsvError { line, field: field.to_string(), reason: reason.into() }
}

/// Parses a ZIP mapping file (format in the module documentation), returning every row or every problem.
pub fn parse_zip_csv(text: &str) -> Result<Vec<ZipRow>, Vec<CsvError>> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut reader =
        csv::ReaderBuilder::new().has_headers(true).flexible(true).trim(csv::Trim::All).from_reader(text.as_bytes());
    let header = match reader.headers() {
        Ok(h) => h.clone(),
        Err(e) => return Err(vec![err(1, "", format!("unreadable header: {e}"))]),
    };
    if header.iter().all(str::is_empty) {
        return Err(vec![err(1, "", "the file is empty; it needs the header row zip,area")]);
    }
    let find = |names: &[&str]| header.iter().position(|h| names.iter().any(|n| n.eq_ignore_ascii_case(h)));
    let (zip_col, area_col) = (find(&["zip", "zip_code", "zipcode"]), find(&["area", "area_code", "area_name"]));
    let mut errors = Vec::new();
    if zip_col.is_none() {
        errors.push(err(1, "zip", "missing column: the header must name the columns zip and area"));
    }
    if area_col.is_none() {
        errors.push(err(1, "area", "missing column: the header must name the columns zip and area"));
    }
    let (Some(zip_col), Some(area_col)) = (zip_col, area_col) else { return Err(errors) };
    // Physical line of a byte offset (the reader's own line count skips blank lines).
    let breaks: Vec<usize> = text.bytes().enumerate().filter(|(_, b)| *b == b'\n').map(|(i, _)| i).collect();
    // A record's position may point at blank lines before it; its line is that of its first character.
    let bytes = text.as_bytes();
    let line_at = |byte: u64| {
        let mut at = byte as usize;
        while bytes.get(at).is_some_and(|b| *b == b'\n' || *b == b'\r') {
            at += 1;
        }
        breaks.partition_point(|&b| b < at) + 1
    };
    let mut rows = Vec::new();
    let mut seen: HashMap<Zip, usize> = HashMap::new();
    for record in reader.records() {
        let record = match record {
            Ok(r) => r,
            Err(e) => {
                let line = e.position().map_or(0, |p| line_at(p.byte()));
                errors.push(err(line, "", format!("unreadable row: {e}")));
                continue;
            }
        };
        let line = record.position().map_or(0, |p| line_at(p.byte()));
        if record.iter().all(str::is_empty) {
            continue;
        }
        let zip = record.get(zip_col).unwrap_or("");
        let area = record.get(area_col).unwrap_or("");
        let parsed = Zip::parse(zip);
        if parsed.is_none() {
            errors.push(err(line, "zip", format!("{zip:?} is not a ZIP code (five digits, or ZIP+4)")));
        }
        if area.is_empty() {
            errors.push(err(line, "area", "must not be empty"));
        }
        let Some(zip) = parsed else { continue };
        if let Some(first) = seen.get(&zip) {
            errors.push(err(line, "zip", format!("{zip} is already mapped on line {first}; a ZIP maps to one area")));
            continue;
        }
        seen.insert(zip.clone(), line);
        if !area.is_empty() {
            rows.push(ZipRow { line, zip, area: area.to_string() });
        }
    }
    if errors.is_empty() { Ok(rows) } else { Err(errors) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn zip_codes_are_five_digits_with_an_optional_plus_four() {
        assert_eq!(Zip::parse(" 60601 ").unwrap().as_str(), "60601");
        assert_eq!(Zip::parse("60601-1234").unwrap().to_string(), "60601");
        for bad in ["", "6060", "606011", "6060a", "60601-12", "60601-", "ABCDE", "60601 1234"] {
            assert!(Zip::parse(bad).is_none(), "{bad:?}");
        }
        assert_eq!(
            parse_zip_list("60602, 60601\n60601;60603").unwrap().iter().map(Zip::as_str).collect::<Vec<_>>(),
            ["60601", "60602", "60603"]
        );
        assert_eq!(parse_zip_list("60601, 6060x, abc").unwrap_err(), ["6060x", "abc"]);
        assert!(parse_zip_list("  ").unwrap().is_empty());
    }

    #[test]
    fn the_mapping_file_is_read_in_any_column_order_and_every_problem_is_named() {
        let rows = parse_zip_csv("\u{feff}area_code,zip\nNorth,60601\n\nSouth , 60602-0001\n").unwrap();
        assert_eq!(rows.len(), 2);
        assert_eq!((rows[1].line, rows[1].zip.as_str(), rows[1].area.as_str()), (4, "60602", "South"));
        let errs = parse_zip_csv("zip,area\n6060,North\n60601,\n60602,South\n60602,North\n").unwrap_err();
        let msgs: Vec<String> = errs.iter().map(ToString::to_string).collect();
        assert_eq!(msgs.len(), 3, "{msgs:?}");
        assert!(msgs[0].starts_with("line 2, field zip:"), "{msgs:?}");
        assert!(msgs[1].starts_with("line 3, field area:"), "{msgs:?}");
        assert!(msgs[2].starts_with("line 5, field zip:") && msgs[2].contains("line 4"), "{msgs:?}");
        let missing = parse_zip_csv("postcode,area\n60601,North\n").unwrap_err();
        assert_eq!((missing[0].line, missing[0].field.as_str()), (1, "zip"));
        assert!(parse_zip_csv("").is_err());
    }
}
