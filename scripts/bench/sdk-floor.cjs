// Measurement only, never in the product: `npm run bench -- --sdk-floor LIST` preloads this file (node --require,
// which also runs in every worker thread, where the Temporal SDK runs workflows) into the stack's worker process
// to measure what two per-activation costs of the SDK add to a move, by taking them away. BENCH_SDK_FLOOR lists
// them:
//   vm-watchdog     the SDK calls into a workflow's V8 context with vm's `timeout` option (its deadlock detector,
//                   isolateExecutionTimeout); Node starts and joins a watchdog thread for every such call, several
//                   per activation. Dropped here: a workflow stuck in a loop would then hang its thread.
//   promise-stacks  the SDK's promise hook captures (and source-maps) a stack trace for every promise a workflow
//                   creates, for the stack-trace query. Dropped here: that query answers with no stacks.
'use strict';
const floors = new Set((process.env.BENCH_SDK_FLOOR ?? '').split(',').filter(Boolean));

if (floors.has('vm-watchdog')) {
  const vm = require('node:vm');
  const withoutTimeout = (options) => {
    if (!options || typeof options !== 'object' || options.timeout === undefined) return options;
    const { timeout: _timeout, ...rest } = options;
    return rest;
  };
  const runInContext = vm.Script.prototype.runInContext;
  vm.Script.prototype.runInContext = function (context, options) {
    return runInContext.call(this, context, withoutTimeout(options));
  };
  const moduleRunInContext = vm.runInContext;
  vm.runInContext = (code, context, options) => moduleRunInContext(code, context, typeof options === 'object' ? withoutTimeout(options) : options);
}

if (floors.has('promise-stacks')) {
  const v8 = require('node:v8');
  v8.promiseHooks.createHook = () => () => undefined;
}
