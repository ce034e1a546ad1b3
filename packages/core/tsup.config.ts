import { defineConfig, type Options } from 'tsup';

/** The dual ESM + CJS build every package uses, so `import` and `require()` both work on Node 20. */
export const dualBuild = (entry: Options['entry']) =>
  defineConfig({
    entry,
    format: ['esm', 'cjs'],
    dts: true,
    sourcemap: true,
    clean: true,
    target: 'node20',
    platform: 'node',
    // Splitting (in both formats) keeps one copy of the engine shared by
    // core's main entry and `lib/transport`: the legacy facade hooks the
    // main entry's connections, which a second bundled copy would not be.
    splitting: true,
  });

export default dualBuild({ index: 'src/index.ts', 'lib/transport': 'src/legacy-transport.ts' });
