// `cc-helper doctor` over a signed-in day (issue 20: "doctor with an SSO profile and no login at
// all prints 'result: a push would work from this shell', while the same shell's git credential
// fill fails"; SESSIONS-DESIGN.md: a missing or ended session is an error with the command to
// run; a refreshable one shows until when its material lasts and that it refreshes, and says
// that the session's end is not knowable client-side). So once a session has ended early (an
// administrator, a password change) and a get in this shell met the refusal, doctor must say so
// with the command, offline as with --online (which tries a push's path itself); and a new
// sign-in clears it.
//
// Each check runs at the real now (the simulated day is placed so): doctor's GUI-client probe
// starts git with an environment of its own, without faketime's variables, so it reads the real
// clock; at offset 0 it and everything else see the same instant.
import type { ExecutionContext } from 'ava';
import { FAKETIME, POSIX, needs } from './support/prerequisites.js';
import { simulatedClock } from '../standins/simulated-clock.js';
import { startSignInWorld, type SignInKind } from '../standins/sign-in-world.js';

const test = needs(POSIX, FAKETIME);
const URL = 'https://git-codecommit.us-east-1.amazonaws.com/v1/repos/day';
const COMMAND: Record<SignInKind, RegExp> = { sso: /aws sso login --profile day/, login: /aws login --profile day/ };

/** `hh:mm` of a day placed so that `now` (an `hh:mm` of it) is the real now. */
function dayWhereNowIs(now: string): (hhmm: string) => Date {
  const minutes = (hhmm: string) => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3));
  const base = Math.floor(Date.now() / 1000) * 1000 - minutes(now) * 60_000;
  return (hhmm) => new Date(base + minutes(hhmm) * 60_000);
}

async function signedInDay(t: ExecutionContext, kind: SignInKind, now: string) {
  const clock = simulatedClock();
  const world = await startSignInWorld({ kind, clock });
  t.teardown(() => world.close());
  const day = dayWhereNowIs(now);
  clock.set(day('08:59'));
  world.signIn();
  clock.set(day('09:00'));
  const first = await world.fill();
  t.true(first.answered, first.problem);
  return { world, clock, day };
}

for (const kind of ['sso', 'login'] as const) {
  const what = kind === 'sso' ? 'an Identity Center session' : 'an aws login session';

  test(`doctor, during ${what}: a push would work, and it says the sign-in refreshes`, async (t) => {
    // SSO 09:30: role credentials of 09:00 and a token of 08:59, both good; aws login 09:05: 9 minutes left.
    const now = kind === 'sso' ? '09:30' : '09:05';
    const { world, clock, day } = await signedInDay(t, kind, now);
    clock.set(day(now));
    const doctor = await world.doctor(URL);
    const report = `${doctor.stdout}${doctor.stderr}`;
    t.is(doctor.code, 0, report);
    t.regex(doctor.stdout, /refresh/i, `it says the sign-in refreshes:\n${report}`);
    if (kind === 'login') t.notRegex(doctor.stdout, /long-term keys|credentials: static/, `an aws login profile is not static keys:\n${report}`);
  });

  test(`doctor, once ${what} has ended: an error naming the command, never "a push would work", until the next sign-in`, async (t) => {
    // The session ends at 09:30 (an administrator, a password change); at 10:01 nothing valid is left.
    const { world, clock, day } = await signedInDay(t, kind, '10:02');
    clock.set(day('09:30'));
    if (kind === 'sso') world.center!.endSessions();
    else world.signin!.refuseAll('TOKEN_EXPIRED');
    clock.set(day('10:01'));
    const get = await world.get();
    t.is(get.result.stdout, 'quit=1\n', 'the get in this shell fails');
    clock.set(day('10:02'));
    // Offline, doctor knows what the get in this shell met (its refusal is kept until the cache
    // file changes); --online tries a push's path itself.
    for (const options of [[], ['--online']]) {
      const doctor = await world.doctor(URL, options);
      const report = `doctor ${options.join(' ')}:\n${doctor.stdout}${doctor.stderr}`;
      t.is(doctor.code, 1, `a problem that stops a push: ${report}`);
      t.notRegex(doctor.stdout, /a push would work/, report);
      t.regex(doctor.stdout, COMMAND[kind], report);
    }

    // After `aws sso login` / `aws login` again, doctor no longer reports the old refusal.
    clock.set(day('10:03'));
    world.signIn();
    const fresh = await world.doctor(URL);
    t.is(fresh.code, 0, `${fresh.stdout}${fresh.stderr}`);
  });
}
