// `npm run build:workflows`: bundles the workflows ahead of time into dist/workflow-bundle.js, so production
// workers (WORKFLOW_BUNDLE_PATH) start without webpack and every replica runs byte-identical workflow code.
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { bundleWorkflowCode } from '@temporalio/worker';
import { WORKFLOWS_PATH } from '../server/worker.js';

const bundlePath = fileURLToPath(new URL('../dist/workflow-bundle.js', import.meta.url));

const { code } = await bundleWorkflowCode({ workflowsPath: WORKFLOWS_PATH });
await mkdir(path.dirname(bundlePath), { recursive: true });
await writeFile(bundlePath, code);
console.log(`Workflow bundle written to ${bundlePath} (${(Buffer.byteLength(code) / 1024).toFixed(0)} KiB)`);
