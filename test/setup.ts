// aws-sdk-client-mock's matchers (toHaveReceivedCommandWith, …) are imported by the files that use
// them ('aws-sdk-client-mock-jest'): loading them costs every other test file a tenth of a second.

// Tests never reach AWS: dummy credentials stop the SDK from looking for real ones (or asking the
// instance metadata service), and Powertools stays quiet.
process.env.AWS_ACCESS_KEY_ID ??= 'test';
process.env.AWS_SECRET_ACCESS_KEY ??= 'test';
process.env.AWS_EC2_METADATA_DISABLED = 'true';
process.env.POWERTOOLS_LOG_LEVEL ??= 'SILENT';
process.env.POWERTOOLS_METRICS_DISABLED ??= 'true';
// CloudFormation validation costs seconds per synth: off in tests (test/global-setup.ts); the one
// test that checks every example with it turns it back on (test/infra/nag.part.ts).
process.env.CDK_VALIDATION ??= 'false';
