import { beforeAll, describe, expect, it } from '@jest/globals';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { REPORT_SINKS } from '../../functions/runbook/report-types.ts';
import { REPORT_ARCHIVE_DAYS } from '../../infra/disaster-recovery-runbook.ts';
import { SYNTH_TIMEOUT_MS, sharedTemplate } from './synth.ts';

describe('reports-and-monitoring', () => {
  let template: Template;

  beforeAll(async () => {
    template = Template.fromJSON(await sharedTemplate('warm-standby'));
  }, SYNTH_TIMEOUT_MS);

  describe('reports bucket', () => {
    it('is encrypted, versioned, private, retained, and archives old reports to Glacier Deep Archive', () => {
      template.hasResource('AWS::S3::Bucket', {
        DeletionPolicy: 'Retain',
        Properties: {
          BucketEncryption: {
            ServerSideEncryptionConfiguration: [
              { ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } },
            ],
          },
          VersioningConfiguration: { Status: 'Enabled' },
          PublicAccessBlockConfiguration: {
            BlockPublicAcls: true,
            BlockPublicPolicy: true,
            IgnorePublicAcls: true,
            RestrictPublicBuckets: true,
          },
          LifecycleConfiguration: {
            Rules: [
              Match.objectLike({
                Status: 'Enabled',
                Transitions: [{ StorageClass: 'DEEP_ARCHIVE', TransitionInDays: REPORT_ARCHIVE_DAYS }],
                NoncurrentVersionExpiration: { NoncurrentDays: REPORT_ARCHIVE_DAYS },
              }),
            ],
          },
        },
      });
    });

    it('refuses every request that is not over TLS', () => {
      template.hasResourceProperties('AWS::S3::BucketPolicy', {
        PolicyDocument: {
          Statement: Match.arrayWith([
            Match.objectLike({
              Effect: 'Deny',
              Action: 's3:*',
              Principal: { AWS: '*' },
              Condition: { Bool: { 'aws:SecureTransport': 'false' } },
            }),
          ]),
        },
      });
    });

    it('is where the report step writes, under this plan’s prefix only', () => {
      template.hasResourceProperties('AWS::IAM::Policy', {
        PolicyDocument: {
          Statement: Match.arrayWith([
            Match.objectLike({
              Sid: 'WriteThisPlansReports',
              Action: 's3:PutObject',
              Resource: {
                'Fn::Join': [
                  '',
                  [{ 'Fn::GetAtt': [Match.stringLikeRegexp('Reports'), 'Arn'] }, '/reports/shop/*'],
                ],
              },
            }),
          ]),
        },
      });
      template.hasResourceProperties('AWS::Lambda::Function', {
        Environment: {
          Variables: Match.objectLike({
            DR_RUNBOOK_FAMILY: 'runbook',
            REPORTS_BUCKET: { Ref: Match.stringLikeRegexp('Reports') },
          }),
        },
      });
    });
  });

  describe('monitoring', () => {
    it('alarms the topic when a drill or game day failed or missed an objective', () => {
      template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        Namespace: 'DrRunbook',
        MetricName: 'NeedsAttention',
        Dimensions: Match.arrayWith([
          { Name: 'mode', Value: 'drill' },
          { Name: 'plan', Value: 'shop' },
        ]),
        Threshold: 1,
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
        TreatMissingData: 'notBreaching',
        AlarmActions: [{ Ref: Match.stringLikeRegexp('Notifications') }],
      });
    });

    it('alarms the topic when a run’s report did not reach one of its sinks (any in 5 minutes)', () => {
      template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        AlarmDescription: Match.stringLikeRegexp('did not reach one of its sinks'),
        Threshold: 0,
        ComparisonOperator: 'GreaterThanThreshold',
        EvaluationPeriods: 1,
        TreatMissingData: 'notBreaching',
        AlarmActions: [{ Ref: Match.stringLikeRegexp('Notifications') }],
        Metrics: [
          Match.objectLike({
            Expression: REPORT_SINKS.map((sink) => `FILL(failed_${sink}, 0)`).join(' + '),
            ReturnData: true,
          }),
          ...REPORT_SINKS.map((sink) =>
            Match.objectLike({
              Id: `failed_${sink}`,
              ReturnData: false,
              MetricStat: {
                Metric: {
                  Namespace: 'DrRunbook',
                  MetricName: 'ReportSinkFailed',
                  Dimensions: Match.arrayWith([
                    { Name: 'plan', Value: 'shop' },
                    { Name: 'sink', Value: sink },
                  ]),
                },
                Period: 300,
                Stat: 'Sum',
              },
            }),
          ),
        ],
      });
      expect(REPORT_SINKS).toEqual(['s3', 'sns', 'metrics', 'history']);
    });

    it('has a dashboard of RTO and RPO against the objectives, step durations and recent runs', () => {
      const [dashboard] = Object.values(template.findResources('AWS::CloudWatch::Dashboard'));
      expect(dashboard?.Properties.DashboardName).toBe('dr-runbook-shop');
      // The body is a Fn::Join of JSON text and references: join it with placeholders and parse it.
      const parts = dashboard?.Properties.DashboardBody['Fn::Join'][1] as unknown[];
      interface WidgetProperties {
        title: string;
        annotations?: { horizontal: unknown[] };
        metrics?: unknown[][];
        query?: string;
      }
      const body = JSON.parse(parts.map((p) => (typeof p === 'string' ? p : 'REF')).join('')) as {
        widgets: Array<{ type: string; properties: WidgetProperties }>;
      };
      const byTitle = Object.fromEntries(body.widgets.map((w) => [w.properties.title, w.properties]));
      expect(byTitle['RTO achieved (objective 30 min)']?.annotations?.horizontal).toEqual([
        expect.objectContaining({ label: 'RTO objective', value: 1800 }),
      ]);
      expect(byTitle['RPO achieved (objective 300 s)']?.annotations?.horizontal).toEqual([
        expect.objectContaining({ label: 'RPO objective', value: 300 }),
      ]);
      expect(byTitle['Where the time went (seconds per step, drills)']?.metrics?.map((m) => m[1])).toEqual(
        Array(4).fill('StepSeconds'),
      );
      expect(byTitle['Recent runs']?.query).toContain('filter message = "run reported"');
    });

    it('exports what the operator CLI needs as stack outputs', () => {
      for (const output of ['StateMachineArn', 'HistoryTableName', 'TopicArn', 'ReportsBucketName']) {
        template.hasOutput(output, {});
      }
    });
  });
});
