// A loopback stand-in for AWS IAM's access-key actions (ListAccessKeys, CreateAccessKey,
// DeleteAccessKey), beside the STS stand-in: it shares STS's table of long-term keys, so a key it
// creates is valid for STS at once (and for CodeCommit through `onCreate`), and one it deletes is
// refused by STS from then on. Query protocol, XML answers and errors shaped like IAM's; every
// request's SigV4 signature (service `iam`, region us-east-1) is checked with node:crypto over the
// canonical request the STS stand-in rebuilds from the raw HTTP request. Not shipped.
//
// API reference: https://docs.aws.amazon.com/IAM/latest/APIReference/
import { createHash, createHmac, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { listenOnLoopback, readBody } from './loopback-http.js';
import { canonicalRequest, type StsStandIn } from './sts-standin.js';

export const IAM_NAMESPACE = 'https://iam.amazonaws.com/doc/2010-05-08/';
export type IamStandInAction = 'ListAccessKeys' | 'CreateAccessKey' | 'DeleteAccessKey';
const ACTIONS = new Set<string>(['ListAccessKeys', 'CreateAccessKey', 'DeleteAccessKey']);

export interface IamStandIn {
  url: string;
  calls: Record<string, number>;
  callCount(action?: IamStandInAction): number;
  /** When each key was created (keys the test seeded: the stand-in's start). */
  createDates: Map<string, Date>;
  failNext(action: IamStandInAction, failure: { code: string; message: string; status: number }): void;
  close(): Promise<void>;
}

class IamFault extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export async function startIamStandIn(options: { sts: StsStandIn; onCreate?: (key: { accessKeyId: string; secretAccessKey: string }) => void }): Promise<IamStandIn> {
  const { sts } = options;
  const keys = sts.keys; // shared: one IAM, one STS
  const calls: Record<string, number> = {};
  const plans: Array<{ action: string; failure: { code: string; message: string; status: number } }> = [];
  const createDates = new Map<string, Date>();
  const started = new Date();

  const server = createServer((req, res) => {
    readBody(req, 1 << 16, (body) => {
      const requestId = randomUUID();
      const params = new URLSearchParams(body.toString('utf8'));
      const action = params.get('Action') ?? '';
      if (ACTIONS.has(action)) calls[action] = (calls[action] ?? 0) + 1;
      try {
        const planIndex = plans.findIndex((p) => p.action === action);
        if (planIndex >= 0) {
          const { failure } = plans.splice(planIndex, 1)[0]!;
          throw new IamFault(failure.status, failure.code, failure.message);
        }
        if (!ACTIONS.has(action) || params.get('Version') !== '2010-05-08') throw new IamFault(400, 'InvalidAction', `Could not find operation ${action} for version ${params.get('Version') ?? 'NO_VERSION_SPECIFIED'}`);
        const callerKey = authenticate(req, body);
        const caller = keys[callerKey]!;
        const mine = () => Object.entries(keys).filter(([, k]) => k.account === caller.account && k.userName === caller.userName);
        const member = (id: string) =>
          `<UserName>${caller.userName}</UserName>\n        <AccessKeyId>${id}</AccessKeyId>\n        <Status>Active</Status>\n        <CreateDate>${(createDates.get(id) ?? started).toISOString()}</CreateDate>`;
        let result = '';
        if (action === 'ListAccessKeys') {
          result = `<UserName>${caller.userName}</UserName>\n    <AccessKeyMetadata>\n${mine().map(([id]) => `      <member>\n        ${member(id)}\n      </member>\n`).join('')}    </AccessKeyMetadata>\n    <IsTruncated>false</IsTruncated>`;
        } else if (action === 'CreateAccessKey') {
          if (mine().length >= 2) throw new IamFault(409, 'LimitExceeded', 'Cannot exceed quota for AccessKeysPerUser: 2');
          const accessKeyId = 'AKIA' + [...randomBytes(16)].map((b) => 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567'[b % 32]).join('');
          const secretAccessKey = randomBytes(30).toString('base64').replace(/^(.{5})./, '$1/').replace(/^(.{17})./, '$1+');
          keys[accessKeyId] = { secretAccessKey, account: caller.account, userName: caller.userName };
          createDates.set(accessKeyId, new Date());
          options.onCreate?.({ accessKeyId, secretAccessKey });
          result = `<AccessKey>\n      ${member(accessKeyId)}\n      <SecretAccessKey>${secretAccessKey}</SecretAccessKey>\n    </AccessKey>`;
        } else {
          const id = params.get('AccessKeyId') ?? '';
          if (!mine().some(([k]) => k === id)) throw new IamFault(404, 'NoSuchEntity', `The Access Key with id ${id} cannot be found.`);
          delete keys[id];
        }
        const xml =
          `<${action}Response xmlns="${IAM_NAMESPACE}">\n` +
          (result ? `  <${action}Result>\n    ${result}\n  </${action}Result>\n` : '') +
          `  <ResponseMetadata>\n    <RequestId>${requestId}</RequestId>\n  </ResponseMetadata>\n</${action}Response>\n`;
        send(res, 200, xml);
      } catch (error) {
        const fault = error instanceof IamFault ? error : new IamFault(500, 'ServiceFailure', String(error));
        send(
          res,
          fault.status,
          `<ErrorResponse xmlns="${IAM_NAMESPACE}">\n  <Error>\n    <Type>${fault.status >= 500 ? 'Receiver' : 'Sender'}</Type>\n    <Code>${fault.code}</Code>\n` +
            `    <Message>${fault.message}</Message>\n  </Error>\n  <RequestId>${requestId}</RequestId>\n</ErrorResponse>\n`,
        );
      }
    });
  });

  /** SigV4 for service iam in us-east-1 with a long-term key; returns the key id. */
  function authenticate(req: IncomingMessage, body: Buffer): string {
    const auth = /^AWS4-HMAC-SHA256 Credential=([^/,\s]+)\/(\d{8})\/([^/,\s]+)\/([^/,\s]+)\/aws4_request,\s*SignedHeaders=([a-z0-9;-]+),\s*Signature=([0-9a-f]{64})$/.exec(
      String(req.headers.authorization ?? ''),
    );
    if (!auth) throw new IamFault(403, 'MissingAuthenticationToken', 'Request is missing Authentication Token');
    const [, keyId, date, region, service, signedList, signature] = auth as unknown as string[];
    const amzDate = String(req.headers['x-amz-date'] ?? '');
    if (service !== 'iam' || region !== 'us-east-1') throw new IamFault(403, 'SignatureDoesNotMatch', "Credential should be scoped to correct service: 'iam'. ");
    if (amzDate.slice(0, 8) !== date) throw new IamFault(403, 'SignatureDoesNotMatch', 'Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP.');
    const key = keys[keyId!];
    if (!key || req.headers['x-amz-security-token'] !== undefined) throw new IamFault(403, 'InvalidClientTokenId', 'The security token included in the request is invalid.');
    const signedHeaders = signedList!.split(';');
    if (!signedHeaders.includes('host')) throw new IamFault(403, 'SignatureDoesNotMatch', "'Host' must be a 'SignedHeader' in the AWS Authorization.");
    const canonical = canonicalRequest(req, body, signedHeaders);
    const stringToSign = `AWS4-HMAC-SHA256\n${amzDate}\n${date}/${region}/${service}/aws4_request\n${createHash('sha256').update(canonical).digest('hex')}`;
    const hmac = (k: Buffer | string, d: string) => createHmac('sha256', k).update(d, 'utf8').digest();
    const signingKey = hmac(hmac(hmac(hmac(`AWS4${key.secretAccessKey}`, date!), region!), service!), 'aws4_request');
    if (!timingSafeEqual(hmac(signingKey, stringToSign), Buffer.from(signature!, 'hex'))) {
      throw new IamFault(403, 'SignatureDoesNotMatch', 'The request signature we calculated does not match the signature you provided.');
    }
    return keyId!;
  }

  const listening = await listenOnLoopback(server);
  return {
    url: listening.url,
    calls,
    createDates,
    callCount: (action) => (action ? calls[action] ?? 0 : Object.values(calls).reduce((a, b) => a + b, 0)),
    failNext: (action, failure) => void plans.push({ action, failure }),
    close: listening.close,
  };
}

function send(res: ServerResponse, status: number, xml: string): void {
  res.writeHead(status, { 'content-type': 'text/xml', 'content-length': Buffer.byteLength(xml) });
  res.end(xml);
}
