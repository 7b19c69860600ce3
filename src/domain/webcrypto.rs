//! The runtime's WebCrypto (`crypto.subtle`), for the worker's ES256 and HMAC-SHA-1: the wasm then
//! carries neither elliptic-curve arithmetic nor SHA-1. Only compiled for the worker; native builds
//! use crates instead (see [`super::es256`] and [`super::hmac_sha1`]).

use js_sys::{Array, Function, Object, Promise, Reflect, Uint8Array};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

/// `crypto.subtle[method](...args)`, awaited; `None` when it throws or rejects.
pub async fn subtle(method: &str, args: &Array) -> Option<JsValue> {
    let crypto = Reflect::get(&js_sys::global(), &"crypto".into()).ok()?;
    let subtle = Reflect::get(&crypto, &"subtle".into()).ok()?;
    let function: Function = Reflect::get(&subtle, &method.into())
        .ok()?
        .dyn_into()
        .ok()?;
    let promise: Promise = function.apply(&subtle, args).ok()?.dyn_into().ok()?;
    JsFuture::from(promise).await.ok()
}

/// `crypto.subtle.importKey("raw", bytes, algorithm, false, [usage])`: a key that cannot be
/// exported, for one use; `None` when the bytes are not a key of that algorithm.
pub async fn import_raw(bytes: &[u8], algorithm: &JsValue, usage: &str) -> Option<JsValue> {
    let args = Array::of5(
        &"raw".into(),
        &Uint8Array::from(bytes),
        algorithm,
        &false.into(),
        &Array::of1(&usage.into()),
    );
    subtle("importKey", &args).await
}

/// An algorithm object such as `{ name: "ECDSA", hash: "SHA-256" }`.
pub fn algorithm(fields: &[(&str, &str)]) -> JsValue {
    let object = Object::new();
    for (name, value) in fields {
        // Setting a property of a fresh plain object cannot fail.
        let _ = Reflect::set(&object, &(*name).into(), &(*value).into());
    }
    object.into()
}
