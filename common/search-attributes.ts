// The rotation's custom search attributes, typed. The server must know them before a workflow upserts them: the dev
// server takes `--search-attribute organization=Keyword` (see searchAttributeFlags), a real cluster
// `temporal operator search-attribute create --name organization --type Keyword`.
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

export const organizationSearchAttribute = defineSearchAttributeKey('organization', SearchAttributeType.KEYWORD);
export const phaseSearchAttribute = defineSearchAttributeKey('phase', SearchAttributeType.KEYWORD);
export const outcomeSearchAttribute = defineSearchAttributeKey('outcome', SearchAttributeType.KEYWORD);

export const ROTATION_SEARCH_ATTRIBUTE_KEYS = [
  organizationSearchAttribute,
  phaseSearchAttribute,
  outcomeSearchAttribute,
] as const;

/** `['--search-attribute', 'organization=Keyword', ...]` for `temporal server start-dev`. */
export function searchAttributeFlags(): string[] {
  return ROTATION_SEARCH_ATTRIBUTE_KEYS.flatMap((key) => ['--search-attribute', `${key.name}=Keyword`]);
}
