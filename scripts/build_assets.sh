#!/usr/bin/env bash
# Install front-end packages from the npm registry (lockfile) and copy the files we serve into static/vendor.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund --loglevel=error
fi
mkdir -p static/vendor
cp node_modules/htmx.org/dist/htmx.min.js static/vendor/htmx.min.js
cp node_modules/echarts/dist/echarts.min.js static/vendor/echarts.min.js
# The API documentation page (/api/v1/docs, staff only): Swagger UI from the npm registry, never from a CDN.
mkdir -p static/vendor/swagger-ui
cp node_modules/swagger-ui-dist/swagger-ui-bundle.js node_modules/swagger-ui-dist/swagger-ui.css static/vendor/swagger-ui/
