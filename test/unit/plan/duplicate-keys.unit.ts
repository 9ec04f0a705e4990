import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { duplicateKeys } from '../../../plan/duplicate-keys.ts';
import { loadPlanFile } from '../../../plan/load.ts';
import { examplesDir } from '../../fixtures.ts';

describe('duplicate-keys', () => {
  describe('duplicateKeys', () => {
    it('finds nothing in JSON without repeated keys, including every example plan', () => {
      expect(duplicateKeys('{"a": 1, "b": {"a": 2}, "c": [{"a": 3}, {"a": 4}]}')).toEqual([]);
      for (const name of ['active-active', 'backup-restore', 'multi-tier', 'pilot-light', 'warm-standby']) {
        expect(duplicateKeys(readFileSync(`${examplesDir}${name}.json`, 'utf8'))).toEqual([]);
      }
    });

    it('names a key repeated at the top level', () => {
      expect(duplicateKeys('{"name": "shop", "resources": [], "name": "shop-2"}')).toEqual(['name']);
    });

    it('names a key repeated in a nested object by its path', () => {
      expect(
        duplicateKeys('{"regions": {"primary": "us-east-1", "recovery": "us-west-2", "primary": "x"}}'),
      ).toEqual(['regions.primary']);
    });

    it('names a key repeated in an object inside an array, with the array index', () => {
      const text = JSON.stringify({ resources: [{ id: 'db' }, { id: 'web', capacity: { min: 1 } }] }).replace(
        '"min":1',
        '"min":1,"max":2,"min":3',
      );
      expect(duplicateKeys(text)).toEqual(['resources[1].capacity.min']);
    });

    it('finds repeats in arrays of arrays and in several objects at once', () => {
      const text = '{"a": [[1, {"x": 1, "x": 2}], []], "b": {}, "c": {"y": 0, "y": 0}, "c": null}';
      expect(duplicateKeys(text)).toEqual(['a[0][1].x', 'c.y', 'c']);
    });

    it('names a key repeated three times twice (each repeat)', () => {
      expect(duplicateKeys('{"k": 1, "k": 2, "k": 3}')).toEqual(['k', 'k']);
    });

    it('is not fooled by quotes, braces, commas and colons inside strings', () => {
      const text = String.raw`{"a\"b": "x\", \"a\\\"b\": {", "c": "}]", "d": "\\", "a\"b": 2}`;
      expect(() => JSON.parse(text)).not.toThrow();
      expect(duplicateKeys(text)).toEqual(['a"b']);
    });

    it('compares keys after unescaping ("\\u0061" is "a")', () => {
      expect(duplicateKeys('{"a": 1, "\\u0061": 2}')).toEqual(['a']);
    });

    it('skips numbers, booleans, null and whitespace of every kind', () => {
      const text = '{\n\t"n": -1.5e3,\r\n "t": true , "f" :false, "z": null,\n "n": 0 }';
      expect(duplicateKeys(text)).toEqual(['n']);
    });

    it('treats the same key in two sibling objects as no repeat', () => {
      expect(duplicateKeys('[{"id": "db"}, {"id": "db"}]')).toEqual([]);
    });
  });

  describe('loadPlanFile with a repeated key', () => {
    const dir = mkdtempSync(join(tmpdir(), 'dr-runbook-duplicate-keys-'));

    it('rejects the plan as invalid, naming each path that appears twice', async () => {
      const text = readFileSync(`${examplesDir}warm-standby.json`, 'utf8').replace(
        '"desired": 4,',
        '"desired": 4,\n        "desired": 40,',
      );
      const file = join(dir, 'repeated.json');
      writeFileSync(file, text);

      expect(await loadPlanFile(file)).toEqual({
        ok: false,
        reason: 'invalid',
        problems: [
          'resources[1].capacity.desired: appears twice in the same object (JSON keeps only the last): remove one of them',
        ],
      });
    });

    it('reports the repeat even when the last value alone would be valid', async () => {
      // JSON.parse keeps the second "resources": without the scan, the first would vanish silently.
      const original = JSON.parse(readFileSync(`${examplesDir}warm-standby.json`, 'utf8')) as Record<
        string,
        unknown
      >;
      const text = JSON.stringify(original).replace(
        /^\{/,
        `{"resources": ${JSON.stringify(original.resources)},`,
      );
      const file = join(dir, 'resources-twice.json');
      writeFileSync(file, text);

      const result = await loadPlanFile(file);
      expect(result).toMatchObject({ ok: false, reason: 'invalid' });
      expect(result.ok ? [] : result.problems).toEqual([
        'resources: appears twice in the same object (JSON keeps only the last): remove one of them',
      ]);
    });

    it('still calls JSON that does not parse unreadable, before looking for repeats', async () => {
      const file = join(dir, 'broken.json');
      writeFileSync(file, '{"name": "shop", "name": ');
      expect(await loadPlanFile(file)).toMatchObject({ ok: false, reason: 'unreadable' });
    });
  });
});
