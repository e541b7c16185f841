// Get-ExchangeDiagnosticInfo's result for the service host process: an XML document (Result) that tells when the
// process started and when the AuthAdmin servicelet last ran.
import { z } from 'zod';
import { PsObjectType, psDateSchema, stringValueSchema } from '../output';

/** The XML of each result that has one; results without a readable Result are left out. */
export const DIAGNOSTIC_INFO: PsObjectType<string | null> = {
  name: 'ExchangeDiagnosticInfoResult',
  select: ['Result'],
  schema: z.unknown().transform((o) => {
    const parsed = stringValueSchema.safeParse((o as { Result?: unknown } | null)?.Result);
    return parsed.success ? parsed.data : null;
  }),
};

/**
 * The AuthAdmin servicelet's last run from Get-ExchangeDiagnosticInfo's XML (Result property): the lastRunTime of the
 * CacheScheduler under the AnchorApplication for AuthAdmin. Several AnchorApplication elements may exist, so the
 * one naming AuthAdmin wins; an attribute or a child element both count (verify the exact shape on a real server).
 */
export function authAdminLastRunFromDiagnosticXml(xml: string): string | null {
  const apps = [...xml.matchAll(/<AnchorApplication\b[^>]*>([\s\S]*?)<\/AnchorApplication>/gi)].map((m) => m[0]);
  // Another anchor application's run says nothing about AuthAdmin: reporting it would hide a servicelet that never
  // ran (the child-domain case). Only an XML without any application element is read as a whole.
  const candidates = apps.length > 0 ? apps.filter((a) => /AuthAdmin/i.test(a)) : [xml];
  for (const app of candidates) {
    const scheduler = /<CacheScheduler\b[^>]*?(?:\/>|>[\s\S]*?<\/CacheScheduler>)/i.exec(app)?.[0];
    if (!scheduler) continue;
    const text =
      /\blastRunTime\s*=\s*"([^"]*)"/i.exec(scheduler)?.[1] ??
      /<lastRunTime>\s*([^<]*?)\s*<\/lastRunTime>/i.exec(scheduler)?.[1];
    const date = text ? diagnosticDate(text) : null;
    if (date) return date;
  }
  return null;
}

/**
 * When the process Get-ExchangeDiagnosticInfo describes (MSExchangeServiceHost's) started: ProcessInfo's startTime in
 * its XML (Result property), or null when absent.
 */
export function processStartFromDiagnosticXml(xml: string): string | null {
  const info = /<ProcessInfo\b[^>]*>([\s\S]*?)<\/ProcessInfo>/i.exec(xml)?.[1];
  const text = info && /<startTime>\s*([^<]*?)\s*<\/startTime>/i.exec(info)?.[1];
  return text ? diagnosticDate(text) : null;
}

/** A date as the diagnostic XML writes it (XmlConvert round-trip, UTC when it carries no offset), as ISO. */
function diagnosticDate(text: string): string | null {
  const parsed = psDateSchema.safeParse(text);
  if (parsed.success) return parsed.data;
  const t = Date.parse(text.endsWith('Z') || /[+-]\d{2}:\d{2}$/.test(text) ? text : `${text}Z`);
  return Number.isFinite(t) ? new Date(t).toISOString() : null;
}
