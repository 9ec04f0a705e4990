// Imported first by the benchmark's entry: the handlers read these when their modules load.
// Nothing reaches AWS (every client is served by the fake), Powertools stays quiet, and the SDK's
// notice that it will need Node 22 from 2027 does not clutter the table.
process.env.AWS_ACCESS_KEY_ID ??= 'bench';
process.env.AWS_SECRET_ACCESS_KEY ??= 'bench';
process.env.AWS_REGION ??= 'us-west-2';
process.env.AWS_EC2_METADATA_DISABLED = 'true';
process.env.POWERTOOLS_LOG_LEVEL = 'SILENT';
process.env.POWERTOOLS_METRICS_DISABLED = 'true';

const emitWarning = process.emitWarning.bind(process);
process.emitWarning = ((warning: string | Error, ...rest: unknown[]) => {
  if (String(typeof warning === 'string' ? warning : warning.name).includes('NodeVersionSupport')) return;
  if (rest.some((r) => String((r as { type?: string })?.type ?? r).includes('NodeVersionSupport'))) return;
  (emitWarning as (...args: unknown[]) => void)(warning, ...rest);
}) as typeof process.emitWarning;
