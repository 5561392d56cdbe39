"""The example question bank shipped as examples/question_bank_example.xlsx
(written by scripts/make_xlsx_examples.py and served on the import page):
realistic questions of every type the template supports, case included."""
from __future__ import annotations

from lms.content.schema import ParsedQuestion, Source


def _q(qid, qtype, stem, data, *, points=1.0, difficulty="medium", tags=(), explanation=""):
    return ParsedQuestion(id=qid, type=qtype, stem_md=stem, points=float(points), difficulty=difficulty,
                          tags=sorted(tags), explanation_md=explanation, data=data,
                          source=Source("question_bank_example.xlsx"))


def _options(*texts):
    return [{"key": chr(65 + i), "text": t} for i, t in enumerate(texts)]


def example_questions() -> list[ParsedQuestion]:
    return [
        _q("ex-dep-001", "single", "个人通知存款的最低起存金额是多少？",
           {"options": _options("1 万元", "5 万元", "10 万元", "50 万元"), "correct": ["B"]},
           difficulty="easy", tags=["个人存款", "通知存款"],
           explanation="个人通知存款最低起存金额为 5 万元，分一天、七天两个品种。"),
        _q("ex-dep-002", "single", "存款保险对同一存款人在同一家投保机构的存款，最高偿付限额是多少？",
           {"options": _options("20 万元", "50 万元", "100 万元", "不设上限"), "correct": ["B"]},
           tags=["存款保险"], explanation="《存款保险条例》规定最高偿付限额为人民币 50 万元。"),
        _q("ex-loan-001", "multiple", "贷款五级分类中，属于不良贷款的有哪些？",
           {"options": _options("关注类", "次级类", "可疑类", "损失类", "正常类"), "correct": ["B", "C", "D"]},
           points=2, tags=["贷款风险分类"], explanation="次级、可疑、损失三类合称不良贷款。"),
        _q("ex-kyc-001", "multiple", "为客户开立个人银行结算账户时，客户经理应当做到：",
           {"options": _options("核验有效身份证件", "通过联网核查系统核实身份", "了解开户意愿和用途",
                                "代客户签名以提高效率"), "correct": ["A", "B", "C"]},
           points=2, difficulty="easy", tags=["反洗钱", "账户管理"],
           explanation="不得代客户签名；身份核验与开户意愿核实是“了解你的客户”的基本要求。"),
        _q("ex-wm-001", "truefalse", "向客户销售理财产品时，可以承诺保本保收益以提高成交率。", {"correct": False},
           difficulty="easy", tags=["理财销售", "合规"],
           explanation="资管新规打破刚性兑付，任何人不得向客户承诺保本保收益。"),
        _q("ex-wm-002", "truefalse", "销售理财产品应当对销售过程进行录音录像（“双录”）。", {"correct": True},
           tags=["理财销售", "双录"], explanation="按监管要求，理财产品销售实行专区双录。"),
        _q("ex-loan-002", "fill", "贷款五级分类依次为正常、关注、{{1}}、{{2}}、损失。",
           {"blanks": [["次级", "次级类"], ["可疑", "可疑类"]]}, points=2, tags=["贷款风险分类"],
           explanation="五级分类：正常、关注、次级、可疑、损失。"),
        _q("ex-corp-001", "fill", "流动比率 = {{1}} ÷ 流动负债。", {"blanks": [["流动资产"]]},
           tags=["财务分析"], explanation="流动比率衡量短期偿债能力。"),
        _q("ex-corp-002", "numeric", "某企业负债总额 500 万元，资产总额 800 万元，其资产负债率是多少（%）？",
           {"answer": 62.5, "tolerance": 0.1, "unit": "%"}, points=2, difficulty="medium", tags=["财务分析"],
           explanation="资产负债率 = 负债总额 ÷ 资产总额 × 100% = 62.5%。"),
        _q("ex-dep-003", "numeric", "客户存入一年期定期存款 10 万元，年利率 1.5%，到期利息是多少元？",
           {"answer": 1500.0, "tolerance": 0.0, "unit": "元"}, tags=["个人存款"],
           explanation="利息 = 本金 × 年利率 × 期限 = 100000 × 1.5% × 1 = 1500 元。"),
        _q("ex-risk-001", "essay", "简述贷前调查中“三查”制度的内容及客户经理的责任。",
           {"rubric": "1. 贷前调查、贷时审查、贷后检查；\n2. 调查内容真实、完整；\n3. 客户经理对调查结论负责，"
                      "尽职免责、失职问责。"},
           points=5, difficulty="hard", tags=["信贷管理", "尽职调查"],
           explanation="“三查”是信贷风险管理的基本制度。"),
        _q("ex-case-001", "case",
           "某制造企业申请流动资金贷款 800 万元。客户经理调查发现：企业上年末流动资产 1200 万元、流动负债 1000 万元；"
           "企业实际控制人同时控制一家贸易公司，两家公司之间有大额往来。",
           {"parts": [
               {"id": "a", "type": "single", "stem": "该企业的流动比率约为多少？", "points": 2.0,
                "data": {"options": _options("0.8", "1.2", "2.0"), "correct": ["B"]},
                "explanation": "流动资产 ÷ 流动负债 = 1200 ÷ 1000 = 1.2。"},
               {"id": "b", "type": "truefalse", "stem": "两家公司之间的大额往来可能是关联交易，需要重点核查。",
                "points": 1.0, "data": {"correct": True}, "explanation": "关联交易可能被用来虚增收入或转移资金。"},
               {"id": "c", "type": "essay", "stem": "请写出你对该笔贷款的调查建议。", "points": 3.0,
                "data": {"rubric": "核实关联交易背景与资金流向；核查真实贸易背景；评估第一还款来源。"},
                "explanation": ""},
           ]},
           points=6, difficulty="hard", tags=["贷前调查", "关联交易"],
           explanation="案例考查财务分析与关联交易识别。"),
    ]
