// Sixteen gets at the moment of expiry make one refresh. A refresh token is good once: two
// processes that both refresh present the same refresh token, and the stand-ins (as the services
// may) end the whole sign-in session on the second, which would send the user back to the browser.
// So 16 helper processes start together, under faketime, at the simulated instant the material
// needs refreshing (inside the refresh window, or just past expiry), and:
// - exactly one CreateToken / CreateOAuth2Token reaches the stand-in, and none is refused;
// - all 16 answer, each answer checked by an independent CodeCommit signature check against
//   credentials the stand-in issued that had not expired;
// - SSO: one GetRoleCredentials per role (several profiles share one sso-session token: one
//   refresh between them); a role on an aws login profile: one AssumeRole, one login refresh;
// - the refresh token written back is the live one: the next expiry's refresh succeeds.
// Once with the service answering at once, once answering 1.5 s late (the others wait meanwhile).
// It is a race, so each case runs several times (CC_RACE_REPEATS, default 3, alternating the two
// instants; the slow-service cases half as often, at least once at each instant); every repeat is logged (`npx ava --verbose dist/test/expiry-race.test.js`).
import type { ExecutionContext } from 'ava';
import { FAKETIME, POSIX, needs } from './support/prerequisites.js';
import { simulatedClock } from '../standins/simulated-clock.js';
import { startSignInWorld, type GetOutcome, type SignInKind } from '../standins/sign-in-world.js';
import { startSlowRelay } from './support/slow-relay.js';

const test = needs(POSIX, FAKETIME);
const REPEATS = Math.max(1, Number(process.env.CC_RACE_REPEATS ?? 3));
const GETS = 16;

interface Race {
  kind: SignInKind;
  profiles: string[];
  /** Minutes after sign-in at which the material needs refreshing: inside the refresh window, and just past expiry. */
  instants: [number, number];
  /** When the material the race fetched needs its next refresh, in minutes after the race. */
  nextExpiryMinutes: number;
  /** The refresh endpoint answers this late (a slow service: the other 15 wait on the lock meanwhile). */
  slowMs?: number;
  /** The gets use a role whose source_profile is the aws login profile: the role's lock, then the login's. */
  roleOnLogin?: boolean;
}

// Times are minutes after `aws sso login` / `aws login` (08:59 in the day's terms); a warm-up get
// one minute after sign-in (09:00) leaves the ordinary caches a day has.
const RACES: Record<string, Race> = {
  // The role credentials of 09:00 last to 10:00 and are renewed inside 15 minutes; the token lasts
  // to 09:59 and is refreshed inside 15 minutes: at 09:50 (+51) both are inside, at 10:01 (+62) both past.
  'sso, one profile': { kind: 'sso', profiles: ['day'], instants: [51, 62], nextExpiryMinutes: 61 },
  'sso, four roles sharing one sso-session': { kind: 'sso', profiles: ['day', 'ops', 'audit', 'deploy'], instants: [51, 62], nextExpiryMinutes: 61 },
  // aws login's credentials last to 09:14 and refresh inside 5 minutes: 09:11 (+12) is inside, 09:15 (+16) past.
  'aws login (AWS_LOGIN_CACHE_DIRECTORY)': { kind: 'login', profiles: ['day'], instants: [12, 16], nextExpiryMinutes: 16 },
  // A role on the aws login profile: its credentials of 09:00 last to 10:00 (renewed inside 15
  // minutes); the login's ran out at 09:14: at 09:49 (+50) and 10:01 (+62) both need renewing.
  'a role whose source_profile is the aws login profile': { kind: 'login', profiles: ['day'], instants: [50, 62], nextExpiryMinutes: 61, roleOnLogin: true },
  'sso, four roles, SSO OIDC answering in 1.5 s': { kind: 'sso', profiles: ['day', 'ops', 'audit', 'deploy'], instants: [51, 62], nextExpiryMinutes: 61, slowMs: 1500 },
  'aws login, the sign-in service answering in 1.5 s': { kind: 'login', profiles: ['day'], instants: [12, 16], nextExpiryMinutes: 16, slowMs: 1500 },
};

const MINUTE = 60_000;

async function raceOnce(t: ExecutionContext, name: string, race: Race, repeat: number): Promise<void> {
  const clock = simulatedClock();
  const world = await startSignInWorld({ kind: race.kind, clock, profiles: race.profiles, loginCacheDirectory: race.kind === 'login', roleOnLogin: race.roleOnLogin ?? false });
  const getProfiles = race.roleOnLogin ? [world.helperProfile] : race.profiles;
  const relay = race.slowMs ? await startSlowRelay((world.center ?? world.signin)!.port, race.slowMs) : undefined;
  if (relay && world.center) world.env.AWS_ENDPOINT_URL_SSO_OIDC = relay.url;
  if (relay && world.signin) {
    world.env.AWS_ENDPOINT_URL_SIGNIN = relay.url;
    world.signin.acceptedHtu.push(`${relay.url}v1/token`); // the proof names the URL the client asked
  }
  try {
    // The race's instant is the real now (a few seconds of setup aside): contended locks judge a
    // holder by its file's age, which an offset clock would misread (standins/simulated-clock.ts).
    const minutes = race.instants[repeat % 2]!;
    const signedInAt = new Date(Math.floor(Date.now() / 1000) * 1000 - minutes * MINUTE);
    clock.set(signedInAt);
    world.signIn();
    clock.set(new Date(signedInAt.getTime() + MINUTE));
    for (const profile of getProfiles) {
      const warm = await world.get(profile);
      t.true(warm.answered, `warm-up get for ${profile}: ${warm.problem}`);
    }
    const before = { calls: world.refreshCalls(), refreshes: world.refreshes(), roles: world.roleFetches(), issued: world.issued().length };
    const raceAt = new Date(signedInAt.getTime() + minutes * MINUTE);
    clock.set(raceAt);
    const label = `sign-in + ${minutes} min (offset ${clock.offsetSeconds()} s)`;
    const started = Date.now();
    const outcomes: GetOutcome[] = await Promise.all(Array.from({ length: GETS }, (_, i) => world.get(getProfiles[i % getProfiles.length]!)));
    const wall = (Date.now() - started) / 1000;
    const calls = world.refreshCalls() - before.calls;
    const roleFetches = world.roleFetches() - before.roles;
    const answered = outcomes.filter((o) => o.answered).length;
    const issuedInRace = new Set(world.issued().slice(before.issued).map((k) => k.accessKeyId));
    const fresh = outcomes.filter((o) => o.accessKeyId && issuedInRace.has(o.accessKeyId)).length;
    t.log(
      `${name} #${repeat + 1} at ${label}: ${answered}/${GETS} answered (${fresh} with material issued in the race), ` +
        `refresh requests ${calls}${race.kind === 'sso' ? `, GetRoleCredentials ${roleFetches}` : race.roleOnLogin ? `, AssumeRole ${roleFetches}` : ''}, refused ${world.refusedRefreshes().length}, ${wall.toFixed(1)} s`,
    );
    t.deepEqual(
      outcomes.filter((o) => !o.answered).map((o) => o.problem),
      [],
      `every get answered (repeat ${repeat + 1}, ${label})`,
    );
    t.deepEqual(outcomes.filter((o) => o.answered && o.result.stderr !== '').map((o) => o.result.stderr.trim()), [], 'silently');
    t.is(calls, 1, `exactly one refresh request for ${GETS} gets (repeat ${repeat + 1}, ${label})`);
    t.is(world.refreshes() - before.refreshes, 1);
    t.deepEqual(world.refusedRefreshes(), [], 'no refresh token presented twice (the stand-in would have ended the session)');
    if (race.kind === 'sso') t.is(roleFetches, race.profiles.length, 'one GetRoleCredentials per role');
    if (race.roleOnLogin) t.is(roleFetches, 1, 'one AssumeRole');

    // The refresh token the race left in the cache is the live one: the next expiry refreshes.
    clock.set(new Date(raceAt.getTime() + race.nextExpiryMinutes * MINUTE));
    const next = await world.get(getProfiles[0]!);
    t.true(next.answered, `the get ${race.nextExpiryMinutes} minutes later answered: ${next.problem}`);
    t.is(world.refreshes() - before.refreshes, 2, 'the next expiry refreshed with the refresh token the race wrote back');
    t.deepEqual(world.refusedRefreshes(), []);
  } finally {
    await relay?.close();
    await world.close();
  }
}

for (const [name, race] of Object.entries(RACES)) {
  // The slow service's races mostly wait: fewer of them (one at each instant, by default).
  const repeats = race.slowMs ? Math.max(2, Math.ceil(REPEATS / 2)) : REPEATS;
  test(`${GETS} concurrent gets at the moment of expiry make one refresh: ${name} (${repeats} repeats)`, async (t) => {
    t.timeout(60_000 * repeats);
    for (let repeat = 0; repeat < repeats; repeat++) await raceOnce(t, name, race, repeat);
  });
}
