//! HMAC-SHA-1, the MAC of TOTP codes (RFC 6238 as authenticator apps implement it). In the worker
//! it is the runtime's WebCrypto (`crypto.subtle.sign`), so the wasm carries no SHA-1; native
//! builds (unit tests, tools) use the `hmac` and `sha1` crates. Both follow RFC 2104.

/// The MAC of `message` under `key`; `None` only if the runtime refuses the key.
pub async fn sign(key: &[u8], message: &[u8]) -> Option<[u8; 20]> {
    imp::sign(key, message).await
}

#[cfg(target_arch = "wasm32")]
mod imp {
    use super::super::webcrypto::{algorithm, import_raw, subtle};
    use js_sys::{Array, Uint8Array};

    pub async fn sign(key: &[u8], message: &[u8]) -> Option<[u8; 20]> {
        let hmac = algorithm(&[("name", "HMAC"), ("hash", "SHA-1")]);
        let key = import_raw(key, &hmac, "sign").await?;
        let args = Array::of3(&"HMAC".into(), &key, &Uint8Array::from(message));
        let mac = Uint8Array::new(&subtle("sign", &args).await?).to_vec();
        <[u8; 20]>::try_from(mac).ok()
    }
}

#[cfg(not(target_arch = "wasm32"))]
mod imp {
    use hmac::{Hmac, Mac};

    pub async fn sign(key: &[u8], message: &[u8]) -> Option<[u8; 20]> {
        let mut mac = <Hmac<sha1::Sha1> as Mac>::new_from_slice(key).ok()?;
        mac.update(message);
        Some(mac.finalize().into_bytes().into())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use futures_util::FutureExt;

    #[test]
    fn the_mac_is_that_of_rfc_2202() {
        // RFC 2202, test case 2.
        let mac = sign(b"Jefe", b"what do ya want for nothing?")
            .now_or_never()
            .unwrap()
            .unwrap();
        let hex: String = mac.iter().map(|b| format!("{b:02x}")).collect();
        assert_eq!(hex, "effcdf6ae5eb2fa2d27416d5f184df9c259a7c79");
    }
}
