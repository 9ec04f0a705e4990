// Starts a moto server (an independent AWS emulator) on a free loopback port and always stops it:
// on success, on failure, on Ctrl-C. Says exactly how to install moto when it cannot be found.
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { createServer } from 'node:net';
import { homedir } from 'node:os';
import { delimiter, join } from 'node:path';

export const MOTO_INSTALL_HINT =
  'install it with: pip install "moto[server]" (or pipx install "moto[server]"), ' +
  'or start one yourself and pass --endpoint http://127.0.0.1:PORT';

export class MotoNotFoundError extends Error {
  constructor(tried: string[]) {
    super(`no moto server found (tried ${tried.join(', ')}): ${MOTO_INSTALL_HINT}`);
    this.name = 'MotoNotFoundError';
  }
}

/** How to start moto: a moto_server executable, or a Python that can import moto. */
export interface MotoCommand {
  readonly command: string;
  readonly args: string[];
}

/** Whether `command` is an executable file, as given (a path) or found on PATH. */
function isExecutable(command: string, env: NodeJS.ProcessEnv): boolean {
  const paths = command.includes('/')
    ? [command]
    : (env.PATH ?? '').split(delimiter).map((dir) => join(dir, command));
  return paths.some((path) => {
    try {
      accessSync(path, constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}

/** Whether this Python can import moto (found, not imported: importing it takes most of a second). */
function hasMoto(python: string, env: NodeJS.ProcessEnv): boolean {
  const probe = "import importlib.util, sys; sys.exit(importlib.util.find_spec('moto') is None)";
  return spawnSync(python, ['-c', probe], { stdio: 'ignore', timeout: 20_000, env }).status === 0;
}

/**
 * Finds moto: a moto_server executable (MOTO_SERVER, on PATH, or a pyenv shim), else a Python that
 * has the moto module. An executable is taken as found; one that cannot serve fails startMoto with
 * what it printed.
 */
export function findMoto(env: NodeJS.ProcessEnv = process.env): MotoCommand {
  const tried: string[] = [];
  const executables: string[] = [];
  if (env.MOTO_SERVER) executables.push(env.MOTO_SERVER);
  executables.push('moto_server', join(env.PYENV_ROOT ?? join(homedir(), '.pyenv'), 'shims', 'moto_server'));
  for (const executable of executables) {
    tried.push(executable);
    if (isExecutable(executable, env)) return { command: executable, args: [] };
  }
  for (const python of ['python3', 'python']) {
    tried.push(`${python} -m moto.server`);
    if (hasMoto(python, env)) return { command: python, args: ['-m', 'moto.server'] };
  }
  throw new MotoNotFoundError(tried);
}

/** A free TCP port on the loopback interface. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

export interface RunningMoto {
  readonly endpoint: string;
  /** Stops the server (idempotent); resolves once the process has exited. */
  stop(): Promise<void>;
}

/** Whether a moto server answers at this endpoint (its /moto-api/ page). */
export async function answersAsMoto(endpoint: string, timeoutMs = 1000): Promise<boolean> {
  try {
    const response = await fetch(`${endpoint}/moto-api/`, { signal: AbortSignal.timeout(timeoutMs) });
    return response.ok;
  } catch {
    return false;
  }
}

async function waitUntilServing(endpoint: string, child: ChildProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let exited = false;
  child.once('exit', () => {
    exited = true;
  });
  while (Date.now() < deadline) {
    if (exited) throw new Error(`moto server exited before serving on ${endpoint}`);
    if (await answersAsMoto(endpoint)) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`moto server did not answer on ${endpoint} within ${timeoutMs / 1000} s`);
}

const running = new Set<RunningMoto>();
let exitHooksInstalled = false;

/** Stops every server this process started, also on Ctrl-C and on termination. */
function installExitHooks(): void {
  if (exitHooksInstalled) return;
  exitHooksInstalled = true;
  const stopAllNow = () => {
    for (const moto of running) void moto.stop();
  };
  process.once('exit', stopAllNow);
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.once(signal, () => {
      stopAllNow();
      process.exit(signal === 'SIGINT' ? 130 : 143);
    });
  }
}

export async function startMoto(
  options: { command?: MotoCommand; timeoutMs?: number } = {},
): Promise<RunningMoto> {
  const command = options.command ?? findMoto();
  const port = await freePort();
  const endpoint = `http://127.0.0.1:${port}`;
  // Its own process group, so stopping it also stops anything it started (a pyenv shim wraps python).
  const child = spawn(command.command, [...command.args, '-H', '127.0.0.1', '-p', String(port)], {
    stdio: ['ignore', 'ignore', 'pipe'],
    detached: true,
    // Without its ~1,200 stock images, moto sets up EC2 in a region (after every reset) in ~10 ms
    // instead of ~100 ms; the seeded environment registers the images it needs (local/seed.ts).
    env: { MOTO_EC2_LOAD_DEFAULT_AMIS: 'false', ...process.env },
  });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4000);
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  let stopped = false;
  const moto: RunningMoto = {
    endpoint,
    async stop() {
      if (!stopped) {
        stopped = true;
        running.delete(moto);
        try {
          if (child.pid !== undefined) process.kill(-child.pid, 'SIGTERM');
        } catch {
          // already gone
        }
        const killLater = setTimeout(() => {
          try {
            if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
          } catch {
            // already gone
          }
        }, 3000);
        await exited;
        clearTimeout(killLater);
      }
      await exited;
    },
  };
  running.add(moto);
  installExitHooks();
  try {
    await waitUntilServing(endpoint, child, options.timeoutMs ?? 30_000);
  } catch (error) {
    await moto.stop();
    throw new Error(
      `${(error as Error).message}${stderr ? `; moto said: ${stderr.trim().split('\n').slice(-3).join(' | ')}` : ''}`,
    );
  }
  return moto;
}
