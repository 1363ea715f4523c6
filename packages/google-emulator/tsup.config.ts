import { defineConfig } from 'tsup';

export default defineConfig({
  // cli.ts is the `google-emulator` bin; its shebang line is kept and the file made executable.
  entry: ['src/index.ts', 'src/cli.ts'],
  format: ['esm'],
  dts: true,
  clean: true,
  sourcemap: true,
  target: 'node20',
});
