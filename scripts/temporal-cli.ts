// `npm run temporal:cli` (also run before `npm test`): finds or builds the Temporal CLI once per machine,
// so no test has to wait for a build. Prints the path it will use.
import { findTemporalCli } from '../infra/temporal-cli.js';

const cli = findTemporalCli((line) => console.error(line));
if (!cli.path) console.error('tests will let the Temporal SDK download a dev server (needs internet access)');
