import { getContainerRuntimeClient } from 'testcontainers';

/**
 * Whether testcontainers can reach a container engine (Docker or Podman), and if not, why:
 * tests that need one report themselves skipped with this reason instead of failing.
 */
export async function containerEngine(): Promise<{ readonly available: boolean; readonly reason: string }> {
  try {
    const client = await getContainerRuntimeClient();
    return { available: true, reason: `container engine ${client.info.containerRuntime.host}` };
  } catch (error) {
    return { available: false, reason: `no container engine (${error instanceof Error ? error.message.split('\n')[0] : String(error)})` };
  }
}
