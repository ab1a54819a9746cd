// The architecture of src/, written down so that `npm test` checks it (pretest runs
// `npm run check-imports`, after the build). ARCHITECTURE.md says the same in prose.
//
// Layers, bottom to top. A folder imports only folders of LOWER layers (never one of its own layer
// beside it, never one above), and no file reaches itself through its imports: a lazy
// `await import()` is an edge like any other (it keeps the hot path small; it does not hide a cycle).
// Type-only imports count too. A folder of src/ that no layer lists fails the check: a new folder
// takes its place here first.
const LAYERS = [
  {
    folders: ['support', 'crypto'],
    owns:
      "support: errors, trace, redaction, the bounded file reader, the atomic file writer, locks, UTC time formats, shell words, cc-helper's own folder; " +
      "crypto: SHA-256 (the hot path's own, no node:crypto)",
  },
  {
    folders: ['git', 'codecommit', 'prompt'],
    owns:
      "git: git's credential protocol (request, answer); codecommit: CodeCommit's hosts, the SigV4 password and how long it must stay valid (the renewal margin); " +
      'prompt: asking a person (askpass, terminal, desktop dialog) for an MFA code or a passphrase',
  },
  {
    folders: ['aws-files'],
    owns:
      'the files AWS tools share, read as botocore reads them: config and credentials (paths, parser, reader, large-file memo, section search, INI sections, ' +
      'the one credentials-file editor), the profile as botocore merges it and which step of its chain answers (profile kind), profile names and choice, ' +
      "token files, and the AWS CLI's credential cache format and keys. Format only: no network, no credentials resolved",
  },
  {
    folders: ['aws-transport'],
    owns:
      "one way to call AWS: proxy / NO_PROXY / CA bundle, bounded answers, the query-protocol request, the SDK clients' request handler, " +
      'endpoint settings, XML, the query APIs\' error mapping, network-failure classification and redaction of server text',
  },
  {
    folders: ['aws-clients'],
    owns: "the calls: STS, IAM, the sign-in DPoP proof; each call's answer checked, no policy (when to call is the sources')",
  },
  {
    folders: ['account'],
    owns:
      "which account credentials belong to: the evidence a source hands back (below the sources, which make it), the key -> account cache, " +
      'and the pin (--account), which asks STS only when the evidence is missing',
  },
  {
    folders: ['credential-sources'],
    owns:
      'the profile kinds: static keys, role (source_profile), SSO, `aws login`, the SDK hand-over (process, web identity, credential_source), ambient; ' +
      'and what they share: serving from the CLI cache, the shared attempt (lock + failure replay), the refresh discipline. ' +
      'No source imports the resolver: a role is handed the resolution of its source profile (ResolveSource)',
  },
  {
    folders: ['credentials'],
    owns: "one place that resolves a named profile: botocore's order (profile kind) and the dispatch to the sources, wiring their collaborators",
  },
  {
    folders: ['vault'],
    owns: 'the long-term secrets: the vault interface and item checks, the encrypted file and OS keyring backends, Leapp, key rotation',
  },
  {
    folders: ['sessions'],
    owns: 'on-demand sessions: the definitions (which vault item, role, MFA device a profile uses) and the activation into the credentials file',
  },
  {
    folders: ['helper', 'setup'],
    owns:
      "helper: `get`, the hot path (request -> host -> profile -> credentials -> password -> answer); " +
      'setup: the git config cc-helper owns (helper lines, includeIf files, URL patterns, pins)',
  },
  {
    folders: ['codecommit-remote'],
    owns: "the codecommit:: remote helper (git-remote-codecommit's drop-in) and `migrate` from it; builds on setup, never on doctor",
  },
  {
    folders: ['doctor'],
    owns: 'diagnosis: gathers facts from every layer below (read only) and renders them as text or JSON',
  },
  {
    folders: ['cli'],
    owns:
      'the commands: the entry (entry.ts), the dispatcher (main.ts), the command table (commands.ts), argv, one module a command, ' +
      "the shell completion scripts (made from the commands' own specs), and the hot bundle's declared members (hot-bundle.ts)",
  },
];

const fs = require('node:fs');
const path = require('node:path');

const listed = LAYERS.flatMap((layer) => layer.folders);
const present = fs
  .readdirSync(path.join(__dirname, 'src'), { withFileTypes: true })
  .filter((entry) => entry.isDirectory() && fs.readdirSync(path.join(__dirname, 'src', entry.name)).length > 0)
  .map((entry) => entry.name);
const unlisted = present.filter((folder) => !listed.includes(folder));
if (unlisted.length > 0) {
  throw new Error(`.dependency-cruiser.cjs: src/${unlisted.join(', src/')} is in no layer: add it to LAYERS (its layer, and what it owns)`);
}

const folderPattern = (folders) => `^src/(${folders.join('|')})/`;

/** For each folder: it may not import a folder of its own layer or of any layer above. */
const layerRules = LAYERS.flatMap((layer, index) =>
  layer.folders.map((folder) => {
    const notBelow = LAYERS.slice(index).flatMap((l) => l.folders).filter((f) => f !== folder);
    return {
      name: `layer-${folder}`,
      comment: `src/${folder}/ (layer ${index}) imports only lower layers; it owns: ${layer.owns}`,
      severity: 'error',
      from: { path: `^src/${folder}/` },
      to: { path: folderPattern(notBelow) },
    };
  }),
);

module.exports = {
  forbidden: [
    {
      name: 'no-cycle',
      comment: 'No file reaches itself through its imports, lazy import() included: hand the collaborator in, or move the shared part down.',
      severity: 'error',
      from: { path: '^src/' },
      to: { circular: true },
    },
    ...layerRules.filter((rule) => rule.to.path !== '^src/()/'),
    {
      name: 'only-the-entry-imports-the-dispatcher',
      comment: 'cli/main.ts is imported by cli/entry.ts alone: a command that needs the command table is handed it (CommandContext.commands).',
      severity: 'error',
      from: { path: '^src/', pathNot: '^src/cli/entry\\.ts$' },
      to: { path: '^src/cli/main\\.ts$' },
    },
    {
      name: 'src-stands-alone',
      comment: 'What ships imports nothing from the tests, the scripts or the stand-ins.',
      severity: 'error',
      from: { path: '^src/' },
      to: { path: '^(test|scripts|standins)/' },
    },
  ],
  options: {
    // Type-only imports are dependencies too: a type from a higher layer is an upward import.
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^(dist|node_modules)/' },
  },
};
