// The end-to-end tests against moto, as one Jest file: they share this worker's moto server (reset
// between tests) and one load of the SDK, the CLI and the local runner, instead of a moto and a
// load per file (a second moto's start-up and warm-up alone cost about 4 s of CPU). Each part is a
// module of its own; run one with `npm run jest -- test/e2e/against-moto -t '<its describe>'`.
// test/e2e/moto-lifecycle.test.ts starts motos of its own, and stays a file of its own.
import './simulate.e2e.ts';
import './faults-over-http.e2e.ts';
import './operator-cli.e2e.ts';
import './bundles.e2e.ts';
