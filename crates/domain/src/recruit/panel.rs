//! The community interview: the anchored rubric, panelists' independent score sheets and the panel summary.

use crate::account::Side;
use crate::locale::Locale;
use serde::{Deserialize, Serialize};

/// A dimension of the community interview rubric.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Dimension {
    /// Speaking and listening clearly, in plain language.
    Communication,
    /// Understanding how others feel and what they have lived.
    Empathy,
    /// Working problems out together with residents.
    ProblemSolvingWithResidents,
    /// Respect for and knowledge of the area's cultures.
    CulturalCompetence,
    /// Wanting to serve the community.
    ServiceMotivation,
}

/// Dimension names in English, in [`Dimension::ALL`] order.
pub const DIMENSION_LABELS_EN: [&str; 5] =
    ["Communication", "Empathy", "Problem solving with residents", "Cultural competence", "Service motivation"];

/// Dimension names in Spanish, in [`Dimension::ALL`] order.
pub const DIMENSION_LABELS_ES: [&str; 5] = [
    "Comunicación",
    "Empatía",
    "Resolución de problemas con los vecinos",
    "Competencia cultural",
    "Vocación de servicio",
];

/// Anchors in English: `ANCHORS_EN[dimension][score − 1]`, dimensions in [`Dimension::ALL`] order.
pub const ANCHORS_EN: [[&str; 5]; 5] = [
    [
        "Answers are hard to follow or miss the question; does not check that the listener understood.",
        "Gets the main point across but rambles or uses jargon; seldom checks understanding.",
        "Clear and to the point; explains in plain language when asked.",
        "Clear, organised and plain-spoken; adapts to the listener and checks understanding.",
        "Consistently clear and concise; listens fully, adapts to any listener without jargon and confirms \
         understanding.",
    ],
    [
        "Dismisses or talks over the other person's feelings or experience.",
        "Acknowledges feelings only when prompted; focuses on procedure.",
        "Recognises how the other person feels and responds respectfully.",
        "Puts the other person's experience into words and adjusts their approach to it.",
        "Shows genuine understanding of people unlike themselves, including those who distrust the police, and \
         lets it shape what they do.",
    ],
    [
        "Proposes only enforcement or their own solution; does not ask residents.",
        "Asks residents for input but decides alone.",
        "Works through the problem with residents and considers options besides enforcement.",
        "Draws on what residents know, weighs several options with them and agrees on next steps.",
        "Shares ownership of the problem with residents, builds a plan together and says how both will follow up.",
    ],
    [
        "Relies on stereotypes or shows no awareness of cultural differences.",
        "Knows that differences exist but treats everyone the same regardless.",
        "Respects cultural differences and avoids assumptions about people.",
        "Knows the area's communities, adapts to their languages and customs and seeks out what they do not know.",
        "Builds trust across cultures; recognises their own biases and how the history of policing affects each \
         community's trust.",
    ],
    [
        "Motivated mainly by pay, status, action or authority.",
        "Mentions service in general terms, without examples.",
        "Wants to serve the community and gives an example of service.",
        "Has a record of service (volunteering, community work) and links it to the role.",
        "Has served this community over time and has a clear view of how policing can serve residents, beyond \
         enforcement too.",
    ],
];

/// Anchors in Spanish: `ANCHORS_ES[dimension][score − 1]`, dimensions in [`Dimension::ALL`] order.
pub const ANCHORS_ES: [[&str; 5]; 5] = [
    [
        "Sus respuestas son difíciles de seguir o no responden a la pregunta; no comprueba si le entendieron.",
        "Transmite la idea principal, pero divaga o usa jerga; rara vez comprueba si le entendieron.",
        "Es claro y va al grano; explica en lenguaje sencillo cuando se le pide.",
        "Es claro, ordenado y usa lenguaje sencillo; se adapta a quien escucha y comprueba que le entendieron.",
        "Siempre es claro y conciso; escucha con atención, se adapta a cualquier interlocutor sin jerga y confirma \
         que le entendieron.",
    ],
    [
        "Descarta o interrumpe los sentimientos o la experiencia de la otra persona.",
        "Reconoce los sentimientos solo cuando se le pide; se centra en el procedimiento.",
        "Reconoce cómo se siente la otra persona y responde con respeto.",
        "Expresa con sus palabras la experiencia de la otra persona y ajusta su forma de actuar a ella.",
        "Muestra una comprensión genuina de personas distintas a sí, incluidas las que desconfían de la policía, y \
         deja que eso guíe lo que hace.",
    ],
    [
        "Propone solo la aplicación de la ley o su propia solución; no consulta a los vecinos.",
        "Pide la opinión de los vecinos, pero decide por su cuenta.",
        "Analiza el problema con los vecinos y considera opciones además de la aplicación de la ley.",
        "Aprovecha lo que saben los vecinos, sopesa varias opciones con ellos y acuerda los siguientes pasos.",
        "Comparte con los vecinos la responsabilidad del problema, elabora un plan en conjunto y explica cómo harán \
         ambos el seguimiento.",
    ],
    [
        "Recurre a estereotipos o no muestra conciencia de las diferencias culturales.",
        "Sabe que existen diferencias, pero trata a todos igual sin tenerlas en cuenta.",
        "Respeta las diferencias culturales y evita suposiciones sobre las personas.",
        "Conoce las comunidades de la zona, se adapta a sus idiomas y costumbres y busca aprender lo que no sabe.",
        "Genera confianza entre culturas; reconoce sus propios prejuicios y cómo la historia de la policía afecta \
         la confianza de cada comunidad.",
    ],
    [
        "Le motivan sobre todo el salario, el estatus, la acción o la autoridad.",
        "Menciona el servicio en términos generales, sin ejemplos.",
        "Quiere servir a la comunidad y da un ejemplo de servicio.",
        "Tiene trayectoria de servicio (voluntariado, trabajo comunitario) y la relaciona con el puesto.",
        "Ha servido a esta comunidad de forma constante y tiene una idea clara de cómo la policía puede servir a \
         los vecinos, también más allá de la aplicación de la ley.",
    ],
];

impl Dimension {
    /// All dimensions, in rubric order.
    pub const ALL: [Dimension; 5] = [
        Dimension::Communication,
        Dimension::Empathy,
        Dimension::ProblemSolvingWithResidents,
        Dimension::CulturalCompetence,
        Dimension::ServiceMotivation,
    ];

    /// Stable id.
    pub fn as_str(self) -> &'static str {
        match self {
            Dimension::Communication => "communication",
            Dimension::Empathy => "empathy",
            Dimension::ProblemSolvingWithResidents => "problem_solving_with_residents",
            Dimension::CulturalCompetence => "cultural_competence",
            Dimension::ServiceMotivation => "service_motivation",
        }
    }

    /// Position in [`Dimension::ALL`] (and in the label and anchor tables).
    pub fn index(self) -> usize {
        self as usize
    }

    /// The dimension's name in `locale`.
    pub fn label(self, locale: Locale) -> &'static str {
        match locale {
            Locale::En => DIMENSION_LABELS_EN[self.index()],
            Locale::Es => DIMENSION_LABELS_ES[self.index()],
        }
    }

    /// The five anchors (scores 1 to 5) in `locale`.
    pub fn anchors(self, locale: Locale) -> &'static [&'static str; 5] {
        match locale {
            Locale::En => &ANCHORS_EN[self.index()],
            Locale::Es => &ANCHORS_ES[self.index()],
        }
    }

    /// The anchor describing `score` in `locale`.
    pub fn anchor(self, score: Score, locale: Locale) -> &'static str {
        self.anchors(locale)[usize::from(score.get() - 1)]
    }
}

/// A rubric score, 1 to 5.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "i64", into = "u8")]
pub struct Score(u8);

/// A score outside 1–5.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("score {0} is outside the rubric's 1 to 5")]
pub struct ScoreError(pub i64);

impl Score {
    /// Lowest score.
    pub const MIN: u8 = 1;
    /// Highest score.
    pub const MAX: u8 = 5;

    /// A score, if `value` is 1–5.
    pub fn new(value: i64) -> Result<Score, ScoreError> {
        match u8::try_from(value) {
            Ok(v) if (Score::MIN..=Score::MAX).contains(&v) => Ok(Score(v)),
            _ => Err(ScoreError(value)),
        }
    }

    /// The value, 1–5.
    pub fn get(self) -> u8 {
        self.0
    }
}

impl TryFrom<i64> for Score {
    type Error = ScoreError;

    fn try_from(value: i64) -> Result<Self, Self::Error> {
        Score::new(value)
    }
}

impl From<Score> for u8 {
    fn from(s: Score) -> u8 {
        s.0
    }
}

/// Identifies a panelist (an account id in the store).
pub type PanelistId = i64;

/// What a panelist is on the panel as.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PanelRole {
    /// A resident of the community.
    Resident,
    /// Recruiting staff of the department.
    RecruitingStaff,
    /// Another member of the department (an officer, a supervisor).
    Officer,
}

impl PanelRole {
    /// The side of the partnership the role sits on.
    pub fn side(self) -> Side {
        match self {
            PanelRole::Resident => Side::Community,
            PanelRole::RecruitingStaff | PanelRole::Officer => Side::Police,
        }
    }
}

/// A member of an interview panel.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Panelist {
    /// Who.
    pub id: PanelistId,
    /// As what.
    pub role: PanelRole,
}

/// How a panel is made up.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct PanelBalance {
    /// Residents.
    pub residents: usize,
    /// Recruiting staff.
    pub recruiting_staff: usize,
    /// Other department members.
    pub officers: usize,
    /// Panelists on the community side.
    pub community_side: usize,
    /// Panelists on the police side.
    pub police_side: usize,
    /// At least one resident and one member of recruiting staff.
    pub balanced: bool,
}

/// One panelist's independent scores of one candidate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScoreSheet {
    /// Who scored.
    pub panelist: PanelistId,
    /// Scores in [`Dimension::ALL`] order.
    pub scores: [Score; 5],
}

/// Why a score sheet is incomplete.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum SheetError {
    /// A score is outside 1–5.
    #[error("{dimension}: {error}", dimension = .0.as_str(), error = .1)]
    Score(Dimension, ScoreError),
    /// A dimension was scored twice.
    #[error("{} is scored twice", .0.as_str())]
    Duplicate(Dimension),
    /// A dimension was not scored.
    #[error("{} is not scored", .0.as_str())]
    Missing(Dimension),
}

impl ScoreSheet {
    /// A sheet from `(dimension, score)` pairs: every dimension exactly once, every score 1–5.
    pub fn from_pairs(panelist: PanelistId, pairs: &[(Dimension, i64)]) -> Result<ScoreSheet, SheetError> {
        let mut scores: [Option<Score>; 5] = [None; 5];
        for &(d, value) in pairs {
            let score = Score::new(value).map_err(|e| SheetError::Score(d, e))?;
            if scores[d.index()].replace(score).is_some() {
                return Err(SheetError::Duplicate(d));
            }
        }
        let mut out = [Score(Score::MIN); 5];
        for d in Dimension::ALL {
            out[d.index()] = scores[d.index()].ok_or(SheetError::Missing(d))?;
        }
        Ok(ScoreSheet { panelist, scores: out })
    }

    /// The score given on `dimension`.
    pub fn score(&self, dimension: Dimension) -> Score {
        self.scores[dimension.index()]
    }
}

/// A panel cannot be formed, or a sheet does not belong to it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum PanelError {
    /// No panelists.
    #[error("the panel has no members")]
    Empty,
    /// A panelist is listed twice.
    #[error("panelist {0} is listed twice")]
    DuplicatePanelist(PanelistId),
    /// A sheet from someone not assigned to the panel.
    #[error("panelist {0} is not on this panel")]
    NotOnPanel(PanelistId),
    /// Two sheets from the same panelist.
    #[error("panelist {0} submitted two score sheets")]
    DuplicateSheet(PanelistId),
}

/// The panel's combined scores of a candidate, once everyone has scored.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PanelSummary {
    /// Mean score per dimension, in [`Dimension::ALL`] order.
    pub means: [(Dimension, f64); 5],
    /// Mean of all scores (equal to the mean of the dimension means).
    pub overall_mean: f64,
    /// The sheets, released for the panel's discussion, in panel order.
    pub sheets: Vec<ScoreSheet>,
}

/// Where a panel's scoring of a candidate stands.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum PanelStatus {
    /// Some panelists have not submitted; no scores are shown to anyone but their author.
    Scoring {
        /// Panelists who have submitted, in panel order.
        submitted: Vec<PanelistId>,
        /// Panelists still to submit, in panel order.
        waiting_for: Vec<PanelistId>,
    },
    /// Everyone has submitted.
    Complete(PanelSummary),
}

/// The panelists assigned to interview a candidate (non-empty, no one twice).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Panel(Vec<Panelist>);

impl Panel {
    /// A panel of `panelists`.
    pub fn new(panelists: Vec<Panelist>) -> Result<Panel, PanelError> {
        if panelists.is_empty() {
            return Err(PanelError::Empty);
        }
        for (i, p) in panelists.iter().enumerate() {
            if panelists[..i].iter().any(|q| q.id == p.id) {
                return Err(PanelError::DuplicatePanelist(p.id));
            }
        }
        Ok(Panel(panelists))
    }

    /// The panelists, in the order given.
    pub fn panelists(&self) -> &[Panelist] {
        &self.0
    }

    /// Whether `id` is on the panel.
    pub fn contains(&self, id: PanelistId) -> bool {
        self.0.iter().any(|p| p.id == id)
    }

    /// Who sits on the panel, by role and by side, and whether it has a resident and a member of recruiting staff.
    pub fn balance(&self) -> PanelBalance {
        let count = |f: &dyn Fn(&Panelist) -> bool| self.0.iter().filter(|p| f(p)).count();
        let residents = count(&|p| p.role == PanelRole::Resident);
        let recruiting_staff = count(&|p| p.role == PanelRole::RecruitingStaff);
        PanelBalance {
            residents,
            recruiting_staff,
            officers: count(&|p| p.role == PanelRole::Officer),
            community_side: count(&|p| p.role.side() == Side::Community),
            police_side: count(&|p| p.role.side() == Side::Police),
            balanced: residents >= 1 && recruiting_staff >= 1,
        }
    }

    /// Checks that every sheet comes from a different panelist of this panel.
    fn check(&self, sheets: &[ScoreSheet]) -> Result<(), PanelError> {
        for (i, s) in sheets.iter().enumerate() {
            if !self.contains(s.panelist) {
                return Err(PanelError::NotOnPanel(s.panelist));
            }
            if sheets[..i].iter().any(|t| t.panelist == s.panelist) {
                return Err(PanelError::DuplicateSheet(s.panelist));
            }
        }
        Ok(())
    }

    /// Where scoring stands given the sheets submitted so far: who is still to score, or — once every panelist
    /// has submitted — the summary with the mean of each dimension and overall.
    pub fn status(&self, sheets: &[ScoreSheet]) -> Result<PanelStatus, PanelError> {
        self.check(sheets)?;
        let sheet_of = |id: PanelistId| sheets.iter().find(|s| s.panelist == id);
        let (done, waiting): (Vec<&Panelist>, Vec<&Panelist>) = self.0.iter().partition(|p| sheet_of(p.id).is_some());
        if !waiting.is_empty() {
            return Ok(PanelStatus::Scoring {
                submitted: done.iter().map(|p| p.id).collect(),
                waiting_for: waiting.iter().map(|p| p.id).collect(),
            });
        }
        let ordered: Vec<ScoreSheet> = self.0.iter().filter_map(|p| sheet_of(p.id).copied()).collect();
        let n = ordered.len() as f64;
        let means = Dimension::ALL.map(|d| {
            let total: u32 = ordered.iter().map(|s| u32::from(s.score(d).get())).sum();
            (d, f64::from(total) / n)
        });
        let total: u32 = ordered.iter().flat_map(|s| s.scores).map(|x| u32::from(x.get())).sum();
        let overall_mean = f64::from(total) / (n * Dimension::ALL.len() as f64);
        Ok(PanelStatus::Complete(PanelSummary { means, overall_mean, sheets: ordered }))
    }

    /// The sheets `viewer` may see: before every panelist has submitted, only their own (independent scoring
    /// before discussion); afterwards, those of the whole panel. Someone not on the panel sees none until then.
    pub fn visible_sheets<'s>(
        &self,
        viewer: PanelistId,
        sheets: &'s [ScoreSheet],
    ) -> Result<Vec<&'s ScoreSheet>, PanelError> {
        self.check(sheets)?;
        let complete = self.0.iter().all(|p| sheets.iter().any(|s| s.panelist == p.id));
        Ok(sheets.iter().filter(|s| complete || s.panelist == viewer).collect())
    }
}
