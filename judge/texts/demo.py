"""Texts of ``roboarena demo``: the demo judge it makes, the teams it enters, the progress
of their programs, the leaderboards it prints and the addresses it serves them at."""

TEXTS = {
    # --- the demo judge and its competition ------------------------------------------------
    "demo.instance": {
        "en": "Demo judge in {path}: made afresh on every `roboarena demo` (a judge of your own keeps its "
              "data elsewhere and is not touched).",
        "zh": "示范评分服务器的数据目录：{path}（每次运行 `roboarena demo` 都会重新创建；你自己的评分服务器"
              "数据在别处，不受影响）。",
    },
    "demo.admin": {
        "en": "Admin account of the demo judge: user {username}, password {password} (shown only this once).",
        "zh": "示范评分服务器的管理员账号：用户名 {username}，密码 {password}（只显示这一次）。",
    },
    "demo.competition": {"en": "roboarena demo cup", "zh": "roboarena 示范赛"},
    "demo.school": {"en": "Demo school", "zh": "示范学校"},
    "demo.team.stock": {"en": "Pandas", "zh": "熊猫队"},
    "demo.team.slow": {"en": "Tortoises", "zh": "乌龟队"},
    "demo.team.bold": {"en": "Hares", "zh": "兔子队"},
    "demo.teams": {
        "en": "Teams: {stock} enter the example programs as shipped, {slow} a copy made slower, {bold} a copy "
              "with a bolder change (the Program column says which constant changed). Every program is "
              "submitted to the judge and run there in the simulator, seed 0.",
        "zh": "队伍：{stock}提交原版示例程序，{slow}提交改慢了的副本，{bold}提交改得更大胆的副本（“程序”一栏"
              "写明改了哪个常量）。每个程序都提交给评分服务器，在那里用模拟器运行（种子 0）。",
    },
    # --- running the programs --------------------------------------------------------------
    "demo.progress": {"en": "{team} in {challenge}", "zh": "{team}：{challenge}"},
    "demo.run_failed": {
        "en": "{team} in {challenge}: the program could not be scored: {reason}",
        "zh": "{team}：{challenge}：程序无法评分：{reason}",
    },
    "demo.variant_stale": {
        "en": "the demo changes {old!r} in {program}, but that program no longer contains it; update the demo's "
              "team programs in roboarena/judge/demo.py.",
        "zh": "示范要修改 {program} 中的 {old!r}，但这个程序里已经没有这段文字了；请更新 roboarena/judge/demo.py "
              "中示范队伍的程序。",
    },
    # --- the leaderboards --------------------------------------------------------------------
    "demo.board_title": {
        "en": "Round {number}: {title} ({challenge})",
        "zh": "第 {number} 轮：{title}（{challenge}）",
    },
    "demo.table.program": {"en": "Program", "zh": "程序"},
    "demo.as_shipped": {"en": "as shipped", "zh": "原版"},
    "demo.failed_row": {"en": "not scored: {reason}", "zh": "未评分：{reason}"},
    "demo.summary": {
        "en": "{scored} of {total} programs scored in {seconds:.0f} s.",
        "zh": "{total} 个程序中有 {scored} 个已评分，用时 {seconds:.0f} 秒。",
    },
    "demo.summary_failed": {
        "en": "{failed} of {total} programs could not be scored: the reasons are above.",
        "zh": "{total} 个程序中有 {failed} 个无法评分：原因见上。",
    },
    # --- serving -----------------------------------------------------------------------------
    "demo.serving": {
        "en": "The demo judge is serving at {url} (this computer only). Press Ctrl+C to stop.",
        "zh": "示范评分服务器正在 {url} 上运行（仅本机可访问）。按 Ctrl+C 停止。",
    },
    "demo.port_moved": {
        "en": "Port {wanted} is in use, so the demo judge took port {port}.",
        "zh": "端口 {wanted} 已被占用，示范评分服务器改用端口 {port}。",
    },
    "demo.link.competition": {"en": "Competition:  {url}", "zh": "比赛页面：{url}"},
    "demo.link.round": {"en": "Leaderboard, {title}:  {url}", "zh": "排行榜，{title}：{url}"},
    "demo.link.login": {
        "en": "Admin sign-in:  {url}  (user {username}, the password above)",
        "zh": "管理员登录：{url}（用户名 {username}，密码见上）",
    },
    "demo.stopped": {
        "en": "Demo judge stopped. Its data stays in {path} until the next `roboarena demo`; "
              "`roboarena judge --instance {path} serve` serves it again.",
        "zh": "示范评分服务器已停止。它的数据保留在 {path}，直到下次运行 `roboarena demo`；"
              "`roboarena judge --instance {path} serve` 可以再次启动它。",
    },
    "demo.not_serving": {
        "en": "Not serving (--no-serve). To see these leaderboards in a browser: "
              "roboarena judge --instance {path} serve",
        "zh": "未启动服务（--no-serve）。要在浏览器中查看这些排行榜：roboarena judge --instance {path} serve",
    },
    # --- what can go wrong ----------------------------------------------------------------------
    "demo.error.not_demo_folder": {
        "en": "{path} already holds files that roboarena demo did not make, so it is left alone. Give --instance "
              "a new or empty folder: the demo clears it and fills it again on every run.",
        "zh": "{path} 中已有不是 roboarena demo 创建的文件，所以不会动它。请给 --instance 一个新的或空的文件夹："
              "示范每次运行都会清空并重新填充它。",
    },
    "demo.error.not_a_folder": {
        "en": "{path} is a file, not a folder. Give --instance a new or empty folder.",
        "zh": "{path} 是一个文件，不是文件夹。请给 --instance 一个新的或空的文件夹。",
    },
    "demo.error.cannot_clear": {
        "en": "Could not clear the demo folder {path} ({reason}). Is another `roboarena demo` still serving it? "
              "Stop that one with Ctrl+C, or choose another folder with --instance.",
        "zh": "无法清空示范文件夹 {path}（{reason}）。是不是另一个 `roboarena demo` 还在使用它？请先按 Ctrl+C "
              "停止那个，或者用 --instance 选择另一个文件夹。",
    },
    "demo.error.bad_port": {
        "en": "--port {port} is not a port number: use one from 1 to 65535 (default 8080), or 0 for any free port.",
        "zh": "--port {port} 不是有效的端口号：请使用 1 到 65535 之间的数（默认 8080），或用 0 表示任意空闲端口。",
    },
    "demo.error.cannot_serve": {
        "en": "Could not serve the demo judge on {host}: {reason}. The results above are complete; "
              "run again with --no-serve, or with --port set to a free port.",
        "zh": "无法在 {host} 上启动示范评分服务器：{reason}。上面的结果是完整的；请加 --no-serve 再运行，"
              "或用 --port 指定一个空闲端口。",
    },
}
