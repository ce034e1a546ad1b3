import { dualBuild } from '../core/tsup.config.ts';

export default dualBuild({ index: 'src/index.ts', 'lib/transport': 'src/lib/transport.ts' });
