// A baseline between the bare workflow and the application workflow (scripts/bench.ts): its Update does nothing
// but issue the commands an application's move issues (one search-attribute upsert of stage and status, and one
// or two activities scheduled in the background: the follow-up, and the stage email of a move back), so the cost
// of those commands can be told apart from the cost of the application workflow's own code. Its activities go to
// a task queue nobody polls: they are scheduled (the history events, the matching task) and never run.
import { condition, defineUpdate, proxyActivities, setHandler, upsertSearchAttributes } from '@temporalio/workflow';
import { stageKey, statusKey } from '../../workflows/search-attributes.js';

export const PARKED_TASK_QUEUE = 'bench-parked-activities';
export const commandsUpdate = defineUpdate<number, [number]>('commands');

const parked = proxyActivities<{ benchParked(n: number): Promise<void> }>({ taskQueue: PARKED_TASK_QUEUE, scheduleToCloseTimeout: '1h' });

export async function commandsWorkflow(): Promise<void> {
  let moves = 0;
  setHandler(commandsUpdate, (activities) => {
    moves++;
    upsertSearchAttributes([
      { key: stageKey, value: moves % 2 ? 'screening' : 'applied' },
      { key: statusKey, value: 'active' },
    ]);
    for (let i = 0; i < activities; i++) void parked.benchParked(moves).catch(() => undefined);
    return moves;
  });
  await condition(() => false);
}
