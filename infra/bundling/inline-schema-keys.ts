// The AWS SDK's generated schema modules (dist-es/schemas/schemas_N.js) declare every shape of a
// service as a top-level array, and write trait objects with computed keys: `{ [_xN]: _m }`, where
// `_xN` is a string constant of the same module. esbuild must assume a computed key may run code
// (a key object's toString), so it keeps every shape: @aws-sdk/client-ec2 adds 540 KiB to a bundle
// that sends one command (aws/aws-sdk-js-v3#7607). Replacing each such key by the string it names
// makes the shapes side-effect free again, so unused ones are tree-shaken; the values are unchanged.
import { readFile } from 'node:fs/promises';
import type { Plugin } from 'esbuild';

/** Paths of the SDK's schema modules, on any OS. */
export const SCHEMA_MODULE = /@aws-sdk[\\/][^\\/]+[\\/]dist-es[\\/]schemas[\\/]schemas_\d+\.js$/;

const STRING_CONSTANT = /^const (_\w+) = ("[^"\\\n]*");$/gm;
const COMPUTED_KEY = /\[(_\w+)\]:/g;

/** `source` with every computed key that names one of its top-level string constants written out. */
export function inlineSchemaKeys(source: string): string {
  const constants = new Map<string, string>();
  for (const [, name, literal] of source.matchAll(STRING_CONSTANT))
    constants.set(name as string, literal as string);
  return source.replace(COMPUTED_KEY, (key, name: string) => {
    const literal = constants.get(name);
    return literal === undefined ? key : `${literal}:`;
  });
}

/** esbuild plugin applying inlineSchemaKeys to the SDK's schema modules. */
export const inlineSchemaKeysPlugin: Plugin = {
  name: 'inline-aws-sdk-schema-keys',
  setup(build) {
    build.onLoad({ filter: SCHEMA_MODULE }, async ({ path }) => ({
      contents: inlineSchemaKeys(await readFile(path, 'utf8')),
      loader: 'js',
    }));
  },
};
