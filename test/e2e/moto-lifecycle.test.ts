// Whatever happens, a moto server started by dr-runbook does not outlive it.
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from '@jest/globals';
import { findMoto, MotoNotFoundError, startMoto } from '../../local/moto-server.ts';

const BIN = fileURLToPath(new URL('../../cli/bin.js', import.meta.url));

async function serving(endpoint: string): Promise<boolean> {
  try {
    await fetch(`${endpoint}/moto-api/`, { signal: AbortSignal.timeout(1000) });
    return true;
  } catch {
    return false;
  }
}

describe('moto server lifecycle', () => {
  it('serves on a loopback port until stopped, and stopping twice is harmless', async () => {
    const moto = await startMoto();
    expect(moto.endpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(await serving(moto.endpoint)).toBe(true);
    await moto.stop();
    await moto.stop();
    expect(await serving(moto.endpoint)).toBe(false);
  }, 30_000);

  it('says how to install moto when it cannot be found', () => {
    expect(() =>
      findMoto({ PATH: '/nonexistent', PYENV_ROOT: '/nonexistent', MOTO_SERVER: '/nonexistent/moto' }),
    ).toThrow(MotoNotFoundError);
    expect(() => findMoto({ PATH: '/nonexistent', PYENV_ROOT: '/nonexistent' })).toThrow(
      /pip install "moto\[server\]"/,
    );
  });

  it('takes a moto_server executable as found, and a broken one fails to start with what it said', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'dr-runbook-moto-'));
    const broken = join(dir, 'moto_server');
    writeFileSync(broken, '#!/bin/sh\necho "pyenv: moto_server: command not found" >&2\nexit 127\n', {
      mode: 0o755,
    });
    const command = findMoto({ PATH: '/nonexistent', PYENV_ROOT: '/nonexistent', MOTO_SERVER: broken });

    expect(command).toEqual({ command: broken, args: [] });
    await expect(startMoto({ command })).rejects.toThrow(
      /moto server exited before serving .*moto said: pyenv: moto_server: command not found/,
    );
  }, 30_000);

  it('is stopped when the user presses Ctrl-C during a simulation', async () => {
    const child = spawn(process.execPath, [BIN, 'simulate'], { stdio: ['ignore', 'pipe', 'pipe'] });
    const endpoint = await new Promise<string>((resolve, reject) => {
      let out = '';
      child.stdout.on('data', (chunk: Buffer) => {
        out += chunk.toString();
        const match = /Emulator: (http:\/\/127\.0\.0\.1:\d+)/.exec(out);
        if (match?.[1]) resolve(match[1]);
      });
      child.once('exit', () => reject(new Error(`simulate exited before starting moto: ${out}`)));
    });
    expect(await serving(endpoint)).toBe(true);
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    child.kill('SIGINT');
    expect(await exited).toBe(130);
    expect(await serving(endpoint)).toBe(false);
  }, 60_000);
});
