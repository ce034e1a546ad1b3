import { dualBuild } from '../core/tsup.config.ts';

export default dualBuild(['src/index.ts']);
