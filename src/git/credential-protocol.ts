// git's credential helper protocol, as one pure parser and one formatter.
// Spec: https://git-scm.com/docs/git-credential#IOFMT
//   "each attribute is given on its own line ... key=value ... terminated by a blank line or EOF"
// Hardening follows git's own fixes: CVE-2020-5260 (newline smuggling) and CVE-2024-52006
// (a bare CR read as a line end), so values carrying CR or NUL are refused outright.

import { isUtf8 } from 'node:buffer';
import { UserError } from '../support/errors.js';

/** The attributes cc-helper reads; everything else git sends is ignored on purpose. */
export interface CredentialRequest {
  protocol?: string;
  host?: string;
  path?: string;
  username?: string;
  /**
   * Attributes (of those above) whose bytes were not UTF-8: their value is left out rather than
   * decoded lossily, since two different paths must never share one signature.
   */
  notUtf8?: Array<'protocol' | 'host' | 'path' | 'username'>;
}

const ATTRIBUTES = ['protocol', 'host', 'path', 'username'] as const;

export interface CredentialAnswer {
  username: string;
  password: string;
  /** Unix seconds; git >= 2.40 drops the answer once it has passed. */
  passwordExpiryUtc?: number;
}

/** git allows a line up to 65535 bytes (LARGE_PACKET_MAX-ish); longer is an attack or a bug. */
export const MAX_LINE_BYTES = 65535;
/** A request is a handful of lines; `wwwauth[]` may repeat, so leave generous room. */
export const MAX_REQUEST_BYTES = 1024 * 1024;

export class ProtocolError extends Error {
  override name = 'ProtocolError';
}

/**
 * Parses a request. Splits on LF only and strips at most one CR before it; any other CR or a
 * NUL anywhere rejects the whole request, since git itself would never send one.
 * Given bytes (as git sends them), each value is decoded as strict UTF-8; an attribute that is
 * not UTF-8 is named in `notUtf8` instead of being decoded lossily.
 */
export function parseCredentialRequest(input: string | Uint8Array): CredentialRequest {
  // Bytes are parsed in their latin1 view (one char per byte), values decoded one by one.
  const bytes = typeof input !== 'string';
  const text = bytes ? Buffer.from(input.buffer, input.byteOffset, input.byteLength).toString('latin1') : input;
  const byteLength = (s: string) => (bytes ? s.length : Buffer.byteLength(s));
  if (byteLength(text) > MAX_REQUEST_BYTES) {
    throw new ProtocolError(`credential request is larger than ${MAX_REQUEST_BYTES} bytes`);
  }
  const request: CredentialRequest = {};
  const lines = text.split('\n');
  for (let n = 0; n < lines.length; n++) {
    let line = lines[n]!;
    if (line.endsWith('\r')) line = line.slice(0, -1);
    if (line === '') break; // a blank line ends the request
    if (byteLength(line) > MAX_LINE_BYTES) {
      throw new ProtocolError(`credential request has a line longer than ${MAX_LINE_BYTES} bytes`);
    }
    if (line.includes('\r') || line.includes('\0')) {
      throw new ProtocolError('credential request contains a carriage return or NUL inside a line');
    }
    const eq = line.indexOf('=');
    if (eq < 0) throw new ProtocolError(`credential request line ${n + 1} is not key=value`);
    const key = line.slice(0, eq);
    let value = line.slice(eq + 1);
    if (bytes && (key === 'url' || (ATTRIBUTES as readonly string[]).includes(key))) {
      // isUtf8 + toString rather than a fatal TextDecoder, whose ICU converter costs 0.2 ms to
      // make; unlike TextDecoder this keeps a leading BOM, so such a host matches nothing.
      const raw = Buffer.from(value, 'latin1');
      if (!isUtf8(raw)) {
        if (key === 'url') throw new ProtocolError('credential request has a url= value that is not UTF-8');
        forget(request, key as (typeof ATTRIBUTES)[number]);
        request.notUtf8 = [...(request.notUtf8 ?? []), key as (typeof ATTRIBUTES)[number]];
        continue;
      }
      value = raw.toString('utf8');
    }
    switch (key) {
      case 'protocol':
      case 'host':
      case 'path':
      case 'username':
        request[key] = value; // git's rule: the last occurrence wins
        if (request.notUtf8) request.notUtf8 = request.notUtf8.filter((k) => k !== key);
        break;
      case 'url':
        // git's credential_from_url() starts with credential_clear(): every attribute read so
        // far is dropped, so a path= before url= must not be signed.
        for (const attribute of ATTRIBUTES) forget(request, attribute);
        delete request.notUtf8;
        Object.assign(request, attributesFromUrl(value));
        break;
      default:
        // capability[], wwwauth[], password, password_expiry_utc, oauth_refresh_token, ...:
        // unknown or irrelevant attributes are ignored for forward compatibility.
        break;
    }
  }
  return request;
}

function forget(request: CredentialRequest, attribute: (typeof ATTRIBUTES)[number]): void {
  delete request[attribute];
}

/** `url=` is what `git credential fill` accepts from people; handy for trying the helper by hand. */
function attributesFromUrl(value: string): CredentialRequest {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new ProtocolError('credential request has a url= value that is not a URL');
  }
  const attrs: CredentialRequest = {
    protocol: url.protocol.replace(/:$/, ''),
    host: url.port ? `${url.hostname}:${url.port}` : url.hostname,
  };
  // A query or fragment stays in the path, where the signer refuses it, rather than vanishing.
  const path = percentDecode(`${url.pathname}${url.search}${url.hash}`.replace(/^\/+/, ''));
  if (path) attrs.path = path;
  if (url.username) attrs.username = percentDecode(url.username);
  return attrs;
}

function percentDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    throw new ProtocolError('credential request has a url= value with a malformed %-escape');
  }
}

/**
 * The protocol answer: the only thing cc-helper ever writes to stdout. This is the boundary where
 * values leave for git, so it is where they are checked: a line break in a session token (from a
 * hostile STS answer or a hand-edited file) would otherwise add attributes of its own choosing to
 * the answer (`host=`, `password=`). Refused with a UserError, so git gets quit=1 and one line.
 */
export function formatCredentialAnswer(answer: CredentialAnswer): string {
  for (const [name, value] of [['username', answer.username], ['password', answer.password]] as const) {
    // The value is never quoted: the username holds the session token.
    if (/[\r\n\0]/.test(value)) {
      throw new UserError(
        `refusing to answer git: the ${name} would hold a line break or NUL, which could smuggle lines into git's answer; ` +
          `the profile's ${name === 'username' ? 'aws_access_key_id or aws_session_token' : 'credentials'} in the credentials file are damaged: replace them`,
      );
    }
  }
  let out = `username=${answer.username}\npassword=${answer.password}\n`;
  if (answer.passwordExpiryUtc !== undefined) {
    if (!Number.isSafeInteger(answer.passwordExpiryUtc)) throw new UserError('refusing to answer git: the password has no valid expiry time; check x_security_token_expires in the credentials file');
    out += `password_expiry_utc=${answer.passwordExpiryUtc}\n`;
  }
  return out;
}

/** Tells git to stop: no further helpers, no prompt for a username that cannot work. */
export const QUIT_ANSWER = 'quit=1\n';
