// What staff set on an application besides its stage (source, tags, rating, star, archived), and an admin's
// override of the rehire flag of an application from a former employee (domain/candidates-rehire.ts).
import { findApplication, findStaffDetail, listTransitions, overrideRehireReview, updateApplicationFields } from '../../db/applications.js';
import type { Principal } from '../auth.js';
import type { ApiDeps } from '../deps.js';
import { ConflictProblem, NotFoundProblem } from '../problem.js';
import { defineRoute, idParams } from '../route.js';
import { applicationSchema, rehireOverrideSchema, toApplicationView, updateApplicationSchema } from './schemas.js';

export function applicationRecruiterRoutes(deps: ApiDeps) {
  /** The application's staff detail, as GET /api/applications/:id answers it. */
  async function detail(principal: Principal, id: string) {
    const row = await findApplication(deps.orm.em, principal, id);
    if (!row) throw new NotFoundProblem('Application');
    const [history, staff] = await Promise.all([listTransitions(deps.orm.em, row.id), findStaffDetail(deps.orm.em, row.id)]);
    return toApplicationView(row, history, staff);
  }

  return [
    defineRoute({
      method: 'patch',
      path: '/api/applications/:id',
      summary: "Set an application's source, tags, rating (1-5), star or archived flag (archived applications are left out of lists by default)",
      tag: 'Applications',
      auth: 'applications:annotate',
      params: idParams,
      body: updateApplicationSchema,
      responses: { 200: { description: 'The application after the change', schema: applicationSchema } },
      async handler({ params, body, principal }) {
        // Scoped first: what the caller cannot see does not exist for them.
        if (!(await findApplication(deps.orm.em, principal, params.id))) throw new NotFoundProblem('Application');
        if (!(await updateApplicationFields(deps.orm.em, principal.companyId ?? '', params.id, body))) throw new NotFoundProblem('Application');
        return { status: 200, body: await detail(principal, params.id) };
      },
    }),
    defineRoute({
      method: 'post',
      path: '/api/applications/:id/rehire-override',
      summary: 'Lift the rehire flag of an application from a former employee not eligible for rehire, so it can move forward (admin; recorded)',
      tag: 'Applications',
      auth: 'rehire:override',
      params: idParams,
      body: rehireOverrideSchema,
      responses: {
        200: { description: 'The application, with rehireReview naming who overrode it and when', schema: applicationSchema },
        409: { description: 'The application is not flagged, or was overridden already' },
      },
      async handler({ params, body, principal }) {
        if (!(await findApplication(deps.orm.em, principal, params.id))) throw new NotFoundProblem('Application');
        const done = await overrideRehireReview(deps.orm.em, principal.companyId ?? '', params.id, { by: principal.userId, reason: body.reason });
        if (!done) throw new ConflictProblem('The application has no rehire flag to override');
        return { status: 200, body: await detail(principal, params.id) };
      },
    }),
  ];
}
