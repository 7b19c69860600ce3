//! Secrets kept at rest (TOTP secrets, webhook signing secrets): AES-256-GCM under a key derived
//! from the server secret for one purpose (see `secrets`), each sealed text bound to the row that owns it (its id
//! is the associated data), so a sealed value copied to another row does not open.

use super::gcm;
use super::secrets::{KeyPurpose, ServerSecrets};
use super::Entropy;
use base64::engine::general_purpose::STANDARD as BASE64;
use base64::Engine;
use std::marker::PhantomData;

const NONCE_BYTES: usize = 12;
/// The format of a sealed text, so a later one can be told apart.
const SEALED_PREFIX: &str = "v1.";

/// Seals under the current key of one purpose; opens what any key still accepted sealed (the
/// previous secret's during a rotation, and the key used before keys were derived with HKDF).
/// Keys are 32 bytes (AES-256).
pub struct Sealer {
    current: Vec<u8>,
    accepted: Vec<Vec<u8>>,
}

impl Sealer {
    pub fn new(secrets: &ServerSecrets, purpose: KeyPurpose) -> Sealer {
        Sealer {
            current: secrets.key(purpose),
            accepted: secrets.accepted_keys(purpose),
        }
    }

    /// `v1.<base64 of nonce and ciphertext>`, bound to `owner`.
    pub async fn seal(&self, secret: &[u8], owner: &str, entropy: &mut impl Entropy) -> String {
        let mut nonce = [0u8; NONCE_BYTES];
        entropy.fill(&mut nonce);
        let sealed = gcm::seal(&self.current, &nonce, owner.as_bytes(), secret)
            .await
            .expect("AES-GCM seals a short secret under a 32-byte key");
        let mut bytes = nonce.to_vec();
        bytes.extend(sealed);
        format!("{SEALED_PREFIX}{}", BASE64.encode(bytes))
    }

    /// `None` when the text was not sealed by this key for this owner.
    pub async fn open(&self, sealed: &str, owner: &str) -> Option<Vec<u8>> {
        let bytes = BASE64.decode(sealed.strip_prefix(SEALED_PREFIX)?).ok()?;
        if bytes.len() <= NONCE_BYTES {
            return None;
        }
        let (nonce, ciphertext) = bytes.split_at(NONCE_BYTES);
        let nonce: &[u8; NONCE_BYTES] = nonce.try_into().ok()?;
        for key in &self.accepted {
            if let Some(secret) = gcm::open(key, nonce, owner.as_bytes(), ciphertext).await {
                return Some(secret);
            }
        }
        None
    }
}

/// A secret kept at rest: random bytes, sealed under the key of its purpose.
pub trait SealedSecret: Sized {
    const PURPOSE: KeyPurpose;
    /// How many random bytes a new one has.
    const BYTES: usize;
    fn from_bytes(bytes: Vec<u8>) -> Self;
    fn bytes(&self) -> &[u8];

    fn generate(entropy: &mut impl Entropy) -> Self {
        let mut bytes = vec![0u8; Self::BYTES];
        entropy.fill(&mut bytes);
        Self::from_bytes(bytes)
    }
}

/// Seals and opens one kind of secret, each bound to the id of the row that owns it.
pub struct SealingKey<S>(Sealer, PhantomData<S>);

impl<S: SealedSecret> SealingKey<S> {
    /// Derived from the server secrets, for this kind of secret only.
    pub fn new(secrets: &ServerSecrets) -> Self {
        SealingKey(Sealer::new(secrets, S::PURPOSE), PhantomData)
    }

    pub async fn seal(&self, secret: &S, owner: &str, entropy: &mut impl Entropy) -> String {
        self.0.seal(secret.bytes(), owner, entropy).await
    }

    /// `None` when the text was not sealed by this key for this `owner`.
    pub async fn open(&self, sealed: &str, owner: &str) -> Option<S> {
        self.0.open(sealed, owner).await.map(S::from_bytes)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::testing::FixedEntropy;
    use futures_util::FutureExt;
    use hmac::{Hmac, Mac};

    fn seal(sealer: &Sealer, secret: &[u8], owner: &str, entropy: u8) -> String {
        sealer
            .seal(secret, owner, &mut FixedEntropy::new(&[entropy]))
            .now_or_never()
            .unwrap()
    }

    fn open(sealer: &Sealer, sealed: &str, owner: &str) -> Option<Vec<u8>> {
        sealer.open(sealed, owner).now_or_never().unwrap()
    }

    fn secrets(current: &[u8], previous: Option<&[u8]>) -> ServerSecrets {
        ServerSecrets::new(current.to_vec(), previous.map(<[u8]>::to_vec))
    }

    sealed_secret!(Secret, TotpSealing, 20);

    #[test]
    fn a_sealed_secret_shows_nothing_of_itself_and_opens_only_with_its_key_and_owner() {
        let secret = Secret::generate(&mut FixedEntropy::new(&[3, 4, 5]));
        let key = SealingKey::<Secret>::new(&secrets(b"server secret", None));
        let sealed = key
            .seal(&secret, "owner-1", &mut FixedEntropy::new(&[8]))
            .now_or_never()
            .unwrap();
        assert!(sealed.starts_with("v1."));
        assert!(!sealed.contains(&BASE64.encode(secret.bytes())[..8]));
        let opened = |key: &SealingKey<Secret>, text: &str, owner: &str| {
            key.open(text, owner).now_or_never().unwrap()
        };
        assert_eq!(opened(&key, &sealed, "owner-1"), Some(secret));
        assert_eq!(opened(&key, &sealed, "owner-2"), None, "bound to its owner");
        let other = SealingKey::<Secret>::new(&secrets(b"other", None));
        assert_eq!(
            opened(&other, &sealed, "owner-1"),
            None,
            "only under its key"
        );
        for malformed in ["v1.AAAA", "plain"] {
            assert_eq!(opened(&key, malformed, "owner-1"), None, "{malformed}");
        }
    }

    #[test]
    fn a_text_sealed_under_the_previous_secret_opens_after_a_rotation() {
        let before = Sealer::new(&secrets(b"old", None), KeyPurpose::TotpSealing);
        let sealed = seal(&before, b"totp", "user-1", 1);
        let rotated = Sealer::new(&secrets(b"new", Some(b"old")), KeyPurpose::TotpSealing);
        assert_eq!(open(&rotated, &sealed, "user-1"), Some(b"totp".to_vec()));
        let resealed = seal(&rotated, b"totp", "user-1", 2);
        assert_eq!(
            open(&before, &resealed, "user-1"),
            None,
            "new texts use the new secret"
        );
        let after = Sealer::new(&secrets(b"new", None), KeyPurpose::TotpSealing);
        assert_eq!(
            open(&after, &sealed, "user-1"),
            None,
            "once the previous secret is gone"
        );
        assert_eq!(open(&after, &resealed, "user-1"), Some(b"totp".to_vec()));
    }

    #[test]
    fn a_text_sealed_before_keys_were_derived_with_hkdf_still_opens() {
        // The former derivation: HMAC-SHA256 of the purpose under the secret.
        let mut mac = <Hmac<sha2::Sha256> as Mac>::new_from_slice(b"secret").unwrap();
        mac.update(b"sel/webhook-signing-secrets/v1");
        let former = Sealer {
            current: mac.finalize().into_bytes().to_vec(),
            accepted: vec![],
        };
        let sealed = seal(&former, b"whsec", "endpoint-1", 3);
        let now = Sealer::new(&secrets(b"secret", None), KeyPurpose::WebhookSealing);
        assert_eq!(open(&now, &sealed, "endpoint-1"), Some(b"whsec".to_vec()));
        let other = Sealer::new(&secrets(b"secret", None), KeyPurpose::TotpSealing);
        assert_eq!(
            open(&other, &sealed, "endpoint-1"),
            None,
            "not another purpose's"
        );
    }
}
