// The compute family's unit tests as one Jest file: its parts share one load of the SDK clients and
// the family's modules (docs/design.md, "How the suite stays fast"). Each part is a describe of its own;
// run one with `npm run jest -- test/unit/compute -t '<part>'`.
import './check.unit.ts';
import './fence.unit.ts';
import './multi-tier.unit.ts';
import './readiness.unit.ts';
import './revert.unit.ts';
import './start.unit.ts';
import './steps.unit.ts';
import './switchover.unit.ts';
