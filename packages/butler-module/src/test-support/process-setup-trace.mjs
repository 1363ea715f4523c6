// Test support: `node --import ./process-setup-trace.mjs ...` records, in the file named by
// CONTACTS_TRACE_SETUP, the process-wide settings the command makes at start: the resolve hooks
// it registers and the V8 flags it sets, and the first drizzle-orm module it loads.
import { appendFileSync } from 'node:fs';
import module, { syncBuiltinESMExports } from 'node:module';
import v8 from 'node:v8';

const file = process.env.CONTACTS_TRACE_SETUP;
const note = (line) => appendFileSync(file, `${line}\n`);
const { registerHooks } = module;
if (typeof registerHooks === 'function') {
  module.registerHooks = (hooks) => {
    // Loaders (tsx) register hooks too: name the module that asked.
    const caller = /fast-resolve/.test(new Error().stack ?? '') ? 'fast-resolve' : 'other';
    note(`registerHooks ${caller}`);
    return registerHooks(hooks);
  };
}
const { setFlagsFromString } = v8;
v8.setFlagsFromString = (flag) => {
  note(`v8 ${flag}`);
  return setFlagsFromString(flag);
};
// ES module imports of node:module and node:v8 see the wrappers too.
syncBuiltinESMExports();
let drizzleSeen = false;
// The original, so that this hook is not recorded as the command's.
registerHooks?.({
  load(url, context, nextLoad) {
    if (!drizzleSeen && url.includes('/drizzle-orm/')) {
      drizzleSeen = true;
      note('drizzle-orm loaded');
    }
    return nextLoad(url, context);
  },
});
