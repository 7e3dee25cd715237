#!/usr/bin/env bash
# Installs the Debian 12 system packages seqboat needs (build, tests, local SLURM, plotting), then
# the Python package `tensorboard` (tools/tensorboard/read_events.py, used by the suite).
# Checks first: when every package is already installed it returns 0 at once, as any user, without
# touching the network. Otherwise it needs root: it runs `apt-get update` once and installs what is
# missing (as another user it names the missing packages and exits 1). tensorboard comes from PyPI
# through `python3 -m pip`, only when `python3 -c 'import tensorboard'` fails (as another user, a
# warning: only the TensorBoard log test needs it).
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
  python3-pip                       # installs tensorboard (below)
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
elif [[ $(id -u) -ne 0 ]]; then
  echo "install-deps.sh: missing ${missing[*]}; run as root: apt-get install ${missing[*]}" >&2
  exit 1
else
  echo "install-deps.sh: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq "${missing[@]}" >/dev/null
  echo "install-deps.sh: done"
fi

# The tensorboard Python package, for the python3 first in PATH (the one the tests run). Debian's
# own python3 refuses pip outside a virtual environment unless told to (PEP 668).
if python3 -c 'import tensorboard' 2>/dev/null; then
  echo "install-deps.sh: python3 has tensorboard"
elif [[ $(id -u) -ne 0 ]]; then
  echo "install-deps.sh: warning: $(command -v python3) lacks tensorboard (the TensorBoard log" \
    "test fails without it); run as root, or: python3 -m pip install tensorboard" >&2
else
  echo "install-deps.sh: installing tensorboard for $(command -v python3)"
  python3 -m pip install --quiet tensorboard 2>/dev/null ||
    python3 -m pip install --quiet --break-system-packages tensorboard
  python3 -c 'import tensorboard'
  echo "install-deps.sh: tensorboard installed"
fi
