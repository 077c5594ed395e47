// The interview action's activity: starts the interview workflow for the application, once per idempotency key
// (the interview row is keyed by it, and the workflow id by the interview), with the interviewers the action names
// as they are now: everyone with the role, or the listed users who are staff of the company.
import { Context } from '@temporalio/activity';
import type { MikroORM } from '@mikro-orm/postgresql';
import { companyStaffIds, companyUserIdsWithRole } from '../../../db/collaboration.js';
import { startInterview } from '../../interviews/start.js';
import { assertApplicationInCompany, checkCommon, invalid } from '../staff-requests.js';
import type { StartStageInterviewRequest } from './action.js';

const DAY = 86_400_000;

export function createInterviewActionActivities({ orm }: { orm: MikroORM }) {
  return {
    async startStageInterview(request: StartStageInterviewRequest): Promise<{ interviewId: string; createdNow: boolean }> {
      const role = 'role' in request.interviewers ? request.interviewers.role : undefined;
      checkCommon(request, role);
      await assertApplicationInCompany(orm, request.companyId, request.applicationId);
      const interviewerIds = role
        ? await companyUserIdsWithRole(orm.em, request.companyId, role)
        : await companyStaffIds(orm.em, request.companyId, 'userIds' in request.interviewers ? request.interviewers.userIds : []);
      if (interviewerIds.length === 0) throw invalid(`no staff member of company ${request.companyId} can interview (${JSON.stringify(request.interviewers)})`);
      const { client, info } = Context.current();
      const now = Date.now();
      const { row, created } = await startInterview(
        { orm, client, taskQueue: info.taskQueue },
        {
          companyId: request.companyId,
          applicationId: request.applicationId,
          createdById: null,
          title: request.title,
          durationMinutes: request.durationMinutes,
          interviewerIds,
          window: { start: new Date(now).toISOString(), end: new Date(now + request.windowDays * DAY).toISOString() },
          slotCount: request.slotCount,
          video: request.video,
          stage: { key: request.stage, seq: request.seq, cancelOnLeave: true },
          idempotencyKey: request.idempotencyKey,
          requestId: request.requestId,
        },
      );
      return { interviewId: row.id, createdNow: created };
    },
  };
}
