// Entry point of the benchmark worker's workflow bundle: the product's workflows, the bare baseline workflow and
// the commands baseline (commands-workflow.ts), which stay out of the production bundle (workflows/index.ts).
export * from '../../workflows/index.js';
export { bareWorkflow } from '../../workflows/bench/bare-workflow.js';
export { commandsWorkflow } from './commands-workflow.js';
