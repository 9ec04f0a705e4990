// The unit tests of functions/shared/ as one Jest file: its parts share one load of the modules they test
// (docs/design.md, "How the suite stays fast"). Each part is a describe of its own; run one with
// `npm run jest -- test/unit/shared -t '<part>'`.
import './aws-errors.unit.ts';
import './clients.unit.ts';
import './deadlines.unit.ts';
import './family-handler.unit.ts';
import './polling.unit.ts';
