// JWT bearer authentication (passport-jwt) and the permission guard every route declares.
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

export function issueAccessToken(principal: Principal, settings: TokenSettings): { accessToken: string; expiresIn: number } {
  const accessToken = jwt.sign({ role: principal.role, companyId: principal.companyId }, settings.secret, {
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
export function createAuthenticator(settings: TokenSettings, findAccount: FindAccount): RequestHandler {
  const authenticator = new passport.Passport();
  authenticator.use(
    new JwtStrategy(
      {
        jwtFromRequest: ExtractJwt.fromAuthHeaderAsBearerToken(),
        secretOrKey: settings.secret,
        algorithms: ['HS256'],
        issuer: 'ats',
      },
      (payload: unknown, done: (err: unknown, user?: Principal | false) => void) => {
        const claims = claimsSchema.safeParse(payload);
        if (!claims.success) return done(null, false);
        const principal = { userId: claims.data.sub, role: claims.data.role, companyId: claims.data.companyId };
        findAccount(principal.userId).then(
          (account) => done(null, account && account.role === principal.role && account.companyId === principal.companyId ? principal : false),
          // PostgreSQL unreachable: the problem handler answers 503.
          (err: unknown) => done(err),
        );
      },
    ),
  );
  const middleware = authenticator.initialize();
  return (req, res, next) => {
    middleware(req, res, () => {
      // Passport types what authenticate() returns as any; with a callback it is the request handler to run.
      const authenticate = authenticator.authenticate('jwt', { session: false }, (err: unknown, user: Principal | false) => {
        if (err) return next(err);
        if (!user) return next(new UnauthorizedProblem());
        req.principal = user;
        next();
      }) as (req: Request, res: Response, next: NextFunction) => void;
      authenticate(req, res, next);
    });
  };
}

export function requirePermission(principal: Principal, permission: Permission): void {
  if (!can(principal.role, permission)) throw new ForbiddenProblem(`A ${principal.role} may not ${permission.replace(':', ' ')}`);
}

declare module 'express-serve-static-core' {
  interface Request {
    principal?: Principal;
  }
}
