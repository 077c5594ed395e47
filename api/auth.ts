// JWT bearer authentication (passport-jwt) and the permission guard every route declares.
import { createSecretKey, type KeyObject } from 'node:crypto';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import jwt from 'jsonwebtoken';
import passport from 'passport';
import { ExtractJwt, Strategy as JwtStrategy } from 'passport-jwt';
import { z } from 'zod';
import { ROLES, can, type Permission, type Role } from '../domain/roles.js';
import { ForbiddenProblem, UnauthorizedProblem } from './problem.js';

export interface Principal {
  userId: string;
  role: Role;
  /** Null for candidates, whose accounts are not tied to one company. */
  companyId: string | null;
}

const claimsSchema = z.object({ sub: z.uuid(), role: z.enum(ROLES), companyId: z.uuid().nullable() });

export interface TokenSettings {
  secret: string;
  expiresIn: string;
}

/**
 * The HMAC key of a token secret. jsonwebtoken turns a string secret into a key on every call, first trying it as
 * a PEM public or private key and catching the failure: about a tenth of a millisecond per request.
 */
function hmacKey(secret: string): KeyObject {
  return createSecretKey(Buffer.from(secret, 'utf8'));
}

export function issueAccessToken(principal: Principal, settings: TokenSettings): { accessToken: string; expiresIn: number } {
  const accessToken = jwt.sign({ role: principal.role, companyId: principal.companyId }, hmacKey(settings.secret), {
    subject: principal.userId,
    expiresIn: settings.expiresIn as jwt.SignOptions['expiresIn'],
    algorithm: 'HS256',
    issuer: 'ats',
  });
  const decoded = jwt.decode(accessToken) as { exp: number; iat: number };
  return { accessToken, expiresIn: decoded.exp - decoded.iat };
}

/** The account a token's subject names now: its role and company, or undefined when it no longer exists. */
export type FindAccount = (userId: string) => Promise<{ role: string; companyId: string | null } | undefined>;

/**
 * A token is only as good as its account: one whose user was deleted, or whose role or company changed since it
 * was issued, is refused with 401 (one primary-key lookup per request) rather than acting for an account that is not there.
 */
export interface Authenticator {
  /** Verifies the token, then the account, before the next handler runs. */
  before: RequestHandler;
  /**
   * Verifies the token and starts the account check without waiting for it (`req.accountCheck`): for handlers that
   * read before they change anything, which run beside the lookup; nothing is changed or answered before it
   * confirmed the account (`confirmAccount`).
   */
  beside: RequestHandler;
}

export function createAuthenticator(settings: TokenSettings, findAccount: FindAccount): Authenticator {
  const authenticator = new passport.Passport();
  authenticator.use(
    new JwtStrategy(
      {
        jwtFromRequest: ExtractJwt.fromAuthHeaderAsBearerToken(),
        // passport-jwt hands it to jsonwebtoken as it is, which takes a KeyObject; its types predate that.
        secretOrKey: hmacKey(settings.secret) as unknown as Buffer,
        algorithms: ['HS256'],
        issuer: 'ats',
      },
      (payload: unknown, done: (err: unknown, user?: Principal | false) => void) => {
        const claims = claimsSchema.safeParse(payload);
        if (!claims.success) return done(null, false);
        done(null, { userId: claims.data.sub, role: claims.data.role, companyId: claims.data.companyId });
      },
    ),
  );
  /** Resolves to whether the account still is what the token says; rejects when PostgreSQL is unreachable (503). */
  const accountHolds = (principal: Principal) =>
    findAccount(principal.userId).then((account) => account !== undefined && account.role === principal.role && account.companyId === principal.companyId);
  const middleware = authenticator.initialize();
  const authenticate =
    (beside: boolean): RequestHandler =>
    (req, res, next) => {
      middleware(req, res, () => {
        // Passport types what authenticate() returns as any; with a callback it is the request handler to run.
        const verify = authenticator.authenticate('jwt', { session: false }, (err: unknown, principal: Principal | false) => {
          if (err) return next(err);
          if (!principal) return next(new UnauthorizedProblem());
          const holds = accountHolds(principal);
          if (beside) {
            // Handled by whoever awaits it; a rejection seen by nobody (the request failed before) is not an error.
            holds.catch(() => undefined);
            req.principal = principal;
            req.accountCheck = holds;
            return next();
          }
          holds.then((ok) => {
            if (!ok) return next(new UnauthorizedProblem());
            req.principal = principal;
            next();
          }, next);
        }) as (req: Request, res: Response, next: NextFunction) => void;
        verify(req, res, next);
      });
    };
  return { before: authenticate(false), beside: authenticate(true) };
}

/** For a request authenticated `beside` its handler: throws 401 unless the account check confirmed the account. */
export async function confirmAccount(req: Request): Promise<void> {
  if (req.accountCheck && !(await req.accountCheck)) throw new UnauthorizedProblem();
}

export function requirePermission(principal: Principal, permission: Permission): void {
  if (!can(principal.role, permission)) throw new ForbiddenProblem(`A ${principal.role} may not ${permission.replace(':', ' ')}`);
}

declare module 'express-serve-static-core' {
  interface Request {
    principal?: Principal;
    /** Whether the principal's account still holds, for a request whose handler runs beside the check. */
    accountCheck?: Promise<boolean>;
  }
}
