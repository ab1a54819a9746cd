// What proves which account credentials belong to, as the credential sources hand it to the pin
// (account-pin.ts states the rule). A source sets `account` on what it returns only when it has
// such proof for exactly the keys it returns; everything else leaves it unset, and the pin then
// asks the key -> account cache, then STS. Small and free of imports: the role and SSO paths
// load it for every get, pinned or not.

/** Proof of the account of the credentials it comes with: the id, and where it came from (for traces and refusals). */
export interface AccountEvidence {
  id: string;
  from: string;
}

/**
 * Step 1 of the pin's rule (account-pin.ts), small enough for the hot path: the source's own
 * proof names the pinned account. Then the pin holds without loading anything more; every other
 * case (no proof, or proof of another account) goes through checkAccountPin.
 */
export function provesAccount(evidence: AccountEvidence | undefined, expected: string): evidence is AccountEvidence {
  return evidence !== undefined && /^\d{12}$/.test(expected) && evidence.id === expected;
}

/** The account in an IAM/STS ARN (`arn:aws:iam::123456789012:role/Name`), if it is one. */
export function accountOfArn(arn: string): string | undefined {
  return /^arn:aws[\w-]*:(?:iam|sts)::(\d{12}):/.exec(arn)?.[1];
}

interface RoleName {
  partition: string;
  account: string;
  /** The role's name, without its path (what an assumed-role ARN carries). */
  name: string;
}

/** `arn:<partition>:iam::<account>:role/[<path>/]<name>` */
function parseRoleArn(arn: string): RoleName | undefined {
  const m = /^arn:(aws[\w-]*):iam::(\d{12}):role\/(?:[^/]+\/)*([^/]+)$/.exec(arn);
  return m ? { partition: m[1]!, account: m[2]!, name: m[3]! } : undefined;
}

/** `arn:<partition>:sts::<account>:assumed-role/<name>/<session>` */
function parseAssumedRoleArn(arn: string): RoleName | undefined {
  const m = /^arn:(aws[\w-]*):sts::(\d{12}):assumed-role\/([^/]+)\/[^/]+$/.exec(arn);
  return m ? { partition: m[1]!, account: m[2]!, name: m[3]! } : undefined;
}

/**
 * Whether an assumed-role ARN (an AssumeRole answer's AssumedRoleUser.Arn) is a session of the
 * role `roleArn`: same partition, account and role name (IAM role names are unique without
 * regard to case). Returns the account, or why not.
 */
export function sessionOfRole(assumedRoleArn: unknown, roleArn: string): { account: string } | { mismatch: string } {
  const role = parseRoleArn(roleArn);
  if (!role) return { mismatch: `role_arn ${JSON.stringify(roleArn.slice(0, 120))} is not a role ARN` };
  if (typeof assumedRoleArn !== 'string' || assumedRoleArn === '') return { mismatch: 'it names no assumed role (AssumedRoleUser.Arn)' };
  const session = parseAssumedRoleArn(assumedRoleArn);
  if (!session) return { mismatch: `its assumed role ${JSON.stringify(assumedRoleArn.slice(0, 120))} is not an assumed-role ARN` };
  if (session.partition !== role.partition || session.account !== role.account || session.name.toLowerCase() !== role.name.toLowerCase()) {
    return { mismatch: `it holds a session of ${assumedRoleArn.slice(0, 200)}, not of ${roleArn}` };
  }
  return { account: session.account };
}
