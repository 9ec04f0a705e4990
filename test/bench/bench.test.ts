// The benchmark's model tests as one Jest file: the parts share one load of the model
// (docs/design.md, "How the suite stays fast"). Each part is a describe of its own; run one with
// `npm run jest -- test/bench -t '<part>'`.
import './baseline.part.ts';
import './cases-and-lower-bound.part.ts';
import './report.part.ts';
import './timed-fake.part.ts';
import './virtual-clock.part.ts';
import './virtual-waits.part.ts';
