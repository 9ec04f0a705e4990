// The hook family's unit tests as one Jest file: its parts share one load of the SDK clients and
// the family's modules (docs/design.md, "How the suite stays fast"). Each part is a describe of its own;
// run one with `npm run jest -- test/unit/hook -t '<part>'`. clients.test.ts stays a file of its
// own: it sends through real Lambda clients, which the parts' mocks would stub.
import './hook-contract.unit.ts';
import './lambda-hook-readiness.unit.ts';
import './lambda-hook.unit.ts';
import './simulated-hook.unit.ts';
import './switchover.unit.ts';
