#!/usr/bin/env bash
# The whole test suite, from a fresh Debian 12 machine with the Swift toolchain:
# installs the system packages, builds in release mode, checks the format, runs every test
# (XCTest, including the golden cases, mpirun and the local SLURM), and verifies every golden file
# kept in Tests/Fixtures/golden.
set -euo pipefail
cd "$(dirname "$0")/.."
source tools/swift-env.sh

./tools/install-deps.sh
swift format lint --strict --recursive Package.swift Sources Tests
swift build -c release
swift test -c release
.build/release/seqboat verify-golden Tests/Fixtures/golden/*.h5
