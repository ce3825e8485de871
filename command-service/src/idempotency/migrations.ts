import type { MigrationSet } from '@iwf/platform/db/migrations';

export const commandMigrations: MigrationSet = {
  schema: 'iwf_command',
  migrations: [
    {
      version: 1,
      name: 'idempotency keys',
      up: `
        CREATE TABLE iwf_command.idempotency_keys (
          tenant text NOT NULL,
          key text NOT NULL,
          fingerprint text NOT NULL,
          status integer,
          body jsonb,
          log_position text,
          created_at timestamptz NOT NULL DEFAULT now(),
          PRIMARY KEY (tenant, key)
        );
        CREATE INDEX idempotency_keys_created_at ON iwf_command.idempotency_keys (created_at);`,
      down: 'DROP TABLE iwf_command.idempotency_keys;',
    },
  ],
};
