// Failure types the workflow's retry policies name. The Exchange ones mirror activities/powershell/errors.ts (a test
// keeps them equal); workflows cannot import that file, so the names are repeated here once, as data.

/** Permanent failures of the PowerShell layer: retrying cannot help. */
export const EXCHANGE_NON_RETRYABLE_ERROR_TYPES = [
  'CertificateNotFoundError',
  'AccessDeniedError',
  'CommandNotFoundError',
  'ParameterNotFoundError',
  'ParameterBindingError',
  'InvalidEffectiveDateError',
  'NoMatchingEventsError',
  'ShellConfigurationError',
  'OutputSchemaError',
  'CatalogueError',
] as const;

/** Failures the rotation's own activities raise (classes in activities/errors.ts). */
export const ROTATION_ERROR_TYPES = {
  /** The workflow input failed validation: fails the run at once. */
  invalidInput: 'InvalidRotationInput',
  /** No server of the organisation answered: nothing can be created or checked. */
  noReachableServer: 'NoReachableServerError',
  /** Set-AuthConfig ran but AuthConfig does not show the thumbprint afterwards. */
  stagingNotConfirmed: 'StagingNotConfirmedError',
  /** -PublishCertificate needs the next certificate on every server; some lack it (retryable: replication continues). */
  nextCertificateNotEverywhere: 'NextCertificateNotEverywhereError',
  /** The certificate to copy is not on the source server. */
  copySourceMissing: 'CopySourceMissingError',
  /** A notification could not be delivered (webhook down): retried, never fatal to the rotation. */
  notificationFailed: 'NotificationFailedError',
  /** The webhook refused the notification (HTTP 4xx but 408/429: wrong URL, deleted hook, body it rejects). */
  notificationRejected: 'NotificationRejectedError',
} as const;

/** Rotation errors that must not be retried. */
export const ROTATION_NON_RETRYABLE_ERROR_TYPES = [
  ROTATION_ERROR_TYPES.invalidInput,
  ROTATION_ERROR_TYPES.noReachableServer,
  ROTATION_ERROR_TYPES.copySourceMissing,
  ROTATION_ERROR_TYPES.notificationRejected,
] as const;

/**
 * Permanent failures of the Graph boundary (classes in activities/graph/errors.ts): Entra refuses the worker's
 * credentials, the worker lacks a permission, the hybrid application is not there (or not visible to it), or Graph
 * answered something it does not document.
 */
export const GRAPH_NON_RETRYABLE_ERROR_TYPES = [
  'GraphAuthenticationError',
  'GraphPermissionError',
  'HybridAppNotFoundError',
  'GraphOutputSchemaError',
  'GraphRequestRejectedError',
  'HybridAppKeyInUseError',
] as const;

export const NON_RETRYABLE_ERROR_TYPES: string[] = [
  ...EXCHANGE_NON_RETRYABLE_ERROR_TYPES,
  ...ROTATION_NON_RETRYABLE_ERROR_TYPES,
  ...GRAPH_NON_RETRYABLE_ERROR_TYPES,
];
