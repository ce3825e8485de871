import { Type } from '@sinclair/typebox';
import { DomainError, isValidId } from '@iwf/contracts';
import type { HttpApp } from '@iwf/platform/http/app';
import { principalOf } from '@iwf/platform/auth/plugin';
import { setLogPosition } from '@iwf/platform/http/positions';
import type { Engine } from '../engine/runtime/engine.js';
import { eventMetadataFor, ifMatchRevision } from '../http/request-context.js';
import { ProblemResponses } from '../http/schemas.js';

const ApprovalParams = Type.Object({ approval_id: Type.String({ maxLength: 128 }) });
const DecisionBody = Type.Union([Type.Object({ comment: Type.Optional(Type.String({ maxLength: 4000 })) }, { additionalProperties: false }), Type.Null()]);
const DecisionAnswer = Type.Object({
  approval_id: Type.String(),
  status: Type.String(),
  decided_by: Type.Union([Type.String(), Type.Null()]),
  revision: Type.Integer(),
  position: Type.Union([Type.String(), Type.Null()]),
});

/**
 * Approve or reject. The approval decider checks the principal: its `approver_role` among
 * the roles, or admin (else 403); a decided or expired approval is a 422. A decision also
 * ingests `approval.approved|rejected` and resumes the execution an approval step blocks;
 * the answer's position covers those appends too.
 */
export function registerApprovalRoutes(app: HttpApp, engine: Engine): void {
  for (const [path, approve] of [['approve', true], ['reject', false]] as const) {
    app.post(
      `/api/v1/approvals/:approval_id/${path}`,
      {
        config: { permission: 'approvals:decide' },
        schema: {
          tags: ['approvals'],
          summary: approve ? 'Approve a pending approval' : 'Reject a pending approval',
          params: ApprovalParams,
          body: Type.Optional(DecisionBody),
          response: { 200: DecisionAnswer, ...ProblemResponses },
        },
      },
      async (request, reply) => {
        const principal = principalOf(request);
        const { approval_id } = request.params;
        if (!isValidId(approval_id)) throw new DomainError('not_found', 'The approval does not exist.');
        const ifMatch = ifMatchRevision(request);
        const metadata = eventMetadataFor(request);
        const actor = { actor: metadata.actor, correlation_id: metadata.correlation_id, causation_id: metadata.causation_id, traceparent: metadata.traceparent };
        const outcome = await engine.approvals.decide(principal.tenant, approval_id, principal, approve, request.body?.comment ?? null, actor, ifMatch);
        const { state } = outcome;
        if (state.status === 'absent') throw new DomainError('not_found', 'The approval does not exist.');
        return reply.send({ approval_id, status: state.status, decided_by: state.decided_by, revision: outcome.revision, position: setLogPosition(reply, outcome.position) });
      },
    );
  }
}
