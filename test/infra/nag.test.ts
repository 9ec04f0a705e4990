// The one place every example is synthesized with CloudFormation validation on (it is off for every
// other synth of the test run: test/global-setup.ts) and the cdk-nag AwsSolutions plugin installed,
// as `cdk synth` runs the app: in a Node process of its own (test/infra/synthesize-examples.ts).
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { EXAMPLES } from './synth.ts';
import type { ChecksFile, ExampleChecks } from './synthesize-examples.ts';

/** An acknowledgement shorter than this cannot say why the finding is acceptable. */
const MIN_REASON_LENGTH = 20;

/** Five synths with validation, in a fresh Node process (about 6 s on 2 cores). */
const CHECK_TIMEOUT_MS = 120_000;

const outdir = mkdtempSync(join(tmpdir(), 'dr-runbook-checks-'));
let checks: ChecksFile;

beforeAll(async () => {
  // CloudFormation validation on: the variable unset, as in a plain `cdk synth`.
  const { CDK_VALIDATION: _off, ...env } = process.env;
  await promisify(execFile)(
    process.execPath,
    ['--import', 'tsx', 'test/infra/synthesize-examples.ts', 'check', outdir],
    { cwd: fileURLToPath(new URL('../..', import.meta.url)), env, maxBuffer: 64 * 1024 * 1024 },
  );
  checks = JSON.parse(readFileSync(join(outdir, 'checks.json'), 'utf8')) as ChecksFile;
}, CHECK_TIMEOUT_MS);

afterAll(() => rmSync(outdir, { recursive: true, force: true }));

/** Findings, readable in a failure message. */
const findingsOf = (result: ExampleChecks | undefined) =>
  (result?.findings ?? []).map(({ plugin, rule, constructs, description }) => ({
    plugin,
    rule,
    constructs,
    description,
  }));

describe('the validations', () => {
  it('are live: a stack with known problems gets its AwsSolutions and CloudFormation findings', () => {
    const rules = checks.canary.findings.map((f) => `${f.plugin}: ${f.rule} ${f.constructs.join(', ')}`);

    expect(checks.canary.cloudFormationValidation).toBe(true);
    expect(rules).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^AwsSolutions: AwsSolutions-SNS3 Canary\/PlainTopic/),
        expect.stringMatching(/^CloudFormation Validate: \w+ Canary\/BadBucket/),
      ]),
    );
  });
});

describe.each(EXAMPLES)('the %s example synthesized as cdk synth does', (name) => {
  it('synthesizes with CloudFormation validation on', () => {
    expect(checks.examples[name]?.error).toBeUndefined();
    expect(checks.examples[name]?.cloudFormationValidation).toBe(true);
  });

  it('has no CloudFormation validation finding and no cdk-nag (AwsSolutions) finding nobody acknowledged', () => {
    expect(findingsOf(checks.examples[name])).toEqual([]);
  });

  it('gives every cdk-nag acknowledgement a reason', () => {
    const acknowledgements = checks.examples[name]?.acknowledgements ?? [];
    expect(acknowledgements.length).toBeGreaterThan(0);

    const withoutReason = acknowledgements.filter(
      ({ reason }) => typeof reason !== 'string' || reason.trim().length < MIN_REASON_LENGTH,
    );

    expect(withoutReason).toEqual([]);
  });
});
