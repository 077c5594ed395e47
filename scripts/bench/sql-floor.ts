// The floor under a list's ratio: the least any HTTP API answering a query pays above the query itself. A bare
// node:http handler in the API's process (no Express, no token, no validation, no view) takes the statements to
// run in its request body, runs them on the API's own connection pool (the ORM's, as the API's reads do), with the
// account check every authenticated request makes (a token whose user is gone gets 401) beside them as the API runs
// it, and answers with their rows as JSON. The lists phase sends it each sample's exact SQL beside the API call and
// the raw SQL, so its p99 over the raw SQL's p99 is the HTTP round trip, the API process's event loop and pool, the
// account check and JSON, with nothing else of the product in it.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { MikroORM } from '@mikro-orm/postgresql';

export interface SqlFloorRequest {
  statements: string[];
  /** Run them all at once (as the detail's reads run), or one after another. */
  parallel: boolean;
  /** The account check's statement, run beside them and awaited before answering. */
  accountCheck: string;
}

export interface SqlFloorServer {
  url: string;
  stop(): Promise<void>;
}

export async function startSqlFloorServer(orm: MikroORM): Promise<SqlFloorServer> {
  const connection = orm.em.getConnection();
  const query = async ({ statements, parallel }: SqlFloorRequest): Promise<unknown[]> => {
    if (parallel) return Promise.all(statements.map((sql) => connection.execute(sql)));
    const results: unknown[] = [];
    for (const sql of statements) results.push(await connection.execute(sql));
    return results;
  };
  const run = async (request: SqlFloorRequest): Promise<unknown[]> => {
    const [account, results] = await Promise.all([connection.execute(request.accountCheck), query(request)]);
    if (!Array.isArray(account) || account.length !== 1) throw new Error('the account check found no account');
    return results;
  };
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      run(JSON.parse(Buffer.concat(chunks).toString('utf8')) as SqlFloorRequest).then(
        (results) => {
          res.writeHead(200, { 'content-type': 'application/json' });
          res.end(JSON.stringify(results));
        },
        (err: unknown) => {
          res.writeHead(500, { 'content-type': 'text/plain' });
          res.end(String(err));
        },
      );
    });
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/`,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
