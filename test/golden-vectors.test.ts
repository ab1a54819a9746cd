// Every vector the real AWS CLI produced under a frozen clock must reproduce exactly.
import test from 'ava';
import { recogniseCodeCommitHost } from '../src/codecommit/host.js';
import { computeCodeCommitPassword } from '../src/codecommit/password.js';
import { readGoldenVectors } from './support/golden-vectors.js';

const vectors = readGoldenVectors();

test('the fixture file holds vectors', (t) => {
  t.true(vectors.length >= 7);
});

for (const vector of vectors) {
  test(`vector ${vector.name}`, async (t) => {
    const host = recogniseCodeCommitHost(vector.input.host);
    if (vector.expected === null) {
      t.is(host, undefined, 'the CLI printed nothing, so this is not a CodeCommit host');
      return;
    }
    t.truthy(host);
    const signingDate = new Date(vector.time);
    const answer = await computeCodeCommitPassword({
      credentials: vector.credentials,
      hostname: host!.hostname,
      region: host!.region,
      path: vector.input.path,
      signingDate,
    });
    t.is(answer.username, vector.expected.username);
    t.is(answer.password, vector.expected.password);
    t.is(answer.expiresAt, signingDate.getTime() / 1000 + 900);
  });
}

test('the password expiry never outlives the credentials', async (t) => {
  const signingDate = new Date('2026-01-02T03:04:05Z');
  const expiration = new Date('2026-01-02T03:10:00Z');
  const answer = await computeCodeCommitPassword({
    credentials: { accessKeyId: 'ASIAEXAMPLE', secretAccessKey: 'secret', sessionToken: 'token', expiration },
    hostname: 'git-codecommit.us-east-1.amazonaws.com',
    region: 'us-east-1',
    path: 'v1/repos/x',
    signingDate,
  });
  t.is(answer.expiresAt, expiration.getTime() / 1000);
});

test('the caller’s credentials object is not mutated and the answer uses one snapshot', async (t) => {
  const credentials = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' };
  const frozen = Object.freeze({ ...credentials });
  const answer = await computeCodeCommitPassword({
    credentials: frozen,
    hostname: 'git-codecommit.us-east-1.amazonaws.com',
    region: 'us-east-1',
    path: 'v1/repos/x',
    signingDate: new Date('2026-01-02T03:04:05Z'),
  });
  t.deepEqual(frozen, credentials);
  t.is(answer.username, 'AKIDEXAMPLE');
});
