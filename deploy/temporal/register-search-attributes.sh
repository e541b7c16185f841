#!/bin/sh
# Registers the rotation's search attributes (Keyword) in a namespace, idempotently: one already registered as Keyword
# is left alone, so a second `docker compose up` passes; anything else that fails (the server does not answer, no such
# namespace, a name already taken with another type) fails this step, and the worker, which waits for it, does not
# start. docker-compose.yml runs it in the admin-tools image; it works with any `temporal` CLI (TEMPORAL_CLI).
set -eu
: "${TEMPORAL_ADDRESS:?set TEMPORAL_ADDRESS, e.g. temporal:7233}"
: "${SEARCH_ATTRIBUTES:?set SEARCH_ATTRIBUTES, e.g. organization phase outcome}"
namespace="${TEMPORAL_NAMESPACE:-default}"
cli="${TEMPORAL_CLI:-temporal}"

existing=$("$cli" operator search-attribute list --address "$TEMPORAL_ADDRESS" --namespace "$namespace")
for name in $SEARCH_ATTRIBUTES; do
  if printf '%s\n' "$existing" | grep -Eq "^[[:space:]]*${name}[[:space:]]+Keyword[[:space:]]*\$"; then
    echo "search attribute ${name} (Keyword) is registered in ${namespace}"
  else
    "$cli" operator search-attribute create --address "$TEMPORAL_ADDRESS" --namespace "$namespace" \
      --name "$name" --type Keyword
    echo "search attribute ${name} (Keyword) registered in ${namespace}"
  fi
done
