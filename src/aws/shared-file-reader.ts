// Reads one AWS shared file for the sections a caller wants, refusing what the AWS CLI refuses.
// Small files are parsed whole every time. A large file read clean (twice, see clean-file-memo.ts)
// is afterwards only searched for the wanted sections (section-search.ts), until the filesystem
// says it changed: a file of 50,000 profiles then costs about what one of a few profiles does,
// instead of a check of every line on every git request.
import { closeSync, constants, fstatSync, openSync, readFileSync, type Stats } from 'node:fs';
import { resolve } from 'node:path';
import { UserError } from '../support/errors.js';
import { fileIdentity, MEMO_MIN_BYTES, recalledCleanFile, rememberCleanFile, sameFile } from './clean-file-memo.js';
import { searchSections } from './section-search.js';
import { decodeSharedFile, parseSharedFile, SharedFileSyntaxError, type ParsedSharedFile } from './shared-file-parser.js';

/** A header with quotes or a backslash may name a profile shlex-style: the search cannot see those. */
const QUOTED_HEADER = /^\[[^\n]*["'\\]/m;

/**
 * Parses the shared file at `file` (undefined when there is no regular file there, as botocore
 * skips it). `mentions`: text every wanted section's name contains unless it is quoted (see
 * ParseOptions); without it the file is always parsed whole. A line the CLI refuses is a UserError.
 */
export function readSharedFile(file: string, wanted: (section: string) => boolean, mentions?: string, env: NodeJS.ProcessEnv = process.env): ParsedSharedFile | undefined {
  let fd: number;
  try {
    // Non-blocking: a FIFO in the file's place must not hang git (fstat below skips it).
    fd = openSync(file, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0));
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    // botocore skips a path that is not a regular file (os.path.isfile).
    if (code === 'ENOENT' || code === 'EISDIR' || code === 'ENOTDIR') return undefined;
    throw new UserError(`cannot read ${file}: ${(error as Error).message}`);
  }
  try {
    let stats: Stats;
    try {
      stats = fstatSync(fd);
    } catch (error) {
      throw new UserError(`cannot read ${file}: ${(error as Error).message}`);
    }
    if (!stats.isFile()) return undefined;
    // Small files (nearly all) skip the memo: a nanosecond (BigInt) fstat alone costs 0.2 ms.
    const memo =
      mentions !== undefined && stats.size >= MEMO_MIN_BYTES ? { path: resolve(file), identity: fileIdentity(fstatSync(fd, { bigint: true })), readStartedMs: Date.now() } : undefined;
    if (memo) {
      const clean = recalledCleanFile(memo.path, memo.identity, env);
      const found = clean && searchSections(fd, mentions!, wanted, clean.sections, Number(clean.size));
      // A write while the search read would have changed the identity: then the bytes it saw were
      // never checked, and the whole file is read again.
      if (found && sameFile(fileIdentity(fstatSync(fd, { bigint: true })), memo.identity)) return found;
    }
    let bytes: Buffer;
    try {
      bytes = readFileSync(fd); // from offset 0: the search reads by position
    } catch (error) {
      throw new UserError(`cannot read ${file}: ${(error as Error).message}`);
    }
    let text: string;
    let parsed: ParsedSharedFile;
    try {
      text = decodeSharedFile(bytes);
      parsed = parseSharedFile(text, mentions === undefined ? { wanted } : { wanted, mentions });
    } catch (error) {
      if (error instanceof SharedFileSyntaxError) {
        throw new UserError(`cannot use ${file}: ${error.message}, and the AWS CLI refuses the whole file for it: fix that line`);
      }
      throw error;
    }
    if (memo && parsed.plain && !QUOTED_HEADER.test(text)) rememberCleanFile(memo.path, memo.identity, parsed.sectionCount, memo.readStartedMs, env);
    return parsed;
  } finally {
    closeSync(fd);
  }
}
