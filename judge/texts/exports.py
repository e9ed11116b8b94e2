"""Texts of the exports: the results tables (CSV and JSON), the certificate list and the
printable certificates, and the page that links them."""

TEXTS = {
    "judge.exports.title": {"en": "Results and certificates — {competition}", "zh": "成绩与证书 — {competition}"},
    "judge.exports.intro": {
        "en": "The final standings of every round, including the runs made while a leaderboard is frozen. "
              "Only admins, referees and coaches can open these files.",
        "zh": "每一轮的最终排名，包括排行榜冻结期间的运行成绩。只有管理员、裁判和教练可以打开这些文件。",
    },
    "judge.exports.results": {"en": "Results", "zh": "成绩"},
    "judge.exports.results_csv": {"en": "Results table (CSV, opens in Excel)", "zh": "成绩表（CSV，可用 Excel 打开）"},
    "judge.exports.results_json": {"en": "Results (JSON, for other programs)", "zh": "成绩（JSON，供其他程序使用）"},
    "judge.exports.certificates": {"en": "Certificates", "zh": "证书"},
    "judge.exports.certificates_page": {"en": "Certificates to print", "zh": "打印证书"},
    "judge.exports.certificates_csv": {
        "en": "Certificate list (CSV, for a mail merge)",
        "zh": "证书名单（CSV，可用于邮件合并）",
    },
    "judge.exports.all_rounds": {"en": "All rounds", "zh": "所有轮次"},
    "judge.exports.prizes": {"en": "Prizes by place", "zh": "按名次评奖"},
    "judge.exports.prizes_help": {
        "en": "Each prize goes to the places down to the number given: with 1, 3 and 6, place 1 wins the first prize, "
              "places 2–3 the second, places 4–6 the third, and every other ranked team a participation award. "
              "Teams level on every tie-break share a place, and so their award.",
        "zh": "每个奖项颁给不低于所填名次的队伍：例如填 1、3、6，则第 1 名获一等奖，第 2–3 名获二等奖，第 4–6 名获三等奖，"
              "其余有名次的队伍获参与奖。所有同分判定项都相同的队伍名次并列，奖项也相同。",
    },
    "judge.exports.first_down_to": {"en": "First prize down to place", "zh": "一等奖到第几名"},
    "judge.exports.second_down_to": {"en": "Second prize down to place", "zh": "二等奖到第几名"},
    "judge.exports.third_down_to": {"en": "Third prize down to place", "zh": "三等奖到第几名"},
    "judge.exports.show": {"en": "Show the certificates", "zh": "显示证书"},
    "judge.exports.col.round": {"en": "Round", "zh": "轮次"},
    "judge.exports.col.challenge": {"en": "Challenge", "zh": "挑战"},
    "judge.exports.col.best_run": {"en": "Best run", "zh": "最佳运行编号"},
    "judge.exports.col.award": {"en": "Award", "zh": "奖项"},
    "judge.exports.col.place": {"en": "Place", "zh": "名次"},
    "judge.exports.col.competition": {"en": "Competition", "zh": "比赛"},
    "judge.award.first": {"en": "First prize", "zh": "一等奖"},
    "judge.award.second": {"en": "Second prize", "zh": "二等奖"},
    "judge.award.third": {"en": "Third prize", "zh": "三等奖"},
    "judge.award.participation": {"en": "Participation award", "zh": "参与奖"},
    "judge.exports.place": {"en": "{ordinal} place", "zh": "第 {ordinal} 名"},
    "judge.exports.certificate": {"en": "Certificate", "zh": "荣誉证书"},
    "judge.exports.certificate_school": {"en": "This certifies that the team from {school}", "zh": "兹证明 {school} 的队伍"},
    "judge.exports.certificate_team": {"en": "This certifies that the team", "zh": "兹证明队伍"},
    "judge.exports.certificate_result": {
        "en": "took {place} in {round} ({challenge}) with {score} points, and is awarded the",
        "zh": "在 {round}（{challenge}）中以 {score} 分获得{place}，荣获",
    },
    "judge.exports.signature": {"en": "Signature:", "zh": "签名："},
    "judge.exports.date": {"en": "Date: {date}", "zh": "日期：{date}"},
    "judge.exports.back_to_competition": {"en": "Back to {competition}", "zh": "返回 {competition}"},
    "judge.exports.back_to_exports": {"en": "Back to the results and certificates", "zh": "返回成绩与证书"},
    "judge.exports.print_help": {
        "en": "Print this page (Ctrl+P): one certificate per sheet. Choose landscape A4 and turn off the browser's "
              "headers and footers.",
        "zh": "打印本页（Ctrl+P）：每张纸一份证书。请选择 A4 横向，并关闭浏览器的页眉和页脚。",
    },
    "judge.exports.certificate_count": {"en": "{count} certificates.", "zh": "共 {count} 份证书。"},
    "judge.exports.no_certificates": {
        "en": "No team has a scored run here yet, so there are no certificates.",
        "zh": "这里还没有队伍有已评分的运行，所以没有证书。",
    },
    "judge.exports.unranked": {
        "en": "No certificate for teams without a scored run in {round}: {teams}.",
        "zh": "{round} 中没有已评分运行的队伍不发证书：{teams}。",
    },
    "judge.exports.no_competition": {
        "en": "There is no competition {competition_id}. Pick one from the list of competitions.",
        "zh": "没有编号为 {competition_id} 的比赛。请从比赛列表中选择。",
    },
    "judge.exports.bad_round": {
        "en": "round={value} is not a round of this competition. Its rounds are: {choices}.",
        "zh": "round={value} 不是本比赛的轮次。本比赛的轮次编号为：{choices}。",
    },
    "judge.exports.bad_prizes": {
        "en": "The prize places must be whole numbers from 0 up with first ≤ second ≤ third; got first={first}, "
              "second={second}, third={third}.",
        "zh": "奖项名次必须是从 0 开始的整数，并且一等奖 ≤ 二等奖 ≤ 三等奖；现在是 first={first}，second={second}，third={third}。",
    },
}
