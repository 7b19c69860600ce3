//! The keys derived from the server secret: one per purpose (HKDF-SHA256), so no two uses share a
//! key, and a rotation of that secret: new values use the current one, while values made under
//! the previous one (or before keys were derived, under the secret itself) still verify or open.

use hkdf::Hkdf;
use hmac::{Hmac, Mac};
use sha2::Sha256;

/// What a derived key is for; its name is HKDF's `info`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyPurpose {
    /// Keyed hashes of one-time codes, link codes and recovery codes.
    CodeHash,
    /// The seal of paging cursors.
    Cursor,
    /// AES-256-GCM of TOTP secrets at rest.
    TotpSealing,
    /// AES-256-GCM of webhook signing secrets at rest.
    WebhookSealing,
}

impl KeyPurpose {
    fn info(self) -> &'static [u8] {
        match self {
            KeyPurpose::CodeHash => b"sel/code-hash/v1",
            KeyPurpose::Cursor => b"sel/cursor/v1",
            KeyPurpose::TotpSealing => b"sel/totp-secrets/v1",
            KeyPurpose::WebhookSealing => b"sel/webhook-signing-secrets/v1",
        }
    }

    /// The key values were made with before the derivation: the secret itself for hashes and
    /// cursors, HMAC-SHA256 of the purpose under the secret for the seals.
    fn former_key(self, secret: &[u8]) -> Vec<u8> {
        match self {
            KeyPurpose::CodeHash | KeyPurpose::Cursor => secret.to_vec(),
            KeyPurpose::TotpSealing | KeyPurpose::WebhookSealing => {
                let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(secret)
                    .expect("HMAC takes any key length");
                mac.update(self.info());
                mac.finalize().into_bytes().to_vec()
            }
        }
    }
}

const SALT: &[u8] = b"sel/server-secret";

fn derive(secret: &[u8], purpose: KeyPurpose) -> Vec<u8> {
    let mut key = [0u8; 32];
    Hkdf::<Sha256>::new(Some(SALT), secret)
        .expand(purpose.info(), &mut key)
        .expect("32 bytes is a valid HKDF-SHA256 length");
    key.to_vec()
}

/// The server secret, and during a rotation the one it replaced.
#[derive(Clone)]
pub struct ServerSecrets {
    current: Vec<u8>,
    previous: Option<Vec<u8>>,
}

impl std::fmt::Debug for ServerSecrets {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ServerSecrets(..)")
    }
}

impl ServerSecrets {
    pub fn new(current: Vec<u8>, previous: Option<Vec<u8>>) -> ServerSecrets {
        ServerSecrets { current, previous }
    }

    /// The key every new value of `purpose` is made with.
    pub fn key(&self, purpose: KeyPurpose) -> Vec<u8> {
        derive(&self.current, purpose)
    }

    /// Every key a stored value of `purpose` may have been made with, the current key first:
    /// derived from the current and the previous secret, then the keys used before derivation.
    pub fn accepted_keys(&self, purpose: KeyPurpose) -> Vec<Vec<u8>> {
        let secrets: Vec<&[u8]> = std::iter::once(self.current.as_slice())
            .chain(self.previous.as_deref())
            .collect();
        let derived = secrets.iter().map(|s| derive(s, purpose));
        let former = secrets.iter().map(|s| purpose.former_key(s));
        derived.chain(former).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_purpose_has_its_own_key_and_none_is_the_secret() {
        let secrets = ServerSecrets::new(b"server secret".to_vec(), None);
        let purposes = [
            KeyPurpose::CodeHash,
            KeyPurpose::Cursor,
            KeyPurpose::TotpSealing,
            KeyPurpose::WebhookSealing,
        ];
        let keys: Vec<Vec<u8>> = purposes.iter().map(|&p| secrets.key(p)).collect();
        for (i, key) in keys.iter().enumerate() {
            assert_eq!(key.len(), 32);
            assert_ne!(key.as_slice(), b"server secret".as_slice());
            assert!(keys[i + 1..].iter().all(|other| other != key), "{i}");
        }
    }

    #[test]
    fn the_derivation_is_hkdf_sha256_of_the_secret() {
        // RFC 5869's extract-then-expand, written out with HMAC: the crate is what it says.
        let secret = b"server secret";
        let mut extract = <Hmac<Sha256> as Mac>::new_from_slice(SALT).unwrap();
        extract.update(secret);
        let prk = extract.finalize().into_bytes();
        let mut expand = <Hmac<Sha256> as Mac>::new_from_slice(&prk).unwrap();
        expand.update(b"sel/code-hash/v1");
        expand.update(&[1]);
        let expected = expand.finalize().into_bytes().to_vec();
        let secrets = ServerSecrets::new(secret.to_vec(), None);
        assert_eq!(secrets.key(KeyPurpose::CodeHash), expected);
    }

    #[test]
    fn values_of_the_previous_secret_and_of_the_former_keys_are_accepted() {
        let before = ServerSecrets::new(b"old".to_vec(), None);
        let rotated = ServerSecrets::new(b"new".to_vec(), Some(b"old".to_vec()));
        let accepted = rotated.accepted_keys(KeyPurpose::CodeHash);
        assert_eq!(
            accepted[0],
            rotated.key(KeyPurpose::CodeHash),
            "current first"
        );
        assert!(accepted.contains(&before.key(KeyPurpose::CodeHash)));
        assert!(
            accepted.contains(&b"old".to_vec()),
            "hashed with the secret itself"
        );
        assert!(accepted.contains(&b"new".to_vec()));
        assert_eq!(accepted.len(), 4);
        assert_eq!(before.accepted_keys(KeyPurpose::CodeHash).len(), 2);
    }
}
