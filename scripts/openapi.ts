// Writes the API's OpenAPI document (the one GET /api/openapi.json serves) from the route declarations,
// without a database, Temporal or a server: to the file named by the first argument, else to stdout.
// `npm run lint:openapi` lints it with Redocly's recommended rules.
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { allRoutes, openApiDocument } from '../api/app.js';
import type { ApiDeps } from '../api/deps.js';

// Building the routes must not touch a dependency; one that does fails here instead of connecting somewhere.
const deps = new Proxy({} as ApiDeps, {
  get(_target, name) {
    throw new Error(`building the routes touched deps.${String(name)}; handlers may use deps only when they run`);
  },
});

const json = `${JSON.stringify(openApiDocument(allRoutes(deps)), null, 2)}\n`;
const out = process.argv[2];
if (out) {
  mkdirSync(path.dirname(out), { recursive: true });
  writeFileSync(out, json);
} else {
  process.stdout.write(json);
}
