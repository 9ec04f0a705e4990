// Registers aws-sdk-client-mock's matchers (toHaveReceivedCommandWith, …) on jest's expect.
import 'aws-sdk-client-mock-jest';

// Tests never reach AWS: dummy credentials stop the SDK from looking for real ones (or asking the
// instance metadata service), and Powertools stays quiet.
process.env.AWS_ACCESS_KEY_ID ??= 'test';
process.env.AWS_SECRET_ACCESS_KEY ??= 'test';
process.env.AWS_EC2_METADATA_DISABLED = 'true';
process.env.POWERTOOLS_LOG_LEVEL ??= 'SILENT';
process.env.POWERTOOLS_METRICS_DISABLED ??= 'true';
// CloudFormation validation costs seconds per synth: off in tests (test/global-setup.ts); the one
// test that checks every example with it turns it back on (test/infra/nag.test.ts).
process.env.CDK_VALIDATION ??= 'false';
