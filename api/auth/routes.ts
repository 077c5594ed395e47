import { hash, verify } from '@node-rs/argon2';
import { z } from 'zod';
import { findUserByEmail, signUp } from '../../db/users.js';
import { issueAccessToken } from '../auth.js';
import type { ApiDeps } from '../deps.js';
import { ConflictProblem, UnauthorizedProblem } from '../problem.js';
import { NOT_BLANK, defineRoute } from '../route.js';
import { email, password, personName, toUserView, userSchema } from '../users/schemas.js';

const signupSchema = z
  .strictObject({ email, password, name: personName, companyName: z.string().trim().min(1).max(200).meta(NOT_BLANK).optional() })
  .meta({ id: 'Signup', description: 'With companyName: a new company and its admin. Without: a candidate account.' });
const loginSchema = z.strictObject({ email, password: z.string().min(1).max(200) }).meta({ id: 'Login' });
const tokenSchema = z.object({ accessToken: z.string(), tokenType: z.literal('Bearer'), expiresIn: z.number().int() }).meta({ id: 'AccessToken' });
const signupResultSchema = z.object({ user: userSchema, company: z.object({ id: z.uuid(), name: z.string() }).nullable() });

/** Verified against on unknown emails too, so a login takes as long whether or not the account exists. */
let decoyHash: Promise<string> | undefined;

export function authRoutes(deps: ApiDeps) {
  return [
    defineRoute({
      method: 'post',
      path: '/api/auth/signup',
      summary: 'Sign up: a company with its admin, or a candidate',
      tag: 'Auth',
      auth: 'public',
      body: signupSchema,
      responses: { 201: { description: 'Created', schema: signupResultSchema }, 409: { description: 'Email already registered' } },
      async handler({ body }) {
        const passwordHash = await hash(body.password);
        const account = await signUp(deps.orm.em.fork(), { email: body.email, passwordHash, name: body.name, companyName: body.companyName });
        if (!account) throw new ConflictProblem('An account with this email already exists');
        const { user, company } = account;
        return { status: 201, body: { user: toUserView(user), company: company ? { id: company.id, name: company.name } : null } };
      },
    }),
    defineRoute({
      method: 'post',
      path: '/api/auth/login',
      summary: 'Exchange email and password for a bearer token',
      tag: 'Auth',
      auth: 'public',
      body: loginSchema,
      responses: {
        200: { description: 'Signed in', schema: tokenSchema },
        401: { description: 'Wrong email or password' },
        // The limiter in api/app.ts: failed sign-ins per address and account.
        429: {
          description: 'Too many failed sign-ins for this account from this address; Retry-After says when to try again',
          headers: { 'Retry-After': z.string() },
        },
      },
      async handler({ body }) {
        const user = await findUserByEmail(deps.orm.em.fork(), body.email);
        decoyHash ??= hash('decoy password for unknown accounts');
        const ok = await verify(user?.passwordHash ?? (await decoyHash), body.password);
        if (!user || !ok) throw new UnauthorizedProblem('Wrong email or password');
        const token = issueAccessToken({ userId: user.id, role: user.role, companyId: user.company ?? null }, deps.jwt);
        return { status: 200, body: { ...token, tokenType: 'Bearer' } };
      },
    }),
  ];
}
