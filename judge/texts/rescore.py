"""Texts of re-scoring a round after a rules fix (choosing and uploading a pack version, the
preview, applying it) and of the competition's audit log."""

TEXTS = {
    "judge.rescore.title": {"en": "Re-score: {title}", "zh": "重新评分：{title}"},
    "judge.rescore.intro": {
        "en": "When a rule turns out wrong, fix the challenge pack and re-score every counted run of this round with the fixed version. The preview changes nothing; applying it re-scores the runs, pins the round to the new version and writes it all to the audit log.",
        "zh": "如果发现某条规则有误，请修正挑战包，再用修正后的版本为本轮所有计入成绩的运行重新评分。预览不会改变任何数据；确认应用后才会重新评分、把本轮固定到新版本，并全部记入审计日志。",
    },
    "judge.rescore.pinned": {
        "en": "This round is judged by version {version} of {challenge} (content hash {hash}).",
        "zh": "本轮按 {challenge} 的 {version} 版评分（内容哈希 {hash}）。",
    },
    "judge.rescore.pinned_lost": {
        "en": "This round is judged by the pack version with content hash {hash}, which this server no longer has. Upload that version or choose another one below.",
        "zh": "本轮使用的挑战包版本（内容哈希 {hash}）已不在这个服务器上。请上传该版本，或在下面选择另一个版本。",
    },
    "judge.rescore.back": {"en": "Back to the round", "zh": "返回本轮"},
    "judge.rescore.choose": {"en": "Choose a version on this server", "zh": "选择服务器上的版本"},
    "judge.rescore.version_installed": {
        "en": "installed pack, version {version}, hash {hash}",
        "zh": "已安装的挑战包，{version} 版，哈希 {hash}",
    },
    "judge.rescore.version_kept": {
        "en": "uploaded pack, version {version}, hash {hash}",
        "zh": "上传的挑战包，{version} 版，哈希 {hash}",
    },
    "judge.rescore.version_current": {"en": "(the round's version now)", "zh": "（本轮当前版本）"},
    "judge.rescore.preview_button": {"en": "Preview", "zh": "预览"},
    "judge.rescore.upload": {"en": "Or upload a fixed pack", "zh": "或上传修正后的挑战包"},
    "judge.rescore.upload_help": {
        "en": "A .zip of the pack folder: challenge.toml and the files it uses (at most {limit_mb} MB). It is checked, kept on this server and previewed; nothing changes until you apply it.",
        "zh": "挑战包文件夹的 .zip 压缩包：challenge.toml 及其用到的文件（最多 {limit_mb} MB）。上传后会先检查、保存在服务器上并预览；在你确认应用之前不会改变任何数据。",
    },
    "judge.rescore.upload_button": {"en": "Upload and preview", "zh": "上传并预览"},
    "judge.rescore.no_version": {
        "en": "No pack was sent. Choose a version in the list, or pick the pack's .zip file to upload.",
        "zh": "没有收到挑战包。请在列表中选择一个版本，或选择要上传的挑战包 .zip 文件。",
    },
    "judge.rescore.preview_heading": {
        "en": "Re-scoring with version {version} (hash {hash}) would change this",
        "zh": "用 {version} 版（哈希 {hash}）重新评分后的变化",
    },
    "judge.rescore.nothing_saved": {
        "en": "This is a preview: nothing has been changed yet.",
        "zh": "这只是预览：还没有改变任何数据。",
    },
    "judge.rescore.standings": {"en": "Leaderboard before and after", "zh": "重新评分前后的排行榜"},
    "judge.rescore.before": {"en": "Before", "zh": "之前"},
    "judge.rescore.after": {"en": "After", "zh": "之后"},
    "judge.rescore.rank_change": {"en": "Rank change", "zh": "名次变化"},
    "judge.rescore.score_change": {"en": "Score change", "zh": "得分变化"},
    "judge.rescore.up": {"en": "up {places}", "zh": "上升 {places} 名"},
    "judge.rescore.down": {"en": "down {places}", "zh": "下降 {places} 名"},
    "judge.rescore.same": {"en": "no change", "zh": "不变"},
    "judge.rescore.off_board": {"en": "off the board", "zh": "不在榜上"},
    "judge.rescore.on_board": {"en": "new on the board", "zh": "新上榜"},
    "judge.rescore.changed_runs": {"en": "Runs whose score changes ({count})", "zh": "得分有变化的运行（{count} 次）"},
    "judge.rescore.no_changed_runs": {
        "en": "No run's score changes with this version.",
        "zh": "用这个版本评分，没有任何运行的得分发生变化。",
    },
    "judge.rescore.col.run": {"en": "Run", "zh": "运行"},
    "judge.rescore.col.old": {"en": "Old score", "zh": "原得分"},
    "judge.rescore.col.new": {"en": "New score", "zh": "新得分"},
    "judge.rescore.col.explanation": {"en": "How the new score is made up", "zh": "新得分的构成"},
    "judge.rescore.col.reason": {"en": "Why", "zh": "原因"},
    "judge.rescore.unscorable": {
        "en": "Runs that cannot be re-scored ({count}): they keep the score they have now",
        "zh": "无法重新评分的运行（{count} 次）：它们保留现在的得分",
    },
    "judge.rescore.reason.no_trace": {
        "en": "it has no trace file (a {source} run); void it or score it again by hand if the fix matters to it",
        "zh": "它没有运行记录文件（{source} 运行）；如果这次修正影响到它，请作废它或手动重新评分",
    },
    "judge.rescore.reason.trace_missing": {
        "en": "its trace file {path} is missing from the server's instance folder; restore it from a backup and preview again",
        "zh": "服务器实例文件夹中缺少它的运行记录文件 {path}；请从备份中恢复后再预览",
    },
    "judge.rescore.reason.wrong_challenge": {
        "en": "its trace is a run of {trace_challenge}, not of this round's challenge {challenge}",
        "zh": "它的运行记录属于挑战 {trace_challenge}，而不是本轮的挑战 {challenge}",
    },
    "judge.rescore.reason.bad_trace": {"en": "its trace could not be scored: {problem}", "zh": "它的运行记录无法评分：{problem}"},
    "judge.rescore.apply_heading": {"en": "Apply", "zh": "应用"},
    "judge.rescore.confirm": {
        "en": "I have checked the preview: re-score the runs, judge this round by version {version} (hash {hash}) from now on, and record it in the audit log.",
        "zh": "我已核对预览：重新评分，从现在起本轮按 {version} 版（哈希 {hash}）评分，并记入审计日志。",
    },
    "judge.rescore.apply_button": {"en": "Re-score the round", "zh": "重新评分本轮"},
    "judge.rescore.confirm_needed": {
        "en": "Nothing was changed: tick the box that confirms you checked the preview, then apply again.",
        "zh": "没有做任何更改：请勾选确认已核对预览的选项，然后再次应用。",
    },
    "judge.rescore.changed_since": {
        "en": "Nothing was changed: the round's runs changed after this preview was made. Check the new preview below and apply again.",
        "zh": "没有做任何更改：生成预览之后本轮的运行发生了变化。请核对下面新的预览，然后再次应用。",
    },
    "judge.rescore.unchanged": {
        "en": "Nothing to change: the round is judged by version {hash} already and every run is scored by it.",
        "zh": "无需更改：本轮已按版本 {hash} 评分，所有运行也都已按它评分。",
    },
    "judge.rescore.nothing_to_apply": {
        "en": "The round is judged by this version already and every run is scored by it: there is nothing to apply.",
        "zh": "本轮已按这个版本评分，所有运行也都已按它评分：没有需要应用的更改。",
    },
    "judge.rescore.applied": {
        "en": "Round re-scored with version {version} (hash {hash}): {runs} runs re-scored, {changed} of them with a new score; {kept} could not be re-scored and kept their score. The audit log has the details.",
        "zh": "本轮已按 {version} 版（哈希 {hash}）重新评分：重新评分 {runs} 次运行，其中 {changed} 次得分有变化；{kept} 次无法重新评分，保留原得分。详情见审计日志。",
    },
    "judge.rescore.unknown_version": {
        "en": "This server has no version {hash} of {challenge}. Upload the pack as a .zip on the round's re-score page first.",
        "zh": "这个服务器上没有 {challenge} 的 {hash} 版本。请先在本轮的重新评分页面上传该挑战包的 .zip 文件。",
    },
    # --- uploaded packs ---------------------------------------------------------------------
    "judge.pack.not_zip": {
        "en": "{name} is not a .zip file. Zip the pack folder (challenge.toml and its files) and upload the .zip.",
        "zh": "{name} 不是 .zip 文件。请把挑战包文件夹（challenge.toml 及其文件）压缩成 .zip 后上传。",
    },
    "judge.pack.bad_zip": {
        "en": "{name} could not be read as a pack .zip ({problem}). Make the .zip again (without a password) and upload it.",
        "zh": "无法把 {name} 当作挑战包 .zip 读取（{problem}）。请重新压缩（不要设置密码）后上传。",
    },
    "judge.pack.unsafe_path": {
        "en": "{name} holds a file at {path}, which points outside the pack folder. A pack .zip may only hold files inside the pack folder: no ../ and no paths starting with / or a drive letter. Zip the pack folder itself and upload that.",
        "zh": "{name} 中有一个位于 {path} 的文件，它指向挑战包文件夹之外。挑战包 .zip 只能包含挑战包文件夹内的文件：不能有 ../，也不能以 / 或盘符开头。请直接压缩挑战包文件夹后上传。",
    },
    "judge.pack.link": {
        "en": "{name} holds a link ({path}); a pack holds only ordinary files. Replace the link by the file itself and zip the pack again.",
        "zh": "{name} 中有一个链接（{path}）；挑战包只能包含普通文件。请用文件本身替换链接，然后重新压缩。",
    },
    "judge.pack.too_big": {
        "en": "{name} is too big for a pack: at most {limit_mb} MB and {files} files unpacked. Leave out what the pack does not use (videos, old versions) and zip it again.",
        "zh": "{name} 作为挑战包太大了：解压后最多 {limit_mb} MB、{files} 个文件。请去掉挑战包用不到的文件（视频、旧版本）后重新压缩。",
    },
    "judge.pack.no_toml": {
        "en": "{name} has no challenge.toml, neither at its top nor in its one folder. Zip the pack folder that holds challenge.toml.",
        "zh": "{name} 中没有 challenge.toml（顶层和唯一的文件夹里都没有）。请压缩包含 challenge.toml 的挑战包文件夹。",
    },
    "judge.pack.wrong_challenge": {
        "en": "The pack in {name} is the challenge {pack_challenge}, but this round is judged by {challenge}. Upload a fixed version of {challenge} (its id must stay the same).",
        "zh": "{name} 中的挑战包是挑战 {pack_challenge}，但本轮使用的是 {challenge}。请上传 {challenge} 的修正版本（id 必须保持不变）。",
    },
    "judge.pack.outside_file": {
        "en": "The pack in {name} names {key} = {value}, a file outside the pack. An uploaded pack may use its own files and the built-in worlds and examples only: put the file in the pack folder.",
        "zh": "{name} 中的挑战包设置了 {key} = {value}，这是挑战包之外的文件。上传的挑战包只能使用自己的文件以及内置的世界和示例：请把该文件放进挑战包文件夹。",
    },
    "judge.pack.not_kept": {
        "en": "The pack in {name} was checked but could not be kept in {folder}. Check that the judge's instance folder is writable and upload it again.",
        "zh": "{name} 中的挑战包已通过检查，但无法保存到 {folder}。请确认评审服务器的实例文件夹可写，然后重新上传。",
    },
    "judge.pack.pinned_missing": {
        "en": "Round {round_id} is judged by version {hash} of {challenge}, which is neither the installed pack nor a pack kept by this server. An admin can upload that version again on the round's re-score page, or re-score the round with another version.",
        "zh": "第 {round_id} 轮使用 {challenge} 的 {hash} 版本评分，但它既不是已安装的挑战包，也不在这个服务器保存的挑战包中。管理员可以在本轮的重新评分页面重新上传该版本，或用另一个版本为本轮重新评分。",
    },
    # --- the audit log ----------------------------------------------------------------------
    "judge.audit.title": {"en": "Audit log: {competition}", "zh": "审计日志：{competition}"},
    "judge.audit.intro": {
        "en": "Every change made in this competition: who made it, when, to what, and the values before and after.",
        "zh": "本比赛中的每一项更改：谁、何时、改了什么，以及更改前后的值。",
    },
    "judge.audit.filter": {"en": "Filter", "zh": "筛选"},
    "judge.audit.any": {"en": "any", "zh": "全部"},
    "judge.audit.since": {"en": "From (day, UTC)", "zh": "起始日期（UTC）"},
    "judge.audit.until": {"en": "To (day, UTC)", "zh": "截止日期（UTC）"},
    "judge.audit.target_contains": {"en": "Target contains", "zh": "对象包含"},
    "judge.audit.show": {"en": "Show", "zh": "显示"},
    "judge.audit.col.when": {"en": "When", "zh": "时间"},
    "judge.audit.col.user": {"en": "User", "zh": "用户"},
    "judge.audit.col.action": {"en": "Action", "zh": "操作"},
    "judge.audit.col.target": {"en": "Target", "zh": "对象"},
    "judge.audit.col.change": {"en": "Before → after", "zh": "更改前 → 更改后"},
    "judge.audit.server": {"en": "(the server)", "zh": "（服务器）"},
    "judge.audit.created": {"en": "created", "zh": "新建"},
    "judge.audit.removed": {"en": "removed", "zh": "删除"},
    "judge.audit.no_change": {"en": "no values changed", "zh": "没有值发生变化"},
    "judge.audit.more": {"en": "… and {count} more", "zh": "……还有 {count} 项"},
    "judge.audit.full": {"en": "All values before and after", "zh": "更改前后的全部值"},
    "judge.audit.empty": {"en": "No entries match.", "zh": "没有符合条件的记录。"},
    "judge.audit.older": {"en": "Older entries", "zh": "更早的记录"},
    "judge.audit.bad_date": {
        "en": "{field} = {value!r} is not a day: write it as YYYY-MM-DD, e.g. 2025-05-17.",
        "zh": "{field} = {value!r} 不是日期：请写成 YYYY-MM-DD，例如 2025-05-17。",
    },
}
