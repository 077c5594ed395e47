// The parse_cv action's activity: finds the application's candidate's latest CV and starts a cvWorkflow that parses
// it again (id from the CV and the action's key: a retry finds the one it started); nothing when there is no CV.
import { ApplicationFailure, Context } from '@temporalio/activity';
import { WorkflowIdConflictPolicy, WorkflowIdReusePolicy } from '@temporalio/client';
import { startWorkflowOnce } from '../../../infra/temporal.js';
import type { MikroORM } from '@mikro-orm/postgresql';
import { findApplication } from '../../../db/applications.js';
import { latestCvs } from '../../../db/cv-files.js';
import { CV_WORKFLOW, cvWorkflowId, type CvWorkflowInput } from '../../../workflows/cvs/contract.js';
import { checkCommon } from '../staff-requests.js';
import type { ReparseCvRequest } from './action.js';

export type ReparseCvResult = { started: true; cvId: string; workflowId: string } | { started: false; reason: string };

export function createParseCvActivities({ orm }: { orm: MikroORM }) {
  return {
    async reparseCandidateCv(request: ReparseCvRequest): Promise<ReparseCvResult> {
      checkCommon(request);
      // Read as the company's system: the application must be the company's.
      const application = await findApplication(orm.em, { userId: '', role: 'admin', companyId: request.companyId }, request.applicationId);
      if (!application) throw ApplicationFailure.nonRetryable(`application ${request.applicationId} not found in company ${request.companyId}`, 'NotFound');
      const cv = (await latestCvs(orm.em, request.companyId, [application.candidate_id])).get(application.candidate_id);
      if (!cv) return { started: false, reason: 'the candidate has no CV' };
      const { client, info } = Context.current();
      const workflowId = cvWorkflowId(cv.id, request.idempotencyKey.replaceAll(':', '-'));
      const input: CvWorkflowInput = {
        cvId: cv.id,
        companyId: request.companyId,
        candidateId: application.candidate_id,
        applicationId: request.applicationId,
        requestId: request.requestId,
      };
      await startWorkflowOnce(client, CV_WORKFLOW, {
        taskQueue: info.taskQueue,
        workflowId,
        args: [input],
        workflowIdConflictPolicy: WorkflowIdConflictPolicy.USE_EXISTING,
        // A retry after the re-parse finished must not parse again.
        workflowIdReusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE,
      });
      return { started: true, cvId: cv.id, workflowId };
    },
  };
}
