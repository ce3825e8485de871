/** Who is asking: the actor, the tenant everything they see is scoped to, and their roles. */
export interface Principal {
  readonly actor: string;
  readonly tenant: string;
  readonly roles: readonly string[];
}

export const ROLES = ['admin', 'workflow_manager', 'workflow_viewer', 'approver', 'agent'] as const;
export type Role = (typeof ROLES)[number];
