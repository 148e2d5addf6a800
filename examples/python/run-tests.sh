#!/bin/sh
# Runs the Python example suite against the emulator at $EMULATOR_URL (http://127.0.0.1:8080 by
# default). Debian's python3-pytest, python3-requests and python3-cryptography, or
# `pip install -r requirements.txt`; PYTHON picks the interpreter (default: /usr/bin/python3
# when it exists, where Debian's packages are, else python3).
set -eu
cd "$(dirname "$0")"
if [ -z "${PYTHON:-}" ]; then
  if [ -x /usr/bin/python3 ]; then PYTHON=/usr/bin/python3; else PYTHON=python3; fi
fi
# No .pytest_cache or __pycache__ next to the sources: the suite may run from a read-only copy.
PYTHONDONTWRITEBYTECODE=1 exec "$PYTHON" -m pytest -p no:cacheprovider -q "$@"
