import pg from 'pg';
import { CHANNEL } from './notifier.js';

export const LISTENER_APPLICATION_NAME = 'iwf-event-listener';

const RECONNECT_MIN_MS = 100;
const RECONNECT_MAX_MS = 5_000;

export interface ListenerOptions {
  readonly client: pg.ClientConfig;
  /** Called on every notification and after each (re)connect, since notifications sent while disconnected are lost. */
  readonly onWake: () => void;
  readonly onError: (error: unknown) => void;
}

/** A dedicated connection that LISTENs for appends from other processes and reconnects when it drops. */
export interface Listener {
  stop(): Promise<void>;
}

export function startListener(options: ListenerOptions): Listener {
  let stopped = false;
  let client: pg.Client | undefined;
  let retry: NodeJS.Timeout | undefined;
  let delay = RECONNECT_MIN_MS;

  const scheduleReconnect = (): void => {
    if (stopped || retry) return;
    retry = setTimeout(() => {
      retry = undefined;
      void connect();
    }, delay);
    delay = Math.min(delay * 2, RECONNECT_MAX_MS);
  };

  const connect = async (): Promise<void> => {
    const current = new pg.Client({ ...options.client, application_name: LISTENER_APPLICATION_NAME });
    client = current;
    let gone = false;
    const lost = (error?: unknown): void => {
      if (error !== undefined && !stopped) options.onError(error);
      if (gone) return;
      gone = true;
      if (client === current) client = undefined;
      void current.end().catch(() => undefined);
      scheduleReconnect();
    };
    current.on('notification', () => options.onWake());
    current.on('error', lost);
    current.on('end', () => lost());
    try {
      await current.connect();
      await current.query(`LISTEN ${CHANNEL}`);
      if (stopped) return void (await current.end());
      delay = RECONNECT_MIN_MS;
      options.onWake();
    } catch (error) {
      lost(error);
    }
  };

  void connect();

  return {
    async stop() {
      stopped = true;
      clearTimeout(retry);
      const current = client;
      client = undefined;
      await current?.end().catch(() => undefined);
    },
  };
}
