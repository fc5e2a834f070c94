//! Problems: the SARA cases a partnership works through — Scanning, Analysis, Response, Assessment — and then
//! closes with lessons learned. The rules here are pure: which stage changes are allowed and what each needs, how
//! many problems may be active at once, the problem analysis triangle, response strategies, and the verdict an
//! assessment's numbers support.

use crate::Side;
use std::fmt;
use std::str::FromStr;

/// Default number of active (not closed) problems on a partnership's beat plan.
pub const DEFAULT_ACTIVE_LIMIT: u32 = 3;

/// Longest note, narrative or triangle field, in characters.
pub const MAX_TEXT: usize = 4000;

/// A SARA stage.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Stage {
    /// Scanning: naming the problem and its evidence.
    Scanning,
    /// Analysis: the triangle, the data, the open questions.
    Analysis,
    /// Response: the program of strategies.
    Response,
    /// Assessment: did it work, and did crime move elsewhere?
    Assessment,
    /// Closed, with lessons learned.
    Closed,
}

impl Stage {
    /// Every stage in order.
    pub const ALL: [Stage; 5] = [Stage::Scanning, Stage::Analysis, Stage::Response, Stage::Assessment, Stage::Closed];

    /// Stable id.
    pub fn as_str(self) -> &'static str {
        match self {
            Stage::Scanning => "scanning",
            Stage::Analysis => "analysis",
            Stage::Response => "response",
            Stage::Assessment => "assessment",
            Stage::Closed => "closed",
        }
    }

    /// Position 0–4.
    pub fn index(self) -> usize {
        Stage::ALL.iter().position(|s| *s == self).unwrap_or(0)
    }

    /// Whether the problem counts against the active limit.
    pub fn is_active(self) -> bool {
        self != Stage::Closed
    }

    /// The stages a problem may move to from here: the next stage, any earlier stage (loops back), and closing
    /// from any open stage (an abandoned problem is closed with its lessons too). A closed problem may reopen to
    /// any earlier stage.
    pub fn next(self) -> Vec<Stage> {
        Stage::ALL.iter().copied().filter(|to| transition_error(self, *to).is_none()).collect()
    }
}

impl fmt::Display for Stage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Stage {
    type Err = ();
    fn from_str(s: &str) -> Result<Self, ()> {
        Stage::ALL.iter().copied().find(|x| x.as_str() == s).ok_or(())
    }
}

fn transition_error(from: Stage, to: Stage) -> Option<StageError> {
    if from == to {
        return Some(StageError::Same);
    }
    let forward_one = to.index() == from.index() + 1;
    let back = to.index() < from.index();
    let close = to == Stage::Closed;
    (!(forward_one || back || close)).then_some(StageError::Skips { from, to })
}

/// Why a stage change was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StageError {
    /// Already in that stage.
    Same,
    /// Moving forward more than one stage (e.g. Scanning → Response).
    Skips {
        /// From.
        from: Stage,
        /// To.
        to: Stage,
    },
    /// Every change needs a note saying why.
    NoteRequired,
    /// The note is longer than [`MAX_TEXT`].
    NoteTooLong,
    /// Moving to Analysis needs at least one piece of evidence or a description of the problem.
    NeedsDescription,
    /// Moving to Response needs the triangle's three sides (offender, target/victim, place) filled in.
    NeedsTriangle,
    /// Moving to Assessment needs at least one response strategy.
    NeedsStrategy,
    /// Closing needs lessons learned.
    NeedsLessons,
    /// Closing from Assessment needs a verdict.
    NeedsVerdict,
}

impl fmt::Display for StageError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            StageError::Same => write!(f, "the problem is already in that stage"),
            StageError::Skips { from, to } => write!(f, "cannot skip from {from} to {to}"),
            StageError::NoteRequired => write!(f, "a note is required"),
            StageError::NoteTooLong => write!(f, "the note is longer than {MAX_TEXT} characters"),
            StageError::NeedsDescription => write!(f, "describe the problem before analysing it"),
            StageError::NeedsTriangle => write!(f, "fill in offender, target/victim and place first"),
            StageError::NeedsStrategy => write!(f, "add at least one response strategy first"),
            StageError::NeedsLessons => write!(f, "lessons learned are required to close"),
            StageError::NeedsVerdict => write!(f, "a verdict is required to close an assessed problem"),
        }
    }
}

impl StageError {
    /// Stable key for translations.
    pub fn key(&self) -> &'static str {
        match self {
            StageError::Same => "same",
            StageError::Skips { .. } => "skips",
            StageError::NoteRequired => "note-required",
            StageError::NoteTooLong => "note-too-long",
            StageError::NeedsDescription => "needs-description",
            StageError::NeedsTriangle => "needs-triangle",
            StageError::NeedsStrategy => "needs-strategy",
            StageError::NeedsLessons => "needs-lessons",
            StageError::NeedsVerdict => "needs-verdict",
        }
    }
}

/// What the rules need to know about a problem to judge a stage change.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct StageFacts {
    /// The problem has a description or attached evidence.
    pub described: bool,
    /// The triangle as recorded.
    pub triangle: Triangle,
    /// Number of response strategies.
    pub strategies: usize,
    /// Lessons learned as recorded (or given with the change).
    pub lessons: String,
    /// The verdict, if any.
    pub verdict: Option<Verdict>,
}

/// Checks a stage change with its note against the problem's facts. Going back never needs more than a note.
pub fn transition(from: Stage, to: Stage, note: &str, facts: &StageFacts) -> Result<(), StageError> {
    if let Some(e) = transition_error(from, to) {
        return Err(e);
    }
    let note = note.trim();
    if note.is_empty() {
        return Err(StageError::NoteRequired);
    }
    if note.chars().count() > MAX_TEXT {
        return Err(StageError::NoteTooLong);
    }
    if to.index() < from.index() && from != Stage::Closed {
        return Ok(());
    }
    match to {
        Stage::Analysis if !facts.described => Err(StageError::NeedsDescription),
        Stage::Response if !facts.triangle.is_complete() => Err(StageError::NeedsTriangle),
        Stage::Assessment if facts.strategies == 0 => Err(StageError::NeedsStrategy),
        Stage::Closed if facts.lessons.trim().is_empty() => Err(StageError::NeedsLessons),
        Stage::Closed if from == Stage::Assessment && facts.verdict.is_none() => Err(StageError::NeedsVerdict),
        _ => Ok(()),
    }
}

/// Why a new active problem cannot be added.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OverLimit {
    /// Active problems now.
    pub active: u32,
    /// The partnership's limit.
    pub limit: u32,
}

/// Whether one more active problem fits the beat plan. Beyond the limit it takes a decision of the partnership
/// (`approved_by_decision`) — or closing another problem first.
pub fn check_active_limit(active: u32, limit: u32, approved_by_decision: bool) -> Result<(), OverLimit> {
    if active < limit || approved_by_decision { Ok(()) } else { Err(OverLimit { active, limit }) }
}

/// The problem analysis triangle (Eck's crime triangle) with its controllers: each side of the triangle and the
/// person who can influence it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Triangle {
    /// Who offends, and why here.
    pub offender: String,
    /// Who or what is targeted or harmed.
    pub target: String,
    /// Where it happens, and what about the place allows it.
    pub place: String,
    /// Handler: someone with influence over the offender (parent, probation officer, coach).
    pub handler: String,
    /// Guardian: someone who protects the target (neighbours, staff, cameras).
    pub guardian: String,
    /// Manager: someone responsible for the place (owner, landlord, city department).
    pub manager: String,
}

impl Triangle {
    /// The fields with their stable ids, in display order.
    pub fn fields(&self) -> [(&'static str, &str); 6] {
        [
            ("offender", &self.offender),
            ("target", &self.target),
            ("place", &self.place),
            ("handler", &self.handler),
            ("guardian", &self.guardian),
            ("manager", &self.manager),
        ]
    }

    /// The inner triangle (offender, target, place) is filled in.
    pub fn is_complete(&self) -> bool {
        [&self.offender, &self.target, &self.place].iter().all(|s| !s.trim().is_empty())
    }

    /// The first field longer than [`MAX_TEXT`], if any.
    pub fn too_long(&self) -> Option<&'static str> {
        self.fields().into_iter().find(|(_, v)| v.chars().count() > MAX_TEXT).map(|(k, _)| k)
    }
}

/// Priority on the beat plan.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Priority {
    /// High.
    High,
    /// Medium.
    Medium,
    /// Low.
    Low,
}

impl Priority {
    /// Every priority, highest first.
    pub const ALL: [Priority; 3] = [Priority::High, Priority::Medium, Priority::Low];

    /// Stable id.
    pub fn as_str(self) -> &'static str {
        match self {
            Priority::High => "high",
            Priority::Medium => "medium",
            Priority::Low => "low",
        }
    }

    /// Parses a stable id.
    pub fn parse(s: &str) -> Option<Priority> {
        Priority::ALL.iter().copied().find(|p| p.as_str() == s)
    }
}

/// A response strategy as entered.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StrategyInput {
    /// What will be done.
    pub title: String,
    /// Which side leads it (`police`, `community`) or `both`.
    pub owner_side: String,
    /// The named community contact.
    pub contact: String,
    /// Partner organisations, free text.
    pub partners: String,
    /// Start date `YYYY-MM-DD`.
    pub starts_on: String,
    /// End date `YYYY-MM-DD` (optional).
    pub ends_on: String,
}

/// A checked response strategy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Strategy {
    /// What will be done.
    pub title: String,
    /// The leading side, or `None` for both sides together.
    pub owner_side: Option<Side>,
    /// The named community contact.
    pub contact: String,
    /// Partner organisations.
    pub partners: String,
    /// Start.
    pub starts_on: jiff::civil::Date,
    /// End, if planned.
    pub ends_on: Option<jiff::civil::Date>,
}

/// The field a strategy was refused on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StrategyError {
    /// Title missing or over 300 characters.
    Title,
    /// Side not police, community or both.
    Side,
    /// A community contact is required: a response is designed with residents, not for them.
    Contact,
    /// Start date missing or not `YYYY-MM-DD`.
    Start,
    /// End date not a date, or before the start.
    End,
}

impl StrategyError {
    /// The form field at fault.
    pub fn field(self) -> &'static str {
        match self {
            StrategyError::Title => "title",
            StrategyError::Side => "owner_side",
            StrategyError::Contact => "contact",
            StrategyError::Start => "starts_on",
            StrategyError::End => "ends_on",
        }
    }
}

impl StrategyInput {
    /// Checks the input.
    pub fn parse(&self) -> Result<Strategy, StrategyError> {
        let title = self.title.trim();
        if title.chars().count() < 3 || title.chars().count() > 300 {
            return Err(StrategyError::Title);
        }
        let owner_side = match self.owner_side.trim() {
            "police" => Some(Side::Police),
            "community" => Some(Side::Community),
            "both" => None,
            _ => return Err(StrategyError::Side),
        };
        let contact = self.contact.trim();
        if contact.is_empty() || contact.chars().count() > 200 {
            return Err(StrategyError::Contact);
        }
        let starts_on: jiff::civil::Date = self.starts_on.trim().parse().map_err(|_| StrategyError::Start)?;
        let ends_on = match self.ends_on.trim() {
            "" => None,
            s => {
                let d: jiff::civil::Date = s.parse().map_err(|_| StrategyError::End)?;
                if d < starts_on {
                    return Err(StrategyError::End);
                }
                Some(d)
            }
        };
        Ok(Strategy {
            title: title.to_string(),
            owner_side,
            contact: contact.to_string(),
            partners: self.partners.trim().chars().take(500).collect(),
            starts_on,
            ends_on,
        })
    }
}

/// The verdict of an assessment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// The problem is gone from the target area.
    Solved,
    /// Fewer incidents than expected, target and buffer together.
    Reduced,
    /// The target improved, but the incidents moved into the surroundings.
    Displaced,
    /// No change beyond what the control area saw.
    NoEffect,
}

impl Verdict {
    /// Every verdict.
    pub const ALL: [Verdict; 4] = [Verdict::Solved, Verdict::Reduced, Verdict::Displaced, Verdict::NoEffect];

    /// Stable id.
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Solved => "solved",
            Verdict::Reduced => "reduced",
            Verdict::Displaced => "displaced",
            Verdict::NoEffect => "no_effect",
        }
    }

    /// Parses a stable id.
    pub fn parse(s: &str) -> Option<Verdict> {
        Verdict::ALL.iter().copied().find(|v| v.as_str() == s)
    }
}

/// The numbers of a before/after assessment that a verdict rests on.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct AssessmentFacts {
    /// Target count before.
    pub target_before: u64,
    /// Target count after.
    pub target_after: u64,
    /// Success measure SM (negative: the target improved relative to control); `None` when undefined.
    pub success_measure: Option<f64>,
    /// Weighted displacement quotient; `None` unless SM < 0.
    pub wdq: Option<f64>,
    /// Upper end of the WDD 95 % interval (below 0: significantly fewer incidents than expected overall).
    pub wdd_ci_high: f64,
    /// E-test p value for the target before vs after.
    pub target_p: f64,
}

/// The verdict the numbers support:
/// - **solved** when the target fell significantly (E-test p < 0.05) to at most a tenth of its former count and
///   the weighted displacement difference is significantly negative;
/// - **displaced** when the target improved relative to control but the buffer worsened (WDQ < 0) and the
///   overall WDD is not significantly negative;
/// - **reduced** when the WDD's 95 % interval lies below zero;
/// - **no effect** otherwise.
///
/// The partnership may record another verdict; the suggestion is shown beside it.
pub fn suggest_verdict(a: &AssessmentFacts) -> Verdict {
    let significant_overall = a.wdd_ci_high < 0.0;
    let target_fell = a.target_p < 0.05 && a.target_after < a.target_before;
    if significant_overall && target_fell && a.target_after * 10 <= a.target_before {
        Verdict::Solved
    } else if a.success_measure.is_some_and(|s| s < 0.0) && a.wdq.is_some_and(|q| q < 0.0) && !significant_overall {
        Verdict::Displaced
    } else if significant_overall {
        Verdict::Reduced
    } else {
        Verdict::NoEffect
    }
}

/// Why a problem came up: the kind of evidence behind a scanning candidate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    /// A significant rise of one category in one area (E-test against the same period a year earlier).
    CrimeRise,
    /// A cluster of Gi* hot-spot cells.
    Hotspot,
    /// Community reports of one category in the partnership's area.
    Reports,
    /// Survey answers naming the number one issue.
    Survey,
    /// Entered by a member.
    Member,
}

impl Source {
    /// Every source.
    pub const ALL: [Source; 5] = [Source::CrimeRise, Source::Hotspot, Source::Reports, Source::Survey, Source::Member];

    /// Stable id.
    pub fn as_str(self) -> &'static str {
        match self {
            Source::CrimeRise => "crime_rise",
            Source::Hotspot => "hotspot",
            Source::Reports => "reports",
            Source::Survey => "survey",
            Source::Member => "member",
        }
    }

    /// Parses a stable id.
    pub fn parse(s: &str) -> Option<Source> {
        Source::ALL.iter().copied().find(|v| v.as_str() == s)
    }
}

/// A rise worth scanning: `recent` incidents in the latest window against `year_before` in the same window a
/// year earlier, with the E-test p value of the comparison.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Rise {
    /// Count in the latest window.
    pub recent: u64,
    /// Count in the same window a year earlier.
    pub year_before: u64,
    /// E-test p value (one comparison of two Poisson counts).
    pub p: f64,
}

/// Whether a rise is a scanning candidate: significant at `alpha`, an increase, and at least `min_recent`
/// incidents (a rise from 0 to 2 is noise however small its p).
pub fn is_candidate_rise(r: &Rise, alpha: f64, min_recent: u64) -> bool {
    r.recent > r.year_before && r.recent >= min_recent && r.p < alpha
}

#[cfg(test)]
mod tests;
