// What `cc-helper migrate` changed in one repository, kept in its git directory
// (`<git-common-dir>/cc-helper-migrate.json`) so `--undo` can give the files back byte for byte.
// One step per migrate run that changed something; `--undo` takes them back last first.
import { join } from 'node:path';
import { removeFile, writeFileAtomically } from '../setup/atomic-write.js';
import { readFileOrThrow } from '../support/bounded-file.js';
import { UserError } from '../support/errors.js';

/** `config`: the repository's own config; `gitmodules`: `.gitmodules` in its work tree. */
export type MigratedFile = 'config' | 'gitmodules';

export interface FileStep {
  file: MigratedFile;
  /** The file's bytes before and after (base64), for an exact undo when nothing changed it since. */
  before: string;
  after: string;
}

export interface UrlChange {
  file: MigratedFile;
  /** As `git config --list` names it, e.g. `remote.origin.url`. */
  key: string;
  from: string;
  to: string;
}

export interface MappingStep {
  /** The https URL: a `cc-helper setup [--local] --remote-url` mapping. */
  pattern: string;
  profile: string;
  /** The pin it was written with, if any. */
  account?: string;
  /**
   * `repository`: in the repository's own config (`--local --remote-url`), what migrate writes;
   * absent: in the global config, what earlier versions wrote (their --undo still works).
   */
  scope?: 'repository';
  /** What the mapping was before: none (migrate made it), or another profile's. */
  before: { kind: 'none' } | { kind: 'profile'; profile: string; account?: string } | { kind: 'same' };
}

export interface MigrateStep {
  at: string;
  files: FileStep[];
  changes: UrlChange[];
  mappings: MappingStep[];
}

interface MigrateRecord {
  version: 1;
  steps: MigrateStep[];
}

export function recordFile(commonDir: string): string {
  return join(commonDir, 'cc-helper-migrate.json');
}

export async function readSteps(commonDir: string): Promise<MigrateStep[]> {
  let text: string;
  try {
    text = readFileOrThrow(recordFile(commonDir), 16 * 1024 * 1024, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  try {
    const record = JSON.parse(text) as MigrateRecord;
    if (record.version !== 1 || !Array.isArray(record.steps)) throw new Error('unknown version');
    return record.steps;
  } catch (error) {
    throw new UserError(`cannot read ${recordFile(commonDir)} (${(error as Error).message}): it is cc-helper migrate's record of what it changed; restore it or delete it`);
  }
}

export async function writeSteps(commonDir: string, steps: readonly MigrateStep[]): Promise<void> {
  if (steps.length === 0) return removeFile(recordFile(commonDir));
  const record: MigrateRecord = { version: 1, steps: [...steps] };
  await writeFileAtomically(recordFile(commonDir), JSON.stringify(record, null, 2) + '\n');
}

export const toBase64 = (latin1: string): string => Buffer.from(latin1, 'latin1').toString('base64');
export const fromBase64 = (base64: string): string => Buffer.from(base64, 'base64').toString('latin1');
