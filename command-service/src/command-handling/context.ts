import { currentSchemaVersion, upcastRecorded, type EventMetadata } from '@iwf/contracts';
import type { CommandServiceDeps } from '../deps.js';
import type { CommandContext } from './handle-command.js';

export function commandContext(deps: CommandServiceDeps, metadata: EventMetadata): CommandContext {
  return {
    store: deps.store,
    metadata,
    newEventId: deps.newId,
    schemaVersionOf: currentSchemaVersion,
    upcast: upcastRecorded,
  };
}
