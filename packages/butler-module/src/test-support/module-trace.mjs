// Test support: `node --import ./module-trace.mjs ...` records the modules the process loads.
import { register } from 'node:module';

register('./module-trace-hooks.mjs', import.meta.url);
