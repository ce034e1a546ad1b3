import { defineConfig } from 'tsup';

// Dual ESM + CJS output so `import` and `require()` both work on Node 20.
export default defineConfig({
  entry: ['src/index.ts'],
  format: ['esm', 'cjs'],
  dts: true,
  sourcemap: true,
  clean: true,
  target: 'node20',
  platform: 'node',
  splitting: false,
});
