// The unit tests of functions/runbook/ as one Jest file: its parts share one load of the modules they test
// (docs/design.md, "How the suite stays fast"). Each part is a describe of its own; run one with
// `npm run jest -- test/unit/runbook -t '<part>'`.
import './execution-input.unit.ts';
import './render-html.unit.ts';
import './render-markdown.unit.ts';
import './render-svg-timeline.unit.ts';
import './report.unit.ts';
import './request-approval.unit.ts';
import './run-metrics.unit.ts';
import './run-timeline.unit.ts';
import './store-report.unit.ts';
import './verify.unit.ts';
