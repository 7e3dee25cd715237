# shellcheck shell=bash
# Sourced by the tools/ scripts: puts the Swift toolchain first on PATH. It is, in order, the
# `swift` named by SWIFT_BIN, the `swift` already on PATH, or /opt/swift/usr/bin/swift.
seqboat_find_swift() {
  local swift
  if [[ -n ${SWIFT_BIN:-} ]]; then
    swift=$SWIFT_BIN
  elif swift=$(command -v swift); then
    :
  elif [[ -x /opt/swift/usr/bin/swift ]]; then
    swift=/opt/swift/usr/bin/swift
  else
    echo "$(basename "$0"): no Swift toolchain: put swift on PATH or set SWIFT_BIN" >&2
    return 1
  fi
  if [[ ! -x $swift ]]; then
    echo "$(basename "$0"): SWIFT_BIN=$swift is not an executable file" >&2
    return 1
  fi
  PATH="$(cd "$(dirname "$swift")" && pwd):$PATH"
  export PATH
}
seqboat_find_swift
