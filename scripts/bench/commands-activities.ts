// The commands baseline's activities (commands-workflow.ts): a worker of their own on their own task queue, in
// the process of the stack's worker (worker-process.ts, or the bench's with --single-process), where a move's
// activities run. They do nothing, so what they cost is Temporal's: the activity task's dispatch, its completion,
// and the workflow task that completion schedules.
import { NativeConnection, Worker } from '@temporalio/worker';
import { COMMANDS_ACTIVITY_TASK_QUEUE, type CommandsActivities } from './commands-workflow.js';

export async function startCommandsActivityWorker(temporal: { address: string; namespace: string }): Promise<{ stop(): Promise<void> }> {
  const connection = await NativeConnection.connect({ address: temporal.address });
  const activities: CommandsActivities = { benchNothing: async () => undefined };
  const worker = await Worker.create({ connection, namespace: temporal.namespace, taskQueue: COMMANDS_ACTIVITY_TASK_QUEUE, activities });
  const running = worker.run();
  return {
    async stop() {
      if (worker.getState() === 'RUNNING') worker.shutdown();
      await running;
      await connection.close();
    },
  };
}
