//! Secrets kept at rest (TOTP secrets, webhook signing secrets): AES-256-GCM under a key derived
//! from the server secret for one purpose, each sealed text bound to the row that owns it (its id
//! is the associated data), so a sealed value copied to another row does not open.

use super::Entropy;
use aes_gcm::aead::{Aead, Payload};
use aes_gcm::{Aes256Gcm, KeyInit, Nonce};
use base64::engine::general_purpose::STANDARD as BASE64;
use base64::Engine;
use hmac::{Hmac, Mac};

const NONCE_BYTES: usize = 12;
/// The format of a sealed text, so a later one can be told apart.
const SEALED_PREFIX: &str = "v1.";

pub struct Sealer(Aes256Gcm);

impl Sealer {
    /// The key of one `purpose` (`sel/<what>/v1`), derived from the server secret.
    pub fn derive(server_secret: &[u8], purpose: &[u8]) -> Sealer {
        let mut mac = <Hmac<sha2::Sha256> as Mac>::new_from_slice(server_secret)
            .expect("HMAC takes any key length");
        mac.update(purpose);
        let key = mac.finalize().into_bytes();
        Sealer(Aes256Gcm::new_from_slice(&key).expect("32 bytes make an AES-256 key"))
    }

    /// `v1.<base64 of nonce and ciphertext>`, bound to `owner`.
    pub fn seal(&self, secret: &[u8], owner: &str, entropy: &mut impl Entropy) -> String {
        let mut nonce = [0u8; NONCE_BYTES];
        entropy.fill(&mut nonce);
        let sealed = self
            .0
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
        self.0
            .decrypt(
                Nonce::from_slice(nonce),
                Payload {
                    msg: ciphertext,
                    aad: owner.as_bytes(),
                },
            )
            .ok()
    }
}
