// Graph failures as named classes. Transient (retried by Temporal): the network, Graph or Entra unavailable, throttling
// (429, with Graph's Retry-After), a key not yet visible after a write (Graph replicates). Permanent: credentials Entra
// refuses, a permission the worker lacks (named), an application that does not exist or is not visible, output that
// is not what Graph documents. Messages never carry a secret, a token or a request body.

export class GraphUnavailableError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'GraphUnavailableError';
  }
}

export class GraphThrottledError extends Error {
  constructor(
    message: string,
    /** Graph's Retry-After, when it said one. */
    readonly retryAfterMs: number | null,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'GraphThrottledError';
  }
}

export class HybridAppKeyNotVisibleError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'HybridAppKeyNotVisibleError';
  }
}

export class GraphAuthenticationError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'GraphAuthenticationError';
  }
}

export class GraphPermissionError extends Error {
  constructor(
    message: string,
    /** The least permission that would do. */
    readonly needed: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'GraphPermissionError';
  }
}

export class HybridAppNotFoundError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'HybridAppNotFoundError';
  }
}

export class GraphOutputSchemaError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'GraphOutputSchemaError';
  }
}

export { GRAPH_NON_RETRYABLE_ERROR_TYPES } from '../../common/failures';

export const GRAPH_RETRYABLE_ERROR_TYPES = [
  'GraphUnavailableError',
  'GraphThrottledError',
  'HybridAppKeyNotVisibleError',
  'HybridAppCertificateUnavailableError',
] as const;

export class GraphRequestRejectedError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'GraphRequestRejectedError';
  }
}

/** No server had the certificate to upload (retryable: replication may still bring it). */
export class HybridAppCertificateUnavailableError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'HybridAppCertificateUnavailableError';
  }
}

/** Removing this key would take the current or next Auth certificate off the hybrid application: refused. */
export class HybridAppKeyInUseError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'HybridAppKeyInUseError';
  }
}
