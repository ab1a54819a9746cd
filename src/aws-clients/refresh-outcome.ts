// How a refresh call (SSO OIDC CreateToken, sign-in CreateOAuth2Token) ends when it brings no new
// token: the refresh discipline (credential-sources/refresh-discipline.ts) acts on which one.
/** The service said no: the grant, the registration or the session is over. `message` holds no secret. */
export class RefreshRefused extends Error {}
/** No usable answer: unreachable, too slow, too large, or not the service's shape. `message` holds no secret. */
export class RefreshFailed extends Error {}
