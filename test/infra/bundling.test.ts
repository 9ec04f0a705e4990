// How the Lambda bundles are built (infra/bundling): the SDK schema-key rewrite changes no value,
// and it is what lets esbuild drop the shapes a step never sends or receives.
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from '@jest/globals';
import { build } from 'esbuild';
import { functionBuildOptions, PROJECT_ROOT } from '../../infra/bundling/function-build.ts';
import { LocalFunctionBundling } from '../../infra/bundling/function-code.ts';
import {
  inlineSchemaKeys,
  inlineSchemaKeysPlugin,
  SCHEMA_MODULE,
} from '../../infra/bundling/inline-schema-keys.ts';

const outdir = mkdtempSync(join(tmpdir(), 'dr-runbook-bundling-'));
afterAll(() => rmSync(outdir, { recursive: true, force: true }));

describe('inlineSchemaKeys', () => {
  const source = [
    'const _xN = "xmlName";',
    'const _m = "Min";',
    'export var A$ = [3, n0, _A, 0, [_m, _xN], [[1, { [_xN]: `Min`, [_other]: 1 }]]];',
  ].join('\n');

  it('writes out each computed key that names a string constant of the module', () => {
    expect(inlineSchemaKeys(source)).toContain('{ "xmlName": `Min`, [_other]: 1 }');
  });

  it('leaves array elements and keys naming anything else as they were', () => {
    expect(inlineSchemaKeys(source)).toContain('[_m, _xN]');
    expect(inlineSchemaKeys(source)).toContain('[_other]: 1');
  });

  it('applies to the SDK schema modules only', () => {
    expect(SCHEMA_MODULE.test('/p/node_modules/@aws-sdk/client-ec2/dist-es/schemas/schemas_0.js')).toBe(true);
    expect(
      SCHEMA_MODULE.test('C:\\p\\node_modules\\@aws-sdk\\client-rds\\dist-es\\schemas\\schemas_12.js'),
    ).toBe(true);
    expect(
      SCHEMA_MODULE.test('/p/node_modules/@aws-sdk/client-ec2/dist-es/commands/RunInstancesCommand.js'),
    ).toBe(false);
  });
});

/** Every installed SDK client's schema modules. */
const SCHEMA_FILES = readdirSync(join(PROJECT_ROOT, 'node_modules/@aws-sdk'))
  .filter((name) => name.startsWith('client-'))
  .flatMap((client) => {
    const dir = join(PROJECT_ROOT, 'node_modules/@aws-sdk', client, 'dist-es/schemas');
    return readdirSync(dir).map((file) => join(dir, file));
  });

/** The module's exports, bundled whole with or without the rewrite, imported. */
async function schemaExports(file: string, rewrite: boolean): Promise<Record<string, unknown>> {
  const outfile = join(outdir, `${file.replace(/\W+/g, '-')}-${rewrite}.mjs`);
  await build({
    stdin: { contents: `export * from ${JSON.stringify(file)};`, resolveDir: PROJECT_ROOT },
    outfile,
    bundle: true,
    format: 'esm',
    platform: 'node',
    mainFields: ['module', 'main'],
    plugins: rewrite ? [inlineSchemaKeysPlugin] : [],
    logLevel: 'silent',
  });
  return (await import(pathToFileURL(outfile).href)) as Record<string, unknown>;
}

/** Source text of a function: a class declaration starts with `class`. */
const isClass = (fn: object) => /^class\b/.test(Function.prototype.toString.call(fn));

/** A schema value as data: a thunk (`() => X$`) by the export it returns, classes by name. */
function describeValue(value: unknown, exportNames: Map<unknown, string>, top = true): unknown {
  if (!top && exportNames.has(value)) return `→${exportNames.get(value)}`;
  if (typeof value === 'function') {
    if (isClass(value)) return `class ${value.name}`;
    const thunk = value as () => unknown;
    return thunk.length === 0
      ? { thunk: describeValue(thunk(), exportNames, false) }
      : `function ${value.name}`;
  }
  if (Array.isArray(value)) return value.map((item) => describeValue(item, exportNames, false));
  if (value && typeof value === 'object') {
    if (Object.getPrototypeOf(value) !== Object.prototype) return `instance of ${value.constructor.name}`;
    return Object.fromEntries(
      Object.entries(value).map(([key, item]) => [key, describeValue(item, exportNames, false)]),
    );
  }
  return value;
}

function describeModule(exports: Record<string, unknown>): Record<string, unknown> {
  const names = new Map(Object.entries(exports).map(([name, value]) => [value, name]));
  return Object.fromEntries(
    Object.entries(exports).map(([name, value]) => [name, describeValue(value, names)]),
  );
}

/** A described module as text, `undefined` kept apart from `null`. */
const asText = (described: unknown) =>
  JSON.stringify(described, (_key, value: unknown) => (value === undefined ? '\u0000undefined' : value));

describe('the schema-key rewrite', () => {
  it('finds schema modules to check', () => {
    expect(SCHEMA_FILES.length).toBeGreaterThanOrEqual(8);
  });

  it.each(SCHEMA_FILES.map((file) => [file.replace(/.*node_modules\//, ''), file]))(
    'leaves every export of %s equal',
    async (_name, file) => {
      const [original, rewritten] = await Promise.all([
        schemaExports(file, false),
        schemaExports(file, true),
      ]);
      expect(Object.keys(rewritten).length).toBeGreaterThan(0);
      const [after, before] = [describeModule(rewritten), describeModule(original)];
      // Compared as text first (toEqual on the EC2 schemas alone takes seconds); toEqual, for its diff,
      // only when the texts differ.
      if (asText(after) !== asText(before)) expect(after).toEqual(before);
    },
    30_000,
  );

  it('lets the compute bundle drop the EC2 shapes it never uses', async () => {
    const result = await build({ ...functionBuildOptions('compute', join(outdir, 'compute')), write: false });
    const bundle = result.outputFiles?.find((file) => file.path.endsWith('index.mjs'))?.text ?? '';
    expect(bundle).toContain('DescribeImagesRequest');
    expect(bundle).toContain('CreateLaunchTemplateVersionRequest');
    expect(bundle).not.toContain('RunInstancesRequest');
    expect(bundle).not.toContain('CreateVpcPeeringConnectionRequest');
  }, 30_000);
});

describe('CDK local bundling', () => {
  it('writes the family handler as one ES module with its source map, as cdk synth asks', () => {
    const assetDir = mkdtempSync(join(outdir, 'asset-'));
    expect(new LocalFunctionBundling('traffic').tryBundle(assetDir)).toBe(true);
    expect(readFileSync(join(assetDir, 'index.mjs'), 'utf8')).toMatch(/export\s*\{[^}]*\bhandler\b/);
    expect(existsSync(join(assetDir, 'index.mjs.map'))).toBe(true);
  }, 30_000);

  it('fails the synth with the bundler output when a handler does not build', () => {
    const bundling = new LocalFunctionBundling('no-such-family');
    expect(() => bundling.tryBundle(mkdtempSync(join(outdir, 'asset-')))).toThrow(
      /bundling functions\/no-such-family\/handler\.ts failed \(exit 1\):[\s\S]*Could not resolve/,
    );
  }, 30_000);
});
