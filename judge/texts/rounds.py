"""Texts of a round's page: submitting a run, the recent runs and their states."""

TEXTS = {
    "judge.round.submit": {"en": "Submit a run", "zh": "提交运行"},
    "judge.round.file": {"en": "Trace or program", "zh": "运行记录或程序"},
    "judge.round.file_help": {
        "en": "A trace (.jsonl or .jsonl.gz) from roboarena sim or roboarena run is scored at once; a program (.py) is run here in the simulator first.",
        "zh": "运行记录（.jsonl 或 .jsonl.gz，由 roboarena sim 或 roboarena run 生成）会立即评分；程序（.py）会先在这里的模拟器中运行。",
    },
    "judge.round.send": {"en": "Send", "zh": "提交"},
    "judge.round.submitted": {"en": "Run {run} of {team}: {status}.", "zh": "{team} 的第 {run} 号运行：{status}。"},
    "judge.round.recent": {"en": "Recent runs", "zh": "最近的运行"},
    "judge.round.status": {"en": "State", "zh": "状态"},
    "judge.round.when": {"en": "When", "zh": "时间"},
    "judge.round.frozen_note": {
        "en": "The leaderboard is frozen: runs since the freeze will be shown at the awards.",
        "zh": "排行榜已冻结：冻结之后的成绩将在颁奖时公布。",
    },
    "judge.status.scored": {"en": "scored", "zh": "已评分"},
    "judge.status.pending": {"en": "waiting to be run", "zh": "等待运行"},
    "judge.status.on-field": {"en": "on the field", "zh": "正在场上"},
    "judge.status.void": {"en": "void", "zh": "已作废"},
    "judge.status.failed": {"en": "failed", "zh": "失败"},
}
