// The unit tests of plan/ as one Jest file: its parts share one load of the modules they test
// (docs/design.md, "How the suite stays fast"). Each part is a describe of its own; run one with
// `npm run jest -- test/unit/plan -t '<part>'`.
import './advisories.unit.ts';
import './detector.unit.ts';
import './duplicate-keys.unit.ts';
import './schema.unit.ts';
import './steps.unit.ts';
import './zod.unit.ts';
