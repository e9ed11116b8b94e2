"""Texts of appeals: a team filing one on its run, the referees' list, and resolving one."""

TEXTS = {
    "judge.appeal.title_run": {"en": "Appeal: run {run} of {team}", "zh": "申诉：{team} 的第 {run} 号运行"},
    "judge.appeal.run_summary": {
        "en": "{round}: {status}, score {score}.",
        "zh": "{round}：{status}，得分 {score}。",
    },
    "judge.appeal.reason": {"en": "Why the run should be looked at again", "zh": "为什么需要重新审查这次运行"},
    "judge.appeal.reason_help": {
        "en": "Say what happened and what you ask for, e.g. \"the gate missed our second lap\" (at most {limit} characters). A referee reads it and answers here.",
        "zh": "请说明发生了什么以及你的请求，例如“计时门漏记了我们的第二圈”（最多 {limit} 个字）。裁判会阅读并在这里答复。",
    },
    "judge.appeal.file": {"en": "File the appeal", "zh": "提交申诉"},
    "judge.appeal.filed": {
        "en": "Appeal {appeal} on run {run} is filed; a referee will answer it on this page.",
        "zh": "已对第 {run} 号运行提交第 {appeal} 号申诉；裁判会在这个页面答复。",
    },
    "judge.appeal.open_note": {
        "en": "This run has an open appeal: the referees will answer it before another can be filed.",
        "zh": "这次运行已有一项未处理的申诉：裁判答复之后才能再提交新的申诉。",
    },
    "judge.appeal.on_run": {"en": "Appeals on this run", "zh": "这次运行的申诉"},
    "judge.appeal.none": {"en": "No appeals on this run.", "zh": "这次运行没有申诉。"},
    "judge.appeal.need_reason": {
        "en": "Write why the run should be looked at again (at most {limit} characters).",
        "zh": "请写明为什么需要重新审查这次运行（最多 {limit} 个字）。",
    },
    "judge.appeal.already_open": {
        "en": "Run {run} already has an open appeal (number {appeal}). Wait for the referee's answer to it before filing another; add anything new by telling the referee.",
        "zh": "第 {run} 号运行已有一项未处理的申诉（第 {appeal} 号）。请等待裁判答复后再提交新的申诉；如有补充，请直接告诉裁判。",
    },
    "judge.appeal.not_yours": {
        "en": "The user {user!r} may not appeal runs of the team {team!r}: a team appeals its own runs, a coach those of their school's teams.",
        "zh": "用户 {user!r} 不能对队伍 {team!r} 的运行提出申诉：队伍只能申诉自己的运行，教练只能申诉本校队伍的运行。",
    },
    "judge.appeal.no_appeal": {"en": "There is no appeal {appeal_id}.", "zh": "没有编号为 {appeal_id} 的申诉。"},
    "judge.appeal.not_open": {
        "en": "Appeal {appeal} is resolved already and cannot be resolved again. If something new came up, the team can file a new appeal.",
        "zh": "第 {appeal} 号申诉已经处理，不能再次处理。如果有新情况，队伍可以提交新的申诉。",
    },
    "judge.appeal.bad_decision": {
        "en": "The decision {value!r} is not understood: choose uphold or reject.",
        "zh": "无法识别决定 {value!r}：请选择“支持”（uphold）或“驳回”（reject）。",
    },
    "judge.appeal.need_resolution": {
        "en": "Write the resolution the team will read (at most {limit} characters).",
        "zh": "请写下队伍将看到的处理意见（最多 {limit} 个字）。",
    },
    "judge.appeal.bad_action": {
        "en": "What was done, {value!r}, is not understood: choose none, void or rescore.",
        "zh": "无法识别处理方式 {value!r}：请选择 none（无）、void（作废）或 rescore（重新评分）。",
    },
    "judge.appeal.action_needs_uphold": {
        "en": "Only an upheld appeal voids a run or points at a re-score. Choose uphold, or leave what was done at nothing.",
        "zh": "只有被支持的申诉才能作废运行或关联重新评分。请选择“支持”，或把处理方式设为“无”。",
    },
    "judge.appeal.no_rescore": {
        "en": "Audit entry {entry} is not a re-score of round {round_id}. Pick one from the list, or re-score the round first.",
        "zh": "审计记录 {entry} 不是第 {round_id} 轮的重新评分。请从列表中选择，或先为本轮重新评分。",
    },
    "judge.appeal.already_void": {
        "en": "Run {run} is void already. Uphold without voiding it again.",
        "zh": "第 {run} 号运行已经作废。请在不再次作废的情况下支持申诉。",
    },
    "judge.appeal.resolved": {"en": "Appeal {appeal}: {status}.", "zh": "第 {appeal} 号申诉：{status}。"},
    "judge.appeal.list_title": {"en": "Appeals: {competition}", "zh": "申诉：{competition}"},
    "judge.appeal.open_heading": {"en": "Open appeals", "zh": "待处理的申诉"},
    "judge.appeal.none_open": {"en": "No appeals are waiting.", "zh": "没有待处理的申诉。"},
    "judge.appeal.resolved_heading": {"en": "Resolved appeals", "zh": "已处理的申诉"},
    "judge.appeal.col.appeal": {"en": "Appeal", "zh": "申诉"},
    "judge.appeal.col.run": {"en": "Run", "zh": "运行"},
    "judge.appeal.col.round": {"en": "Round", "zh": "轮次"},
    "judge.appeal.col.filed": {"en": "Filed by, when", "zh": "提交人与时间"},
    "judge.appeal.col.reason": {"en": "Reason", "zh": "理由"},
    "judge.appeal.col.status": {"en": "Status", "zh": "状态"},
    "judge.appeal.col.resolution": {"en": "Resolution", "zh": "处理意见"},
    "judge.appeal.status.open": {"en": "open", "zh": "待处理"},
    "judge.appeal.status.upheld": {"en": "upheld", "zh": "已支持"},
    "judge.appeal.status.rejected": {"en": "rejected", "zh": "已驳回"},
    "judge.appeal.decision": {"en": "Decision", "zh": "决定"},
    "judge.appeal.uphold": {"en": "Uphold", "zh": "支持"},
    "judge.appeal.reject": {"en": "Reject", "zh": "驳回"},
    "judge.appeal.resolution": {"en": "Resolution (the team reads this)", "zh": "处理意见（队伍会看到）"},
    "judge.appeal.action": {"en": "What was done (when upheld)", "zh": "处理方式（支持时）"},
    "judge.appeal.action.none": {"en": "Nothing more", "zh": "无其他处理"},
    "judge.appeal.action.void": {"en": "Void the run: it leaves the standings", "zh": "作废这次运行：它不再计入排名"},
    "judge.appeal.action.rescore": {"en": "The round was re-scored:", "zh": "本轮已重新评分："},
    "judge.appeal.rescore_entry": {
        "en": "re-score of {when} (audit entry {entry}), to version {hash}",
        "zh": "{when} 的重新评分（审计记录 {entry}），改用版本 {hash}",
    },
    "judge.appeal.no_rescores": {
        "en": "(the round has not been re-scored: re-score it first to link it here)",
        "zh": "（本轮还没有重新评分：请先重新评分，才能在这里关联）",
    },
    "judge.appeal.resolve": {"en": "Resolve", "zh": "处理"},
    "judge.appeal.by": {"en": "{user}, {when}", "zh": "{user}，{when}"},
    "judge.appeal.linked": {"en": "What was done: audit entry {entry} ({action})", "zh": "处理记录：审计记录 {entry}（{action}）"},
    "judge.appeal.audit_link": {"en": "Audit log", "zh": "审计日志"},
    "judge.appeal.appeal_link": {"en": "Appeal this run", "zh": "对这次运行申诉"},
}
