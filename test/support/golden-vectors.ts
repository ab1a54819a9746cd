// The vectors the real AWS CLI produced under a frozen clock (fixtures/codecommit-vectors.jsonl,
// one JSON object a line; `expected: null` means the CLI printed nothing).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PACKAGE_ROOT } from '../../standins/helper-process.js';

export interface GoldenVector {
  name: string;
  time: string;
  input: { protocol: string; host: string; path: string };
  credentials: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
  expected: { username: string; password: string } | null;
}

export function readGoldenVectors(): GoldenVector[] {
  return readFileSync(join(PACKAGE_ROOT, 'fixtures', 'codecommit-vectors.jsonl'), 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as GoldenVector);
}
