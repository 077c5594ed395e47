import { builtinModules } from 'node:module';
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

// ---------------------------------------------------------------------------------------------- layers
// Dependencies point one way (README, folder map); each folder's imports of the others are checked here.
// Our imports are relative ('../../db/orm.js'), so a top-level folder is matched as the first segment after
// the leading '../'s (no restricted folder has a subfolder named like a top-level one).
const into = (...folders) => `^(\\.\\./)+(${folders.join('|')})(/|$)`;
// What a workflow's callers may import from workflows/: its contract, and the search attribute keys both
// sides share (a contract by another name).
const workflowInternals = '^(\\.\\./)+workflows/(?!(.+/)?contract\\.js$|search-attributes\\.js$)';
// What workflow code may call of activities/: their contracts (types, the stage-action registry and kinds).
const activityInternals = '^(\\.\\./)+activities/(?!(.+/)?contract\\.js$|stage-actions/(.+/)?action\\.js$|stage-actions/(registry|kind)\\.js$)';
const nodeBuiltins = `^(node:|(${builtinModules.map((name) => name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|')})(/|$))`;

const SERVER_ONLY_FROM_ENTRY_POINTS = { regex: into('server'), message: 'server/ composes the product: only scripts/ and test/ import it.' };
const NO_TOOLS = { regex: into('scripts', 'test'), message: 'Product code never imports scripts/ or test/.' };

/** no-restricted-imports for the files of one folder (a later block for the same files would replace, not add). */
const layer = (folder, ...patterns) => ({
  files: [`${folder}/**/*.ts`],
  rules: { '@typescript-eslint/no-restricted-imports': ['error', { patterns }] },
});

const layers = [
  layer('domain', {
    regex: into('activities', 'api', 'db', 'infra', 'migrations', 'scripts', 'server', 'test', 'workflows'),
    message: 'domain/ is pure rules: it imports nothing of ours outside domain/.',
  }),
  layer(
    'workflows',
    {
      regex: into('api', 'db', 'infra', 'migrations', 'scripts', 'server', 'test'),
      message: 'Workflow code runs in the deterministic sandbox: it imports domain/, activity contracts and workflows/ only.',
    },
    {
      regex: activityInternals,
      allowTypeImports: true,
      message:
        'Workflow code imports activities only through their contracts (contract.ts, stage-actions/**/action.ts, registry.ts, kind.ts); types from anywhere.',
    },
    { regex: nodeBuiltins, message: 'Workflow code runs in the deterministic sandbox: no Node built-ins.' },
  ),
  layer('api', { regex: workflowInternals, message: 'api/ talks to workflows through their contract.ts only.' }, SERVER_ONLY_FROM_ENTRY_POINTS, NO_TOOLS),
  layer('activities', { regex: into('api'), message: 'Activities never import api/.' }, SERVER_ONLY_FROM_ENTRY_POINTS, NO_TOOLS),
  ...['db', 'migrations'].map((folder) =>
    layer(
      folder,
      { regex: into('api', 'activities', 'workflows'), message: `${folder}/ is data access: it never imports api/, activities/ or workflows/.` },
      SERVER_ONLY_FROM_ENTRY_POINTS,
      NO_TOOLS,
    ),
  ),
  layer(
    'infra',
    { regex: into('api'), message: 'infra/ is plumbing: it never imports api/.' },
    { regex: workflowInternals, message: 'infra/ is plumbing: of workflows/ it imports contracts only.' },
    { regex: activityInternals, message: 'infra/ is plumbing: of activities/ it imports contracts only.' },
    SERVER_ONLY_FROM_ENTRY_POINTS,
    NO_TOOLS,
  ),
  layer('server', NO_TOOLS),
  layer('scripts', { regex: into('test'), message: 'Scripts never import test/ (shared helpers live in scripts/support/).' }),
];

// ---------------------------------------------------------------------------------------------- config

export default tseslint.config(
  { ignores: ['node_modules/', 'dist/', '.data/'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: {
        // Type information for the rules that need it, from tsconfig.json.
        projectService: true,
        tsconfigRootDir: import.meta.dirname,
      },
    },
    rules: {
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      // A switch over a union names every member: a new stage kind, event or refusal cannot fall into a default unseen.
      '@typescript-eslint/switch-exhaustiveness-check': [
        'error',
        { considerDefaultExhaustiveForUnions: false, requireDefaultForNonUnion: false, allowDefaultCaseForExhaustiveSwitch: true },
      ],
      // Kept at full strength, Express handlers included: Express 5 passes a handler's rejected promise to the error
      // handler and its types accept Promise-returning handlers, so only real misuses are reported.
      '@typescript-eslint/no-misused-promises': 'error',
      // `async` without `await` is how this code meets a Promise-returning signature (cleanups, MikroORM's up/down,
      // fake activities) and turns a throw into a rejection; no-floating-promises and no-misused-promises catch the bugs.
      '@typescript-eslint/require-await': 'off',
    },
  },
  {
    // Tests, their API client (scripts/support/) and the bench and chaos tools read JSON bodies, logs and histories as
    // `any` by design; checking the values is their job, so the no-unsafe-* rules would only flag every field they read.
    files: ['test/**/*.ts', 'scripts/support/**/*.ts', 'scripts/bench.ts', 'scripts/bench/**/*.ts', 'scripts/chaos.ts', 'scripts/chaos/**/*.ts'],
    rules: {
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
    },
  },
  // JavaScript no tsconfig covers: this config file, and the benchmark's preload for worker threads
  // (scripts/bench/sdk-floor.cjs, CommonJS because `node --require` is what reaches them).
  { files: ['**/*.js', '**/*.cjs'], extends: [tseslint.configs.disableTypeChecked] },
  {
    files: ['**/*.cjs'],
    languageOptions: { sourceType: 'commonjs', globals: { require: 'readonly', process: 'readonly' } },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  ...layers,
);
