// What a test needs beyond Node and git, and what happens to it where that is missing: the one
// way tests here depend on a program, a platform or a setting.
//
//   const test = needs(AWS_CLI_V2, FAKETIME);   // instead of ava's `test`, for those tests
//
// Where everything is there, the tests are ava's own. Where something is missing:
// - on a platform whose CI provides it (`providedOn`: .ci/run installs the Debian packages; the
//   macOS runner has zsh), each test fails with the line that installs it, unless
//   CC_TEST_SKIP_MISSING=1 (a developer machine without them);
// - anywhere else (macOS and Windows for the Linux-only programs, .github/workflows/ci.yml), each
//   test is registered as skipped, its title saying what it needs and why: ava's output lists it
//   with a "-" instead of passing it silently.
// Hooks registered through it run only when the tests do.
import test, { type ExecutionContext } from 'ava';
import { spawnSync } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';

export interface Prerequisite {
  /** What is needed, as the test title says it: `/usr/bin/aws (Debian's awscli 2.9)`. */
  what: string;
  /** Whether it is here (asked once, when a test file first needs it). */
  present: () => boolean;
  /** Where CI always has it: missing there is a failure, not a skip. */
  providedOn: readonly NodeJS.Platform[];
  /** How to get it, for that failure. */
  install: string;
}

function memo(check: () => boolean): () => boolean {
  let answer: boolean | undefined;
  return () => (answer ??= check());
}

/** The program's path on PATH (and the usual bin folders), or undefined. */
export function findOnPath(name: string): string | undefined {
  const suffixes = process.platform === 'win32' ? ['.exe', '.cmd', ''] : [''];
  const dirs = [...(process.env.PATH ?? '').split(delimiter), ...(process.platform === 'win32' ? [] : ['/usr/bin', '/bin', '/usr/local/bin'])];
  for (const dir of dirs) {
    if (!dir) continue;
    for (const suffix of suffixes) {
      try {
        accessSync(join(dir, name + suffix), constants.X_OK);
        return join(dir, name + suffix);
      } catch {
        // not here
      }
    }
  }
  return undefined;
}

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function program(name: string, what: string, providedOn: readonly NodeJS.Platform[], install: string): Prerequisite {
  return { what, present: memo(() => findOnPath(name) !== undefined), providedOn, install };
}

const LINUX: readonly NodeJS.Platform[] = ['linux'];

/** Debian's AWS CLI v2, the oracle (not `which aws`: the pyenv AWS CLI v1 may come first on PATH). */
export const AWS_CLI_V2: Prerequisite = {
  what: "/usr/bin/aws (Debian's awscli 2.9, the AWS CLI oracle)",
  present: memo(() => isExecutable('/usr/bin/aws')),
  providedOn: LINUX,
  install: 'apt-get install awscli',
};

export const FAKETIME: Prerequisite = program('faketime', 'faketime (libfaketime: a frozen clock for the AWS CLI)', LINUX, 'apt-get install faketime');

/** A private D-Bus session with gnome-keyring-daemon: the OS keyring vault's real Secret Service. */
export const SECRET_SERVICE: Prerequisite = {
  what: 'a headless Secret Service (dbus-run-session, gnome-keyring-daemon, secret-tool: Linux)',
  present: memo(() => process.platform === 'linux' && ['dbus-run-session', 'gnome-keyring-daemon', 'secret-tool'].every((p) => findOnPath(p) !== undefined)),
  providedOn: LINUX,
  install: 'apt-get install dbus-daemon gnome-keyring libsecret-tools',
};

/**
 * A Python with botocore 1.31 or later (AWS_ENDPOINT_URL_<SERVICE> points it at the stand-ins):
 * the pyenv Python this machine image has, else python3 on PATH (the GitHub Linux job makes one).
 */
export const BOTOCORE_PYTHON: Prerequisite = {
  what: 'a Python with botocore 1.31 or later (the oracle for botocore\'s refresh rules)',
  present: memo(() => botocorePython() !== undefined),
  providedOn: LINUX,
  install: 'the pyenv Python with `pip install botocore`, or python3 -m venv and pip install botocore, first on PATH',
};

const BOTOCORE_1_31 = 'import sys, botocore; sys.exit(0 if tuple(map(int, botocore.__version__.split(".")[:2])) >= (1, 31) else 1)';
let python: string | null | undefined;
/** The path of that Python: `pyenv which python`, else python3 on PATH. */
export function botocorePython(): string | undefined {
  if (python === undefined) {
    const which = spawnSync('pyenv', ['which', 'python'], { encoding: 'utf8' });
    const candidates = [which.status === 0 ? which.stdout.trim() : '', findOnPath('python3') ?? ''].filter(Boolean);
    python = candidates.find((path) => spawnSync(path, ['-c', BOTOCORE_1_31], { stdio: 'ignore' }).status === 0) ?? null;
  }
  return python ?? undefined;
}

/** util-linux `script` (a pseudo-terminal; BSD `script` takes other arguments). */
export const UTIL_LINUX_SCRIPT: Prerequisite = {
  what: "util-linux script (a pseudo-terminal; macOS's BSD script takes other arguments)",
  present: memo(() => process.platform === 'linux' && spawnSync('script', ['--version'], { stdio: 'ignore' }).status === 0),
  providedOn: LINUX,
  install: 'apt-get install bsdutils',
};

export const SETSID: Prerequisite = program('setsid', 'setsid (util-linux: a process without a controlling terminal)', LINUX, 'apt-get install util-linux');

/** /proc, where other local users read a process's argv and environment. */
export const PROC_FILESYSTEM: Prerequisite = {
  what: '/proc (Linux: what other users see of a process)',
  present: memo(() => process.platform === 'linux'),
  providedOn: LINUX,
  install: 'Linux',
};

export const OPENSSL: Prerequisite = program('openssl', "openssl (the tests' throwaway CA)", ['linux', 'darwin'], 'apt-get install openssl');

export const BASH: Prerequisite = program('bash', 'bash', ['linux', 'darwin'], 'apt-get install bash');
export const ZSH: Prerequisite = program('zsh', 'zsh (the zsh completion is run in a real zsh)', ['linux', 'darwin'], 'apt-get install zsh');
export const FISH: Prerequisite = program('fish', 'fish (the fish completion is run in a real fish)', LINUX, 'apt-get install fish');

/**
 * A POSIX system. Tests marked with it have not been made to run on Windows (they run shell
 * snippets through sh, check 0600 file modes, send signals, or spell paths the POSIX way).
 */
export const POSIX: Prerequisite = {
  what: 'a POSIX system (sh, file modes, signals: not yet ported to Windows)',
  present: () => process.platform !== 'win32',
  providedOn: ['linux', 'darwin'],
  install: 'Linux or macOS',
};

/** Not root: root reads and writes files whatever their permissions say. */
export const NOT_ROOT: Prerequisite = {
  what: 'a user other than root (root ignores file permissions)',
  present: () => process.getuid?.() !== 0,
  providedOn: [],
  install: 'run the tests as another user',
};

/** Root, to chown files to another user or run a child as one (CI runs as root; tests of other users' files need it). */
export const ROOT: Prerequisite = {
  what: 'root (to give files to another user, or run a child as one)',
  present: () => process.geteuid?.() === 0,
  providedOn: LINUX,
  install: 'run the tests as root, as .ci/run does',
};

/** The AWS CLI oracles run unless CC_SKIP_ORACLE=1 (minutes of them, on a developer machine). */
export const ORACLE_WANTED: Prerequisite = {
  what: 'CC_SKIP_ORACLE unset (it is 1: the AWS CLI oracle is skipped on request; CI runs it)',
  present: () => process.env.CC_SKIP_ORACLE !== '1',
  providedOn: [],
  install: 'unset CC_SKIP_ORACLE',
};

/** macOS and Windows: the OS keyring tests write to the real Keychain / Credential Manager, so only on request. */
export const OS_KEYRING_WANTED: Prerequisite = {
  what: "CC_HELPER_TEST_OS_KEYRING=1 (to test against this machine's own Keychain or Credential Manager)",
  present: () => process.env.CC_HELPER_TEST_OS_KEYRING === '1',
  providedOn: [],
  install: 'set CC_HELPER_TEST_OS_KEYRING=1',
};

type Implementation = (t: ExecutionContext) => void | PromiseLike<void>;
type Register = (title: string, implementation: Implementation) => void;

export interface ConditionalTest extends Register {
  serial: Register;
  before: (implementation: Implementation) => void;
  after: { always: (implementation: Implementation) => void };
}

/** The prerequisites that are missing here, or [] when the tests can run. */
export function missing(prerequisites: readonly Prerequisite[]): Prerequisite[] {
  return prerequisites.filter((p) => !p.present());
}

/** ava's `test` for tests that need `prerequisites` (see the top of this file). */
export function needs(...prerequisites: Prerequisite[]): ConditionalTest {
  const absent = missing(prerequisites);
  if (absent.length === 0) {
    const run: ConditionalTest = Object.assign((title: string, implementation: Implementation) => test(title, implementation), {
      serial: (title: string, implementation: Implementation) => test.serial(title, implementation),
      before: (implementation: Implementation) => test.before(implementation),
      after: { always: (implementation: Implementation) => test.after.always(implementation) },
    });
    return run;
  }
  const required = absent.filter((p) => p.providedOn.includes(process.platform));
  const skipRequested = process.env.CC_TEST_SKIP_MISSING === '1';
  const register = (serial: boolean): Register =>
    required.length > 0 && !skipRequested
      ? (title) =>
          (serial ? test.serial : test)(title, (t) => {
            t.fail(`needs ${required.map((p) => p.what).join(' and ')}: ${required.map((p) => p.install).join('; ')} (CI has it), or set CC_TEST_SKIP_MISSING=1 to skip such tests here`);
          })
      : (title, implementation) => (serial ? test.serial.skip : test.skip)(`${title} [skipped: needs ${absent.map((p) => p.what).join(' and ')}]`, implementation);
  const noHook = () => {};
  return Object.assign(register(false), { serial: register(true), before: noHook, after: { always: noHook } });
}
