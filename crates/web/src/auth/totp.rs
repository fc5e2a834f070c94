//! Time-based one-time passwords (RFC 6238: SHA-1, 6 digits, 30 s) with one step of clock skew, the QR code
//! for enrolment as SVG, and recovery codes.

use commonbeat_store::secrets::{hash_token, new_recovery_code};
use qrcode::QrCode;
use qrcode::render::svg;
use totp_rs::{Algorithm, Secret, TOTP};

/// Number of recovery codes issued at enrolment.
pub const RECOVERY_CODES: usize = 10;

/// A new random base32 secret (160 bits).
pub fn new_secret() -> String {
    Secret::generate_secret().to_encoded().to_string()
}

fn totp(secret_b32: &str, account: &str, issuer: &str) -> Option<TOTP> {
    let bytes = Secret::Encoded(secret_b32.to_string()).to_bytes().ok()?;
    TOTP::new(Algorithm::SHA1, 6, 1, 30, bytes, Some(issuer.to_string()), account.to_string()).ok()
}

/// Whether `code` is valid for the secret now (±30 s).
pub fn check(secret_b32: &str, code: &str) -> bool {
    matching_step(secret_b32, code, now_secs()).is_some()
}

fn now_secs() -> u64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0)
}

/// The 30-second time step whose code `code` is, among the previous, current and next step at `now`. The caller
/// records the step so the code cannot be used twice.
pub fn matching_step(secret_b32: &str, code: &str, now: u64) -> Option<i64> {
    let code: String = code.chars().filter(|c| !c.is_whitespace()).collect();
    if code.len() != 6 || !code.chars().all(|c| c.is_ascii_digit()) {
        return None;
    }
    let t = totp(secret_b32, "x", "CommonBeat")?;
    [now.saturating_sub(30), now, now + 30].into_iter().find(|&at| t.generate(at) == code).map(|at| (at / 30) as i64)
}

/// The current code for a secret (demo mode shows it; tests use it).
pub fn current_code(secret_b32: &str) -> Option<String> {
    totp(secret_b32, "x", "CommonBeat")?.generate_current().ok()
}

/// The `otpauth://` URL for authenticator apps.
pub fn otpauth_url(secret_b32: &str, account: &str, issuer: &str) -> Option<String> {
    Some(totp(secret_b32, account, issuer)?.get_url())
}

/// The enrolment QR code as an SVG document (no scripts, fixed colours).
pub fn qr_svg(url: &str) -> Option<String> {
    let code = QrCode::new(url.as_bytes()).ok()?;
    Some(
        code.render::<svg::Color>()
            .min_dimensions(200, 200)
            .dark_color(svg::Color("#1b1b1b"))
            .light_color(svg::Color("#ffffff"))
            .build(),
    )
}

/// Normalises a recovery code as typed (case, spaces) and hashes it for lookup.
pub fn recovery_code_hash(code: &str) -> String {
    let norm: String = code.trim().to_lowercase().chars().filter(|c| !c.is_whitespace()).collect();
    hash_token(&norm)
}

/// A fresh set of recovery codes: (plain codes to show once, hashes to store).
pub fn new_recovery_codes() -> (Vec<String>, Vec<String>) {
    let codes: Vec<String> = (0..RECOVERY_CODES).map(|_| new_recovery_code()).collect();
    let hashes = codes.iter().map(|c| recovery_code_hash(c)).collect();
    (codes, hashes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn current_code_checks_and_wrong_codes_do_not() {
        let s = new_secret();
        let code = current_code(&s).unwrap();
        assert!(check(&s, &code));
        assert!(check(&s, &format!(" {} {} ", &code[..3], &code[3..])));
        let wrong = format!("{:06}", (code.parse::<u32>().unwrap() + 1) % 1_000_000);
        assert!(!check(&s, &wrong));
        assert!(!check(&s, "abcdef"));
    }

    #[test]
    fn steps_are_found_within_one_step_of_skew_only() {
        let s = new_secret();
        let t = totp(&s, "x", "CommonBeat").unwrap();
        let now = 1_800_000_000u64;
        assert_eq!(matching_step(&s, &t.generate(now), now), Some((now / 30) as i64));
        assert_eq!(matching_step(&s, &t.generate(now - 30), now), Some((now / 30 - 1) as i64));
        assert_eq!(matching_step(&s, &t.generate(now + 30), now), Some((now / 30 + 1) as i64));
        assert_eq!(matching_step(&s, &t.generate(now - 90), now), None);
    }

    #[test]
    fn rfc6238_reference_value() {
        // RFC 6238 appendix B, SHA-1, T = 59 s: 94287082 (8 digits) → 287082 with 6 digits.
        let t = TOTP::new_unchecked(Algorithm::SHA1, 6, 1, 30, b"12345678901234567890".to_vec(), None, "x".into());
        assert_eq!(t.generate(59), "287082");
    }

    #[test]
    fn qr_is_svg_and_recovery_codes_hash_normalised() {
        let svg = qr_svg(&otpauth_url(&new_secret(), "ana@example.org", "CommonBeat").unwrap()).unwrap();
        assert!(svg.contains("<svg") && !svg.contains("<script"));
        let (codes, hashes) = new_recovery_codes();
        assert_eq!(codes.len(), 10);
        assert_eq!(recovery_code_hash(&codes[0].to_uppercase()), hashes[0]);
    }
}
