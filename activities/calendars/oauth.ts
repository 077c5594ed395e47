// The OAuth 2.0 authorization-code flow of each provider: the consent URL, the code exchange and the refresh.
// Google through google-auth-library's OAuth2 client (from googleapis) with its endpoints taken from the
// configuration; Microsoft's identity platform (v2.0 endpoints) through its documented form posts. Errors carry the
// provider's error code only: never a token, a code or a client secret.
import { google } from 'googleapis';
import jwt from 'jsonwebtoken';
import type { CalendarConfig, GoogleCalendarConfig, MicrosoftCalendarConfig } from '../../infra/config.js';
import type { ConnectedProvider } from '../../db/calendars.js';

export const OAUTH_CALLBACK_PATH = '/api/calendar/oauth/callback';

export const GOOGLE_SCOPES = ['openid', 'email', 'https://www.googleapis.com/auth/calendar.events', 'https://www.googleapis.com/auth/calendar.freebusy'];
export const MICROSOFT_SCOPES = ['openid', 'email', 'profile', 'offline_access', 'User.Read', 'Calendars.ReadWrite'];

export interface ProviderTokens {
  accessToken: string;
  /** Absent when the provider kept the one it had issued. */
  refreshToken: string | null;
  expiresAt: Date | null;
  scope: string | null;
  /** From the ID token the provider returned with the tokens (OpenID Connect `email`, Microsoft `preferred_username`). */
  accountEmail: string | null;
}

/** A token endpoint's refusal or failure: `invalid_grant` (a revoked refresh token, a bad or used code), another refusal, or unreachable. */
export class TokenRequestError extends Error {
  constructor(
    readonly kind: 'invalid_grant' | 'refused' | 'unavailable',
    message: string,
  ) {
    super(message);
    this.name = 'TokenRequestError';
  }
}

export interface ProviderOAuth {
  readonly provider: ConnectedProvider;
  authorizationUrl(state: string): string;
  exchangeCode(code: string): Promise<ProviderTokens>;
  refresh(refreshToken: string): Promise<ProviderTokens>;
}

export function redirectUri(config: CalendarConfig): string {
  return `${config.publicUrl}${OAUTH_CALLBACK_PATH}`;
}

/** The providers a user can connect now: their client settings and the token key are configured. */
export function configuredProviders(config: CalendarConfig): ConnectedProvider[] {
  if (!config.tokenKey) return [];
  return [...(config.google ? (['google'] as const) : []), ...(config.microsoft ? (['microsoft'] as const) : [])];
}

export function oauthFor(config: CalendarConfig, provider: ConnectedProvider): ProviderOAuth | undefined {
  if (!configuredProviders(config).includes(provider)) return undefined;
  return provider === 'google' ? googleOAuth(config.google!, redirectUri(config)) : microsoftOAuth(config.microsoft!, redirectUri(config));
}

function emailFromIdToken(idToken: unknown): string | null {
  if (typeof idToken !== 'string') return null;
  // Received straight from the token endpoint over TLS, so its claims need no signature check (OpenID Connect Core 3.1.3.7).
  const claims = jwt.decode(idToken);
  if (!claims || typeof claims !== 'object') return null;
  const email: unknown = claims.email ?? claims.preferred_username;
  return typeof email === 'string' && email.includes('@') ? email.toLowerCase() : null;
}

// ---------------------------------------------------------------------------------------------- Google

function googleError(what: string, err: unknown): TokenRequestError {
  const response = (err as { response?: { status?: number; data?: { error?: unknown } } }).response;
  const code = typeof response?.data?.error === 'string' ? response.data.error : undefined;
  const status = response?.status;
  const message = `google ${what}: ${status ?? 'no answer'}${code ? ` ${code}` : ''}`;
  if (code === 'invalid_grant') return new TokenRequestError('invalid_grant', message);
  if (status !== undefined && status >= 400 && status < 500 && status !== 429) return new TokenRequestError('refused', message);
  return new TokenRequestError('unavailable', message);
}

export function googleOAuthClient(settings: GoogleCalendarConfig, redirect?: string) {
  return new google.auth.OAuth2({
    clientId: settings.clientId,
    clientSecret: settings.clientSecret,
    redirectUri: redirect,
    endpoints: { oauth2AuthBaseUrl: settings.authUrl, oauth2TokenUrl: settings.tokenUrl },
  });
}

function googleOAuth(settings: GoogleCalendarConfig, redirect: string): ProviderOAuth {
  return {
    provider: 'google',
    authorizationUrl(state) {
      return googleOAuthClient(settings, redirect).generateAuthUrl({
        access_type: 'offline',
        prompt: 'consent',
        include_granted_scopes: true,
        response_type: 'code',
        scope: GOOGLE_SCOPES,
        state,
      });
    },
    async exchangeCode(code) {
      try {
        const { tokens } = await googleOAuthClient(settings, redirect).getToken({ code });
        if (!tokens.access_token) throw new TokenRequestError('unavailable', 'google token endpoint: no access_token');
        return {
          accessToken: tokens.access_token,
          refreshToken: tokens.refresh_token ?? null,
          expiresAt: tokens.expiry_date ? new Date(tokens.expiry_date) : null,
          scope: tokens.scope ?? null,
          accountEmail: emailFromIdToken(tokens.id_token),
        };
      } catch (err) {
        throw err instanceof TokenRequestError ? err : googleError('token endpoint (authorization_code)', err);
      }
    },
    async refresh(refreshToken) {
      const client = googleOAuthClient(settings);
      client.setCredentials({ refresh_token: refreshToken });
      try {
        await client.getAccessToken();
      } catch (err) {
        throw googleError('token endpoint (refresh_token)', err);
      }
      const credentials = client.credentials;
      if (!credentials.access_token) throw new TokenRequestError('unavailable', 'google token endpoint: no access_token');
      return {
        accessToken: credentials.access_token,
        // The client keeps the refresh token it was given when the answer has none.
        refreshToken: credentials.refresh_token && credentials.refresh_token !== refreshToken ? credentials.refresh_token : null,
        expiresAt: credentials.expiry_date ? new Date(credentials.expiry_date) : null,
        scope: credentials.scope ?? null,
        accountEmail: null,
      };
    },
  };
}

// ---------------------------------------------------------------------------------------------- Microsoft

const TOKEN_TIMEOUT_MS = 15_000;

function microsoftOAuth(settings: MicrosoftCalendarConfig, redirect: string): ProviderOAuth {
  const base = `${settings.loginBaseUrl}/${encodeURIComponent(settings.tenant)}/oauth2/v2.0`;
  const scope = MICROSOFT_SCOPES.join(' ');

  async function tokenRequest(what: string, form: Record<string, string>): Promise<ProviderTokens> {
    let res: Response;
    try {
      res = await fetch(`${base}/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
        body: new URLSearchParams({ client_id: settings.clientId, client_secret: settings.clientSecret, scope, ...form }),
        signal: AbortSignal.timeout(TOKEN_TIMEOUT_MS),
      });
    } catch (err) {
      throw new TokenRequestError('unavailable', `microsoft token endpoint (${what}): ${(err as Error).name}`);
    }
    const body = (await res.json().catch(() => ({}))) as Record<string, unknown>;
    if (!res.ok || typeof body.access_token !== 'string') {
      const code = typeof body.error === 'string' ? body.error : undefined;
      const message = `microsoft token endpoint (${what}): ${res.status}${code ? ` ${code}` : ''}`;
      if (code === 'invalid_grant') throw new TokenRequestError('invalid_grant', message);
      throw new TokenRequestError(res.status >= 400 && res.status < 500 && res.status !== 429 ? 'refused' : 'unavailable', message);
    }
    const expiresIn = Number(body.expires_in);
    return {
      accessToken: body.access_token,
      refreshToken: typeof body.refresh_token === 'string' ? body.refresh_token : null,
      expiresAt: Number.isFinite(expiresIn) && expiresIn > 0 ? new Date(Date.now() + expiresIn * 1000) : null,
      scope: typeof body.scope === 'string' ? body.scope : null,
      accountEmail: emailFromIdToken(body.id_token),
    };
  }

  return {
    provider: 'microsoft',
    authorizationUrl(state) {
      const params = new URLSearchParams({
        client_id: settings.clientId,
        response_type: 'code',
        redirect_uri: redirect,
        response_mode: 'query',
        scope,
        state,
        prompt: 'select_account',
      });
      return `${base}/authorize?${params.toString()}`;
    },
    exchangeCode(code) {
      return tokenRequest('authorization_code', { grant_type: 'authorization_code', code, redirect_uri: redirect });
    },
    refresh(refreshToken) {
      return tokenRequest('refresh_token', { grant_type: 'refresh_token', refresh_token: refreshToken });
    },
  };
}
