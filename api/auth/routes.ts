import { hash, verify } from '@node-rs/argon2';
import { UniqueConstraintViolationException } from '@mikro-orm/core';
import { v7 as uuidv7 } from 'uuid';
import { z } from 'zod';
import { Company, User } from '../../db/entities.js';
import { addSeedTemplates } from '../../db/pipeline-templates.js';
import { issueAccessToken } from '../auth.js';
import type { ApiDeps } from '../deps.js';
import { ConflictProblem, UnauthorizedProblem } from '../problem.js';
import { defineRoute } from '../route.js';
import { email, password, personName, toUserView, userSchema } from '../users/schemas.js';

const signupSchema = z
  .strictObject({ email, password, name: personName, companyName: z.string().trim().min(1).max(200).optional() })
  .meta({ id: 'Signup', description: 'With companyName: a new company and its admin. Without: a candidate account.' });
const loginSchema = z.strictObject({ email, password: z.string().min(1).max(200) }).meta({ id: 'Login' });
const tokenSchema = z
  .object({ accessToken: z.string(), tokenType: z.literal('Bearer'), expiresIn: z.number().int() })
  .meta({ id: 'AccessToken' });
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
        const em = deps.orm.em.fork();
        const passwordHash = await hash(body.password);
        const company = body.companyName ? em.create(Company, { id: uuidv7(), name: body.companyName, createdAt: new Date() }) : null;
        const user = em.create(User, {
          id: uuidv7(),
          company: company?.id ?? null,
          email: body.email,
          passwordHash,
          name: body.name,
          role: company ? 'admin' : 'candidate',
          createdAt: new Date(),
        });
        // Same flush: the company never exists without its starter templates.
        if (company) addSeedTemplates(em, company.id, user.id);
        try {
          await em.flush();
        } catch (err) {
          if (err instanceof UniqueConstraintViolationException) throw new ConflictProblem('An account with this email already exists');
          throw err;
        }
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
      responses: { 200: { description: 'Signed in', schema: tokenSchema }, 401: { description: 'Wrong email or password' } },
      async handler({ body }) {
        const user = await deps.orm.em.fork().findOne(User, { email: body.email });
        decoyHash ??= hash('decoy password for unknown accounts');
        const ok = await verify(user?.passwordHash ?? (await decoyHash), body.password);
        if (!user || !ok) throw new UnauthorizedProblem('Wrong email or password');
        const token = issueAccessToken({ userId: user.id, role: user.role, companyId: user.company ?? null }, deps.jwt);
        return { status: 200, body: { ...token, tokenType: 'Bearer' } };
      },
    }),
  ];
}
