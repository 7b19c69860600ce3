//! Passwords of the legacy online services, checked against the hashes of the legacy export.
//! Supported formats (see README "Legacy import"): PBKDF2-SHA256 in Django's layout
//! `pbkdf2_sha256$<iterations>$<salt>$<base64 hash>` and bcrypt (`$2a$`, `$2b$`, `$2y$`).

use base64::Engine;
use subtle::ConstantTimeEq;

/// Above these, one check would exceed the worker's CPU budget; such hashes are refused at import
/// (`hash_too_costly`).
pub const MAX_PBKDF2_ITERATIONS: u64 = 1_000_000;
pub const MAX_BCRYPT_COST: u64 = 12;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LegacyFormat {
    Pbkdf2Sha256,
    Bcrypt,
}

/// Why the import refuses a hash.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HashRefusal {
    /// Not a format the portal can check.
    Unsupported,
    /// A supported format whose cost (iterations, bcrypt cost) is past the cap.
    TooCostly,
}

/// The format of a stored hash and its cost, whatever the cost.
fn shape_of(stored: &str) -> Option<(LegacyFormat, u64)> {
    if let Some(rest) = stored.strip_prefix("pbkdf2_sha256$") {
        let mut parts = rest.split('$');
        let iterations = parts.next()?.parse::<u64>().ok()?;
        let (salt, hash) = (parts.next()?, parts.next()?);
        let valid = iterations >= 1
            && !salt.is_empty()
            && base64::engine::general_purpose::STANDARD
                .decode(hash)
                .is_ok_and(|h| h.len() == 32)
            && parts.next().is_none();
        return valid.then_some((LegacyFormat::Pbkdf2Sha256, iterations));
    }
    if ["$2a$", "$2b$", "$2y$"]
        .iter()
        .any(|p| stored.starts_with(p))
        && stored.len() == 60
        && stored.as_bytes()[6] == b'$'
    {
        let cost = stored[4..6].parse::<u64>().ok()?;
        return (4..=31)
            .contains(&cost)
            .then_some((LegacyFormat::Bcrypt, cost));
    }
    None
}

/// What the import makes of a hash: its format, or why it is refused.
pub fn importable(stored: &str) -> Result<LegacyFormat, HashRefusal> {
    let (format, cost) = shape_of(stored).ok_or(HashRefusal::Unsupported)?;
    let cap = match format {
        LegacyFormat::Pbkdf2Sha256 => MAX_PBKDF2_ITERATIONS,
        LegacyFormat::Bcrypt => MAX_BCRYPT_COST,
    };
    if cost > cap {
        return Err(HashRefusal::TooCostly);
    }
    Ok(format)
}

/// The format of a stored legacy hash, or `None` when the import must refuse it.
pub fn format_of(stored: &str) -> Option<LegacyFormat> {
    importable(stored).ok()
}

pub fn verify(password: &str, stored: &str) -> bool {
    match format_of(stored) {
        Some(LegacyFormat::Pbkdf2Sha256) => verify_pbkdf2(password, stored),
        Some(LegacyFormat::Bcrypt) => bcrypt::verify(password, stored).unwrap_or(false),
        None => false,
    }
}

fn verify_pbkdf2(password: &str, stored: &str) -> bool {
    let mut parts = stored.split('$').skip(1);
    let (Some(iterations), Some(salt), Some(hash)) = (parts.next(), parts.next(), parts.next())
    else {
        return false;
    };
    let (Ok(iterations), Ok(expected)) = (
        iterations.parse::<u32>(),
        base64::engine::general_purpose::STANDARD.decode(hash),
    ) else {
        return false;
    };
    let mut computed = [0u8; 32];
    pbkdf2::pbkdf2_hmac::<sha2::Sha256>(
        password.as_bytes(),
        salt.as_bytes(),
        iterations,
        &mut computed,
    );
    computed.ct_eq(&expected[..]).into()
}

impl LegacyFormat {
    /// The name `legacy_hash_costs.format` stores.
    pub fn parse(name: &str) -> Option<LegacyFormat> {
        match name {
            "pbkdf2_sha256" => Some(LegacyFormat::Pbkdf2Sha256),
            "bcrypt" => Some(LegacyFormat::Bcrypt),
            _ => None,
        }
    }
}

/// How many imported hashes have one format and cost (PBKDF2 iterations, bcrypt cost).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HashCost {
    pub format: LegacyFormat,
    pub cost: u64,
    pub hashes: u64,
}

impl HashCost {
    /// The work of one check in PBKDF2-SHA256 iterations, so that the two formats compare: bcrypt
    /// runs 2^cost expensive key setups, each about as costly as 256 iterations (cost 10 is about
    /// Django's 260,000 iterations, the defaults each was tuned to).
    fn work(&self) -> u64 {
        match self.format {
            LegacyFormat::Pbkdf2Sha256 => self.cost,
            LegacyFormat::Bcrypt => 256u64 << self.cost.min(40),
        }
    }
}

/// The format and cost of the median imported hash (the lower one of an even count), by the
/// work of one check: the decoy for an unknown username then costs what a typical known one does.
pub fn median_cost(costs: &[HashCost]) -> Option<(LegacyFormat, u64)> {
    let mut sorted: Vec<&HashCost> = costs.iter().filter(|c| c.hashes > 0).collect();
    super::order::sort_by_key(&mut sorted, |c| (c.work(), c.cost));
    let total: u64 = sorted.iter().map(|c| c.hashes).sum();
    let middle = total.checked_sub(1)? / 2;
    let mut seen = 0;
    sorted.into_iter().find_map(|c| {
        seen += c.hashes;
        (seen > middle).then_some((c.format, c.cost))
    })
}

/// A hash of that format and cost that no password matches: checking a password against it
/// costs what checking one against an imported hash of that cost does.
pub fn decoy_hash(format: LegacyFormat, cost: u64) -> String {
    match format {
        LegacyFormat::Pbkdf2Sha256 => format!(
            "pbkdf2_sha256${}$decoy${}",
            cost.clamp(1, MAX_PBKDF2_ITERATIONS),
            base64::engine::general_purpose::STANDARD.encode([0u8; 32])
        ),
        LegacyFormat::Bcrypt => format!(
            "$2b${:02}$/OSD/OSD/OSD/OSD/OSD/OPrd2pZiXrcPR10eOIJLzMHFn1y2zu06",
            cost.clamp(4, MAX_BCRYPT_COST)
        ),
    }
}

/// Wrong passwords that lock a legacy username.
pub const MAX_WRONG_PASSWORDS: i64 = 5;

/// How long a legacy username stays locked, given how many times it was locked before: the
/// owner gets it back by waiting, a guesser gets a few tries a day at most.
pub fn lock_delay(previous_locks: i64) -> super::Millis {
    use super::{HOUR, MINUTE};
    match previous_locks {
        i64::MIN..=0 => 15 * MINUTE,
        1 => HOUR,
        _ => 24 * HOUR,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_lock_lasts_15_minutes_then_an_hour_then_a_day() {
        use crate::domain::{HOUR, MINUTE};
        assert_eq!(lock_delay(0), 15 * MINUTE);
        assert_eq!(lock_delay(1), HOUR);
        assert_eq!(lock_delay(2), 24 * HOUR);
        assert_eq!(lock_delay(9), 24 * HOUR);
    }

    /// The layout Django's `make_password(..., hasher="pbkdf2_sha256")` writes.
    fn django(password: &str, salt: &str, iterations: u32) -> String {
        let mut hash = [0u8; 32];
        pbkdf2::pbkdf2_hmac::<sha2::Sha256>(
            password.as_bytes(),
            salt.as_bytes(),
            iterations,
            &mut hash,
        );
        format!(
            "pbkdf2_sha256${iterations}${salt}${}",
            base64::engine::general_purpose::STANDARD.encode(hash)
        )
    }

    #[test]
    fn pbkdf2_sha256_hashes_in_django_layout_verify() {
        let stored = django("motdepasse-heritage", "sel2001", 1000);
        assert_eq!(format_of(&stored), Some(LegacyFormat::Pbkdf2Sha256));
        assert!(verify("motdepasse-heritage", &stored));
        assert!(!verify("motdepasse-heritage!", &stored));
    }

    #[test]
    fn a_published_pbkdf2_vector_verifies() {
        // RFC 7914 §11 PBKDF2-HMAC-SHA256 test vector (P="passwd", S="salt", c=1), first 32 bytes.
        let stored = "pbkdf2_sha256$1$salt$VawEblbjCJ/sFpHCJUS2BflBhSFt3gRl5oudV8INrLw=";
        assert!(verify("passwd", stored), "the RFC vector must verify");
    }

    #[test]
    fn bcrypt_hashes_verify() {
        let stored = bcrypt::hash_with_salt("motdepasse-heritage", 4, [7u8; 16])
            .unwrap()
            .format_for_version(bcrypt::Version::TwoB);
        assert_eq!(format_of(&stored), Some(LegacyFormat::Bcrypt));
        assert!(verify("motdepasse-heritage", &stored));
        assert!(!verify("autre", &stored));
    }

    #[test]
    fn hashes_past_the_cost_caps_are_refused_as_too_costly() {
        let salt = "c2Vs";
        let hash = base64::engine::general_purpose::STANDARD.encode([0u8; 32]);
        assert_eq!(
            importable(&format!("pbkdf2_sha256$1000000${salt}${hash}")),
            Ok(LegacyFormat::Pbkdf2Sha256)
        );
        assert_eq!(
            importable(&format!("pbkdf2_sha256$1000001${salt}${hash}")),
            Err(HashRefusal::TooCostly)
        );
        let bcrypt_at = |cost: &str| format!("$2b${cost}${}", "a".repeat(53));
        assert_eq!(importable(&bcrypt_at("12")), Ok(LegacyFormat::Bcrypt));
        assert_eq!(importable(&bcrypt_at("13")), Err(HashRefusal::TooCostly));
        assert_eq!(importable("md5$abc"), Err(HashRefusal::Unsupported));
    }

    fn costs(entries: &[(LegacyFormat, u64, u64)]) -> Vec<HashCost> {
        entries
            .iter()
            .map(|&(format, cost, hashes)| HashCost {
                format,
                cost,
                hashes,
            })
            .collect()
    }

    #[test]
    fn the_median_cost_is_the_middle_hash_weighted_by_count() {
        use LegacyFormat::*;
        let three_cheap_one_dear = costs(&[(Pbkdf2Sha256, 1000, 3), (Pbkdf2Sha256, 600_000, 1)]);
        assert_eq!(
            median_cost(&three_cheap_one_dear),
            Some((Pbkdf2Sha256, 1000))
        );
        let one_cheap_three_dear = costs(&[(Pbkdf2Sha256, 1000, 1), (Pbkdf2Sha256, 600_000, 3)]);
        assert_eq!(
            median_cost(&one_cheap_three_dear),
            Some((Pbkdf2Sha256, 600_000))
        );
        let even = costs(&[(Pbkdf2Sha256, 2000, 2), (Pbkdf2Sha256, 1000, 2)]);
        assert_eq!(
            median_cost(&even),
            Some((Pbkdf2Sha256, 1000)),
            "the lower middle"
        );
    }

    #[test]
    fn the_median_compares_bcrypt_and_pbkdf2_by_their_work() {
        use LegacyFormat::*;
        // bcrypt 10 (about 262,000 iterations of work) sits between 1,000 and 600,000 iterations.
        let mixed = costs(&[
            (Pbkdf2Sha256, 600_000, 1),
            (Bcrypt, 10, 1),
            (Pbkdf2Sha256, 1000, 1),
        ]);
        assert_eq!(median_cost(&mixed), Some((Bcrypt, 10)));
        // bcrypt 4 (4,096) is dearer than 1,000 iterations: four of those do not make the median.
        let mostly_bcrypt_4 = costs(&[(Bcrypt, 4, 5), (Pbkdf2Sha256, 1000, 4)]);
        assert_eq!(median_cost(&mostly_bcrypt_4), Some((Bcrypt, 4)));
    }

    #[test]
    fn no_imported_hash_has_no_median() {
        assert_eq!(median_cost(&[]), None);
        assert_eq!(median_cost(&costs(&[(LegacyFormat::Bcrypt, 10, 0)])), None);
    }

    #[test]
    fn a_decoy_hash_has_the_format_and_cost_asked_and_matches_no_password() {
        for (format, cost) in [
            (LegacyFormat::Pbkdf2Sha256, 1000),
            (LegacyFormat::Bcrypt, 4),
        ] {
            let decoy = decoy_hash(format, cost);
            assert_eq!(shape_of(&decoy), Some((format, cost)), "{decoy}");
            assert!(!verify("", &decoy) && !verify("decoy", &decoy));
        }
    }

    #[test]
    fn unknown_or_malformed_hashes_never_verify() {
        for stored in [
            "",
            "md5$abc",
            "pbkdf2_sha256$x$salt$hash",
            "pbkdf2_sha256$9999999999$s$AAAA",
            "$2b$short",
        ] {
            assert_eq!(format_of(stored), None, "{stored}");
            assert!(!verify("anything", stored));
        }
    }
}
