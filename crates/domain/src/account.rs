//! Accounts: e-mail addresses, display names, roles, sides of a partnership and the password policy.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// The role of an account. The anonymous public has no account and therefore no role.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, PartialOrd, Ord)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// Runs the deployment for a jurisdiction: users, audit log, outbox.
    Admin,
    /// A sworn officer or civilian police staff member.
    Police,
    /// A resident, business owner or other community member.
    Community,
}

impl Role {
    /// All roles, in display order.
    pub const ALL: [Role; 3] = [Role::Admin, Role::Police, Role::Community];

    /// The stable identifier stored in the database and used in URLs and the API.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Police => "police",
            Role::Community => "community",
        }
    }

    /// Whether accounts of this role must use multi-factor authentication.
    pub fn requires_mfa(self) -> bool {
        matches!(self, Role::Admin | Role::Police)
    }

    /// The side of a partnership an account of this role sits on, if any.
    /// Administrators are staff of the police department and sit on the police side.
    pub fn side(self) -> Side {
        match self {
            Role::Admin | Role::Police => Side::Police,
            Role::Community => Side::Community,
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Error for an unknown role name.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown role {0:?}: expected admin, police or community")]
pub struct UnknownRole(pub String);

impl FromStr for Role {
    type Err = UnknownRole;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "admin" => Ok(Role::Admin),
            "police" => Ok(Role::Police),
            "community" => Ok(Role::Community),
            other => Err(UnknownRole(other.to_string())),
        }
    }
}

/// The two sides of a 50/50 partnership.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, PartialOrd, Ord)]
#[serde(rename_all = "lowercase")]
pub enum Side {
    /// Police officers and department staff.
    Police,
    /// Residents and other community stakeholders.
    Community,
}

impl Side {
    /// The stable identifier of the side.
    pub fn as_str(self) -> &'static str {
        match self {
            Side::Police => "police",
            Side::Community => "community",
        }
    }
}

/// A syntactically valid, normalised (trimmed, lower-cased) e-mail address.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Email(String);

/// Why an e-mail address was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EmailError {
    /// Nothing was entered.
    #[error("email address is empty")]
    Empty,
    /// Longer than RFC 5321 allows.
    #[error("email address is longer than 254 characters")]
    TooLong,
    /// Not of the form local@domain.tld.
    #[error("email address must look like name@example.org")]
    Malformed,
}

impl Email {
    /// Parses and normalises an address.
    pub fn parse(raw: &str) -> Result<Self, EmailError> {
        let s = raw.trim().to_lowercase();
        if s.is_empty() {
            return Err(EmailError::Empty);
        }
        if s.len() > 254 {
            return Err(EmailError::TooLong);
        }
        let (local, domain) = s.rsplit_once('@').ok_or(EmailError::Malformed)?;
        let domain_ok = domain.contains('.')
            && !domain.starts_with('.')
            && !domain.ends_with('.')
            && !domain.contains("..")
            && domain.chars().all(|c| c.is_alphanumeric() || c == '-' || c == '.');
        let local_ok = !local.is_empty()
            && local.len() <= 64
            && !local.contains('@')
            && local.chars().all(|c| !c.is_whitespace() && !c.is_control() && c != '<' && c != '>');
        if domain_ok && local_ok { Ok(Email(s)) } else { Err(EmailError::Malformed) }
    }

    /// The normalised address.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for Email {
    type Error = EmailError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Email::parse(&value)
    }
}

impl From<Email> for String {
    fn from(value: Email) -> Self {
        value.0
    }
}

impl fmt::Display for Email {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A person's display name: 1 to 100 characters after trimming, no control characters.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PersonName(String);

/// Why a display name was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("name must be 1 to 100 characters without control characters")]
pub struct PersonNameError;

impl PersonName {
    /// Parses a display name.
    pub fn parse(raw: &str) -> Result<Self, PersonNameError> {
        let s = raw.trim();
        let n = s.chars().count();
        if n == 0 || n > 100 || s.chars().any(char::is_control) {
            return Err(PersonNameError);
        }
        Ok(PersonName(s.to_string()))
    }

    /// The name as entered, trimmed.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Minimum password length in characters.
pub const PASSWORD_MIN_CHARS: usize = 12;
/// Maximum password length in characters.
pub const PASSWORD_MAX_CHARS: usize = 128;
/// Minimum zxcvbn score (0..=4).
pub const PASSWORD_MIN_SCORE: u8 = 3;

/// Why a new password was refused. There are deliberately no composition rules (NIST SP 800-63B).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PasswordError {
    /// Shorter than [`PASSWORD_MIN_CHARS`].
    #[error("password must be at least 12 characters")]
    TooShort,
    /// Longer than [`PASSWORD_MAX_CHARS`].
    #[error("password must be at most 128 characters")]
    TooLong,
    /// Easy to guess by zxcvbn's estimate.
    #[error("password is too easy to guess (strength {score} of 4, at least 3 needed)")]
    TooWeak {
        /// zxcvbn's score.
        score: u8,
    },
}

/// Checks a new password against the policy: 12–128 characters and a zxcvbn score of at least 3, taking the
/// account's own e-mail and name into account as words an attacker would try first.
pub fn check_password(password: &str, user_inputs: &[&str]) -> Result<(), PasswordError> {
    let n = password.chars().count();
    if n < PASSWORD_MIN_CHARS {
        return Err(PasswordError::TooShort);
    }
    if n > PASSWORD_MAX_CHARS {
        return Err(PasswordError::TooLong);
    }
    let score = u8::from(zxcvbn::zxcvbn(password, user_inputs).score());
    if score < PASSWORD_MIN_SCORE {
        return Err(PasswordError::TooWeak { score });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn emails_are_normalised_and_checked() {
        assert_eq!(Email::parse("  Ana@Example.ORG ").unwrap().as_str(), "ana@example.org");
        for bad in ["", "ana", "ana@", "@example.org", "ana@example", "ana@exa mple.org", "a@b..org", "<a>@b.org"] {
            assert!(Email::parse(bad).is_err(), "{bad:?} should be refused");
        }
        assert_eq!(Email::parse(&format!("{}@example.org", "a".repeat(250))), Err(EmailError::TooLong));
    }

    #[test]
    fn password_policy_has_length_bounds_and_strength_but_no_composition_rules() {
        assert_eq!(check_password("short", &[]), Err(PasswordError::TooShort));
        assert_eq!(check_password(&"x".repeat(129), &[]), Err(PasswordError::TooLong));
        assert!(matches!(check_password("passwordpassword", &[]), Err(PasswordError::TooWeak { .. })));
        // All lower case, no digits or symbols: accepted because it is long and hard to guess.
        assert_eq!(check_password("correct horse battery staple river", &[]), Ok(()));
        // The user's own e-mail address makes a password weak.
        assert!(check_password("ana.rivera@example.org", &["ana.rivera@example.org"]).is_err());
    }

    #[test]
    fn roles_parse_and_know_mfa_and_side() {
        assert_eq!("Police".parse::<Role>().unwrap(), Role::Police);
        assert!("chief".parse::<Role>().is_err());
        assert!(Role::Admin.requires_mfa() && Role::Police.requires_mfa() && !Role::Community.requires_mfa());
        assert_eq!(Role::Community.side(), Side::Community);
        for r in Role::ALL {
            assert_eq!(r.as_str().parse::<Role>().unwrap(), r);
        }
    }

    #[test]
    fn names_are_bounded() {
        assert!(PersonName::parse("  María José  ").is_ok());
        assert!(PersonName::parse(" ").is_err());
        assert!(PersonName::parse(&"n".repeat(101)).is_err());
        assert!(PersonName::parse("a\u{0}b").is_err());
    }

    proptest! {
        #[test]
        fn parsed_email_is_idempotent(local in "[a-z0-9._%+-]{1,20}", domain in "[a-z0-9-]{1,15}\\.[a-z]{2,6}") {
            let e = Email::parse(&format!("{local}@{domain}")).unwrap();
            prop_assert_eq!(Email::parse(e.as_str()).unwrap(), e.clone());
        }

        #[test]
        fn short_passwords_are_always_refused(p in ".{0,11}") {
            prop_assert!(check_password(&p, &[]).is_err());
        }
    }
}
