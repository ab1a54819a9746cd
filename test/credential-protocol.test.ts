// The parser is pure, so the protocol's edge cases are a table plus a fuzz loop of nasty seeds.
import test from 'ava';
import {
  formatCredentialAnswer,
  MAX_LINE_BYTES,
  MAX_REQUEST_BYTES,
  parseCredentialRequest,
  ProtocolError,
} from '../src/git/credential-protocol.js';
import { UserError } from '../src/support/errors.js';

const accepted: Array<[string, string, ReturnType<typeof parseCredentialRequest>]> = [
  ['plain request', 'protocol=https\nhost=h\npath=v1/repos/r\n\n', { protocol: 'https', host: 'h', path: 'v1/repos/r' }],
  ['EOF without blank line', 'protocol=https\nhost=h', { protocol: 'https', host: 'h' }],
  ['one CR before LF is stripped', 'protocol=https\r\nhost=h\r\n\r\n', { protocol: 'https', host: 'h' }],
  ['blank line ends the request', 'host=a\n\nhost=b\n', { host: 'a' }],
  ['last value wins', 'host=a\nhost=b\n', { host: 'b' }],
  ['value may contain =', 'path=a=b==\n', { path: 'a=b==' }],
  ['"==" is an empty key: ignored', '==\nhost=h\n', { host: 'h' }],
  [
    'capability[], wwwauth[] (repeated) and unknown keys are ignored',
    'capability[]=authtype\ncapability[]=state\nwwwauth[]=Basic realm="x"\nwwwauth[]=Negotiate\nfuture_key=1\nhost=h\n',
    { host: 'h' },
  ],
  ['password and expiry sent back by git are ignored', 'host=h\npassword=p\npassword_expiry_utc=1\n', { host: 'h' }],
  ['url= fills protocol, host and path', 'url=https://git-codecommit.us-east-1.amazonaws.com:443/v1/repos/a%20b\n', {
    protocol: 'https',
    host: 'git-codecommit.us-east-1.amazonaws.com',
    path: 'v1/repos/a b',
  }],
  ['url= with a non-default port keeps it', 'url=https://h:8443/x\n', { protocol: 'https', host: 'h:8443', path: 'x' }],
  ['empty input', '', {}],
  // git's credential_from_url() clears the credential first (issue 11, item 11).
  ['url= drops what came before it', 'protocol=http\nhost=x\npath=stale\nusername=u\nurl=https://h\n', { protocol: 'https', host: 'h' }],
  ['attributes after url= still win', 'url=https://h/a\npath=b\n', { protocol: 'https', host: 'h', path: 'b' }],
  ['url= keeps a query in the path, for the signer to refuse', 'url=https://h/a?b#c\n', { protocol: 'https', host: 'h', path: 'a?b#c' }],
];

for (const [title, input, expected] of accepted) {
  test(`accepts: ${title}`, (t) => {
    t.deepEqual({ ...parseCredentialRequest(input) }, expected);
  });
}

const rejected: Array<[string, string, RegExp]> = [
  ['CR inside a value (CVE-2024-52006)', 'host=git-codecommit.us-east-1.amazonaws.com\rpath=x\n', /carriage return or NUL/],
  ['two CRs before LF', 'host=h\r\r\n', /carriage return or NUL/],
  ['NUL in a value', 'host=h\0evil\n', /carriage return or NUL/],
  ['a line without =', 'protocol=https\njunk\n', /line 2 is not key=value/],
  ['a line over the limit', `path=${'a'.repeat(MAX_LINE_BYTES)}\n`, /longer than 65535 bytes/],
  ['a request over the total limit', `wwwauth[]=${'a'.repeat(60000)}\n`.repeat(20), /larger than/],
  ['url= that is not a URL', 'url=::::\n', /not a URL/],
];

for (const [title, input, message] of rejected) {
  test(`rejects: ${title}`, (t) => {
    const error = t.throws(() => parseCredentialRequest(input), { instanceOf: ProtocolError });
    t.regex(error!.message, message);
  });
}

test('a line of exactly 65535 bytes is accepted', (t) => {
  const path = 'a'.repeat(MAX_LINE_BYTES - 'path='.length);
  t.is(parseCredentialRequest(`path=${path}\n`).path, path);
});

test('the total limit is well above anything git sends', (t) => {
  t.true(MAX_REQUEST_BYTES >= 16 * MAX_LINE_BYTES);
});

test('errors never echo the offending line', (t) => {
  const secret = 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY';
  for (const input of [`${secret}\n`, `password=${secret}\r\0\n`, `url=${secret}::\n`]) {
    const error = t.throws(() => parseCredentialRequest(input));
    t.false(error!.message.includes(secret.slice(0, 8)));
  }
});

test('fuzz: random mixtures of nasty fragments either parse or throw ProtocolError', (t) => {
  const fragments = ['=', '==', '\n', '\r', '\r\n', '\0', 'host', 'path', 'url', '[]', 'capability[]=', 'wwwauth[]=', 'https://', 'é', '\u2028', ' '];
  let seed = 0x5eed;
  const random = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
  let parsed = 0;
  let refused = 0;
  for (let i = 0; i < 5000; i++) {
    let input = '';
    const n = Math.floor(random() * 12);
    for (let j = 0; j < n; j++) input += fragments[Math.floor(random() * fragments.length)];
    try {
      const request = parseCredentialRequest(input);
      for (const value of Object.values(request)) t.false(/[\r\n\0]/.test(value as string), JSON.stringify(input));
      parsed++;
    } catch (error) {
      if (!(error instanceof ProtocolError)) t.fail(`unexpected ${String(error)} for ${JSON.stringify(input)}`);
      refused++;
    }
  }
  t.true(parsed > 100 && refused > 100);
});

test('the answer is LF-terminated key=value lines, expiry last', (t) => {
  t.is(
    formatCredentialAnswer({ username: 'AKID%tok/+=', password: '20260101T000000Zabc', passwordExpiryUtc: 1767226500 }),
    'username=AKID%tok/+=\npassword=20260101T000000Zabc\npassword_expiry_utc=1767226500\n',
  );
});

// Issue 11, item 2: nothing that leaves for git may carry a line break or NUL, whatever the
// credentials file or STS handed over; a clear refusal (the caller answers quit=1), not a crash.
for (const [field, bad] of [
  ['username', 'AKID%tok\nhost=evil.example'],
  ['username', 'AKID%tok\rpassword=x'],
  ['password', '20260101T000000Zabc\0'],
  ['password', '20260101T000000Zabc\npassword=stolen'],
] as const) {
  test(`the answer refuses a ${field} holding ${JSON.stringify(bad.replace(/[^\r\n\0]/g, '').slice(0, 1))}`, (t) => {
    const answer = { username: 'AKID', password: '20260101T000000Zabc', [field]: bad };
    const error = t.throws(() => formatCredentialAnswer(answer), { instanceOf: UserError });
    t.regex(error!.message, /line break or NUL/);
    t.false(error!.message.includes(bad), 'the value (a token or password) is not in the message');
  });
}

test('bytes: values are decoded as strict UTF-8, and one that is not is named, never decoded lossily', (t) => {
  const bytes = (...parts: Array<string | number[]>) => Buffer.concat(parts.map((p) => (typeof p === 'string' ? Buffer.from(p) : Buffer.from(p))));
  t.deepEqual({ ...parseCredentialRequest(bytes('host=h\npath=caf', [0xc3, 0xa9], '\n')) }, { host: 'h', path: 'café' });
  for (const bad of [[0xff], [0x80], [0xc3], [0xed, 0xa0, 0x80]]) {
    const request = parseCredentialRequest(bytes('host=h\npath=d', bad, 'mo\n'));
    t.is(request.path, undefined);
    t.deepEqual(request.notUtf8, ['path']);
  }
  // A later valid path= replaces the bad one, as the last occurrence wins.
  t.deepEqual({ ...parseCredentialRequest(bytes('path=', [0xff], '\npath=ok\n')) }, { path: 'ok', notUtf8: [] });
  t.throws(() => parseCredentialRequest(bytes('url=https://h/', [0xff], '\n')), { instanceOf: ProtocolError });
  // A byte order mark is kept (git never sends one), so such a host is no CodeCommit host.
  t.is(parseCredentialRequest(bytes('host=', [0xef, 0xbb, 0xbf], 'git-codecommit.us-east-1.amazonaws.com\n')).host, '\ufeffgit-codecommit.us-east-1.amazonaws.com');
  t.throws(() => parseCredentialRequest('url=https://h/%E0%A4%A\n'), { instanceOf: ProtocolError, message: /malformed %-escape/ });
});
