import type { Client } from '@temporalio/client';
import { temporal } from '@temporalio/proto';

const ADMITTED = temporal.api.enums.v1.UpdateWorkflowExecutionLifecycleStage.UPDATE_WORKFLOW_EXECUTION_LIFECYCLE_STAGE_ADMITTED;
const NOT_FOUND = 5; // gRPC status

/** Resolves once the server holds the Update, so a worker that starts next gets it with the workflow's first task. */
export async function waitUntilAdmitted(client: Client, workflowId: string, updateId: string): Promise<void> {
  for (let attempt = 0; attempt < 200; attempt++) {
    try {
      await client.workflowService.pollWorkflowExecutionUpdate({
        namespace: client.options.namespace,
        updateRef: { workflowExecution: { workflowId }, updateId },
        waitPolicy: { lifecycleStage: ADMITTED },
      });
      return;
    } catch (err) {
      if ((err as { code?: number }).code !== NOT_FOUND) throw err;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
  throw new Error(`update ${updateId} of ${workflowId} was never admitted`);
}
