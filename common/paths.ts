// The rotation's paths, declared once: each path is an ordered list of named steps with the condition under which a
// step is left out. The workflow runs these lists; plan mode reports them; the status shows where a run stands in them;
// docs/rotation.md is rendered from them (npm run docs). Pure: no workflow API, no I/O.
import { UPDATE_CERTIFICATE_SCRIPT } from './hybrid-app';
import { ECP_APP_POOL, OWA_APP_POOL, SERVICE_HOST_SERVICE } from './names';
import { isAuthAdminBlockedByChildDomain, serversMissingCurrent, serversMissingNext } from './policy/facts';
import type { DatePlan } from './policy/dates';
import { HOUR_MS } from './policy/findings';
import type { Finding } from './policy/findings';
import type { PathDecision } from './policy/path';
import type { OrganizationSnapshot, PlannedStep, RotationPath, RotationPhase } from './rotation';

export const STEP_IDS = [
  'enable-read-session',
  'import-missing',
  'reinspect',
  'adopt-staged',
  'generate',
  'import-first',
  'stage',
  'replicate',
  'hybrid-app-add',
  'wait-effective-date',
  'restart-service-host',
  'await-publication',
  'publish-now',
  'recycle',
  'sign-in',
  'confirm-events',
  'hybrid-app-remove',
  'hcw',
] as const;
export type StepId = (typeof STEP_IDS)[number];

/** What a step's title and skip condition may look at: the inspection, the decision, the input, the date planned. */
export interface PlanContext {
  snapshot: OrganizationSnapshot;
  decision: Pick<PathDecision, 'path' | 'publishStaged'>;
  input: {
    effectiveDateHours: number;
    restartServiceHostAfterEffectiveDate: boolean;
    probeMailbox?: string;
    hybridAppMargin: number;
    hybridAppGracePeriod: number;
  };
  /** The date plan of a planned path (rotate: the new date; resume: a moved date, or null when the staged one stands). */
  datePlan: (Omit<DatePlan, 'finding'> & { finding: Finding }) | null;
}

export interface StepDeclaration {
  id: StepId;
  phase: RotationPhase;
  /** The step in general, for the docs. */
  doc: string;
  /** When it is left out, for the docs. */
  skipDoc?: string;
  /** The step for this organisation, for the plan and the status. */
  title(ctx: PlanContext): string;
  /** Why it is left out for this organisation, or null when it runs. */
  skip?(ctx: PlanContext): string | null;
}

const emergency = (ctx: PlanContext) => ctx.decision.path === 'replace-now';
const staged = (ctx: PlanContext) => ctx.snapshot.authConfig.nextCertificateThumbprint;
/** The dedicated hybrid application's appId, when the organisation uses it. */
export const dedicatedHybridApp = (snapshot: OrganizationSnapshot): string | null =>
  snapshot.hybrid && snapshot.hybridApp?.detected ? snapshot.hybridApp.appId : null;
const notDedicated = 'the organisation does not use the dedicated Exchange hybrid application';
const hours = (ms: number) => `${Math.round((ms / HOUR_MS) * 10) / 10} hours`;
const restartWanted = (ctx: PlanContext) =>
  emergency(ctx) || ctx.input.restartServiceHostAfterEffectiveDate || ctx.datePlan?.restartAtDate === true;

/** The application by its id in a title; a skipped step's title has none to name. */
function hybridAppName(ctx: PlanContext): string {
  const app = dedicatedHybridApp(ctx.snapshot);
  return app === null ? 'dedicated hybrid application' : `dedicated hybrid application ${app}`;
}

export const STEPS: Record<StepId, StepDeclaration> = {
  'enable-read-session': {
    id: 'enable-read-session',
    phase: 'planning',
    doc: 'a person turns on EnableAuthAdminReadSession before the effective date (told now, not when publication is late)',
    skipDoc: 'unless the Exchange servers are in a child domain and the switch is off',
    title: () =>
      'a person runs Set-OrganizationConfig -EnableAuthAdminReadSession $true before the effective date (child domain)',
    skip: (ctx) => (isAuthAdminBlockedByChildDomain(ctx.snapshot) ? null : 'the AuthAdmin servicelet can run'),
  },
  'import-missing': {
    id: 'import-missing',
    phase: 'importing',
    doc: 'export the current certificate and import it on the servers that lack it',
    title: (ctx) => `export the current certificate and import it on ${serversMissingCurrent(ctx.snapshot).join(', ')}`,
  },
  reinspect: {
    id: 'reinspect',
    phase: 'inspecting',
    doc: 'inspect again and decide (the organisation may be due for rotation too)',
    title: () => 'inspect again and decide',
  },
  'adopt-staged': {
    id: 'adopt-staged',
    phase: 'planning',
    doc: 'keep the certificate already staged (by a person or an earlier run): no new certificate is created',
    skipDoc: 'on the emergency path, when the staged certificate cannot be used (expired, on no server, due itself)',
    title: (ctx) => `keep the staged certificate ${staged(ctx)}: no new certificate is created`,
    skip: (ctx) =>
      ctx.decision.path === 'resume' || ctx.decision.publishStaged ? null : 'no usable certificate is staged',
  },
  generate: {
    id: 'generate',
    phase: 'generating',
    doc: 'create a new Auth certificate with -Services None; restore the SMTP certificate if it moved',
    skipDoc: 'when a staged certificate is kept',
    title: () => 'create a new Auth certificate (-Services None; restore the SMTP certificate if it moved)',
    skip: (ctx) => (ctx.decision.publishStaged ? `the staged certificate ${staged(ctx)} is kept` : null),
  },
  'import-first': {
    id: 'import-first',
    phase: 'importing',
    doc:
      'import it on every server that lacks it before it is staged for now (the servicelet may publish it at its next ' +
      'run); a kept staged certificate that cannot be imported everywhere is replaced by a new one',
    title: (ctx) => {
      const missing = ctx.decision.publishStaged ? serversMissingNext(ctx.snapshot) : [];
      return ctx.decision.publishStaged
        ? `import the staged certificate ${staged(ctx)} on ${missing.length > 0 ? missing.join(', ') : 'servers lacking it'} ` +
            'before staging it now (a new certificate replaces it where it cannot be imported)'
        : 'import it on every other server before staging it now';
    },
  },
  stage: {
    id: 'stage',
    phase: 'staging',
    doc:
      'stage it (Set-AuthConfig -NewCertificateThumbprint/-NewCertificateEffectiveDate): effectiveDateHours after the ' +
      "server's clock, brought in front of the current certificate's expiry; now on the emergency path, where the " +
      'servicelet publishes it at its next run: with the dedicated hybrid application its key goes on the ' +
      'application first',
    skipDoc: 'when a kept certificate is staged for a date that stands',
    title: (ctx) => {
      if (emergency(ctx)) {
        const app = dedicatedHybridApp(ctx.snapshot);
        return app === null
          ? 'stage it with the effective date now (-Force)'
          : `put its key on the ${hybridAppName(ctx)} (Graph, or a person is asked), then stage it ` +
              'with the effective date now (-Force)';
      }
      const plan = ctx.datePlan;
      if (plan === null) return 'keep its effective date';
      return plan.effectiveDate.kind === 'relative'
        ? `stage it with the effective date ${plan.effectiveDate.hours} hours after the server's clock`
        : `set its effective date to ${plan.effectiveDate.iso}: ${plan.finding.message}`;
    },
    skip: (ctx) =>
      ctx.decision.path === 'resume' && ctx.datePlan === null
        ? `it is staged for ${ctx.snapshot.authConfig.nextCertificateEffectiveDate ?? 'an unknown date'}, which stands`
        : null,
  },
  replicate: {
    id: 'replicate',
    phase: 'replicating',
    doc:
      'wait until every server has it; import it across AD sites after crossSiteImportAfter, everywhere it is missing ' +
      'shortly before the date; move the date when it is still missing then',
    title: (ctx) =>
      ctx.decision.publishStaged
        ? 'confirm every server has it'
        : 'wait until every server has it (import across sites if needed)',
  },
  'hybrid-app-add': {
    id: 'hybrid-app-add',
    phase: 'updating-hybrid-app',
    doc:
      'add the new certificate to the dedicated Exchange hybrid application in Entra ID (Graph, keeping its other ' +
      `keys) and read it back; without Graph write access a person runs ${UPDATE_CERTIFICATE_SCRIPT} and says so ` +
      '(hybridAppUpdated); not there hybridAppMargin before the effective date: the date moves',
    skipDoc: 'unless the organisation uses the dedicated hybrid application',
    title: (ctx) =>
      `add the new certificate to the ${hybridAppName(ctx)} at least ` +
      `${hours(ctx.input.hybridAppMargin)} before the effective date (Graph, or a person runs ${UPDATE_CERTIFICATE_SCRIPT})`,
    skip: (ctx) => (dedicatedHybridApp(ctx.snapshot) ? null : notDedicated),
  },
  'wait-effective-date': {
    id: 'wait-effective-date',
    phase: 'waiting-for-effective-date',
    doc: "wait (a durable timer) until the effective date has passed on the server's clock",
    title: () => 'wait for the effective date',
  },
  'restart-service-host': {
    id: 'restart-service-host',
    phase: 'restarting-service-host',
    doc: `restart ${SERVICE_HOST_SERVICE} on every server so the AuthAdmin servicelet runs now, not within 12 hours`,
    skipDoc:
      'on the planned paths unless restartServiceHostAfterEffectiveDate is set or the date was brought in front of an expiry',
    title: () => `restart ${SERVICE_HOST_SERVICE}`,
    skip: (ctx) => (restartWanted(ctx) ? null : 'the AuthAdmin servicelet publishes at its next run'),
  },
  'await-publication': {
    id: 'await-publication',
    phase: 'publishing',
    doc: 'wait for the AuthAdmin servicelet to publish (AuthConfig names it current; event 2014 corroborates); diagnose when late, never publish by force',
    title: () => 'wait for publication (AuthConfig names it current; event 2014 where the servicelet writes it)',
  },
  'publish-now': {
    id: 'publish-now',
    phase: 'publishing',
    doc: 'Set-AuthConfig -PublishCertificate, then -ClearPreviousCertificate (emergency only, once every server has it)',
    title: () => 'Set-AuthConfig -PublishCertificate, then -ClearPreviousCertificate',
  },
  recycle: {
    id: 'recycle',
    phase: 'recycling',
    doc: `recycle ${OWA_APP_POOL} and ${ECP_APP_POOL} on every server once published (not a pool started since)`,
    title: () => `recycle ${OWA_APP_POOL} and ${ECP_APP_POOL} on every server once published`,
  },
  'sign-in': {
    id: 'sign-in',
    phase: 'verifying-sign-in',
    doc: 'check OAuth sign-in on every server (Test-OAuthConnectivity with probeMailbox)',
    skipDoc: 'without probeMailbox',
    title: () => 'check sign-in on every server',
    skip: (ctx) => (ctx.input.probeMailbox ? null : 'the input names no probeMailbox'),
  },
  'confirm-events': {
    id: 'confirm-events',
    phase: 'verifying-sign-in',
    doc: 'record which servers logged event 2014 for the certificate published by force',
    title: () => 'record event 2014 where the servers logged it',
  },
  'hybrid-app-remove': {
    id: 'hybrid-app-remove',
    phase: 'updating-hybrid-app',
    doc: "remove the previous certificate's key from the dedicated hybrid application after hybridAppGracePeriod (Graph, or a person is told)",
    skipDoc: 'unless the organisation uses the dedicated hybrid application',
    title: (ctx) =>
      `remove the previous certificate from the ${hybridAppName(ctx)} ` +
      `${hours(ctx.input.hybridAppGracePeriod)} after publication`,
    skip: (ctx) => (dedicatedHybridApp(ctx.snapshot) ? null : notDedicated),
  },
  hcw: {
    id: 'hcw',
    phase: 'awaiting-hcw',
    doc: 'wait for a person to re-run the Hybrid Configuration Wizard (approve-hcw / hcwCompletedSignal), reminding daily',
    skipDoc:
      'unless the organisation has a hybrid configuration; with the dedicated hybrid application its keys are updated instead',
    title: () => 'wait for a person to re-run the Hybrid Configuration Wizard (hcwCompletedSignal or cli approve-hcw)',
    skip: (ctx) => {
      if (!ctx.snapshot.hybrid) return 'the organisation has no hybrid configuration';
      return dedicatedHybridApp(ctx.snapshot)
        ? 'the dedicated hybrid application holds the certificate instead (hybrid-app-add)'
        : null;
    },
  },
};

/** The steps of each path, in order. Nothing-to-do and stop-unreachable have none: the run finishes after deciding. */
export const PATHS: Record<RotationPath, readonly StepId[]> = {
  rotate: [
    'enable-read-session',
    'generate',
    'stage',
    'replicate',
    'hybrid-app-add',
    'wait-effective-date',
    'restart-service-host',
    'await-publication',
    'recycle',
    'sign-in',
    'hybrid-app-remove',
    'hcw',
  ],
  resume: [
    'enable-read-session',
    'adopt-staged',
    'stage',
    'replicate',
    'hybrid-app-add',
    'wait-effective-date',
    'restart-service-host',
    'await-publication',
    'recycle',
    'sign-in',
    'hybrid-app-remove',
    'hcw',
  ],
  'replace-now': [
    'adopt-staged',
    'generate',
    'import-first',
    'stage',
    'replicate',
    'hybrid-app-add',
    'publish-now',
    'restart-service-host',
    'recycle',
    'sign-in',
    'confirm-events',
    'hybrid-app-remove',
    'hcw',
  ],
  import: ['import-missing', 'reinspect'],
  'nothing-to-do': [],
  'stop-unreachable': [],
};

/** The path's steps for this organisation: what plan mode reports and the status lists. */
export function planOf(ctx: PlanContext): PlannedStep[] {
  return PATHS[ctx.decision.path].map((id) => {
    const step = STEPS[id];
    const skipped = step.skip?.(ctx) ?? null;
    return { id, title: step.title(ctx), ...(skipped === null ? {} : { skipped }) };
  });
}
