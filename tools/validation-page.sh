#!/usr/bin/env bash
# Regenerates docs/validation.md from the shipped calibration tables and published rows
# (`fathom calibrate validate`). Run from anywhere after building; commit the page with the change that moved it.
set -euo pipefail
cd "$(dirname "$0")/.."
build/fathom calibrate validate >docs/validation.md
echo "wrote docs/validation.md"
