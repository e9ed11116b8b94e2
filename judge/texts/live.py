"""Texts of the live projector page, the scoreboard freeze and the awards reveal, and of
the admin's control panel that drives them."""

TEXTS = {
    # --- the projector --------------------------------------------------------------------
    "judge.live.projector_title": {"en": "{title} — live standings", "zh": "{title} — 实时排名"},
    "judge.live.status_connecting": {"en": "Connecting…", "zh": "正在连接…"},
    "judge.live.status_live": {"en": "Live", "zh": "实时"},
    "judge.live.status_reconnecting": {"en": "Reconnecting…", "zh": "正在重新连接…"},
    "judge.live.status_polling": {"en": "Updating every few seconds", "zh": "每隔几秒更新一次"},
    "judge.live.status_offline": {
        "en": "No connection to the judge: showing the last standings received",
        "zh": "与评分服务器的连接已断开：显示的是最后收到的排名",
    },
    "judge.live.updated": {"en": "Updated {time}", "zh": "更新于 {time}"},
    "judge.live.frozen_banner": {
        "en": "Standings frozen at {time}: runs made since then will be revealed at the awards.",
        "zh": "排名已于 {time} 冻结：之后的成绩将在颁奖时公布。",
    },
    "judge.live.reveal_banner": {
        "en": "Awards: the final standings, revealed from the bottom — {revealed} of {total} teams so far.",
        "zh": "颁奖：从最后一名开始公布最终排名——已公布 {revealed}/{total} 支队伍。",
    },
    "judge.live.live_view_banner": {
        "en": "Live standings, for admins only: the public sees the standings frozen at {time}.",
        "zh": "实时排名，仅供管理员查看：公众看到的是 {time} 冻结时的排名。",
    },
    "judge.live.admin_public_note": {
        "en": "You are an admin: this screen shows what the public sees.",
        "zh": "你是管理员：这个屏幕显示的是公众看到的内容。",
    },
    "judge.live.open_live": {"en": "Open the live standings", "zh": "打开实时排名"},
    "judge.live.not_revealed": {"en": "not yet revealed", "zh": "尚未公布"},
    "judge.live.no_score_at_freeze": {"en": "no run before the freeze", "zh": "冻结前没有成绩"},
    "judge.live.moved_up": {"en": "up {places}", "zh": "上升 {places} 名"},
    "judge.live.moved_down": {"en": "down {places}", "zh": "下降 {places} 名"},
    "judge.live.new_entry": {"en": "new", "zh": "新上榜"},
    # --- the control panel --------------------------------------------------------------
    "judge.live.control_title": {"en": "{title} — projector and awards", "zh": "{title} — 投影与颁奖"},
    "judge.live.open_projector": {"en": "Open the projector page", "zh": "打开投影页面"},
    "judge.live.state_live": {
        "en": "The standings are live: everyone sees each run as soon as it is scored.",
        "zh": "排名实时更新：每次评分后所有人都能立即看到。",
    },
    "judge.live.state_frozen": {
        "en": "Frozen since {time}: the public sees the standings as they were then. Runs made since, hidden from the public: {hidden}.",
        "zh": "自 {time} 起冻结：公众看到的是当时的排名。冻结后的运行（对公众隐藏）：{hidden} 次。",
    },
    "judge.live.state_revealing": {
        "en": "Awards reveal: {revealed} of {total} teams are shown at their final place on the projector.",
        "zh": "颁奖公布中：投影上已有 {revealed}/{total} 支队伍显示最终名次。",
    },
    "judge.live.freeze": {"en": "Freeze the standings", "zh": "冻结排名"},
    "judge.live.freeze_help": {
        "en": "Runs made from now on still count, but the public does not see them until the awards reveal or an unfreeze.",
        "zh": "从现在起的运行照常计分，但在颁奖公布或解冻之前公众看不到。",
    },
    "judge.live.unfreeze": {"en": "Unfreeze: show every run now", "zh": "解冻：立即公开所有成绩"},
    "judge.live.reveal_start": {"en": "Start the awards reveal", "zh": "开始颁奖公布"},
    "judge.live.reveal_help": {
        "en": "The projector first shows the frozen standings with no places; each step then shows the final place of the next team from the bottom. The last step shows the winner and unfreezes the round.",
        "zh": "投影先显示冻结时的排名（不显示名次）；之后每一步从最后一名开始，公布下一支队伍的最终名次。最后一步公布冠军并解冻本轮。",
    },
    "judge.live.reveal_next": {"en": "Reveal place {rank}: {team}", "zh": "公布第 {rank} 名：{team}"},
    "judge.live.reveal_last": {"en": "Reveal the winner, {team}, and unfreeze", "zh": "公布冠军 {team} 并解冻"},
    "judge.live.reveal_stop": {"en": "Stop the reveal (the round stays frozen)", "zh": "停止公布（本轮保持冻结）"},
    "judge.live.final_standings": {"en": "Final standings (live, seen by admins only)", "zh": "最终排名（实时，仅管理员可见）"},
    "judge.live.col_shown": {"en": "On the projector", "zh": "投影显示"},
    "judge.live.shown_final": {"en": "final place", "zh": "最终名次"},
    "judge.live.shown_next": {"en": "next to reveal", "zh": "下一个公布"},
    "judge.live.shown_hidden": {"en": "hidden", "zh": "未公布"},
    # --- what the control panel's buttons report ----------------------------------------
    "judge.live.frozen_done": {
        "en": "Frozen at {time}: the public now sees the standings as they were then.",
        "zh": "已于 {time} 冻结：公众现在看到的是当时的排名。",
    },
    "judge.live.unfrozen_done": {
        "en": "Unfrozen: everyone sees the live standings again.",
        "zh": "已解冻：所有人重新看到实时排名。",
    },
    "judge.live.reveal_started": {
        "en": "The reveal has started: the projector shows the frozen standings, no places yet.",
        "zh": "颁奖公布已开始：投影显示冻结时的排名，暂不显示名次。",
    },
    "judge.live.revealed_done": {"en": "Revealed: {team} is at place {rank}.", "zh": "已公布：{team} 获得第 {rank} 名。"},
    "judge.live.reveal_finished": {
        "en": "Revealed: {team} is at place {rank}. The reveal is complete and the round is unfrozen.",
        "zh": "已公布：{team} 获得第 {rank} 名。公布完成，本轮已解冻。",
    },
    "judge.live.reveal_stopped": {
        "en": "The reveal is stopped; the round stays frozen.",
        "zh": "颁奖公布已停止；本轮保持冻结。",
    },
    "judge.live.already_frozen": {
        "en": "This round is already frozen (since {time}). Unfreeze it first to freeze it again at a later time.",
        "zh": "本轮已经冻结（自 {time} 起）。如需在更晚的时间重新冻结，请先解冻。",
    },
    "judge.live.not_frozen": {
        "en": "This round is not frozen, so there is nothing to reveal: freeze it before the awards.",
        "zh": "本轮没有冻结，因此没有可公布的内容：请在颁奖前先冻结。",
    },
    "judge.live.already_revealing": {
        "en": "The reveal has already started ({revealed} teams shown): use the reveal button to go on.",
        "zh": "颁奖公布已经开始（已公布 {revealed} 支队伍）：请用公布按钮继续。",
    },
    "judge.live.not_revealing": {
        "en": "The reveal has not started: start it on the control panel first.",
        "zh": "颁奖公布还没有开始：请先在控制台开始公布。",
    },
    "judge.live.nothing_to_reveal": {
        "en": "No team has a scored run in this round, so there is nothing to reveal.",
        "zh": "本轮还没有任何队伍获得成绩，因此没有可公布的内容。",
    },
    "judge.live.stale_step": {
        "en": "That step was already taken (a second click, or another screen): the control panel now shows the current step.",
        "zh": "这一步已经执行过了（重复点击，或在另一个屏幕上操作）：控制台现在显示当前步骤。",
    },
}
