// A passkey on a software authenticator (WebAuthn, ES256 or RS256, "none" attestation), for the
// tests and scripts that register one and sign in or step up with it.
import { createHash, generateKeyPairSync, randomBytes, sign } from 'node:crypto';

export const b64 = (bytes) => Buffer.from(bytes).toString('base64url');
export const sha256 = (data) => createHash('sha256').update(data).digest();

/** The little CBOR an authenticator writes: maps, text, bytes and integers (RFC 8949). */
function cbor(value) {
  const head = (major, n) => {
    if (n < 24) return Buffer.from([(major << 5) | n]);
    if (n < 256) return Buffer.from([(major << 5) | 24, n]);
    const b = Buffer.alloc(3); b[0] = (major << 5) | 25; b.writeUInt16BE(n, 1); return b;
  };
  if (Number.isInteger(value)) return value >= 0 ? head(0, value) : head(1, -1 - value);
  if (typeof value === 'string') { const b = Buffer.from(value); return Buffer.concat([head(3, b.length), b]); }
  if (Buffer.isBuffer(value)) return Buffer.concat([head(2, value.length), value]);
  const entries = value instanceof Map ? [...value] : Object.entries(value);
  return Buffer.concat([head(5, entries.length), ...entries.flatMap(([k, v]) => [cbor(k), cbor(v)])]);
}

export const UP = 0x01, UV = 0x04, AT = 0x40;

/** A passkey on a software authenticator: creates itself from creation options, then signs. */
export class SoftPasskey {
  /** `origin`: the portal's, as a browser on its pages gives it. */
  constructor(origin) {
    ({ privateKey: this.privateKey, publicKey: this.publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' }));
    this.credentialId = randomBytes(16);
    this.counter = 0;
    this.origin = origin;
  }

  authData(rpId, flags, extra = Buffer.alloc(0)) {
    const count = Buffer.alloc(4); count.writeUInt32BE(this.counter);
    return Buffer.concat([sha256(rpId), Buffer.from([flags]), count, extra]);
  }

  clientData(type, challenge, origin = this.origin) {
    return Buffer.from(JSON.stringify({ type, challenge, origin, crossOrigin: false }));
  }

  /** navigator.credentials.create, as PublicKeyCredential.toJSON() gives it. */
  create(options, { origin, flags = UP | UV, alg = -7 } = {}) {
    this.rpId = options.rp.id;
    this.userHandle = options.user.id;
    const { x, y } = this.publicKey.export({ format: 'jwk' });
    const coseKey = cbor(new Map([[1, 2], [3, alg], [-1, 1], [-2, Buffer.from(x, 'base64url')], [-3, Buffer.from(y, 'base64url')]]));
    const idLength = Buffer.alloc(2); idLength.writeUInt16BE(this.credentialId.length);
    const attested = Buffer.concat([Buffer.alloc(16), idLength, this.credentialId, coseKey]);
    const attestationObject = cbor({ fmt: 'none', attStmt: {}, authData: this.authData(this.rpId, flags | AT, attested) });
    return {
      id: b64(this.credentialId), rawId: b64(this.credentialId), type: 'public-key',
      response: { clientDataJSON: b64(this.clientData('webauthn.create', options.challenge, origin)), attestationObject: b64(attestationObject) },
    };
  }

  /** navigator.credentials.get: the counter grows by one unless `counter` says otherwise. */
  get(options, { origin, flags = UP | UV, counter = this.counter + 1, key = this.privateKey } = {}) {
    this.counter = counter;
    const authenticatorData = this.authData(options.rpId, flags);
    const clientDataJSON = this.clientData('webauthn.get', options.challenge, origin);
    const signature = sign('sha256', Buffer.concat([authenticatorData, sha256(clientDataJSON)]), key);
    return {
      id: b64(this.credentialId), rawId: b64(this.credentialId), type: 'public-key',
      response: {
        clientDataJSON: b64(clientDataJSON), authenticatorData: b64(authenticatorData),
        signature: b64(signature), userHandle: this.userHandle,
      },
    };
  }
}
