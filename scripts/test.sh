#!/usr/bin/env bash
# Installs everything the tests need, builds tensorbridge, and runs all tests: C++ (ctest) then
# Python (pytest). Works on a fresh Debian machine as root; safe to re-run.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3}

# 1. System packages: a C++ compiler, CMake/Ninja and doctest (C++ test framework).
need_apt=()
command -v g++ >/dev/null || need_apt+=(g++)
[ -f /usr/include/doctest/doctest.h ] || need_apt+=(doctest-dev)
if [ ${#need_apt[@]} -gt 0 ]; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need_apt[@]}" >/dev/null
fi

# 2. Python packages: build tools, the test stack and the torch reference (the CPU wheel).
$PY -m pip install -q --disable-pip-version-check cmake ninja nanobind scikit-build-core "numpy>=2" \
  scipy-openblas32 pytest hypothesis ml_dtypes "torch==2.13.0"

# 3. The C++ core alone (no Python) and its tests.
cmake -S . -B build/cpp -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build/cpp -j"$(nproc)"
ctest --test-dir build/cpp --output-on-failure

# 4. The Python package, installed the way users install it.
$PY -m pip install -q --disable-pip-version-check .

# 5. Python tests, from outside the source tree so the installed package is what is tested.
export TB_REQUIRE_TORCH=${TB_REQUIRE_TORCH:-1}
cd tests/python && exec $PY -m pytest -q -p no:cacheprovider .
