// The documentation's links hold: every relative link in every Markdown file git knows (README,
// SECURITY, CONTRIBUTING, docs/*.md and any page added later) names a file that exists, and
// every #anchor names a heading of its page, as GitHub renders them; the same within the
// published package, for someone reading the installed copy. The checker is also run on a
// small repository with one link of each broken kind, so a checker that finds nothing fails.
import test from 'ava';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { brokenLinks, gitPaths, markdownFiles, pageAnchors, pageLinks } from './support/markdown-links.js';
import { PACKAGE_ROOT } from '../standins/helper-process.js';

const report = (broken: ReturnType<typeof brokenLinks>) => broken.map((b) => `${b.file}:${b.line}: (${b.href}) ${b.why}`).join('\n');

test('every relative link in the repository\'s Markdown files resolves, anchors included', (t) => {
  const paths = gitPaths(PACKAGE_ROOT);
  const pages = markdownFiles(paths);
  for (const page of ['README.md', 'SECURITY.md', 'CONTRIBUTING.md', 'docs/troubleshooting.md']) t.true(pages.includes(page), `${page} is checked`);
  t.false(pages.some((page) => page.startsWith('node_modules/')), 'only the project\'s own pages');
  const links = pages.flatMap((page) => pageLinks(readFileSync(join(PACKAGE_ROOT, page), 'utf8')));
  t.true(links.filter((href) => href.includes('#')).length > 20, 'the pages link to anchors, so anchors are checked');
  t.is(report(brokenLinks(PACKAGE_ROOT, paths)), '');
});

test('the published package\'s Markdown links resolve within the package', (t) => {
  // What `npm pack` would put in the tarball (the bundles are there: `npm test` builds first).
  const out = execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: PACKAGE_ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  const packed = (JSON.parse(out) as Array<{ files: Array<{ path: string }> }>)[0]!.files.map((f) => f.path);
  const pages = markdownFiles(packed);
  for (const page of ['README.md', 'SECURITY.md', 'docs/troubleshooting.md']) t.true(pages.includes(page), `${page} is in the package`);
  t.is(report(brokenLinks(PACKAGE_ROOT, packed)), '');
});

test('the checker finds each kind of broken link, and accepts GitHub\'s anchors for repeated and marked-up headings', async (t) => {
  const root = await mkdtemp(join(tmpdir(), 'cc-helper-links-'));
  t.teardown(() => rm(root, { recursive: true, force: true }));
  const files: Record<string, string> = {
    '.gitignore': 'dist/\n',
    'dist/built.js': '',
    'src/a.ts': 'export {};\n',
    'docs/a.md': [
      '# Page A', '', '## Twice', '', '## Twice', '', '## The `cc-helper setup` command', '',
      "## Role and SSO profiles: the AWS CLI's cache, and one MFA a day", '',
      'Setext heading', '--------------', '', '<a id="Custom-Place"></a>', '',
    ].join('\n'),
    'docs/with space.md': '# Spaced\n',
    'README.md': [
      '# Intro', '',
      'Good: [a](docs/a.md) [twice](docs/a.md#twice) [twice again](docs/a.md#twice-1) [code](docs/a.md#the-cc-helper-setup-command)',
      "[sso](docs/a.md#role-and-sso-profiles-the-aws-clis-cache-and-one-mfa-a-day) [setext](docs/a.md#setext-heading) [id](docs/a.md#custom-place)",
      '[self](#intro) [folder](docs/) [spaced](docs/with%20space.md) [line](src/a.ts#L1-L2) [web](https://example.com/nowhere.md) [mail](mailto:a@b.c)',
      '', '```', '[in a code block](gone-in-code.md)', '```', '', '`[in a code span](gone-in-span.md)`', '',
      'Bad: [missing file](docs/missing.md) [missing anchor](docs/a.md#twice-2) [self anchor](#nowhere)',
      '[ignored](dist/built.js) [outside](../outside.md) [absolute](/docs/a.md) [source anchor](src/a.ts#top)',
      '', '| cell |', '|---|', '| [in a table](docs/table.md) |', '',
      '- [in a list](docs/list.md)', '', '![image](img/gone.png)', '', '[by reference][ref]', '',
      '[ref]: docs/reference.md', '', '<a href="docs/html.md">html</a>', '',
    ].join('\n'),
  };
  for (const [path, text] of Object.entries(files)) {
    await mkdir(dirname(join(root, path)), { recursive: true });
    await writeFile(join(root, path), text);
  }
  execFileSync('git', ['init', '-q', root], { env: { ...process.env, GIT_CONFIG_NOSYSTEM: '1', GIT_CONFIG_GLOBAL: '/dev/null' } });

  t.deepEqual([...pageAnchors(files['docs/a.md']!)], [
    'page-a', 'twice', 'twice-1', 'the-cc-helper-setup-command',
    'role-and-sso-profiles-the-aws-clis-cache-and-one-mfa-a-day', 'setext-heading', 'custom-place',
  ]);
  const broken = brokenLinks(root, gitPaths(root));
  t.deepEqual(broken.map((b) => [b.href, b.line]), [
    ['docs/missing.md', 13], ['docs/a.md#twice-2', 13], ['#nowhere', 13],
    ['dist/built.js', 14], ['../outside.md', 14], ['/docs/a.md', 14], ['src/a.ts#top', 14],
    ['docs/table.md', 18], ['docs/list.md', 20], ['img/gone.png', 22], ['docs/reference.md', 26], ['docs/html.md', 28],
  ], report(broken));
});
