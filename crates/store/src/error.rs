//! Errors of the persistence layer.

/// What went wrong in a repository call.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The database driver failed (connection, SQL, constraint not mapped below).
    #[error("database error: {0}")]
    Db(#[from] sea_orm::DbErr),
    /// No such record in this jurisdiction.
    #[error("not found")]
    NotFound,
    /// A unique constraint on `field` was hit.
    #[error("{field} is already in use")]
    Conflict {
        /// The field that must be unique.
        field: &'static str,
    },
    /// The request is not valid in the current state (expired token, locked account, …).
    #[error("{0}")]
    Invalid(String),
    /// An unsupported or malformed database URL.
    #[error("{0}")]
    Url(String),
    /// File-system trouble (backup, restore, data directory).
    #[error("{0}")]
    Io(#[from] std::io::Error),
}

impl StoreError {
    /// Maps a unique-constraint violation to [`StoreError::Conflict`] naming `field`; other errors pass through.
    pub fn unique(err: sea_orm::DbErr, field: &'static str) -> StoreError {
        let text = err.to_string().to_lowercase();
        if text.contains("unique") || text.contains("duplicate key") {
            StoreError::Conflict { field }
        } else {
            StoreError::Db(err)
        }
    }
}

/// Result alias for the store.
pub type StoreResult<T> = Result<T, StoreError>;
