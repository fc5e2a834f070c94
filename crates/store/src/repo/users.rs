//! User accounts.

use crate::entities::user::{self, Column, Entity, Model};
use crate::error::{StoreError, StoreResult};
use crate::{Db, now};
use commonbeat_domain::{Email, Locale, PersonName, Role};
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, Set};

/// What is needed to create an account.
#[derive(Debug, Clone)]
pub struct NewUser {
    /// Sign-in address (unique in the jurisdiction).
    pub email: Email,
    /// Display name.
    pub name: PersonName,
    /// Role.
    pub role: Role,
    /// argon2id PHC string, or `None` for an invited account that has not set one yet.
    pub password_hash: Option<String>,
    /// Preferred language.
    pub locale: Locale,
}

/// Creates an account; a duplicate e-mail in the jurisdiction is a conflict on `email`.
pub async fn create(db: &Db, jurisdiction_id: i64, new: NewUser) -> StoreResult<Model> {
    let t = now();
    user::ActiveModel {
        jurisdiction_id: Set(jurisdiction_id),
        email: Set(new.email.as_str().to_string()),
        name: Set(new.name.as_str().to_string()),
        role: Set(new.role.as_str().to_string()),
        password_hash: Set(new.password_hash),
        totp_secret: Set(None),
        mfa_enabled: Set(false),
        totp_last_step: Set(None),
        disabled: Set(false),
        locale: Set(new.locale.tag().to_string()),
        locked_until: Set(None),
        created_at: Set(t),
        updated_at: Set(t),
        ..Default::default()
    }
    .insert(&db.conn)
    .await
    .map_err(|e| StoreError::unique(e, "email"))
}

/// An account by id, in this jurisdiction only.
pub async fn by_id(db: &Db, jurisdiction_id: i64, id: i64) -> StoreResult<Model> {
    Entity::find_by_id(id)
        .filter(Column::JurisdictionId.eq(jurisdiction_id))
        .one(&db.conn)
        .await?
        .ok_or(StoreError::NotFound)
}

/// An account by e-mail, in this jurisdiction only.
pub async fn by_email(db: &Db, jurisdiction_id: i64, email: &Email) -> StoreResult<Option<Model>> {
    Ok(Entity::find()
        .filter(Column::JurisdictionId.eq(jurisdiction_id))
        .filter(Column::Email.eq(email.as_str()))
        .one(&db.conn)
        .await?)
}

/// All accounts of the jurisdiction, by name.
pub async fn list(db: &Db, jurisdiction_id: i64) -> StoreResult<Vec<Model>> {
    Ok(Entity::find()
        .filter(Column::JurisdictionId.eq(jurisdiction_id))
        .order_by_asc(Column::Name)
        .order_by_asc(Column::Id)
        .all(&db.conn)
        .await?)
}

/// Number of accounts in the jurisdiction.
pub async fn count(db: &Db, jurisdiction_id: i64) -> StoreResult<u64> {
    Ok(Entity::find().filter(Column::JurisdictionId.eq(jurisdiction_id)).count(&db.conn).await?)
}

/// A change to one column of an account.
#[derive(Debug, Clone)]
pub enum Change {
    /// New display name.
    Name(PersonName),
    /// New role.
    Role(Role),
    /// New password hash.
    PasswordHash(String),
    /// TOTP secret (base32) and whether MFA is enabled; `None` removes it.
    Totp(Option<String>, bool),
    /// Disable (`true`) or re-enable the account.
    Disabled(bool),
    /// Preferred language.
    Locale(Locale),
    /// Locked for sign-in until this time (`None` unlocks).
    LockedUntil(Option<i64>),
}

/// Applies a change to an account of this jurisdiction. `NotFound` if it is not there.
pub async fn update(db: &Db, jurisdiction_id: i64, id: i64, change: Change) -> StoreResult<()> {
    let mut q = Entity::update_many().col_expr(Column::UpdatedAt, Expr::value(now()));
    q = match change {
        Change::Name(n) => q.col_expr(Column::Name, Expr::value(n.as_str().to_string())),
        Change::Role(r) => q.col_expr(Column::Role, Expr::value(r.as_str())),
        Change::PasswordHash(h) => q.col_expr(Column::PasswordHash, Expr::value(h)),
        Change::Totp(secret, enabled) => {
            q.col_expr(Column::TotpSecret, Expr::value(secret)).col_expr(Column::MfaEnabled, Expr::value(enabled))
        }
        Change::Disabled(d) => q.col_expr(Column::Disabled, Expr::value(d)),
        Change::Locale(l) => q.col_expr(Column::Locale, Expr::value(l.tag())),
        Change::LockedUntil(t) => q.col_expr(Column::LockedUntil, Expr::value(t)),
    };
    let res = q.filter(Column::Id.eq(id)).filter(Column::JurisdictionId.eq(jurisdiction_id)).exec(&db.conn).await?;
    if res.rows_affected == 0 {
        return Err(StoreError::NotFound);
    }
    Ok(())
}

/// The account's role, parsed.
pub fn role_of(u: &Model) -> Role {
    u.role.parse().unwrap_or(Role::Community)
}

/// Records that the TOTP time step `step` was used, atomically; `false` when that step (or a later one) was already
/// used, so a code cannot be replayed, even by two requests at once.
pub async fn claim_totp_step(db: &Db, jurisdiction_id: i64, id: i64, step: i64) -> StoreResult<bool> {
    let r = Entity::update_many()
        .col_expr(Column::TotpLastStep, Expr::value(step))
        .filter(Column::Id.eq(id))
        .filter(Column::JurisdictionId.eq(jurisdiction_id))
        .filter(Column::TotpLastStep.is_null().or(Column::TotpLastStep.lt(step)))
        .exec(&db.conn)
        .await?;
    Ok(r.rows_affected == 1)
}
