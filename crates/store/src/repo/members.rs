//! Membership of partnerships (invitations, join requests, joining and leaving, with history) and members'
//! private self-descriptions (stakeholder types and demographics, only ever read in aggregate).

use super::partnerships::{Event, record};
use crate::entities::{member_profile, membership, user};
use crate::error::{StoreError, StoreResult};
use crate::{Db, now};
use commonbeat_domain::Side;
use commonbeat_domain::partnership::{Balance, MemberRole};
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, IntoActiveModel, QueryFilter, QueryOrder, Set};

/// Invited by a co-chair, not yet accepted.
pub const INVITED: &str = "invited";
/// Asked to join, waiting for a co-chair.
pub const REQUESTED: &str = "requested";
/// A member now.
pub const ACTIVE: &str = "active";
/// Left of their own accord.
pub const LEFT: &str = "left";
/// Request or invitation declined.
pub const DECLINED: &str = "declined";
/// Removed by a co-chair.
pub const REMOVED: &str = "removed";

/// A membership with its person.
#[derive(Debug, Clone)]
pub struct Member {
    /// The membership.
    pub membership: membership::Model,
    /// The account.
    pub user: user::Model,
}

/// A change of someone's membership.
#[derive(Debug, Clone)]
pub struct Change<'a> {
    /// The member.
    pub user_id: i64,
    /// Their side (from their account).
    pub side: Side,
    /// Member or observer.
    pub role: MemberRole,
    /// The new status ([`INVITED`], [`REQUESTED`], [`ACTIVE`], …).
    pub status: &'a str,
    /// Who made the change.
    pub actor_id: Option<i64>,
    /// Why.
    pub note: &'a str,
}

/// Sets a user's membership status (creating the membership if needed) and records the change in the history.
pub async fn set_status(
    db: &Db,
    jurisdiction_id: i64,
    partnership_id: i64,
    c: Change<'_>,
) -> StoreResult<membership::Model> {
    let Change { user_id, side, role, status, actor_id, note } = c;
    let txn = db.begin_write().await?;
    let t = now();
    let existing = membership::Entity::find()
        .filter(membership::Column::JurisdictionId.eq(jurisdiction_id))
        .filter(membership::Column::PartnershipId.eq(partnership_id))
        .filter(membership::Column::UserId.eq(user_id))
        .one(&txn)
        .await?;
    let from = existing.as_ref().map(|m| m.status.clone()).unwrap_or_default();
    let m = match existing {
        Some(m) => {
            let was_active = m.status == ACTIVE;
            let mut am = m.into_active_model();
            am.status = Set(status.to_string());
            am.role = Set(role.as_str().to_string());
            am.updated_at = Set(t);
            if status == ACTIVE && !was_active {
                am.joined_at = Set(Some(t));
                am.left_at = Set(None);
            }
            if status != ACTIVE && was_active {
                am.left_at = Set(Some(t));
            }
            am.update(&txn).await?
        }
        None => {
            membership::ActiveModel {
                jurisdiction_id: Set(jurisdiction_id),
                partnership_id: Set(partnership_id),
                user_id: Set(user_id),
                side: Set(side.as_str().into()),
                role: Set(role.as_str().into()),
                status: Set(status.to_string()),
                joined_at: Set((status == ACTIVE).then_some(t)),
                left_at: Set(None),
                created_at: Set(t),
                updated_at: Set(t),
                ..Default::default()
            }
            .insert(&txn)
            .await?
        }
    };
    record(
        &txn,
        jurisdiction_id,
        partnership_id,
        Event { kind: "membership", subject_id: Some(user_id), from: &from, to: status, actor_id, note },
    )
    .await?;
    txn.commit().await?;
    Ok(m)
}

/// A user's membership of a partnership, if any.
pub async fn of_user(
    db: &Db,
    jurisdiction_id: i64,
    partnership_id: i64,
    user_id: i64,
) -> StoreResult<Option<membership::Model>> {
    Ok(membership::Entity::find()
        .filter(membership::Column::JurisdictionId.eq(jurisdiction_id))
        .filter(membership::Column::PartnershipId.eq(partnership_id))
        .filter(membership::Column::UserId.eq(user_id))
        .one(&db.conn)
        .await?)
}

/// Every membership of a user (any status).
pub async fn all_of_user(db: &Db, jurisdiction_id: i64, user_id: i64) -> StoreResult<Vec<membership::Model>> {
    Ok(membership::Entity::find()
        .filter(membership::Column::JurisdictionId.eq(jurisdiction_id))
        .filter(membership::Column::UserId.eq(user_id))
        .all(&db.conn)
        .await?)
}

/// Memberships of a partnership with their people, optionally only in `status`, by name.
pub async fn list(
    db: &Db,
    jurisdiction_id: i64,
    partnership_id: i64,
    status: Option<&str>,
) -> StoreResult<Vec<Member>> {
    let ms = membership::Entity::find()
        .filter(membership::Column::JurisdictionId.eq(jurisdiction_id))
        .filter(membership::Column::PartnershipId.eq(partnership_id))
        .order_by_asc(membership::Column::Id)
        .all(&db.conn)
        .await?;
    let ids: Vec<i64> = ms.iter().map(|m| m.user_id).collect();
    let users = user::Entity::find()
        .filter(user::Column::JurisdictionId.eq(jurisdiction_id))
        .filter(user::Column::Id.is_in(ids))
        .all(&db.conn)
        .await?;
    let mut out: Vec<Member> = ms
        .into_iter()
        .filter(|m| status.is_none_or(|s| m.status == s))
        .filter_map(|m| users.iter().find(|u| u.id == m.user_id).cloned().map(|u| Member { membership: m, user: u }))
        .collect();
    out.sort_by_key(|m| m.user.name.to_lowercase());
    Ok(out)
}

/// Active full members per side (observers do not count toward the 50/50 balance).
pub async fn balance(db: &Db, jurisdiction_id: i64, partnership_id: i64) -> StoreResult<Balance> {
    let ms = membership::Entity::find()
        .filter(membership::Column::JurisdictionId.eq(jurisdiction_id))
        .filter(membership::Column::PartnershipId.eq(partnership_id))
        .filter(membership::Column::Status.eq(ACTIVE))
        .filter(membership::Column::Role.eq(MemberRole::Member.as_str()))
        .all(&db.conn)
        .await?;
    let police = ms.iter().filter(|m| m.side == Side::Police.as_str()).count() as u64;
    Ok(Balance { police, community: ms.len() as u64 - police })
}

/// A member's private self-description.
pub async fn profile(db: &Db, jurisdiction_id: i64, user_id: i64) -> StoreResult<Option<member_profile::Model>> {
    Ok(member_profile::Entity::find()
        .filter(member_profile::Column::JurisdictionId.eq(jurisdiction_id))
        .filter(member_profile::Column::UserId.eq(user_id))
        .one(&db.conn)
        .await?)
}

/// Saves a member's stakeholder types (comma-separated ids) and demographics (JSON object dimension → category).
pub async fn save_profile(
    db: &Db,
    jurisdiction_id: i64,
    user_id: i64,
    stakeholder_types: &str,
    demographics: &str,
) -> StoreResult<()> {
    match profile(db, jurisdiction_id, user_id).await? {
        Some(p) => {
            let mut am = p.into_active_model();
            am.stakeholder_types = Set(stakeholder_types.into());
            am.demographics = Set(demographics.into());
            am.updated_at = Set(now());
            am.update(&db.conn).await?;
        }
        None => {
            member_profile::ActiveModel {
                jurisdiction_id: Set(jurisdiction_id),
                user_id: Set(user_id),
                stakeholder_types: Set(stakeholder_types.into()),
                demographics: Set(demographics.into()),
                updated_at: Set(now()),
                ..Default::default()
            }
            .insert(&db.conn)
            .await?;
        }
    }
    Ok(())
}

/// The profiles of a partnership's active community-side members (for the representation report only).
pub async fn community_profiles(
    db: &Db,
    jurisdiction_id: i64,
    partnership_id: i64,
) -> StoreResult<(u64, Vec<member_profile::Model>)> {
    let ms = membership::Entity::find()
        .filter(membership::Column::JurisdictionId.eq(jurisdiction_id))
        .filter(membership::Column::PartnershipId.eq(partnership_id))
        .filter(membership::Column::Status.eq(ACTIVE))
        .filter(membership::Column::Side.eq(Side::Community.as_str()))
        .all(&db.conn)
        .await?;
    let n = ms.len() as u64;
    let ids: Vec<i64> = ms.into_iter().map(|m| m.user_id).collect();
    let profiles = member_profile::Entity::find()
        .filter(member_profile::Column::JurisdictionId.eq(jurisdiction_id))
        .filter(member_profile::Column::UserId.is_in(ids))
        .all(&db.conn)
        .await?;
    Ok((n, profiles))
}

/// Fails with `NotFound` unless the membership exists in this partnership.
pub async fn require(
    db: &Db,
    jurisdiction_id: i64,
    partnership_id: i64,
    user_id: i64,
) -> StoreResult<membership::Model> {
    of_user(db, jurisdiction_id, partnership_id, user_id).await?.ok_or(StoreError::NotFound)
}
