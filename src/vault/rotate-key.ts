// `vault rotate`: replace an IAM user's long-term access key held in the vault, so that at every
// moment the vault holds a key that works:
//   1. ListAccessKeys (IAM allows two per user: with two, stop before changing anything)
//   2. keep the old key recoverable: a backup item `<item>.previous` in the same vault
//   3. CreateAccessKey (signed with the old key)
//   4. store the new key in the item                  (fails: delete the NEW key)
//   5. prove it: STS GetCallerIdentity with the new key, retried while IAM propagates it
//                                                      (fails: put the old key back, delete the NEW key)
//   6. DeleteAccessKey for the old key (signed with the old key, which is certain to work)
//                                                      (fails: the new key works; say how to delete the old)
//   7. drop the backup item
// Every failure says exactly what state IAM and the vault are in.
import type { IamClient } from '../aws-clients/iam-client.js';
import type { CallerIdentity } from '../aws-clients/sts-client.js';
import { UserError } from '../support/errors.js';
import { mask } from '../support/trace.js';
import type { Vault, VaultItem } from './vault.js';
import { profileArgument } from '../support/shell-word.js';

type Keys = { accessKeyId: string; secretAccessKey: string };

export interface RotateDeps {
  vault: Vault;
  /** The vault item holding the key (usually the profile name). */
  item: string;
  profile: string;
  iam: (credentials: Keys) => IamClient;
  /** GetCallerIdentity with these credentials. */
  whoAmI: (credentials: Keys) => Promise<CallerIdentity>;
  now: () => Date;
  sleep?: (ms: number) => Promise<void>;
  /** Waits before each retry of the proof; new IAM keys take seconds to reach STS. */
  proofDelaysMs?: number[];
  /** Progress lines for the person (stdout). */
  progress: (line: string) => void;
}

export interface RotateResult {
  oldAccessKeyId: string;
  newAccessKeyId: string;
  /** Set when everything worked but the old key could not be deleted. */
  oldKeyStillActive?: boolean;
}

export const DEFAULT_PROOF_DELAYS_MS = [1000, 2000, 3000, 4000, 5000, 5000, 5000];

export class RotationError extends UserError {
  override name = 'RotationError';
}

export async function rotateKey(deps: RotateDeps): Promise<RotateResult> {
  const { vault, item, profile, progress } = deps;
  const sleep = deps.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const backupName = `${item}.previous`;
  const old = await vault.get(item);
  if (!old) throw new UserError(`the vault (${vault.location}) has no item "${item}" for profile "${profile}": run \`cc-helper vault add ${profileArgument(profile)}\``);
  const oldKeys: Keys = { accessKeyId: old.accessKeyId, secretAccessKey: old.secretAccessKey };
  const oldIam = deps.iam(oldKeys);
  const oldId = mask(old.accessKeyId);

  // 1. Room for a second key?
  const existing = await oldIam.listAccessKeys().catch((error: unknown) => {
    throw wrap(error, 'could not list the user\'s access keys; nothing was changed');
  });
  const user = existing[0]?.userName || 'the user';
  if (existing.length >= 2) {
    const others = existing.filter((k) => k.accessKeyId !== old.accessKeyId);
    const other = others[0];
    throw new RotationError(
      `IAM user ${user} already has two access keys (${existing.map((k) => `${k.accessKeyId} ${k.status || ''}`.trim()).join(', ')}), the most IAM allows; nothing was changed. ` +
        (other
          ? `The vault uses ${old.accessKeyId}; if nothing else uses ${other.accessKeyId}, delete it ` +
            `(\`aws iam delete-access-key --user-name ${user} --access-key-id ${other.accessKeyId}\`), then run \`cc-helper vault rotate ${profileArgument(profile)}\` again`
          : `Neither is the vault's key ${old.accessKeyId}: check which one profile ${profile} should use`),
    );
  }
  if (!existing.some((k) => k.accessKeyId === old.accessKeyId)) {
    throw new RotationError(`IAM lists no key ${old.accessKeyId} for ${user} although it signed the request: nothing was changed; check the vault item "${item}"`);
  }

  // 2. Keep the old key recoverable until the end.
  await vault.put(backupName, old).catch((error: unknown) => {
    throw wrap(error, `could not write the backup item "${backupName}" to the vault (${vault.location}); nothing was changed`);
  });

  // 3. The new key.
  let created;
  try {
    created = await oldIam.createAccessKey();
  } catch (error) {
    await vault.remove(backupName).catch(() => false);
    throw wrap(error, `could not create a new access key; nothing was changed, the vault still holds ${oldId}`);
  }
  const newKeys: Keys = { accessKeyId: created.accessKeyId, secretAccessKey: created.secretAccessKey };
  progress(`created access key ${created.accessKeyId} for ${created.userName || user}`);

  /** Undo step 3; returns the words for the message. */
  const deleteNewKey = async (): Promise<string> => {
    try {
      await oldIam.deleteAccessKey(created.accessKeyId);
      return `the new key ${created.accessKeyId} was deleted again`;
    } catch (error) {
      return (
        `the new key ${created.accessKeyId} could not be deleted (${(error as Error).message}): it is unused, delete it with ` +
        `\`aws iam delete-access-key --user-name ${created.userName || user} --access-key-id ${created.accessKeyId}\``
      );
    }
  };

  // 4. Store it.
  const fresh: VaultItem = { ...newKeys, createdAt: deps.now().toISOString() };
  try {
    await vault.put(item, fresh);
  } catch (error) {
    const undone = await deleteNewKey();
    await vault.remove(backupName).catch(() => false);
    throw wrap(error, `could not store the new key in the vault (${vault.location}); the vault still holds the old key ${old.accessKeyId}, which still works; ${undone}`);
  }
  progress(`stored it in the vault (${vault.location})`);

  // 5. Prove it works (IAM keys reach STS after a few seconds).
  const delays = deps.proofDelaysMs ?? DEFAULT_PROOF_DELAYS_MS;
  let proofFailure: unknown;
  let identity: CallerIdentity | undefined;
  for (let attempt = 0; attempt <= delays.length; attempt++) {
    if (attempt > 0) await sleep(delays[attempt - 1]!);
    try {
      identity = await deps.whoAmI(newKeys);
      break;
    } catch (error) {
      proofFailure = error;
      // Only "not known yet" is worth waiting for.
      if (!(error instanceof UserError) || !/invalid-credentials|bad-signature/.test(String((error as { kind?: string }).kind))) break;
    }
  }
  const expectedUser = created.userName || existing[0]?.userName;
  if (identity && expectedUser && !identity.arn.endsWith(`/${expectedUser}`)) {
    proofFailure = new Error(`STS says the new key is ${identity.arn}, not IAM user ${expectedUser}`);
    identity = undefined;
  }
  if (!identity) {
    let restored: string;
    try {
      await vault.put(item, old);
      await vault.remove(backupName);
      restored = `the vault holds the old key ${old.accessKeyId} again, which still works`;
    } catch (error) {
      restored = `putting the old key back failed (${(error as Error).message}): it is in the vault item "${backupName}"`;
    }
    const undone = await deleteNewKey();
    const why = proofFailure instanceof Error ? proofFailure.message : String(proofFailure);
    throw new RotationError(`the new key does not work with STS (${why}); ${restored}; ${undone}`);
  }
  progress(`proved it with STS: ${identity.arn}`);

  // 6. Retire the old key.
  try {
    await oldIam.deleteAccessKey(old.accessKeyId);
  } catch (error) {
    await vault.remove(backupName).catch(() => false);
    throw wrap(
      error,
      `the vault now holds the new key ${created.accessKeyId}, which works, but the old key ${old.accessKeyId} is still active in IAM: ` +
        `delete it with \`aws iam delete-access-key --user-name ${created.userName || user} --access-key-id ${old.accessKeyId}\``,
    );
  }
  progress(`deleted the old access key ${old.accessKeyId}`);

  // 7. Done.
  await vault.remove(backupName).catch(() => {
    progress(`note: could not remove the backup item "${backupName}" (the old, now deleted key); remove it by hand`);
  });
  return { oldAccessKeyId: old.accessKeyId, newAccessKeyId: created.accessKeyId };
}

/** Every failure becomes one message: what state things are in, then the cause. */
function wrap(error: unknown, state: string): RotationError {
  return new RotationError(`${state} (${error instanceof Error ? error.message : String(error)})`);
}
