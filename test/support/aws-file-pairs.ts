// Random but plausible pairs of AWS shared files (credentials + config), seeded, for the file
// oracle: each pair mixes the features botocore's reader has rules for — which file wins, the
// provider order inside a profile, header spellings, configparser's line rules, [DEFAULT],
// duplicates, broken lines, encodings — around one profile that the AWS CLI and cc-helper are
// asked for. `@HOME@` in a file stands for the pair's HOME directory (credential_process paths).
import { SeededRandom } from './prng.js';

export interface FilePair {
  name: string;
  profile: string;
  credentials: Buffer;
  config: Buffer;
  /** What `credential_process` prints (written to @HOME@/process.json). */
  processOutput: string;
  /** The features this pair has, for the coverage check. */
  features: Set<string>;
}

// Names with spaces and non-ASCII letters too: the AWS CLI takes them (a config header needs
// quotes around a spaced name, which some spellings below leave out: then neither reads it).
const PROFILES = ['dev', 'client.acme', 'ops-1', 'a@b.c', 'x_y+z', 'my profile', 'dév', '開発 team', 'default'];
const FILLER_NAMES = ['staging', 'my dev', 'clïent', 'prod/eu', 'über', 'team one', 'x', 'Dev'];
const KEY_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
/** What people's secrets and tokens really carry, and what a reader might mistake for syntax. */
const TRICKY = [' # not a comment', ';x', '#', '"', "'", '%', ' ', ':', '=', 'é', '\\n', '"quoted"', '\t'];

interface Line {
  text: string;
}

class Maker extends SeededRandom {
  features = new Set<string>();
  feature(name: string): void {
    this.features.add(name);
  }

  keyId(tag: string): string {
    return `${this.chance(0.5) ? 'AKIA' : 'ASIA'}${tag}${this.string(KEY_ALPHABET, 16 - tag.length)}`;
  }
  secret(): string {
    let s = this.string(B64, 40);
    if (this.chance(0.3)) {
      const bit = this.pick(TRICKY);
      const at = this.int(1, s.length - 1);
      s = s.slice(0, at) + bit + s.slice(at);
      this.feature(`tricky value ${JSON.stringify(bit)}`);
    }
    return s;
  }
  token(): string {
    return this.string(B64, this.int(16, 80)) + this.pick(['', '=', '==']);
  }

  /** `key = value` in one of the spellings configparser accepts. */
  option(key: string, value: string): Line {
    const r = this.random();
    let name = key;
    if (this.chance(0.05)) {
      name = key.toUpperCase();
      this.feature('upper-case key');
    }
    let text: string;
    if (r < 0.55) text = `${name} = ${value}`;
    else if (r < 0.7) text = `${name}=${value}`;
    else if (r < 0.8) {
      text = `${name}: ${value}`;
      this.feature('colon delimiter');
    } else if (r < 0.85) {
      text = `${name}:${value}`;
      this.feature('colon delimiter');
    } else if (r < 0.93) text = `${name}\t=\t${value}`;
    else {
      text = `${name}   =   ${value}  `;
      this.feature('blanks around value');
    }
    if (this.chance(0.06)) {
      text = this.pick([' ', '\t', '  ']) + text;
      this.feature('indented key line');
    }
    return { text };
  }
  /** Comments, blank lines and (rarely) continuation lines between options. */
  filler(): Line[] {
    const lines: Line[] = [];
    if (this.chance(0.12)) {
      lines.push({ text: this.pick(['# a comment', '; a comment', '   # indented comment', '#[default]', '; aws_access_key_id = AKIACOMMENTED0000000']) });
      this.feature('comment line');
    }
    if (this.chance(0.1)) {
      lines.push({ text: this.pick(['', '   ', '\t']) });
      this.feature('blank line');
    }
    return lines;
  }

  /** A section: header and options in order, with fillers, continuations and breakage. */
  section(header: string, options: Array<[string, string]>): Line[] {
    const lines: Line[] = [{ text: header }];
    for (const [key, value] of options) {
      lines.push(...this.filler(), this.option(key, value));
      if (this.chance(0.015)) {
        lines.push({ text: this.pick(['  continued', '\tmore text', '    x = y']) });
        this.feature('continuation line');
      }
    }
    if (this.chance(0.02) && options.length > 0) {
      const [key] = this.pick(options);
      lines.push(this.option(key, 'DUPLICATE'));
      this.feature('duplicate key');
    }
    if (this.chance(0.02)) {
      lines.push({ text: this.pick(['s3 =', 'services =']) }, { text: this.chance(0.5) ? '  addressing_style = path' : '  not a pair' });
      this.feature('nested block');
    }
    if (this.chance(0.01)) {
      lines.push({ text: this.pick(['this line has no delimiter', '= no key', '[unclosed', ': no key']) });
      this.feature('unparseable line');
    }
    return lines;
  }

  header(name: string): string {
    if (this.chance(0.08)) {
      this.feature('text after ]');
      return `[${name}]${this.pick([' # note', ' ; note', ' trailing words', ']'])}`;
    }
    return `[${name}]`;
  }

  /** `[profile NAME]` as people (and tools) spell it; some spellings are no profile at all. */
  configHeader(profile: string): string {
    if (profile === 'default' && this.chance(0.6)) return this.header('default');
    const spellings = [
      `profile ${profile}`, `profile ${profile}`, `profile ${profile}`,
      `profile "${profile}"`, `profile '${profile}'`, `profile  ${profile}`, `profile\t${profile}`, `profile ${profile} `,
      ` profile ${profile}`, `profile${profile}`, `profile "${profile}`,
    ];
    const spelling = this.pick(spellings);
    if (spelling !== `profile ${profile}`) this.feature(`config header ${JSON.stringify(spelling.replace(profile, 'P'))}`);
    return this.header(spelling);
  }

  staticOptions(tag: string): Array<[string, string]> {
    const options: Array<[string, string]> = [];
    const r = this.random();
    if (r < 0.06) {
      options.push(['aws_access_key_id', this.keyId(tag)]);
      this.feature('partial: key id only');
    } else if (r < 0.1) {
      options.push(['aws_secret_access_key', this.secret()]);
      this.feature('partial: secret only');
    } else {
      options.push(['aws_access_key_id', this.keyId(tag)], ['aws_secret_access_key', this.secret()]);
      const t = this.random();
      if (t < 0.3) options.push(['aws_session_token', this.token()]);
      else if (t < 0.38) {
        options.push(['aws_security_token', this.token()]);
        this.feature('aws_security_token');
      } else if (t < 0.45) {
        options.push(['aws_session_token', this.token()], ['aws_security_token', this.token()]);
        this.feature('both token keys, different values');
      }
    }
    if (this.chance(0.04)) {
      options[0] = [options[0]![0], ''];
      this.feature('empty value');
    }
    return shuffle(this, options);
  }
}

function shuffle<T>(m: Maker, items: T[]): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = m.int(0, i);
    [items[i], items[j]] = [items[j]!, items[i]!];
  }
  return items;
}

function render(m: Maker, sections: Line[][], preamble: Line[]): Buffer {
  const lines = [...preamble, ...sections.flat()].map((l) => l.text);
  const eol = m.chance(0.1) ? m.pick(['\r\n', '\r\n', '\r']) : '\n';
  if (eol !== '\n') m.feature(eol === '\r' ? 'CR line ends' : 'CRLF line ends');
  let text = lines.join(eol) + (m.chance(0.9) ? eol : '');
  if (m.chance(0.01)) {
    text = '\ufeff' + text;
    m.feature('byte order mark');
  }
  const bytes = Buffer.from(text, 'utf8');
  if (m.chance(0.01)) {
    m.feature('invalid UTF-8');
    return Buffer.concat([bytes, Buffer.from('# \xff\xfe\n', 'latin1')]);
  }
  return bytes;
}

/** Sections of other profiles, some named so that a careless reader takes them for the wanted one. */
function fillers(m: Maker, profile: string, inConfig: boolean): Line[][] {
  const out: Line[][] = [];
  // Distinct names: a repeated one is a duplicate section, which has its own feature.
  const names = shuffle(m, [...FILLER_NAMES]).slice(0, m.int(0, 3));
  for (const name of names) {
    const header = inConfig ? (m.chance(0.5) ? `profile "${name}"` : `profile ${name.replace(/ /g, '_')}`) : name;
    out.push(m.section(m.header(header), m.staticOptions('FILL')));
    m.feature('other profiles');
  }
  if (m.chance(0.1)) {
    // The wrong file's spelling: [profile P] in credentials, [P] in config.
    out.push(m.section(m.header(inConfig ? profile : `profile ${profile}`), m.staticOptions('TRAP')));
    m.feature('wrong-file header spelling');
  }
  return out;
}

function defaultsSection(m: Maker, tag: string): Line[][] {
  if (!m.chance(0.08)) return [];
  m.feature('[DEFAULT] section');
  const options: Array<[string, string]> = m.pick([
    [['region', 'eu-west-1']],
    [['aws_session_token', m.token()]],
    [['aws_access_key_id', m.keyId(tag)], ['aws_secret_access_key', m.secret()]],
    [['output', 'json']],
  ]);
  return [m.section(m.header('DEFAULT'), options)];
}

export function makeFilePair(seed: number, index: number): FilePair {
  const m = new Maker(seed ^ Math.imul(index + 1, 0x9e3779b1));
  const profile = m.chance(0.12) ? 'default' : m.pick(PROFILES.slice(0, -1));
  if (profile.includes(' ')) m.feature('profile name with a space');
  if (/[^\x00-\x7f]/.test(profile)) m.feature('non-ASCII profile name');

  // The credentials file.
  const credentialSections: Line[][] = [...defaultsSection(m, 'CDEF'), ...fillers(m, profile, false)];
  if (m.chance(0.55)) {
    const options = m.chance(0.85) ? m.staticOptions('CRED') : [['region', 'us-east-1'] as [string, string]];
    credentialSections.splice(m.int(0, credentialSections.length), 0, m.section(m.header(profile), options));
    m.feature('profile in credentials file');
  }
  if (m.chance(0.03)) {
    credentialSections.push(m.section(m.header(profile), m.staticOptions('DUPS')));
    m.feature('duplicate section');
  }

  // The config file.
  const configSections: Line[][] = [...defaultsSection(m, 'KDEF'), ...fillers(m, profile, true)];
  if (m.chance(0.65)) {
    let options: Array<[string, string]> = m.chance(0.7) ? m.staticOptions('CONF') : [];
    options.push(['region', 'eu-central-1']);
    const r = m.unit();
    if (r < 0.18) {
      options.push(['credential_process', m.pick(['/bin/cat @HOME@/process.json', "/bin/cat '@HOME@/process.json'"])]);
      m.feature('credential_process');
    } else if (r < 0.24) {
      options.push(['role_arn', 'arn:aws:iam::123456789012:role/Nowhere']);
      m.feature('role_arn without a source');
    } else if (r < 0.27) {
      options.push(['sso_account_id', '123456789012'], ['sso_role_name', 'Dev']);
      m.feature('SSO settings');
    } else if (r < 0.3) {
      options.push(['web_identity_token_file', '/nonexistent/token'], ['role_arn', 'arn:aws:iam::123456789012:role/Web']);
      m.feature('web identity');
    }
    options = shuffle(m, options);
    configSections.splice(m.int(0, configSections.length), 0, m.section(m.configHeader(profile), options));
    m.feature('profile in config file');
    if (m.chance(0.05)) {
      // A second spelling of the same profile: botocore keeps the later section whole.
      configSections.push(m.section(m.configHeader(profile), m.staticOptions('CON2')));
      m.feature('two config sections for one profile');
    }
  }
  const preamble: Line[] = m.chance(0.1) ? [{ text: '# ~/.aws file' }, { text: '' }] : [];
  if (m.chance(0.02)) {
    preamble.push({ text: 'aws_access_key_id = AKIABEFOREHEADER0000' });
    m.feature('key before any header');
  }
  const credentials = render(m, credentialSections, preamble);
  const config = render(m, configSections, []);
  const processOutput = JSON.stringify({ Version: 1, AccessKeyId: m.keyId('PROC'), SecretAccessKey: m.secret().replace(/[\\"]/g, 'x'), ...(m.chance(0.5) ? { SessionToken: m.token() } : {}) });
  return { name: `pair #${index}`, profile, credentials, config, processOutput, features: m.features };
}
