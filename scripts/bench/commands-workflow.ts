// A baseline between the bare workflow and the application workflow (scripts/bench.ts): its Update does nothing
// but issue the commands an application's move issues (one search-attribute upsert of stage and status, and one
// or two activities scheduled in the background: the follow-up, and the stage email of a move back), so the cost
// of those commands can be told apart from the cost of the application workflow's own code. Its activities run,
// as a move's do, but do nothing: a worker of their own in the stack worker's process (commands-activities.ts)
// completes them at once, so each still costs its dispatch, its completion and the workflow task that follows.
import { condition, defineUpdate, proxyActivities, setHandler, upsertSearchAttributes } from '@temporalio/workflow';
import { stageKey, statusKey } from '../../workflows/search-attributes.js';

export const COMMANDS_ACTIVITY_TASK_QUEUE = 'bench-commands-activities';
export const commandsUpdate = defineUpdate<number, [number]>('commands');

export interface CommandsActivities {
  benchNothing(n: number): Promise<void>;
}

const nothing = proxyActivities<CommandsActivities>({ taskQueue: COMMANDS_ACTIVITY_TASK_QUEUE, startToCloseTimeout: '1m' });

export async function commandsWorkflow(): Promise<void> {
  let moves = 0;
  setHandler(commandsUpdate, (activities) => {
    moves++;
    upsertSearchAttributes([
      { key: stageKey, value: moves % 2 ? 'screening' : 'applied' },
      { key: statusKey, value: 'active' },
    ]);
    for (let i = 0; i < activities; i++) void nothing.benchNothing(moves).catch(() => undefined);
    return moves;
  });
  await condition(() => false);
}
