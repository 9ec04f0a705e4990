// The traffic family's unit tests as one Jest file: its parts share one load of the SDK clients and
// the family's modules (docs/design.md, "How the suite stays fast"). Each part is a describe of its own;
// run one with `npm run jest -- test/unit/traffic -t '<part>'`.
import './arc-routing-control.unit.ts';
import './check.unit.ts';
import './drill.unit.ts';
import './failover.unit.ts';
import './handler.unit.ts';
import './multi-resource.unit.ts';
import './readiness.unit.ts';
import './records.unit.ts';
import './revert.unit.ts';
import './route53-health-check-failover.unit.ts';
