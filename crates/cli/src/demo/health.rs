//! Partnership health in the demo city: Riverside thrives, Pulaski weakens (residents drifting away from its
//! meetings, the community co-chair seat vacant for 45 days, residents' promises slipping) and Old Mill is
//! dormant. A year of monthly snapshots is computed from the records so trends show, then today's, which raises
//! the live alerts.

use commonbeat_domain::partnership::Seat;
use commonbeat_store::Db;
use commonbeat_store::repo::{commitments, leadership, partnerships};
use jiff::ToSpan;
use jiff::tz::TimeZone;

/// Weakens Pulaski, then computes the snapshots and alerts.
pub async fn create(db: &Db, jid: i64, time_zone: &str) -> anyhow::Result<()> {
    let now = commonbeat_store::now();
    let all = partnerships::list(db, jid, &Default::default()).await?;
    if let Some(p) = all.iter().find(|p| p.slug.starts_with("pulaski")) {
        leadership::vacate(db, jid, p.id, Seat::CommunityChair, None, "Moved out of the beat.").await?;
        leadership::set_ended_at(db, jid, p.id, Seat::CommunityChair, now - 45 * 86_400).await?;
        // Residents' promises slipped: the ones they had kept are open again (overdue).
        commitments::reopen_done(db, jid, p.id, "community").await?;
    }
    let zone = TimeZone::get(time_zone)?;
    let today = jiff::Timestamp::from_second(now)?.to_zoned_datetime(zone.clone()).date();
    let first = today.first_of_month();
    for k in (1..12).rev() {
        let day = first.checked_sub(k.months())?;
        let at = day.at(6, 0, 0, 0).to_zoned_datetime(zone.clone())?.timestamp().as_second();
        commonbeat_web::sustain::backfill(db, jid, time_zone, at).await?;
    }
    commonbeat_web::sustain::backfill(
        db,
        jid,
        time_zone,
        first.at(6, 0, 0, 0).to_zoned_datetime(zone)?.timestamp().as_second(),
    )
    .await?;
    commonbeat_web::sustain::apply(db, jid, time_zone, now).await?;
    Ok(())
}
