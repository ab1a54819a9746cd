// `--debug` / CC_HELPER_DEBUG=1: a trace on stderr with timings. Callers pass only what is safe
// to show (never a secret, a signature or a session token); mask() helps with key ids.
// `performance` is Node's lazily created global: nothing loads unless a trace is written.
// Every line is redacted (src/support/redact.ts) as it is written, whoever composed it.
import { redactText } from './redact.js';

export type Trace = (message: string) => void;

export const silentTrace: Trace = () => {};

export function createTrace(enabled: boolean, write: (text: string) => void = (t) => process.stderr.write(t)): Trace {
  if (!enabled) return silentTrace;
  return (message) => {
    const ms = performance.now().toFixed(1).padStart(7);
    const body = redactText(message).replace(/\n/g, '\n' + ' '.repeat(22));
    write(`cc-helper[${ms} ms] ${body}\n`);
  };
}

export function debugRequested(env: NodeJS.ProcessEnv): boolean {
  const value = env.CC_HELPER_DEBUG;
  return value !== undefined && value !== '' && value !== '0' && value.toLowerCase() !== 'false';
}

/** `AKIAIOSFODNN7EXAMPLE` -> `****************MPLE`: enough to tell keys apart, not to use one. */
export function mask(value: string): string {
  return value.length <= 4 ? '****' : '*'.repeat(value.length - 4) + value.slice(-4);
}
