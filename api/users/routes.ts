import { hash } from '@node-rs/argon2';
import { createUser, findUserById } from '../../db/users.js';
import type { ApiDeps } from '../deps.js';
import { ConflictProblem, NotFoundProblem } from '../problem.js';
import { defineRoute } from '../route.js';
import { createStaffUserSchema, toUserView, userSchema } from './schemas.js';

export function userRoutes(deps: ApiDeps) {
  return [
    defineRoute({
      method: 'post',
      path: '/api/users',
      summary: "Create a recruiter, hiring manager or interviewer in the admin's company",
      tag: 'Users',
      auth: 'users:create',
      body: createStaffUserSchema,
      idempotent: true,
      responses: { 201: { description: 'Created', schema: userSchema }, 409: { description: 'Email already registered' } },
      async handler({ body, principal }) {
        const user = await createUser(deps.orm.em.fork(), {
          companyId: principal.companyId,
          email: body.email,
          passwordHash: await hash(body.password),
          name: body.name,
          role: body.role,
        });
        if (!user) throw new ConflictProblem('An account with this email already exists');
        return { status: 201, body: toUserView(user) };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/api/me',
      summary: 'The signed-in user',
      tag: 'Users',
      auth: 'authenticated',
      responses: { 200: { description: 'The user', schema: userSchema } },
      async handler({ principal }) {
        const user = await findUserById(deps.orm.em.fork(), principal.userId);
        if (!user) throw new NotFoundProblem('User');
        return { status: 200, body: toUserView(user) };
      },
    }),
  ];
}
