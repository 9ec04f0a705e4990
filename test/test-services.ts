// The test run's shared services, in one plain Node process that the global setup starts
// (test/global-setup.ts) and that lives as long as the run:
//
// - Templates: POST /template {plan, account} answers the plan's runbook template (Lambda code not
//   bundled), synthesized here once per plan and account, one at a time. aws-cdk-lib loads once in
//   this process (~2 s) instead of once in every test file that synthesizes (~5 s each inside Jest's
//   module sandbox), and a synth then takes ~0.15 s. A plan that does not synthesize answers 422 with
//   the error, which the test then throws (local/synthesize.ts synthesizeTemplate).
// - Checks: GET /checks answers what CloudFormation validation and cdk-nag found in every example
//   (test/infra/example-checks.ts), synthesized with them on, once per run.
// - moto: GET /moto/<worker> answers the endpoint of that Jest worker's own moto server, started on
//   first ask (or at once with --motos N for workers 1…N). A worker runs one test file at a time and
//   resets its server between tests (test/e2e/moto.ts), so the files never share state; moto's
//   Python start-up (~2 s) is paid once per worker instead of once per file.
//
//   node --import tsx test/test-services.ts [--motos N] [--prewarm] [--checks]
//
// prints `{"port":P}` once it listens. In the background, --prewarm synthesizes every example and
// the biggest plans, and --checks checks the examples. It stops its moto servers and exits when its
// standard input closes (the Jest process is gone, however it ended) or on SIGTERM.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { parseArgs } from 'node:util';
import { findMoto, type MotoCommand, type RunningMoto, startMoto } from '../local/moto-server.ts';
import { type CloudFormationTemplate, synthesizeRunbook } from '../local/synthesize.ts';
import type { DrPlan } from '../plan/schema.ts';
import { examplePlan } from './fixtures.ts';
import { BIGGEST_PLAN_KINDS, biggestPlan } from './fixtures-biggest-plan.ts';
import { type ChecksFile, checkCanaryStack, checkOneExample } from './infra/example-checks.ts';
import { EXAMPLES } from './infra/synth.ts';

const { values } = parseArgs({
  options: { motos: { type: 'string' }, prewarm: { type: 'boolean' }, checks: { type: 'boolean' } },
});

// ---- templates and checks: one synth at a time

interface Job {
  readonly key: string;
  readonly run: () => Promise<void>;
}
/**
 * Jobs waiting their turn: one runs at a time (each sets the environment its synths read), a test's
 * request before any prewarm, so that no test waits for work nobody asked for yet.
 */
const waiting: { asked: Job[]; prewarm: Job[] } = { asked: [], prewarm: [] };
const results = new Map<string, Promise<unknown>>();
let working = false;

async function workInTurn(): Promise<void> {
  if (working) return;
  working = true;
  for (let next = waiting.asked.shift() ?? waiting.prewarm.shift(); next; ) {
    await next.run();
    next = waiting.asked.shift() ?? waiting.prewarm.shift();
  }
  working = false;
}

/** What `work` gives, done once per key, in its turn. */
function once<T>(key: string, work: () => Promise<T>, turn: keyof typeof waiting): Promise<T> {
  const known = results.get(key) as Promise<T> | undefined;
  if (known) {
    // Asked for while still waiting as a prewarm: its turn comes now.
    const prewarming = waiting.prewarm.findIndex((job) => job.key === key);
    if (turn === 'asked' && prewarming >= 0) waiting.asked.push(...waiting.prewarm.splice(prewarming, 1));
    return known;
  }
  const result = new Promise<T>((resolve, reject) => {
    waiting[turn].push({ key, run: () => work().then(resolve, reject) });
  });
  results.set(key, result);
  void workInTurn();
  return result;
}

function templateOf(
  plan: DrPlan,
  account: string | null,
  turn: keyof typeof waiting = 'asked',
): Promise<CloudFormationTemplate> {
  // What a template depends on besides the code: the plan, and the account the stack is pinned to.
  return once(
    JSON.stringify({ plan, account }),
    async () => {
      if (account === null) delete process.env.CDK_DEFAULT_ACCOUNT;
      else process.env.CDK_DEFAULT_ACCOUNT = account;
      return (await synthesizeRunbook({ plan })).template;
    },
    turn,
  );
}

/**
 * Every example with CloudFormation validation and cdk-nag on (test/infra/nag.part.ts), one job
 * per example: a template a test asks for meanwhile waits for one example's check, not for all.
 */
async function checks(turn: keyof typeof waiting = 'asked'): Promise<ChecksFile> {
  const examples = await Promise.all(
    EXAMPLES.map(
      async (example) =>
        [example, await once(`check:${example}`, () => checkOneExample(example), turn)] as const,
    ),
  );
  const canary = await once('check:canary', checkCanaryStack, turn);
  return { examples: Object.fromEntries(examples), canary };
}

function prewarm(): void {
  const account = process.env.CDK_DEFAULT_ACCOUNT ?? null;
  const plans = [...EXAMPLES.map((example) => examplePlan(example)), ...BIGGEST_PLAN_KINDS.map(biggestPlan)];
  // A plan that does not synthesize is the business of the test that asks for it.
  for (const plan of plans) templateOf(plan, account, 'prewarm').catch(() => undefined);
}

// ---- moto, one per Jest worker

const motos = new Map<string, Promise<RunningMoto>>();
let command: MotoCommand | undefined;

function motoOf(worker: string): Promise<RunningMoto> {
  let moto = motos.get(worker);
  if (!moto) {
    moto = Promise.resolve().then(() => {
      command ??= findMoto();
      return startMoto({ command });
    });
    motos.set(worker, moto);
  }
  return moto;
}

async function stopAndExit(): Promise<never> {
  await Promise.allSettled([...motos.values()].map(async (moto) => (await moto).stop()));
  process.exit(0);
}

// ---- the server

async function body(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

async function answer(request: IncomingMessage, response: ServerResponse): Promise<void> {
  const url = request.url ?? '';
  const worker = /^\/moto\/(\d+)$/.exec(url)?.[1];
  try {
    if (request.method === 'POST' && url === '/template') {
      const { plan, account } = JSON.parse(await body(request)) as { plan: DrPlan; account: string | null };
      let template: CloudFormationTemplate;
      try {
        template = await templateOf(plan, account);
      } catch (error) {
        response.writeHead(422, { 'content-type': 'text/plain' }).end((error as Error).message);
        return;
      }
      response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(template));
    } else if (request.method === 'GET' && url === '/checks') {
      response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(await checks()));
    } else if (request.method === 'GET' && worker) {
      const moto = await motoOf(worker);
      response.writeHead(200, { 'content-type': 'text/plain' }).end(moto.endpoint);
    } else {
      response
        .writeHead(404, { 'content-type': 'text/plain' })
        .end(`no such service: ${request.method} ${url}`);
    }
  } catch (error) {
    response.writeHead(500, { 'content-type': 'text/plain' }).end(String((error as Error).stack ?? error));
  }
}

const server = createServer((request, response) => void answer(request, response));
// Keep idle connections longer than any wait between a test's requests (fetch reuses them), so a
// request never meets a socket the server is closing.
server.keepAliveTimeout = 120_000;
server.listen(0, '127.0.0.1', () => {
  const address = server.address();
  process.stdout.write(
    `${JSON.stringify({ port: typeof address === 'object' && address ? address.port : 0 })}\n`,
  );
  for (let worker = 1; worker <= Number(values.motos ?? 0); worker += 1)
    motoOf(String(worker)).catch(() => undefined);
  if (values.prewarm) prewarm();
  if (values.checks) checks('prewarm').catch(() => undefined);
});
process.stdin.on('end', () => void stopAndExit());
process.stdin.resume();
process.once('SIGTERM', () => void stopAndExit());
