// The unit tests of cli/ as one Jest file: its parts share one load of the modules they test
// (docs/design.md, "How the suite stays fast"). Each part is a describe of its own; run one with
// `npm run jest -- test/unit/cli -t '<part>'`.
import './approve.unit.ts';
import './aws-error-message.unit.ts';
import './history-events.unit.ts';
import './history.unit.ts';
import './report.unit.ts';
import './start.unit.ts';
import './unlock-revert.unit.ts';
import './validate.unit.ts';
import './watch.unit.ts';
