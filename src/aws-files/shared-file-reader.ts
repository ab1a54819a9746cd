// Reads one AWS shared file for the sections a caller wants, refusing what the AWS CLI refuses.
// Small files are parsed whole every time. A large file read clean (twice, see clean-file-memo.ts)
// is afterwards only searched for the wanted sections (section-search.ts), until the filesystem
// says it changed: a file of 50,000 profiles then costs about what one of a few profiles does,
// instead of a check of every line on every git request.
import { closeSync, fstatSync } from 'node:fs';
import { resolve } from 'node:path';
import { openRegularFile, readOpenFile } from '../support/bounded-file.js';
import { UserError } from '../support/errors.js';
import { fileIdentity, MEMO_MIN_BYTES, recalledCleanFile, rememberCleanFile, sameFile } from './clean-file-memo.js';
import { searchSections } from './section-search.js';
import { decodeSharedFile, parseSharedFile, SharedFileSyntaxError, type ParsedSharedFile } from './shared-file-parser.js';

/** 50,000 profiles are about 5 MB; a file past this is no AWS file anyone keeps (and is not read into memory). */
const MAX_SHARED_FILE_BYTES = 256 * 1024 * 1024;

/** A header with quotes or a backslash may name a profile shlex-style: the search cannot see those. */
const QUOTED_HEADER = /^\[[^\n]*["'\\]/m;

/**
 * Parses the shared file at `file` (undefined when there is no regular file there, as botocore
 * skips it). `mentions`: text every wanted section's name contains unless it is quoted (see
 * ParseOptions); without it the file is always parsed whole. A line the CLI refuses is a UserError.
 */
export function readSharedFile(file: string, wanted: (section: string) => boolean, mentions?: string, env: NodeJS.ProcessEnv = process.env): ParsedSharedFile | undefined {
  // The one bounded reader's open (src/support/bounded-file.ts): non-blocking, so a FIFO in the
  // file's place cannot hang git; botocore skips a path that is not a regular file (os.path.isfile).
  const opened = openRegularFile(file);
  if (opened.status === 'missing' || (opened.status === 'refused' && opened.kind === 'not-a-file')) return undefined;
  if (opened.status === 'refused') throw new UserError(`cannot read ${file}: it ${opened.reason}`);
  const { fd, stats } = opened;
  try {
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
    const read = readOpenFile(fd, stats, MAX_SHARED_FILE_BYTES); // from offset 0: the search reads by position
    if (read.status !== 'read') throw new UserError(`cannot use ${file}: it ${read.status === 'refused' ? read.reason : 'is gone'}`);
    const bytes = read.bytes;
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
