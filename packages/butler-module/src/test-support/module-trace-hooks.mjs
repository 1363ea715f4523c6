// Test support: a module loader hook that appends every module URL the process loads to the file
// named by CONTACTS_TRACE_MODULES (registered by module-trace.mjs with --import). Not part of the package.
import { appendFileSync } from 'node:fs';

export async function load(url, context, next) {
  if (process.env.CONTACTS_TRACE_MODULES) appendFileSync(process.env.CONTACTS_TRACE_MODULES, `${url}\n`);
  return next(url, context);
}
