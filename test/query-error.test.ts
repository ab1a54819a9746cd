// The one query-API error mapper (src/aws-transport/query-error.ts) with STS's and IAM's tables: every
// message, kind, code and status byte for byte as the two mappers it replaced made them.
// fixtures/query-api-errors.json was written by the pre-merge aws-clients/sts-error.ts and aws-clients/iam-error.ts
// (main at 39a79e4) over this corpus: each code's rule in each STS context, throttling and server
// failures, hostile codes and server text carrying the request's secret or MFA code, and every
// kind of network failure.
import test from 'ava';
import { readFileSync } from 'node:fs';
import { iamAnswerError, iamNetworkError, IamError, type IamErrorContext } from '../src/aws-clients/iam-error.js';
import type { NetworkFailure } from '../src/aws-transport/query-error.js';
import { answerError, networkError, StsError, type ErrorContext } from '../src/aws-clients/sts-error.js';
import { UserError } from '../src/support/errors.js';

const SECRET = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';
const MFA_CODE = '123456';
const base = { endpoint: 'https://sts.eu-west-1.amazonaws.com/', region: 'eu-west-1', accessKeyId: 'AKIAIOSFODNN7EXAMPLE', attempts: 1, retriedAfterNetworkError: false, secrets: [SECRET, MFA_CODE] };
const STS_CONTEXTS: Record<string, ErrorContext> = {
  assume: { ...base, action: 'AssumeRole', roleArn: 'arn:aws:iam::111122223333:role/Code', serialNumber: 'arn:aws:iam::111122223333:mfa/me' },
  session: { ...base, action: 'GetSessionToken', serialNumber: 'arn:aws:iam::111122223333:mfa/me', retriedAfterNetworkError: true, attempts: 3 },
  whoami: { ...base, action: 'GetCallerIdentity' },
};
const IAM_CONTEXT: IamErrorContext = { action: 'CreateAccessKey', endpoint: 'https://iam.amazonaws.com/', accessKeyId: 'AKIAIOSFODNN7EXAMPLE', attempts: 2, secrets: [SECRET] };

interface Case {
  ctx?: string;
  answer?: [number, string, string];
  network?: [NetworkFailure, number];
  error: { name: string; message: string; kind: string; code: string; action: string; status?: number };
}
const PINNED = JSON.parse(readFileSync(new URL('../../fixtures/query-api-errors.json', import.meta.url), 'utf8')) as { sts: Case[]; iam: Case[] };

function view(e: StsError | IamError): Case['error'] {
  const seen: Case['error'] = { name: e.name, message: e.message, kind: e.kind, code: e.code, action: e.action };
  if (e.status !== undefined) seen.status = e.status;
  return seen;
}

test('STS: every message, kind, code and status as before the merge', (t) => {
  t.true(PINNED.sts.length >= 80);
  for (const c of PINNED.sts) {
    const context = STS_CONTEXTS[c.ctx!]!;
    const error = c.answer ? answerError(c.answer[0], c.answer[1], c.answer[2], context) : networkError(c.network![0], context, c.network![1]);
    t.true(error instanceof StsError && error instanceof UserError);
    t.deepEqual(view(error), c.error, JSON.stringify(c.answer ?? c.network));
  }
});

test('IAM: every message, kind, code and status as before the merge', (t) => {
  t.true(PINNED.iam.length >= 25);
  for (const c of PINNED.iam) {
    const error = c.answer ? iamAnswerError(c.answer[0], c.answer[1], c.answer[2], IAM_CONTEXT) : iamNetworkError(c.network![0], IAM_CONTEXT, c.network![1]);
    t.true(error instanceof IamError && error instanceof UserError);
    t.deepEqual(view(error), c.error, JSON.stringify(c.answer ?? c.network));
  }
});

test('no message carries the secret key (nor an STS message the MFA code), whatever the server put in its text or its code', (t) => {
  t.true(PINNED.sts.some((c) => c.answer?.[2].includes(SECRET)) && PINNED.sts.some((c) => c.answer?.[1].includes(SECRET)));
  for (const c of [...PINNED.sts, ...PINNED.iam]) {
    const shown = c.error.message + c.error.code;
    t.false(shown.includes(SECRET), shown);
    t.false(shown.includes('\n'), shown);
  }
  // The MFA code is a secret of STS requests (IAM's carry none).
  for (const c of PINNED.sts) t.false(c.error.message.includes(MFA_CODE), c.error.message);
});
