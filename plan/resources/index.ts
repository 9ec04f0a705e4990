// Every resource type a plan may name, and the family whose Lambda runs it. A new type is a
// schema in its family's file here and an implementation in functions/<family>/types/.
import * as z from '../zod.ts';
import { COMPUTE_TYPES } from './compute.ts';
import { DATABASE_TYPES } from './database.ts';
import { HOOK_TYPES } from './hook.ts';
import { TRAFFIC_TYPES } from './traffic.ts';

const typeName = (schema: { shape: { type: { def: { values: readonly unknown[] } } } }) =>
  String(schema.shape.type.def.values[0]);

export const RESOURCE_FAMILIES = ['database', 'compute', 'traffic', 'hook'] as const;
export type ResourceFamily = (typeof RESOURCE_FAMILIES)[number];

const BY_FAMILY = {
  database: DATABASE_TYPES,
  compute: COMPUTE_TYPES,
  traffic: TRAFFIC_TYPES,
  hook: HOOK_TYPES,
} as const;

/** Resource type → family, e.g. "rds-read-replica" → "database". */
export const FAMILY_OF_TYPE: Record<string, ResourceFamily> = Object.fromEntries(
  RESOURCE_FAMILIES.flatMap((family) => BY_FAMILY[family].map((schema) => [typeName(schema), family])),
);

export const RESOURCE_TYPES = Object.keys(FAMILY_OF_TYPE);

export const resourceSchema = z.discriminatedUnion(
  'type',
  [...DATABASE_TYPES, ...COMPUTE_TYPES, ...TRAFFIC_TYPES, ...HOOK_TYPES],
  { error: `must be one of ${RESOURCE_TYPES.map((t) => `"${t}"`).join(', ')}` },
);

export type Resource = z.output<typeof resourceSchema>;
export type ResourceType = Resource['type'];
export type ResourceOfType<T extends ResourceType> = Extract<Resource, { type: T }>;
/** The resources of one family, e.g. ResourceIn<'database'>. */
export type ResourceIn<F extends ResourceFamily> = z.output<(typeof BY_FAMILY)[F][number]>;

export function familyOf(resource: Pick<Resource, 'type'>): ResourceFamily {
  const family = FAMILY_OF_TYPE[resource.type];
  if (!family) throw new Error(`unknown resource type "${resource.type}"`);
  return family;
}
