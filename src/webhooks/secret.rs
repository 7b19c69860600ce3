//! Signing secrets (Standard Webhooks): `whsec_` and the base64 of 32 random bytes. The secret
//! is shown once, when created or rotated; the database keeps it sealed with AES-256-GCM under a
//! key derived from the server secret, bound to its endpoint, so a copy of the table alone signs
//! nothing.

use crate::domain::sealing::Sealer;
use crate::domain::secrets::{KeyPurpose, ServerSecrets};
use crate::domain::Entropy;
use base64::engine::general_purpose::STANDARD as BASE64;
use base64::Engine;
use hmac::{Hmac, Mac};
use sha2::Sha256;

pub const SECRET_PREFIX: &str = "whsec_";
const SECRET_BYTES: usize = 32;

#[derive(Clone, PartialEq, Eq)]
pub struct SigningSecret(Vec<u8>);

crate::domain::redacted_debug!(SigningSecret);

impl SigningSecret {
    pub fn generate(entropy: &mut impl Entropy) -> SigningSecret {
        let mut bytes = vec![0u8; SECRET_BYTES];
        entropy.fill(&mut bytes);
        SigningSecret(bytes)
    }

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
pub struct SealingKey(Sealer);

impl SealingKey {
    /// Derived from the server secrets, for this purpose only.
    pub fn new(secrets: &ServerSecrets) -> SealingKey {
        SealingKey(Sealer::new(secrets, KeyPurpose::WebhookSealing))
    }

    /// Bound to `endpoint_id`.
    pub async fn seal(
        &self,
        secret: &SigningSecret,
        endpoint_id: &str,
        entropy: &mut impl Entropy,
    ) -> String {
        self.0.seal(&secret.0, endpoint_id, entropy).await
    }

    /// `None` when the text was not sealed by this key for this `endpoint_id`.
    pub async fn open(&self, sealed: &str, endpoint_id: &str) -> Option<SigningSecret> {
        self.0.open(sealed, endpoint_id).await.map(SigningSecret)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::testing::FixedEntropy;
    use futures_util::FutureExt;

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

    #[test]
    fn a_sealed_secret_opens_only_with_its_key_and_endpoint() {
        let secret = SigningSecret::generate(&mut FixedEntropy::new(&[3, 4, 5]));
        let key = SealingKey::new(&ServerSecrets::new(b"server secret".to_vec(), None));
        let sealed = key
            .seal(&secret, "endpoint-1", &mut FixedEntropy::new(&[8]))
            .now_or_never()
            .unwrap();

        assert!(sealed.starts_with("v1."));
        assert!(
            !sealed.contains(&secret.reveal()[6..]),
            "the secret is not readable"
        );
        assert_eq!(
            key.open(&sealed, "endpoint-1").now_or_never().unwrap(),
            Some(secret)
        );
        assert_eq!(
            key.open(&sealed, "endpoint-2").now_or_never().unwrap(),
            None,
            "bound to its endpoint"
        );
        assert_eq!(
            SealingKey::new(&ServerSecrets::new(b"another secret".to_vec(), None))
                .open(&sealed, "endpoint-1")
                .now_or_never()
                .unwrap(),
            None
        );
        assert_eq!(
            key.open("v1.AAAA", "endpoint-1").now_or_never().unwrap(),
            None
        );
        assert_eq!(
            key.open("plain", "endpoint-1").now_or_never().unwrap(),
            None
        );
    }
}
