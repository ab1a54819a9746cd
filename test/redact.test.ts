// The one redaction (src/support/redact.ts): the shapes people actually put secrets in, and the
// text that must survive it (profile names, hosts, paths, ARNs), so messages stay useful.
import test from 'ava';
import { redactServerText, redactText, redactUrl } from '../src/support/redact.js';

test('user info goes from URLs with or without a scheme, whatever the password holds', (t) => {
  t.is(redactUrl('http://user:password@proxy.corp:3128'), 'http://***@proxy.corp:3128');
  t.is(redactUrl('user:password@proxy.corp:3128'), '***@proxy.corp:3128', 'a proxy without a scheme');
  t.is(redactUrl('//user:pw@proxy:80'), '//***@proxy:80');
  t.is(redactUrl('https://ghp_0123456789abcdef@github.com/x'), 'https://***@github.com/x', 'a token as the user name');
  t.is(redactUrl('http://us%40er:p%2Fw@proxy:3128'), 'http://***@proxy:3128');
  t.is(redactUrl('http://user:pa/ss@proxy:3128'), 'http://***@proxy:3128', 'a / inside the password');
  t.is(redactUrl('http://user:p@ss@proxy:3128'), 'http://***@proxy:3128', 'an @ inside the password');
  t.is(redactUrl('codecommit://a@user:Secret@demo'), 'codecommit://***@demo');
  t.is(redactUrl('codecommit://a:Se/cr@t@demo'), 'codecommit://***@demo');
  t.is(redactUrl('codecommit::eu-west-1://u:pw@demo'), 'codecommit::eu-west-1://***@demo');
});

test('what is no secret stays: hosts, a codecommit profile, an @ in a path', (t) => {
  t.is(redactUrl('http://proxy.corp:3128'), 'http://proxy.corp:3128');
  t.is(redactUrl('codecommit://AcmeCode@app'), 'codecommit://AcmeCode@app', 'a profile name is no secret');
  t.is(redactUrl('codecommit::eu-west-1://AcmeCode@app'), 'codecommit::eu-west-1://AcmeCode@app');
  t.is(redactUrl('eu-west-1://AcmeCode@app'), 'eu-west-1://AcmeCode@app', 'what git hands git-remote-codecommit');
  t.is(redactUrl('alice@proxy:3128'), '***@proxy:3128', 'a proxy user alone may be a token');
  t.is(redactUrl('https://git-codecommit.eu-west-1.amazonaws.com/v1/repos/a@b'), 'https://git-codecommit.eu-west-1.amazonaws.com/v1/repos/a@b');
  t.is(redactUrl('proxy.corp:3128'), 'proxy.corp:3128');
});

test('free text: every URL, bare user:password@host and token in it', (t) => {
  const secret = 'Sup3r/S3cr@t';
  const lines = [
    `network: proxy http://alice:${secret}@proxy:3128 except NO_PROXY=x`,
    `the URL "codecommit://a@user:${secret}@demo" is malformed`,
    `HTTPS_PROXY=alice:S3cret@proxy:3128 is set`,
    `proxy alice:S3cret@proxy.corp:3128 refused`,
  ];
  for (const line of lines) {
    const out = redactText(line);
    t.false(/S3cr|S3cret/.test(out), out);
    t.true(out.includes('***@'), out);
  }
  const jwt = 'eyJhbGciOiJSUzI1NiIsImtpZCI6IjEifQ.eyJzdWIiOiJzeXN0ZW06c2VydmljZWFjY291bnQifQ.c2lnbmF0dXJlLXBhcnQ';
  t.is(redactText(`token ${jwt} refused`), 'token [redacted token] refused');
  const sessionToken = `IQoJb3JpZ2luX2VjEJr/${'A1b2C3d4'.repeat(20)}+tok=`;
  t.false(redactText(`header: ${sessionToken}`).includes('A1b2C3d4'));
});

test('free text keeps ARNs, paths, e-mail-style session names and plain messages', (t) => {
  const keep = [
    'STS denied AssumeRole (AccessDenied: User: arn:aws:sts::123456789012:assumed-role/Dev/alice@example.com is not authorized)',
    'cannot read /home/alice/work/clients/acme/repositories/frontend/configuration/settings/with/many/levels/file.json',
    'profile "AcmeCode" (from --profile)',
    'at 12:30 the key ****************MPLE expired',
  ];
  for (const line of keep) t.is(redactText(line), line);
});

test('server text loses the request\'s values, signatures and control characters, on one line', (t) => {
  const out = redactServerText(`bad code 123456 for key AKIAEXAMPLEKEY0001\n\u001b[31m sig ${'ab'.repeat(32)}`, ['123456', 'AKIAEXAMPLEKEY0001']);
  t.is(out, 'bad code [redacted] for key [redacted] ?[31m sig [redacted]');
  t.is(redactServerText('x'.repeat(400), []).length, 300);
});
