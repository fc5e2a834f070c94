//! Notices about decisions, through each member's preferences: a decision opened (category `decisions`) and a
//! member mentioned in a comment (category `mentions`).

use crate::AppState;
use crate::error::AppResult;
use crate::i18n::Tr;
use crate::notify::{self, Letter};
use crate::routes::partnerships::access::Access;
use commonbeat_store::entities::{decision, partnership, user};
use commonbeat_store::repo::members;

/// Tells the partnership's active members (only the named voters, when voting is restricted to them) that a
/// decision is open for their votes: when it is created, or when a scheduled decision opens.
pub async fn opened(
    state: &AppState,
    jid: i64,
    p: &partnership::Model,
    d: &decision::Model,
    named: &[i64],
) -> AppResult<usize> {
    let people: Vec<user::Model> = members::list(&state.db, jid, p.id, Some(members::ACTIVE))
        .await?
        .into_iter()
        .filter(|m| named.is_empty() || named.contains(&m.user.id))
        .map(|m| m.user)
        .collect();
    let link = format!("{}/partnerships/{}/decisions/{}", state.config.public_url, p.slug, d.id);
    let tz = notify::zone_name(state, jid).await;
    let pname = p.name.clone();
    notify::notify(state, jid, &people, "decisions", |tr: &Tr, u| {
        let locale = commonbeat_domain::Locale::from_tag(&u.locale).unwrap_or_default();
        let closes = crate::timefmt::format_datetime(d.closes_at, &tz, locale);
        Letter {
            subject: tr.t1("email-decision-open-subject", "title", &d.title),
            text: format!(
                "{}\n\n{}\n\n{link}\n",
                tr.t2("email-decision-open-body", ("partnership", &pname), ("closes", &closes)),
                d.title
            ),
            calendar: None,
        }
    })
    .await
}

/// Tells members mentioned as `@Full Name` in a comment (not the author).
pub async fn mentioned(
    state: &AppState,
    jid: i64,
    a: &Access,
    d: &decision::Model,
    author: &user::Model,
    comment_id: i64,
    body: &str,
) -> AppResult<usize> {
    let list = members::list(&state.db, jid, a.partnership.id, Some(members::ACTIVE)).await?;
    let names: Vec<String> = list.iter().map(|m| m.user.name.clone()).collect();
    let people: Vec<user::Model> = commonbeat_domain::text::mentions(body, &names)
        .into_iter()
        .filter_map(|name| list.iter().find(|m| &m.user.name == name && m.user.id != author.id).map(|m| m.user.clone()))
        .collect();
    let link = format!(
        "{}/partnerships/{}/decisions/{}#comment-{comment_id}",
        state.config.public_url, a.partnership.slug, d.id
    );
    notify::notify(state, jid, &people, "mentions", |tr: &Tr, _| Letter {
        subject: tr.t1("email-mention-subject", "name", &author.name),
        text: format!(
            "{}\n\n{body}\n\n{link}\n",
            tr.t2("email-mention-body", ("name", &author.name), ("title", &d.title))
        ),
        calendar: None,
    })
    .await
}
