// When short-lived credentials count as used up: gone, expired, or too close to expiry to sign
// a password that must survive a long push.
import type { SigningCredentials } from './password.js';

export const RENEW_MARGIN_SECONDS = 5 * 60;

export function needsRenewal(credentials: SigningCredentials, now: Date): boolean {
  return credentials.expiration !== undefined && credentials.expiration.getTime() - now.getTime() < RENEW_MARGIN_SECONDS * 1000;
}
