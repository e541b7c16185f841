// The rotation's input, status and report. Placeholder shapes: the workflow's owner refines them.
export type RotationPhase =
  | 'validating'
  | 'inspecting'
  | 'planning'
  | 'generating'
  | 'staging'
  | 'replicating'
  | 'waiting-for-effective-date'
  | 'publishing'
  | 'recycling'
  | 'verifying-sign-in'
  | 'awaiting-hcw'
  | 'done'
  | 'failed';

export interface RotationStatus {
  organization: string;
  phase: RotationPhase;
}
