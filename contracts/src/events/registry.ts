import type { TSchema } from '@sinclair/typebox';

/** Converts event data from one schema version to the next. Must not mutate its input. */
export type Upcaster = (data: unknown) => unknown;

/** How one event type is written now and how its older versions are read. */
export interface EventDefinition {
  readonly type: string;
  /** The version new events of this type are written with (1 for a type never changed). */
  readonly schema_version: number;
  /** `upcasters[v]` turns version v into v + 1; one for every v below `schema_version`. */
  readonly upcasters?: Readonly<Record<number, Upcaster>>;
  /** Schema of the current version's data, for documentation and tests. */
  readonly data?: TSchema;
}

/** An event's schema version the registry cannot read: invalid, or newer than this code. */
export class EventSchemaVersionError extends Error {
  constructor(
    readonly type: string,
    readonly schema_version: unknown,
    message: string,
  ) {
    super(message);
    this.name = 'EventSchemaVersionError';
  }
}

export interface EventRegistry {
  /** Current schema version of a type, or undefined for a type nobody registered. */
  currentVersion(type: string): number | undefined;
  definition(type: string): EventDefinition | undefined;
  types(): readonly string[];
  /** Data in the current version's shape. Unknown types pass through unchanged. */
  upcast(type: string, schema_version: number, data: unknown): unknown;
}

function checkDefinition(definition: EventDefinition): void {
  const { type, schema_version: current, upcasters = {} } = definition;
  if (!Number.isInteger(current) || current < 1) throw new Error(`${type}: schema_version must be an integer >= 1`);
  for (let version = 1; version < current; version += 1) {
    if (typeof upcasters[version] !== 'function') throw new Error(`${type}: no upcaster from version ${version} to ${version + 1}`);
  }
  const stray = Object.keys(upcasters).map(Number).find((version) => !(version >= 1 && version < current));
  if (stray !== undefined) throw new Error(`${type}: upcaster from version ${stray} is outside 1..${current - 1}`);
}

/**
 * Builds a registry from the event definitions of every aggregate. Throws on a duplicate
 * type or a gap in an upcaster chain, so a mistake fails at start-up, not on a rare read.
 */
export function createEventRegistry(definitions: readonly EventDefinition[]): EventRegistry {
  const byType = new Map<string, EventDefinition>();
  for (const definition of definitions) {
    if (byType.has(definition.type)) throw new Error(`Event type ${definition.type} is registered twice`);
    checkDefinition(definition);
    byType.set(definition.type, definition);
  }
  return {
    currentVersion: (type) => byType.get(type)?.schema_version,
    definition: (type) => byType.get(type),
    types: () => [...byType.keys()],
    upcast(type, schema_version, data) {
      const definition = byType.get(type);
      if (definition === undefined) return data;
      const current = definition.schema_version;
      if (!Number.isInteger(schema_version) || schema_version < 1) {
        throw new EventSchemaVersionError(type, schema_version, `${type}: invalid schema version ${String(schema_version)}`);
      }
      if (schema_version > current) {
        throw new EventSchemaVersionError(type, schema_version, `${type} v${schema_version} is newer than this code reads (v${current})`);
      }
      let upcasted = data;
      for (let version = schema_version; version < current; version += 1) {
        const step = definition.upcasters?.[version];
        if (step !== undefined) upcasted = step(upcasted);
      }
      return upcasted;
    },
  };
}
