// Passkeys in the browser: the server's WebAuthn options arrive as JSON with binary members in
// base64url; they are decoded for navigator.credentials, and the credential it answers is encoded
// back the same way (what PublicKeyCredential.toJSON() gives where the browser has it).

const decode = (text) => Uint8Array.from(atob(text.replace(/-/g, '+').replace(/_/g, '/')), (c) => c.charCodeAt(0));
const encode = (buffer) => btoa(String.fromCharCode(...new Uint8Array(buffer))).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');

/** Whether this browser can use passkeys at all. */
export const passkeysSupported = () => typeof window.PublicKeyCredential === 'function';

const credentials = (list = []) => list.map((c) => ({ ...c, id: decode(c.id) }));

function toJSON(credential) {
  const response = {};
  for (const name of ['clientDataJSON', 'attestationObject', 'authenticatorData', 'signature', 'userHandle']) {
    const value = credential.response[name];
    if (value) response[name] = encode(value);
  }
  return { id: credential.id, rawId: encode(credential.rawId), type: credential.type, response };
}

/**
 * Why a ceremony did not give a credential, as an i18n key: the person cancelled or took too long
 * (NotAllowedError), the authenticator already holds a passkey of this account, or anything else.
 */
export function passkeyProblem(error) {
  if (error?.name === 'InvalidStateError') return 'passkeys.error_exists';
  if (error?.name === 'NotAllowedError') return 'passkeys.error_cancelled';
  return 'passkeys.error_unsupported';
}

/** navigator.credentials.create with the options of POST /api/me/passkeys/options. */
export async function createPasskey(options) {
  const publicKey = {
    ...options,
    challenge: decode(options.challenge),
    user: { ...options.user, id: decode(options.user.id) },
    excludeCredentials: credentials(options.excludeCredentials),
  };
  return toJSON(await navigator.credentials.create({ publicKey }));
}

/** navigator.credentials.get with request options of the API. */
export async function getPasskey(options) {
  const publicKey = { ...options, challenge: decode(options.challenge), allowCredentials: credentials(options.allowCredentials) };
  return toJSON(await navigator.credentials.get({ publicKey }));
}
