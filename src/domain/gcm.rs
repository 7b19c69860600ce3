//! AES-256-GCM with a 96-bit nonce and a 128-bit tag, the cipher of secrets at rest (see
//! [`super::sealing`]). In the worker it is the runtime's WebCrypto (`crypto.subtle.encrypt` and
//! `decrypt`), so the wasm carries no AES; native builds use the `aes-gcm` crate. Both write the
//! ciphertext followed by its tag, so either opens what the other sealed.

/// The ciphertext and tag of `message` under a 32-byte `key`, bound to `aad`.
pub async fn seal(key: &[u8], nonce: &[u8; 12], aad: &[u8], message: &[u8]) -> Option<Vec<u8>> {
    imp::run(true, &Params { key, nonce, aad }, message).await
}

/// The message, or `None` when `sealed` was not sealed under `key` with this nonce and `aad`.
pub async fn open(key: &[u8], nonce: &[u8; 12], aad: &[u8], sealed: &[u8]) -> Option<Vec<u8>> {
    imp::run(false, &Params { key, nonce, aad }, sealed).await
}

/// What a message is sealed under: the key, the nonce, and the additional data it is bound to.
struct Params<'a> {
    key: &'a [u8],
    nonce: &'a [u8; 12],
    aad: &'a [u8],
}

#[cfg(target_arch = "wasm32")]
mod imp {
    use super::super::webcrypto::{import_raw, subtle};
    use js_sys::{Array, Object, Reflect, Uint8Array};
    use wasm_bindgen::JsValue;

    pub async fn run(sealing: bool, params: &super::Params<'_>, input: &[u8]) -> Option<Vec<u8>> {
        let super::Params { key, nonce, aad } = *params;
        let usage = if sealing { "encrypt" } else { "decrypt" };
        let key = import_raw(key, &"AES-GCM".into(), usage).await?;
        let algorithm = Object::new();
        let fields: [(&str, JsValue); 4] = [
            ("name", "AES-GCM".into()),
            ("iv", Uint8Array::from(&nonce[..]).into()),
            ("additionalData", Uint8Array::from(aad).into()),
            ("tagLength", 128.into()),
        ];
        for (name, value) in fields {
            // Setting a property of a fresh plain object cannot fail.
            let _ = Reflect::set(&algorithm, &name.into(), &value);
        }
        let args = Array::of3(&algorithm, &key, &Uint8Array::from(input));
        Some(Uint8Array::new(&subtle(usage, &args).await?).to_vec())
    }
}

#[cfg(not(target_arch = "wasm32"))]
mod imp {
    use aes_gcm::aead::{Aead, Payload};
    use aes_gcm::{Aes256Gcm, KeyInit, Nonce};

    pub async fn run(sealing: bool, params: &super::Params<'_>, msg: &[u8]) -> Option<Vec<u8>> {
        let super::Params { key, nonce, aad } = *params;
        let cipher = Aes256Gcm::new_from_slice(key).ok()?;
        let nonce = Nonce::from_slice(nonce);
        let payload = Payload { msg, aad };
        if sealing {
            cipher.encrypt(nonce, payload).ok()
        } else {
            cipher.decrypt(nonce, payload).ok()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use futures_util::FutureExt;

    fn hex(bytes: &[u8]) -> String {
        bytes.iter().map(|b| format!("{b:02x}")).collect()
    }

    #[test]
    fn the_sealed_text_is_the_ciphertext_then_the_tag_of_the_nist_vector() {
        // NIST GCM test vectors (gcmEncryptExtIV256), Count 0 with a 128-bit message and 128-bit
        // AAD: the layout WebCrypto's `encrypt` answers too.
        let from_hex = |text: &str| -> Vec<u8> {
            (0..text.len() / 2)
                .map(|i| u8::from_str_radix(&text[2 * i..2 * i + 2], 16).unwrap())
                .collect()
        };
        let key = from_hex("92e11dcdaa866f5ce790fd24501f92509aacf4cb8b1339d50c9c1240935dd08b");
        let nonce: [u8; 12] = from_hex("ac93a1a6145299bde902f21a").try_into().unwrap();
        let message = from_hex("2d71bcfa914e4ac045b2aa60955fad24");
        let aad = from_hex("1e0889016f67601c8ebea4943bc23ad6");
        let sealed = seal(&key, &nonce, &aad, &message)
            .now_or_never()
            .unwrap()
            .unwrap();
        assert_eq!(
            hex(&sealed),
            "8995ae2e6df3dbf96fac7b7137bae67feca5aa77d51d4a0a14d9c51e1da474ab"
        );
        assert_eq!(
            open(&key, &nonce, &aad, &sealed).now_or_never().unwrap(),
            Some(message)
        );
        assert_eq!(
            open(&key, &nonce, b"other", &sealed)
                .now_or_never()
                .unwrap(),
            None
        );
    }
}
