# ruff: noqa: E501 - question texts read better unbroken
"""The demo's knowledge point tree and sample bank, written for this project (no third-party questions).

Articles cited are those of the current texts (行政处罚法 2021, 行政许可法 2019, 行政强制法 2011, 行政复议法 2023,
行政诉讼法 2017, 政府信息公开条例 2019, 公务员法 2018) and of the law library's own sample regulations of the fictional
江北市 (seed_laws), so that a fresh demo shows resolved citations next to pending ones.
"""

from __future__ import annotations

# (code, name, parent code)
TREE = [
    ("law", "法律知识", None),
    ("law-penalty", "行政处罚程序", "law"),
    ("law-licensing", "行政许可", "law"),
    ("law-coercion", "行政强制", "law"),
    ("law-review", "行政复议与诉讼", "law"),
    ("law-evidence", "证据规则", "law"),
    ("law-disclosure", "政府信息公开", "law"),
    ("ethics", "职业道德", None),
    ("ethics-duty", "依法履职", "ethics"),
    ("ethics-integrity", "廉洁自律", "ethics"),
    ("ethics-civility", "文明执法", "ethics"),
    ("ethics-service", "服务意识", "ethics"),
    ("ethics-empathy", "换位思考", "ethics"),
    ("skill", "业务技能", None),
    ("skill-documents", "执法文书", "skill"),
    ("skill-inspection", "现场检查", "skill"),
    ("skill-investigation", "调查取证", "skill"),
    ("skill-recording", "执法全过程记录", "skill"),
]

P = "行政处罚法#"


def _single(key, stem, options, answer, explanation, points, articles, difficulty=2):
    return {"external_id": key, "kind": "single", "stem": stem, "options": options, "answer": [answer],
            "explanation": explanation, "knowledge_points": points, "article_keys": articles,
            "difficulty": difficulty}  # fmt: skip


def _multiple(key, stem, options, answer, explanation, points, articles, difficulty=3):
    return {"external_id": key, "kind": "multiple", "stem": stem, "options": options, "answer": list(answer),
            "explanation": explanation, "knowledge_points": points, "article_keys": articles,
            "difficulty": difficulty}  # fmt: skip


def _judge(key, stem, answer, explanation, points, articles, difficulty=1):
    return {"external_id": key, "kind": "judge", "stem": stem, "answer": [answer], "explanation": explanation,
            "knowledge_points": points, "article_keys": articles, "difficulty": difficulty}  # fmt: skip


def _blank(key, stem, answer, explanation, points, articles, difficulty=2):
    return {"external_id": key, "kind": "blank", "stem": stem, "answer": answer, "explanation": explanation,
            "knowledge_points": points, "article_keys": articles, "difficulty": difficulty}  # fmt: skip


def _short(key, stem, reference, rubric, explanation, points, articles, difficulty=3):
    return {"external_id": key, "kind": "short", "stem": stem,
            "answer": {"reference": reference, "rubric": rubric}, "explanation": explanation,
            "knowledge_points": points, "article_keys": articles, "difficulty": difficulty}  # fmt: skip


SINGLE = [
    _single("zhifa-sample-s01", "行政机关在作出行政处罚决定之前，应当告知当事人依法享有的权利。下列不属于应当告知的权利的是（  ）。",
            ["陈述的权利", "申辩的权利", "符合法定情形时要求听证的权利", "要求更换作出处罚决定的行政机关的权利"], "D",
            "告知的内容是拟作出的处罚内容及事实、理由、依据，以及陈述、申辩、要求听证等权利；法律没有规定“更换机关”的权利。",
            ["law-penalty"], [P + "第四十四条"]),
    _single("zhifa-sample-s02", "行政处罚应当由具有行政执法资格的执法人员实施。执法人员不得少于（  ）人，法律另有规定的除外。",
            ["一", "两", "三", "四"], "B", "两人执法既是程序要求，也是相互监督、保护执法人员的措施。",
            ["law-penalty", "ethics-duty"], [P + "第四十二条"], 1),
    _single("zhifa-sample-s03", "当事人要求听证的，应当在行政机关告知后（  ）内提出。",
            ["三日", "五日", "七日", "十五日"], "B", "注意区分：当事人五日内提出；行政机关在举行听证的七日前通知。",
            ["law-penalty"], [P + "第六十四条"]),
    _single("zhifa-sample-s04", "违法事实确凿并有法定依据，适用简易程序当场作出罚款决定的，对公民的罚款数额应在（  ）。",
            ["五十元以下", "二百元以下", "一千元以下", "三千元以下"], "B",
            "当场处罚：对公民二百元以下、对法人或者其他组织三千元以下罚款或者警告。", ["law-penalty"], [P + "第五十一条"]),
    _single("zhifa-sample-s05", "除法律、法规、规章另有规定外，行政机关应当自行政处罚案件立案之日起（  ）内作出行政处罚决定。",
            ["三十日", "六十日", "九十日", "一百八十日"], "C", "2021 年修订的行政处罚法新增了九十日的办案期限。",
            ["law-penalty"], [P + "第六十条"]),
    _single("zhifa-sample-s06", "行政许可申请材料不齐全或者不符合法定形式的，行政机关应当当场或者在（  ）内一次告知申请人需要补正的全部内容。",
            ["三日", "五日", "七日", "十日"], "B", "逾期不告知的，自收到申请材料之日起即为受理。",
            ["law-licensing", "ethics-service"], ["行政许可法#第三十二条"]),
    _single("zhifa-sample-s07", "除可以当场作出行政许可决定的外，行政机关应当自受理申请之日起（  ）内作出决定；不能作出的，经本机关负责人批准可以延长（  ）。",
            ["二十日；十日", "三十日；十日", "二十日；十五日", "四十五日；十五日"], "A",
            "四十五日、延长十五日是统一办理、联合办理、集中办理的期限。", ["law-licensing"], ["行政许可法#第四十二条"], 3),
    _single("zhifa-sample-s08", "查封、扣押的期限不得超过（  ）；情况复杂的，经行政机关负责人批准可以延长，但延长期限不得超过（  ）。",
            ["十五日；十五日", "三十日；三十日", "三十日；六十日", "六十日；三十日"], "B",
            "法律、行政法规另有规定的除外；延长的决定应当及时书面告知当事人并说明理由。", ["law-coercion"], ["行政强制法#第二十五条"]),
    _single("zhifa-sample-s09", "公民认为行政行为侵犯其合法权益的，一般可以自知道或者应当知道该行政行为之日起（  ）内提出行政复议申请。",
            ["十五日", "三十日", "六十日", "六个月"], "C", "法律规定的申请期限超过六十日的除外。",
            ["law-review"], ["行政复议法#第二十条"]),
    _single("zhifa-sample-s10", "公民直接向人民法院提起行政诉讼的，除法律另有规定外，应当自知道或者应当知道作出行政行为之日起（  ）内提出。",
            ["三个月", "六个月", "一年", "二年"], "B", "注意与申请行政复议的六十日相区分。", ["law-review"], ["行政诉讼法#第四十六条"]),
    _single("zhifa-sample-s11", "行政机关收到政府信息公开申请，不能当场答复的，应当自收到申请之日起（  ）内予以答复。",
            ["10个工作日", "15个工作日", "20个工作日", "30日"], "C",
            "需要延长的，经政府信息公开工作机构负责人同意并告知申请人，延长最长不得超过20个工作日。",
            ["law-disclosure"], ["政府信息公开条例#第三十三条"]),
    _single("zhifa-sample-s12", "执法人员王某检查一家餐馆时，店主塞给他一张购物卡，说是“请喝杯茶”。王某正确的做法是（  ）。",
            ["先收下，回单位后登记上交", "当场明确拒绝，并如实记录情况", "收下，但保证不影响检查结论", "收下，处罚时酌情从轻作为回报"], "B",
            "利用职务之便谋取私利是公务员的禁止行为；当场拒绝最能避免瓜田李下，并应如实记录、按规定报告。",
            ["ethics-integrity"], ["公务员法#第五十九条"], 1),
    _single("zhifa-sample-s13", "两个以上行政机关对同一违法行为都有管辖权的，由（  ）管辖。",
            ["最先立案的行政机关", "处罚较重的行政机关", "当事人选择的行政机关", "级别较高的行政机关"], "A",
            "对管辖发生争议的，协商解决；协商不成的，报请共同的上一级行政机关指定管辖。", ["law-penalty"], [P + "第二十五条"]),
    _single("zhifa-sample-s14", "根据《江北市行政执法人员培训管理办法》，行政执法人员每年参加培训的时间不少于（  ）学时。",
            ["二十", "四十", "六十", "八十"], "C", "其中通用法律知识培训不少于二十学时；新取得执法证件的人员另有不少于四十学时的岗前培训。",
            ["ethics-duty"], ["江北市行政执法人员培训管理办法#第五条"], 1),
]  # fmt: skip

MULTIPLE = [
    _multiple("zhifa-sample-m01", "根据《行政处罚法》，下列属于行政处罚种类的有（  ）。",
              ["通报批评", "没收违法所得", "降低资质等级", "记大过"], "ABC", "记大过是对公职人员的处分，不是行政处罚。",
              ["law-penalty"], [P + "第九条"]),
    _multiple("zhifa-sample-m02", "行政机关拟作出下列哪些行政处罚决定时，应当告知当事人有要求听证的权利？（  ）",
              ["较大数额罚款", "吊销许可证件", "责令停产停业", "警告"], "ABC", "警告属于较轻的处罚，不在必须告知听证权利的范围内。",
              ["law-penalty"], [P + "第六十三条"]),
    _multiple("zhifa-sample-m03", "下列属于《行政处罚法》规定的证据种类的有（  ）。",
              ["电子数据", "鉴定意见", "现场笔录", "执法人员的内心确信"], "ABC", "证据必须经查证属实，方可作为认定案件事实的根据。",
              ["law-evidence", "skill-investigation"], [P + "第四十六条"]),
    _multiple("zhifa-sample-m04", "行政机关实施行政强制措施应当遵守的规定包括（  ）。",
              ["实施前须向行政机关负责人报告并经批准", "由两名以上行政执法人员实施", "出示执法身份证件", "当事人不到场的，一律不得实施"],
              "ABC", "当事人不到场的，邀请见证人到场，由见证人和行政执法人员在现场笔录上签名或者盖章。",
              ["law-coercion", "skill-inspection"], ["行政强制法#第十八条"]),
    _multiple("zhifa-sample-m05", "下列属于行政强制措施的有（  ）。",
              ["限制公民人身自由", "查封场所、设施或者财物", "冻结存款、汇款", "加处罚款或者滞纳金"], "ABC",
              "加处罚款或者滞纳金是行政强制执行的方式，不是行政强制措施。",
              ["law-coercion"], ["行政强制法#第九条", "行政强制法#第十二条"], 4),
    _multiple("zhifa-sample-m06", "下列政府信息中，行政机关不得公开或者可以不予公开的有（  ）。",
              ["依法确定为国家秘密的政府信息", "公开会损害第三方合法权益、第三方不同意公开且不公开不会对公共利益造成重大影响的个人隐私",
               "行政机关的人事管理、后勤管理等内部事务信息", "行政许可的办理结果"], "ABC",
              "行政许可的办理结果属于应当主动公开的信息。", ["law-disclosure"],
              ["政府信息公开条例#第十四条", "政府信息公开条例#第十五条", "政府信息公开条例#第十六条"], 4),
    _multiple("zhifa-sample-m07", "执法人员进行现场检查时，下列做法符合文明执法要求的有（  ）。",
              ["主动出示执法证件，说明来意", "用语规范，不使用侮辱、嘲讽的语言", "认真听取当事人的陈述和申辩", "为提高效率，当事人不在时直接撬锁进入"],
              "ABC", "文明执法首先是依法执法：出示证件、听取意见都是法定程序，撬锁进入没有法律依据。",
              ["ethics-civility", "skill-inspection"], [P + "第五十五条", P + "第四十五条"], 2),
    _multiple("zhifa-sample-m08", "在证据可能灭失或者以后难以取得的情况下先行登记保存证据，下列说法正确的有（  ）。",
              ["须经行政机关负责人批准", "应当在七日内及时作出处理决定", "登记保存期间，当事人不得销毁或者转移证据", "可以由一名执法人员自行决定"],
              "ABC", "先行登记保存是取证措施，必须经负责人批准并在七日内处理。",
              ["skill-investigation", "law-evidence"], [P + "第五十六条"]),
]  # fmt: skip

JUDGE = [
    _judge("zhifa-sample-j01", "对当事人的同一个违法行为，不得给予两次以上罚款的行政处罚。", True, "即“一事不再罚（款）”原则。",
           ["law-penalty"], [P + "第二十九条"]),
    _judge("zhifa-sample-j02", "违法行为在二年内未被发现的，一律不再给予行政处罚。", False,
           "涉及公民生命健康安全、金融安全且有危害后果的，期限延长至五年；法律另有规定的除外。", ["law-penalty"], [P + "第三十六条"], 2),
    _judge("zhifa-sample-j03", "不满十四周岁的未成年人有违法行为的，不予行政处罚，责令监护人加以管教。", True, "",
           ["law-penalty"], [P + "第三十条"]),
    _judge("zhifa-sample-j04", "行政强制措施权可以委托给其他组织行使。", False, "行政强制措施权不得委托。",
           ["law-coercion"], ["行政强制法#第十七条"]),
    _judge("zhifa-sample-j05", "为提高效率，行政机关可以在夜间或者法定节假日实施行政强制执行。", False, "情况紧急的除外。",
           ["law-coercion", "ethics-civility"], ["行政强制法#第四十三条"]),
    _judge("zhifa-sample-j06", "行政复议期间，被申请人可以自行向申请人收集证据以补强原行政行为。", False,
           "被申请人不得自行向申请人和其他有关单位或者个人收集证据；自行收集的证据不作为认定行政行为合法性、适当性的依据。",
           ["law-review", "law-evidence"], ["行政复议法#第四十六条"], 2),
    _judge("zhifa-sample-j07", "执法人员与案件有直接利害关系或者有其他关系可能影响公正执法的，应当回避。", True, "",
           ["ethics-duty", "law-penalty"], [P + "第四十三条"]),
    _judge("zhifa-sample-j08", "行政机关依申请提供政府信息，一律按页收取工本费。", False,
           "依申请提供政府信息不收取费用；数量、频次明显超过合理范围的，才可以收取信息处理费。",
           ["law-disclosure", "ethics-service"], ["政府信息公开条例#第四十二条"], 2),
    _judge("zhifa-sample-j10", "依照《江北市市场监管轻微违法行为不予处罚清单》不予处罚的，市场监管部门无需再对当事人进行教育。", False,
           "适用清单不予处罚的，应当对当事人进行教育，并制作不予行政处罚决定书；也不影响责令改正。",
           ["law-penalty", "ethics-empathy"], ["江北市市场监管轻微违法行为不予处罚清单#第三条"], 2),
    _judge("zhifa-sample-j09", "作出罚款决定的行政机关应当与收缴罚款的机构分离。", True, "即“罚缴分离”。",
           ["law-penalty", "ethics-integrity"], [P + "第六十七条"]),
]  # fmt: skip

BLANK = [
    _blank("zhifa-sample-b01", "行政机关应当依法以文字、音像等形式，对行政处罚的启动、调查取证、审核、决定、送达、执行等进行____记录，归档保存。",
           [["全过程"]], "执法全过程记录制度。", ["skill-recording"], [P + "第四十七条"]),
    _blank("zhifa-sample-b02", "行政处罚决定书应当在宣告后当场交付当事人；当事人不在场的，行政机关应当在____日内依照民事诉讼法的有关规定送达。",
           [["七", "7"]], "当事人同意并签订确认书的，可以采用传真、电子邮件等方式送达。", ["skill-documents"], [P + "第六十一条"]),
    _blank("zhifa-sample-b03", "当事人到期不缴纳罚款的，每日按罚款数额的百分之____加处罚款，加处罚款的数额不得超出____的数额。",
           [["三", "3"], ["罚款", "原罚款"]], "", ["law-penalty", "law-coercion"], [P + "第七十二条"], 3),
    _blank("zhifa-sample-b04", "行政复议机关收到行政复议申请后，应当在____日内进行审查。", [["五", "5"]], "",
           ["law-review"], ["行政复议法#第三十条"]),
    _blank("zhifa-sample-b05", "具有一定社会影响的行政处罚决定应当依法____。", [["公开"]],
           "公开的决定被变更、撤销、确认违法或者无效的，应当在三日内撤回并公开说明理由。", ["law-penalty", "law-disclosure"], [P + "第四十八条"]),
    _blank("zhifa-sample-b06", "执法人员在调查或者进行检查时，应当主动向当事人或者有关人员出示____。", [["执法证件", "行政执法证件"]],
           "执法人员不出示执法证件的，当事人或者有关人员有权拒绝接受调查或者检查。", ["skill-inspection"], [P + "第五十五条"], 1),
]  # fmt: skip

SHORT = [
    _short("zhifa-sample-h01", "简述行政机关在作出行政处罚决定之前应当告知当事人的事项。",
           "应当告知当事人拟作出的行政处罚内容及事实、理由、依据，并告知当事人依法享有的陈述、申辩、要求听证等权利。",
           [{"point": "拟作出的处罚内容", "score": 1, "keywords": ["处罚内容"]},
            {"point": "事实、理由、依据", "score": 2, "keywords": ["事实", "理由", "依据"]},
            {"point": "陈述、申辩的权利", "score": 1, "keywords": ["陈述", "申辩"]},
            {"point": "要求听证的权利", "score": 1, "keywords": ["听证"]}],
           "未依法告知的，不得作出行政处罚决定。", ["law-penalty"], [P + "第四十四条"]),
    _short("zhifa-sample-h02", "个体商户初次违法，危害后果轻微并已及时改正。作为执法人员应当如何处理？请结合“首违不罚”说明，并谈谈换位思考在其中的体现。",
           "初次违法且危害后果轻微并及时改正的，可以不予行政处罚；不予处罚的，应当对当事人进行教育。执法既要依法，也要站在经营者角度，"
           "讲清违法之处和整改方法，做到处罚与教育相结合。",
           [{"point": "可以不予行政处罚", "score": 2, "keywords": ["不予处罚", "不予行政处罚", "首违不罚"]},
            {"point": "对当事人进行教育", "score": 1, "keywords": ["教育"]},
            {"point": "处罚与教育相结合、换位思考", "score": 1, "keywords": ["换位", "相结合", "整改"]}],
           "", ["law-penalty", "ethics-empathy"], [P + "第三十三条"], 2),
    _short("zhifa-sample-h03", "行政处罚决定书应当载明哪些事项？",
           "当事人的姓名或者名称、地址；违法事实和证据；行政处罚的种类和依据；履行方式和期限；申请行政复议、提起行政诉讼的途径和期限；"
           "作出决定的行政机关名称和日期；并加盖行政机关印章。",
           [{"point": "当事人信息", "score": 1, "keywords": ["姓名", "名称"]},
            {"point": "违法事实和证据", "score": 1, "keywords": ["事实"]},
            {"point": "处罚种类和依据", "score": 1, "keywords": ["种类"]},
            {"point": "履行方式和期限", "score": 1, "keywords": ["履行"]},
            {"point": "救济途径和期限", "score": 1, "keywords": ["复议", "诉讼"]},
            {"point": "机关名称、日期和印章", "score": 1, "keywords": ["印章", "日期"]}],
           "", ["skill-documents"], [P + "第五十九条"], 3),
]  # fmt: skip

# fmt: off
CASE = [
    {
        "external_id": "zhifa-sample-c01",
        "kind": "case",
        "stem": "某区市场监督管理局接到举报，称某超市销售超过保质期的食品。执法人员张某、李某到该超市检查，出示执法证件后，"
        "在货架上发现超过保质期的酸奶 20 盒。二人拍摄了现场照片，制作了现场笔录，询问了店长，并经局负责人批准对酸奶"
        "先行登记保存。经调查，该超市系初次被发现此类违法行为，局里拟对其处以 5000 元罚款。",
        "answer": {"reference": "本案拟对单位处 5000 元罚款，超出当场处罚的限额，应适用普通程序；取证、先行登记保存、告知和听取"
                   "陈述申辩均应依法进行。", "rubric": []},
        "explanation": "综合考查处罚程序、证据种类、先行登记保存和陈述申辩权。",
        "knowledge_points": ["law-penalty", "skill-investigation"],
        "article_keys": [P + "第五十一条", P + "第五十六条"],
        "difficulty": 4,
        "sub_questions": [
            {"kind": "single", "stem": "对该超市拟处 5000 元罚款，应当适用的程序是（  ）。",
             "options": ["简易程序（当场处罚）", "普通程序", "无需任何程序", "必须先经听证才能立案"], "answer": ["B"],
             "explanation": "对法人或者其他组织当场罚款的上限是三千元。", "article_keys": [P + "第五十一条"], "difficulty": 2},
            {"kind": "multiple", "stem": "本案中执法人员收集的下列材料，属于法定证据种类的有（  ）。",
             "options": ["现场照片", "现场笔录", "对店长的询问笔录", "网上匿名评论截图中的猜测"], "answer": ["A", "B", "C"],
             "explanation": "照片属于视听资料，询问笔录记录的是当事人的陈述。", "article_keys": [P + "第四十六条"], "difficulty": 3},
            {"kind": "judge", "stem": "对酸奶先行登记保存后，行政机关应当在七日内及时作出处理决定。", "answer": [True],
             "article_keys": [P + "第五十六条"], "difficulty": 2},
            {"kind": "short", "stem": "如超市负责人在告知后提出陈述和申辩，行政机关应当如何对待？",
             "answer": {"reference": "必须充分听取意见，对提出的事实、理由和证据进行复核；成立的应当采纳；不得因当事人陈述、申辩而给予更重的处罚。",
                        "rubric": [{"point": "充分听取意见", "score": 2, "keywords": ["听取"]},
                                   {"point": "进行复核", "score": 1, "keywords": ["复核"]},
                                   {"point": "成立的应当采纳", "score": 1, "keywords": ["采纳"]},
                                   {"point": "不得因陈述申辩加重处罚", "score": 2, "keywords": ["更重", "加重"]}]},
             "article_keys": [P + "第四十五条"], "difficulty": 3},
        ],
    },
]
# fmt: on

# Practice-only questions (the daily practice's own, never on a paper): the demo's officers practise them, so the
# mastery map and the unit heatmap have data.
K = "行政强制法#"
PRACTICE = [
    {**q, "use": "practice"}
    for q in (
        _judge("zhifa-practice-p01", "行政处罚的种类包括警告、通报批评、罚款、没收违法所得。", True, "见行政处罚法第九条。",
               ["law-penalty"], [P + "第九条"]),
        _judge("zhifa-practice-p02", "执法人员当场作出行政处罚决定的，可以不向当事人出示执法证件。", False,
               "应当向当事人出示执法证件。", ["law-penalty", "skill-documents"], [P + "第五十二条"]),
        _judge("zhifa-practice-p03", "当事人要求听证的，应当在行政机关告知后五日内提出。", True, "", ["law-penalty"],
               [P + "第六十四条"]),
        _judge("zhifa-practice-p04", "查封、扣押的期限不得超过三十日；情况复杂的，经批准可以延长，但延长期限不得超过三十日。",
               True, "", ["law-coercion"], [K + "第二十五条"]),
        _judge("zhifa-practice-p05", "行政机关可以查封、扣押与违法行为无关的场所、设施或者财物。", False, "不得查封、扣押与违法行为无关的。",
               ["law-coercion"], [K + "第二十三条"]),
        _judge("zhifa-practice-p06", "实施行政强制措施应当制作现场笔录，由当事人和行政执法人员签名或者盖章。", True, "",
               ["law-coercion", "skill-documents"], [K + "第十八条"]),
        _judge("zhifa-practice-p07", "行政机关不得对居民生活采取停止供水、供电、供热、燃气等方式迫使当事人履行相关行政决定。",
               True, "", ["ethics-civility", "law-coercion"], [K + "第四十三条"]),
        _judge("zhifa-practice-p08", "执法人员与案件有直接利害关系的，应当回避。", True, "", ["ethics-integrity"],
               [P + "第四十三条"]),
    )
]  # fmt: skip

QUESTIONS = SINGLE + MULTIPLE + JUDGE + BLANK + SHORT + CASE + PRACTICE
