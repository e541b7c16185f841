// The dedicated Exchange hybrid application as inspection reports it, and the pure rule that decides from Exchange's
// own objects whether an organisation uses it (as Microsoft's HealthChecker and ConfigureExchangeHybridApplication.ps1
// read them). No Node built-ins: the workflow uses the schema.
import { z } from 'zod';

/** Microsoft's script that uploads the current and the next Auth certificate to the application. */
export const UPDATE_CERTIFICATE_SCRIPT = 'ConfigureExchangeHybridApplication.ps1 -UpdateCertificate';

export const HYBRID_APP_OVERRIDE = { component: 'Global', section: 'ExchangeOnpremAsThirdPartyAppId' } as const;

/** Detected, its appId, and the evidence in words; `unknown` when Exchange could not tell (an older build). */
export const hybridAppDetectionSchema = z.object({
  detected: z.boolean(),
  appId: z.string().nullable(),
  evidence: z.array(z.string()),
  /** Why detection could not be done (a cmdlet this build lacks); absent when it was. */
  unknown: z.string().optional(),
});
export type HybridAppDetection = z.infer<typeof hybridAppDetectionSchema>;

export interface OverrideFact {
  name: string;
  componentName: string;
  sectionName: string;
  parameters: string[];
}

export interface AuthServerFact {
  name: string;
  type: string;
  realm: string | null;
  applicationIdentifier: string | null;
  enabled: boolean;
}

const GUID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;
/** Microsoft's script reads the override's value with this rule. */
const ENABLED = /^\s*Enabled\s*=\s*(true|false)\s*$/i;

/** The override's Enabled value: true, false, or null when it says neither. */
export function overrideEnabled(o: OverrideFact): boolean | null {
  for (const p of o.parameters) {
    const m = ENABLED.exec(p);
    if (m) return m[1]?.toLowerCase() === 'true';
  }
  return null;
}

/** Pure: the detection from the overrides and auth servers Exchange returned. */
export function detectHybridApp(
  overrides: readonly OverrideFact[],
  authServers: readonly AuthServerFact[],
): HybridAppDetection {
  const evidence: string[] = [];
  const feature = overrides.filter(
    (o) =>
      o.componentName.toLowerCase() === HYBRID_APP_OVERRIDE.component.toLowerCase() &&
      o.sectionName.toLowerCase() === HYBRID_APP_OVERRIDE.section.toLowerCase(),
  );
  for (const o of feature) {
    const enabled = overrideEnabled(o);
    evidence.push(
      `setting override ${o.name} (${HYBRID_APP_OVERRIDE.component}/${HYBRID_APP_OVERRIDE.section}): ` +
        (enabled === null ? 'Enabled not set' : `Enabled=${enabled}`),
    );
  }
  const on = feature.length > 0 && feature.every((o) => overrideEnabled(o) === true);
  if (feature.length === 0)
    evidence.push(`no ${HYBRID_APP_OVERRIDE.component}/${HYBRID_APP_OVERRIDE.section} setting override`);
  const evoSts = authServers.filter((a) => a.type === 'AzureAD' && a.enabled);
  const withApp = evoSts.filter((a) => a.applicationIdentifier !== null && GUID.test(a.applicationIdentifier));
  for (const a of withApp)
    evidence.push(`auth server ${a.name} (AzureAD) ApplicationIdentifier ${a.applicationIdentifier}`);
  if (withApp.length === 0) {
    evidence.push(
      evoSts.length
        ? 'the EvoSTS auth server names no ApplicationIdentifier'
        : 'no enabled EvoSTS (AzureAD) auth server',
    );
  }
  const appIds = [...new Set(withApp.map((a) => a.applicationIdentifier!.toLowerCase()))];
  if (appIds.length > 1) evidence.push(`several EvoSTS auth servers name different applications: ${appIds.join(', ')}`);
  const detected = on && appIds.length === 1;
  return { detected, appId: detected ? (appIds[0] ?? null) : null, evidence };
}
