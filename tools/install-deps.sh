#!/usr/bin/env bash
# Installs the Debian 12 system packages seqboat needs (build, tests, local SLURM, plotting).
# Checks first: when every package is already installed it returns 0 at once, as any user, without
# touching the network. Otherwise it needs root: it runs `apt-get update` once and installs what is
# missing (as another user it names the missing packages and exits 1).
set -euo pipefail

PACKAGES=(
  libopenmpi-dev openmpi-bin        # MPI (mpi.h, libmpi, mpirun)
  libhdf5-dev hdf5-tools            # HDF5 datasets and checkpoints (h5dump for inspection)
  libopenblas-dev                   # sgemm
  pkg-config                        # SwiftPM finds the three libraries through it
  slurm-wlm munge                   # local one-node SLURM for the job-script tests
  zlib1g-dev                        # HDF5 deflate filter headers
  libarchive-dev                    # prep: tar/tar.gz/zip archives, streamed
  libpng-dev                        # prep: Pathfinder/Path-X PNG images
  python3 python3-matplotlib        # tools/plot-log.py
  procps                            # pgrep/ps used by tools/slurm-*.sh
  iproute2                          # ip netns, tc: the namespace nodes of tools/netns-nodes.sh
)

missing=()
for p in "${PACKAGES[@]}"; do
  status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
  [[ $status == "install ok installed" ]] || missing+=("$p")
done

if [[ ${#missing[@]} -eq 0 ]]; then
  echo "install-deps.sh: all ${#PACKAGES[@]} packages already installed"
  exit 0
fi

if [[ $(id -u) -ne 0 ]]; then
  echo "install-deps.sh: missing ${missing[*]}; run as root: apt-get install ${missing[*]}" >&2
  exit 1
fi

echo "install-deps.sh: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq "${missing[@]}" >/dev/null
echo "install-deps.sh: done"
