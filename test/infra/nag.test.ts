import { beforeAll, describe, expect, it } from '@jest/globals';
import { App, Stack, Validations } from 'aws-cdk-lib';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import type { SynthesizedRunbook } from '../../local/synthesize.ts';
import { EXAMPLES, SYNTH_TIMEOUT_MS, synthesizeExample } from './synth.ts';

/** An acknowledgement shorter than this cannot say why the finding is acceptable. */
const MIN_REASON_LENGTH = 20;

interface Acknowledgement {
  readonly path: string;
  readonly rule: string;
  readonly reason: unknown;
}

/** Every rule acknowledged in the construct metadata (Validations.acknowledge) under `scope`. */
function acknowledgementsUnder(scope: IConstruct): Acknowledgement[] {
  return scope.node.findAll().flatMap((construct) =>
    construct.node.metadata
      .filter((entry) => entry.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
      .flatMap((entry) =>
        Object.entries(entry.data as Record<string, unknown>).map(([rule, reason]) => ({
          path: construct.node.path,
          rule,
          reason,
        })),
      ),
  );
}

/** AwsSolutions findings nobody acknowledged, readable in a failure message. */
function unacknowledgedFindings(app: App, scope: IConstruct) {
  const report = new AwsSolutionsChecks(app, { verbose: true }).validateScope(scope);
  return report.violations.map((violation) => ({
    rule: violation.ruleName,
    resources: violation.violatingResources.map((resource) => resource.constructPath),
    why: violation.description,
  }));
}

describe('AwsSolutions checks', () => {
  it('are live: an unacknowledged finding is reported', () => {
    const app = new App();
    const stack = new Stack(app, 'Unchecked');
    new Topic(stack, 'PlainTopic');

    const findings = unacknowledgedFindings(app, stack);

    expect(findings.map((f) => f.rule)).toContain('AwsSolutions-SNS3');
  });

  describe.each(EXAMPLES)('for the %s example', (name) => {
    let synthesized: SynthesizedRunbook;

    beforeAll(async () => {
      synthesized = await synthesizeExample(name);
    }, SYNTH_TIMEOUT_MS);

    it('reports no finding that is not acknowledged', () => {
      expect(unacknowledgedFindings(synthesized.app, synthesized.stack)).toEqual([]);
    });

    it('gives every acknowledgement a reason', () => {
      const acknowledgements = acknowledgementsUnder(synthesized.stack);
      expect(acknowledgements.length).toBeGreaterThan(0);

      const withoutReason = acknowledgements.filter(
        ({ reason }) => typeof reason !== 'string' || reason.trim().length < MIN_REASON_LENGTH,
      );

      expect(withoutReason).toEqual([]);
    });
  });
});
