#!/usr/bin/env node
// git runs this for codecommit:: and codecommit:// remotes (a drop-in for git-remote-codecommit):
// one small CommonJS bundle (dist/src/cli/git-remote-codecommit.cjs, made by `npm run build`)
// with nothing of the AWS SDK in it; it hands the transport to `git remote-https`.
'use strict';
require('../dist/src/cli/git-remote-codecommit.cjs');
