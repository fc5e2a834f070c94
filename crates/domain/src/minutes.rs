//! Action items written in meeting minutes. A line such as
//!
//! ```text
//! - [ ] Fix the alley light behind 4300 W Fullerton — @Rosa Hernández, due 2026-12-15
//! - [ ] Clear the vacant lot — org: Streets and Sanitation, due 2026-12-20
//! ```
//!
//! becomes a commitment when the co-chairs approve the minutes. `ACTION:` / `ACCIÓN:` also start an item, and
//! `vence` may stand for `due`. The owner is a member mentioned as `@Full Name` or an organisation after `org:`.
//! Every problem is reported with its line number, so nothing is silently dropped.

use jiff::civil::Date;

/// Who owns an action item.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ActionOwner {
    /// A member, by their index in the names given to the parser.
    Member(usize),
    /// An organisation outside the partnership.
    Organisation(String),
}

/// One action item found in minutes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ActionItem {
    /// 1-based line number in the minutes.
    pub line: usize,
    /// What was promised.
    pub what: String,
    /// Who owns it.
    pub owner: ActionOwner,
    /// When it is due.
    pub due: Date,
}

/// Why an action item line could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("line {line}: {problem}")]
pub struct ActionItemError {
    /// 1-based line number.
    pub line: usize,
    /// What is wrong.
    pub problem: ActionProblem,
}

/// What is wrong with an action item line.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ActionProblem {
    /// Nothing says what will be done.
    #[error("the action item does not say what will be done")]
    MissingWhat,
    /// No `due YYYY-MM-DD`.
    #[error("the action item has no due date (write “due 2026-12-15”)")]
    MissingDue,
    /// The date after `due` is not a real date.
    #[error("“{0}” is not a date (write YYYY-MM-DD)")]
    BadDate(String),
    /// Neither a member nor an organisation owns it.
    #[error("the action item has no owner (mention a member as @Full Name or write “org: name”)")]
    MissingOwner,
}

const STARTS: [&str; 5] = ["- [ ]", "* [ ]", "action:", "acción:", "accion:"];
const DUE_WORDS: [&str; 2] = ["due", "vence"];

/// Finds the action items in `minutes`. `names` are the members who can own an item (`@Full Name`).
/// Returns every readable item and every error; callers refuse to approve minutes that have errors.
pub fn action_items(minutes: &str, names: &[String]) -> (Vec<ActionItem>, Vec<ActionItemError>) {
    let mut items = Vec::new();
    let mut errors = Vec::new();
    for (i, raw) in minutes.lines().enumerate() {
        let line = i + 1;
        let trimmed = raw.trim();
        let lower = trimmed.to_lowercase();
        let Some(start) = STARTS.iter().find(|s| lower.starts_with(*s)) else { continue };
        // Byte length of the marker in the original text (lower-casing keeps these ASCII/2-byte markers the same).
        let rest = trimmed[start.len()..].trim();
        match parse_item(rest, names) {
            Ok((what, owner, due)) => items.push(ActionItem { line, what, owner, due }),
            Err(problem) => errors.push(ActionItemError { line, problem }),
        }
    }
    (items, errors)
}

fn parse_item(rest: &str, names: &[String]) -> Result<(String, ActionOwner, Date), ActionProblem> {
    let (due, without_due) = find_due(rest)?;
    let (owner, without_owner) = find_owner(&without_due, names).ok_or(ActionProblem::MissingOwner)?;
    let what = without_owner
        .trim()
        .trim_end_matches(|c: char| c == ',' || c == '—' || c == '-' || c == ';' || c.is_whitespace())
        .trim()
        .to_string();
    if what.is_empty() {
        return Err(ActionProblem::MissingWhat);
    }
    Ok((what, owner, due))
}

/// Finds `due YYYY-MM-DD` (or `due: …`, `vence …`) and returns the date and the text without it.
fn find_due(text: &str) -> Result<(Date, String), ActionProblem> {
    let lower = text.to_lowercase();
    for word in DUE_WORDS {
        let mut from = 0;
        while let Some(pos) = lower[from..].find(word) {
            let at = from + pos;
            from = at + word.len();
            let boundary_before = at == 0 || !lower[..at].chars().next_back().is_some_and(char::is_alphanumeric);
            let after = &text[at + word.len()..];
            if !boundary_before || !after.starts_with([' ', ':']) {
                continue;
            }
            let value = after.trim_start_matches([' ', ':']);
            let token: String = value.chars().take_while(|c| !c.is_whitespace() && *c != ',' && *c != ';').collect();
            let date = token.parse::<Date>().map_err(|_| ActionProblem::BadDate(token.clone()))?;
            let consumed = text.len() - value.len() + token.len();
            let mut remaining = text[..at].to_string();
            remaining.push_str(&text[consumed..]);
            return Ok((date, remaining));
        }
    }
    Err(ActionProblem::MissingDue)
}

/// Finds the owner: the longest `@Full Name` of `names`, else `org: name` up to a comma.
fn find_owner(text: &str, names: &[String]) -> Option<(ActionOwner, String)> {
    let mut best: Option<(usize, usize)> = None;
    for (i, n) in names.iter().enumerate() {
        let at = format!("@{n}");
        if text.contains(&at) && best.is_none_or(|(_, len)| at.len() > len) {
            best = Some((i, at.len()));
        }
    }
    if let Some((i, _)) = best {
        return Some((ActionOwner::Member(i), text.replacen(&format!("@{}", names[i]), "", 1)));
    }
    let lower = text.to_lowercase();
    let pos = lower.find("org:")?;
    let after = &text[pos + 4..];
    let name: String = after.chars().take_while(|c| *c != ',' && *c != ';').collect();
    let name = name.trim().to_string();
    if name.is_empty() {
        return None;
    }
    let mut remaining = text[..pos].to_string();
    remaining.push_str(&after[after.find(name.as_str()).map_or(0, |p| p + name.len())..]);
    Some((ActionOwner::Organisation(name), remaining))
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    fn names() -> Vec<String> {
        vec!["Rosa Hernández".into(), "Rosa Hernández Ortiz".into(), "Ofc. Dan Kim".into()]
    }

    #[test]
    fn reads_member_and_organisation_items() {
        let text = "Notes\n- [ ] Fix the alley light — @Rosa Hernández, due 2026-12-15\n\
                    ACTION: Clear the vacant lot, org: Streets and Sanitation, due: 2026-12-20\n- [x] done already";
        let (items, errors) = action_items(text, &names());
        assert!(errors.is_empty(), "{errors:?}");
        assert_eq!(items.len(), 2);
        assert_eq!(items[0].line, 2);
        assert_eq!(items[0].what, "Fix the alley light");
        assert_eq!(items[0].owner, ActionOwner::Member(0));
        assert_eq!(items[0].due, date(2026, 12, 15));
        assert_eq!(items[1].what, "Clear the vacant lot");
        assert_eq!(items[1].owner, ActionOwner::Organisation("Streets and Sanitation".into()));
        assert_eq!(items[1].due, date(2026, 12, 20));
    }

    #[test]
    fn longest_name_wins_and_spanish_words_work() {
        let (items, errors) =
            action_items("ACCIÓN: Reunión con la escuela @Rosa Hernández Ortiz vence 2027-01-05", &names());
        assert!(errors.is_empty(), "{errors:?}");
        assert_eq!(items[0].owner, ActionOwner::Member(1));
        assert_eq!(items[0].what, "Reunión con la escuela");
        assert_eq!(items[0].due, date(2027, 1, 5));
    }

    #[test]
    fn errors_name_the_line() {
        let text = "intro\n- [ ] Walk the block @Ofc. Dan Kim\n- [ ] Paint over graffiti due 2026-13-40 org: Parks\n\
                    - [ ] Someone should call due 2026-12-01\n- [ ] @Ofc. Dan Kim due 2026-12-01";
        let (items, errors) = action_items(text, &names());
        assert!(items.is_empty());
        assert_eq!(
            errors,
            vec![
                ActionItemError { line: 2, problem: ActionProblem::MissingDue },
                ActionItemError { line: 3, problem: ActionProblem::BadDate("2026-13-40".into()) },
                ActionItemError { line: 4, problem: ActionProblem::MissingOwner },
                ActionItemError { line: 5, problem: ActionProblem::MissingWhat },
            ]
        );
        assert_eq!(errors[0].to_string(), "line 2: the action item has no due date (write “due 2026-12-15”)");
    }

    #[test]
    fn words_containing_due_are_not_dates() {
        let (items, errors) = action_items("- [ ] Check overdue permits @Ofc. Dan Kim due 2026-12-01", &names());
        assert!(errors.is_empty(), "{errors:?}");
        assert_eq!(items[0].what, "Check overdue permits");
    }

    proptest::proptest! {
        #[test]
        fn never_panics_and_lines_are_in_range(text in "(\\PC{0,40}\n){0,6}") {
            let (items, errors) = action_items(&text, &names());
            let n = text.lines().count();
            proptest::prop_assert!(items.iter().all(|i| i.line >= 1 && i.line <= n));
            proptest::prop_assert!(errors.iter().all(|e| e.line >= 1 && e.line <= n));
        }
    }
}
