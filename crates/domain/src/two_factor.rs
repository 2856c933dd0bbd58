//! Two-factor sign-in: TOTP (RFC 6238: six digits, 30-second steps, SHA-1,
//! what every authenticator app reads) and single-use recovery codes.
//!
//! Setting it up stores a pending secret; a first code from the
//! authenticator turns it on and hands out the recovery codes, which are
//! kept only as hashes. At sign-in a code is taken once: the step it
//! belongs to must be later than the last one used, so a code seen over a
//! shoulder cannot be replayed within its minute.

use std::time::{SystemTime, UNIX_EPOCH};

use protocol::{ErrorCode, RecoveryCodes, TwoFactorSetup, UserId};
use totp_rs::{Algorithm, Secret, TOTP};

use super::people::find_user;
use super::refresh_tokens::hash_refresh_token;
use crate::error::{DomainError, DomainResult};
use storage::DbConn;
use storage::models::{Stored, TwoFactorRow, now};
use storage::queries::two_factor as stored;

/// The name authenticator apps show beside the account.
const ISSUER: &str = "ThemeChat";
const STEP_SECS: u64 = 30;
const DIGITS: usize = 6;
/// Steps either side of now whose codes are taken: a phone's clock may be
/// a little off, and a code typed as it changes still counts.
const SKEW_STEPS: i64 = 1;
const RECOVERY_CODES: usize = 10;

/// Starts (or starts again) setting up two-factor sign-in.
pub fn begin(conn: &mut DbConn, user: UserId) -> DomainResult<TwoFactorSetup> {
    if stored::is_enabled(conn, user)? {
        return Err(already_on());
    }
    let account = find_user(conn, user)?;
    let secret = Secret::generate_secret();
    let encoded = secret.to_encoded().to_string();
    let totp = totp(&encoded, Some(account.username.clone()))?;
    stored::put_pending(
        conn,
        &TwoFactorRow {
            user_id: Stored(user),
            secret: encoded.clone(),
            enabled_at: None,
            last_step: 0,
        },
    )?;
    let qr_png_base64 = totp
        .get_qr_base64()
        .map_err(|e| DomainError::internal(format!("QR code: {e}")))?;
    Ok(TwoFactorSetup {
        secret: encoded,
        otpauth_url: totp.get_url(),
        qr_png_base64,
    })
}

/// Turns two-factor sign-in on with a first code from the authenticator;
/// answers the recovery codes, shown this once.
pub fn confirm(conn: &mut DbConn, user: UserId, code: &str) -> DomainResult<RecoveryCodes> {
    let Some(row) = stored::find(conn, user)? else {
        return Err(DomainError::conflict(
            ErrorCode::Conflict,
            "nothing to confirm: set two-factor sign-in up first",
        ));
    };
    if row.enabled_at.is_some() {
        return Err(already_on());
    }
    let step = matching_step(&row.secret, code)?.ok_or_else(|| {
        DomainError::validation("the code does not match: check the authenticator's clock")
    })?;
    stored::enable(conn, user, now(), step)?;
    let codes: Vec<String> = (0..RECOVERY_CODES).map(|_| new_recovery_code()).collect();
    let hashes: Vec<String> = codes.iter().map(|c| hash_recovery_code(c)).collect();
    stored::put_recovery_codes(conn, user, &hashes)?;
    Ok(RecoveryCodes { codes })
}

/// Turns it off (the password was checked by the caller).
pub fn disable(conn: &mut DbConn, user: UserId) -> DomainResult<()> {
    stored::remove(conn, user)?;
    Ok(())
}

pub fn is_enabled(conn: &mut DbConn, user: UserId) -> DomainResult<bool> {
    Ok(stored::is_enabled(conn, user)?)
}

/// At sign-in, once the password matched: nothing to check without
/// two-factor sign-in; with it, a fresh authenticator code or an unused
/// recovery code, which is used up.
pub fn check_at_sign_in(conn: &mut DbConn, user: UserId, code: Option<&str>) -> DomainResult<()> {
    let Some(row) = stored::find(conn, user)?.filter(|row| row.enabled_at.is_some()) else {
        return Ok(());
    };
    let code = code.map(str::trim).unwrap_or_default();
    if code.is_empty() {
        return Err(DomainError::SecondFactor { required: true });
    }
    let accepted = match matching_step(&row.secret, code)? {
        Some(step) => stored::use_step(conn, user, step)?,
        None => stored::take_recovery_code(conn, user, &hash_recovery_code(code))?,
    };
    if accepted {
        Ok(())
    } else {
        Err(DomainError::SecondFactor { required: false })
    }
}

fn already_on() -> DomainError {
    DomainError::conflict(
        ErrorCode::Conflict,
        "two-factor sign-in is on already: turn it off first to set it up again",
    )
}

fn totp(secret: &str, account: Option<String>) -> DomainResult<TOTP> {
    let bytes = Secret::Encoded(secret.to_owned())
        .to_bytes()
        .map_err(|e| DomainError::internal(format!("stored TOTP secret: {e:?}")))?;
    TOTP::new(
        Algorithm::SHA1,
        DIGITS,
        0,
        STEP_SECS,
        bytes,
        Some(ISSUER.to_owned()),
        account.unwrap_or_default(),
    )
    .map_err(|e| DomainError::internal(format!("TOTP: {e}")))
}

/// The step, near now, whose code `code` is; `None` when it is none of
/// theirs (or not six digits at all).
fn matching_step(secret: &str, code: &str) -> DomainResult<Option<i64>> {
    if code.len() != DIGITS || !code.bytes().all(|b| b.is_ascii_digit()) {
        return Ok(None);
    }
    let totp = totp(secret, None)?;
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_err(|e| DomainError::internal(format!("clock: {e}")))?
        .as_secs();
    let current = (now / STEP_SECS) as i64;
    let found = (current - SKEW_STEPS..=current + SKEW_STEPS)
        .filter(|step| *step >= 0)
        // `check` compares in constant time.
        .find(|step| totp.check(code, *step as u64 * STEP_SECS));
    Ok(found)
}

/// Ten characters of a 32-letter alphabet with no look-alikes (50 bits),
/// shown as two groups of five.
fn new_recovery_code() -> String {
    const ALPHABET: &[u8] = b"abcdefghjkmnpqrstuvwxyz23456789";
    let letters: String = (0..10)
        .map(|_| ALPHABET[rand::random_range(0..ALPHABET.len())] as char)
        .collect();
    format!("{}-{}", &letters[..5], &letters[5..])
}

/// How a recovery code is kept: as typed, less case, spaces and dashes.
fn hash_recovery_code(code: &str) -> String {
    let normal: String = code
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '-')
        .flat_map(char::to_lowercase)
        .collect();
    hash_refresh_token(&normal)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recovery_codes_read_back_however_typed() {
        let code = new_recovery_code();
        assert_eq!(code.len(), 11);
        let typed = code.to_uppercase().replace('-', " ");
        assert_eq!(hash_recovery_code(&code), hash_recovery_code(&typed));
    }

    #[test]
    fn only_six_digits_near_now_match() {
        let secret = Secret::generate_secret().to_encoded().to_string();
        let totp = totp(&secret, None).expect("a TOTP");
        let now = totp.generate_current().expect("a code");
        assert!(matching_step(&secret, &now).expect("checked").is_some());
        assert!(matching_step(&secret, "12345").expect("checked").is_none());
        assert!(matching_step(&secret, "abcdef").expect("checked").is_none());
        let long_ago = totp.generate(STEP_SECS * 1000);
        if long_ago != now {
            assert!(
                matching_step(&secret, &long_ago)
                    .expect("checked")
                    .is_none()
            );
        }
    }
}
