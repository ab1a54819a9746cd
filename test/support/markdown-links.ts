// Checks the relative links of Markdown files the way GitHub resolves them: the target must be
// one of a given set of files (what git tracks, or what the package holds) or a folder holding
// some, inside the root, and a `#anchor` must name a heading of the target page. Anchors are the
// slugs GitHub gives headings (github-slugger: lower case, punctuation dropped, spaces to
// hyphens, a repeated heading gets -1, -2, ...), plus any `<a id>`/`<a name>` in the page.
// Links with a scheme (https:, mailto:) are not fetched: these tests never leave loopback.
import { execFileSync } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';
import { join, posix } from 'node:path';
import GithubSlugger from 'github-slugger';
import { Lexer, type Token, type Tokens } from 'marked';

export interface BrokenLink {
  /** The Markdown file holding the link, relative to the root. */
  file: string;
  line: number;
  href: string;
  why: string;
}

/** The Markdown files among `paths`, sorted. */
export function markdownFiles(paths: string[]): string[] {
  return paths.filter((path) => /\.md$/i.test(path)).sort();
}

/** Every broken relative link in the Markdown files among `paths` (relative to `root`, `/`-separated). */
export function brokenLinks(root: string, paths: string[]): BrokenLink[] {
  const known = new Set(paths);
  const folders = new Set<string>();
  for (const path of known) for (let d = posix.dirname(path); d !== '.'; d = posix.dirname(d)) folders.add(d);
  const anchorsOf = new Map<string, Set<string>>();
  const anchors = (path: string) => {
    let set = anchorsOf.get(path);
    if (!set) anchorsOf.set(path, (set = pageAnchors(readFileSync(join(root, path), 'utf8'))));
    return set;
  };

  const broken: BrokenLink[] = [];
  for (const file of markdownFiles(paths)) {
    const text = readFileSync(join(root, file), 'utf8');
    for (const href of pageLinks(text)) {
      const why = check(file, href);
      if (why) broken.push({ file, line: lineOf(text, href), href, why });
    }
  }
  return broken;

  function check(file: string, href: string): string | undefined {
    if (/^[a-z][a-z0-9+.-]*:/i.test(href)) return undefined; // https:, mailto: ...: not fetched
    if (href.startsWith('/')) return 'an absolute path: GitHub resolves it against github.com, not the repository';
    const hash = href.indexOf('#');
    const pathPart = hash < 0 ? href : href.slice(0, hash);
    const anchor = hash < 0 ? '' : decode(href.slice(hash + 1));
    let target = file;
    if (pathPart !== '') {
      target = posix.normalize(posix.join(posix.dirname(file), decode(pathPart.split('?')[0]!))).replace(/\/$/, '');
      if (target === '..' || target.startsWith('../')) return 'points outside the root';
      if (target === '.') target = '';
      if (target !== '' && !known.has(target) && !folders.has(target)) return `no such file: ${target}`;
    }
    if (anchor === '') return undefined;
    if (!known.has(target) || !/\.md$/i.test(target)) {
      // GitHub's line anchors on a source file; nothing else names a place in a non-Markdown file.
      return known.has(target) && /^L\d+(-L\d+)?$/.test(anchor) ? undefined : `#${anchor} cannot name a place in ${target || 'the root folder'}`;
    }
    return anchors(target).has(anchor.toLowerCase()) ? undefined : `${target} has no heading with the anchor #${anchor}`;
  }
}

/** The anchors GitHub gives a page: one per heading, in order (duplicates get -1, -2, ...), and explicit ids. */
export function pageAnchors(text: string): Set<string> {
  const slugger = new GithubSlugger();
  const anchors = new Set<string>();
  walk(new Lexer({ gfm: true }).lex(text), (token) => {
    if (token.type === 'heading') anchors.add(slugger.slug(plainText((token as Tokens.Heading).tokens)));
    if (token.type === 'html') for (const m of token.raw.matchAll(/<a\s[^>]*\b(?:id|name)\s*=\s*["']([^"']+)["']/gi)) anchors.add(m[1]!.toLowerCase());
  });
  return anchors;
}

/** Every link and image target of a page, in order (code blocks and code spans hold none). */
export function pageLinks(text: string): string[] {
  const hrefs: string[] = [];
  walk(new Lexer({ gfm: true }).lex(text), (token) => {
    if (token.type === 'link' || token.type === 'image') hrefs.push((token as Tokens.Link).href);
    if (token.type === 'html') for (const m of token.raw.matchAll(/\b(?:href|src)\s*=\s*["']([^"']+)["']/gi)) hrefs.push(m[1]!);
  });
  return hrefs;
}

/** Every file git knows in `root`: tracked, or new and not ignored (a page being written counts). */
export function gitPaths(root: string): string[] {
  const out = execFileSync('git', ['-C', root, 'ls-files', '-z', '--cached', '--others', '--exclude-standard'], { encoding: 'utf8', maxBuffer: 64 << 20 });
  return out.split('\0').filter((path) => path !== '' && exists(join(root, path)));
}

/** The text GitHub slugs a heading from: what it renders, without markup. */
function plainText(tokens: Token[]): string {
  let text = '';
  for (const token of tokens) {
    if ('tokens' in token && token.tokens) text += plainText(token.tokens);
    else if (token.type !== 'html' && 'text' in token && typeof token.text === 'string') text += token.text;
  }
  return text;
}

/** Calls `visit` on every token, block and inline, table cells and list items included. */
function walk(tokens: Token[], visit: (token: Token) => void): void {
  for (const token of tokens) {
    visit(token);
    if (token.type === 'table') {
      const table = token as Tokens.Table;
      for (const cell of table.header) walk(cell.tokens, visit);
      for (const row of table.rows) for (const cell of row) walk(cell.tokens, visit);
    } else if (token.type === 'list') {
      for (const item of (token as Tokens.List).items) walk(item.tokens, visit);
    } else if ('tokens' in token && token.tokens) {
      walk(token.tokens, visit);
    }
  }
}

function exists(path: string): boolean {
  try {
    statSync(path);
    return true;
  } catch {
    return false; // deleted in the work tree, not yet in the index
  }
}

function decode(part: string): string {
  try {
    return decodeURIComponent(part);
  } catch {
    return part;
  }
}

/** The line a link target first appears on (1-based), for the report. */
function lineOf(text: string, href: string): number {
  let at = text.indexOf(`(${href}`);
  if (at < 0) at = text.indexOf(href);
  return at < 0 ? 0 : text.slice(0, at).split('\n').length;
}
