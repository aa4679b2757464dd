#!/usr/bin/env bash
# Print the path of a Python interpreter >= 3.12, or explain and fail.
# Tries python3.13, python3.12, python3, then pyenv versions (whose shims run only with PYENV_VERSION set).
set -u
ok() { "$@" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 12) else 1)' >/dev/null 2>&1; }
for cand in python3.13 python3.12 python3; do
  if command -v "$cand" >/dev/null 2>&1 && ok "$cand"; then
    "$cand" -c 'import sys; print(sys.executable)'; exit 0
  fi
done
if command -v pyenv >/dev/null 2>&1 || [ -d "${PYENV_ROOT:-$HOME/.pyenv}/versions" ]; then
  root="${PYENV_ROOT:-$HOME/.pyenv}"
  for dir in $(ls -d "$root"/versions/3.1[2-9]* 2>/dev/null | sort -rV); do
    if [ -x "$dir/bin/python3" ] && ok "$dir/bin/python3"; then echo "$dir/bin/python3"; exit 0; fi
  done
fi
echo "找不到 Python 3.12 或更高版本。请安装 python3.12（例如 apt-get install python3.12 python3.12-venv，或 pyenv install 3.12）后重试。" >&2
exit 1
