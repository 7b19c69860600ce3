//! ES256 (ECDSA on P-256 with SHA-256), the signature of passkeys. In the worker it is the
//! runtime's WebCrypto (`crypto.subtle.importKey` and `verify`, BoringSSL in workerd), so the wasm
//! carries no elliptic-curve arithmetic (the `p256` crate weighed about 12 KB gzip); native builds
//! (unit tests, tools) use the `p256` crate. Both check that a key is a point on the curve and
//! verify a signature given as the 64 bytes r || s over the message (hashed with SHA-256 here).

/// A P-256 public key as a SEC1 uncompressed point (0x04, x, y).
pub type Point = [u8; 65];

/// Whether `point` is a P-256 public key (on the curve, not the identity).
pub async fn is_public_key(point: &Point) -> bool {
    imp::import(point).await.is_some()
}

/// Whether `signature` (r || s) of `message` verifies with the P-256 key `point`; `None` when
/// `point` is not a P-256 key.
pub async fn verify(point: &Point, message: &[u8], signature: &[u8; 64]) -> Option<bool> {
    let key = imp::import(point).await?;
    Some(imp::verify(&key, message, signature).await)
}

#[cfg(target_arch = "wasm32")]
mod imp {
    use super::super::webcrypto::{algorithm, import_raw, subtle};
    use js_sys::{Array, Uint8Array};
    use wasm_bindgen::JsValue;

    /// The WebCrypto key of `point`; `None` when it is not a point of P-256.
    pub async fn import(point: &[u8]) -> Option<JsValue> {
        let curve = algorithm(&[("name", "ECDSA"), ("namedCurve", "P-256")]);
        import_raw(point, &curve, "verify").await
    }

    pub async fn verify(key: &JsValue, message: &[u8], signature: &[u8; 64]) -> bool {
        let args = Array::of4(
            &algorithm(&[("name", "ECDSA"), ("hash", "SHA-256")]),
            key,
            &Uint8Array::from(&signature[..]),
            &Uint8Array::from(message),
        );
        subtle("verify", &args)
            .await
            .and_then(|valid| valid.as_bool())
            == Some(true)
    }
}

#[cfg(not(target_arch = "wasm32"))]
mod imp {
    use p256::ecdsa::signature::Verifier;
    use p256::ecdsa::{Signature, VerifyingKey};

    pub async fn import(point: &[u8]) -> Option<VerifyingKey> {
        VerifyingKey::from_sec1_bytes(point).ok()
    }

    pub async fn verify(key: &VerifyingKey, message: &[u8], signature: &[u8; 64]) -> bool {
        Signature::from_slice(signature)
            .is_ok_and(|signature| key.verify(message, &signature).is_ok())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use futures_util::FutureExt;
    use p256::ecdsa::signature::Signer;
    use p256::ecdsa::{Signature, SigningKey};

    fn point(key: &SigningKey) -> Point {
        let encoded = key.verifying_key().to_encoded_point(false);
        Point::try_from(encoded.as_bytes()).unwrap()
    }

    #[test]
    fn a_signature_verifies_with_its_key_only_and_over_its_message_only() {
        let key = SigningKey::from_slice(&[7u8; 32]).unwrap();
        let other = SigningKey::from_slice(&[9u8; 32]).unwrap();
        let signature: Signature = key.sign(b"message");
        let rs: [u8; 64] = signature.to_bytes().into();
        let check =
            |point: &Point, message: &[u8]| verify(point, message, &rs).now_or_never().unwrap();
        assert_eq!(check(&point(&key), b"message"), Some(true));
        assert_eq!(check(&point(&other), b"message"), Some(false));
        assert_eq!(check(&point(&key), b"massage"), Some(false));
        assert_eq!(check(&[0u8; 65], b"message"), None, "not a key");
    }

    #[test]
    fn a_point_off_the_curve_is_not_a_key() {
        let key = SigningKey::from_slice(&[7u8; 32]).unwrap();
        let mut bent = point(&key);
        bent[64] ^= 1;
        assert!(is_public_key(&point(&key)).now_or_never().unwrap());
        assert!(!is_public_key(&bent).now_or_never().unwrap());
        assert!(!is_public_key(&[0u8; 65]).now_or_never().unwrap());
    }
}
