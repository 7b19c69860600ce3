//! Passkeys (WebAuthn Level 2): what the browser sends when a passkey is created or used, and the
//! checks that make it a proof. Only ES256 keys (ECDSA on P-256 with SHA-256) and the attestation
//! format "none" are accepted: the portal asks for no attestation, so it trusts no authenticator
//! maker, only the key it is given at registration and the user verification the flags report.

use super::es256::{self, Point};
use super::fields::Problem;
use super::{Entropy, Millis, MINUTE};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use serde_json::Value;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

/// How long a challenge handed to the browser may be answered.
pub const CHALLENGE_LIFETIME: Millis = 5 * MINUTE;
/// COSE algorithm ES256, the only one offered and accepted.
pub const ES256: i64 = -7;
/// A credential id is at most 1023 bytes (WebAuthn Level 2, 5.8.1).
const MAX_CREDENTIAL_ID: usize = 1023;
/// The largest encoded piece of a credential kept for parsing (authenticator data, client data,
/// attestation object), far above what an ES256 passkey sends.
const MAX_PART: usize = 4096;
pub const NAME_MAX_CHARS: usize = 60;

const FLAG_USER_PRESENT: u8 = 0x01;
const FLAG_USER_VERIFIED: u8 = 0x04;
const FLAG_ATTESTED_DATA: u8 = 0x40;

/// Why a credential is not accepted as a proof.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rejection {
    Malformed,
    WrongType,
    WrongChallenge,
    WrongOrigin,
    WrongRelyingParty,
    UserNotPresent,
    UserNotVerified,
    UnsupportedAttestation,
    UnsupportedKey,
    BadSignature,
    CounterRegression,
    /// No passkey of the portal (or of this person) has this credential id.
    UnknownCredential,
}

/// Who the credential must be for: the portal's host as relying party id, and the page origin.
#[derive(Debug, Clone)]
pub struct RelyingParty {
    pub id: String,
    pub origin: String,
}

/// 32 random bytes the authenticator signs, shown and stored in base64url.
pub fn new_challenge(entropy: &mut impl Entropy) -> String {
    random_base64url::<32>(entropy)
}

/// The random id of the account given to authenticators (never the account's own id).
pub fn new_user_handle(entropy: &mut impl Entropy) -> String {
    random_base64url::<16>(entropy)
}

fn random_base64url<const N: usize>(entropy: &mut impl Entropy) -> String {
    let mut bytes = [0u8; N];
    entropy.fill(&mut bytes);
    URL_SAFE_NO_PAD.encode(bytes)
}

/// A passkey's name as its owner typed it: trimmed, 1 to 60 characters, no control characters.
pub fn parse_name(raw: &str) -> Result<String, Problem> {
    let name = raw.trim();
    if name.is_empty() {
        Err(Problem::Required)
    } else if name.chars().count() > NAME_MAX_CHARS {
        Err(Problem::TooLong)
    } else if name.chars().any(char::is_control) {
        Err(Problem::InvalidText)
    } else {
        Ok(name.to_owned())
    }
}

/// The members of `clientDataJSON` that are checked.
#[derive(Debug)]
pub struct ClientData {
    kind: String,
    challenge: String,
    origin: String,
}

impl ClientData {
    fn parse(bytes: &[u8]) -> Result<ClientData, Problem> {
        let json: Value = serde_json::from_slice(bytes).map_err(|_| Problem::InvalidCredential)?;
        let text = |name: &str| {
            json.get(name)
                .and_then(Value::as_str)
                .map(str::to_owned)
                .ok_or(Problem::InvalidCredential)
        };
        Ok(ClientData {
            kind: text("type")?,
            challenge: text("challenge")?,
            origin: text("origin")?,
        })
    }

    /// The challenge the browser says it answers: how the server finds the one it handed out.
    pub fn challenge(&self) -> &str {
        &self.challenge
    }

    fn check(&self, kind: &str, challenge: &str, rp: &RelyingParty) -> Result<(), Rejection> {
        if self.kind != kind {
            return Err(Rejection::WrongType);
        }
        if !bool::from(self.challenge.as_bytes().ct_eq(challenge.as_bytes())) {
            return Err(Rejection::WrongChallenge);
        }
        if self.origin != rp.origin {
            return Err(Rejection::WrongOrigin);
        }
        Ok(())
    }
}

/// `response` of a `PublicKeyCredential` created by `navigator.credentials.create`, as its
/// `toJSON()` gives it (binary members in base64url).
#[derive(Debug)]
pub struct Registration {
    pub client_data: ClientData,
    attestation_object: Vec<u8>,
}

/// A `PublicKeyCredential` from `navigator.credentials.get`.
#[derive(Debug)]
pub struct Assertion {
    /// The credential id, base64url, as stored.
    pub credential_id: String,
    pub client_data: ClientData,
    client_data_json: Vec<u8>,
    authenticator_data: Vec<u8>,
    signature: Vec<u8>,
    /// The account's handle, base64url, which discoverable credentials return.
    pub user_handle: Option<String>,
}

fn member<'a>(object: &'a Value, name: &str) -> Result<&'a Value, Problem> {
    object.get(name).ok_or(Problem::InvalidCredential)
}

fn binary(object: &Value, name: &str, max: usize) -> Result<Vec<u8>, Problem> {
    let text = member(object, name)?
        .as_str()
        .ok_or(Problem::InvalidCredential)?;
    if text.len() > max.div_ceil(3) * 4 {
        return Err(Problem::TooLong);
    }
    URL_SAFE_NO_PAD
        .decode(text.trim_end_matches('='))
        .map_err(|_| Problem::InvalidCredential)
}

fn response(credential: &Value) -> Result<&Value, Problem> {
    if member(credential, "type")?.as_str() != Some("public-key") {
        return Err(Problem::InvalidCredential);
    }
    member(credential, "response")
}

impl Registration {
    pub fn from_json(credential: &Value) -> Result<Registration, Problem> {
        let response = response(credential)?;
        let client_data_json = binary(response, "clientDataJSON", MAX_PART)?;
        Ok(Registration {
            client_data: ClientData::parse(&client_data_json)?,
            attestation_object: binary(response, "attestationObject", MAX_PART)?,
        })
    }
}

impl Assertion {
    pub fn from_json(credential: &Value) -> Result<Assertion, Problem> {
        let raw_id = binary(credential, "rawId", MAX_CREDENTIAL_ID)?;
        if raw_id.is_empty() || raw_id.len() > MAX_CREDENTIAL_ID {
            return Err(Problem::InvalidCredential);
        }
        let response = response(credential)?;
        let client_data_json = binary(response, "clientDataJSON", MAX_PART)?;
        let user_handle = match response.get("userHandle") {
            None | Some(Value::Null) => None,
            Some(_) => Some(URL_SAFE_NO_PAD.encode(binary(response, "userHandle", 64)?)),
        };
        Ok(Assertion {
            credential_id: URL_SAFE_NO_PAD.encode(raw_id),
            client_data: ClientData::parse(&client_data_json)?,
            client_data_json,
            authenticator_data: binary(response, "authenticatorData", MAX_PART)?,
            signature: binary(response, "signature", 80)?,
            user_handle,
        })
    }
}

/// A verified new passkey: what is stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewPasskey {
    /// base64url
    pub credential_id: String,
    /// The P-256 point, SEC1 uncompressed, base64url.
    pub public_key: String,
    pub sign_count: u32,
}

/// The fixed start of authenticator data: rpIdHash, flags, signCount.
struct AuthenticatorData<'a> {
    rp_id_hash: &'a [u8],
    flags: u8,
    sign_count: u32,
    rest: &'a [u8],
}

impl<'a> AuthenticatorData<'a> {
    fn parse(bytes: &'a [u8]) -> Result<AuthenticatorData<'a>, Rejection> {
        if bytes.len() < 37 {
            return Err(Rejection::Malformed);
        }
        Ok(AuthenticatorData {
            rp_id_hash: &bytes[..32],
            flags: bytes[32],
            sign_count: u32::from_be_bytes([bytes[33], bytes[34], bytes[35], bytes[36]]),
            rest: &bytes[37..],
        })
    }

    /// Made for this relying party, with the user present and verified (PIN or biometrics).
    fn check(&self, rp: &RelyingParty) -> Result<(), Rejection> {
        let expected = Sha256::digest(rp.id.as_bytes());
        if !bool::from(self.rp_id_hash.ct_eq(expected.as_slice())) {
            return Err(Rejection::WrongRelyingParty);
        }
        if self.flags & FLAG_USER_PRESENT == 0 {
            return Err(Rejection::UserNotPresent);
        }
        if self.flags & FLAG_USER_VERIFIED == 0 {
            return Err(Rejection::UserNotVerified);
        }
        Ok(())
    }
}

/// Checks a new credential against the challenge handed out for it; answers the key to store.
pub async fn verify_registration(
    registration: &Registration,
    challenge: &str,
    rp: &RelyingParty,
) -> Result<NewPasskey, Rejection> {
    registration
        .client_data
        .check("webauthn.create", challenge, rp)?;
    let auth_data = attested_auth_data(&registration.attestation_object)?;
    let data = AuthenticatorData::parse(auth_data)?;
    data.check(rp)?;
    if data.flags & FLAG_ATTESTED_DATA == 0 || data.rest.len() < 18 {
        return Err(Rejection::Malformed);
    }
    // aaguid (16 bytes, unused without attestation), credential id length, id, COSE key.
    let id_length = usize::from(u16::from_be_bytes([data.rest[16], data.rest[17]]));
    let after_length = &data.rest[18..];
    if id_length == 0 || id_length > MAX_CREDENTIAL_ID || after_length.len() < id_length {
        return Err(Rejection::Malformed);
    }
    let (credential_id, cose_key) = after_length.split_at(id_length);
    let point = es256_public_key(cose_key)?;
    if !es256::is_public_key(&point).await {
        return Err(Rejection::UnsupportedKey);
    }
    Ok(NewPasskey {
        credential_id: URL_SAFE_NO_PAD.encode(credential_id),
        public_key: URL_SAFE_NO_PAD.encode(point),
        sign_count: data.sign_count,
    })
}

/// A reader of the CBOR (RFC 8949) that authenticators write, with definite lengths only
/// (CTAP2's canonical form): maps, integers, text and byte strings, and skipping anything else.
/// An attestation object and a COSE key need no more, and a CBOR crate weighed more than this.
struct Cbor<'a> {
    bytes: &'a [u8],
}

impl<'a> Cbor<'a> {
    /// Nesting deeper than this in a skipped item is refused.
    const MAX_DEPTH: u8 = 8;

    /// The major type and argument of the next item's head.
    fn head(&mut self) -> Option<(u8, u64)> {
        let (&first, rest) = self.bytes.split_first()?;
        let (major, info) = (first >> 5, first & 0x1f);
        let size = match info {
            0..=23 => 0,
            24 => 1,
            25 => 2,
            26 => 4,
            27 => 8,
            _ => return None,
        };
        let argument = rest.get(..size)?;
        self.bytes = &rest[size..];
        let argument = match size {
            0 => u64::from(info),
            _ => argument.iter().fold(0, |n, b| n << 8 | u64::from(*b)),
        };
        Some((major, argument))
    }

    fn take(&mut self, length: u64) -> Option<&'a [u8]> {
        let length = usize::try_from(length).ok()?;
        let taken = self.bytes.get(..length)?;
        self.bytes = &self.bytes[length..];
        Some(taken)
    }

    /// A map's number of entries.
    fn map(&mut self) -> Option<u64> {
        match self.head()? {
            (5, entries) => Some(entries),
            _ => None,
        }
    }

    fn int(&mut self) -> Option<i64> {
        match self.head()? {
            (0, n) => i64::try_from(n).ok(),
            (1, n) => i64::try_from(n).ok().map(|n| -1 - n),
            _ => None,
        }
    }

    fn bytes(&mut self) -> Option<&'a [u8]> {
        match self.head()? {
            (2, length) => self.take(length),
            _ => None,
        }
    }

    fn text(&mut self) -> Option<&'a str> {
        match self.head()? {
            (3, length) => std::str::from_utf8(self.take(length)?).ok(),
            _ => None,
        }
    }

    /// Passes over one item, with what it nests.
    fn skip(&mut self, depth: u8) -> Option<()> {
        let depth = depth.checked_sub(1)?;
        match self.head()? {
            // Integers, and simple values and floats (their bytes are the head's argument).
            (0 | 1 | 7, _) => {}
            (2 | 3, length) => {
                self.take(length)?;
            }
            (4, items) => {
                for _ in 0..items {
                    self.skip(depth)?;
                }
            }
            (5, entries) => {
                for _ in 0..entries {
                    self.skip(depth)?;
                    self.skip(depth)?;
                }
            }
            // A tag, then the item it tags.
            _ => self.skip(depth)?,
        }
        Some(())
    }
}

/// The `authData` of an attestation object whose format is "none" (an empty statement).
fn attested_auth_data(object: &[u8]) -> Result<&[u8], Rejection> {
    let mut cbor = Cbor { bytes: object };
    let entries = cbor.map().ok_or(Rejection::Malformed)?;
    let (mut format, mut auth_data) = (None, None);
    for _ in 0..entries {
        match cbor.text().ok_or(Rejection::Malformed)? {
            "fmt" => format = Some(cbor.text().ok_or(Rejection::Malformed)?),
            "authData" => auth_data = Some(cbor.bytes().ok_or(Rejection::Malformed)?),
            "attStmt" => {
                if cbor.map().ok_or(Rejection::Malformed)? != 0 {
                    return Err(Rejection::UnsupportedAttestation);
                }
            }
            _ => cbor.skip(Cbor::MAX_DEPTH).ok_or(Rejection::Malformed)?,
        }
    }
    if format.ok_or(Rejection::Malformed)? != "none" {
        return Err(Rejection::UnsupportedAttestation);
    }
    auth_data.ok_or(Rejection::Malformed)
}

/// A COSE_Key (RFC 9053) that is an EC2 key on P-256 for ES256, as a SEC1 uncompressed point
/// (whether it is on the curve is for [`es256::is_public_key`]).
fn es256_public_key(cose: &[u8]) -> Result<Point, Rejection> {
    let mut cbor = Cbor { bytes: cose };
    let entries = cbor.map().ok_or(Rejection::Malformed)?;
    let (mut kty, mut alg, mut crv, mut x, mut y) = (None, None, None, None, None);
    for _ in 0..entries {
        let label = cbor.int().ok_or(Rejection::Malformed)?;
        let int = |c: &mut Cbor| c.int().ok_or(Rejection::UnsupportedKey);
        let bytes = |c: &mut Cbor| -> Result<[u8; 32], Rejection> {
            c.bytes()
                .and_then(|b| <[u8; 32]>::try_from(b).ok())
                .ok_or(Rejection::UnsupportedKey)
        };
        match label {
            1 => kty = Some(int(&mut cbor)?),
            3 => alg = Some(int(&mut cbor)?),
            -1 => crv = Some(int(&mut cbor)?),
            -2 => x = Some(bytes(&mut cbor)?),
            -3 => y = Some(bytes(&mut cbor)?),
            _ => cbor.skip(Cbor::MAX_DEPTH).ok_or(Rejection::Malformed)?,
        }
    }
    // kty EC2 (2), alg ES256 (-7), crv P-256 (1).
    if (kty, alg, crv) != (Some(2), Some(ES256), Some(1)) {
        return Err(Rejection::UnsupportedKey);
    }
    let (x, y) = x.zip(y).ok_or(Rejection::UnsupportedKey)?;
    let mut point = [4u8; 65];
    point[1..33].copy_from_slice(&x);
    point[33..].copy_from_slice(&y);
    Ok(point)
}

/// An ASN.1 DER ECDSA signature (`SEQUENCE { r INTEGER, s INTEGER }`), what WebAuthn sends for
/// ES256, as the 64 bytes r || s that WebCrypto verifies. Read by hand: a DER library would
/// weigh more than this.
fn der_signature(der: &[u8]) -> Option<[u8; 64]> {
    let body = match der {
        [0x30, length, body @ ..] if usize::from(*length) == body.len() => body,
        _ => return None,
    };
    let mut rs = [0u8; 64];
    let mut rest = body;
    for half in rs.chunks_mut(32) {
        let (integer, after) = match rest {
            [0x02, length, tail @ ..] if usize::from(*length) <= tail.len() => {
                tail.split_at(usize::from(*length))
            }
            _ => return None,
        };
        // A positive INTEGER: a leading zero only before a byte with its high bit set.
        let magnitude = match integer {
            [0, next, ..] if *next >= 0x80 => &integer[1..],
            [first, ..] if *first < 0x80 => integer,
            _ => return None,
        };
        if magnitude.len() > 32 {
            return None;
        }
        half[32 - magnitude.len()..].copy_from_slice(magnitude);
        rest = after;
    }
    if !rest.is_empty() {
        return None;
    }
    Some(rs)
}

/// Checks an assertion against the challenge handed out for it and the stored key and sign
/// counter; answers the counter to store. A counter that does not grow (unless the
/// authenticator keeps none: both zero) means a cloned authenticator and is refused.
pub async fn verify_assertion(
    assertion: &Assertion,
    challenge: &str,
    rp: &RelyingParty,
    public_key: &str,
    stored_count: u32,
) -> Result<u32, Rejection> {
    assertion.client_data.check("webauthn.get", challenge, rp)?;
    let data = AuthenticatorData::parse(&assertion.authenticator_data)?;
    data.check(rp)?;
    let point = URL_SAFE_NO_PAD
        .decode(public_key)
        .ok()
        .and_then(|point| Point::try_from(point).ok())
        .ok_or(Rejection::UnsupportedKey)?;
    let signature = der_signature(&assertion.signature).ok_or(Rejection::BadSignature)?;
    let mut signed = assertion.authenticator_data.clone();
    signed.extend_from_slice(&Sha256::digest(&assertion.client_data_json));
    match es256::verify(&point, &signed, &signature).await {
        Some(true) => {}
        Some(false) => return Err(Rejection::BadSignature),
        None => return Err(Rejection::UnsupportedKey),
    }
    if (data.sign_count != 0 || stored_count != 0) && data.sign_count <= stored_count {
        return Err(Rejection::CounterRegression);
    }
    Ok(data.sign_count)
}

#[cfg(test)]
mod tests {
    use super::*;
    use futures_util::FutureExt;
    use p256::ecdsa::signature::Signer;
    use p256::ecdsa::{Signature, SigningKey};
    use serde_json::json;

    const CHALLENGE: &str = "c2VydmVyLWNoYWxsZW5nZS1vZi0zMi1ieXRlcy4uLi4";

    fn rp() -> RelyingParty {
        RelyingParty {
            id: "sel.example".into(),
            origin: "https://sel.example".into(),
        }
    }

    fn key() -> SigningKey {
        SigningKey::from_slice(&[7u8; 32]).unwrap()
    }

    fn b64(bytes: &[u8]) -> String {
        URL_SAFE_NO_PAD.encode(bytes)
    }

    fn client_data(kind: &str, challenge: &str, origin: &str) -> Vec<u8> {
        json!({ "type": kind, "challenge": challenge, "origin": origin, "crossOrigin": false })
            .to_string()
            .into_bytes()
    }

    fn auth_data(rp_id: &str, flags: u8, count: u32, attested: &[u8]) -> Vec<u8> {
        let mut data = Sha256::digest(rp_id.as_bytes()).to_vec();
        data.push(flags);
        data.extend_from_slice(&count.to_be_bytes());
        data.extend_from_slice(attested);
        data
    }

    /// A COSE EC2 key map: kty, alg, crv, x, y.
    fn cose_key(alg: i64, key: &SigningKey) -> Vec<u8> {
        let point = key.verifying_key().to_encoded_point(false);
        let mut out = Vec::new();
        let mut e = minicbor::Encoder::new(&mut out);
        e.map(5).unwrap();
        e.i64(1).unwrap().i64(2).unwrap();
        e.i64(3).unwrap().i64(alg).unwrap();
        e.i64(-1).unwrap().i64(1).unwrap();
        e.i64(-2).unwrap().bytes(point.x().unwrap()).unwrap();
        e.i64(-3).unwrap().bytes(point.y().unwrap()).unwrap();
        out
    }

    fn attested(credential_id: &[u8], cose: &[u8]) -> Vec<u8> {
        let mut data = vec![0u8; 16];
        data.extend_from_slice(&(credential_id.len() as u16).to_be_bytes());
        data.extend_from_slice(credential_id);
        data.extend_from_slice(cose);
        data
    }

    fn attestation_object(format: &str, auth_data: &[u8]) -> Vec<u8> {
        let mut out = Vec::new();
        let mut e = minicbor::Encoder::new(&mut out);
        e.map(3).unwrap();
        e.str("fmt").unwrap().str(format).unwrap();
        e.str("attStmt").unwrap().map(0).unwrap();
        e.str("authData").unwrap().bytes(auth_data).unwrap();
        out
    }

    struct RegistrationCase {
        client_data: Vec<u8>,
        attestation_object: Vec<u8>,
    }

    impl RegistrationCase {
        fn good() -> RegistrationCase {
            RegistrationCase::with_auth_data(auth_data(
                "sel.example",
                0x45,
                0,
                &attested(b"credential-1", &cose_key(ES256, &key())),
            ))
        }

        fn with_auth_data(data: Vec<u8>) -> RegistrationCase {
            RegistrationCase {
                client_data: client_data("webauthn.create", CHALLENGE, "https://sel.example"),
                attestation_object: attestation_object("none", &data),
            }
        }

        fn verify(&self) -> Result<NewPasskey, Rejection> {
            let credential = json!({
                "id": "x", "rawId": "x", "type": "public-key",
                "response": {
                    "clientDataJSON": b64(&self.client_data),
                    "attestationObject": b64(&self.attestation_object),
                },
            });
            let registration =
                Registration::from_json(&credential).map_err(|_| Rejection::Malformed)?;
            verify_registration(&registration, CHALLENGE, &rp())
                .now_or_never()
                .unwrap()
        }
    }

    #[test]
    fn a_well_formed_es256_registration_yields_the_credential_and_its_key() {
        let passkey = RegistrationCase::good().verify().unwrap();
        assert_eq!(passkey.credential_id, b64(b"credential-1"));
        assert_eq!(
            passkey.public_key,
            b64(key().verifying_key().to_encoded_point(false).as_bytes())
        );
        assert_eq!(passkey.sign_count, 0);
    }

    #[test]
    fn registrations_that_prove_nothing_are_refused_with_their_reason() {
        let good_attested = attested(b"credential-1", &cose_key(ES256, &key()));
        let cases: Vec<(&str, RegistrationCase, Rejection)> = vec![
            (
                "a get instead of a create",
                RegistrationCase {
                    client_data: client_data("webauthn.get", CHALLENGE, "https://sel.example"),
                    ..RegistrationCase::good()
                },
                Rejection::WrongType,
            ),
            (
                "another challenge",
                RegistrationCase {
                    client_data: client_data("webauthn.create", "b3RoZXI", "https://sel.example"),
                    ..RegistrationCase::good()
                },
                Rejection::WrongChallenge,
            ),
            (
                "another origin",
                RegistrationCase {
                    client_data: client_data("webauthn.create", CHALLENGE, "https://evil.example"),
                    ..RegistrationCase::good()
                },
                Rejection::WrongOrigin,
            ),
            (
                "another relying party",
                RegistrationCase::with_auth_data(auth_data(
                    "evil.example",
                    0x45,
                    0,
                    &good_attested,
                )),
                Rejection::WrongRelyingParty,
            ),
            (
                "user not verified",
                RegistrationCase::with_auth_data(auth_data("sel.example", 0x41, 0, &good_attested)),
                Rejection::UserNotVerified,
            ),
            (
                "user not present",
                RegistrationCase::with_auth_data(auth_data("sel.example", 0x44, 0, &good_attested)),
                Rejection::UserNotPresent,
            ),
            (
                "no attested credential",
                RegistrationCase::with_auth_data(auth_data("sel.example", 0x05, 0, &[])),
                Rejection::Malformed,
            ),
            (
                "truncated authenticator data",
                RegistrationCase::with_auth_data(
                    auth_data("sel.example", 0x45, 0, &good_attested)[..30].to_vec(),
                ),
                Rejection::Malformed,
            ),
            (
                "a credential id longer than the data",
                RegistrationCase::with_auth_data(auth_data(
                    "sel.example",
                    0x45,
                    0,
                    &good_attested[..20],
                )),
                Rejection::Malformed,
            ),
            (
                "an RS256 key",
                RegistrationCase::with_auth_data(auth_data(
                    "sel.example",
                    0x45,
                    0,
                    &attested(b"credential-1", &cose_key(-257, &key())),
                )),
                Rejection::UnsupportedKey,
            ),
            (
                "a packed attestation",
                RegistrationCase {
                    attestation_object: attestation_object(
                        "packed",
                        &auth_data("sel.example", 0x45, 0, &good_attested),
                    ),
                    ..RegistrationCase::good()
                },
                Rejection::UnsupportedAttestation,
            ),
            (
                "an attestation object that is not CBOR",
                RegistrationCase {
                    attestation_object: b"not cbor".to_vec(),
                    ..RegistrationCase::good()
                },
                Rejection::Malformed,
            ),
        ];
        for (reason, case, expected) in cases {
            assert_eq!(case.verify(), Err(expected), "{reason}");
        }
    }

    struct AssertionCase {
        client_data: Vec<u8>,
        auth_data: Vec<u8>,
        signer: SigningKey,
        stored_count: u32,
    }

    impl AssertionCase {
        fn good() -> AssertionCase {
            AssertionCase {
                client_data: client_data("webauthn.get", CHALLENGE, "https://sel.example"),
                auth_data: auth_data("sel.example", 0x05, 8, &[]),
                signer: key(),
                stored_count: 7,
            }
        }

        fn verify(&self) -> Result<u32, Rejection> {
            let mut signed = self.auth_data.clone();
            signed.extend_from_slice(&Sha256::digest(&self.client_data));
            let signature: Signature = self.signer.sign(&signed);
            let credential = json!({
                "id": "Y3JlZA", "rawId": "Y3JlZA", "type": "public-key",
                "response": {
                    "clientDataJSON": b64(&self.client_data),
                    "authenticatorData": b64(&self.auth_data),
                    "signature": b64(signature.to_der().as_bytes()),
                    "userHandle": "aGFuZGxl",
                },
            });
            let assertion = Assertion::from_json(&credential).map_err(|_| Rejection::Malformed)?;
            let stored_key = b64(key().verifying_key().to_encoded_point(false).as_bytes());
            verify_assertion(&assertion, CHALLENGE, &rp(), &stored_key, self.stored_count)
                .now_or_never()
                .unwrap()
        }
    }

    #[test]
    fn a_signed_assertion_with_a_growing_counter_answers_the_new_counter() {
        assert_eq!(AssertionCase::good().verify(), Ok(8));
    }

    #[test]
    fn an_authenticator_without_a_counter_may_keep_answering_zero() {
        let case = AssertionCase {
            auth_data: auth_data("sel.example", 0x05, 0, &[]),
            stored_count: 0,
            ..AssertionCase::good()
        };
        assert_eq!(case.verify(), Ok(0));
    }

    #[test]
    fn assertions_that_prove_nothing_are_refused_with_their_reason() {
        let cases: Vec<(&str, AssertionCase, Rejection)> = vec![
            (
                "a create instead of a get",
                AssertionCase {
                    client_data: client_data("webauthn.create", CHALLENGE, "https://sel.example"),
                    ..AssertionCase::good()
                },
                Rejection::WrongType,
            ),
            (
                "another challenge",
                AssertionCase {
                    client_data: client_data("webauthn.get", "b3RoZXI", "https://sel.example"),
                    ..AssertionCase::good()
                },
                Rejection::WrongChallenge,
            ),
            (
                "another origin",
                AssertionCase {
                    client_data: client_data("webauthn.get", CHALLENGE, "http://sel.example"),
                    ..AssertionCase::good()
                },
                Rejection::WrongOrigin,
            ),
            (
                "another relying party",
                AssertionCase {
                    auth_data: auth_data("evil.example", 0x05, 8, &[]),
                    ..AssertionCase::good()
                },
                Rejection::WrongRelyingParty,
            ),
            (
                "flags without user verification",
                AssertionCase {
                    auth_data: auth_data("sel.example", 0x01, 8, &[]),
                    ..AssertionCase::good()
                },
                Rejection::UserNotVerified,
            ),
            (
                "truncated authenticator data",
                AssertionCase {
                    auth_data: auth_data("sel.example", 0x05, 8, &[])[..36].to_vec(),
                    ..AssertionCase::good()
                },
                Rejection::Malformed,
            ),
            (
                "signed by another key",
                AssertionCase {
                    signer: SigningKey::from_slice(&[9u8; 32]).unwrap(),
                    ..AssertionCase::good()
                },
                Rejection::BadSignature,
            ),
            (
                "a counter that went back",
                AssertionCase {
                    stored_count: 8,
                    ..AssertionCase::good()
                },
                Rejection::CounterRegression,
            ),
            (
                "a counter back to zero",
                AssertionCase {
                    auth_data: auth_data("sel.example", 0x05, 0, &[]),
                    ..AssertionCase::good()
                },
                Rejection::CounterRegression,
            ),
        ];
        for (reason, case, expected) in cases {
            assert_eq!(case.verify(), Err(expected), "{reason}");
        }
    }

    #[test]
    fn credentials_that_are_not_webauthn_json_are_a_field_problem() {
        let cases = [
            ("not an object", json!("credential")),
            (
                "wrong type",
                json!({ "type": "password", "rawId": "YQ", "response": {} }),
            ),
            (
                "no response",
                json!({ "type": "public-key", "rawId": "YQ" }),
            ),
            (
                "client data not base64url",
                json!({ "type": "public-key", "rawId": "YQ", "response": {
                    "clientDataJSON": "***", "authenticatorData": "", "signature": "" } }),
            ),
            (
                "client data not JSON",
                json!({ "type": "public-key", "rawId": "YQ", "response": {
                    "clientDataJSON": "bm9wZQ", "authenticatorData": "", "signature": "" } }),
            ),
            (
                "empty id",
                json!({ "type": "public-key", "rawId": "", "response": {} }),
            ),
        ];
        for (reason, credential) in cases {
            assert!(Assertion::from_json(&credential).is_err(), "{reason}");
        }
    }

    #[test]
    fn der_signatures_are_read_as_r_and_s_and_malformed_ones_refused() {
        let signature: Signature = key().sign(b"message");
        let der = signature.to_der();
        assert_eq!(
            der_signature(der.as_bytes()),
            Some(<[u8; 64]>::from(signature.to_bytes()))
        );
        let bytes = der.as_bytes();
        let cases: [(&str, Vec<u8>); 5] = [
            ("truncated", bytes[..bytes.len() - 1].to_vec()),
            ("trailing bytes", [bytes, &[0]].concat()),
            ("not a sequence", [&[0x31], &bytes[1..]].concat()),
            ("raw r || s", signature.to_bytes().to_vec()),
            ("empty", Vec::new()),
        ];
        for (reason, der) in cases {
            assert_eq!(der_signature(&der), None, "{reason}");
        }
    }

    #[test]
    fn cbor_items_around_the_ones_read_are_skipped_and_truncated_ones_refused() {
        let mut object = Vec::new();
        let mut e = minicbor::Encoder::new(&mut object);
        e.map(6).unwrap();
        e.str("fmt").unwrap().str("none").unwrap();
        e.str("extra").unwrap().array(3).unwrap();
        e.i64(-300).unwrap().f64(1.5).unwrap().bool(true).unwrap();
        e.str("nested").unwrap().map(1).unwrap();
        e.u64(1 << 40)
            .unwrap()
            .tag(minicbor::data::Tag::new(24))
            .unwrap();
        e.bytes(&[1, 2, 3]).unwrap();
        e.str("attStmt").unwrap().map(0).unwrap();
        e.str("null").unwrap().null().unwrap();
        e.str("authData").unwrap().bytes(b"data").unwrap();
        assert_eq!(attested_auth_data(&object), Ok(&b"data"[..]));
        for length in 0..object.len() {
            assert!(
                attested_auth_data(&object[..length]).is_err(),
                "cut at {length}"
            );
        }
        let mut deep = vec![0xa1, 0x61, b'x'];
        deep.extend([0x81; 20]);
        deep.push(0);
        assert_eq!(attested_auth_data(&deep), Err(Rejection::Malformed));
    }

    #[test]
    fn a_passkey_name_is_trimmed_and_bounded() {
        assert_eq!(parse_name("  Mon téléphone "), Ok("Mon téléphone".into()));
        assert_eq!(parse_name("   "), Err(Problem::Required));
        assert_eq!(parse_name(&"a".repeat(61)), Err(Problem::TooLong));
        assert_eq!(parse_name("a\u{0007}b"), Err(Problem::InvalidText));
    }
}
