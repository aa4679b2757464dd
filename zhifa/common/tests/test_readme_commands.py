"""Every command the README shows works as written on a checkout after `make demo` (issue 20 item 9).

What counts as a command: each line of the README's ```sh blocks, and each `inline code` span whose first word is
`make`, `manage.py`, `.venv/bin/python`, `apt-get`, `.ci/run` or the name of a management command. The rule for
running them (cheap enough for every test run, and never a server or this suite itself):

- `make TARGET`: the target exists and its recipe expands (`make -n`: nothing runs; `make demo` serves until
  stopped and `make test` is this suite).
- `manage.py NAME …` (with or without `.venv/bin/python`): run in a fresh process that has no ZHIFA_* variable,
  only the local env file `make demo` writes (scripts/local_env.py → var/env, here a temporary copy): every one
  with `--help`, and `import_laws` — the command a fresh checkout failed on — for real, exactly as written, on a
  tiny law file, into this test's database.
- `apt-get install …`: installs system packages, not run here; `.ci/run` installs the same packages.
- `.ci/run`: exists and is executable (it runs this suite).
- Not commands but checked alike: every page path the README names (`/laws/manage/import/`) resolves to a view,
  every file it names (`docs/laws.md`) exists.
"""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest
from django.apps import apps
from django.core.management import get_commands
from django.db import connection
from django.urls import Resolver404, resolve

ROOT = Path(__file__).resolve().parents[3]
README = ROOT / "README.md"
COMMAND_WORDS = {"make", "manage.py", ".venv/bin/python", "apt-get", ".ci/run"}
LAW = "江北市示例条例\n\n2022年3月1日 江北市人民代表大会常务委员会通过\n\n第一条 为了示例，制定本条例。\n"


def readme_spans() -> list[str]:
    """The lines of the sh code blocks and the inline code spans of the README, in order."""
    text = README.read_text(encoding="utf-8")
    spans = []
    for block in re.findall(r"```sh\n(.*?)```", text, flags=re.S):
        spans += [line.split(" #")[0].strip() for line in block.splitlines() if line.strip()]
    prose = re.sub(r"```.*?```", "", text, flags=re.S)
    spans += [span.strip() for span in re.findall(r"`([^`\n]+)`", prose)]
    return spans


def readme_commands() -> list[list[str]]:
    """The README's commands as word lists (the `.venv/bin/python` before `manage.py` dropped)."""
    known = set(get_commands())
    commands = []
    for span in readme_spans():
        words = span.split()
        if words[:2] == [".venv/bin/python", "manage.py"]:
            words = words[1:]
        if words and (words[0] in COMMAND_WORDS or words[0] in known):
            commands.append(["manage.py", *words] if words[0] in known else words)
    return commands


def clean_environment(env_file: Path, **extra: str) -> dict[str, str]:
    """The environment of a shell on a fresh checkout: no ZHIFA_* variable, no test-runner knobs."""
    dropped = {"PYTEST_CURRENT_TEST", "DJANGO_ALLOW_ASYNC_UNSAFE", "PYTEST_XDIST_WORKER", "DATABASE_URL"}
    env = {k: v for k, v in os.environ.items() if not k.startswith("ZHIFA_") and k not in dropped}
    return {**env, "ZHIFA_ENV_FILE": str(env_file), "DJANGO_SETTINGS_MODULE": "config.settings", **extra}


def database_url() -> str:
    """This test's own database as a DATABASE_URL, so that a command run in another process writes into it."""
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{db['NAME']}"
    password = f":{db['PASSWORD']}" if db["PASSWORD"] else ""
    return f"postgres://{db['USER']}{password}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


@pytest.fixture(scope="module")
def env_file(tmp_path_factory) -> Path:
    """The file `make demo` writes, written the same way (scripts/local_env.py) into a temporary folder."""
    path = tmp_path_factory.mktemp("checkout") / "env"
    subprocess.run([sys.executable, str(ROOT / "scripts" / "local_env.py"), str(path)], check=True, timeout=60)
    return path


def test_the_readme_shows_the_commands_this_test_runs():
    names = {tuple(c[:2]) for c in readme_commands()}
    assert ("make", "demo") in names and ("manage.py", "import_laws") in names
    assert ("manage.py", "export_questions") in names  # a command named without manage.py in front
    assert ("apt-get", "install") in names and (".ci/run",) in {tuple(c[:1]) for c in readme_commands()}


def test_every_make_target_the_readme_shows_exists():
    for command in readme_commands():
        if command[0] == "make":
            result = subprocess.run(["make", "-n", *command[1:2]], cwd=ROOT, capture_output=True, text=True, timeout=60)
            assert result.returncode == 0, (command, result.stderr)


def test_apt_get_and_ci_run_match_what_ci_installs():
    ci = ROOT / ".ci" / "run"
    assert ci.is_file() and os.access(ci, os.X_OK)
    for command in readme_commands():
        if command[0] == "apt-get":
            for package in command[2:]:
                assert package in ci.read_text(encoding="utf-8"), f".ci/run 未安装 README 中的 {package}"


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_every_manage_py_command_runs_as_written_with_only_the_demo_env_file(env_file, tmp_path, settings):
    law = tmp_path / "江北市示例条例.txt"
    law.write_text(LAW, encoding="utf-8")
    manage = sorted({c[1] for c in readme_commands() if c[0] == "manage.py"})
    assert len(manage) >= 10, manage
    # One process for every --help (a Django start costs seconds on a busy box), started like manage.py starts.
    driver = (
        "import sys\nfrom django.core.management import ManagementUtility\nfailed = []\n"
        f"for name in {manage!r}:\n"
        "    try:\n        ManagementUtility(['manage.py', name, '--help']).execute()\n"
        "    except SystemExit as exc:\n        failed += [name] if exc.code else []\n"
        "sys.exit(f'失败：{failed}' if failed else 0)\n"
    )
    # this test's own search index too (the import syncs it), not the checkout's var/search/index
    env = clean_environment(env_file, DATABASE_URL=database_url(), ZHIFA_SEARCH_INDEX=str(settings.ZHIFA_SEARCH_INDEX))
    helps = subprocess.run(
        [sys.executable, "-c", driver], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300
    )
    assert helps.returncode == 0, helps.stderr[-3000:]
    # The reported one, exactly as written: `.venv/bin/python manage.py import_laws PATH…`.
    written = next(c for c in readme_commands() if c[:2] == ["manage.py", "import_laws"])
    argv = [sys.executable, "manage.py", "import_laws", str(law)]
    result = subprocess.run(argv, cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, (shlex.join(written), result.stderr[-3000:])
    assert "新建 江北市示例条例（2022-03-01）1 条" in result.stdout
    # common sits below laws: the model by name, not by import
    assert apps.get_model("laws", "Law").objects.filter(title="江北市示例条例").exists()


@pytest.mark.slow
def test_a_production_start_without_a_secret_key_still_fails_clearly(tmp_path):
    env = clean_environment(tmp_path / "no-env-file")
    result = subprocess.run(
        [sys.executable, "manage.py", "check"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300
    )
    assert result.returncode != 0
    assert "缺少 ZHIFA_SECRET_KEY：生产环境必须设置一个随机的长字符串" in result.stderr
    assert "make demo" in result.stderr


def test_every_page_and_file_the_readme_names_exists():
    for span in readme_spans():
        word = span.split()[0]
        if re.fullmatch(r"/[\w/<>.-]*/", word):
            path = re.sub(r"<[^>]+>", "x", word)
            try:
                resolve(path)
            except Resolver404:
                pytest.fail(f"README 中的页面 {word} 不存在")
        elif re.fullmatch(r"(docs|deploy|benchmarks|scripts)/[\w./-]*", word):
            assert (ROOT / word.rstrip("/")).exists(), f"README 中的文件 {word} 不存在"
