"""Texts of the referee's tablet: the round's referee page, the scoresheet, the answers of
the sheet and timing-gate API, and what ``roboarena gate --server`` prints."""

TEXTS = {
    # --- the round's referee page ------------------------------------------------------------
    "judge.referee.title": {"en": "Referee: {round}", "zh": "裁判：{round}"},
    "judge.referee.link": {"en": "Referee this round", "zh": "为本轮计分"},
    "judge.referee.start_heading": {"en": "Put a team on the field", "zh": "让一支队伍上场"},
    "judge.referee.team": {"en": "Team", "zh": "队伍"},
    "judge.referee.start_run": {"en": "Start run", "zh": "开始运行"},
    "judge.referee.no_teams": {
        "en": "This competition has no teams yet: the admin or a coach adds them on the competition's page.",
        "zh": "这个比赛还没有队伍：管理员或教练可以在比赛页面添加。",
    },
    "judge.referee.on_field": {"en": "On the field now", "zh": "正在场上"},
    "judge.referee.none_on_field": {"en": "No run is on the field.", "zh": "现在没有队伍在场上。"},
    "judge.referee.recent": {"en": "Runs scored on the field", "zh": "已在场上计分的运行"},
    "judge.referee.open_sheet": {"en": "Open the sheet", "zh": "打开计分表"},
    "judge.referee.run_started": {"en": "Run {run} of {team} is on the field.", "zh": "{team} 的第 {run} 号运行已上场。"},
    "judge.referee.need_team": {"en": "Pick the team that goes on the field.", "zh": "请选择上场的队伍。"},
    "judge.referee.gate_note": {
        "en": "A timing gate posts its crossings with: roboarena gate --port PORT --server {server} --round {round} --token TOKEN. Crossings go to the newest run on the field.",
        "zh": "计时门用这个命令发送通过记录：roboarena gate --port 端口 --server {server} --round {round} --token 令牌。通过记录会记到最新上场的运行上。",
    },
    # --- the scoresheet page ------------------------------------------------------------------
    "judge.sheet.title": {"en": "Run {run}: {team}", "zh": "第 {run} 号运行：{team}"},
    "judge.sheet.round": {"en": "Round: {round}", "zh": "轮次：{round}"},
    "judge.sheet.status": {"en": "State: {status}", "zh": "状态：{status}"},
    "judge.sheet.timer_start": {"en": "Start timer", "zh": "开始计时"},
    "judge.sheet.timer_stop": {"en": "Stop timer", "zh": "停止计时"},
    "judge.sheet.timer_note": {
        "en": "Start the timer when the robot starts; taps are timed by it.",
        "zh": "机器人出发时开始计时；每次点击都按这个计时记录时间。",
    },
    "judge.sheet.taps": {"en": "What happened", "zh": "发生了什么"},
    "judge.sheet.no_taps": {"en": "Nothing tapped yet.", "zh": "还没有记录。"},
    "judge.sheet.undo": {"en": "Undo last", "zh": "撤销上一个"},
    "judge.sheet.next_gate": {"en": "next: {gate}", "zh": "下一个：{gate}"},
    "judge.sheet.captain": {"en": "Team captain: type the team name or initials", "zh": "队长：请输入队名或姓名缩写"},
    "judge.sheet.captain_confirms": {
        "en": "The team captain has checked this sheet and agrees with it.",
        "zh": "队长已核对这张计分表并同意。",
    },
    "judge.sheet.submit": {"en": "Submit sheet", "zh": "提交计分表"},
    "judge.sheet.sending": {"en": "Sending…", "zh": "正在提交……"},
    "judge.sheet.need_captain": {
        "en": "Before submitting, the team captain types the team name or initials and ticks the box.",
        "zh": "提交前，请队长输入队名或姓名缩写并勾选确认。",
    },
    "judge.sheet.need_timer": {
        "en": "Stop the timer before submitting, so the sheet has the run's time.",
        "zh": "提交前请先停止计时，这样计分表才有运行时间。",
    },
    "judge.sheet.offline": {
        "en": "The server cannot be reached: the sheet stays here, submit it again when the network is back.",
        "zh": "无法连接服务器：计分表保留在这里，网络恢复后请再次提交。",
    },
    "judge.sheet.scored": {"en": "Scored: {score} points.", "zh": "得分：{score} 分。"},
    "judge.sheet.gate": {"en": "Timing gate", "zh": "计时门"},
    "judge.sheet.no_crossings": {"en": "No crossings yet.", "zh": "还没有通过记录。"},
    "judge.sheet.crossing": {"en": "{t} s (sensor {sensor})", "zh": "{t} 秒（传感器 {sensor}）"},
    "judge.sheet.lap_time": {"en": "lap {lap_time} s", "zh": "单圈 {lap_time} 秒"},
    "judge.sheet.before_start": {"en": "before the timer started", "zh": "计时开始之前"},
    "judge.sheet.gate_rule": {
        "en": "A timing-gate crossing counts as the robot passing the track's last gate ({gate}), which closes a lap: do not also tap that checkpoint.",
        "zh": "计时门的每次通过都算作机器人经过赛道的最后一个门（{gate}），并完成一圈：不要再为这个检查点点击。",
    },
    "judge.sheet.gate_rule_no_gates": {
        "en": "Timing-gate crossings are recorded in the run's trace; this challenge does not score them.",
        "zh": "计时门的通过记录会写入运行记录；这个挑战不为它们计分。",
    },
    "judge.sheet.accepted": {"en": "The accepted sheet", "zh": "已采用的计分表"},
    "judge.sheet.accepted_by": {
        "en": "Scored by {referee} at {at}; captain: {captain}; run time {time_s} s.",
        "zh": "由 {referee} 于 {at} 计分；队长：{captain}；运行时间 {time_s} 秒。",
    },
    "judge.sheet.refused": {"en": "Sheets not applied", "zh": "未采用的计分表"},
    "judge.sheet.refused_note": {
        "en": "Sent from a second tablet (or after the run changed): kept here for the head referee or the admin to compare.",
        "zh": "来自第二台平板（或在运行已改变之后提交）：保留在这里，供裁判长或管理员对比。",
    },
    "judge.sheet.refused_by": {
        "en": "{referee} at {at}, from version {base}: {taps} taps, run time {time_s} s.",
        "zh": "{referee} 于 {at} 提交，基于版本 {base}：{taps} 次记录，运行时间 {time_s} 秒。",
    },
    "judge.sheet.back": {"en": "Back to the round's referee page", "zh": "返回本轮的裁判页面"},
    "judge.sheet.finished": {"en": "Finished", "zh": "完成"},
    "judge.sheet.at": {"en": "{t} s", "zh": "{t} 秒"},
    # Event names, for a button whose event no scoring rule labels.
    "judge.event.checkpoint": {"en": "checkpoint", "zh": "检查点"},
    "judge.event.lap": {"en": "lap", "zh": "圈"},
    "judge.event.zone-entered": {"en": "entered the zone", "zh": "进入区域"},
    "judge.event.zone-left": {"en": "left the zone", "zh": "离开区域"},
    "judge.event.collision": {"en": "collision", "zh": "碰撞"},
    "judge.event.off-path": {"en": "off the path", "zh": "偏离路线"},
    "judge.event.on-path": {"en": "back on the path", "zh": "回到路线"},
    "judge.event.stop-held": {"en": "stopped in the zone", "zh": "在区域内停稳"},
    "judge.event.no-progress": {"en": "no progress", "zh": "没有进展"},
    "judge.event.restart": {"en": "put back (no progress)", "zh": "重新放置（没有进展）"},
    "judge.event.red-light": {"en": "red light run", "zh": "闯红灯"},
    "judge.event.contact": {"en": "robots touched", "zh": "机器人接触"},
    "judge.event.out": {"en": "out of the ring", "zh": "出界"},
    "judge.event.opponent-out": {"en": "opponent pushed out", "zh": "把对手推出界"},
    "judge.event.draw": {"en": "draw", "zh": "平局"},
    "judge.event.timing-gate": {"en": "timing gate", "zh": "计时门"},
    # --- the sheet API's refusals --------------------------------------------------------------
    "judge.referee.not_json": {
        "en": 'Send the sheet as a JSON object: {{"base_version": 1, "elapsed_ms": 61250, "taps": [{{"event": "checkpoint", "t_ms": 9800}}], "captain_confirmed": true}}.',
        "zh": '请以 JSON 对象发送计分表：{{"base_version": 1, "elapsed_ms": 61250, "taps": [{{"event": "checkpoint", "t_ms": 9800}}], "captain_confirmed": true}}。',
    },
    "judge.referee.bad_number": {
        "en": "{field} must be a whole number from {low} to {high} (it was {value!r}). Check the sheet and send it again.",
        "zh": "{field} 必须是 {low} 到 {high} 之间的整数（现在是 {value!r}）。请检查计分表后重新提交。",
    },
    "judge.referee.bad_taps": {
        "en": 'taps must be a list of at most {limit} taps, each {{"event": NAME, "t_ms": TIME}} (tap {index} is {value!r}).',
        "zh": 'taps 必须是最多 {limit} 个记录的列表，每个记录形如 {{"event": 名称, "t_ms": 时间}}（第 {index} 个是 {value!r}）。',
    },
    "judge.referee.unknown_event": {
        "en": "Tap {index}: {event!r} is not a button of this challenge's sheet. The buttons are: {choices}.",
        "zh": "第 {index} 个记录：{event!r} 不是这个挑战计分表上的按钮。按钮有：{choices}。",
    },
    "judge.referee.tap_outside_run": {
        "en": "Tap {index} ({event}) at {t_s} s is outside the run, which lasts from 0 to {end_s} s (the timer or the time limit). Undo it and tap again.",
        "zh": "第 {index} 个记录（{event}）在 {t_s} 秒，超出了运行时间 0 到 {end_s} 秒（计时或时间限制）。请撤销后重新点击。",
    },
    "judge.referee.finish_not_last": {
        "en": "Tap {index}: the run is already finished at {t_s} s, so nothing can happen after it. Undo the taps after the finish.",
        "zh": "第 {index} 个记录：运行已在 {t_s} 秒完成，之后不能再有记录。请撤销完成之后的记录。",
    },
    "judge.referee.no_captain": {
        "en": "The team captain has not confirmed the sheet: ask them to check it, type the team name or initials and tick the box, then submit again.",
        "zh": "队长还没有确认计分表：请队长核对后输入队名或姓名缩写并勾选确认，然后重新提交。",
    },
    "judge.referee.bad_captain": {
        "en": "captain must be the team name or initials, at most {limit} characters (no other personal data).",
        "zh": "captain 必须是队名或姓名缩写，最多 {limit} 个字符（不要填写其他个人信息）。",
    },
    "judge.referee.not_on_field": {
        "en": "Run {run_id} is {state}, not on the field: a scoresheet only scores a run on the field. Start a new run for the team on the round's referee page. Your sheet is kept, not applied.",
        "zh": "第 {run_id} 号运行的状态是{state}，不在场上：计分表只能为场上的运行计分。请在本轮的裁判页面为这支队伍开始新的运行。你的计分表已保存，但没有采用。",
    },
    "judge.referee.stale": {
        "en": "Run {run_id} was already scored by {referee} at {at}: your tablet had version {base}, the run is now at version {version}. Your sheet is kept, not applied; the head referee or the admin compares the two on the run's sheet page.",
        "zh": "第 {run_id} 号运行已由 {referee} 在 {at} 计分：你的平板上是版本 {base}，运行现在是版本 {version}。你的计分表已保存，但没有采用；裁判长或管理员会在这个运行的计分表页面对比两份计分表。",
    },
    "judge.referee.changed": {
        "en": "Run {run_id} changed since your tablet loaded it (version {base}, now {version}). Your sheet is kept, not applied; reload the page to see the run as it is now.",
        "zh": "第 {run_id} 号运行在你的平板加载之后已被修改（版本 {base}，现在是 {version}）。你的计分表已保存，但没有采用；请刷新页面查看现在的运行。",
    },
    "judge.referee.no_team": {"en": "There is no team {team_id} in this competition.", "zh": "这个比赛中没有编号为 {team_id} 的队伍。"},
    # --- the timing-gate API's refusals --------------------------------------------------------
    "judge.gate.not_json": {
        "en": 'Send crossings as JSON: {{"board_ms": 81234, "sensor": 0, "device": "gate-1"}}, or a list of them (at most {limit}).',
        "zh": '请以 JSON 发送通过记录：{{"board_ms": 81234, "sensor": 0, "device": "gate-1"}}，或者它们的列表（最多 {limit} 个）。',
    },
    "judge.gate.bad_crossing": {
        "en": "Crossing {index}: {field} is {value!r}. board_ms must be a whole number of milliseconds (0 or more), sensor a whole number (0 or more), device text of at most 100 characters.",
        "zh": "第 {index} 个通过记录：{field} 是 {value!r}。board_ms 必须是毫秒整数（0 或更大），sensor 是整数（0 或更大），device 是最多 100 个字符的文字。",
    },
    # --- roboarena gate --server ----------------------------------------------------------------
    "judge.gate.posting": {
        "en": "Posting crossings to round {round} on {server}.",
        "zh": "通过记录将发送到 {server} 的第 {round} 轮。",
    },
    "judge.gate.need_round_and_token": {
        "en": "To post crossings to a judge, give the round (--round N) and an API token (--token, or set ROBOARENA_TOKEN). An admin makes one with: roboarena judge token --user NAME",
        "zh": "要把通过记录发送到评审服务器，请给出轮次（--round N）和 API 令牌（--token，或设置 ROBOARENA_TOKEN）。管理员可以用这个命令生成令牌：roboarena judge token --user 用户名",
    },
    "judge.gate.delivered": {
        "en": "Sent to the judge: {count} crossing(s), run {run}.",
        "zh": "已发送到评审服务器：{count} 个通过记录，第 {run} 号运行。",
    },
    "judge.gate.no_run": {
        "en": "The judge stored {count} crossing(s), but no run is on the field in round {round}: start one on the referee page.",
        "zh": "评审服务器已保存 {count} 个通过记录，但第 {round} 轮现在没有运行在场上：请在裁判页面开始一个运行。",
    },
    "judge.gate.unreachable": {
        "en": "Cannot reach the judge at {server} ({reason}): {count} crossing(s) kept here, sent again every {retry_s} s.",
        "zh": "无法连接 {server} 的评审服务器（{reason}）：{count} 个通过记录保存在这里，每 {retry_s} 秒重新发送一次。",
    },
    "judge.gate.refused": {
        "en": "The judge refused the crossings ({status}): {message}",
        "zh": "评审服务器拒绝了通过记录（{status}）：{message}",
    },
    "judge.gate.unsent": {
        "en": "Not sent to the judge: the crossing at board clock {board_ms} ms (sensor {sensor}). Tell the referee if it counts.",
        "zh": "没有发送到评审服务器：主板时钟 {board_ms} 毫秒的通过记录（传感器 {sensor}）。如果它有效，请告诉裁判。",
    },
    "judge.telemetry.legend": {"en": "The robot's own trace (optional)", "zh": "机器人自己的运行记录（可选）"},
    "judge.telemetry.help": {
        "en": "The trace roboarena run recorded on the field laptop (--trace). It adds the robot's path and sensors to the run page; the score still comes from this sheet and the gates. Both clocks start with the run.",
        "zh": "场边电脑上 roboarena run 录制的运行记录（--trace）。它会把机器人的路线和传感器数据加到运行页面；得分仍然只来自这张记分表和计时门。两者的时间都从运行开始时算起。",
    },
    "judge.telemetry.file": {"en": "Trace file", "zh": "运行记录文件"},
    "judge.telemetry.attach": {"en": "Attach", "zh": "附加"},
    "judge.telemetry.has": {"en": "Attached: {name}", "zh": "已附加：{name}"},
    "judge.telemetry.attached": {
        "en": "The robot's trace is attached to run {run} ({samples} samples): it joins the sheet when the sheet is sent.",
        "zh": "机器人的运行记录已附加到第 {run} 号运行（{samples} 个采样）：记分表提交时会与之合并。",
    },
    "judge.telemetry.not_on_field": {
        "en": "Run {run} is no longer on the field: a robot's trace joins a sheet before the sheet is sent.",
        "zh": "第 {run} 号运行已不在场上：机器人的运行记录要在提交记分表之前附加。",
    },
    "judge.telemetry.not_this_run": {
        "en": "{name} is a {source} trace of the challenge {challenge}, but this round is {round_challenge} and needs the robot's own trace (roboarena run --trace on the field laptop).",
        "zh": "{name} 是挑战 {challenge} 的 {source} 运行记录，但本轮是 {round_challenge}，需要机器人自己的运行记录（场边电脑上的 roboarena run --trace）。",
    },
}
