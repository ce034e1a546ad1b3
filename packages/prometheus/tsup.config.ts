// The same dual ESM + CJS build as core.
export { default } from '../core/tsup.config.ts';
