"""The trustee report's words in English and Chinese.

The Chinese follows the terms of the market's filed reports (受托机构报告 / 资产管理报告
under the NAFMII and exchange templates: 兑付日, 计算日, 期初/期末本金余额, 每百元面值,
本金因子, 违约率, 触发事件 ...). Names of the deal, its parties, classes, accounts and
clauses are the deal file's own and are never translated.
"""

from __future__ import annotations

LANGS = ("zh", "en")

LABELS: dict[str, tuple[str, str]] = {
    # title and basics
    "title": ("Trustee report", "受托机构报告"),
    "subtitle": ("{deal} — payment date {date}", "{deal} —— 兑付日 {date}"),
    "basics": ("1. The deal", "一、项目基本信息"),
    "deal": ("Deal", "项目名称"),
    "source": ("Source of the terms", "交易条款来源"),
    "effective": ("Trust effective date", "信托生效日"),
    "revolving_end": ("Scheduled end of the revolving period", "循环期预计结束日"),
    "legal_maturity": ("Legal maturity", "法定到期日"),
    "pool_kind": ("Pool", "资产池"),
    "pool_rep_line": ("representative lines (rep-line)", "代表性资产组（汇总模拟）"),
    "pool_loan_level": ("loan by loan", "逐笔资产"),
    "period_now": ("Period at the payment date", "兑付日所处期间"),
    "period_revolving": ("revolving", "循环期"),
    "period_amortization": ("amortization", "摊还期"),
    "period_wind_up": ("wind-up", "清算期"),
    "payment_date": ("Payment date", "兑付日"),
    "calculation_date": ("Calculation date", "计算日"),
    "period_covered": ("Period covered", "报告期间"),
    "period_from_to": ("after {a} to {b}", "{a}（不含）至 {b}"),
    "period_start": ("from the trust effective date to {b}", "信托生效日至 {b}"),
    "waterfall": ("Waterfall applied", "适用的分配顺序"),
    "final": ("final distribution", "最后一次分配"),
    "next_payment_date": ("Next payment date", "下一兑付日"),
    "none_final": ("none: this is the final payment date", "无（本次为最后一个兑付日）"),
    "units": ("Amounts in 万元 (10,000 CNY), two decimals, rounded half up from the fen; "
              "per 100 CNY of face in CNY.",
              "金额单位：万元，保留两位小数（以分为单位精确计算后四舍五入）；每百元面值金额单位：元。"),
    "parties": ("2. Parties", "二、参与机构"),
    "role": ("Role", "角色"),
    "name": ("Name", "名称"),
    "role_originator": ("Originator / seller", "发起机构 / 委托人"),
    "role_servicer": ("Servicer", "资产服务机构"),
    "role_trustee": ("Trustee", "受托机构"),
    "role_custodian": ("Custodian (fund keeper)", "资金保管机构"),
    "long_term_rating": ("long-term rating", "主体长期信用等级"),
    "designated_affiliate": ("designated affiliate", "指定关联方"),
    # notes
    "notes": ("3. Notes: balances and payments", "三、证券兑付情况"),
    "class": ("Class / series", "证券 / 期次"),
    "rating": ("Rating", "评级"),
    "coupon": ("Coupon %", "票面利率 %"),
    "expected_maturity": ("Expected maturity", "预期到期日"),
    "opening": ("Opening", "期初本金余额"),
    "issued": ("Issued", "本期发行"),
    "interest_paid": ("Interest / income paid", "支付利息 / 收益"),
    "interest_shortfall": ("Interest shortfall", "利息差额"),
    "principal_paid": ("Principal paid", "偿还本金"),
    "closing": ("Closing", "期末本金余额"),
    "interest_per_100": ("Interest per 100", "每百元利息"),
    "principal_per_100": ("Principal per 100", "每百元本金"),
    "factor": ("Note factor", "本金因子"),
    "series_row": ("series {n}", "第{n}期"),
    "period_income": ("period income, cap {cap}%", "期间收益，上限{cap}%"),
    "rolling_note": ("{cls} is issued in rolling series: its rows below show each series "
                     "outstanding on this date, issued on it or repaid on it. The class's face is "
                     "{face} 万元; each series' per-100 figures and factor are on that series' face.",
                     "{cls}分期滚动发行：下列各期为本兑付日存续、发行或偿付的期次。该档证券规模为{face}万元；"
                     "各期的每百元金额与本金因子以该期面值计算。"),
    "roll_note": ("On this date series {old} of {cls} matured and was repaid in full "
                  "({paid} 万元) from the proceeds of series {new}, issued the same day "
                  "({issued} 万元); the class's balance is unchanged.",
                  "本兑付日{cls}第{old}期到期，以同日发行的第{new}期募集资金（{issued}万元）"
                  "全额偿付第{old}期本金（{paid}万元），该档证券余额不变。"),
    # waterfall
    "waterfall_section": ("4. Distribution of the payment date (waterfall)", "四、本期现金流分配"),
    "available": ("Available funds", "可供分配资金"),
    "remaining": ("Left after the waterfall", "分配后剩余"),
    "step": ("Step", "分配项目"),
    "clause": ("Clause", "条款"),
    "due": ("Due", "应付"),
    "paid": ("Paid", "实付"),
    "shortfall": ("Shortfall", "差额"),
    "held_back": ("Held back by", "限制条件"),
    "no_steps": ("No waterfall step on this date.", "本日无分配项目。"),
    # accounts
    "accounts": ("5. Account balances", "五、账户余额"),
    "account": ("Account", "账户"),
    "before": ("Close before the calculation date ({d})", "计算日前一工作日日终（{d}）"),
    "after": ("Close of the payment date ({d})", "兑付日日终（{d}）"),
    "acct_collection_account": ("collection account (at the servicer)", "收款账户（资产服务机构）"),
    "acct_trust_account": ("trust account (custodian)", "信托账户（资金保管机构）"),
    "acct_issuance_proceeds_account": ("issuance proceeds account", "发行募集资金账户"),
    "acct_eligible_investments": ("eligible investments", "合格投资"),
    # pool
    "pool": ("6. The pool's performance", "六、资产池表现"),
    "item": ("Item", "项目"),
    "value": ("Value", "数值"),
    "coll_principal": ("Collections: principal", "本期本金回收"),
    "coll_income": ("Collections: income (fees)", "本期收入回收（手续费等）"),
    "defaulted_period": ("Defaulted in the period (non-performing + charged off)",
                         "本期新增违约（不良 + 核销）"),
    "defaulted_cum": ("Defaulted since the effective date", "累计违约金额"),
    "cdr": ("Cumulative default rate (of the initial pool)", "累计违约率（占初始资产池）"),
    "charged_off": ("Charged off in the period", "本期核销"),
    "pool_out": ("Pool outstanding at the close", "期末资产池余额"),
    "initial_pool": ("Initial pool at the cut-off date", "初始起算日资产池余额"),
    "npl": ("NPL ratio (non-performing / initial pool)", "不良率（不良资产 / 初始资产池）"),
    "pool_notes": ("Pool / notes outstanding", "资产池余额 / 证券余额"),
    "prepayments": ("Prepayments in the period", "本期提前还款"),
    "scheduled_principal": ("Principal due by schedule in the period", "本期应还本金（按计划）"),
    "prepayment_base": ("Base: performing at the start + entered - scheduled",
                        "计算基数：期初正常余额 + 本期入池 - 计划应还本金"),
    "smm": ("Single-month mortality (SMM)", "单月提前还款率（SMM）"),
    "cpr": ("Conditional prepayment rate (CPR), over {n} days", "年化提前还款率（CPR，{n}天）"),
    "not_in_log": ("not recorded in the log", "日志未单独记录"),
    "delinquency": ("Delinquency at the close", "期末逾期分布"),
    "bucket": ("Bucket", "类别"),
    "share": ("Share of pool", "占资产池比例"),
    "dq_current": ("current", "正常"),
    "dq_1-30 days past due": ("1-30 days past due", "逾期1-30天"),
    "dq_31-60 days past due": ("31-60 days past due", "逾期31-60天"),
    "dq_61-90 days past due": ("61-90 days past due", "逾期61-90天"),
    "dq_1-90 days past due": ("1-90 days past due", "逾期1-90天"),
    "dq_90+ days past due (non-performing)": ("90+ days past due (non-performing)",
                                              "逾期90天以上（不良）"),
    "dq_charged off (cumulative)": ("charged off (cumulative)", "累计核销"),
    "dq_npl fees": ("fees on non-performing receivables", "不良资产应收手续费"),
    "dq_note": ("Days past due count from the instalment missed (the day it is missed counts "
                "in 1-30); 90+ is the non-performing balance the NPL ratio and its trigger read. "
                "SMM = 1 - (1 - P)^(365/12/n) and CPR = 1 - (1 - SMM)^12, where P is the "
                "period's prepayments over its base and n its days (docs/model.md).",
                "逾期天数自未还款的应还日起算（当日计入1-30天）；90天以上即不良资产余额，与不良率及其触发条件所用数字相同。"
                "SMM = 1 - (1 - P)^(365/12/n)，CPR = 1 - (1 - SMM)^12，"
                "其中P为本期提前还款除以计算基数，n为本期天数（见docs/model.md）。"),
    "purchases": ("Revolving purchases in the period", "本期循环购买"),
    "requests": ("Purchase requests", "购买申请"),
    "rejected": ("Rejected", "被拒绝"),
    "settled": ("Settled", "已完成"),
    "purchase_principal": ("Principal purchased", "购买本金"),
    "purchase_price": ("Price paid", "支付价款"),
    "loans": ("Receivables (loans)", "资产笔数"),
    "n_a_rep_line": ("n/a (rep-line pool)", "不适用（汇总模拟）"),
    "eligibility": ("Eligibility of the receivables bought", "循环购买资产合格标准"),
    "criterion": ("Criterion", "标准"),
    "limit": ("Limit", "限值"),
    "worst": ("Worst in the period", "本期最差值"),
    "within": ("Met", "是否满足"),
    "crit_max_obligor_balance": ("(d) obligor's total balance, at most", "(d) 单一借款人余额上限"),
    "crit_overdue_loans": ("(e) receivables overdue when bought", "(e) 购买时逾期资产笔数"),
    "crit_max_worst_overdue_days": ("(f) worst overdue days, at most", "(f) 历史最长逾期天数上限"),
    "crit_min_days_since_use": ("(c) days since use, at least", "(c) 使用后天数下限"),
    "crit_max_last_instalment": ("(g) last instalment, by", "(g) 最后一期还款日不晚于"),
    "crit_credit_levels": ("(f) credit levels (count bought)", "(f) 信用等级（购买笔数）"),
    "no_evidence": ("{n} purchase(s): the rep-line pool buys in aggregate, so the log carries "
                    "no loan data to check eligibility against (the audit skips it too).",
                    "本期{n}次购买：汇总模拟资产池按总额购买，日志无逐笔数据可供核对合格标准（审计亦不适用）。"),
    "evidence": ("{n} purchase(s) with loan statistics; {bad} with a receivable outside the "
                 "criteria (the audit's check purchased_receivables_eligible).",
                 "本期{n}次购买附逐笔统计；其中{bad}次含不合格资产（审计检查 purchased_receivables_eligible）。"),
    "yes": ("yes", "是"),
    "no": ("no", "否"),
    # triggers
    "triggers": ("7. Trigger events: every clause against its threshold", "七、触发事件监测"),
    "trigger": ("Trigger", "事件"),
    "effect": ("Effect", "后果"),
    "metric": ("Metric", "指标"),
    "threshold": ("Threshold", "阈值"),
    "today": ("Value at the close", "当前值"),
    "distance": ("Distance to threshold", "距阈值"),
    "status": ("Status", "状态"),
    "eff_acceleration": ("ends revolving (acceleration)", "加速清偿（循环期结束）"),
    "eff_default": ("event of default", "违约事件"),
    "eff_waterfall_switch": ("switches waterfall to {w}", "分配顺序改为{w}"),
    "st_not_met": ("not met", "未触发"),
    "st_held": ("condition met since {d}", "条件自{d}起满足"),
    "st_fired": ("fired on {d} (seq {s})", "已于{d}触发（seq {s}）"),
    "m_npl_ratio": ("NPL ratio; consecutive business days above: {n} of {k}",
                    "不良率；连续超限工作日：{n}/{k}"),
    "m_cumulative_default_rate": ("cumulative default rate", "累计违约率"),
    "m_pool_to_notes": ("pool / notes; business days below in revolving: {n} of {k}",
                        "资产池/证券余额；循环期累计低于阈值工作日：{n}/{k}"),
    "m_days_without_successor": ("days without a successor {p}", "未委任继任{p}天数"),
    "m_insolvent": ("{p} insolvent", "{p}丧失清偿能力"),
    "m_rating": ("{p}'s rating", "{p}主体评级"),
    "m_late_transfers": ("collections overdue at the servicer, unexcused", "资产服务机构逾期未划转（无正当理由）"),
    "m_issuance_failed": ("a series could not be issued", "后续期次发行失败"),
    "m_interest_arrears": ("interest unpaid to {c}", "{c}应付未付利息"),
    "m_days_to_legal_maturity": ("notes outstanding; days to legal maturity",
                                 "证券余额；距法定到期日天数"),
    "not_recomputed": ("(not recomputable from the log)", "（日志无法重算）"),
    "trigger_note": ("Whether a condition held, and since when, is the audit's own recomputation "
                     "from the log (trustsim audit, check triggers_on_first_day); the value is the "
                     "close of {d}. pp: percentage points; d: calendar days; bd: business days.",
                     "条件是否满足及起始日期均为审计依据日志的重算结果（trustsim audit，"
                     "triggers_on_first_day）；当前值为{d}日终数据。pp：百分点；d：自然日；bd：工作日。"),
    "no_triggers": ("The deal has no trigger clause.", "本项目无触发事件条款。"),
    # duties
    "duties": ("8. The parties' performance of their duties", "八、参与机构履职情况"),
    "duty": ("Duty", "职责"),
    "count": ("In the period", "本期"),
    "d_collections": ("Servicer: collections received (number; 万元)", "资产服务机构：收到回收款（次数；万元）"),
    "d_sweeps": ("Servicer: transfers to the trust account (number; 万元)",
                 "资产服务机构：划转至信托账户（次数；万元）"),
    "d_late_sweeps": ("Servicer: transfers made after their deadline", "资产服务机构：逾期划转次数"),
    "d_notices": ("Servicer: available-funds notices", "资产服务机构：可用资金通知"),
    "d_requests": ("Originator: purchase requests (late)", "发起机构：购买申请（逾期）"),
    "d_rejected": ("Originator: requests rejected", "发起机构：被拒绝的申请"),
    "d_transfers": ("Originator: receivables transferred", "发起机构：完成资产转让"),
    "d_instructions": ("Trustee: payment instructions issued", "受托机构：发出划款指令"),
    "d_executed": ("Custodian: instructions executed (after their value date)",
                   "资金保管机构：执行划款指令（晚于指定日期）"),
    "incidents": ("Incidents and notices in the period", "本期事件与通知"),
    "date": ("Date", "日期"),
    "event": ("Event", "事件"),
    "detail": ("Detail", "说明"),
    "no_incidents": ("No incident, breach or notice in the period.", "本期无异常事件、违约或通知。"),
    # close
    "next": ("9. Next payment date", "九、下一兑付日"),
    "footer": ("trustsim {deal}: every figure is read from the run's event log (events.jsonl); "
               "payment date seq {seq}", "trustsim {deal}：所有数据取自运行日志 events.jsonl；兑付日 seq {seq}"),
    "assumed_calendar": ("This period reaches a year whose business days are assumed (no published "
                         "holidays): dates and figures resting on them are flagged.",
                         "本期涉及尚未公布节假日安排的年份，工作日为假设值，相关日期与数据仅供参考。"),
}


class Labels:
    """``Labels(lang)(key, **fields)``: the label in that language, its fields filled in."""

    def __init__(self, lang: str) -> None:
        if lang not in LANGS:
            raise ValueError(f"language {lang!r} is not one of {', '.join(LANGS)}")
        self.lang = lang
        self._i = LANGS.index(lang)

    def __call__(self, key: str, **fields: object) -> str:
        en, zh = LABELS[key]
        text = zh if self._i == 0 else en
        return text.format(**fields) if fields else text

    def get(self, key: str, default: str) -> str:
        return self(key) if key in LABELS else default

    def all_text(self) -> str:
        return "".join(v[self._i] for v in LABELS.values())
