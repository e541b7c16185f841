// Test-OAuthConnectivity's results: every one must say Success for OAuth (and OWA/EAC sign-in) to work.
import { z } from 'zod';
import { PsObjectType } from '../output';

export interface OAuthTestResult {
  resultType: string;
  detail: string;
}

export const OAUTH_TEST_RESULT: PsObjectType<OAuthTestResult> = {
  name: 'ValidationResultNode',
  select: [{ name: 'ResultType', stringOf: 'ResultType' }, 'Detail'],
  schema: z.looseObject({ ResultType: z.unknown().optional(), Detail: z.unknown().optional() }).transform((r) => ({
    resultType: String(r.ResultType),
    detail: typeof r.Detail === 'string' ? r.Detail : JSON.stringify(r.Detail ?? null),
  })),
};

/** All results say Success (and there is at least one). */
export function oauthSucceeded(results: readonly OAuthTestResult[]): { ok: boolean; detail: string } {
  return {
    ok: results.length > 0 && results.every((r) => r.resultType === 'Success'),
    detail: results.map((r) => r.detail).join('\n'),
  };
}
