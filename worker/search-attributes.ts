// The custom search attributes a rotation sets, as the server must register them (dev server flags, `temporal operator
// search-attribute create` on a real cluster).
export const ROTATION_SEARCH_ATTRIBUTES = [
  { name: 'organization', type: 'Keyword' },
  { name: 'phase', type: 'Keyword' },
  { name: 'outcome', type: 'Keyword' },
] as const;
