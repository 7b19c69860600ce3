//! Secrets kept at rest (TOTP secrets, webhook signing secrets): AES-256-GCM under a key derived
//! from the server secret for one purpose (see `secrets`), each sealed text bound to the row that owns it (its id
//! is the associated data), so a sealed value copied to another row does not open.

use super::secrets::{KeyPurpose, ServerSecrets};
use super::Entropy;
use aes_gcm::aead::{Aead, Payload};
use aes_gcm::{Aes256Gcm, KeyInit, Nonce};
use base64::engine::general_purpose::STANDARD as BASE64;
use base64::Engine;

const NONCE_BYTES: usize = 12;
/// The format of a sealed text, so a later one can be told apart.
const SEALED_PREFIX: &str = "v1.";

/// Seals under the current key of one purpose; opens what any key still accepted sealed (the
/// previous secret's during a rotation, and the key used before keys were derived with HKDF).
pub struct Sealer {
    current: Aes256Gcm,
    accepted: Vec<Aes256Gcm>,
}

fn cipher(key: &[u8]) -> Aes256Gcm {
    Aes256Gcm::new_from_slice(key).expect("32 bytes make an AES-256 key")
}

impl Sealer {
    pub fn new(secrets: &ServerSecrets, purpose: KeyPurpose) -> Sealer {
        Sealer {
            current: cipher(&secrets.key(purpose)),
            accepted: secrets
                .accepted_keys(purpose)
                .iter()
                .map(|key| cipher(key))
                .collect(),
        }
    }

    /// `v1.<base64 of nonce and ciphertext>`, bound to `owner`.
    pub fn seal(&self, secret: &[u8], owner: &str, entropy: &mut impl Entropy) -> String {
        let mut nonce = [0u8; NONCE_BYTES];
        entropy.fill(&mut nonce);
        let sealed = self
            .current
            .encrypt(
                Nonce::from_slice(&nonce),
                Payload {
                    msg: secret,
                    aad: owner.as_bytes(),
                },
            )
            .expect("AES-GCM seals a short secret");
        let mut bytes = nonce.to_vec();
        bytes.extend(sealed);
        format!("{SEALED_PREFIX}{}", BASE64.encode(bytes))
    }

    /// `None` when the text was not sealed by this key for this owner.
    pub fn open(&self, sealed: &str, owner: &str) -> Option<Vec<u8>> {
        let bytes = BASE64.decode(sealed.strip_prefix(SEALED_PREFIX)?).ok()?;
        if bytes.len() <= NONCE_BYTES {
            return None;
        }
        let (nonce, ciphertext) = bytes.split_at(NONCE_BYTES);
        self.accepted.iter().find_map(|key| {
            key.decrypt(
                Nonce::from_slice(nonce),
                Payload {
                    msg: ciphertext,
                    aad: owner.as_bytes(),
                },
            )
            .ok()
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::testing::FixedEntropy;
    use hmac::{Hmac, Mac};

    fn secrets(current: &[u8], previous: Option<&[u8]>) -> ServerSecrets {
        ServerSecrets::new(current.to_vec(), previous.map(<[u8]>::to_vec))
    }

    #[test]
    fn a_text_sealed_under_the_previous_secret_opens_after_a_rotation() {
        let before = Sealer::new(&secrets(b"old", None), KeyPurpose::TotpSealing);
        let sealed = before.seal(b"totp", "user-1", &mut FixedEntropy::new(&[1]));
        let rotated = Sealer::new(&secrets(b"new", Some(b"old")), KeyPurpose::TotpSealing);
        assert_eq!(rotated.open(&sealed, "user-1"), Some(b"totp".to_vec()));
        let resealed = rotated.seal(b"totp", "user-1", &mut FixedEntropy::new(&[2]));
        assert_eq!(
            before.open(&resealed, "user-1"),
            None,
            "new texts use the new secret"
        );
        let after = Sealer::new(&secrets(b"new", None), KeyPurpose::TotpSealing);
        assert_eq!(
            after.open(&sealed, "user-1"),
            None,
            "once the previous secret is gone"
        );
        assert_eq!(after.open(&resealed, "user-1"), Some(b"totp".to_vec()));
    }

    #[test]
    fn a_text_sealed_before_keys_were_derived_with_hkdf_still_opens() {
        // The former derivation: HMAC-SHA256 of the purpose under the secret.
        let mut mac = <Hmac<sha2::Sha256> as Mac>::new_from_slice(b"secret").unwrap();
        mac.update(b"sel/webhook-signing-secrets/v1");
        let former = Sealer {
            current: cipher(&mac.finalize().into_bytes()),
            accepted: vec![],
        };
        let sealed = former.seal(b"whsec", "endpoint-1", &mut FixedEntropy::new(&[3]));
        let now = Sealer::new(&secrets(b"secret", None), KeyPurpose::WebhookSealing);
        assert_eq!(now.open(&sealed, "endpoint-1"), Some(b"whsec".to_vec()));
        let other = Sealer::new(&secrets(b"secret", None), KeyPurpose::TotpSealing);
        assert_eq!(
            other.open(&sealed, "endpoint-1"),
            None,
            "not another purpose's"
        );
    }
}
