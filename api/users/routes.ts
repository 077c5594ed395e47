import { hash } from '@node-rs/argon2';
import { UniqueConstraintViolationException } from '@mikro-orm/core';
import { v7 as uuidv7 } from 'uuid';
import { User } from '../../db/entities.js';
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
      responses: { 201: { description: 'Created', schema: userSchema }, 409: { description: 'Email already registered' } },
      async handler({ body, principal }) {
        const em = deps.orm.em.fork();
        const user = em.create(User, {
          id: uuidv7(),
          company: principal.companyId,
          email: body.email,
          passwordHash: await hash(body.password),
          name: body.name,
          role: body.role,
          createdAt: new Date(),
        });
        try {
          await em.flush();
        } catch (err) {
          if (err instanceof UniqueConstraintViolationException) throw new ConflictProblem('An account with this email already exists');
          throw err;
        }
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
        const user = await deps.orm.em.fork().findOne(User, { id: principal.userId });
        if (!user) throw new NotFoundProblem('User');
        return { status: 200, body: toUserView(user) };
      },
    }),
  ];
}
