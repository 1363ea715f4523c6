import { defineConfig } from 'tsup';

export default defineConfig({
  entry: ['src/index.ts', 'src/sync-queue-status.ts'],
  format: ['esm'],
  dts: true,
  clean: true,
  sourcemap: true,
  target: 'node22',
});
