//! Who may do what with one partnership. Every partnership handler starts here, so the record check (this
//! jurisdiction, this partnership, this person's membership or seat) is never skipped.

use crate::AppState;
use crate::context::Ctx;
use crate::error::{AppError, AppResult};
use commonbeat_domain::Role;
use commonbeat_store::entities::{membership, partnership};
use commonbeat_store::repo::{leadership, members, partnerships};

/// A partnership and the caller's standing in it.
#[derive(Debug, Clone)]
pub struct Access {
    /// The partnership (of the caller's jurisdiction).
    pub partnership: partnership::Model,
    /// The caller's membership, any status.
    pub membership: Option<membership::Model>,
    /// The caller holds a co-chair or deputy seat with a running term.
    pub leads: bool,
    /// The caller is an administrator of the jurisdiction.
    pub admin: bool,
}

impl Access {
    /// Loads the partnership by slug and the caller's standing. Unknown slugs (or another jurisdiction's) are 404.
    pub async fn load(state: &AppState, ctx: &Ctx, slug: &str) -> AppResult<Access> {
        let p = partnerships::by_slug(&state.db, ctx.jid(), slug).await?;
        let (membership, leads) = match &ctx.user {
            Some(u) => (
                members::of_user(&state.db, ctx.jid(), p.id, u.id).await?,
                leadership::leads(&state.db, ctx.jid(), p.id, u.id).await?,
            ),
            None => (None, false),
        };
        Ok(Access { partnership: p, membership, leads, admin: ctx.role() == Some(Role::Admin) })
    }

    /// Whether the caller is an active member.
    pub fn is_member(&self) -> bool {
        self.membership.as_ref().is_some_and(|m| m.status == members::ACTIVE)
    }

    /// Whether the caller may manage the partnership (co-chairs, deputies, administrators).
    pub fn can_manage(&self) -> bool {
        self.leads || self.admin
    }

    /// Fails with 403 unless the caller may manage the partnership.
    pub fn require_manage(&self) -> AppResult<()> {
        if self.can_manage() { Ok(()) } else { Err(AppError::Forbidden) }
    }

    /// Whether the caller may see members' names and the full history (members and managers).
    pub fn sees_members(&self) -> bool {
        self.is_member() || self.can_manage()
    }
}
