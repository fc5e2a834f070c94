//! What the report pages, the JSON API and Open311 share: who may triage, submitting a report (checks, photo
//! cleaning, an address without a point located by the offline geocoder, partnership by point-in-polygon, receipt), status changes (domain transitions, follower notices,
//! the follow-up job) and the public view that never carries a precise point, a contact or moderated text.

use crate::AppState;
use crate::context::Ctx;
use crate::error::{AppError, AppResult};
use crate::i18n::Tr;
use base64::Engine;
use commonbeat_domain::geocode::Precision;
use commonbeat_domain::photo;
use commonbeat_domain::report::{
    self, Category, Point, ReportStatus, TransitionError, block_of_address, check_attributes, check_description,
};
use commonbeat_domain::{Email, Role};
use commonbeat_store::entities::report as rmodel;
use commonbeat_store::repo::reports::{self, NewPhoto, NewReport, NoteIn};
use commonbeat_store::repo::{areas, jobs as queue, partnerships};
use serde::Serialize;
use serde_json::json;

/// Job kind: ask the reporter whether a closed report is really fixed.
pub const FOLLOW_UP_JOB: &str = "report.follow_up";

/// Reports one address may send through the public form in an hour without signing in.
pub const ANON_REPORTS_PER_HOUR: i64 = 20;

/// Roles that triage every report (co-chairs triage their partnership's).
pub const STAFF: &[Role] = &[Role::Police, Role::Admin];

/// Whether the caller is police or an administrator.
pub fn is_staff(ctx: &Ctx) -> bool {
    ctx.role().is_some_and(|r| STAFF.contains(&r))
}

/// The partnerships whose reports the caller may triage: `None` for staff (all), else those they co-chair.
pub async fn triage_scope(state: &AppState, ctx: &Ctx) -> AppResult<Option<Vec<i64>>> {
    let u = ctx.require_user()?;
    if is_staff(ctx) {
        return Ok(None);
    }
    Ok(Some(reports::led_by(&state.db, ctx.jid(), u.id).await?))
}

/// Whether the caller may triage this report (staff, or a co-chair of its partnership).
pub async fn can_triage(state: &AppState, ctx: &Ctx, r: &rmodel::Model) -> AppResult<bool> {
    if ctx.user.is_none() {
        return Ok(false);
    }
    Ok(match triage_scope(state, ctx).await? {
        None => true,
        Some(ids) => r.partnership_id.is_some_and(|p| ids.contains(&p)),
    })
}

/// A report as anyone may see it: block-level place, no contact, no moderated text.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct PublicReport {
    /// Id.
    pub id: i64,
    /// Category id (the Open311 service code).
    pub category: String,
    /// Status id.
    pub status: String,
    /// Whether the status is open.
    pub open: bool,
    /// The description, unless moderators hid it.
    pub description: Option<String>,
    /// Block-level address (hundred block), if an address was given.
    pub block_address: String,
    /// Latitude of the centre of the ~150 m cell the report falls in.
    pub lat: Option<f64>,
    /// Longitude of the centre of the ~150 m cell.
    pub lon: Option<f64>,
    /// Made at (unix seconds).
    pub created_at: i64,
    /// Last changed (unix seconds).
    pub updated_at: i64,
    /// Expected resolution (unix seconds).
    pub expected_at: Option<i64>,
    /// Agency responsible.
    pub agency_responsible: String,
    /// Whether a photo can be fetched at `/reports/{id}/photo`.
    pub has_photo: bool,
    /// The address of a photo held elsewhere, as an Open311 client gave it (never fetched; left out when
    /// moderators hid the description).
    pub media_url: Option<String>,
}

/// The public view of a stored report.
pub fn public_view(r: &rmodel::Model) -> PublicReport {
    PublicReport {
        id: r.id,
        category: r.category.clone(),
        status: r.status.clone(),
        open: r.status.parse::<ReportStatus>().is_ok_and(|s| s.is_open()),
        description: (!r.description_hidden).then(|| r.description.clone()),
        block_address: r.block_address.clone(),
        lat: r.block_lat,
        lon: r.block_lon,
        created_at: r.created_at,
        updated_at: r.updated_at,
        expected_at: r.expected_at,
        agency_responsible: r.agency_responsible.clone(),
        has_photo: r.has_photo && !r.description_hidden,
        media_url: r.media_url.clone().filter(|_| !r.description_hidden),
    }
}

/// A report as submitted through any channel.
#[derive(Debug, Clone, Default)]
pub struct Submission {
    /// Category id.
    pub category: String,
    /// Description.
    pub description: String,
    /// Latitude (with `lon`), or
    pub lat: Option<f64>,
    /// Longitude.
    pub lon: Option<f64>,
    /// a street address.
    pub address: String,
    /// Postal code.
    pub zipcode: String,
    /// Attribute answers.
    pub attributes: Vec<(String, String)>,
    /// Reporter's name.
    pub name: String,
    /// Reporter's e-mail.
    pub email: String,
    /// Reporter's phone.
    pub phone: String,
    /// `web`, `api`, `open311`.
    pub source: String,
    /// Open311 key used.
    pub open311_key_id: Option<i64>,
    /// Photo bytes, unchecked.
    pub photo: Option<Vec<u8>>,
    /// The address of a photo held elsewhere (Open311 `media_url`): stored and returned, never fetched.
    pub media_url: String,
}

/// The longest `media_url` kept.
pub const MAX_MEDIA_URL: usize = 2000;

/// A `media_url` as stored: `None` when empty; refused (with the reason, for logs) unless an http(s) address
/// without spaces or control characters, at most [`MAX_MEDIA_URL`] characters.
pub fn check_media_url(url: &str) -> Result<Option<String>, &'static str> {
    let url = url.trim();
    if url.is_empty() {
        return Ok(None);
    }
    let scheme_ok = url.starts_with("https://") || url.starts_with("http://");
    if !scheme_ok || url.len() > MAX_MEDIA_URL || url.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err("not an http(s) address of at most 2000 characters without spaces");
    }
    Ok(Some(url.to_string()))
}

/// A refused submission: the field and a translated message.
#[derive(Debug, Clone)]
pub struct Refusal {
    /// The field at fault.
    pub field: &'static str,
    /// Translated message.
    pub message: String,
}

fn refuse(t: &Tr, field: &'static str, key: &str) -> Refusal {
    Refusal { field, message: t.t(key) }
}

/// Checked location: a point and/or an address.
pub struct Place {
    /// The precise point, if given.
    pub point: Option<Point>,
    /// The address as given (trimmed).
    pub address: String,
}

/// Checks the category, the place and the description (the parts the duplicate check needs).
pub fn check_basics(t: &Tr, s: &Submission) -> Result<(Category, Place, String), Refusal> {
    let cat: Category = s.category.trim().parse().map_err(|_| refuse(t, "category", "report-error-category"))?;
    let point = match (s.lat, s.lon) {
        (Some(lat), Some(lon)) => Some(Point::new(lat, lon).ok_or_else(|| refuse(t, "lat", "report-error-location"))?),
        (None, None) => None,
        _ => return Err(refuse(t, "lat", "report-error-location")),
    };
    let address = s.address.trim().to_string();
    if point.is_none() && address.is_empty() {
        return Err(refuse(t, "address", "report-error-location"));
    }
    if address.chars().count() > 200 {
        return Err(refuse(t, "address", "report-error-address"));
    }
    let description = check_description(&s.description).map_err(|e| match e {
        report::DescriptionError::TooShort => refuse(t, "description", "report-error-description-short"),
        report::DescriptionError::TooLong => refuse(t, "description", "report-error-description-long"),
    })?;
    Ok((cat, Place { point, address }, description))
}

/// Earlier reports that may be the same thing (same category, within 150 m, last 30 days), nearest first.
pub async fn duplicates_of(state: &AppState, jid: i64, cat: Category, p: Point) -> AppResult<Vec<rmodel::Model>> {
    let now = commonbeat_store::now();
    let since = now - report::DUPLICATE_WINDOW_DAYS * 86_400;
    let rows =
        reports::near(&state.db, jid, cat.as_str(), report::search_box(p, report::DUPLICATE_RADIUS_M), since).await?;
    let earlier: Vec<report::Earlier> = rows
        .iter()
        .filter_map(|r| {
            Some(report::Earlier {
                id: r.id,
                category: r.category.parse().ok()?,
                at: Point::new(r.lat?, r.lon?)?,
                created_at: r.created_at,
                status: r.status.parse().ok()?,
            })
        })
        .collect();
    let found = report::duplicates(cat, p, now, &earlier);
    Ok(found.iter().filter_map(|d| rows.iter().find(|r| r.id == d.id).cloned()).collect())
}

/// The partnership whose areas contain the point (the first by name among those not closed).
pub async fn partnership_at(state: &AppState, jid: i64, p: Point) -> AppResult<Option<i64>> {
    let all = partnerships::list(&state.db, jid, &Default::default()).await?;
    for pt in all.iter().filter(|x| x.status != "closed") {
        for a in partnerships::areas_of(&state.db, jid, pt.id).await? {
            if crate::maps::geometry(&a).is_some_and(|g| g.contains(commonbeat_domain::geo::LonLat::new(p.lon, p.lat)))
            {
                return Ok(Some(pt.id));
            }
        }
    }
    Ok(None)
}

/// Whether the point lies in the jurisdiction's mapped areas (always true when none are mapped).
pub async fn inside_jurisdiction(state: &AppState, jid: i64, p: Point) -> AppResult<bool> {
    let all = areas::list(&state.db, jid, None).await?;
    if all.is_empty() {
        return Ok(true);
    }
    let ll = commonbeat_domain::geo::LonLat::new(p.lon, p.lat);
    Ok(all.iter().any(|a| crate::maps::geometry(a).is_some_and(|g| g.contains(ll))))
}

/// Checks and records a report. `Ok(Err(refusal))` names the field at fault.
pub async fn submit(state: &AppState, ctx: &Ctx, s: Submission) -> AppResult<Result<rmodel::Model, Refusal>> {
    let t = ctx.tr();
    // Anonymous web reports are limited per address (Open311 and API callers are identified by key or token).
    if ctx.user.is_none() && s.source == "web" {
        let bucket = format!("report:{}:{}", ctx.jid(), ctx.source);
        crate::middleware::rate_limit(state, &bucket, ANON_REPORTS_PER_HOUR, 3600).await?;
    }
    let (cat, place, description) = match check_basics(&t, &s) {
        Ok(x) => x,
        Err(r) => return Ok(Err(r)),
    };
    if let Some(p) = place.point
        && !inside_jurisdiction(state, ctx.jid(), p).await?
    {
        return Ok(Err(refuse(&t, "lat", "report-error-outside")));
    }
    let attributes = match check_attributes(cat, &s.attributes) {
        Ok(a) => a,
        Err(_) => return Ok(Err(refuse(&t, "attribute", "report-error-attribute"))),
    };
    let email = match s.email.trim() {
        "" => String::new(),
        e => match Email::parse(e) {
            Ok(e) => e.as_str().to_string(),
            Err(_) => return Ok(Err(refuse(&t, "email", "report-error-email"))),
        },
    };
    let phone = s.phone.trim().to_string();
    if phone.chars().count() > 40 || phone.chars().any(|c| !(c.is_ascii_digit() || " +-().".contains(c))) {
        return Ok(Err(refuse(&t, "phone", "report-error-phone")));
    }
    let name = s.name.trim().to_string();
    if name.chars().count() > 100 || name.chars().any(char::is_control) {
        return Ok(Err(refuse(&t, "name", "report-error-name")));
    }
    if !cat.allows_anonymous() && email.is_empty() && phone.is_empty() {
        return Ok(Err(refuse(&t, "email", "report-error-contact-needed")));
    }
    let Ok(media_url) = check_media_url(&s.media_url) else {
        return Ok(Err(refuse(&t, "media_url", "report-error-media-url")));
    };
    let photo = match s.photo.as_deref().filter(|b| !b.is_empty()) {
        None => None,
        Some(bytes) => match photo::clean(bytes) {
            Ok((kind, clean)) => Some(NewPhoto {
                content_type: kind.content_type().to_string(),
                data_b64: base64::engine::general_purpose::STANDARD.encode(clean),
            }),
            Err(photo::PhotoError::TooLarge) => return Ok(Err(refuse(&t, "photo", "report-error-photo-size"))),
            Err(_) => return Ok(Err(refuse(&t, "photo", "report-error-photo-type"))),
        },
    };
    // An address without a point is located offline at block level (or at a named area); when nothing
    // matches the report is kept with its address only.
    let located = match place.point {
        Some(_) => None,
        None => state.crime.geocoder(&state.db, ctx.jid()).await?.locate(&place.address).ok(),
    };
    let point = place.point.or_else(|| located.as_ref().and_then(|g| Point::new(g.at.lat, g.at.lon)));
    let block_address = match &located {
        Some(g) if g.precision == Precision::Block => g.matched.clone(),
        _ => block_of_address(&place.address),
    };
    let block = point.map(report::generalise);
    let partnership_id = match point {
        Some(p) => partnership_at(state, ctx.jid(), p).await?,
        None => None,
    };
    let attrs: serde_json::Map<String, serde_json::Value> =
        attributes.into_iter().map(|(k, v)| (k, serde_json::Value::String(v))).collect();
    let anonymous = email.is_empty() && phone.is_empty() && name.is_empty();
    let r = reports::create(
        &state.db,
        ctx.jid(),
        NewReport {
            category: cat.as_str().into(),
            description,
            attributes: serde_json::Value::Object(attrs).to_string(),
            lat: point.map(|p| p.lat),
            lon: point.map(|p| p.lon),
            block_lat: block.map(|p| p.lat),
            block_lon: block.map(|p| p.lon),
            block_address,
            address: place.address,
            media_url,
            zipcode: s.zipcode.trim().chars().filter(|c| c.is_ascii_alphanumeric() || *c == '-').take(10).collect(),
            anonymous,
            contact_name: name,
            contact_email: email.clone(),
            contact_phone: phone,
            source: s.source.clone(),
            open311_key_id: s.open311_key_id,
            partnership_id,
            status: "received".into(),
            created_at: 0,
        },
        photo,
    )
    .await?;
    ctx.audit(
        state,
        "report.create",
        &format!("report:{}", r.id),
        "success",
        json!({"category": r.category, "source": r.source, "anonymous": anonymous, "photo": r.has_photo,
               "geocoded": located.as_ref().map(|g| json!({"precision": g.precision.as_str(), "matched": g.matched}))}),
    )
    .await?;
    if !email.is_empty() {
        let link = format!("{}/reports/{}", state.config.public_url, r.id);
        crate::mail::send_text(
            state,
            ctx.jid(),
            &email,
            t.t1("email-report-received-subject", "id", &r.id.to_string()),
            format!("{}\n\n{link}\n", t.t("email-report-received-body")),
        )
        .await?;
    }
    Ok(Ok(r))
}

/// A status change or note by staff.
#[derive(Debug, Clone, Default)]
pub struct Update {
    /// New status (empty keeps it).
    pub status: String,
    /// The note.
    pub note: String,
    /// Whether the note is public (a status note) or internal.
    pub public: bool,
}

/// Applies an update: checks the move, writes the note, audits, tells followers of public changes and queues
/// the follow-up when a report closes as fixed or with no further action.
pub async fn update(
    state: &AppState,
    ctx: &Ctx,
    r: rmodel::Model,
    u: &Update,
) -> AppResult<Result<rmodel::Model, String>> {
    let t = ctx.tr();
    let note = u.note.trim();
    if note.chars().count() > 4000 || (note.is_empty() && u.status.trim().is_empty()) {
        return Ok(Err(t.t("report-error-note")));
    }
    let from: ReportStatus = r.status.parse().unwrap_or(ReportStatus::Received);
    let to = match u.status.trim() {
        "" => None,
        s => {
            let Ok(to) = s.parse::<ReportStatus>() else { return Ok(Err(t.t("report-error-status"))) };
            let public_note = if u.public { note } else { "" };
            match report::transition(from, to, public_note) {
                Ok(()) => Some(to),
                Err(TransitionError::NoteRequired) => return Ok(Err(t.t("report-error-close-note"))),
                Err(_) => return Ok(Err(t.t("report-error-status"))),
            }
        }
    };
    let r = reports::add_note(
        &state.db,
        r,
        NoteIn {
            body: note.to_string(),
            public: u.public,
            status_to: to.map(|s| s.as_str().to_string()),
            author_id: ctx.user.as_ref().map(|u| u.id),
        },
    )
    .await?;
    ctx.audit(
        state,
        "report.update",
        &format!("report:{}", r.id),
        "success",
        json!({"from": from.as_str(), "to": to.map(|s| s.as_str()), "public": u.public}),
    )
    .await?;
    if u.public {
        notify_followers(state, ctx.jid(), &r, note).await?;
    }
    if let (Some(to), Some(closed)) = (to, r.closed_at)
        && report::asks_follow_up(to)
        && !r.contact_email.is_empty()
    {
        let at = closed + report::FOLLOW_UP_DAYS * 86_400;
        queue::enqueue(&state.db, ctx.jid(), FOLLOW_UP_JOB, &format!("{}:{closed}", r.id), at).await?;
    }
    Ok(Ok(r))
}

/// Tells every follower about a public change (status and note), in English and Spanish.
pub async fn notify_followers(state: &AppState, jid: i64, r: &rmodel::Model, note: &str) -> AppResult<()> {
    let link = format!("{}/reports/{}", state.config.public_url, r.id);
    for email in reports::followers(&state.db, jid, r.id).await? {
        let (en, es) = (Tr::new(commonbeat_domain::Locale::En), Tr::new(commonbeat_domain::Locale::Es));
        let body = format!(
            "{}: {}\n{}\n\n{}: {}\n{}\n\n{link}\n",
            en.t("report-status"),
            en.t(&format!("report-status-{}", r.status)),
            note,
            es.t("report-status"),
            es.t(&format!("report-status-{}", r.status)),
            note
        );
        crate::mail::send_text(state, jid, &email, en.t1("email-report-update-subject", "id", &r.id.to_string()), body)
            .await?;
    }
    Ok(())
}

/// Loads a report the caller may see: hidden reports only for those who may triage them.
pub async fn load_visible(state: &AppState, ctx: &Ctx, id: i64) -> AppResult<(rmodel::Model, bool)> {
    let r = reports::by_id(&state.db, ctx.jid(), id).await?;
    let triage = can_triage(state, ctx, &r).await?;
    if r.hidden && !triage {
        return Err(AppError::NotFound);
    }
    Ok((r, triage))
}

#[cfg(test)]
mod media_tests {
    use super::*;

    #[test]
    fn media_urls_are_http_addresses_or_nothing() {
        assert_eq!(check_media_url("  "), Ok(None));
        assert_eq!(check_media_url(" https://example.org/p.jpg "), Ok(Some("https://example.org/p.jpg".into())));
        assert_eq!(check_media_url("http://example.org/a?b=c"), Ok(Some("http://example.org/a?b=c".into())));
        for bad in ["javascript:alert(1)", "ftp://x/y", "https://exa mple.org", "file:///etc/passwd", "example.org/p"] {
            assert!(check_media_url(bad).is_err(), "{bad}");
        }
        assert!(check_media_url(&format!("https://x.org/{}", "a".repeat(MAX_MEDIA_URL))).is_err());
    }
}
