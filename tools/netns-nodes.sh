#!/usr/bin/env bash
# Several "nodes" on one machine, for the multi-node tests and measurements: each node is a network
# namespace with its own address on a private bridge, so Open MPI's ranks on different nodes talk
# over real TCP sockets between separate network stacks (the filesystem stays shared, as with a
# cluster's shared home). Root only.
#
#   tools/netns-nodes.sh up N      create nodes 1..N; prints one address per line (node 1 first)
#   tools/netns-nodes.sh down      delete every node and the bridge, killing what runs in them
#   tools/netns-nodes.sh pids      the processes running inside the nodes
#
# Names and addresses come from SEQBOAT_NETNS (default `sbn`): bridge `${P}br`, namespaces
# `${P}1..N`, host-side links `${P}v1..N`, subnet SEQBOAT_NETNS_SUBNET (default 10.77.0): the
# bridge is .1, node i is .(10+i). Launch ranks into them with tools/netns-agent.sh as Open MPI's
# rsh agent (see jobs/README.md, "Several nodes").
set -euo pipefail

P=${SEQBOAT_NETNS:-sbn}
NET=${SEQBOAT_NETNS_SUBNET:-10.77.0}

die() {
  echo "netns-nodes.sh: $*" >&2
  exit 1
}

nodes() { ip netns list 2>/dev/null | awk '{print $1}' | grep -E "^${P}[0-9]+$" || true; }

down() {
  local ns pid
  for ns in $(nodes); do
    for pid in $(ip netns pids "$ns" 2>/dev/null); do kill -9 "$pid" 2>/dev/null || true; done
    ip netns del "$ns" 2>/dev/null || true
  done
  # Deleting a namespace frees its end of the link only once the kernel has let go of it (later,
  # under load); deleting the host's end removes the pair at once.
  local link
  for link in $(ip -o link show | awk -F': ' '{print $2}' | cut -d@ -f1 | grep -E "^${P}v[0-9]+$"); do
    ip link del "$link" 2>/dev/null || true
  done
  ip link del "${P}br" 2>/dev/null || true
}

up() {
  local n=$1 i
  [[ $n =~ ^[1-9][0-9]?$ ]] || die "up: node count must be 1..99, got '$n'"
  down
  # A failure half-way leaves nothing behind.
  trap down ERR INT TERM
  ip link add "${P}br" type bridge
  ip addr add "$NET.1/24" dev "${P}br"
  ip link set "${P}br" up
  for ((i = 1; i <= n; i++)); do
    ip netns add "$P$i"
    ip link add "${P}v$i" type veth peer name eth0 netns "$P$i"
    ip link set "${P}v$i" master "${P}br" up
    ip -n "$P$i" addr add "$NET.$((10 + i))/24" dev eth0
    ip -n "$P$i" link set eth0 up
    ip -n "$P$i" link set lo up
  done
  trap - ERR INT TERM
  for ((i = 1; i <= n; i++)); do echo "$NET.$((10 + i))"; done
}

[[ $(id -u) -eq 0 ]] || die "needs root (ip netns)"
command -v ip >/dev/null || die "needs iproute2 (ip)"
case ${1:-} in
  up) up "${2:-}" ;;
  down) down ;;
  pids) for ns in $(nodes); do ip netns pids "$ns"; done ;;
  *) die "usage: netns-nodes.sh up N | down | pids" ;;
esac
