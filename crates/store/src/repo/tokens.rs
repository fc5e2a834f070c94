//! API tokens, single-use tokens (invitations, password resets) and MFA recovery codes.

use crate::entities::{api_token, one_time_token, recovery_code};
use crate::error::{StoreError, StoreResult};
use crate::secrets::{hash_token, new_token};
use crate::{Db, now};
use sea_orm::sea_query::Expr;
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, QueryOrder, Set};

/// Prefix of every API token, so leaked tokens are recognisable by secret scanners.
pub const API_TOKEN_PREFIX: &str = "cbt_";

/// Creates an API token for a user. Returns the token (shown once) and its stored record.
pub async fn create_api_token(
    db: &Db,
    jurisdiction_id: i64,
    user_id: i64,
    label: &str,
) -> StoreResult<(String, api_token::Model)> {
    let token = format!("{API_TOKEN_PREFIX}{}", new_token());
    let m = api_token::ActiveModel {
        jurisdiction_id: Set(jurisdiction_id),
        user_id: Set(user_id),
        label: Set(label.to_string()),
        prefix: Set(token[..API_TOKEN_PREFIX.len() + 6].to_string()),
        token_hash: Set(hash_token(&token)),
        created_at: Set(now()),
        last_used_at: Set(None),
        revoked_at: Set(None),
        ..Default::default()
    }
    .insert(&db.conn)
    .await?;
    Ok((token, m))
}

/// A user's API tokens, newest first (revoked ones included, marked).
pub async fn list_api_tokens(db: &Db, jurisdiction_id: i64, user_id: i64) -> StoreResult<Vec<api_token::Model>> {
    use api_token::Column;
    Ok(api_token::Entity::find()
        .filter(Column::JurisdictionId.eq(jurisdiction_id))
        .filter(Column::UserId.eq(user_id))
        .order_by_desc(Column::Id)
        .all(&db.conn)
        .await?)
}

/// Revokes one of the user's tokens. `NotFound` if it is not theirs or already revoked.
pub async fn revoke_api_token(db: &Db, jurisdiction_id: i64, user_id: i64, token_id: i64) -> StoreResult<()> {
    use api_token::Column;
    let r = api_token::Entity::update_many()
        .col_expr(Column::RevokedAt, Expr::value(now()))
        .filter(Column::Id.eq(token_id))
        .filter(Column::JurisdictionId.eq(jurisdiction_id))
        .filter(Column::UserId.eq(user_id))
        .filter(Column::RevokedAt.is_null())
        .exec(&db.conn)
        .await?;
    if r.rows_affected == 0 { Err(StoreError::NotFound) } else { Ok(()) }
}

/// Revokes every live API token of a user (after a password reset or a role change). Returns how many.
pub async fn revoke_all_for_user(db: &Db, jurisdiction_id: i64, user_id: i64) -> StoreResult<u64> {
    use api_token::Column;
    let r = api_token::Entity::update_many()
        .col_expr(Column::RevokedAt, Expr::value(now()))
        .filter(Column::JurisdictionId.eq(jurisdiction_id))
        .filter(Column::UserId.eq(user_id))
        .filter(Column::RevokedAt.is_null())
        .exec(&db.conn)
        .await?;
    Ok(r.rows_affected)
}

/// The live (unrevoked) token record for a bearer token in this jurisdiction; records its use.
pub async fn find_api_token(db: &Db, jurisdiction_id: i64, token: &str) -> StoreResult<Option<api_token::Model>> {
    use api_token::Column;
    let found = api_token::Entity::find()
        .filter(Column::TokenHash.eq(hash_token(token)))
        .filter(Column::JurisdictionId.eq(jurisdiction_id))
        .filter(Column::RevokedAt.is_null())
        .one(&db.conn)
        .await?;
    if let Some(t) = &found {
        let at = now();
        if t.last_used_at.is_none_or(|u| at - u >= 60) {
            api_token::Entity::update_many()
                .col_expr(Column::LastUsedAt, Expr::value(at))
                .filter(Column::Id.eq(t.id))
                .exec(&db.conn)
                .await?;
        }
    }
    Ok(found)
}

/// What a single-use token is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purpose {
    /// Accept an invitation and set a first password (7 days).
    Invitation,
    /// Reset a forgotten password (1 hour).
    PasswordReset,
}

impl Purpose {
    fn as_str(self) -> &'static str {
        match self {
            Purpose::Invitation => "invitation",
            Purpose::PasswordReset => "password_reset",
        }
    }

    /// How long a token of this purpose lives.
    pub fn ttl_secs(self) -> i64 {
        match self {
            Purpose::Invitation => 7 * 86_400,
            Purpose::PasswordReset => 3_600,
        }
    }
}

/// Issues a single-use token; earlier unused tokens of the same purpose for the user are invalidated.
pub async fn issue_one_time(db: &Db, jurisdiction_id: i64, user_id: i64, purpose: Purpose) -> StoreResult<String> {
    use one_time_token::Column;
    let t = now();
    let token = new_token();
    let txn = db.begin_write().await?;
    one_time_token::Entity::update_many()
        .col_expr(Column::UsedAt, Expr::value(t))
        .filter(Column::JurisdictionId.eq(jurisdiction_id))
        .filter(Column::UserId.eq(user_id))
        .filter(Column::Purpose.eq(purpose.as_str()))
        .filter(Column::UsedAt.is_null())
        .exec(&txn)
        .await?;
    one_time_token::ActiveModel {
        jurisdiction_id: Set(jurisdiction_id),
        user_id: Set(user_id),
        purpose: Set(purpose.as_str().to_string()),
        token_hash: Set(hash_token(&token)),
        created_at: Set(t),
        expires_at: Set(t + purpose.ttl_secs()),
        used_at: Set(None),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    txn.commit().await?;
    Ok(token)
}

/// The user a live (unused, unexpired) single-use token belongs to, without using it up.
pub async fn peek_one_time(db: &Db, jurisdiction_id: i64, token: &str, purpose: Purpose) -> StoreResult<Option<i64>> {
    use one_time_token::Column;
    Ok(one_time_token::Entity::find()
        .filter(Column::TokenHash.eq(hash_token(token)))
        .filter(Column::JurisdictionId.eq(jurisdiction_id))
        .filter(Column::Purpose.eq(purpose.as_str()))
        .filter(Column::UsedAt.is_null())
        .filter(Column::ExpiresAt.gt(now()))
        .one(&db.conn)
        .await?
        .map(|t| t.user_id))
}

/// Uses up a single-use token atomically and returns its user; a second use (even concurrent) gets `None`.
pub async fn consume_one_time(
    db: &Db,
    jurisdiction_id: i64,
    token: &str,
    purpose: Purpose,
) -> StoreResult<Option<i64>> {
    use one_time_token::Column;
    let Some(user_id) = peek_one_time(db, jurisdiction_id, token, purpose).await? else { return Ok(None) };
    let r = one_time_token::Entity::update_many()
        .col_expr(Column::UsedAt, Expr::value(now()))
        .filter(Column::TokenHash.eq(hash_token(token)))
        .filter(Column::JurisdictionId.eq(jurisdiction_id))
        .filter(Column::UsedAt.is_null())
        .exec(&db.conn)
        .await?;
    Ok((r.rows_affected == 1).then_some(user_id))
}

/// Replaces a user's recovery codes with the hashes given.
pub async fn replace_recovery_codes(
    db: &Db,
    jurisdiction_id: i64,
    user_id: i64,
    code_hashes: &[String],
) -> StoreResult<()> {
    use recovery_code::Column;
    let txn = db.begin_write().await?;
    recovery_code::Entity::delete_many()
        .filter(Column::JurisdictionId.eq(jurisdiction_id))
        .filter(Column::UserId.eq(user_id))
        .exec(&txn)
        .await?;
    for h in code_hashes {
        recovery_code::ActiveModel {
            jurisdiction_id: Set(jurisdiction_id),
            user_id: Set(user_id),
            code_hash: Set(h.clone()),
            used_at: Set(None),
            ..Default::default()
        }
        .insert(&txn)
        .await?;
    }
    txn.commit().await?;
    Ok(())
}

/// Uses up one recovery code (given as its hash); `true` if it was valid and unused.
pub async fn use_recovery_code(db: &Db, jurisdiction_id: i64, user_id: i64, code_hash: &str) -> StoreResult<bool> {
    use recovery_code::Column;
    let r = recovery_code::Entity::update_many()
        .col_expr(Column::UsedAt, Expr::value(now()))
        .filter(Column::JurisdictionId.eq(jurisdiction_id))
        .filter(Column::UserId.eq(user_id))
        .filter(Column::CodeHash.eq(code_hash))
        .filter(Column::UsedAt.is_null())
        .exec(&db.conn)
        .await?;
    Ok(r.rows_affected == 1)
}

/// How many unused recovery codes a user has left.
pub async fn recovery_codes_left(db: &Db, jurisdiction_id: i64, user_id: i64) -> StoreResult<u64> {
    use recovery_code::Column;
    use sea_orm::PaginatorTrait;
    Ok(recovery_code::Entity::find()
        .filter(Column::JurisdictionId.eq(jurisdiction_id))
        .filter(Column::UserId.eq(user_id))
        .filter(Column::UsedAt.is_null())
        .count(&db.conn)
        .await?)
}
