// The unit tests of functions/lock/ as one Jest file: its parts share one load of the modules they test
// (docs/design.md, "How the suite stays fast"). Each part is a describe of its own; run one with
// `npm run jest -- test/unit/lock -t '<part>'`.
import './cleanup.unit.ts';
import './lock.unit.ts';
