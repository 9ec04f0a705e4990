// Lambda entry point of the detector (infra/detector.ts): probes the primary once a minute and
// writes PrimaryProbeFailed (1 or 0) for its alarm, as an embedded-metric log line (no API call:
// the metric is in CloudWatch even when every API but Logs is slow).
import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import middy from '@middy/core';
import { DETECTOR_METRIC } from '../../plan/detector.ts';
import { probeConfigFrom, probePrimary } from './probe.ts';

const logger = new Logger({ serviceName: 'dr-runbook', persistentKeys: { family: 'detector' } });
const metrics = new Metrics({ namespace: DETECTOR_METRIC.namespace, serviceName: 'dr-runbook' });

async function probe(): Promise<{ failed: boolean; detail: string }> {
  const config = probeConfigFrom(process.env);
  const result = await probePrimary(config);
  metrics.addDimensions({ plan: config.plan });
  metrics.addMetric(DETECTOR_METRIC.name, MetricUnit.Count, result.failed ? 1 : 0);
  if (result.failed) logger.warn(result.detail);
  else logger.info(result.detail);
  return result;
}

export const handler = middy(probe)
  .use(injectLambdaContext(logger, { clearState: true }))
  .use(logMetrics(metrics));
