// A small IAM client for key rotation: ListAccessKeys, CreateAccessKey, DeleteAccessKey, each on
// the calling user (no UserName: IAM takes the user from the signing key). IAM is a query-protocol
// API like STS (https://docs.aws.amazon.com/IAM/latest/APIReference/), global, signed for
// us-east-1; the endpoint is AWS_ENDPOINT_URL_IAM, else AWS_ENDPOINT_URL, else iam.amazonaws.com.
import { callQueryApi, type QueryCredentials, type QueryTuning } from '../aws-transport/query-api.js';
import { checkedEndpointUrl } from '../aws-transport/endpoints.js';
import { xmlInner, xmlText } from '../aws-transport/xml.js';
import { IamError, iamAnswerError, iamNetworkError, type IamAction, type IamErrorContext } from './iam-error.js';

export { IamError, type IamErrorKind } from './iam-error.js';

export const IAM_API_VERSION = '2010-05-08';
export const IAM_SIGNING_REGION = 'us-east-1';

export interface AccessKeyMetadata {
  userName: string;
  accessKeyId: string;
  status: string;
  createDate: string;
}

export interface NewAccessKey extends AccessKeyMetadata {
  secretAccessKey: string;
}

export interface IamClient {
  readonly endpoint: string;
  listAccessKeys(): Promise<AccessKeyMetadata[]>;
  createAccessKey(): Promise<NewAccessKey>;
  deleteAccessKey(accessKeyId: string): Promise<void>;
}

export interface IamClientOptions extends Omit<QueryTuning, 'fetch' | 'onResponse'> {
  credentials: QueryCredentials;
  env?: NodeJS.ProcessEnv;
  endpoint?: string;
}

export function iamEndpoint(env: NodeJS.ProcessEnv = process.env): string {
  if ((env.AWS_IGNORE_CONFIGURED_ENDPOINT_URLS ?? '').toLowerCase() !== 'true') {
    for (const name of ['AWS_ENDPOINT_URL_IAM', 'AWS_ENDPOINT_URL'] as const) {
      const value = env[name];
      if (value) return checkedEndpointUrl(value, name, 'https://iam.amazonaws.com');
    }
  }
  return 'https://iam.amazonaws.com/';
}

export function createIamClient(options: IamClientOptions): IamClient {
  const endpoint = options.endpoint ?? iamEndpoint(options.env ?? process.env);
  const { credentials } = options;
  const call = (action: IamAction, params: Record<string, string | undefined>, secrets: string[] = []) => {
    const context = (attempts: number): IamErrorContext => ({
      action,
      endpoint,
      accessKeyId: credentials.accessKeyId,
      attempts,
      secrets: [credentials.secretAccessKey, ...(credentials.sessionToken ? [credentials.sessionToken] : []), ...secrets],
    });
    return callQueryApi({ ...options, service: 'iam', apiVersion: IAM_API_VERSION, region: IAM_SIGNING_REGION, endpoint }, action, params, {
      answer: (status, code, message, attempts) => iamAnswerError(status, code, message, context(attempts)),
      network: (failure, attempts, timeoutMs) => iamNetworkError(failure, context(attempts), timeoutMs),
    });
  };
  const malformed = (action: IamAction) =>
    new IamError(`IAM at ${endpoint} answered ${action} without the expected fields: is AWS_ENDPOINT_URL_IAM pointing at IAM?`, 'unexpected', 'MalformedResponse', action, endpoint, 1, 200);
  return {
    endpoint,
    async listAccessKeys() {
      const xml = await call('ListAccessKeys', {});
      const result = xmlInner(xml, 'ListAccessKeysResult');
      if (result === undefined) throw malformed('ListAccessKeys');
      if (xmlText(result, 'IsTruncated') === 'true') throw malformed('ListAccessKeys'); // a user has at most 2 keys
      const members = [...(xmlInner(result, 'AccessKeyMetadata') ?? '').matchAll(/<member>([\s\S]*?)<\/member>/g)].map((m) => m[1]!);
      return members.map((member) => {
        const accessKeyId = xmlText(member, 'AccessKeyId');
        if (!accessKeyId) throw malformed('ListAccessKeys');
        return { accessKeyId, userName: xmlText(member, 'UserName') ?? '', status: xmlText(member, 'Status') ?? '', createDate: xmlText(member, 'CreateDate') ?? '' };
      });
    },
    async createAccessKey() {
      const xml = await call('CreateAccessKey', {});
      const key = xmlInner(xml, 'AccessKey') ?? '';
      const accessKeyId = xmlText(key, 'AccessKeyId');
      const secretAccessKey = xmlText(key, 'SecretAccessKey');
      if (!accessKeyId || !secretAccessKey) throw malformed('CreateAccessKey');
      return { accessKeyId, secretAccessKey, userName: xmlText(key, 'UserName') ?? '', status: xmlText(key, 'Status') ?? '', createDate: xmlText(key, 'CreateDate') ?? '' };
    },
    async deleteAccessKey(accessKeyId) {
      await call('DeleteAccessKey', { AccessKeyId: accessKeyId });
    },
  };
}
