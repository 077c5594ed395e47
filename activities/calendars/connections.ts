// Calendar connections: connecting an account (a single-use, expiring OAuth `state` bound to the user, stored
// hashed; the code exchanged for tokens stored encrypted), the connection's status, and the access token a provider
// call uses: refreshed when it has expired or the provider answered 401, and a refresh token the provider revoked
// marks the connection broken and tells its user with an in-app notification.
import { createHash, randomBytes } from 'node:crypto';
import { v7 as uuidv7 } from 'uuid';
import {
  consumeOAuthState,
  deleteCalendarConnection,
  findCalendarConnection,
  findCalendarOwner,
  insertOAuthState,
  markCalendarConnectionBroken,
  saveCalendarConnection,
  updateCalendarTokens,
  type CalendarConnectionRow,
  type ConnectedProvider,
} from '../../db/calendars.js';
import { insertNotifications } from '../../db/collaboration.js';
import { NOTIFICATION_CHANNEL, rowToFeedNotification } from '../../infra/notification-feed.js';
import { createTokenCipher, type TokenCipher } from '../../infra/token-crypto.js';
import { configuredProviders, oauthFor, TokenRequestError, type ProviderTokens } from './oauth.js';
import { calendarFailure, type CalendarDeps } from './provider.js';

export const OAUTH_STATE_TTL_MS = 10 * 60_000;
/** An access token this close to its expiry is refreshed before use. */
const EXPIRY_MARGIN_MS = 60_000;

const PROVIDER_NAMES: Record<ConnectedProvider, string> = { google: 'Google', microsoft: 'Microsoft 365' };

const hashState = (state: string) => createHash('sha256').update(state, 'utf8').digest('hex');
const tokenContext = (connectionId: string, field: 'access' | 'refresh') => `calendar_connection:${connectionId}:${field}_token`;

/** The provider named cannot be connected: its settings (or CALENDAR_TOKEN_KEY) are not configured. */
export class ProviderNotConfigured extends Error {}
/** The callback's `state` is unknown, expired or already used. */
export class OAuthStateRefused extends Error {}
/** The user declined, or the provider refused the code. */
export class AuthorizationRefused extends Error {}
/** The provider's token endpoint could not be reached or failed. */
export class ProviderUnavailable extends Error {}

export interface CalendarStatus {
  provider: ConnectedProvider | 'local';
  accountEmail: string | null;
  status: 'connected' | 'broken' | 'none';
  availableProviders: ConnectedProvider[];
  unavailableProviders: ConnectedProvider[];
}

export async function calendarStatus(deps: CalendarDeps, userId: string): Promise<CalendarStatus> {
  const available = configuredProviders(deps.config);
  const providers = { availableProviders: available, unavailableProviders: (['google', 'microsoft'] as const).filter((p) => !available.includes(p)) };
  const connection = await findCalendarConnection(deps.orm.em, userId);
  if (!connection) return { provider: 'local', accountEmail: null, status: 'none', ...providers };
  return { provider: connection.provider, accountEmail: connection.account_email, status: connection.status, ...providers };
}

/** The provider's consent page for this user, with a new state that expires in 10 minutes and works once. */
export async function beginConnect(deps: CalendarDeps, userId: string, provider: ConnectedProvider): Promise<{ authorizationUrl: string; expiresAt: Date }> {
  const oauth = oauthFor(deps.config, provider);
  if (!oauth) throw new ProviderNotConfigured(`The ${provider} calendar provider is not configured on this server`);
  const state = randomBytes(32).toString('base64url');
  const expiresAt = new Date(Date.now() + OAUTH_STATE_TTL_MS);
  await insertOAuthState(deps.orm.em, { stateHash: hashState(state), userId, provider, expiresAt });
  return { authorizationUrl: oauth.authorizationUrl(state), expiresAt };
}

/** The provider's redirect back: uses the state up, exchanges the code and stores the tokens encrypted. */
export async function completeConnect(
  deps: CalendarDeps,
  input: { state: string; code?: string; error?: string },
): Promise<{ userId: string; provider: ConnectedProvider; accountEmail: string | null }> {
  const claimed = await consumeOAuthState(deps.orm.em, hashState(input.state));
  if (!claimed) throw new OAuthStateRefused('The state is unknown, expired or already used: connect the calendar again');
  if (input.error || !input.code) throw new AuthorizationRefused(`The calendar was not connected: ${input.error ?? 'no authorization code'}`);
  const owner = await findCalendarOwner(deps.orm.em, claimed.userId);
  if (!owner) throw new OAuthStateRefused('The account that began this connect no longer exists');
  const oauth = oauthFor(deps.config, claimed.provider);
  if (!oauth) throw new ProviderNotConfigured(`The ${claimed.provider} calendar provider is not configured on this server`);
  let tokens: ProviderTokens;
  try {
    tokens = await oauth.exchangeCode(input.code);
  } catch (err) {
    if (err instanceof TokenRequestError && err.kind !== 'unavailable')
      throw new AuthorizationRefused(`The provider refused the authorization code (${err.message})`);
    throw new ProviderUnavailable(err instanceof TokenRequestError ? err.message : `${claimed.provider} token endpoint failed`);
  }
  const cipher = cipherOf(deps);
  const id = uuidv7();
  await saveCalendarConnection(deps.orm.em, {
    id,
    userId: owner.id,
    companyId: owner.company_id,
    provider: claimed.provider,
    accountEmail: tokens.accountEmail,
    accessToken: cipher.encrypt(tokens.accessToken, tokenContext(id, 'access')),
    refreshToken: tokens.refreshToken ? cipher.encrypt(tokens.refreshToken, tokenContext(id, 'refresh')) : null,
    accessTokenExpiresAt: tokens.expiresAt,
    scope: tokens.scope,
  });
  return { userId: owner.id, provider: claimed.provider, accountEmail: tokens.accountEmail };
}

/** Forgets the account and its tokens; the user's calendar is the local one from now on. */
export async function disconnect(deps: CalendarDeps, userId: string): Promise<boolean> {
  return deleteCalendarConnection(deps.orm.em, userId);
}

function cipherOf(deps: CalendarDeps): TokenCipher {
  if (!deps.config.tokenKey) throw new ProviderNotConfigured('CALENDAR_TOKEN_KEY is not configured on this server');
  return createTokenCipher(deps.config.tokenKey);
}

// ---------------------------------------------------------------------------------------------- access tokens

export interface ConnectionSession {
  readonly provider: ConnectedProvider;
  readonly userId: string;
  readonly accountEmail: string | null;
  /**
   * Runs `call` with a valid access token; when it fails with what `isUnauthorized` recognises (a 401), refreshes
   * the token once and runs it again.
   */
  withAccessToken<T>(call: (accessToken: string) => Promise<T>, isUnauthorized: (err: unknown) => boolean): Promise<T>;
}

/** Refreshes in flight in this process, per connection and token version: concurrent calls share one. */
const refreshing = new Map<string, Promise<string>>();

export function connectionSession(deps: CalendarDeps, connection: CalendarConnectionRow): ConnectionSession {
  let current = connection;
  const { em } = deps.orm;

  const unusable = (why: string) => calendarFailure('connectionBroken', `the ${current.provider} calendar of user ${current.user_id} ${why}`);

  async function breakConnection(): Promise<never> {
    await markCalendarConnectionBroken(em, current.id);
    // Keyed by the connection: once per broken connection, also when a retry gets here again.
    const created = await insertNotifications(
      em,
      {
        companyId: current.company_id,
        applicationId: null,
        message: `Your ${PROVIDER_NAMES[current.provider]} calendar is no longer connected (access was revoked or expired). Connect it again so interviews can be scheduled on it.`,
        idempotencyKey: `calendar-connection-broken:${current.id}`,
        userIds: [current.user_id],
      },
      NOTIFICATION_CHANNEL,
    );
    deps.notificationFeed?.publish(created.map(rowToFeedNotification));
    throw unusable('must be connected again: the provider refused its refresh token');
  }

  const expiring = (row: CalendarConnectionRow) =>
    row.access_token_expires_at !== null && new Date(row.access_token_expires_at).getTime() - EXPIRY_MARGIN_MS <= Date.now();
  const storedAccessToken = () => cipherOf(deps).decrypt(current.access_token, tokenContext(current.id, 'access'));

  /** The stored connection when another call or process has refreshed it since `current` was read, else undefined. */
  async function newerTokens(): Promise<CalendarConnectionRow | undefined> {
    const latest = await findCalendarConnection(em, current.user_id);
    if (!latest || latest.id !== current.id || latest.status !== 'connected') throw unusable('was disconnected, replaced or broken meanwhile');
    return latest.token_version > current.token_version ? latest : undefined;
  }

  /** `useStored`: tokens another call stored meanwhile will do (the access token expired, rather than being refused). */
  async function refresh(useStored: boolean): Promise<string> {
    const oauth = oauthFor(deps.config, current.provider);
    if (!oauth) throw unusable('cannot be used: the provider is not configured on this server');
    const cipher = cipherOf(deps);
    // Refreshed elsewhere since this session read the row: those tokens (a rotated refresh token may be spent).
    const newer = await newerTokens();
    if (newer) {
      current = newer;
      if (useStored && !expiring(newer)) return storedAccessToken();
    }
    if (!current.refresh_token) return breakConnection();
    let tokens: ProviderTokens;
    try {
      tokens = await oauth.refresh(cipher.decrypt(current.refresh_token, tokenContext(current.id, 'refresh')));
    } catch (err) {
      if (err instanceof TokenRequestError && err.kind === 'invalid_grant') {
        // Refused because another process refreshed with it just now, or revoked for good.
        const meanwhile = await newerTokens();
        if (meanwhile) {
          current = meanwhile;
          return storedAccessToken();
        }
        return breakConnection();
      }
      // A refusal other than invalid_grant (a misconfigured client) or an outage: worth retrying later. The error
      // names the provider's error code only.
      throw err;
    }
    const updated = await updateCalendarTokens(em, {
      id: current.id,
      fromVersion: current.token_version,
      accessToken: cipher.encrypt(tokens.accessToken, tokenContext(current.id, 'access')),
      refreshToken: tokens.refreshToken ? cipher.encrypt(tokens.refreshToken, tokenContext(current.id, 'refresh')) : null,
      accessTokenExpiresAt: tokens.expiresAt,
    });
    if (updated) {
      current = updated;
      return tokens.accessToken;
    }
    // Another process wrote newer tokens meanwhile (both work), or the connection was replaced or broken.
    const latest = await findCalendarConnection(em, current.user_id);
    if (!latest || latest.id !== current.id || latest.status !== 'connected') throw unusable('was disconnected or replaced meanwhile');
    current = latest;
    return tokens.accessToken;
  }

  function refreshShared(useStored: boolean): Promise<string> {
    const key = `${current.id}:${current.token_version}:${useStored}`;
    let pending = refreshing.get(key);
    if (!pending) {
      pending = refresh(useStored).finally(() => refreshing.delete(key));
      refreshing.set(key, pending);
    }
    return pending;
  }

  async function accessToken(): Promise<string> {
    return expiring(current) ? refreshShared(true) : storedAccessToken();
  }

  return {
    provider: connection.provider,
    userId: connection.user_id,
    accountEmail: connection.account_email,
    async withAccessToken(call, isUnauthorized) {
      const token = await accessToken();
      try {
        return await call(token);
      } catch (err) {
        if (!isUnauthorized(err)) throw err;
      }
      return call(await refreshShared(false));
    },
  };
}
