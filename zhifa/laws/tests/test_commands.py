"""manage.py import_laws and seed_laws as an operator runs them."""

import io
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from zhifa.laws.models import Law, LawVersion

GOOD = (
    "江北市示例条例\n\n2022年3月1日 江北市人民代表大会常务委员会通过\n\n"
    "第一条 为了示例，制定本条例。\n\n第二条 本条例自公布之日起施行。\n"
)


@pytest.fixture
def folder(tmp_path):
    (tmp_path / "好的条例.txt").write_bytes(GOOD.encode("gbk"))
    (tmp_path / "说明.txt").write_text("这不是法规\n\n只是一段说明。", encoding="utf-8")
    (tmp_path / "空文件.txt").write_bytes(b"")
    (tmp_path / "表格.xlsx").write_bytes(b"PK")
    return tmp_path


def run(*args) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("import_laws", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_a_folder_imports_what_it_understands_and_lists_the_rest(db, folder):
    out, err = run(str(folder))
    assert "新建 江北市示例条例（2022-03-01）2 条" in out
    assert "跳过 说明.txt：第3行：未找到任何条文" in err
    assert "跳过 空文件.txt：第1行：文件为空" in err
    assert "跳过 表格.xlsx：不支持的文件类型" in err
    assert "跳过 3" in out
    assert Law.objects.count() == 1


def test_strict_turns_a_skip_into_exit_status_1(db, folder):
    with pytest.raises(CommandError) as caught:
        run(str(folder), "--strict")
    assert caught.value.returncode == 1
    assert Law.objects.count() == 1  # the good file is imported, the bad ones change nothing


def test_json_prints_one_line_per_version_and_is_idempotent(db, folder):
    out, _ = run(str(folder / "好的条例.txt"), "--json")
    assert json.loads(out) == {
        "title": "江北市示例条例",
        "short_title": "江北市示例条例",
        "version_date": "2022-03-01",
        "articles": 2,
        "status": "created",
        "date_pending": False,
        "warnings": [],
    }
    out, _ = run(str(folder / "好的条例.txt"), "--json")
    assert json.loads(out)["status"] == "unchanged" and LawVersion.objects.count() == 1


def test_a_named_file_that_fails_exits_1_and_a_missing_path_is_explained(db, folder):
    with pytest.raises(CommandError):
        run(str(folder / "说明.txt"))
    with pytest.raises(CommandError, match="找不到路径"):
        run(str(folder / "不存在.txt"))


def test_a_tar_archive_imports_like_a_folder(db, folder, tmp_path_factory):
    import tarfile

    archive = tmp_path_factory.mktemp("tar") / "corpus.tar.gz"
    with tarfile.open(archive, "w:gz") as tar:
        tar.add(folder / "好的条例.txt", arcname="corpus/DLC/江苏地方法规/地方性法规/好的条例.txt")
    out, _ = run("--corpus-tar", str(archive))
    assert "新建 江北市示例条例" in out
    assert Law.objects.get().category == "local_regulation"


def test_seed_laws_twice_changes_nothing_the_second_time(db):
    first, second = io.StringIO(), io.StringIO()
    call_command("seed_laws", stdout=first)
    call_command("seed_laws", stdout=second)
    assert first.getvalue().count("新建") == 4 and second.getvalue().count("未变") == 4


def test_parts_of_one_code_stored_as_separate_files_are_merged(db, tmp_path):
    head = "中华人民共和国示例典\n\n{part}\n\n2020年5月28日 第十三届全国人民代表大会第三次会议通过\n\n"
    (tmp_path / "总则.txt").write_text(head.format(part="总则") + "第一条 甲。\n\n第二条 乙。\n", encoding="utf-8")
    (tmp_path / "分则.txt").write_text(head.format(part="分则") + "第三条 丙。\n", encoding="utf-8")
    out, err = run(str(tmp_path))
    assert "新建 示例典（2020-05-28）3 条" in out and "由2个分编文件合并" in out and not err
