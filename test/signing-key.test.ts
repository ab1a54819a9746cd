// The SigV4 signing key the password is made with, against @smithy/signature-v4's getSigningKey
// run on an independent SHA-256 (@aws-crypto/sha256-js): random secrets, dates, regions, services.
import test from 'ava';
import { Sha256 as ReferenceSha256 } from '@aws-crypto/sha256-js';
import { getSigningKey } from '@smithy/signature-v4';
import { randomBytes } from 'node:crypto';
import { signingKey } from '../src/codecommit/password.js';
import { SeededRandom } from './support/prng.js';

test('the signing key is the one @smithy/signature-v4 derives', async (t) => {
  const random = new SeededRandom(4);
  for (let i = 0; i < 200; i++) {
    const secret = randomBytes(random.int(0, 90)).toString(random.chance(0.5) ? 'base64' : 'latin1');
    const date = `${random.int(1970, 2099)}${String(random.int(1, 12)).padStart(2, '0')}${String(random.int(1, 28)).padStart(2, '0')}`;
    const region = random.pick(['us-east-1', 'eu-west-1', 'cn-north-1', 'us-gov-west-1', random.string('abcdefghij-0123456789', random.int(1, 30))]);
    const service = random.pick(['codecommit', 'sts', 'iam']);
    const expected = await getSigningKey(ReferenceSha256, { accessKeyId: 'AKIA', secretAccessKey: secret }, date, region, service);
    t.deepEqual(Buffer.from(signingKey(secret, date, region, service)), Buffer.from(expected), `secret ${JSON.stringify(secret)}, ${date}, ${region}, ${service}`);
  }
});
