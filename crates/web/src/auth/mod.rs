//! Authentication primitives: password hashing, TOTP and recovery codes.

pub mod password;
pub mod totp;
