// The application's CVs: each one (given at the start, or signalled later with cvUploaded) is processed by a child
// cvWorkflow, and its outcome kept in the application's state (`cv`), where the scoring of a parsed CV hooks in.
// Behind patch cv-v4: runs started before it never had a CV to process.
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import { ChildWorkflowFailure, ParentClosePolicy, executeChild, log, patched } from '@temporalio/workflow';
import type { cvWorkflow } from '../cvs/cv-workflow.js';
import { CV_WORKFLOW, cvWorkflowId } from '../cvs/contract.js';
import type { ApplicationCv, ApplicationCvState, ApplicationState } from './contract.js';

export const CV_PATCH = 'cv-v4';

export class ApplicationCvs {
  /** The latest CV and its status, handed over on continue-as-new. */
  state: ApplicationCvState | undefined;

  constructor(
    private readonly application: { applicationId: string; companyId: string },
    /** Runs the child as work the workflow waits for before it ends or continues-as-new. */
    private readonly track: (work: () => Promise<unknown>) => void,
    continued?: ApplicationCvState,
  ) {
    this.state = continued ? { ...continued } : undefined;
  }

  /** The application's state with its CV's, for the state query. */
  view(state: ApplicationState): ApplicationState {
    return this.state ? { ...state, cv: { ...this.state } } : state;
  }

  /** Processes a CV as a child workflow (once per CV: the child's id is the CV's). */
  process(cv: ApplicationCv): void {
    if (!patched(CV_PATCH)) return;
    if (this.state?.cvId === cv.cvId) return;
    const state: ApplicationCvState = { cvId: cv.cvId, status: 'processing' };
    this.state = state;
    const { applicationId, companyId } = this.application;
    this.track(async () => {
      try {
        const result = await executeChild<typeof cvWorkflow>(CV_WORKFLOW, {
          workflowId: cvWorkflowId(cv.cvId),
          args: [{ cvId: cv.cvId, companyId, candidateId: cv.candidateId, applicationId, requestId: cv.requestId }],
          // The CV's processing is the candidate's as much as the application's: it finishes even if the application ends.
          parentClosePolicy: ParentClosePolicy.ABANDON,
        });
        state.status = result.status;
        log.info('CV processed', { requestId: cv.requestId, cvId: cv.cvId, status: result.status, fields: result.fields.length });
      } catch (err) {
        if (!(err instanceof ChildWorkflowFailure || err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
        state.status = 'failed';
        log.error('CV processing failed', { requestId: cv.requestId, cvId: cv.cvId, error: err.message });
      }
    });
  }
}
