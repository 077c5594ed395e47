// The one mapping from the application workflow's refusals to problem responses.
import assert from 'node:assert/strict';
import { WorkflowUpdateFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { refusalProblem } from '../../api/applications/refusals.js';
import { FORBIDDEN_TRANSITION, GATE_NOT_MET, ILLEGAL_TRANSITION, NO_SUCH_GATE, STAGE_CHANGED, STAGE_MISSING } from '../../workflows/applications/contract.js';

const refused = (type: string, details?: unknown[]) =>
  new WorkflowUpdateFailedError('Workflow Update failed', ApplicationFailure.create({ message: `refused: ${type}`, type, nonRetryable: true, details }));

describe('workflow refusals as problems', () => {
  it("answers each refusal type with its status, the workflow's sentence and its data", () => {
    const allowed = { events: ['ADVANCE'], moveTargets: [] };
    const cases: [string, unknown[] | undefined, number, Record<string, unknown>][] = [
      [FORBIDDEN_TRANSITION, [allowed], 403, {}],
      [ILLEGAL_TRANSITION, [allowed], 409, { allowedEvents: ['ADVANCE'], moveTargets: [] }],
      [
        GATE_NOT_MET,
        [{ gate: 'feedback', stage: 'interview', required: 2, received: 0 }],
        409,
        { missing: { gate: 'feedback', stage: 'interview', required: 2, received: 0 } },
      ],
      [
        STAGE_CHANGED,
        [{ stage: 'offer', status: 'active', seq: 3, allowed }],
        409,
        { stage: 'offer', applicationStatus: 'active', seq: 3, allowedEvents: ['ADVANCE'] },
      ],
      [STAGE_MISSING, undefined, 409, {}],
      [NO_SUCH_GATE, undefined, 422, {}],
    ];
    for (const [type, details, status, extensions] of cases) {
      const problem = refusalProblem(refused(type, details));
      assert.equal(problem?.status, status, type);
      assert.equal(problem?.message, `refused: ${type}`);
      assert.deepEqual(problem?.extensions, extensions, type);
    }
  });

  it('leaves everything that is not a refusal to the caller', () => {
    assert.equal(refusalProblem(new Error('connection refused')), undefined);
    assert.equal(refusalProblem(new WorkflowUpdateFailedError('failed', new Error('a bug'))), undefined);
    assert.equal(refusalProblem(refused('SomethingElse')), undefined);
  });
});
