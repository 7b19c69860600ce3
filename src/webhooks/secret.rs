//! Signing secrets (Standard Webhooks): `whsec_` and the base64 of 32 random bytes. The secret
//! is shown once, when created or rotated; the database keeps it sealed with AES-256-GCM under a
//! key derived from the server secret, bound to its endpoint, so a copy of the table alone signs
//! nothing.

use base64::engine::general_purpose::STANDARD as BASE64;
use base64::Engine;
use hmac::{Hmac, Mac};
use sha2::Sha256;

pub const SECRET_PREFIX: &str = "whsec_";

crate::domain::sealed_secret!(
    /// A signing key: 256 random bits.
    SigningSecret,
    WebhookSealing,
    32
);

impl SigningSecret {
    /// The secret as the receiver configures it: `whsec_<base64>`.
    pub fn reveal(&self) -> String {
        format!("{SECRET_PREFIX}{}", BASE64.encode(&self.0))
    }

    /// `v1,<base64 of HMAC-SHA256 over "{id}.{timestamp}.{body}">`.
    pub fn sign(&self, id: &str, timestamp: i64, body: &str) -> String {
        let mut mac =
            <Hmac<Sha256> as Mac>::new_from_slice(&self.0).expect("HMAC takes any key length");
        mac.update(format!("{id}.{timestamp}.").as_bytes());
        mac.update(body.as_bytes());
        format!("v1,{}", BASE64.encode(mac.finalize().into_bytes()))
    }
}

/// The value of `webhook-signature`: one signature per secret, space-separated (the new secret
/// and, during a rotation's grace period, the previous one).
pub fn signature_header(secrets: &[SigningSecret], id: &str, timestamp: i64, body: &str) -> String {
    secrets
        .iter()
        .map(|secret| secret.sign(id, timestamp, body))
        .collect::<Vec<_>>()
        .join(" ")
}

/// Seals and opens signing secrets at rest.
pub type SealingKey = crate::domain::sealing::SealingKey<SigningSecret>;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::sealing::SealedSecret;
    use crate::domain::testing::FixedEntropy;

    /// The example of the Standard Webhooks specification's reference libraries.
    const SPEC_SECRET: &str = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
    const SPEC_ID: &str = "msg_p5jXN8AQM9LWM0D4loKWxJek";
    const SPEC_TIMESTAMP: i64 = 1614265330;
    const SPEC_BODY: &str = r#"{"test": 2432232314}"#;
    const SPEC_SIGNATURE: &str = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=";

    fn from_revealed(text: &str) -> SigningSecret {
        SigningSecret(
            BASE64
                .decode(text.strip_prefix(SECRET_PREFIX).unwrap())
                .unwrap(),
        )
    }

    #[test]
    fn signatures_match_the_specification_example() {
        let secret = from_revealed(SPEC_SECRET);
        assert_eq!(secret.reveal(), SPEC_SECRET);
        assert_eq!(
            secret.sign(SPEC_ID, SPEC_TIMESTAMP, SPEC_BODY),
            SPEC_SIGNATURE
        );
    }

    #[test]
    fn during_a_rotation_each_secret_signs_and_the_signatures_are_space_separated() {
        let old = SigningSecret::generate(&mut FixedEntropy::new(&[1]));
        let new = SigningSecret::generate(&mut FixedEntropy::new(&[2]));
        let header = signature_header(&[new.clone(), old.clone()], "msg_1", 1, "{}");
        assert_eq!(
            header,
            format!(
                "{} {}",
                new.sign("msg_1", 1, "{}"),
                old.sign("msg_1", 1, "{}")
            )
        );
        assert_ne!(new.sign("msg_1", 1, "{}"), old.sign("msg_1", 1, "{}"));
    }

    #[test]
    fn generated_secrets_are_32_bytes_behind_the_prefix() {
        let secret = SigningSecret::generate(&mut FixedEntropy::new(&[7, 9]));
        let revealed = secret.reveal();
        assert!(revealed.starts_with("whsec_"));
        assert_eq!(from_revealed(&revealed).0.len(), 32);
        assert!(
            !format!("{secret:?}").contains(&revealed[6..]),
            "never in logs"
        );
    }
}
