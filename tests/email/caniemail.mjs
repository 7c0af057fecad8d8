// Prints, as JSON, what caniemail's data (doiuse-email) says about each HTML file named on the
// command line for the clients named in --clients: {"file": {"errors": [...], "warnings": [...]}}.
// Used by tests/test_digest_caniemail.py.
import { readFileSync } from 'node:fs';
import { doIUseEmail } from 'doiuse-email';

const args = process.argv.slice(2);
const clients = args.filter((a) => a.startsWith('--clients=')).flatMap((a) => a.slice(10).split(','));
const result = {};
for (const file of args.filter((a) => !a.startsWith('--'))) {
  const { errors, warnings } = doIUseEmail(readFileSync(file, 'utf8'), { emailClients: clients });
  result[file] = { errors, warnings };
}
process.stdout.write(JSON.stringify(result));
