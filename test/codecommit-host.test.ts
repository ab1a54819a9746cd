// Host recognition is anchored: only CodeCommit's own endpoint forms, in any region.
import test from 'ava';
import { recogniseCodeCommitHost, type CodeCommitEndpointKind } from '../src/codecommit/host.js';

const codecommit: Array<[string, string, CodeCommitEndpointKind, boolean]> = [
  ['git-codecommit.us-east-1.amazonaws.com', 'us-east-1', 'standard', false],
  ['git-codecommit.us-east-1.amazonaws.com:443', 'us-east-1', 'standard', false],
  ['git-codecommit.eu-central-2.amazonaws.com:8443', 'eu-central-2', 'standard', false],
  ['git-codecommit.us-gov-west-1.amazonaws.com', 'us-gov-west-1', 'standard', false],
  ['git-codecommit.us-gov-east-1.amazonaws.com', 'us-gov-east-1', 'standard', false],
  ['git-codecommit-fips.us-east-2.amazonaws.com', 'us-east-2', 'fips', false],
  ['git-codecommit-fips.us-gov-west-1.amazonaws.com', 'us-gov-west-1', 'fips', false],
  ['git-codecommit.cn-north-1.amazonaws.com.cn', 'cn-north-1', 'standard', true],
  ['git-codecommit.cn-northwest-1.amazonaws.com.cn', 'cn-northwest-1', 'standard', true],
  ['vpce-0b7ce8example-abcdefgh.git-codecommit.eu-central-1.vpce.amazonaws.com', 'eu-central-1', 'vpce', false],
  ['vpce-0123-abcd.git-codecommit-fips.us-east-1.vpce.amazonaws.com', 'us-east-1', 'vpce', false],
  ['git-codecommit.ap-southeast-7.amazonaws.com', 'ap-southeast-7', 'standard', false],
  ['git-codecommit.eusc-de-east-1.amazonaws.com', 'eusc-de-east-1', 'standard', false],
  ['GIT-CODECOMMIT.US-EAST-1.AMAZONAWS.COM', 'us-east-1', 'standard', false],
];

for (const [host, region, kind, china] of codecommit) {
  test(`recognises ${host}`, (t) => {
    const found = recogniseCodeCommitHost(host);
    t.truthy(found);
    t.is(found!.region, region);
    t.is(found!.kind, kind);
    t.is(found!.china, china);
    t.is(found!.hostname, host.replace(/:\d+$/, ''));
  });
}

const others = [
  'github.com',
  'git-codecommit.us-east-1.amazonaws.com.evil.example',
  'xgit-codecommit.us-east-1.amazonaws.com',
  'evil.git-codecommit.us-east-1.amazonaws.com',
  'git-codecommit.us-east-1.amazonaws.com@evil.example',
  'evil.example@git-codecommit.us-east-1.amazonaws.com',
  'git-codecommit.us-east-1.amazonaws.com/evil',
  'git-codecommit.us-east-1.amazonaws.com:443/x',
  'git-codecommit.us-east-1.amazonaws.com:',
  'git-codecommit.us-east-1.amazonaws.com:99999',
  'git-codecommit.us-east-1.amazonaws.com:44x',
  'git-codecommit.us_east_1.amazonaws.com',
  'git-codecommit.useast.amazonaws.com',
  'git-codecommit..amazonaws.com',
  'git-codecommit.us-east-1.amazonaws.co',
  'git-codecommit.us-east-1.amazonaws.com.cn.evil',
  'git-codecommit.us-east-1.notamazonaws.com',
  'codecommit.us-east-1.amazonaws.com',
  'git-codecommit-fips.us-east-1.vpce.amazonaws.com',
  'vpce-.git-codecommit.us-east-1.vpce.amazonaws.com',
  'vpce-abc.git-codecommit.us-east-1.amazonaws.com',
  'vpce-abc.evil.git-codecommit.us-east-1.vpce.amazonaws.com',
  '',
];

for (const host of others) {
  test(`ignores ${JSON.stringify(host)}`, (t) => {
    t.is(recogniseCodeCommitHost(host), undefined);
  });
}
