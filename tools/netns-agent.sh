#!/usr/bin/env bash
# Open MPI's rsh agent for the namespace "nodes" of tools/netns-nodes.sh: called as
# `netns-agent.sh HOST COMMAND...` where ssh would be, it runs COMMAND (one shell line, as ssh
# would) inside the network namespace that owns address HOST, with its own host name (the
# namespace's name, in a private UTS namespace) so that each node reports a distinct host.
set -euo pipefail
host=$1
shift
for ns in $(ip netns list | awk '{print $1}'); do
  if ip -n "$ns" -4 -o addr show | grep -q " inet $host/"; then
    exec ip netns exec "$ns" unshare --uts bash -c 'hostname "$0" && eval "$1"' "$ns" "$*"
  fi
done
echo "netns-agent.sh: no network namespace has address $host" >&2
exit 255
