// Keeps the rendered report next to the run record: reports/<plan>/<runId>.{json,md,html} in the
// reports bucket (encrypted, versioned, archived to Glacier Deep Archive when old).
import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { awsCall } from '../shared/aws-errors.ts';
import { renderMarkdown } from './render-markdown.ts';
import type { RunReport } from './report-types.ts';

export function reportKey(
  report: Pick<RunReport, 'plan' | 'runId'>,
  extension: 'json' | 'md' | 'html',
): string {
  return `reports/${report.plan}/${report.runId}.${extension}`;
}

/** Renderers per stored format; HTML is added where its renderer is available. */
export type ReportRenderers = Partial<Record<'html', (report: RunReport) => string>>;

export async function storeReport(
  s3: S3Client,
  bucket: string,
  report: RunReport,
  renderers: ReportRenderers = {},
): Promise<string[]> {
  const bodies: Array<[ext: 'json' | 'md' | 'html', body: string, type: string]> = [
    ['json', JSON.stringify(report, null, 2), 'application/json'],
    ['md', renderMarkdown(report), 'text/markdown; charset=utf-8'],
  ];
  if (renderers.html) bodies.push(['html', renderers.html(report), 'text/html; charset=utf-8']);
  const keys: string[] = [];
  for (const [ext, body, contentType] of bodies) {
    const key = reportKey(report, ext);
    await awsCall({ resource: `s3://${bucket}/${key}`, operation: 'store the run report' }, () =>
      s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body, ContentType: contentType })),
    );
    keys.push(key);
  }
  return keys;
}
