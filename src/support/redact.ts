// What may be printed. Everything cc-helper writes for a person (errors, warnings, traces,
// doctor's report, migrate's output) passes through redactText at the point where it is
// written, and code that shows a URL or a proxy setting shows redactUrl of it, so a password in a
// URL, a proxy setting or a token never reaches a terminal or a CI log, whoever echoed it.
// Server text (an STS or portal error message) also loses the request's own secrets
// (redactServerText).

/** `scheme://`, including git-remote-codecommit's `codecommit::<region>://`. */
const SCHEME_PREFIX = /^[A-Za-z][A-Za-z0-9+.-]*(?:::[A-Za-z0-9-]+)?:\/\//;
const MASK = '***';
/** Where a user name alone may be a token; also no scheme at all (a proxy setting). */
const SECRET_USER_SCHEMES = /^(?:(?:https?|socks[45]?h?|ftps?):)?(?:\/\/)?$/i;

/**
 * One URL or proxy setting, with or without a scheme (`user:password@host:port` is how many
 * scripts set HTTPS_PROXY), without its user info: everything from after `//` up to the last `@`
 * becomes `***`, so a `/`, `:` or `@` inside a password cannot end the redaction early
 * (`codecommit://a@user:Secret@demo` -> `codecommit://***@demo`). A user name alone goes too
 * for http(s), socks and ftp URLs and proxy settings (`https://<token>@github.com`); in other
 * schemes (git-remote-codecommit's `codecommit://profile@repo`, `eu-west-1://profile@repo`) it
 * is a name, no secret, and stays. When what precedes the last `@` holds a `/` but no `:`, it is
 * a path, not user info, and stays.
 */
export function redactUrl(value: string): string {
  const scheme = SCHEME_PREFIX.exec(value)?.[0] ?? (value.startsWith('//') ? '//' : '');
  const rest = value.slice(scheme.length);
  const at = rest.lastIndexOf('@');
  if (at < 0) return value;
  const userInfo = rest.slice(0, at);
  const keepsProfile = !userInfo.includes(':') && !SECRET_USER_SCHEMES.test(scheme);
  const isPath = userInfo.includes('/') && !userInfo.includes(':');
  if (keepsProfile || isPath || userInfo === '') return value;
  return `${scheme}${MASK}${rest.slice(at)}`;
}

/** A URL-shaped word in free text: a scheme, `//`, then anything up to white space or a quote. */
const URL_IN_TEXT = /[A-Za-z][A-Za-z0-9+.-]*(?:::[A-Za-z0-9-]+)?:\/\/[^\s"'`<>]*/g;
/** `user:password@host` without a scheme (the usual proxy setting), as a word of its own. */
const BARE_USER_INFO = /(?<![^\s"'`(=])[^\s"'`:@/]+:[^\s"'`@/]*@(?=[A-Za-z0-9[])/g;
/** A JSON Web Token (web identity, SSO): three base64url parts, the first a JSON header. */
const JWT = /\beyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]*/g;
/** Long base64 runs: session tokens, bearer tokens, signatures. */
const LONG_BASE64 = /[A-Za-z0-9+/]{100,}={0,2}/g;

/**
 * Text about to be printed, without user info in URLs (scheme or not) and without tokens. Cheap
 * for text with no `@`, `://` or long runs: only error, warning and trace lines come here.
 */
export function redactText(text: string): string {
  let out = text;
  if (out.includes('://')) out = out.replace(URL_IN_TEXT, (url) => redactUrl(url));
  if (out.includes('@')) out = out.replace(BARE_USER_INFO, `${MASK}@`);
  if (out.includes('eyJ')) out = out.replace(JWT, '[redacted token]');
  if (out.length >= 100) out = out.replace(LONG_BASE64, (run) => (/[A-Z]/.test(run) && /[a-z]/.test(run) && /[0-9]/.test(run) ? '[redacted token]' : run));
  return out;
}

/**
 * A server's own text (an AWS error message) made safe to show: without any value of the request
 * (`secrets`), signatures, control characters, on one line, at most 300 characters.
 */
export function redactServerText(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const secret of secrets) {
    if (secret.length >= 12) out = out.split(secret).join('[redacted]');
    // Short ones (an MFA code) only as a whole word: "123456" must not eat into an account id.
    else if (secret.length >= 4) out = out.replace(new RegExp(`(?<![0-9A-Za-z])${escapeRegExp(secret)}(?![0-9A-Za-z])`, 'g'), '[redacted]');
  }
  // Signatures and hashes look like this; no AWS message needs one.
  out = withoutControls(redactText(out.replace(/\b[0-9a-f]{64}\b/gi, '[redacted]')).replace(/\s*[\r\n]+\s*/g, ' ').trim());
  return out.length > 300 ? `${out.slice(0, 297)}...` : out;
}

/**
 * C0/C1 controls (ESC, BEL, …) and bidi overrides become `?`: text from a server reaches the
 * terminal through stderr, where an escape sequence would be obeyed, not shown.
 */
export function withoutControls(text: string): string {
  return text.replace(/[\u0000-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/g, '?');
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
