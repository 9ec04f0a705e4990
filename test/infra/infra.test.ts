// The CDK app's tests as one Jest file: the parts share one load of aws-cdk-lib and the app
// (docs/design.md, "How the suite stays fast"). Each part is a describe of its own; run one with
// `npm run jest -- test/infra/infra -t '<part>'`. bundling.test.ts stays a file of its own: it
// runs esbuild for seconds, and its own file lets Jest balance it against the rest.
import './asl.part.ts';
import './biggest-plan.part.ts';
import './iam.part.ts';
import './nag.part.ts';
import './reports-and-monitoring.part.ts';
import './template.part.ts';
