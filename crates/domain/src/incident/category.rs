//! The category taxonomy, the sensitivity classes and every table that assigns them, in one place.
//!
//! # Categories
//!
//! | category        | what it holds |
//! |-----------------|---------------|
//! | `violent`       | homicide, assault and battery, robbery, kidnapping, stalking, threats, human trafficking |
//! | `property`      | theft, burglary, vehicle theft, damage and vandalism, arson, fraud and forgery |
//! | `drugs`         | possession, sale and other narcotics offences |
//! | `disorder`      | trespass, public peace, liquor, gambling, prostitution, harassment, obstructing officers |
//! | `weapons`       | possession, carrying and discharge of weapons where no victim was hurt |
//! | `sex_offences`  | rape and sexual assault, sexual abuse, indecent exposure, child sexual abuse material |
//! | `other`         | everything else (traffic, court orders, non-criminal reports, unknown offences) |
//!
//! An incident's category is decided in this order; the first step that gives one wins:
//! 1. the mapping file's `[categories]` overrides, matched against the offence code, then the offence description
//!    (both without regard to case or surrounding spaces);
//! 2. the profile's table below: Chicago by `Primary Type`, LAPD by `Crm Cd`, NYPD by `OFNS_DESC`;
//! 3. the keyword rules ([`KEYWORDS`]) on the description, then on the detail (Chicago `Description`, NYPD
//!    `PD_DESC`); for NYPD a `LAW_CAT_CD` of `VIOLATION` then means `disorder`;
//! 4. `other`. Unknown offences are never rejected.
//!
//! When step 2 gives `other` but the detail names a sexual offence (a [`KEYWORDS`] rule for `sex_offences`), the
//! incident is `sex_offences`: Chicago files child sexual abuse under `OFFENSE INVOLVING CHILDREN`.
//!
//! Decisions on the borderline offences:
//! - Stalking and intimidation are `violent` (offences against a person, as NIBRS counts intimidation).
//! - Human trafficking is `violent` whatever its form, and always sensitive.
//! - Offences involving children (Chicago) and offenses related to children (NYPD) are `other`: they mix abuse,
//!   neglect, abandonment and contributing to delinquency, and counting them as violent would inflate that trend.
//!   They are always sensitive (juvenile), and sexual ones become `sex_offences` as said above.
//! - Prostitution, pimping and pandering are `disorder`; public indecency and indecent exposure are
//!   `sex_offences`; obscenity is `other` unless it names child pornography.
//! - NYPD `HARRASSMENT 2` (a violation, and the city's largest class) is `disorder`; its misdemeanour and felony
//!   assaults are `violent`.
//! - Brandishing, discharging and possessing weapons are `weapons`; an assault with a weapon is `violent`.
//!
//! # Sensitivity
//!
//! An incident is sensitive when publishing its exact place could identify a victim. The first class in the order
//! below that applies and is enabled in [`SensitivityRules`] is recorded:
//! 1. [`Sensitivity::SexOffence`]: category `sex_offences`;
//! 2. [`Sensitivity::HumanTrafficking`]: description or detail contains a [`SENSITIVE_KEYWORDS`] trafficking word;
//! 3. [`Sensitivity::Juvenile`]: victim age 1–17 (LAPD `Vict Age`), or an age group of `<18` (NYPD
//!    `VIC_AGE_GROUP`), or a description or detail containing `CHILD` (Chicago `OFFENSE INVOLVING CHILDREN`, LAPD
//!    `CHILD ABUSE …`, NYPD `OFFENSES RELATED TO CHILDREN`);
//! 4. [`Sensitivity::Domestic`]: the domestic flag is set (Chicago `Domestic` = true), or a description or detail
//!    contains `INTIMATE PARTNER` or `DOMESTIC`.
//!
//! Keywords match at the start of a word, without regard to case: `CHILD` matches `CHILDREN` but `RAPE` does not
//! match `GRAPE`.

use serde::{Deserialize, Serialize};
use std::fmt;

/// What kind of offence an incident was, in the taxonomy CommonBeat shows to the public (see the module docs).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Category {
    /// Offences of violence against a person.
    Violent,
    /// Theft, burglary, damage and fraud.
    Property,
    /// Narcotics offences.
    Drugs,
    /// Public order offences.
    Disorder,
    /// Weapons offences without an injured victim.
    Weapons,
    /// Sexual offences.
    SexOffences,
    /// Everything else.
    Other,
}

impl Category {
    /// Every category, in display order.
    pub const ALL: [Category; 7] = [
        Category::Violent,
        Category::Property,
        Category::Drugs,
        Category::Disorder,
        Category::Weapons,
        Category::SexOffences,
        Category::Other,
    ];

    /// The stable lower-case key (`violent`, `property`, `drugs`, `disorder`, `weapons`, `sex_offences`, `other`).
    pub fn as_str(self) -> &'static str {
        match self {
            Category::Violent => "violent",
            Category::Property => "property",
            Category::Drugs => "drugs",
            Category::Disorder => "disorder",
            Category::Weapons => "weapons",
            Category::SexOffences => "sex_offences",
            Category::Other => "other",
        }
    }

    /// The category with this key (as [`Category::as_str`] writes it, any case, surrounding spaces ignored).
    pub fn parse(s: &str) -> Option<Category> {
        let s = s.trim();
        Category::ALL.into_iter().find(|c| c.as_str().eq_ignore_ascii_case(s))
    }
}

impl fmt::Display for Category {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Why an incident's exact location must be handled with care (see the module docs for when each applies).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Sensitivity {
    /// A sexual offence.
    SexOffence,
    /// Domestic or intimate-partner violence.
    Domestic,
    /// The victim is a child.
    Juvenile,
    /// Human trafficking.
    HumanTrafficking,
}

impl Sensitivity {
    /// Every class, in the order of precedence used when several apply.
    pub const ALL: [Sensitivity; 4] =
        [Sensitivity::SexOffence, Sensitivity::HumanTrafficking, Sensitivity::Juvenile, Sensitivity::Domestic];

    /// The stable lower-case key (`sex_offence`, `domestic`, `juvenile`, `human_trafficking`).
    pub fn as_str(self) -> &'static str {
        match self {
            Sensitivity::SexOffence => "sex_offence",
            Sensitivity::Domestic => "domestic",
            Sensitivity::Juvenile => "juvenile",
            Sensitivity::HumanTrafficking => "human_trafficking",
        }
    }

    /// The class with this key (any case, surrounding spaces ignored).
    pub fn parse(s: &str) -> Option<Sensitivity> {
        let s = s.trim();
        Sensitivity::ALL.into_iter().find(|c| c.as_str().eq_ignore_ascii_case(s))
    }
}

impl fmt::Display for Sensitivity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Which sensitivity classes the importer marks. The default enables all four; a deployment may switch some off
/// (for example when its agency already removes domestic incidents from the published file).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SensitivityRules {
    /// The classes to mark; order does not matter (precedence is [`Sensitivity::ALL`]'s).
    pub enabled: Vec<Sensitivity>,
}

impl Default for SensitivityRules {
    fn default() -> Self {
        SensitivityRules { enabled: Sensitivity::ALL.to_vec() }
    }
}

impl SensitivityRules {
    /// Whether `class` is marked.
    pub fn is_enabled(&self, class: Sensitivity) -> bool {
        self.enabled.contains(&class)
    }
}

/// Which built-in offence table a profile uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Table {
    Chicago,
    Lapd,
    Nypd,
    /// Keyword rules only.
    Generic,
}

/// Chicago `Primary Type` → category.
#[rustfmt::skip]
pub(crate) const CHICAGO: &[(Category, &[&str])] = {
    use Category::*;
    &[
        (Violent, &["HOMICIDE", "ASSAULT", "BATTERY", "ROBBERY", "KIDNAPPING", "STALKING", "INTIMIDATION",
            "HUMAN TRAFFICKING", "DOMESTIC VIOLENCE"]),
        (Property, &["THEFT", "BURGLARY", "MOTOR VEHICLE THEFT", "CRIMINAL DAMAGE", "DECEPTIVE PRACTICE", "ARSON"]),
        (Drugs, &["NARCOTICS", "OTHER NARCOTIC VIOLATION"]),
        (Disorder, &["CRIMINAL TRESPASS", "PUBLIC PEACE VIOLATION", "LIQUOR LAW VIOLATION", "GAMBLING", "PROSTITUTION",
            "INTERFERENCE WITH PUBLIC OFFICER"]),
        (Weapons, &["WEAPONS VIOLATION", "CONCEALED CARRY LICENSE VIOLATION"]),
        (SexOffences, &["CRIM SEXUAL ASSAULT", "CRIMINAL SEXUAL ASSAULT", "SEX OFFENSE", "PUBLIC INDECENCY"]),
        (Other, &["OFFENSE INVOLVING CHILDREN", "OBSCENITY", "OTHER OFFENSE", "NON-CRIMINAL", "NON - CRIMINAL",
            "NON-CRIMINAL (SUBJECT SPECIFIED)", "RITUALISM"]),
    ]
};

/// LAPD `Crm Cd` → category, by code (the LAPD crime code list; descriptions in the comments).
pub(crate) const LAPD: &[(Category, &[u16])] = {
    use Category::*;
    &[
        // 110 homicide, 113 manslaughter, 210/220 robbery, 230/231 assault with deadly weapon, 235 child abuse
        // (aggravated), 236 intimate partner (aggravated), 250/251 shots fired at vehicle/dwelling, 435/436
        // lynching, 622/623 battery on firefighter/police, 624 battery, 625 other assault, 626 intimate partner
        // (simple), 627 child abuse (simple), 647 throwing object at vehicle, 763 stalking, 822 human trafficking
        // (commercial sex), 910/920 kidnapping, 921 human trafficking (servitude), 922 child stealing, 928
        // threatening calls or letters, 930 criminal threats.
        (
            Violent,
            &[
                110, 113, 210, 220, 230, 231, 235, 236, 250, 251, 435, 436, 622, 623, 624, 625, 626, 627, 647, 763,
                822, 910, 920, 921, 922, 928, 930,
            ],
        ),
        // 310/320 burglary, 330/331/410/420/421 burglary and theft from vehicle, 341–354 grand theft, theft from
        // person, pickpocket, identity theft, 433 driving without owner's consent, 434 bunco, 440–453 petty theft,
        // shoplifting, 470–475 till tap and coin machine, 480/485 bike, 487 boat, 510/520/522 vehicle stolen, 648
        // arson, 649–654 forgery, worthless documents, credit card fraud, 660–670 counterfeit, computer access,
        // bunco, embezzlement, 740/745 vandalism, 924 telephone property damage, 940 extortion, 950/951 theft of
        // services.
        (
            Property,
            &[
                310, 320, 330, 331, 341, 343, 345, 347, 349, 350, 351, 352, 353, 354, 410, 420, 421, 433, 434, 440,
                441, 442, 443, 444, 445, 446, 450, 451, 452, 453, 470, 471, 473, 474, 475, 480, 485, 487, 510, 520,
                522, 648, 649, 651, 652, 653, 654, 660, 661, 662, 664, 666, 668, 670, 740, 745, 924, 940, 950, 951,
            ],
        ),
        // 865 drugs to a minor.
        (Drugs, &[865]),
        // 437 resisting arrest, 439 false police report, 755 bomb scare, 805/806 pimping and pandering, 880
        // disrupting school, 882 inciting a riot, 884 failure to disperse, 886 disturbing the peace, 888
        // trespassing, 933 prowler, 949 illegal dumping.
        (Disorder, &[437, 439, 755, 805, 806, 880, 882, 884, 886, 888, 933, 949]),
        // 753 discharging firearms, 756 weapons possession or bombing, 761 brandishing, 904/906 firearms protective
        // and restraining orders, 931 replica firearms.
        (Weapons, &[753, 756, 761, 904, 906, 931]),
        // 121/122 rape, 760/762 lewd conduct, 810 unlawful sex, 812 crime against a child, 813 child annoying,
        // 814 child pornography, 815 penetration with an object, 820 oral copulation, 821 sodomy, 830 incest,
        // 840 bestiality, 850 indecent exposure, 860 battery with sexual contact, 932 peeping tom, 956 lewd letters
        // or calls.
        (SexOffences, &[121, 122, 760, 762, 810, 812, 813, 814, 815, 820, 821, 830, 840, 850, 860, 932, 956]),
        // Listed so they are not guessed from keywords: 237 child neglect, 438 reckless driving, 845 sex offender
        // registrant out of compliance (no victim), 870 child abandonment, 890 failure to yield, 900–903 court
        // orders, 926 train wrecking, 943 animal cruelty, 944 conspiracy, 946 other miscellaneous crime, 948
        // bigamy, 954 contributing to delinquency.
        (Other, &[237, 438, 845, 870, 890, 900, 901, 902, 903, 926, 943, 944, 946, 948, 954]),
    ]
};

/// NYPD `OFNS_DESC` → category (NYPD truncates descriptions to about 30 characters; both forms are listed where
/// they differ).
#[rustfmt::skip]
pub(crate) const NYPD: &[(Category, &[&str])] = {
    use Category::*;
    &[
        (Violent, &["MURDER & NON-NEGL. MANSLAUGHTER", "HOMICIDE-NEGLIGENT,UNCLASSIFIE",
            "HOMICIDE-NEGLIGENT,UNCLASSIFIED", "HOMICIDE-NEGLIGENT-VEHICLE", "ROBBERY", "FELONY ASSAULT",
            "ASSAULT 3 & RELATED OFFENSES", "KIDNAPPING", "KIDNAPPING & RELATED OFFENSES",
            "KIDNAPPING AND RELATED OFFENSES", "OFFENSES AGAINST THE PERSON"]),
        (Property, &["GRAND LARCENY", "PETIT LARCENY", "GRAND LARCENY OF MOTOR VEHICLE",
            "PETIT LARCENY OF MOTOR VEHICLE", "UNAUTHORIZED USE OF A VEHICLE", "BURGLARY", "BURGLAR'S TOOLS",
            "CRIMINAL MISCHIEF & RELATED OF", "ARSON", "FORGERY", "FRAUDS", "THEFT-FRAUD", "FRAUDULENT ACCOSTING",
            "OFFENSES INVOLVING FRAUD", "THEFT OF SERVICES", "OTHER OFFENSES RELATED TO THEF",
            "OTHER OFFENSES RELATED TO THEFT", "POSSESSION OF STOLEN PROPERTY", "POSSESSION OF STOLEN PROPERTY 5",
            "JOSTLING"]),
        (Drugs, &["DANGEROUS DRUGS", "CANNABIS RELATED OFFENSES", "LOITERING FOR DRUG PURPOSES",
            "UNDER THE INFLUENCE OF DRUGS"]),
        (Weapons, &["DANGEROUS WEAPONS", "UNLAWFUL POSS. WEAP. ON SCHOOL"]),
        (SexOffences, &["RAPE", "SEX CRIMES", "FELONY SEX CRIMES", "LOITERING/DEVIATE SEX"]),
        (Disorder, &["HARRASSMENT 2", "CRIMINAL TRESPASS", "DISORDERLY CONDUCT", "OFF. AGNST PUB ORD SENSBLTY &",
            "OFFENSES AGAINST PUBLIC ADMINI", "OFFENSES AGAINST PUBLIC SAFETY", "ALCOHOLIC BEVERAGE CONTROL LAW",
            "GAMBLING", "LOITERING/GAMBLING (CARDS, DIC", "LOITERING", "PROSTITUTION & RELATED OFFENSES",
            "DISRUPTION OF A RELIGIOUS SERV"]),
        (Other, &["OFFENSES RELATED TO CHILDREN", "CHILD ABANDONMENT/NON SUPPORT", "ENDAN WELFARE INCOMP",
            "INTOXICATED & IMPAIRED DRIVING", "INTOXICATED/IMPAIRED DRIVING", "VEHICLE AND TRAFFIC LAWS",
            "OTHER TRAFFIC INFRACTION", "MISCELLANEOUS PENAL LAW", "NYS LAWS-UNCLASSIFIED FELONY",
            "NYS LAWS-UNCLASSIFIED VIOLATION", "ADMINISTRATIVE CODE", "NEW YORK CITY HEALTH CODE",
            "AGRICULTURE & MRKTS LAW-UNCLASSIFIED", "OTHER STATE LAWS", "OTHER STATE LAWS (NON PENAL LA",
            "OTHER STATE LAWS (NON PENAL LAW)", "ANTICIPATORY OFFENSES", "ESCAPE 3", "OFFENSES AGAINST MARRIAGE UNCL"]),
    ]
};

/// Keyword rules for offences no table knows (and for the `generic` profile), tried in this order; each keyword
/// matches at the start of a word. Sexual offences come first so `SEXUAL ASSAULT` is not `violent`, and violence
/// before weapons so `ASSAULT WITH DEADLY WEAPON` is not `weapons`.
#[rustfmt::skip]
pub const KEYWORDS: &[(Category, &[&str])] = &[
    (Category::SexOffences, SEXUAL_KEYWORDS),
    (Category::Violent, &["HOMICIDE", "MURDER", "MANSLAUGHTER", "ASSAULT", "BATTERY", "ROBBERY", "KIDNAP", "ABDUCTION",
        "CARJACK", "SHOOTING", "STABBING", "STALKING", "INTIMIDATION", "THREAT", "HUMAN TRAFFICKING"]),
    (Category::Weapons, &["WEAPON", "FIREARM", "GUN", "CONCEALED CARRY", "SHOTS FIRED", "AMMUNITION"]),
    (Category::Drugs, &["NARCOTIC", "DRUG", "CANNABIS", "MARIJUANA", "CONTROLLED SUBSTANCE", "COCAINE", "HEROIN",
        "METHAMPHETAMINE", "PARAPHERNALIA"]),
    (Category::Property, &["THEFT", "LARCENY", "BURGLAR", "STOLEN", "SHOPLIFT", "VANDALISM", "GRAFFITI",
        "CRIMINAL DAMAGE", "CRIMINAL MISCHIEF", "ARSON", "FRAUD", "FORGERY", "EMBEZZLE", "COUNTERFEIT", "PICKPOCKET",
        "PURSE SNATCH", "DECEPTIVE", "BUNCO", "EXTORTION"]),
    (Category::Disorder, &["TRESPASS", "DISORDERLY", "DISTURB", "PUBLIC PEACE", "LIQUOR", "ALCOHOL", "GAMBLING",
        "PROSTITUTION", "LOITERING", "HARASS", "HARRASS", "NOISE", "DRUNK", "RESISTING", "OBSTRUCT", "RIOT", "PANHANDL",
        "VAGRAN", "CURFEW"]),
];

/// The [`KEYWORDS`] rule for `sex_offences`, also used to recognise a sexual offence in a detail.
#[rustfmt::skip]
const SEXUAL_KEYWORDS: &[&str] = &["RAPE", "SEXUAL", "SEX ASSAULT", "SEX ASSLT", "SEX ABUSE", "SEX CRIME",
    "SEX OFFENSE", "CRIM SEX", "SODOMY", "INDECENT EXPOSURE", "LEWD", "PORNOGRAPHY", "MOLEST", "INCEST"];

/// Words in a description or detail that make an incident sensitive (see the module docs for precedence).
pub const SENSITIVE_KEYWORDS: &[(Sensitivity, &[&str])] = &[
    (
        Sensitivity::HumanTrafficking,
        &["HUMAN TRAFFICKING", "SEX TRAFFICKING", "LABOR TRAFFICKING", "INVOLUNTARY SERVITUDE"],
    ),
    (Sensitivity::Juvenile, &["CHILD"]),
    (Sensitivity::Domestic, &["INTIMATE PARTNER", "DOMESTIC"]),
];

/// The text of one incident's offence, as read from its row (all fields trimmed; absent ones empty).
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct OffenceText<'a> {
    pub code: &'a str,
    pub description: &'a str,
    pub detail: &'a str,
    /// NYPD `LAW_CAT_CD` (FELONY, MISDEMEANOR, VIOLATION).
    pub law_class: &'a str,
}

/// Decides an incident's category (the order is in the module docs). `overrides` hold the mapping file's
/// `[categories]` keys, already trimmed.
pub(crate) fn classify(table: Table, text: &OffenceText<'_>, overrides: &[(String, Category)]) -> Category {
    let find = |key: &str| overrides.iter().find(|(k, _)| k.eq_ignore_ascii_case(key)).map(|(_, c)| *c);
    if !overrides.is_empty()
        && let Some(c) = find(text.code).or_else(|| find(text.description))
    {
        return c;
    }
    let from_table = match table {
        Table::Chicago => lookup(CHICAGO, text.description),
        Table::Nypd => lookup(NYPD, text.description),
        Table::Lapd => text
            .code
            .parse::<u16>()
            .ok()
            .and_then(|code| LAPD.iter().find(|(_, codes)| codes.contains(&code)).map(|(c, _)| *c)),
        Table::Generic => None,
    };
    match from_table {
        Some(Category::Other) if contains_any_word(text.detail, SEXUAL_KEYWORDS) => Category::SexOffences,
        Some(c) => c,
        None => keyword_category(text.description)
            .or_else(|| keyword_category(text.detail))
            .or_else(|| {
                (table == Table::Nypd && text.law_class.eq_ignore_ascii_case("VIOLATION")).then_some(Category::Disorder)
            })
            .unwrap_or(Category::Other),
    }
}

/// Facts other than the offence text that bear on sensitivity.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct SensitivityFacts {
    /// The domestic flag column holds a true value.
    pub domestic_flag: bool,
    /// The victim age says the victim is under 18.
    pub juvenile_victim: bool,
}

/// Decides an incident's sensitivity (the order is in the module docs).
pub(crate) fn sensitivity(
    category: Category,
    text: &OffenceText<'_>,
    facts: SensitivityFacts,
    rules: &SensitivityRules,
) -> Option<Sensitivity> {
    if category == Category::SexOffences && rules.is_enabled(Sensitivity::SexOffence) {
        return Some(Sensitivity::SexOffence);
    }
    let mentioned = mentioned_classes(text.description) | mentioned_classes(text.detail);
    let mentions = |class: Sensitivity| {
        SENSITIVE_KEYWORDS.iter().position(|(c, _)| *c == class).is_some_and(|i| mentioned & (1 << i) != 0)
    };
    Sensitivity::ALL.into_iter().filter(|c| rules.is_enabled(*c)).find(|class| match class {
        Sensitivity::SexOffence => false,
        Sensitivity::HumanTrafficking => mentions(Sensitivity::HumanTrafficking),
        Sensitivity::Juvenile => facts.juvenile_victim || mentions(Sensitivity::Juvenile),
        Sensitivity::Domestic => facts.domestic_flag || mentions(Sensitivity::Domestic),
    })
}

/// A bit set of the [`SENSITIVE_KEYWORDS`] rules (by index) whose words occur in `text`, found in one pass.
fn mentioned_classes(text: &str) -> u8 {
    let mut found = 0u8;
    for rest in word_starts(text) {
        for (i, (_, words)) in SENSITIVE_KEYWORDS.iter().enumerate() {
            if found & (1 << i) == 0 && words.iter().any(|w| starts_with_word(rest, w)) {
                found |= 1 << i;
            }
        }
    }
    found
}

/// Whether a victim age field says the victim is a child: a whole number 1–17 (LAPD writes 0 or a negative number
/// when the age is unknown or there is no person victim) or the group `<18` (NYPD).
pub(crate) fn is_juvenile_age(value: &str) -> bool {
    let value = value.trim();
    value == "<18" || value.parse::<i32>().is_ok_and(|age| (1..=17).contains(&age))
}

fn lookup(table: &[(Category, &[&str])], key: &str) -> Option<Category> {
    if key.is_empty() {
        return None;
    }
    table
        .iter()
        .find(|(_, names)| names.iter().any(|k| k.len() == key.len() && k.eq_ignore_ascii_case(key)))
        .map(|(c, _)| *c)
}

/// The category of the first [`KEYWORDS`] rule that matches `text`.
pub(crate) fn keyword_category(text: &str) -> Option<Category> {
    if text.is_empty() {
        return None;
    }
    KEYWORDS.iter().find(|(_, words)| contains_any_word(text, words)).map(|(c, _)| *c)
}

/// Whether any of `words` (upper case) occurs in `text` starting at a word boundary (ASCII case-insensitive).
pub(crate) fn contains_any_word(text: &str, words: &[&str]) -> bool {
    word_starts(text).any(|rest| words.iter().any(|w| starts_with_word(rest, w)))
}

/// The rest of `text` from each position where a word (a run of ASCII letters and digits) starts.
fn word_starts(text: &str) -> impl Iterator<Item = &[u8]> {
    let bytes = text.as_bytes();
    (0..bytes.len())
        .filter(move |&i| bytes[i].is_ascii_alphanumeric() && (i == 0 || !bytes[i - 1].is_ascii_alphanumeric()))
        .map(move |i| &bytes[i..])
}

/// Whether `rest` starts with the upper-case `word`, ignoring ASCII case.
fn starts_with_word(rest: &[u8], word: &str) -> bool {
    let word = word.as_bytes();
    rest.len() >= word.len() && rest[0].to_ascii_uppercase() == word[0] && rest[..word.len()].eq_ignore_ascii_case(word)
}
