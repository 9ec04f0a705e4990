// The one place every example is synthesized with CloudFormation validation on (it is off for every
// other synth of the test run: test/global-setup.ts) and the cdk-nag AwsSolutions plugin installed,
// as `cdk synth` runs the app (test/infra/example-checks.ts): by the run's services, which have the
// CDK loaded already, or here without them.
import { beforeAll, describe, expect, it } from '@jest/globals';
import { TEST_SERVICES_VARIABLE } from '../global-setup.ts';
import { type ChecksFile, checkExamples, checkOnePlan, type ExampleChecks } from './example-checks.ts';
import { combinedDetectorPlan, EXAMPLES } from './synth.ts';

describe('nag', () => {
  /** An acknowledgement shorter than this cannot say why the finding is acceptable. */
  const MIN_REASON_LENGTH = 20;

  /** Five synths with validation (about 5 s on 2 cores, more in a test file). */
  const CHECK_TIMEOUT_MS = 120_000;

  let checks: ChecksFile;

  beforeAll(async () => {
    const services = process.env[TEST_SERVICES_VARIABLE];
    if (!services) {
      checks = await checkExamples();
      return;
    }
    const response = await fetch(`${services}/checks`);
    if (!response.ok) throw new Error(await response.text());
    checks = (await response.json()) as ChecksFile;
  }, CHECK_TIMEOUT_MS);

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

  describe('a plan whose detector combines with its alarms (a composite alarm no example has)', () => {
    it(
      'has no CloudFormation validation finding and no cdk-nag finding nobody acknowledged',
      async () => {
        const checked = await checkOnePlan(combinedDetectorPlan());

        expect(checked.error).toBeUndefined();
        expect(checked.cloudFormationValidation).toBe(true);
        expect(findingsOf(checked)).toEqual([]);
      },
      CHECK_TIMEOUT_MS,
    );
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
});
