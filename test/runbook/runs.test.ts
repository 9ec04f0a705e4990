// The runbook's runs on the fake AWS as one Jest file: the parts share one load of the handlers, the
// local runner and aws-local-stepfunctions (docs/design.md, "How the suite stays fast"). Each part
// is a describe of its own; run one with `npm run jest -- test/runbook/runs -t '<part>'`.
// fault-matrix.test.ts stays a file of its own: it is the second-longest of the run, and its own
// file lets Jest run it beside the e2e file.
import './approval.part.ts';
import './dry-run-and-guards.part.ts';
import './failures.part.ts';
import './multi-resource.part.ts';
import './preemption.part.ts';
import './recovery.part.ts';
import './state-size.part.ts';
