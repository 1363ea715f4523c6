// `pnpm --filter @contacts/example-bench profile:summary DIR [TOP]`: where each phase's time went,
// from the profiles `pnpm bench --cpu-prof DIR` wrote.
import { resolve } from 'node:path';
import { summarizeProfileDirectory } from './profile-directory.js';
import { BUCKET_MEANING, PROFILE_BUCKETS } from './profile-summary.js';

const [dir, top] = process.argv.slice(2);
if (!dir) {
  process.stderr.write('usage: profile:summary DIR [TOP]   (DIR: what pnpm bench --cpu-prof DIR wrote)\n');
  process.exit(2);
}
const base = process.env.INIT_CWD ?? process.cwd();
console.log(await summarizeProfileDirectory(resolve(base, dir), { top: top ? Number(top) : 8 }));
console.log(`\n${PROFILE_BUCKETS.map((b) => `${b}: ${BUCKET_MEANING[b]}`).join('\n')}`);
