// Token files someone points cc-helper at (web identity tokens, the container authorization
// token): read through the bounded, trusted reader (src/support/bounded-file.ts) and handed to the
// SDK as values, since its own readers read a file whole and block on a FIFO. A token that anyone
// but this user or root could have written is an error, not a warning: it was asked for by name.
import { formatBytes, readBoundedText } from '../support/bounded-file.js';
import { UserError } from '../support/errors.js';

/** STS takes web identity tokens of at most 20,000 characters. */
export const MAX_WEB_IDENTITY_TOKEN_BYTES = 32 * 1024;
/** An HTTP Authorization header value. */
export const MAX_AUTHORIZATION_TOKEN_BYTES = 16 * 1024;

/** The file's text (ASCII, as the SDK reads it); `what` names the setting, e.g. `AWS_WEB_IDENTITY_TOKEN_FILE`. */
export function readTokenFile(file: string, what: string, maxBytes: number, env: NodeJS.ProcessEnv): string {
  const read = readBoundedText(file, { maxBytes, trusted: { home: env.HOME } }, 'ascii');
  if (read.status === 'missing') throw new UserError(`${what} names ${file}, which does not exist: fix the path (or the job's token mount)`);
  if (read.status === 'refused') {
    const fix =
      read.kind === 'untrusted'
        ? "make it yours (or root's) and writable by no one else, in folders no one else can write"
        : read.kind === 'too-large'
          ? `a token is at most ${formatBytes(maxBytes)}`
          : 'point it at the token file itself';
    throw new UserError(`cannot use ${what} (${file}): it ${read.reason}; ${fix}`);
  }
  return read.text;
}
