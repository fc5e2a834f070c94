//! Built-in instruments: Trust & Safety, Procedural justice, Quality of life and Partnership member feedback,
//! every item in English and Spanish.

use super::{Choice, Instrument, Item, ItemKind};

/// The built-in templates' keys, in display order.
pub const KEYS: [&str; 4] = ["trust_safety", "procedural_justice", "quality_of_life", "member_feedback"];

fn num(id: &str, kind: ItemKind, scale: &str, en: &str, es: &str) -> Item {
    Item {
        id: id.into(),
        kind,
        en: en.into(),
        es: es.into(),
        choices: Vec::new(),
        scale: Some(scale.into()),
        top_issue: false,
    }
}

fn open(id: &str, en: &str, es: &str, top_issue: bool) -> Item {
    Item {
        id: id.into(),
        kind: ItemKind::Text,
        en: en.into(),
        es: es.into(),
        choices: Vec::new(),
        scale: None,
        top_issue,
    }
}

fn demographics() -> Item {
    Item {
        id: "about_you".into(),
        kind: ItemKind::Demographics,
        en: "About you (optional)".into(),
        es: "Sobre usted (opcional)".into(),
        choices: Vec::new(),
        scale: None,
        top_issue: false,
    }
}

fn choice(id: &str, en: &str, es: &str) -> Choice {
    Choice { id: id.into(), en: en.into(), es: es.into() }
}

/// The built-in instrument for a key of [`KEYS`].
pub fn template(key: &str) -> Option<Instrument> {
    use ItemKind::{Likert5, Scale10};
    let i = match key {
        "trust_safety" => Instrument {
            title_en: "Trust and safety survey".into(),
            title_es: "Encuesta de confianza y seguridad".into(),
            intro_en: "Your answers are anonymous. Answer on a scale from 0 (not at all) to 10 (completely).".into(),
            intro_es: "Sus respuestas son anónimas. Responda en una escala de 0 (nada) a 10 (totalmente).".into(),
            items: vec![
                num("safe_day", Scale10, "safety", "How safe do you feel in your neighbourhood during the day?", "¿Qué tan seguro(a) se siente en su vecindario durante el día?"),
                num("safe_night", Scale10, "safety", "How safe do you feel in your neighbourhood at night?", "¿Qué tan seguro(a) se siente en su vecindario de noche?"),
                num("respect", Scale10, "trust", "Police treat residents with respect.", "La policía trata a los residentes con respeto."),
                num("listen", Scale10, "trust", "Police listen to residents' concerns.", "La policía escucha las preocupaciones de los residentes."),
                num("fair", Scale10, "trust", "Police are fair.", "La policía es justa."),
                num("trust_police", Scale10, "trust", "How much do you trust the police?", "¿Cuánto confía usted en la policía?"),
                open("top_issue", "What is the number one issue in your neighbourhood?", "¿Cuál es el problema número uno en su vecindario?", true),
                demographics(),
            ],
        },
        "procedural_justice" => Instrument {
            title_en: "Procedural justice survey".into(),
            title_es: "Encuesta de justicia procesal".into(),
            intro_en: "Your answers are anonymous. Say how much you agree, from 1 (strongly disagree) to 5 (strongly agree).".into(),
            intro_es: "Sus respuestas son anónimas. Indique qué tan de acuerdo está, de 1 (muy en desacuerdo) a 5 (muy de acuerdo).".into(),
            items: vec![
                num("voice", Likert5, "procedural_justice", "Police give people a chance to explain their side.", "La policía da a las personas la oportunidad de explicar su versión."),
                num("neutrality", Likert5, "procedural_justice", "Police make decisions based on facts, not personal feelings.", "La policía toma decisiones basadas en hechos, no en sentimientos personales."),
                num("pj_respect", Likert5, "procedural_justice", "Police treat people with dignity and respect.", "La policía trata a las personas con dignidad y respeto."),
                num("motives", Likert5, "procedural_justice", "Police try to do what is best for the people in this neighbourhood.", "La policía trata de hacer lo mejor para la gente de este vecindario."),
                demographics(),
            ],
        },
        "quality_of_life" => Instrument {
            title_en: "Quality of life survey".into(),
            title_es: "Encuesta de calidad de vida".into(),
            intro_en: "Your answers are anonymous.".into(),
            intro_es: "Sus respuestas son anónimas.".into(),
            items: vec![
                num("qol_overall", Scale10, "quality_of_life", "How good a place is your neighbourhood to live?", "¿Qué tan buen lugar para vivir es su vecindario?"),
                num("qol_clean", Scale10, "quality_of_life", "How clean and well kept are the streets?", "¿Qué tan limpias y cuidadas están las calles?"),
                num("qol_neighbours", Scale10, "quality_of_life", "How much do neighbours help each other?", "¿Cuánto se ayudan los vecinos entre sí?"),
                Item {
                    id: "qol_problems".into(),
                    kind: ItemKind::Multiple,
                    en: "Which of these are problems where you live?".into(),
                    es: "¿Cuáles de estos son problemas donde usted vive?".into(),
                    choices: vec![
                        choice("litter", "Litter and dumping", "Basura y tiraderos"),
                        choice("noise", "Noise", "Ruido"),
                        choice("traffic", "Speeding traffic", "Exceso de velocidad"),
                        choice("vacant", "Vacant buildings", "Edificios abandonados"),
                        choice("lighting", "Poor street lighting", "Mala iluminación"),
                    ],
                    scale: None,
                    top_issue: false,
                },
                open("top_issue", "What is the number one issue in your neighbourhood?", "¿Cuál es el problema número uno en su vecindario?", true),
                demographics(),
            ],
        },
        "member_feedback" => Instrument {
            title_en: "Partnership member feedback".into(),
            title_es: "Opinión de los miembros de la alianza".into(),
            intro_en: "Tell us how the partnership is working for you. Your answers are anonymous.".into(),
            intro_es: "Díganos cómo funciona la alianza para usted. Sus respuestas son anónimas.".into(),
            items: vec![
                num("heard", Likert5, "partnership", "My views are heard at partnership meetings.", "Mis opiniones se escuchan en las reuniones de la alianza."),
                num("decisions", Likert5, "partnership", "Decisions are made fairly, with both sides.", "Las decisiones se toman de forma justa, con ambas partes."),
                num("follow_through", Likert5, "partnership", "The partnership keeps its promises.", "La alianza cumple sus promesas."),
                Item {
                    id: "side".into(),
                    kind: ItemKind::Single,
                    en: "Which side of the partnership are you on?".into(),
                    es: "¿De qué parte de la alianza es usted?".into(),
                    choices: vec![
                        choice("community", "Community", "Comunidad"),
                        choice("police", "Police", "Policía"),
                    ],
                    scale: None,
                    top_issue: false,
                },
                open("improve", "What one thing would make the partnership better?", "¿Qué cosa haría mejor a la alianza?", false),
            ],
        },
        _ => return None,
    };
    Some(i)
}

/// A blank custom instrument with one open item, to be edited.
pub fn blank(title: &str) -> Instrument {
    Instrument {
        title_en: title.into(),
        title_es: title.into(),
        intro_en: String::new(),
        intro_es: String::new(),
        items: vec![demographics()],
    }
}
