/** A pointer to the offending part of a request (RFC 6901) and what is wrong with it. */
export interface FieldError {
  readonly pointer: string;
  readonly message: string;
}

/**
 * Codes of domain errors. One error handler maps each to its HTTP status and problem type;
 * domain code never speaks HTTP.
 */
export type DomainErrorCode =
  | 'validation' // 400: the input is malformed
  | 'unauthenticated' // 401
  | 'forbidden' // 403
  | 'not_found' // 404
  | 'conflict' // 409: wrong expected revision, duplicate id
  | 'precondition_failed' // 412: If-Match did not match
  | 'illegal_state' // 422: valid input, not allowed in the current state
  | 'unavailable'; // 503: a dependency is down or a read model is behind

export class DomainError extends Error {
  constructor(
    readonly code: DomainErrorCode,
    message: string,
    readonly errors: readonly FieldError[] = [],
    /** A more specific problem type slug, e.g. `workflow-exists`, `projection-behind`. */
    readonly problem?: string,
  ) {
    super(message);
    this.name = 'DomainError';
  }
}

export const validationError = (errors: readonly FieldError[], message = 'The request is invalid.'): DomainError =>
  new DomainError('validation', message, errors);
