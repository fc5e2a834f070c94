//! Meetings, end to end: a co-chair schedules a meeting and every member gets an invitation with a calendar part
//! (checked with an independent iCalendar parser), members reply and sign in, walk-ins are counted by side, the
//! minutes' action items become commitments once both sides' co-chairs approve, changes and cancellations reach
//! calendars, the "we said / we did" page keeps score, and notification preferences and one-click unsubscribe are
//! honoured.

use crate::support::*;
use commonbeat_domain::{PersonName, Role};
use commonbeat_store::entities::{digest_item, job};
use commonbeat_store::repo::{outbox, tokens, users};
use ical::parser::ical::component::IcalCalendar;
use ical::property::Property;
use jiff::ToSpan;
use jiff::civil::{Date, DateTime};
use jiff::tz::TimeZone;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
use serde_json::{Value, json};

// ---------------------------------------------------------------------------------------------------------------
// Set-up helpers
// ---------------------------------------------------------------------------------------------------------------

/// A signed-in account (each signs in once: a TOTP code works only once).
pub(crate) struct Person {
    pub(crate) email: String,
    pub(crate) id: i64,
    pub(crate) c: reqwest::Client,
}

/// A partnership formed by a police co-chair, with approved police and community members.
pub(crate) struct Beat {
    pub(crate) slug: String,
    pub(crate) chair: Person,
    pub(crate) police: Vec<Person>,
    pub(crate) community: Vec<Person>,
}

pub(crate) async fn person(app: &TestApp, email: &str, role: Role) -> Person {
    let (id, secret) = app.user(email, role).await;
    let c = app.client();
    app.login(&c, email, secret.as_deref()).await;
    Person { email: email.to_string(), id, c }
}

async fn rename(app: &TestApp, id: i64, name: &str) {
    users::update(&app.db, app.jid, id, users::Change::Name(PersonName::parse(name).unwrap())).await.unwrap();
}

/// Forms a partnership (its creator becomes the police co-chair) and has `police` officers and `community`
/// residents join and be approved. E-mails are `{tag}-chair@…`, `{tag}-p{i}@…`, `{tag}-c{i}@…`.
pub(crate) async fn beat(app: &TestApp, tag: &str, name: &str, police: usize, community: usize) -> Beat {
    let chair = person(app, &format!("{tag}-chair@example.org"), Role::Police).await;
    let r = app
        .post_form(
            &chair.c,
            "/partnerships/new",
            "/partnerships",
            &[
                ("name", name),
                ("founding_problem", "Speeding on the boulevard"),
                ("mission", "Slow the traffic and keep kids safe."),
                ("goal", "quality"),
                ("cadence", "monthly"),
            ],
        )
        .await;
    assert_eq!(r.status(), 303, "partnership formed");
    let slug = r.headers()["location"].to_str().unwrap().trim_start_matches("/partnerships/").to_string();
    let mut b = Beat { slug, chair, police: Vec::new(), community: Vec::new() };
    for (i, role) in (0..police).map(|i| (i, Role::Police)).chain((0..community).map(|i| (i, Role::Community))) {
        let letter = if role == Role::Police { 'p' } else { 'c' };
        let p = person(app, &format!("{tag}-{letter}{i}@example.org"), role).await;
        join(app, &b, &p).await;
        if role == Role::Police { b.police.push(p) } else { b.community.push(p) }
    }
    b
}

async fn join(app: &TestApp, b: &Beat, p: &Person) {
    let slug = &b.slug;
    let r = app.post_form(&p.c, &format!("/partnerships/{slug}"), &format!("/partnerships/{slug}/join"), &[]).await;
    assert_eq!(r.status(), 303, "{} asks to join", p.email);
    let r = app
        .post_form(
            &b.chair.c,
            &format!("/partnerships/{slug}"),
            &format!("/partnerships/{slug}/members/{}/approve", p.id),
            &[],
        )
        .await;
    assert_eq!(r.status(), 303, "{} approved", p.email);
}

/// Gives a community member the community co-chair seat.
async fn seat_community_chair(app: &TestApp, b: &Beat, id: i64) {
    let slug = &b.slug;
    let r = app
        .post_form(
            &b.chair.c,
            &format!("/partnerships/{slug}"),
            &format!("/partnerships/{slug}/seats"),
            &[("seat", "community_chair"), ("user_id", &id.to_string()), ("ends_on", "2099-12-31")],
        )
        .await;
    assert_eq!(r.status(), 303, "community co-chair seated");
}

// ---------------------------------------------------------------------------------------------------------------
// Time helpers (the test jurisdiction is in America/Chicago)
// ---------------------------------------------------------------------------------------------------------------

const TZ: &str = "America/Chicago";

fn zone() -> TimeZone {
    TimeZone::get(TZ).unwrap()
}

fn now_local() -> DateTime {
    jiff::Timestamp::now().to_zoned_datetime(zone()).datetime()
}

fn today() -> Date {
    now_local().date()
}

pub(crate) fn days_from_today(n: i64) -> String {
    today().checked_add(n.days()).unwrap().to_string()
}

/// `YYYY-MM-DDTHH:MM` as the meeting form wants it.
fn form_start(dt: DateTime) -> String {
    format!("{}T{:02}:{:02}", dt.date(), dt.hour(), dt.minute())
}

/// `YYYYMMDDTHHMM00` as iCalendar writes local times.
fn ics_local(dt: DateTime) -> String {
    format!("{:04}{:02}{:02}T{:02}{:02}00", dt.year(), dt.month(), dt.day(), dt.hour(), dt.minute())
}

/// A meeting under way now: it started up to 30 minutes ago (earlier near midnight, so that it still ends later
/// the same local day), so the sign-in window is open and attendance may be recorded.
fn running_now() -> (DateTime, String, String) {
    let now = now_local();
    let mut start = now.checked_sub(30.minutes()).unwrap();
    if start.hour() >= 22 {
        start = start.date().at(22, 0, 0, 0);
    }
    let start = start.date().at(start.hour(), start.minute(), 0, 0);
    let end = start.checked_add(90.minutes()).unwrap();
    (start, form_start(start), format!("{:02}:{:02}", end.hour(), end.minute()))
}

// ---------------------------------------------------------------------------------------------------------------
// HTTP helpers
// ---------------------------------------------------------------------------------------------------------------

async fn page(c: &reqwest::Client, url: String) -> (u16, String) {
    let r = c.get(url).send().await.unwrap();
    let s = r.status().as_u16();
    (s, r.text().await.unwrap())
}

async fn get_json(c: &reqwest::Client, url: String) -> Value {
    let r = c.get(&url).send().await.unwrap();
    assert_eq!(r.status(), 200, "GET {url}");
    r.json().await.unwrap()
}

fn meeting_fields<'a>(title: &'a str, starts: &'a str, ends: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("title", title),
        ("format", "in_person"),
        ("starts", starts),
        ("ends", ends),
        ("place", "Rec Center, 4300 W Fullerton"),
        ("online_url", ""),
        ("accessibility", "Step-free entrance"),
        ("interpretation", "Spanish"),
        ("agenda", ""),
    ]
}

/// Schedules a meeting through the form; returns the meeting's page path and id.
async fn schedule(app: &TestApp, b: &Beat, fields: &[(&str, &str)]) -> (String, i64) {
    let slug = &b.slug;
    let r = app
        .post_form(
            &b.chair.c,
            &format!("/partnerships/{slug}/meetings/new"),
            &format!("/partnerships/{slug}/meetings"),
            fields,
        )
        .await;
    let status = r.status();
    let loc = r.headers().get("location").map(|l| l.to_str().unwrap().to_string());
    assert_eq!(status, 303, "meeting scheduled: {}", r.text().await.unwrap_or_default());
    let path = loc.unwrap();
    let prefix = format!("/partnerships/{slug}/meetings/");
    assert!(path.starts_with(&prefix), "redirects to the meeting page, got {path}");
    let id = path[prefix.len()..].parse().unwrap();
    (path, id)
}

// ---------------------------------------------------------------------------------------------------------------
// E-mail helpers: the SMTP sink keeps raw messages; parts may be quoted-printable or base64.
// ---------------------------------------------------------------------------------------------------------------

/// Undoes SMTP dot-stuffing (the sink stores the DATA lines as received).
fn unstuff(mail: &str) -> String {
    mail.replace("\r\n..", "\r\n.")
}

/// A top-level header, unfolded.
fn header(mail: &str, name: &str) -> Option<String> {
    let head = mail.split("\r\n\r\n").next()?;
    let unfolded = head.replace("\r\n ", " ").replace("\r\n\t", " ");
    unfolded.split("\r\n").find_map(|l| {
        let (k, v) = l.split_once(':')?;
        k.trim().eq_ignore_ascii_case(name).then(|| v.trim().to_string())
    })
}

fn qp_decode(s: &str) -> String {
    let s = s.replace("=\r\n", "");
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'='
            && let Some(v) = s.get(i + 1..i + 3).and_then(|h| u8::from_str_radix(h, 16).ok())
        {
            out.push(v);
            i += 3;
            continue;
        }
        out.push(b[i]);
        i += 1;
    }
    String::from_utf8(out).expect("quoted-printable part is UTF-8")
}

fn b64_decode(s: &str) -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let (mut out, mut buf, mut bits) = (Vec::new(), 0u32, 0u32);
    for c in s.bytes() {
        let Some(v) = ALPHABET.iter().position(|&a| a == c) else { continue };
        buf = (buf << 6) | v as u32;
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((buf >> bits) as u8);
            buf &= (1 << bits) - 1;
        }
    }
    String::from_utf8(out).expect("base64 part is UTF-8")
}

/// The first MIME part whose type is `mime` (e.g. `text/calendar`): its Content-Type header and decoded body.
fn part(mail: &str, mime: &str) -> Option<(String, String)> {
    let mail = unstuff(mail);
    let lower = mail.to_ascii_lowercase();
    let at = lower.find(&format!("content-type: {mime}"))?;
    // The part's headers start at the line before the boundary; Content-Transfer-Encoding may come before or
    // after Content-Type.
    let head_start = mail[..at].rfind("\r\n--").map_or(at, |p| p + 2);
    let head_end = at + mail[at..].find("\r\n\r\n")?;
    let head = mail[head_start..head_end].replace("\r\n ", " ").replace("\r\n\t", " ");
    let body_start = head_end + 4;
    let body_end = body_start + mail[body_start..].find("\r\n--")?;
    let body = &mail[body_start..body_end];
    let field = |name: &str| {
        head.split("\r\n").find_map(|l| {
            let (k, v) = l.split_once(':')?;
            k.trim().eq_ignore_ascii_case(name).then(|| v.trim().to_string())
        })
    };
    let ctype = field("Content-Type").unwrap_or_default();
    let decoded = match field("Content-Transfer-Encoding").unwrap_or_default().to_ascii_lowercase().as_str() {
        "base64" => b64_decode(body),
        "quoted-printable" => qp_decode(body),
        _ => body.to_string(),
    };
    Some((ctype, decoded))
}

fn is_to(mail: &str, email: &str) -> bool {
    header(mail, "To").is_some_and(|t| t.contains(email))
}

/// Waits up to 10 s for an e-mail matching `f`.
async fn wait_mail(sink: &SmtpSink, what: &str, f: impl Fn(&str) -> bool) -> String {
    for _ in 0..200 {
        let msgs = sink.messages.lock().unwrap().clone();
        if let Some(m) = msgs.iter().find(|m| f(m)) {
            return m.clone();
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    let msgs = sink.messages.lock().unwrap().clone();
    let summary: Vec<String> =
        msgs.iter().map(|m| format!("{:?} {:?}", header(m, "To"), header(m, "Subject"))).collect();
    panic!("no e-mail {what} within 10 s; received: {summary:#?}");
}

/// The calendar part of an e-mail to `email` whose calendar matches `f`.
async fn wait_invitation(sink: &SmtpSink, email: &str, f: impl Fn(&str) -> bool) -> (String, String, String) {
    let mail = wait_mail(sink, &format!("with a calendar to {email}"), |m| {
        is_to(m, email) && part(m, "text/calendar").is_some_and(|(_, ics)| f(&ics))
    })
    .await;
    let (ctype, ics) = part(&mail, "text/calendar").unwrap();
    (mail, ctype, ics)
}

/// Outbox rows of this jurisdiction (newest first).
async fn outbox_rows(app: &TestApp) -> Vec<commonbeat_store::entities::outbox_message::Model> {
    outbox::list(&app.db, app.jid, 1000).await.unwrap()
}

// ---------------------------------------------------------------------------------------------------------------
// iCalendar helpers (parsed with the independent `ical` crate)
// ---------------------------------------------------------------------------------------------------------------

fn parse_ics(text: &str) -> IcalCalendar {
    let mut parser = ical::IcalParser::new(text.as_bytes());
    let cal = parser.next().expect("one VCALENDAR").unwrap_or_else(|e| panic!("iCalendar parses: {e}\n{text}"));
    assert!(parser.next().is_none(), "exactly one VCALENDAR");
    cal
}

fn prop<'a>(props: &'a [Property], name: &str) -> &'a Property {
    props.iter().find(|p| p.name == name).unwrap_or_else(|| panic!("missing {name} in {props:#?}"))
}

fn val<'a>(props: &'a [Property], name: &str) -> &'a str {
    prop(props, name).value.as_deref().unwrap_or_else(|| panic!("{name} has no value"))
}

fn param(p: &Property, key: &str) -> Vec<String> {
    p.params
        .as_ref()
        .and_then(|ps| ps.iter().find(|(k, _)| k.eq_ignore_ascii_case(key)))
        .map(|(_, v)| v.clone())
        .unwrap_or_default()
}

/// The only VEVENT of a calendar.
fn only_event(cal: &IcalCalendar) -> &[Property] {
    assert_eq!(cal.events.len(), 1, "one event");
    &cal.events[0].properties
}

async fn feed(url: String) -> IcalCalendar {
    let r = reqwest::Client::new().get(&url).send().await.unwrap();
    assert_eq!(r.status(), 200, "GET {url}");
    let ctype = r.headers()["content-type"].to_str().unwrap().to_string();
    assert!(ctype.starts_with("text/calendar"), "feed is text/calendar, got {ctype}");
    parse_ics(&r.text().await.unwrap())
}

// ---------------------------------------------------------------------------------------------------------------
// Tests
// ---------------------------------------------------------------------------------------------------------------

#[tokio::test]
async fn meeting_runs_from_invitation_to_attendance_to_minutes_whose_action_items_become_commitments() {
    let sink = SmtpSink::start().await;
    let smtp = sink.url();
    let app = TestApp::spawn_with(|c| c.smtp_url = Some(smtp)).await;
    let b = beat(&app, "e2e", "Beat 1411 Partnership", 1, 2).await;
    let slug = b.slug.clone();
    let (rosa, lee, officer) = (&b.community[0], &b.community[1], &b.police[0]);
    rename(&app, rosa.id, "Rosa Hernández").await;
    seat_community_chair(&app, &b, lee.id).await;

    // Schedule a meeting that is under way now.
    let (start, starts, ends) = running_now();
    let mut fields = meeting_fields("Spring beat meeting", &starts, &ends);
    fields.retain(|(k, _)| *k != "format" && *k != "online_url");
    fields.extend([("format", "hybrid"), ("online_url", "https://meet.example.org/beat1411")]);
    let (path, id) = schedule(&app, &b, &fields).await;

    // Rosa's invitation: multipart text + HTML + text/calendar (METHOD:REQUEST) with one-click unsubscribe.
    let (mail, ctype, ics) = wait_invitation(&sink, &rosa.email, |_| true).await;
    assert!(ctype.to_ascii_lowercase().contains("method=request"), "{ctype}");
    assert!(part(&mail, "text/plain").unwrap().1.contains("Spring beat meeting"), "text part names the meeting");
    let (_, html) = part(&mail, "text/html").expect("HTML part");
    assert!(html.contains("Spring beat meeting") && html.contains("<a href="), "{html}");
    let unsubscribe = header(&mail, "List-Unsubscribe").expect("List-Unsubscribe header");
    assert!(
        unsubscribe.starts_with(&format!("<{}/unsubscribe/", app.addr)) && unsubscribe.ends_with("/meetings>"),
        "{unsubscribe}"
    );
    assert_eq!(header(&mail, "List-Unsubscribe-Post").as_deref(), Some("List-Unsubscribe=One-Click"));
    let cal = parse_ics(&ics);
    assert_eq!(val(&cal.properties, "METHOD"), "REQUEST");
    assert_eq!(val(&cal.timezones[0].properties, "TZID"), TZ);
    let ev = only_event(&cal);
    assert!(val(ev, "SUMMARY").contains("Spring beat meeting"), "{}", val(ev, "SUMMARY"));
    assert_eq!(val(ev, "SEQUENCE"), "0");
    assert_eq!(param(prop(ev, "DTSTART"), "TZID"), vec![TZ.to_string()]);
    assert_eq!(val(ev, "DTSTART"), ics_local(start));
    assert_eq!(val(ev, "STATUS"), "CONFIRMED");
    assert!(val(ev, "LOCATION").contains("4300 W Fullerton"), "{}", val(ev, "LOCATION"));
    let uid = val(ev, "UID").to_string();
    assert!(!uid.is_empty());
    // Every active member is invited, each with their own unsubscribe key.
    for p in [&b.chair, officer, rosa, lee] {
        wait_invitation(&sink, &p.email, |ics| ics.contains(&uid)).await;
    }
    let invited: Vec<_> = outbox_rows(&app).await.into_iter().filter(|m| m.calendar.is_some()).collect();
    assert_eq!(invited.len(), 4, "one invitation per active member");
    assert!(invited.iter().all(|m| m.subject.starts_with("Meeting: Spring beat meeting")), "{invited:#?}");

    // The API shows the standard CAPS agenda (5 items) and the meeting's details.
    let m = get_json(&reqwest::Client::new(), app.url(&format!("/api/v1/partnerships/{slug}/meetings/{id}"))).await;
    assert_eq!(m["status"], "scheduled");
    assert_eq!(m["format"], "hybrid");
    assert_eq!(m["sequence"], 0);
    let keys: Vec<&str> = m["agenda"].as_array().unwrap().iter().map(|i| i["key"].as_str().unwrap()).collect();
    assert_eq!(keys, ["welcome", "progress", "conditions", "strategies", "next"]);
    let starts_utc = start.to_zoned_datetime(zone()).unwrap().timestamp();
    assert_eq!(m["starts_at"].as_str().unwrap().parse::<jiff::Timestamp>().unwrap(), starts_utc);

    // Replies.
    let rsvp = |p: &Person, response: &'static str| {
        let (c, path) = (p.c.clone(), path.clone());
        let app = &app;
        async move { app.post_form(&c, &path, &format!("{path}/rsvp"), &[("response", response)]).await }
    };
    let r = rsvp(rosa, "yes").await;
    assert_eq!(r.status(), 200);
    assert!(r.text().await.unwrap().contains("Your reply is saved."));
    assert_eq!(rsvp(officer, "maybe").await.status(), 200);
    assert_eq!(rsvp(lee, "no").await.status(), 200);
    assert_eq!(rsvp(lee, "yes").await.status(), 200, "a second reply replaces the first");
    assert_eq!(rsvp(rosa, "perhaps").await.status(), 422);
    let (_, html) = page(&rosa.c, app.url(&path)).await;
    assert!(html.contains("Yes 2 · Maybe 1 · No 0"), "reply counts");

    // Members sign in themselves (the window is open); signing in twice counts once.
    for p in [rosa, officer, rosa] {
        let r = app.post_form(&p.c, &path, &format!("{path}/sign-in"), &[]).await;
        assert_eq!(r.status(), 200);
        assert!(r.text().await.unwrap().contains("You are signed in."));
    }
    // The co-chair's form lists every member, ticked when signed in: a mistaken tick is corrected by unticking.
    let (lee_id, rosa_id, officer_id) = (lee.id.to_string(), rosa.id.to_string(), officer.id.to_string());
    let r = app.post_form(&b.chair.c, &path, &format!("{path}/attendance"), &[("present", rosa_id.as_str())]).await;
    assert_eq!(r.status(), 200);
    let m = get_json(&reqwest::Client::new(), app.url(&format!("/api/v1/partnerships/{slug}/meetings/{id}"))).await;
    assert_eq!((m["attendance_police"].as_u64(), m["attendance_community"].as_u64()), (Some(0), Some(1)));
    // The co-chair records Lee as present too, walk-ins by side and the recording.
    let r = app
        .post_form(
            &b.chair.c,
            &path,
            &format!("{path}/attendance"),
            &[
                ("present", rosa_id.as_str()),
                ("present", officer_id.as_str()),
                ("present", lee_id.as_str()),
                ("walk_ins_police", "2"),
                ("walk_ins_community", "5"),
                ("recording_url", "https://video.example.org/beat1411/1"),
            ],
        )
        .await;
    assert_eq!(r.status(), 200);
    assert!(r.text().await.unwrap().contains("Attendance is saved and the meeting is marked as held."));
    let bad = app.post_form(&b.chair.c, &path, &format!("{path}/attendance"), &[("walk_ins_police", "-1")]).await;
    assert!(bad.text().await.unwrap().contains("Walk-ins must be whole numbers from 0 to 5000."));
    // Police: officer + 2 walk-ins = 3; community: Rosa + Lee + 5 walk-ins = 7.
    let m = get_json(&reqwest::Client::new(), app.url(&format!("/api/v1/partnerships/{slug}/meetings/{id}"))).await;
    assert_eq!((m["attendance_police"].as_u64(), m["attendance_community"].as_u64()), (Some(3), Some(7)));
    assert_eq!(m["status"], "held");
    assert_eq!(m["recording_url"], "https://video.example.org/beat1411/1");
    let list = get_json(&reqwest::Client::new(), app.url(&format!("/api/v1/partnerships/{slug}/meetings"))).await;
    assert_eq!(list.as_array().unwrap().len(), 1);
    assert_eq!(list[0]["attendance_community"], 7);
    let (_, html) = page(&reqwest::Client::new(), app.url(&format!("/partnerships/{slug}/meetings"))).await;
    assert!(html.contains("<td>3</td><td>7</td><td>10</td><td>70 %</td>"), "attendance row on the public list");
    assert!(!html.contains("No police attended") && !html.contains("Residents were under half"));

    // Minutes with a bad action item: approval is refused, naming the line.
    let due1 = days_from_today(20);
    let due2 = days_from_today(25);
    let bad_minutes = format!(
        "Good turnout.\n- [ ] Fix the alley light — @Rosa Hernández, due {due1}\n- [ ] Trim the trees — org: Streets and Sanitation\n"
    );
    let r = app
        .post_form(&b.chair.c, &path, &format!("{path}/minutes"), &[("minutes", &bad_minutes), ("public", "on")])
        .await;
    assert!(r.text().await.unwrap().contains("Draft saved."));
    let r = app.post_form(&b.chair.c, &path, &format!("{path}/minutes/approve"), &[]).await;
    let html = r.text().await.unwrap();
    assert!(html.contains("Line 3: the action item has no due date"), "the bad line is named");
    assert!(!html.contains("Your approval is recorded"));
    assert_eq!(commonbeat_store::repo::meetings::approvals(&app.db, id).await.unwrap().len(), 0, "not recorded");

    // Good minutes: only co-chairs approve; both seated sides must approve the same text.
    let minutes = format!(
        "Good turnout.\n- [ ] Fix the alley light — @Rosa Hernández, due {due1}\n- [ ] Clear the vacant lot — org: Streets and Sanitation, due {due2}\n"
    );
    let save = |text: String| {
        let (c, path) = (b.chair.c.clone(), path.clone());
        let app = &app;
        async move {
            app.post_form(&c, &path, &format!("{path}/minutes"), &[("minutes", text.as_str()), ("public", "on")]).await
        }
    };
    assert_eq!(save(minutes.clone()).await.status(), 200);
    let approve = |p: &Person| {
        let (c, path) = (p.c.clone(), path.clone());
        let app = &app;
        async move { app.post_form(&c, &path, &format!("{path}/minutes/approve"), &[]).await }
    };
    assert_eq!(approve(rosa).await.status(), 403, "a plain member does not approve minutes");
    let html = approve(&b.chair).await.text().await.unwrap();
    assert!(html.contains("Your approval is recorded."), "police side approved, community side still to approve");
    assert!(html.contains("Approved so far by: Police"));
    // Changing the text withdraws the approval: the community co-chair's approval alone is not enough.
    assert_eq!(save(format!("{minutes}\nThanks to the park district.")).await.status(), 200);
    let html = approve(lee).await.text().await.unwrap();
    assert!(html.contains("Your approval is recorded."), "police approval was withdrawn by the edit");
    let api = format!("/api/v1/partnerships/{slug}/commitments");
    assert_eq!(get_json(&b.chair.c, app.url(&api)).await["commitments"].as_array().unwrap().len(), 0);
    let html = approve(&b.chair).await.text().await.unwrap();
    assert!(html.contains("The minutes are approved. 2 action items became commitments."), "{html}");
    // Approving again creates nothing more.
    let html = approve(lee).await.text().await.unwrap();
    assert!(html.contains("There is no draft to approve."));
    let list = get_json(&reqwest::Client::new(), app.url(&api)).await;
    let cs = list["commitments"].as_array().unwrap();
    assert_eq!(cs.len(), 2, "{list:#}");
    let light = cs.iter().find(|c| c["title"] == "Fix the alley light").expect("member action item");
    assert_eq!(light["owner_side"], "community");
    assert_eq!(light["owner_org"], "");
    assert_eq!(light["due_on"], due1.as_str());
    assert_eq!(light["meeting_id"], id);
    assert_eq!(light["status"], "open");
    assert_eq!(light["outcome"], "open");
    let lot = cs.iter().find(|c| c["title"] == "Clear the vacant lot").expect("organisation action item");
    assert!(lot["owner_side"].is_null());
    assert_eq!(lot["owner_org"], "Streets and Sanitation");
    assert_eq!(lot["due_on"], due2.as_str());
    let stored =
        commonbeat_store::repo::commitments::by_id(&app.db, app.jid, light["id"].as_i64().unwrap()).await.unwrap();
    assert_eq!(stored.owner_user_id, Some(rosa.id));
    // Rosa is told she owns a commitment.
    assert!(
        outbox_rows(&app)
            .await
            .iter()
            .any(|m| m.to_addr == rosa.email && m.subject == "You made a commitment: Fix the alley light"),
        "owner notified"
    );
    // Public, approved minutes are readable by anyone, with the commitments they produced.
    let (_, html) = page(&reqwest::Client::new(), app.url(&path)).await;
    assert!(html.contains("Thanks to the park district.") && html.contains("Approved"));
    assert!(html.contains(&format!("/partnerships/{slug}/commitments/{}", light["id"])));
    // Approved minutes cannot be changed any more.
    let html = save("Rewritten".into()).await.text().await.unwrap();
    assert!(html.contains("Approved minutes cannot be changed."));
}

#[tokio::test]
async fn changes_bump_the_sequence_and_cancelling_sends_a_cancellation() {
    let sink = SmtpSink::start().await;
    let smtp = sink.url();
    let app = TestApp::spawn_with(|c| c.smtp_url = Some(smtp)).await;
    let b = beat(&app, "seq", "Sequence Partnership", 0, 1).await;
    let slug = b.slug.clone();
    let ana = &b.community[0];
    let (path, id) = schedule(&app, &b, &meeting_fields("Summer safety meeting", "2030-06-15T18:30", "20:00")).await;
    let feed_url = app.url(&format!("/partnerships/{slug}/calendar.ics"));

    // The public feed (METHOD:PUBLISH) has the meeting at SEQUENCE 0, in Chicago time.
    let cal = feed(feed_url.clone()).await;
    assert_eq!(val(&cal.properties, "METHOD"), "PUBLISH");
    let ev = only_event(&cal);
    let uid = val(ev, "UID").to_string();
    assert_eq!(val(ev, "SEQUENCE"), "0");
    assert_eq!(val(ev, "DTSTART"), "20300615T183000");
    assert_eq!(val(ev, "DTEND"), "20300615T200000");
    assert_eq!(param(prop(ev, "DTSTART"), "TZID"), vec![TZ.to_string()]);
    wait_invitation(&sink, &ana.email, |ics| ics.contains("SEQUENCE:0")).await;

    // Not yet: no sign-in, no attendance for a meeting years away.
    let r = app.post_form(&ana.c, &path, &format!("{path}/sign-in"), &[]).await;
    assert!(r.text().await.unwrap().contains("Signing in opens two hours before the meeting"));
    let r = app.post_form(&b.chair.c, &path, &format!("{path}/attendance"), &[("walk_ins_police", "1")]).await;
    assert!(r.text().await.unwrap().contains("Attendance can be recorded once the meeting has started."));
    assert_eq!(
        get_json(&ana.c, app.url(&format!("/api/v1/partnerships/{slug}/meetings/{id}"))).await["status"],
        "scheduled"
    );

    // The edit form shows the stored local times; a bad change is refused and changes nothing.
    let (status, html) = page(&b.chair.c, app.url(&format!("{path}/edit"))).await;
    assert_eq!(status, 200);
    assert!(html.contains("2030-06-15T18:30") && html.contains("20:00"), "local times in the form");
    let r = app
        .post_form(
            &b.chair.c,
            &format!("{path}/edit"),
            &format!("{path}/edit"),
            &meeting_fields("Summer safety meeting", "2030-06-16T19:00", "18:00"),
        )
        .await;
    assert_eq!(r.status(), 422);
    assert_eq!(val(only_event(&feed(feed_url.clone()).await), "SEQUENCE"), "0");

    // A real change: SEQUENCE 1 in the feed and in a new invitation, same UID.
    let r = app
        .post_form(
            &b.chair.c,
            &format!("{path}/edit"),
            &format!("{path}/edit"),
            &meeting_fields("Summer safety meeting (new date)", "2030-06-16T19:00", "20:30"),
        )
        .await;
    assert_eq!(r.status(), 303);
    assert_eq!(r.headers()["location"], path.as_str());
    let cal = feed(feed_url.clone()).await;
    let ev = only_event(&cal);
    assert_eq!(val(ev, "UID"), uid);
    assert_eq!(val(ev, "SEQUENCE"), "1");
    assert_eq!(val(ev, "DTSTART"), "20300616T190000");
    assert!(val(ev, "SUMMARY").contains("Summer safety meeting (new date)"));
    let (_, _, ics) = wait_invitation(&sink, &ana.email, |ics| ics.contains("SEQUENCE:1")).await;
    let ev = parse_ics(&ics);
    assert_eq!(val(&ev.properties, "METHOD"), "REQUEST");
    assert_eq!(val(only_event(&ev), "UID"), uid);
    assert_eq!(val(only_event(&ev), "DTSTART"), "20300616T190000");
    assert!(outbox_rows(&app).await.iter().any(|m| m.to_addr == ana.email && m.subject.starts_with("Changed: ")));

    // Cancelling needs a reason.
    let r = app.post_form(&b.chair.c, &path, &format!("{path}/cancel"), &[("reason", "  ")]).await;
    assert!(r.text().await.unwrap().contains("Give a reason"));
    assert_eq!(val(only_event(&feed(feed_url.clone()).await), "STATUS"), "CONFIRMED");
    let r = app.post_form(&b.chair.c, &path, &format!("{path}/cancel"), &[("reason", "The hall is flooded")]).await;
    assert_eq!(r.status(), 303);
    let cal = feed(feed_url.clone()).await;
    let ev = only_event(&cal);
    assert_eq!(val(ev, "UID"), uid);
    assert_eq!(val(ev, "STATUS"), "CANCELLED");
    assert_eq!(val(ev, "SEQUENCE"), "2");
    let (_, html) = page(&reqwest::Client::new(), app.url(&path)).await;
    assert!(html.contains("Cancelled") && html.contains("The hall is flooded"));
    // A cancelled meeting cannot be changed or cancelled again.
    let r = app
        .post_form(
            &b.chair.c,
            &path,
            &format!("{path}/edit"),
            &meeting_fields("Summer safety meeting", "2030-06-17T19:00", "20:30"),
        )
        .await;
    assert!(r.text().await.unwrap().contains("A cancelled meeting cannot be changed."));
    assert_eq!(val(only_event(&feed(feed_url.clone()).await), "SEQUENCE"), "2");

    // Members get a METHOD:CANCEL message for the same UID, with the reason.
    let (mail, ctype, ics) = wait_invitation(&sink, &ana.email, |ics| ics.contains("METHOD:CANCEL")).await;
    let cal = parse_ics(&ics);
    assert_eq!(val(&cal.properties, "METHOD"), "CANCEL");
    let ev = only_event(&cal);
    assert_eq!(val(ev, "UID"), uid);
    assert_eq!(val(ev, "STATUS"), "CANCELLED");
    assert_eq!(val(ev, "SEQUENCE"), "2");
    assert!(part(&mail, "text/plain").unwrap().1.contains("The hall is flooded"));
    assert!(outbox_rows(&app).await.iter().any(|m| m.to_addr == ana.email && m.subject.starts_with("Cancelled: ")));
    // RFC 6047 §2.4: the Content-Type "method" parameter must match the METHOD property of the iCalendar body.
    assert!(
        ctype.to_ascii_lowercase().contains("method=cancel"),
        "the cancellation's text/calendar part is labelled `{ctype}` although its body is METHOD:CANCEL"
    );
}

#[tokio::test]
async fn bad_meeting_input_is_refused_with_422_naming_the_problem() {
    let app = TestApp::spawn().await;
    let b = beat(&app, "bad", "Input Partnership", 0, 1).await;
    let slug = b.slug.clone();
    let post = |fields: Vec<(&'static str, &'static str)>| {
        let c = b.chair.c.clone();
        let slug = slug.clone();
        let app = &app;
        async move {
            let r = app
                .post_form(
                    &c,
                    &format!("/partnerships/{slug}/meetings/new"),
                    &format!("/partnerships/{slug}/meetings"),
                    &fields,
                )
                .await;
            (r.status().as_u16(), r.text().await.unwrap())
        }
    };
    let with = |k: &'static str, v: &'static str| {
        let mut f = meeting_fields("Autumn meeting", "2030-09-10T18:00", "19:30");
        f.retain(|(key, _)| *key != k);
        f.push((k, v));
        f
    };
    let cases: [(Vec<(&str, &str)>, &str); 8] = [
        (with("ends", "17:00"), "The end time must be after the start, on the same day."),
        (with("ends", "18:00"), "The end time must be after the start, on the same day."),
        (with("place", ""), "An in-person or hybrid meeting needs a place."),
        (with("format", "online"), "An online or hybrid meeting needs a link."),
        (with("title", "Hi"), "Give the meeting a title of 3 to 200 characters."),
        (with("starts", "next Tuesday"), "Give the start as a date and time."),
        (with("format", "carrier pigeon"), "Choose in person, online or hybrid."),
        (with("agenda", "Welcome | ten"), "Agenda item 1: “ten” is not a number of minutes."),
    ];
    for (fields, message) in cases {
        let (status, html) = post(fields.clone()).await;
        assert_eq!(status, 422, "{fields:?}");
        assert!(html.contains(message), "{fields:?} → page should say {message:?}");
    }
    let mut online = with("format", "online");
    online.retain(|(k, _)| *k != "online_url");
    online.push(("online_url", "javascript:alert(1)"));
    let (status, html) = post(online).await;
    assert_eq!(status, 422);
    assert!(html.contains("Links must start with https:// or http://."));
    // Nothing was scheduled.
    let list = get_json(&reqwest::Client::new(), app.url(&format!("/api/v1/partnerships/{slug}/meetings"))).await;
    assert_eq!(list, json!([]));

    // The API refuses with JSON naming the field, and accepts a custom agenda.
    let (token, _) = tokens::create_api_token(&app.db, app.jid, b.chair.id, "t").await.unwrap();
    let api = app.url(&format!("/api/v1/partnerships/{slug}/meetings"));
    let r = reqwest::Client::new()
        .post(&api)
        .bearer_auth(&token)
        .json(&json!({"title": "Autumn meeting", "format": "in_person", "starts": "2030-09-10T18:00", "ends": "17:00", "place": "Library"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    let e: Value = r.json().await.unwrap();
    assert_eq!(e["field"], "ends", "{e}");
    let r = reqwest::Client::new()
        .post(&api)
        .bearer_auth(&token)
        .json(&json!({
            "title": "Autumn meeting", "format": "online", "starts": "2030-09-10T18:00", "ends": "19:00",
            "online_url": "https://meet.example.org/autumn",
            "agenda": "Welcome and introductions | 5\nBike patrol report | 20 | Sgt. Ruiz\nQuestions"
        }))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
    let m: Value = r.json().await.unwrap();
    let agenda: Vec<(String, u64, String)> = m["agenda"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| {
            (i["key"].as_str().unwrap().into(), i["minutes"].as_u64().unwrap(), i["notes"].as_str().unwrap().into())
        })
        .collect();
    assert_eq!(
        agenda,
        [
            ("welcome".to_string(), 5, String::new()),
            ("item-2".to_string(), 20, "Sgt. Ruiz".to_string()),
            ("item-3".to_string(), 10, String::new()),
        ]
    );
    // 18:00 in Chicago in September is 23:00 UTC (CDT, UTC-5).
    assert_eq!(m["starts_at"], "2030-09-10T23:00:00Z");
    assert_eq!(m["ends_at"], "2030-09-11T00:00:00Z");
}

#[tokio::test]
async fn commitments_track_progress_drops_with_reasons_and_the_kept_rate_per_side() {
    let app = TestApp::spawn().await;
    let b = beat(&app, "com", "Promise Partnership", 0, 2).await;
    let slug = b.slug.clone();
    let (ana, ben) = (&b.community[0], &b.community[1]);
    rename(&app, b.chair.id, "Sgt Maria Ortiz").await;
    rename(&app, ana.id, "Ana Quintero").await;
    let list_path = format!("/partnerships/{slug}/commitments");
    let create = |fields: Vec<(&'static str, String)>| {
        let (c, list_path) = (b.chair.c.clone(), list_path.clone());
        let app = &app;
        async move {
            let fields: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
            app.post_form(&c, &list_path, &list_path, &fields).await
        }
    };
    let id_of = |r: &reqwest::Response| -> i64 {
        assert_eq!(r.status(), 303, "commitment recorded");
        r.headers()["location"].to_str().unwrap().rsplit('/').next().unwrap().parse().unwrap()
    };
    let chair_id = b.chair.id.to_string();
    // Police side: one to be kept, one to be dropped. Community side: one left open past its due date.
    let (due_a, due_b, due_c) = (days_from_today(-10), days_from_today(-5), days_from_today(-3));
    let a = id_of(
        &create(vec![
            ("title", "Fix the alley light".into()),
            ("owner_user_id", chair_id.clone()),
            ("due_on", due_a.clone()),
        ])
        .await,
    );
    let d_b = id_of(
        &create(vec![("title", "Report on patrols".into()), ("owner_user_id", chair_id.clone()), ("due_on", due_b)])
            .await,
    );
    let c = id_of(
        &create(vec![
            ("title", "Organise a block club".into()),
            ("owner_user_id", ana.id.to_string()),
            ("due_on", due_c),
        ])
        .await,
    );
    let d = id_of(
        &create(vec![
            ("title", "Repave the lot".into()),
            ("owner_org", "Streets and Sanitation".into()),
            ("due_on", days_from_today(20)),
            ("private", "on".into()),
        ])
        .await,
    );
    // Refusals name the problem.
    let r = create(vec![("title", "Nobody owns this".into()), ("due_on", days_from_today(5))]).await;
    assert_eq!(r.status(), 422);
    assert!(r.text().await.unwrap().contains("Choose an active member or name an organisation."));
    let r = create(vec![("title", "Bad date".into()), ("owner_org", "Parks".into()), ("due_on", "soon".into())]).await;
    assert_eq!(r.status(), 422);
    assert!(r.text().await.unwrap().contains("Give the due date as YYYY-MM-DD."));
    let outsider = person(&app, "com-outsider@example.org", Role::Community).await;
    let r = create(vec![
        ("title", "Owned by an outsider".into()),
        ("owner_user_id", outsider.id.to_string()),
        ("due_on", days_from_today(5)),
    ])
    .await;
    assert_eq!(r.status(), 422, "owners must be active members");

    // Progress, then done.
    let progress = |p: &Person, id: i64, fields: Vec<(&'static str, &'static str)>| {
        let c = p.c.clone();
        let path = format!("/partnerships/{slug}/commitments/{id}");
        let app = &app;
        async move {
            let r = app.post_form(&c, &path, &format!("{path}/progress"), &fields).await;
            (r.status().as_u16(), r.text().await.unwrap())
        }
    };
    let (s, html) = progress(
        &b.chair,
        a,
        vec![
            ("body", "Ticket filed with the city"),
            ("evidence_url", "https://311.example.org/t/1"),
            ("status", "in_progress"),
        ],
    )
    .await;
    assert_eq!(s, 200);
    assert!(html.contains("Progress saved.") && html.contains("Ticket filed with the city"));
    let (_, html) = progress(&b.chair, a, vec![("body", "x"), ("evidence_url", "javascript:alert(1)")]).await;
    assert!(html.contains("Links must start with https:// or http://."));
    let (_, html) = progress(&b.chair, a, vec![("body", "Light works again"), ("status", "done")]).await;
    assert!(html.contains("Progress saved."));
    // Dropping needs a reason.
    let (_, html) = progress(&b.chair, d_b, vec![("body", "Not doing it"), ("status", "dropped")]).await;
    assert!(html.contains("Dropping a commitment needs a reason"), "drop without a reason refused");
    let stored = commonbeat_store::repo::commitments::by_id(&app.db, app.jid, d_b).await.unwrap();
    assert_eq!(stored.status, "open");
    let (_, html) = progress(
        &b.chair,
        d_b,
        vec![("body", "Superseded"), ("status", "dropped"), ("reason", "The district stopped the patrols")],
    )
    .await;
    assert!(html.contains("Progress saved."));
    let (_, html) = progress(&b.chair, d_b, vec![("status", "done")]).await;
    assert!(html.contains("That status change is not possible."), "dropped → done is not a transition");
    // Only the owner and co-chairs report progress.
    assert_eq!(progress(ben, c, vec![("body", "I did it")]).await.0, 403);
    assert_eq!(progress(ana, a, vec![("body", "I did it")]).await.0, 403);

    // A was done on its due date (simulating the past: it was done today, ten days late).
    let stored = commonbeat_store::repo::commitments::by_id(&app.db, app.jid, a).await.unwrap();
    assert_eq!(stored.status, "done");
    assert_eq!(stored.completed_on.as_deref(), Some(today().to_string().as_str()));
    let api = app.url(&format!("/api/v1/partnerships/{slug}/commitments"));
    let anon = get_json(&reqwest::Client::new(), api.clone()).await;
    let outcome = |v: &Value, id: i64| {
        v["commitments"].as_array().unwrap().iter().find(|c| c["id"] == id).map(|c| c["outcome"].clone())
    };
    assert_eq!(outcome(&anon, a), Some(json!("kept_late")));
    app.sql(&format!("UPDATE commitments SET completed_on = '{due_a}' WHERE id = {a}")).await;

    // Rates: police 1 kept on time of 2 due (one dropped); community 0 of 1 (still open, overdue).
    let anon = get_json(&reqwest::Client::new(), api.clone()).await;
    assert_eq!(anon["window_days"], 365);
    let rate =
        |v: &Value, side: &str| v["rates"].as_array().unwrap().iter().find(|r| r["side"] == side).unwrap().clone();
    let police = rate(&anon, "police");
    assert_eq!(
        (&police["due"], &police["kept_on_time"], &police["kept_late"], &police["dropped"], &police["still_open"]),
        (&json!(2), &json!(1), &json!(0), &json!(1), &json!(0))
    );
    assert_eq!(police["rate"], 0.5);
    // 95 % Wilson interval for 1 of 2: 0.0945 – 0.9055.
    assert!((police["low"].as_f64().unwrap() - 0.094_53).abs() < 1e-3, "{police}");
    assert!((police["high"].as_f64().unwrap() - 0.905_47).abs() < 1e-3, "{police}");
    let community = rate(&anon, "community");
    assert_eq!((&community["due"], &community["still_open"], &community["rate"]), (&json!(1), &json!(1), &json!(0.0)));
    assert_eq!(rate(&anon, "all")["due"], 3);
    assert_eq!(outcome(&anon, a), Some(json!("kept")));
    assert_eq!(outcome(&anon, d_b), Some(json!("dropped")));
    assert_eq!(outcome(&anon, c), Some(json!("overdue")));
    let dropped = anon["commitments"].as_array().unwrap().iter().find(|x| x["id"] == d_b).unwrap();
    assert_eq!(dropped["drop_reason"], "The district stopped the patrols");
    // The private commitment is for members only.
    assert_eq!(outcome(&anon, d), None, "private commitment hidden from the public API");
    assert_eq!(outcome(&get_json(&ana.c, api.clone()).await, d), Some(json!("open")), "members see it");

    // The public page: overdue flagged, private one absent, owners shown by side only.
    let (_, html) = page(&reqwest::Client::new(), app.url(&list_path)).await;
    assert!(html.contains("Organise a block club") && html.contains("cb-outcome-overdue"));
    assert!(html.contains("cb-outcome-kept\"") && html.contains("cb-outcome-dropped"));
    assert!(html.contains("50 %"), "police rate shown");
    assert!(!html.contains("Repave the lot"), "private commitment not on the public page");
    assert!(!html.contains("Ana Quintero") && !html.contains("Sgt Maria Ortiz"), "no names for the public");
    let (_, html) = page(&ana.c, app.url(&list_path)).await;
    assert!(html.contains("Repave the lot") && html.contains("Ana Quintero"), "members see names and private ones");
    assert_eq!(page(&reqwest::Client::new(), app.url(&format!("{list_path}/{d}"))).await.0, 404);
    assert_eq!(page(&ana.c, app.url(&format!("{list_path}/{d}"))).await.0, 200);
    let (s, html) = page(&reqwest::Client::new(), app.url(&format!("{list_path}/{a}"))).await;
    assert_eq!(s, 200);
    assert!(html.contains("Ticket filed with the city") && html.contains("https://311.example.org/t/1"));

    // The API: the owner reports progress with a token; members cannot record commitments.
    let (ana_token, _) = tokens::create_api_token(&app.db, app.jid, ana.id, "ana").await.unwrap();
    let r = reqwest::Client::new()
        .post(app.url(&format!("/api/v1/partnerships/{slug}/commitments/{c}/progress")))
        .bearer_auth(&ana_token)
        .json(&json!({"body": "First meeting held", "status": "done"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let out: Value = r.json().await.unwrap();
    assert_eq!((&out["status"], &out["outcome"]), (&json!("done"), &json!("kept_late")));
    let r = reqwest::Client::new()
        .post(app.url(&format!("/api/v1/partnerships/{slug}/commitments/{a}/progress")))
        .bearer_auth(&ana_token)
        .json(&json!({"status": "in_progress"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403, "not her commitment");
    let r = reqwest::Client::new()
        .post(api.clone())
        .bearer_auth(&ana_token)
        .json(&json!({"title": "Self-made", "owner_org": "Parks", "due_on": days_from_today(3)}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    let (chair_token, _) = tokens::create_api_token(&app.db, app.jid, b.chair.id, "chair").await.unwrap();
    let r = reqwest::Client::new()
        .post(api.clone())
        .bearer_auth(&chair_token)
        .json(&json!({"title": "Paint the crosswalk", "owner_org": "CDOT", "due_on": days_from_today(3)}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
    let out: Value = r.json().await.unwrap();
    assert_eq!(
        (&out["owner_org"], &out["outcome"], &out["created_on"]),
        (&json!("CDOT"), &json!("open"), &json!(today().to_string()))
    );
    let r = reqwest::Client::new()
        .post(app.url(&format!("/api/v1/partnerships/{slug}/commitments/{d_b}/progress")))
        .bearer_auth(&chair_token)
        .json(&json!({"status": "open"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200, "a dropped commitment may be reopened");
    let r = reqwest::Client::new()
        .post(app.url(&format!("/api/v1/partnerships/{slug}/commitments/{d_b}/progress")))
        .bearer_auth(&chair_token)
        .json(&json!({"status": "dropped"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422, "dropping through the API needs a reason too");
    let community = rate(&get_json(&reqwest::Client::new(), api.clone()).await, "community");
    assert_eq!((&community["kept_late"], &community["rate"]), (&json!(1), &json!(0.0)), "late is not kept");
}

#[tokio::test]
async fn preferences_decide_who_is_mailed_and_one_click_unsubscribe_needs_no_session() {
    let sink = SmtpSink::start().await;
    let smtp = sink.url();
    let app = TestApp::spawn_with(|c| c.smtp_url = Some(smtp)).await;
    let b = beat(&app, "pref", "Preference Partnership", 0, 3).await;
    let (off, digest, now) = (&b.community[0], &b.community[1], &b.community[2]);
    let prefs = "/account/notifications";
    let checked =
        |cat: &str, mode: &str| format!("id=\"{cat}-{mode}\" type=\"radio\" name=\"{cat}\" value=\"{mode}\" checked");

    let (_, html) = page(&off.c, app.url(prefs)).await;
    assert!(html.contains(&checked("meetings", "immediate")), "immediate by default");
    let r = app.post_form(&off.c, prefs, prefs, &[("meetings", "off")]).await;
    assert_eq!(r.status(), 200);
    let html = r.text().await.unwrap();
    assert!(html.contains("Your choices are saved.") && html.contains(&checked("meetings", "off")));
    assert!(html.contains(&checked("decisions", "immediate")), "other categories untouched");
    let r = app.post_form(&digest.c, prefs, prefs, &[("meetings", "digest")]).await;
    assert_eq!(r.status(), 200);
    assert_eq!(app.post_form(&digest.c, prefs, prefs, &[("meetings", "sometimes")]).await.status(), 422);
    assert!(page(&digest.c, app.url(prefs)).await.1.contains(&checked("meetings", "digest")));
    let r = app.client().get(app.url(prefs)).send().await.unwrap();
    assert_eq!(r.status(), 303, "preferences need a session");
    assert!(r.headers()["location"].to_str().unwrap().starts_with("/login"));

    let (path, _) = schedule(&app, &b, &meeting_fields("Winter meeting", "2030-01-20T18:00", "19:30")).await;
    let (mail, _, _) = wait_invitation(&sink, &now.email, |_| true).await;
    wait_invitation(&sink, &b.chair.email, |_| true).await;
    // "off" gets nothing; "digest" gets no invitation now, but an item for the 07:00 digest.
    let rows = outbox_rows(&app).await;
    let about = |m: &&commonbeat_store::entities::outbox_message::Model, email: &str| {
        m.to_addr == email && (m.calendar.is_some() || m.subject.contains("Winter meeting"))
    };
    assert!(!rows.iter().any(|m| about(&m, &off.email)), "meetings=off: no e-mail at all");
    assert!(!rows.iter().any(|m| about(&m, &digest.email)), "meetings=digest: nothing sent immediately");
    assert_eq!(rows.iter().filter(|m| m.calendar.is_some()).count(), 2, "chair and the immediate member");
    let items = digest_item::Entity::find().all(&app.db.conn).await.unwrap();
    assert_eq!(items.len(), 1, "{items:#?}");
    assert_eq!((items[0].user_id, items[0].category.as_str()), (digest.id, "meetings"));
    assert!(items[0].subject.starts_with("Meeting: Winter meeting"), "{}", items[0].subject);
    assert!(items[0].sent_at.is_none());
    let jobs = job::Entity::find().filter(job::Column::Kind.eq("notify.digest")).all(&app.db.conn).await.unwrap();
    assert_eq!(jobs.len(), 1);
    assert_eq!(jobs[0].payload, digest.id.to_string());
    let at = jiff::Timestamp::from_second(jobs[0].run_at).unwrap();
    let local = at.to_zoned_datetime(zone());
    assert_eq!((local.hour(), local.minute()), (7, 0), "digest at 07:00 Chicago time");
    let ahead = jobs[0].run_at - jiff::Timestamp::now().as_second();
    assert!(ahead > 0 && ahead <= 86_400, "the next 07:00: {ahead} s ahead");
    let sent = sink.messages.lock().unwrap().clone();
    assert!(!sent.iter().any(|m| (is_to(m, &off.email) || is_to(m, &digest.email)) && m.contains("text/calendar")));

    // One-click unsubscribe (RFC 8058): a POST from a mail program, no cookies, no CSRF token.
    let url = header(&mail, "List-Unsubscribe").unwrap().trim_matches(['<', '>']).to_string();
    assert!(url.starts_with(&app.url("/unsubscribe/")) && url.ends_with("/meetings"), "{url}");
    let (s, html) = page(&reqwest::Client::new(), url.clone()).await;
    assert_eq!(s, 200);
    assert!(html.contains("Stop e-mails about:"), "the link opens a confirmation page");
    assert!(page(&now.c, app.url(prefs)).await.1.contains(&checked("meetings", "immediate")), "GET changes nothing");
    let one_click = |url: String| async move {
        reqwest::Client::new()
            .post(url)
            .header("content-type", "application/x-www-form-urlencoded")
            .body("List-Unsubscribe=One-Click")
            .send()
            .await
            .unwrap()
    };
    let r = one_click(url.clone()).await;
    assert_eq!(r.status(), 200);
    assert!(r.text().await.unwrap().contains("You will no longer get these e-mails."));
    let (_, html) = page(&now.c, app.url(prefs)).await;
    assert!(html.contains(&checked("meetings", "off")), "unsubscribed from meetings");
    assert!(html.contains(&checked("decisions", "immediate")), "only that category");
    // Unknown keys and categories are 404.
    let key = url.trim_start_matches(&app.url("/unsubscribe/")).split('/').next().unwrap().to_string();
    assert_eq!(one_click(app.url("/unsubscribe/not-a-real-key/meetings")).await.status(), 404);
    assert_eq!(one_click(app.url(&format!("/unsubscribe/{key}/everything"))).await.status(), 404);

    // Cancelling now reaches only the chair.
    let before = outbox_rows(&app).await.len();
    let r = app.post_form(&b.chair.c, &path, &format!("{path}/cancel"), &[("reason", "Snow storm")]).await;
    assert_eq!(r.status(), 303);
    let rows = outbox_rows(&app).await;
    let new: Vec<&str> = rows[..rows.len() - before]
        .iter()
        .filter(|m| m.subject.starts_with("Cancelled: Winter meeting"))
        .map(|m| m.to_addr.as_str())
        .collect();
    assert_eq!(new, [b.chair.email.as_str()], "only the chair still gets meeting e-mails immediately");
    let items = digest_item::Entity::find().order_by_asc(digest_item::Column::Id).all(&app.db.conn).await.unwrap();
    assert_eq!(items.len(), 2, "the cancellation joins the waiting digest");
    assert_eq!((items[1].user_id, items[1].category.as_str()), (digest.id, "meetings"));
    assert!(items[1].subject.starts_with("Cancelled: Winter meeting"), "{}", items[1].subject);
    let jobs = job::Entity::find()
        .filter(job::Column::Kind.eq("notify.digest"))
        .filter(job::Column::DoneAt.is_null())
        .all(&app.db.conn)
        .await
        .unwrap();
    assert_eq!(jobs.len(), 1, "one digest per day, not one per item");
}

#[tokio::test]
async fn only_members_reply_only_cochairs_run_meetings_and_meetings_stay_in_their_partnership() {
    let app = TestApp::spawn().await;
    app.sql(&format!("UPDATE jurisdictions SET host = '127.0.0.1' WHERE id = {}", app.jid)).await;
    let other = commonbeat_store::repo::jurisdictions::create(
        &app.db,
        "other",
        "Otherton Police",
        Some("localhost"),
        "America/Denver",
    )
    .await
    .unwrap();
    let b = beat(&app, "auth", "Guarded Partnership", 0, 1).await;
    let slug = b.slug.clone();
    let member = &b.community[0];
    let outsider = person(&app, "auth-outsider@example.org", Role::Community).await;
    let b2 = beat(&app, "two", "Second Partnership", 0, 0).await;
    let (_, starts, ends) = running_now();
    let (path, id) = schedule(&app, &b, &meeting_fields("Guarded meeting", &starts, &ends)).await;

    // Members only: outsiders neither reply nor sign in.
    let post = |c: &reqwest::Client, action: &str, fields: Vec<(&'static str, &'static str)>| {
        let (c, path, action) = (c.clone(), path.clone(), format!("{path}/{action}"));
        let app = &app;
        async move { app.post_form(&c, &path, &action, &fields).await.status().as_u16() }
    };
    assert_eq!(post(&outsider.c, "rsvp", vec![("response", "yes")]).await, 403);
    assert_eq!(post(&outsider.c, "sign-in", vec![]).await, 403);
    assert_eq!(post(&member.c, "rsvp", vec![("response", "yes")]).await, 200);
    // Plain members do not run meetings.
    let new = format!("/partnerships/{slug}/meetings/new");
    assert_eq!(page(&member.c, app.url(&new)).await.0, 403);
    let fields = meeting_fields("Member's own meeting", "2030-01-01T18:00", "19:00");
    let r = app
        .post_form(&member.c, &format!("/partnerships/{slug}"), &format!("/partnerships/{slug}/meetings"), &fields)
        .await;
    assert_eq!(r.status(), 403);
    assert_eq!(page(&member.c, app.url(&format!("{path}/edit"))).await.0, 403);
    assert_eq!(post(&member.c, "cancel", vec![("reason", "I say so")]).await, 403);
    assert_eq!(post(&member.c, "attendance", vec![("walk_ins_police", "9")]).await, 403);
    assert_eq!(post(&member.c, "minutes", vec![("minutes", "My version")]).await, 403);
    // Anonymous: sent to sign in even with a valid CSRF token; refused (403) without one.
    let anon = app.client();
    for (action, field) in [("rsvp", ("response", "yes")), ("cancel", ("reason", "x")), ("sign-in", ("x", "y"))] {
        let r = app.post_form(&anon, "/login", &format!("{path}/{action}"), &[field]).await;
        assert_eq!(r.status(), 303, "anonymous {action}: sent to sign in");
        assert!(r.headers()["location"].to_str().unwrap().starts_with("/login"), "anonymous {action}");
    }
    let r =
        reqwest::Client::new().post(app.url(&format!("{path}/cancel"))).form(&[("reason", "x")]).send().await.unwrap();
    assert_eq!(r.status(), 403);
    // The other partnership's co-chair manages nothing here, and the meeting is not found under their slug.
    assert_eq!(post(&b2.chair.c, "cancel", vec![("reason", "Not mine")]).await, 403);
    let foreign = format!("/partnerships/{}/meetings/{id}", b2.slug);
    assert_eq!(page(&b2.chair.c, app.url(&foreign)).await.0, 404);
    let r = app
        .post_form(&b2.chair.c, &format!("/partnerships/{}", b2.slug), &format!("{foreign}/cancel"), &[("reason", "x")])
        .await;
    assert_eq!(r.status(), 404);
    let api2 = app.url(&format!("/api/v1/partnerships/{}/meetings/{id}", b2.slug));
    assert_eq!(reqwest::get(api2).await.unwrap().status(), 404);
    assert_eq!(
        get_json(&b.chair.c, app.url(&format!("/api/v1/partnerships/{slug}/meetings/{id}"))).await["status"],
        "scheduled",
        "still scheduled"
    );

    // The API: anonymous and bad tokens refused, members 403, the co-chair records attendance with the session and
    // X-CSRF-Token.
    let api = app.url(&format!("/api/v1/partnerships/{slug}/meetings"));
    let body = json!({"title": "API meeting", "format": "in_person", "starts": "2030-01-01T18:00", "ends": "19:00", "place": "Hall"});
    let r = reqwest::Client::new().post(&api).json(&body).send().await.unwrap();
    assert_eq!(r.status(), 403, "no token and no CSRF header: refused by the CSRF guard before anything else");
    let r = reqwest::Client::new().post(&api).bearer_auth("cbt_nope").json(&body).send().await.unwrap();
    assert_eq!(r.status(), 401, "an unknown token");
    let (member_token, _) = tokens::create_api_token(&app.db, app.jid, member.id, "m").await.unwrap();
    let r = reqwest::Client::new().post(&api).bearer_auth(&member_token).json(&body).send().await.unwrap();
    assert_eq!(r.status(), 403);
    assert_eq!(get_json(&reqwest::Client::new(), api.clone()).await.as_array().unwrap().len(), 1, "nothing created");
    let attendance = format!("{api}/{id}/attendance");
    let r = reqwest::Client::new()
        .post(&attendance)
        .bearer_auth(&member_token)
        .json(&json!({"walk_ins_police": 3}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    let csrf = app.csrf(&b.chair.c, &path).await;
    let r = b.chair.c.post(&attendance).json(&json!({"walk_ins_community": 3})).send().await.unwrap();
    assert_eq!(r.status(), 403, "a session without the CSRF header is refused");
    let r = b
        .chair
        .c
        .post(&attendance)
        .header("x-csrf-token", &csrf)
        .json(&json!({"present": [outsider.id], "walk_ins_community": 3}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422, "only active members can be marked present");
    let r = b
        .chair
        .c
        .post(&attendance)
        .header("x-csrf-token", &csrf)
        .json(&json!({"present": [member.id], "walk_ins_community": 3}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let m: Value = r.json().await.unwrap();
    assert_eq!((m["attendance_police"].as_u64(), m["attendance_community"].as_u64()), (Some(0), Some(4)));
    assert_eq!(m["status"], "held");
    let (_, html) = page(&reqwest::Client::new(), app.url(&format!("/partnerships/{slug}/meetings"))).await;
    assert!(html.contains("No police attended"), "a meeting without police is flagged");
    let r = b
        .chair
        .c
        .post(&attendance)
        .header("x-csrf-token", &csrf)
        .json(&json!({"walk_ins_police": 2, "walk_ins_community": 3}))
        .send()
        .await
        .unwrap();
    let m: Value = r.json().await.unwrap();
    assert_eq!((m["attendance_police"].as_u64(), m["attendance_community"].as_u64()), (Some(2), Some(4)));
    let (_, html) = page(&reqwest::Client::new(), app.url(&format!("/partnerships/{slug}/meetings"))).await;
    assert!(!html.contains("No police attended") && html.contains("<td>2</td><td>4</td><td>6</td><td>67 %</td>"));

    // Another jurisdiction, even with a partnership of the same slug, does not see this meeting.
    let charter = commonbeat_domain::partnership::Charter::parse(
        "Guarded Partnership",
        "Slow the traffic and keep kids safe.",
        "quality",
        "Speeding on the boulevard",
        "monthly",
    )
    .unwrap();
    let p_other = commonbeat_store::repo::partnerships::create(&app.db, other.id, &charter, &[], None).await.unwrap();
    assert_eq!(p_other.slug, slug, "same slug in the other jurisdiction");
    let other_url = format!("http://localhost:{}", app.port);
    let c = reqwest::Client::new();
    let r = c.get(format!("{other_url}/partnerships/{slug}/meetings")).send().await.unwrap();
    assert_eq!(r.status(), 200, "the other jurisdiction's partnership exists");
    assert!(!r.text().await.unwrap().contains("Guarded meeting"));
    for p in [format!("/partnerships/{slug}/meetings/{id}"), format!("/api/v1/partnerships/{slug}/meetings/{id}")] {
        assert_eq!(c.get(format!("{other_url}{p}")).send().await.unwrap().status(), 404, "{p}");
    }
    let cal = feed(format!("{other_url}/partnerships/{slug}/calendar.ics")).await;
    assert!(cal.events.is_empty(), "the other jurisdiction's feed has none of our meetings");
    assert_eq!(val(&cal.timezones[0].properties, "TZID"), "America/Denver");
}

#[tokio::test]
async fn private_calendar_feed_works_without_cookies_and_unknown_tokens_are_404() {
    let app = TestApp::spawn().await;
    let b = beat(&app, "feed", "Feed Partnership", 0, 1).await;
    let b2 = beat(&app, "feed2", "Unrelated Partnership", 0, 0).await;
    let member = &b.community[0];
    rename(&app, member.id, "Dana Whitfield").await;
    schedule(&app, &b, &meeting_fields("Feed meeting", "2030-03-03T18:00", "19:30")).await;
    schedule(&app, &b2, &meeting_fields("Someone else's meeting", "2030-03-04T18:00", "19:30")).await;

    let prefs = "/account/notifications";
    let (_, html) = page(&member.c, app.url(prefs)).await;
    assert!(html.contains("Create my calendar address") && !html.contains("/calendar/"));
    let issue = || async {
        let r = app.post_form(&member.c, prefs, "/account/calendar-feed", &[]).await;
        assert_eq!(r.status(), 200);
        let html = r.text().await.unwrap();
        let base = app.url("/calendar/");
        let at = html.find(&base).expect("the page shows the private feed URL");
        html[at..].split('"').next().unwrap().to_string()
    };
    let url = issue().await;
    assert!(url.ends_with(".ics"), "{url}");
    let r = reqwest::Client::new().get(&url).send().await.unwrap();
    assert_eq!(r.status(), 200);
    assert!(r.headers()["cache-control"].to_str().unwrap().contains("private"));
    let cal = parse_ics(&r.text().await.unwrap());
    assert_eq!(val(&cal.properties, "X-WR-CALNAME"), "CommonBeat — Dana Whitfield");
    let ev = only_event(&cal);
    assert!(val(ev, "SUMMARY").contains("Feed meeting"), "only the member's partnership's meetings");
    assert_eq!(val(ev, "DTSTART"), "20300303T180000");
    let (_, html) = page(&member.c, app.url(prefs)).await;
    assert!(!html.contains(&url), "shown only once");
    assert!(html.contains("Replace my calendar address"));

    // Bogus tokens and a missing .ics are 404; a replaced URL stops working.
    for bogus in ["/calendar/nope.ics", "/calendar/.ics", &url.trim_start_matches(&app.addr).replace(".ics", "")] {
        assert_eq!(reqwest::get(app.url(bogus)).await.unwrap().status(), 404, "{bogus}");
    }
    let newer = issue().await;
    assert_ne!(newer, url);
    assert_eq!(reqwest::get(&url).await.unwrap().status(), 404, "the old address is revoked");
    assert_eq!(reqwest::get(&newer).await.unwrap().status(), 200);
    // A disabled account's feed is gone.
    users::update(&app.db, app.jid, member.id, users::Change::Disabled(true)).await.unwrap();
    assert_eq!(reqwest::get(&newer).await.unwrap().status(), 404);
}

#[tokio::test]
async fn a_closed_time_poll_schedules_the_meeting_at_the_best_time_for_both_sides() {
    let app = TestApp::spawn().await;
    let b = beat(&app, "poll", "Poll Partnership", 1, 1).await;
    let other = beat(&app, "poll2", "Other Poll Partnership", 0, 0).await;
    let slug = b.slug.clone();
    let r = app
        .post_form(
            &b.chair.c,
            &format!("/partnerships/{slug}/decisions/new"),
            &format!("/partnerships/{slug}/decisions"),
            &[
                ("kind", "time_poll"),
                ("title", "When shall we meet?"),
                ("closes_on", "2099-01-01"),
                ("quorum_police", "1"),
                ("quorum_community", "1"),
                ("visibility", "always"),
                ("changeable", "on"),
                ("options", "Tue 2030-02-05, 18:30\nSat 2030-02-09, 10:00"),
            ],
        )
        .await;
    assert_eq!(r.status(), 303);
    let poll = r.headers()["location"].to_str().unwrap().to_string();
    let poll_id: i64 = poll.rsplit('/').next().unwrap().parse().unwrap();
    // Police: Saturday only; community: both → Saturday suits both sides.
    for (p, tue) in [(&b.police[0], "no"), (&b.chair, "no"), (&b.community[0], "yes")] {
        let r = app.post_form(&p.c, &poll, &format!("{poll}/vote"), &[("avail_0", tue), ("avail_1", "yes")]).await;
        assert_eq!(r.status(), 303);
    }
    assert_eq!(app.post_form(&b.chair.c, &poll, &format!("{poll}/close"), &[]).await.status(), 303);
    let new = format!("/partnerships/{slug}/meetings/new?from_decision={poll_id}");
    let (_, html) = page(&b.chair.c, app.url(&poll)).await;
    assert!(html.contains(&new), "the closed poll offers to schedule the meeting");

    // The form is filled in from the winning option (90 minutes), and the meeting remembers the poll.
    let (status, html) = page(&b.chair.c, app.url(&new)).await;
    assert_eq!(status, 200);
    assert!(html.contains("value=\"2030-02-09T10:00\""), "start from the winning option");
    assert!(html.contains("value=\"11:30\""), "90 minutes by default");
    assert!(html.contains("value=\"When shall we meet?\""));
    assert!(html.contains(&format!("name=\"from_decision\" value=\"{poll_id}\"")));
    let poll_str = poll_id.to_string();
    let mut fields = meeting_fields("When shall we meet?", "2030-02-09T10:00", "11:30");
    fields.push(("from_decision", &poll_str));
    let (_, id) = schedule(&app, &b, &fields).await;
    let m = commonbeat_store::repo::meetings::by_id(&app.db, app.jid, id).await.unwrap();
    assert_eq!(m.from_decision_id, Some(poll_id));
    // Another partnership's poll cannot be used.
    let foreign = format!("/partnerships/{}/meetings/new?from_decision={poll_id}", other.slug);
    assert_eq!(page(&other.chair.c, app.url(&foreign)).await.0, 404);
    let mut fields = meeting_fields("Borrowed poll", "2030-02-09T10:00", "11:30");
    fields.push(("from_decision", &poll_str));
    let (_, id) = schedule(&app, &other, &fields).await;
    let m = commonbeat_store::repo::meetings::by_id(&app.db, app.jid, id).await.unwrap();
    assert_eq!(m.from_decision_id, None, "a poll of another partnership is not linked");
}

#[tokio::test]
async fn api_attendance_refused_for_a_non_member_records_nobody() {
    let app = TestApp::spawn().await;
    let b = beat(&app, "atom", "Atomic Partnership", 0, 1).await;
    let slug = b.slug.clone();
    let member = &b.community[0];
    let outsider = person(&app, "atom-outsider@example.org", Role::Community).await;
    let (_, starts, ends) = running_now();
    let (path, id) = schedule(&app, &b, &meeting_fields("Atomic meeting", &starts, &ends)).await;
    let csrf = app.csrf(&b.chair.c, &path).await;
    let r = b
        .chair
        .c
        .post(app.url(&format!("/api/v1/partnerships/{slug}/meetings/{id}/attendance")))
        .header("x-csrf-token", &csrf)
        .json(&json!({"present": [member.id, outsider.id], "walk_ins_community": 3}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422, "the outsider is not a member");
    let m = get_json(&reqwest::Client::new(), app.url(&format!("/api/v1/partnerships/{slug}/meetings/{id}"))).await;
    assert_eq!(m["status"], "scheduled", "the refused request did not mark the meeting held");
    assert_eq!(
        m["attendance_community"], 0,
        "a refused (422) request must not have signed in the members listed before the bad id"
    );
}
