import 'aws-sdk-client-mock-jest';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { beforeEach, describe, expect, it } from '@jest/globals';
import type { RunReport } from '../../../functions/runbook/report-types.ts';
import { reportKey, storeReport } from '../../../functions/runbook/store-report.ts';
import { mockClient } from '../../aws-mock.ts';
import { accessDenied } from '../../fixtures.ts';

describe('store-report', () => {
  const s3 = mockClient(S3Client);
  const report = {
    plan: 'shop',
    runId: 'drill-1',
    mode: 'drill',
    outcome: 'succeeded',
    trigger: 'console',
    incidentStartedAt: '2026-11-25T12:00:00.000Z',
    startedAt: '2026-11-25T12:00:00.000Z',
    reportedAt: '2026-11-25T12:10:00.000Z',
    predictedRtoSeconds: null,
    rto: { objectiveSeconds: 1800, achievedSeconds: 400, met: true },
    rpo: { objectiveSeconds: 300, achievedSeconds: null, met: null },
    readinessProblems: [],
    readinessWarnings: [],
    sinksFailed: [],
    resources: [],
    changes: [],
    reverted: [],
    timeline: [],
  } satisfies RunReport;

  describe('storeReport', () => {
    beforeEach(() => {
      s3.reset();
    });

    it('stores JSON, Markdown and (when it can render it) HTML under the plan and run', async () => {
      const keys = await storeReport(new S3Client({ region: 'us-west-2' }), 'reports', report, {
        html: () => '<html></html>',
      });
      expect(keys).toEqual([
        'reports/shop/drill-1.json',
        'reports/shop/drill-1.md',
        'reports/shop/drill-1.html',
      ]);
      expect(s3).toHaveReceivedCommandWith(PutObjectCommand, {
        Bucket: 'reports',
        Key: 'reports/shop/drill-1.html',
        ContentType: 'text/html; charset=utf-8',
        Body: '<html></html>',
      });
      const json = s3
        .commandCalls(PutObjectCommand)
        .find((c) => c.args[0].input.Key === reportKey(report, 'json'));
      expect(JSON.parse(String(json?.args[0].input.Body))).toEqual(report);
    });

    it('fails with a named error that names the object', async () => {
      s3.on(PutObjectCommand).rejects(accessDenied());
      await expect(
        storeReport(new S3Client({ region: 'us-west-2' }), 'reports', report),
      ).rejects.toMatchObject({
        name: 'AccessDeniedError',
        message: expect.stringContaining('s3://reports/reports/shop/drill-1.json'),
      });
    });
  });
});
