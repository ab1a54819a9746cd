// A throwaway certificate authority for loopback HTTPS stand-ins.
//
// Real git (libcurl, GnuTLS flavour on Debian) verifies the server certificate, so the
// stand-in needs a certificate that chains to a CA the test hands git via GIT_SSL_CAINFO.
// We shell out to the `openssl` CLI (execFile, no shell) instead of adding a dependency.
import { execFile } from 'node:child_process';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);

export interface ThrowawayCa {
  /** PEM file of the CA: what a test puts in GIT_SSL_CAINFO. */
  caCertPath: string;
  /** PEM file of the server (leaf) certificate, signed by the CA. */
  certPath: string;
  /** PEM file of the server's private key. */
  keyPath: string;
  caPem: string;
  certPem: string;
  keyPem: string;
}

async function openssl(args: string[], cwd: string): Promise<void> {
  try {
    await execFileAsync('openssl', args, { cwd });
  } catch (error) {
    const e = error as { stderr?: string; message: string };
    throw new Error(`openssl ${args[0]} failed: ${e.stderr ?? e.message}`);
  }
}

// Hostnames become DNS SANs; reject anything that could break the extension file syntax.
const HOSTNAME = /^[A-Za-z0-9*](?:[A-Za-z0-9.-]*[A-Za-z0-9])?$/;

/**
 * Creates `ca.pem`, `server.pem` and `server-key.pem` in `dir` (which is created if needed).
 * The leaf names every hostname given (plus IP 127.0.0.1) in subjectAltName; curl ignores the
 * CN when SANs exist, so the SANs are what matter.
 */
export async function makeThrowawayCa(dir: string, hostnames: string[]): Promise<ThrowawayCa> {
  if (hostnames.length === 0) throw new Error('makeThrowawayCa: at least one hostname is needed');
  for (const name of hostnames) {
    if (!HOSTNAME.test(name)) throw new Error(`makeThrowawayCa: bad hostname ${JSON.stringify(name)}`);
  }
  await mkdir(dir, { recursive: true });
  const caKeyPath = join(dir, 'ca-key.pem');
  const caCertPath = join(dir, 'ca.pem');
  const keyPath = join(dir, 'server-key.pem');
  const csrPath = join(dir, 'server.csr');
  const certPath = join(dir, 'server.pem');
  const caExtPath = join(dir, 'ca-ext.cnf');
  const leafExtPath = join(dir, 'server-ext.cnf');

  // P-256 keys: fast to generate and accepted by GnuTLS, OpenSSL and Node alike.
  const ecKey = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes'];

  // The CA must say CA:TRUE (critical) and keyCertSign, or GnuTLS refuses to chain to it.
  await writeFile(
    caExtPath,
    [
      '[req]',
      'distinguished_name = dn',
      'x509_extensions = v3_ca',
      'prompt = no',
      '[dn]',
      'CN = cc-helper throwaway test CA',
      '[v3_ca]',
      'basicConstraints = critical, CA:TRUE, pathlen:0',
      'keyUsage = critical, keyCertSign, cRLSign',
      'subjectKeyIdentifier = hash',
      '',
    ].join('\n'),
  );
  await openssl(
    ['req', '-x509', ...ecKey, '-keyout', caKeyPath, '-out', caCertPath, '-days', '2', '-sha256', '-config', caExtPath],
    dir,
  );

  // The leaf: serverAuth EKU and SANs for every hostname; CA:FALSE so it cannot sign others.
  const sans = [...hostnames.map((h) => `DNS:${h}`), 'IP:127.0.0.1'].join(', ');
  await writeFile(
    leafExtPath,
    [
      'basicConstraints = critical, CA:FALSE',
      'keyUsage = critical, digitalSignature, keyEncipherment',
      'extendedKeyUsage = serverAuth',
      `subjectAltName = ${sans}`,
      'subjectKeyIdentifier = hash',
      'authorityKeyIdentifier = keyid',
      '',
    ].join('\n'),
  );
  await openssl(['req', '-new', ...ecKey, '-keyout', keyPath, '-out', csrPath, '-subj', `/CN=${hostnames[0]}`], dir);
  await openssl(
    [
      'x509', '-req', '-in', csrPath, '-CA', caCertPath, '-CAkey', caKeyPath, '-CAcreateserial',
      '-out', certPath, '-days', '2', '-sha256', '-extfile', leafExtPath,
    ],
    dir,
  );

  const [caPem, certPem, keyPem] = await Promise.all([
    readFile(caCertPath, 'utf8'),
    readFile(certPath, 'utf8'),
    readFile(keyPath, 'utf8'),
  ]);
  return { caCertPath, certPath, keyPath, caPem, certPem, keyPem };
}
