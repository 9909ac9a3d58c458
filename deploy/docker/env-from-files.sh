#!/bin/sh
# Entrypoint of the app images: for every VAR_FROM_FILE=/path in the environment, exports VAR
# with that file's content (one trailing newline removed), then runs the command.
# Secrets stay files (compose secrets, Kubernetes Secret volumes); they become variables only
# inside the app's own process, never in the compose file, the pod spec or `docker inspect`.
set -eu
for name in $(env | sed -n 's/^\([A-Za-z_][A-Za-z0-9_]*\)_FROM_FILE=.*/\1/p'); do
  eval "path=\${${name}_FROM_FILE}"
  if [ ! -r "$path" ]; then
    echo "env-from-files: ${name}_FROM_FILE names a file that cannot be read: $path" >&2
    exit 1
  fi
  value="$(cat "$path")"
  export "$name=$value"
  unset "${name}_FROM_FILE"
done
exec "$@"
