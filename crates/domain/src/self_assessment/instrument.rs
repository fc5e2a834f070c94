//! The statements of the self-assessment, in English and Spanish, two or three per dimension.

use super::Dimension;

/// One statement, answered on a 1–5 agreement scale.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Item {
    /// Stable identifier (form field `q_<id>`, key in the stored answers).
    pub id: &'static str,
    /// What it measures.
    pub dimension: Dimension,
    /// The statement in English.
    pub en: &'static str,
    /// The statement in Spanish.
    pub es: &'static str,
}

const fn item(id: &'static str, dimension: Dimension, en: &'static str, es: &'static str) -> Item {
    Item { id, dimension, en, es }
}

use Dimension::*;

/// The instrument, in the order it is asked.
pub static ITEMS: [Item; 23] = [
    item(
        "formation_purpose",
        Formation,
        "The partnership has a clear purpose that both police and residents share.",
        "La alianza tiene un propósito claro que comparten la policía y los residentes.",
    ),
    item(
        "formation_roles",
        Formation,
        "Members understand their roles and what is expected of them.",
        "Los miembros entienden sus funciones y lo que se espera de ellos.",
    ),
    item(
        "representation_voices",
        Representation,
        "The people most affected by the problems we work on have a seat at the table.",
        "Las personas más afectadas por los problemas que tratamos tienen un lugar en la mesa.",
    ),
    item(
        "representation_stakeholders",
        Representation,
        "Businesses, schools, faith and service groups in our area are represented.",
        "Los negocios, escuelas, grupos religiosos y de servicio de nuestra zona están representados.",
    ),
    item(
        "decisions_together",
        DecisionMaking,
        "Police and community members make decisions together.",
        "La policía y los miembros de la comunidad toman las decisiones juntos.",
    ),
    item(
        "decisions_heard",
        DecisionMaking,
        "My views are taken into account before the partnership decides.",
        "Mis opiniones se toman en cuenta antes de que la alianza decida.",
    ),
    item(
        "decisions_followed",
        DecisionMaking,
        "Decisions we make together are carried out.",
        "Las decisiones que tomamos juntos se llevan a cabo.",
    ),
    item(
        "trust_honest",
        Trust,
        "Members are honest with one another, even about difficult issues.",
        "Los miembros son honestos entre sí, incluso sobre temas difíciles.",
    ),
    item(
        "trust_respect",
        Trust,
        "Police and residents in the partnership treat each other with respect.",
        "La policía y los residentes de la alianza se tratan con respeto.",
    ),
    item(
        "trust_rely",
        Trust,
        "I can rely on members of the other side to keep their word.",
        "Puedo confiar en que los miembros del otro lado cumplan su palabra.",
    ),
    item(
        "sustaining_resources",
        Sustaining,
        "The partnership has the time and resources it needs to keep going.",
        "La alianza tiene el tiempo y los recursos que necesita para continuar.",
    ),
    item(
        "sustaining_newcomers",
        Sustaining,
        "New members are welcomed and brought up to speed.",
        "Los nuevos miembros son bienvenidos y se les pone al día.",
    ),
    item(
        "leadership_shared",
        Leadership,
        "Leadership is shared between police and community co-chairs.",
        "El liderazgo se comparte entre los copresidentes de la policía y de la comunidad.",
    ),
    item(
        "leadership_support",
        Leadership,
        "Department leaders support the work of the partnership.",
        "Los mandos del departamento apoyan el trabajo de la alianza.",
    ),
    item(
        "communication_open",
        Communication,
        "Information is shared openly among members.",
        "La información se comparte abiertamente entre los miembros.",
    ),
    item(
        "communication_public",
        Communication,
        "The partnership keeps the wider community informed of its work.",
        "La alianza mantiene informada a la comunidad en general sobre su trabajo.",
    ),
    item(
        "problem_solving_data",
        ProblemSolving,
        "We use data and residents' experience to understand problems before acting.",
        "Usamos datos y la experiencia de los residentes para entender los problemas antes de actuar.",
    ),
    item(
        "problem_solving_assess",
        ProblemSolving,
        "We check whether our responses worked and change course when they did not.",
        "Comprobamos si nuestras respuestas funcionaron y cambiamos de rumbo cuando no.",
    ),
    item(
        "partnerships_engaged",
        CommunityPartnerships,
        "Community organisations are engaged as real partners, not just informed.",
        "Las organizaciones comunitarias participan como socios reales, no solo como informadas.",
    ),
    item(
        "partnerships_volunteers",
        CommunityPartnerships,
        "Residents have real opportunities to take part in the partnership's work.",
        "Los residentes tienen oportunidades reales de participar en el trabajo de la alianza.",
    ),
    item(
        "transformation_priority",
        OrganisationalTransformation,
        "The department treats community policing as a priority, not a side project.",
        "El departamento trata la policía comunitaria como una prioridad, no como un proyecto secundario.",
    ),
    item(
        "transformation_assignments",
        OrganisationalTransformation,
        "Officers are given the time and stable assignments they need to work with the community.",
        "Los agentes reciben el tiempo y las asignaciones estables que necesitan para trabajar con la comunidad.",
    ),
    item(
        "transformation_recognised",
        OrganisationalTransformation,
        "Partnership work is recognised in officers' evaluations and promotions.",
        "El trabajo en la alianza se reconoce en las evaluaciones y ascensos de los agentes.",
    ),
];
