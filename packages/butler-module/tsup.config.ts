import { defineConfig } from 'tsup';

export default defineConfig({
  entry: ['src/index.ts', 'src/worker/index.ts', 'src/cli/main.ts', 'src/cli/bin.ts'],
  format: ['esm'],
  dts: { entry: ['src/index.ts', 'src/worker/index.ts', 'src/cli/main.ts'] },
  clean: true,
  sourcemap: true,
  target: 'node20',
});
