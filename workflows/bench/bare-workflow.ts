// The benchmark's baseline (scripts/bench.ts): a workflow with one Update that changes a number and
// returns it, and nothing else, so the cost of a Temporal Update or start can be measured on its own.
// Only the benchmark's bundle (scripts/bench/workflows.ts) exports it, never the production one.
import { condition, defineUpdate, setHandler } from '@temporalio/workflow';

export const bumpUpdate = defineUpdate<number, [number]>('bump');

export async function bareWorkflow(): Promise<void> {
  let value = 0;
  setHandler(bumpUpdate, (delta) => (value += delta));
  await condition(() => false);
}
