"""Which kind of law a text is (法律 / 行政法规 / 部门规章 / 地方性法规 / 司法解释 / 规范性文件), its province and its
issuing body, from the title, the history lines and the folder it came from; no ORM here.

Search scopes by jurisdiction rely on this: national texts have no region, local ones carry their province.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

CONSTITUTION = "constitution"
LAW = "law"
ADMINISTRATIVE_REGULATION = "administrative_regulation"
DEPARTMENTAL_RULE = "departmental_rule"
LOCAL_REGULATION = "local_regulation"
JUDICIAL_INTERPRETATION = "judicial_interpretation"
NORMATIVE_DOCUMENT = "normative_document"
# No law, kept in the library as paragraphs (parser.COURT_CASE / parser.GUIDE name the same kinds).
COURT_CASE = "court_case"
GUIDE = "guide"

PROVINCES = [
    "北京市",
    "天津市",
    "上海市",
    "重庆市",
    "河北省",
    "山西省",
    "辽宁省",
    "吉林省",
    "黑龙江省",
    "江苏省",
    "浙江省",
    "安徽省",
    "福建省",
    "江西省",
    "山东省",
    "河南省",
    "湖北省",
    "湖南省",
    "广东省",
    "海南省",
    "四川省",
    "贵州省",
    "云南省",
    "陕西省",
    "甘肃省",
    "青海省",
    "台湾省",
    "内蒙古自治区",
    "广西壮族自治区",
    "西藏自治区",
    "宁夏回族自治区",
    "新疆维吾尔自治区",
    "香港特别行政区",
    "澳门特别行政区",
]
_SHORT_PROVINCE = {
    re.sub(r"(省|市|壮族自治区|回族自治区|维吾尔自治区|自治区|特别行政区)$", "", p): p for p in PROVINCES
}

# Folder names of the national database / LawRefBook layout.
FOLDER_CATEGORY = {
    "宪法": CONSTITUTION,
    "宪法相关法": LAW,
    "民法典": LAW,
    "民法商法": LAW,
    "行政法": LAW,
    "经济法": LAW,
    "社会法": LAW,
    "刑法": LAW,
    "诉讼与非诉讼程序法": LAW,
    "法律": LAW,
    "行政法规": ADMINISTRATIVE_REGULATION,
    "部门规章": DEPARTMENTAL_RULE,
    "司法解释": JUDICIAL_INTERPRETATION,
    "地方性法规": LOCAL_REGULATION,
    "规范性文件": NORMATIVE_DOCUMENT,
    "案例": COURT_CASE,
}
# Folders whose files are no law whatever their text: read as plain paragraphs of this kind.
PLAIN_FOLDERS = {"案例": COURT_CASE}
_ORDER = re.compile(r"([\u4e00-\u9fff]{2,20}?(?:部|总局|委员会|署|局|银行|办公厅))令")


class NotALaw(ValueError):
    """The file is not a law or regulation; the message says why, in Chinese (no folder raises it today)."""


@dataclass(frozen=True)
class Classification:
    category: str
    region: str = ""
    issuing_body: str = ""


def province_of(name: str) -> str:
    """The full province name a title, folder or body name starts with (山东 → 山东省); "" when none."""
    for short, full in _SHORT_PROVINCE.items():
        if name.startswith(short):
            return full
    return ""


def folder_kind(folders: Sequence[str]) -> str:
    """COURT_CASE for a file of a 案例 folder (its text is read as paragraphs whatever it holds); "" otherwise."""
    return next((PLAIN_FOLDERS[f] for f in reversed(folders) if f in PLAIN_FOLDERS), "")


def _from_folders(folders: Sequence[str]) -> Classification | None:
    for folder in reversed(folders):
        if folder.endswith("地方法规") or folder == "地方性法规":
            region = next((province_of(f) for f in folders if province_of(f)), "")
            return Classification(LOCAL_REGULATION, region)
        if folder in FOLDER_CATEGORY:
            return Classification(FOLDER_CATEGORY[folder])
    return None


_LOCAL_CONGRESS = re.compile(r"([\u4e00-\u9fff]{2,12}?(?:省|市|自治区|自治州|县))第[\u4e00-\u9fff]{1,4}届人民代表大会")
_DEPARTMENT_MEETING = re.compile(r"(部务|局务|署务|委务|部长办公|主任办公|行务)会议")


def _issuing_body(history: Sequence[str]) -> str:
    joined = " ".join(history)
    if "国务院令" in joined or "国务院、" in joined:
        return "国务院"
    if match := _ORDER.search(joined):
        return match.group(1).removeprefix("中华人民共和国")
    if match := _LOCAL_CONGRESS.search(joined):
        return f"{match.group(1)}人民代表大会常务委员会"
    for body in ("全国人民代表大会常务委员会", "全国人民代表大会", "最高人民法院", "最高人民检察院", "国务院"):
        if body in joined:
            return body
    return ""


def _from_text(title: str, body: str, history: str) -> str:
    if title.startswith("中华人民共和国宪法"):
        return CONSTITUTION
    if title.startswith(("最高人民法院", "最高人民检察院")) or body.startswith(("最高人民法院", "最高人民检察院")):
        return JUDICIAL_INTERPRETATION
    if body.startswith("全国人民代表大会") or title.startswith("全国人民代表大会"):
        return LAW
    if title.startswith("国务院") or body == "国务院":
        return ADMINISTRATIVE_REGULATION
    if body.endswith(("部", "总局", "委员会", "署", "局", "银行", "办公厅")) or _DEPARTMENT_MEETING.search(history):
        return DEPARTMENTAL_RULE
    if title.endswith("法") and not title.endswith("办法"):
        return LAW
    if title.endswith(("条例", "法实施细则")):
        return ADMINISTRATIVE_REGULATION
    if title.endswith(("办法", "规定", "规则", "细则")):
        return DEPARTMENTAL_RULE
    return NORMATIVE_DOCUMENT


def classify(*, title: str, history: Sequence[str] = (), folders: Sequence[str] = ()) -> Classification:
    """Category, province and issuing body of a text; folders (outermost first) win over title rules."""
    body = _issuing_body(history)
    local = _LOCAL_CONGRESS.findall(" ".join(history))
    region = province_of(title) or next((province_of(name) for name in local if province_of(name)), "")
    found = _from_folders(folders)
    if found is not None:
        return Classification(found.category, found.region or region, body)
    if (region or local) and not title.startswith("中华人民共和国"):
        return Classification(LOCAL_REGULATION, region, body)
    return Classification(_from_text(title, body, " ".join(history)), "", body)
