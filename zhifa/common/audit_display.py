"""How an audit event reads in Chinese: the action's name, the kind of object, and old/new values as
"字段：值" — never a raw code such as `officer.update`, a model label such as `people.officer`, or a Python dict.

Names come from the catalogue below; a code not in it is composed from its words (`plans.content_confirmed` →
"培训计划 · 内容 · 确认"); field names from the verbose names of the models' fields (the object's own model first),
coded values from those fields' choices.
"""

from __future__ import annotations

import re
from functools import cache
from typing import Any

from django.apps import apps
from django.db import models

ACTIONS = {
    "auth.login": "登录",
    "auth.login-failed": "登录失败",
    "auth.login-throttled": "登录被限制（同一密码尝试多个账号）",
    "auth.lockout": "账号锁定（连续登录失败）",
    "auth.logout": "退出登录",
    "password.change": "修改密码",
    "password.reset": "重置密码（签发临时密码）",
    "security.sso-login": "统一身份认证登录",
    "security.second-factor-enrolled": "绑定动态口令",
    "security.second-factor-reset": "重置动态口令",
    "security.lockout-reset": "解除登录锁定",
    "person.export": "导出个人信息副本",
    "person.erase": "删除个人信息（依申请或保留期满）",
    "unit.create": "新建单位",
    "unit.move": "调整单位隶属",
    "officer.create": "新增执法人员",
    "officer.update": "修改执法人员信息",
    "people.officer-updated": "修改执法人员信息",
    "officer.unmask": "查看完整身份证号和手机号",
    "officer.import": "批量导入执法人员",
    "officer.export": "导出执法人员名单",
    "role.grant": "授予角色",
    "role.revoke": "撤销角色",
    "audience.create": "新建人员范围",
    "audience.update": "修改人员范围",
    "hours.submit": "申报学时",
    "hours.approve": "认定学时",
    "hours.reject": "退回学时申报",
    "hours.withdraw": "撤销学时",
    "hours.restore": "恢复学时",
    "hours_requirement.set": "设置学时要求",
    "question.import": "导入试题",
    "question.publish": "发布试题",
    "question.version": "修订试题",
    "question.tag": "标注试题",
    "question_bank.save": "保存题库",
    "course.publish": "发布课程",
    "exams.exam_publish": "发布考试",
    "exams.papers_build": "生成试卷",
    "exams.grade_manual": "人工评分",
    "exams.grade_total": "成绩合计",
    "exams.attempt_takeover": "更换作答设备",
    "cases.scenario_publish": "发布模拟执法演练",
    "classes.class.cancel": "取消培训班",
    "classes.enrolment.add": "报名培训班",
    "classes.enrolment.audience": "按范围报名培训班",
    "classes.enrolment.decide": "审核培训班报名",
    "classes.enrolment.move": "调整培训班报名",
    "classes.enrolment.withdraw": "退出培训班",
    "classes.attendance.roll_call": "培训班点名",
    "classes.instructor.create": "新增讲师",
    "classes.instructor.unmask": "查看讲师完整证件号",
    "classes.certificate.revoke": "撤销结业证书",
    "plans.plan_create": "新建培训计划",
    "plans.plan_copy": "复制培训计划",
    "plans.plan_publish": "发布培训计划",
    "plans.plan_withdraw": "撤回培训计划",
    "plans.plan_delete": "删除培训计划",
    "plans.item_add": "添加计划事项",
    "plans.item_remove": "移除计划事项",
    "plans.assignment_exempt": "免修",
    "plans.assignment_unexempt": "取消免修",
    "plans.remind_behind": "提醒未完成人员",
    "plans.rotation_rule_save": "保存轮训规则",
    "plans.rotation_items_set": "设置轮训内容",
    "plans.rotation_enrol": "轮训编班",
    "plans.rotation_finish": "结束轮训",
    "plans.rotation_batch_create": "新建轮训批次",
    "plans.content_owner_set": "指定内容负责人",
    "plans.content_confirmed": "确认内容仍然有效",
    "certificate.revoke": "吊销执法证",
    "certificates.issue": "核发执法证",
    "certificates.suspend": "暂扣执法证",
    "certificates.expire": "执法证到期",
    "certificates.exam_link": "关联执法资格考试",
    "certificates.act_count_set": "登记执法行为数",
    "certificates.finding_record": "记录年审结论",
    "certificates.rule_set_install": "启用年审规则",
    "laws.citation_reviewed": "复核法条引用",
    "laws.version_date_confirmed": "确认法规版本日期",
    "surveys.act_batch_create": "导入执法行为",
    "surveys.comment_moderate": "审核群众留言",
    "surveys.contact_reveal": "查看群众联系方式",
    "surveys.flag_resolve": "处理异常评价",
    "surveys.held_review": "复核暂扣评价",
    "evaluation.period_create": "新建考核周期",
    "evaluation.weight_set": "设置指标权重",
    "evaluation.value_enter": "录入指标值",
    "evaluation.rubric_save": "保存评查标准",
    "evaluation.case_files_sample": "抽取评查案卷",
    "evaluation.case_file_review": "评查案卷",
    "evaluation.assignment_create": "委托第三方评估",
    "evaluation.third_party_submit": "提交第三方评估",
    "evaluation.evaluator_view": "第三方查看材料",
    "evaluation.assessment_compute": "计算年度考核",
    "evaluation.assessment_approve": "审定年度考核",
    "evaluation.assessment_publicise": "公示年度考核",
    "evaluation.assessment_finalise": "确定年度考核结果",
    "evaluation.objection_submit": "提出考核异议",
    "evaluation.objection_resolve": "处理考核异议",
    "evaluation.result_adjust": "调整考核结果",
}

# Words of composed codes (`<app>.<noun>_<verb>`): apps and nouns first, then verbs.
WORDS = {
    "auth": "登录", "security": "安全", "people": "人员", "officer": "执法人员", "unit": "单位", "role": "角色",
    "password": "密码", "audience": "人员范围", "hours": "学时", "records": "学习档案", "question": "试题",
    "questions": "题库", "bank": "题库", "course": "课程", "courses": "课程", "lesson": "课时", "exams": "考试",
    "exam": "考试", "paper": "试卷", "papers": "试卷", "attempt": "答卷", "grade": "成绩", "cases": "案例",
    "case": "案例", "scenario": "演练", "classes": "培训班", "class": "培训班", "enrolment": "报名",
    "attendance": "考勤", "instructor": "讲师", "plans": "培训计划", "plan": "培训计划", "item": "事项",
    "assignment": "任务", "rotation": "轮训", "content": "内容", "certificates": "执法证", "certificate": "执法证",
    "laws": "法规", "law": "法规", "version": "版本", "citation": "引用", "surveys": "满意度调查", "survey": "调查",
    "comment": "留言", "evaluation": "考核评估", "assessment": "年度考核", "objection": "异议", "rubric": "评查标准",
    "notices": "通知", "notice": "通知", "practice": "练习", "reports": "报表", "assistant": "法律问答",
    "create": "新建", "created": "新建", "update": "修改", "updated": "修改", "save": "保存", "delete": "删除",
    "publish": "发布", "published": "发布", "withdraw": "撤回", "approve": "批准", "approved": "批准",
    "reject": "退回", "rejected": "退回", "review": "复核", "reviewed": "复核", "confirm": "确认",
    "confirmed": "确认", "retire": "停用", "retired": "停用", "draft": "草稿", "submit": "提交", "set": "设置",
    "import": "导入", "export": "导出", "revoke": "撤销", "grant": "授予", "reset": "重置", "stale": "待复核",
    "current": "现行", "repealed": "已废止", "expired": "已到期", "suspend": "暂扣", "issue": "核发",
    "restore": "恢复", "cancel": "取消", "finish": "结束", "dismissed": "驳回", "kept": "保留",
}  # fmt: skip

# Keys of old/new that are no model field.
KEYS = {
    "username": "用户名", "via": "方式", "device": "设备", "count": "数量", "filename": "文件名", "name": "名称",
    "code": "代码", "reason": "原因", "score": "分数", "total": "总分", "hours": "学时", "status": "状态",
    "title": "标题", "year": "年度", "unit": "单位", "role": "角色", "roles": "角色", "officers": "人员",
    "questions": "试题", "items": "事项", "rows": "行数", "created": "新增", "updated": "更新", "skipped": "跳过",
    "from": "原值", "to": "新值", "parent": "上级单位", "weight": "权重", "value": "取值", "tier": "等次",
    "organisation": "机构", "passed": "是否通过", "comment": "说明", "note": "说明", "date": "日期",
    "kept": "依法保留",
}  # fmt: skip
VALUES = {"password": "密码", "oidc": "统一身份认证（OIDC）", "cas": "统一身份认证（CAS）", True: "是", False: "否"}


EMPTY = "—"  # an empty value, as every table of the site shows it


def action_label(code: str) -> str:
    """The Chinese name of an audit action code; composed from its words when it is not in the catalogue."""
    if code in ACTIONS:
        return ACTIONS[code]
    words = [w for w in re.split(r"[._\-]", code) if w]
    translated = [WORDS.get(w) for w in words]
    if words and all(translated):
        return " · ".join(dict.fromkeys(t for t in translated if t))
    return "其他操作"


@cache
def _model(label: str) -> type[models.Model] | None:
    try:
        return apps.get_model(label)
    except (LookupError, ValueError):
        return None


def object_kind(label: str) -> str:
    """`people.officer` → 执法人员 (the model's verbose name)."""
    model = _model(label) if label else None
    return str(model._meta.verbose_name) if model is not None else ""


@cache
def _fields_by_name() -> dict[str, models.Field]:
    index: dict[str, models.Field] = {}
    for model in apps.get_models():
        if not model.__module__.startswith("zhifa."):
            continue
        for field in model._meta.concrete_fields:
            index.setdefault(field.name, field)
            index.setdefault(field.attname, field)
    return index


def _field(label: str, key: str) -> models.Field | None:
    model = _model(label) if label else None
    if model is not None:
        for field in model._meta.concrete_fields:
            if key in (field.name, field.attname):
                return field
    return _fields_by_name().get(key)


def _key_label(label: str, key: str) -> str:
    model = _model(label) if label else None
    own = [f for f in model._meta.concrete_fields if key in (f.name, f.attname)] if model is not None else []
    if own and re.search(r"[\u4e00-\u9fff]", str(own[0].verbose_name)):
        return str(own[0].verbose_name)  # the object's own field first: `name` of an officer is 姓名
    if key in KEYS:
        return KEYS[key]
    field = _field(label, key)
    if field is not None and re.search(r"[\u4e00-\u9fff]", str(field.verbose_name)):
        return str(field.verbose_name)
    return key if not re.fullmatch(r"[A-Za-z0-9_]+", key) else "其他"


def _value_text(label: str, key: str, value: Any) -> str:
    if value is None or value == "" or value == "None":  # "None": a str() of nothing kept by an older write
        return EMPTY
    if isinstance(value, bool) or (isinstance(value, str) and value in VALUES):
        return VALUES[value]
    if isinstance(value, list | tuple):
        return "、".join(_value_text(label, key, v) for v in value) or EMPTY
    if isinstance(value, dict):
        return "；".join(f"{_key_label(label, str(k))}：{_value_text(label, str(k), v)}" for k, v in value.items())
    field = _field(label, key)
    if field is not None and field.choices:
        choices = {str(k): str(v) for k, v in field.flatchoices}
        if str(value) in choices:
            return choices[str(value)]
    if isinstance(value, str) and value in ACTIONS:
        return ACTIONS[value]
    if isinstance(value, str) and (reference := _reference_text(value)):
        return reference
    return str(value)


def _reference_text(value: str) -> str:
    """An internal reference such as a finding's source key `evaluation:casefile:4:officer:7` as 案卷 #4 · 执法人员 #7
    (app, then model and id pairs); "" when the value is not one."""
    parts = value.split(":")
    if len(parts) < 3 or len(parts) % 2 == 0 or not all(re.fullmatch(r"[a-z_]+|\d+", p) for p in parts):
        return ""
    app, rest = parts[0], parts[1:]
    named = []
    for name, number in zip(rest[::2], rest[1::2], strict=True):
        model = _model(f"{app}.{name}") or next((m for m in apps.get_models() if m._meta.model_name == name), None)
        if model is None or not number.isdigit():
            return ""
        named.append(f"{model._meta.verbose_name} #{number}")
    return " · ".join(named)


def details(label: str, data: Any) -> list[tuple[str, str]]:
    """Old or new values as (Chinese field name, readable value) pairs."""
    if data in (None, "", {}, []):
        return []
    if not isinstance(data, dict):
        return [("", _value_text(label, "", data))]
    return [(_key_label(label, str(key)), _value_text(label, str(key), value)) for key, value in data.items()]
