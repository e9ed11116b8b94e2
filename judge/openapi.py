"""The JSON API described for programs: an OpenAPI 3.1 document built as Python data.

Each path of the API is one function below, registered with ``@path("/api/...")``, that
returns the path's operations made with the helpers here (``operation``, ``ok``,
``refused``, ``id_in_path``...). Shapes used by several paths (the error body, a run, a
leaderboard row) are components, named in ``SCHEMAS``. Adding an endpoint is adding one
such function; the API test fails, naming it, for any ``/api/`` route that has none.

Texts a person reads are ``Both(en, zh)``: ``document("en")`` (what ``/api/openapi.json``
serves) and ``document("zh")`` (``?lang=zh``, and the ``/api/docs`` page for a Chinese
reader) are the same document in either language.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from roboarena.judge import MAX_UPLOAD_MB
from roboarena.judge.models import MAX_INT, RUN_STATES

from roboarena.messages import LANGUAGES

OPENAPI_VERSION = "3.1.0"
API_VERSION = "1"
BEARER = "bearerToken"                 # the security scheme's name in the document
# Times the API does not yet give with their zone: only their ISO 8601 form is promised.
ISO_8601 = r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d"


@dataclass(frozen=True)
class Both:
    """A text in English and Simplified Chinese; resolved to one when the document is built."""
    en: str
    zh: str

    def __post_init__(self):
        if not self.en.strip() or not self.zh.strip():
            raise ValueError(f"a document text needs both languages: {self!r}")

    def text(self, lang: str) -> str:
        return self.zh if lang == "zh" else self.en


def resolve(tree, lang: str):
    """``tree`` with every ``Both`` replaced by its text in ``lang``."""
    if isinstance(tree, Both):
        return tree.text(lang)
    if isinstance(tree, dict):
        return {key: resolve(value, lang) for key, value in tree.items()}
    if isinstance(tree, (list, tuple)):
        return [resolve(value, lang) for value in tree]
    return tree


def texts_in(tree) -> list[Both]:
    """Every ``Both`` in ``tree`` (the tests check none is left half-translated)."""
    if isinstance(tree, Both):
        return [tree]
    if isinstance(tree, dict):
        return [text for value in tree.values() for text in texts_in(value)]
    if isinstance(tree, (list, tuple)):
        return [text for value in tree for text in texts_in(value)]
    return []


# --- small builders ---------------------------------------------------------------------------

def ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


def nullable(type_name: str, description: Both | None = None, **more) -> dict:
    schema = {"type": [type_name, "null"], **more}
    return schema | ({"description": description} if description else {})


def field(type_name: str, description: Both, **more) -> dict:
    return {"type": type_name, "description": description, **more}


def obj(properties: dict, required: list[str] | tuple[str, ...] = (), description: Both | None = None) -> dict:
    schema = {"type": "object", "properties": properties, "required": list(required)}
    return schema | ({"description": description} if description else {})


def json_body(schema: dict) -> dict:
    return {"application/json": {"schema": schema}}


def ok(description: Both, schema: dict | None = None, media_type: str = "application/json", headers=None) -> dict:
    """A successful response (200, 201, 202) with its body."""
    response: dict = {"description": description}
    if schema is not None:
        response["content"] = {media_type: {"schema": schema}}
    if headers:
        response["headers"] = headers
    return response


def refused(description: Both, *message_ids: str, headers: dict | None = None) -> dict:
    """An error response: the error body, and the message ids this endpoint answers with."""
    response = {"description": description, "content": json_body(ref("Error"))}
    if message_ids:
        response["x-message-ids"] = list(message_ids)     # the values of `error` this answer may carry
    if headers:
        response["headers"] = headers
    return response


def id_in_path(name: str, description: Both) -> dict:
    return {"name": name, "in": "path", "required": True, "description": description,
            "schema": {"type": "integer", "minimum": 1, "maximum": MAX_INT}, "example": 1}


def operation(operation_id: str, summary: Both, description: Both, responses: dict, *, tags: list[str],
              parameters: list | None = None, body: dict | None = None, sign_in: str = "none",
              changes: bool = False) -> dict:
    """One operation. ``sign_in``: "none" (public), "optional" (a token may show more), or
    "token" (a bearer token is required). ``changes``: it changes something (a POST), so a
    request signed in by the session cookie also needs the CSRF header, else 400."""
    spec: dict = {"operationId": operation_id, "summary": summary, "description": description, "tags": tags}
    # Every request: a NUL character in a query or body text is refused (400 judge.error.nul);
    # changes signed in by the session cookie also need the CSRF header.
    extra = ["judge.error.nul"] + (["judge.error.csrf"] if changes else [])
    responses = dict(responses)
    if "400" in responses:
        responses["400"] = responses["400"] | {"x-message-ids": responses["400"].get("x-message-ids", []) + extra}
    else:
        responses["400"] = refused(CSRF_NOTE if changes else NUL_NOTE, *extra)
    if parameters:
        spec["parameters"] = parameters
    if body is not None:
        spec["requestBody"] = body
    if sign_in == "token":
        spec["security"] = [{BEARER: []}]
        responses = {"401": UNAUTHORIZED} | responses
    elif sign_in == "optional":
        spec["security"] = [{}, {BEARER: []}]
    else:
        spec["security"] = []
    spec["responses"] = dict(sorted(responses.items()))
    return spec


# --- shared responses ---------------------------------------------------------------------------

UNAUTHORIZED = refused(
    Both("No token was sent, or the token is not known to this server. The answer carries "
         "`WWW-Authenticate: Bearer`.",
         "没有发送令牌，或者服务器不认识这个令牌。回答中带有 `WWW-Authenticate: Bearer`。"),
    "judge.error.no_token", "judge.error.bad_token",
    headers={"WWW-Authenticate": {"description": Both("Always `Bearer`.", "总是 `Bearer`。"),
                                  "schema": {"type": "string", "const": "Bearer"}}})
NOT_ALLOWED = refused(Both("The token's user may not do this here.", "令牌的用户不能在这里执行这个操作。"),
                      "judge.error.not_allowed")
NUL_NOTE = Both("A text in the query or body holds a NUL character (`\\0`).", "查询或正文中的文本含有 NUL 字符（`\\0`）。")
CSRF_NOTE = Both(
    "A request signed in by the session cookie (a page's script) must also send the header `X-CSRFToken`, "
    "else it gets 400 `judge.error.csrf`; a request with a bearer token needs none.",
    "用会话 Cookie 登录的请求（网页中的脚本）还必须发送请求头 `X-CSRFToken`，否则得到 400 `judge.error.csrf`；"
    "带有令牌的请求不需要。")
ROUND_ID = id_in_path("round_id", Both("The round's number, as on its page.", "轮次编号，与轮次页面上的一致。"))
RUN_ID = id_in_path("run_id", Both("The run's number.", "运行编号。"))
COMPETITION_ID = id_in_path("competition_id", Both("The competition's number.", "比赛编号。"))
NO_ROUND = refused(Both("There is no such round.", "没有这一轮。"), "judge.error.no_round")
NO_COMPETITION = refused(Both("There is no such competition.", "没有这个比赛。"), "judge.error.no_competition")

# --- components ------------------------------------------------------------------------------------

MESSAGE = obj({"en": field("string", Both("In English.", "英文。")),
               "zh": field("string", Both("In Simplified Chinese.", "简体中文。"))},
              ["en", "zh"], Both("One message in both languages.", "同一条消息的两种语言。"))

ERROR = obj(
    {"error": field("string", Both("The message id: stable, for programs to test (e.g. `judge.error.no_round`).",
                                   "消息编号：固定不变，供程序判断（例如 `judge.error.no_round`）。"),
                    pattern=r"^[a-z0-9_.\-]+$"),
     "message": ref("Message"),
     "details": field("object", Both("The values quoted in the message (a name, a number), when it quotes any.",
                                     "消息中引用的值（名字、编号），如果有的话。"))},
    ["error", "message"],
    Both("Every refusal of the API: what went wrong, in both languages, with what to do about it.",
         "API 的每一种拒绝：出了什么问题（两种语言），以及应该怎么做。"))

RULE_RESULT = obj(
    {"id": field("string", Both("The rule's id in the challenge pack.", "规则在挑战包中的编号。")),
     "kind": field("string", Both("The kind of rule.", "规则的种类。")),
     "label": ref("Message"),
     "count": field("integer", Both("How many times the rule applied.", "规则生效的次数。")),
     "points": field("number", Both("The points it gave (negative for a penalty).", "得到的分数（罚分为负）。"))},
    ["id", "kind", "label", "count", "points"], Both("One scoring rule's part of a score.", "一条计分规则的得分。"))

RUN = obj(
    {"run": field("integer", Both("The run's number.", "运行编号。")),
     "round": field("integer", Both("The round's number.", "轮次编号。")),
     "team": field("string", Both("The team's name.", "队名。")),
     "source": field("string", Both("Where the run was made: `sim`, `virtual-board`, `hardware` or `referee`.",
                                    "运行的来源：`sim`、`virtual-board`、`hardware` 或 `referee`。")),
     "status": field("string", Both("`scored` (counted), `pending` (its program waits to be run), `on-field` "
                                    "(a referee's sheet is not in yet), `void` or `failed` (see `outcome`).",
                                    "`scored`（计入排名）、`pending`（程序等待运行）、`on-field`（裁判记分表尚未提交）、"
                                    "`void`（作废）或 `failed`（见 `outcome`）。"),
                     enum=list(RUN_STATES)),
     "score": nullable("number", Both("Points; null until scored.", "得分；评分之前为 null。")),
     "success": nullable("boolean", Both("Whether the challenge was completed.", "是否完成了挑战。")),
     "time_s": nullable("number", Both("The run's time, seconds.", "运行用时，秒。")),
     "outcome": nullable("string", Both("How it ended (e.g. `finished`, `time-limit`), or why it failed.",
                                        "结束方式（例如 `finished`、`time-limit`），或失败的原因。")),
     "breakdown": {"type": ["array", "null"], "items": ref("RuleResult"),
                   "description": Both("The score, rule by rule.", "按规则列出的得分明细。")},
     "explanation": {"oneOf": [ref("Message"), {"type": "null"}],
                     "description": Both("The score explained in words.", "用文字解释的得分。")},
     "version": field("integer", Both("Grows with every change to the run (a referee's sheet names the version it "
                                      "was made against).", "运行每改动一次就加一（裁判记分表会注明它基于的版本）。")),
     "created_at": field("string", Both("When it was submitted: ISO 8601, in UTC.", "提交时间：ISO 8601 格式，UTC。"),
                         format="date-time")},
    ["run", "round", "team", "source", "status", "score", "success", "time_s", "outcome", "breakdown",
     "explanation", "version", "created_at"],
    Both("A run as the API gives it.", "API 给出的一次运行。"))

SCORE_DETAIL = obj(
    {"challenge": field("string", Both("The challenge's id.", "挑战编号。")),
     "version": field("string", Both("The challenge pack's version.", "挑战包的版本。")),
     "pack_hash": field("string", Both("The pack's content hash the run was scored by.", "评分所用挑战包的内容哈希。"),
                        pattern="^sha256:"),
     "score": field("number", Both("Points.", "得分。")),
     "success": field("boolean", Both("Whether the challenge was completed.", "是否完成了挑战。")),
     "outcome": field("string", Both("How the run ended.", "运行的结束方式。")),
     "time_s": field("number", Both("Seconds.", "秒。")),
     "breakdown": {"type": "array", "items": ref("RuleResult")},
     "explanation": ref("Message")},
    ["challenge", "pack_hash", "score", "success", "breakdown"],
    Both("The scorer's full answer for a trace just uploaded.", "刚上传的运行记录的完整评分结果。"))

RUN_CREATED = {"allOf": [ref("Run"), obj({"score_detail": ref("ScoreDetail")})],
               "description": Both("A run just made; a scored trace carries `score_detail` too.",
                                   "刚建立的运行；已评分的运行记录还带有 `score_detail`。")}

TIE_BREAK = obj(
    {"separated_by": nullable("string", Both("The tie-break key that placed this team below the one above "
                                             "(`score`, `time`, `fewer:EVENT`, `more:EVENT`), or null if none did.",
                                             "把这支队伍排在上一支之后的决胜依据（`score`、`time`、`fewer:事件`、"
                                             "`more:事件`），没有则为 null。")),
     "tied": field("boolean", Both("True when nothing separated the two: they share a rank.",
                                   "两队无法区分时为 true：名次相同。")),
     "explanation": ref("Message")},
    ["separated_by", "tied", "explanation"],
    Both("Why a team level on points with the one above is placed where it is.", "与上一队同分时，为什么排在这里。"))

LEADERBOARD_ROW = obj(
    {"rank": field("integer", Both("1 for the first; tied teams share a rank.", "第一名为 1；并列的队伍名次相同。"),
                   minimum=1),
     "team": field("string", Both("The team's name.", "队名。")),
     "school": field("string", Both("The team's school.", "学校。")),
     "score": field("number", Both("The ranking score (by the pack's ranking mode).", "排名得分（按挑战包的排名方式）。")),
     "runs": field("integer", Both("The team's counted runs.", "计入排名的运行次数。"), minimum=1),
     "best_run": field("integer", Both("The number of the team's best run.", "最佳运行的编号。")),
     "time_s": nullable("number", Both("The best run's time, seconds.", "最佳运行的用时，秒。")),
     "tie_break": {"oneOf": [ref("TieBreak"), {"type": "null"}],
                   "description": Both("Null unless level on points with the team above.",
                                       "除非与上一队同分，否则为 null。")}},
    ["rank", "team", "school", "score", "runs", "best_run", "time_s", "tie_break"],
    Both("One team's line on a leaderboard.", "排行榜上一支队伍的一行。"))

LEADERBOARD = obj(
    {"round": field("integer", Both("The round's number.", "轮次编号。")),
     "title": field("string", Both("The round's title.", "轮次名称。")),
     "challenge": field("string", Both("The challenge's id.", "挑战编号。")),
     "pack_hash": field("string", Both("The pinned challenge pack's content hash.", "本轮固定使用的挑战包的内容哈希。"),
                        pattern="^sha256:[0-9a-f]{64}$"),
     "ranking_mode": field("string", Both("`best` run, `sum-best` N runs, or `mean`.",
                                          "`best`（最佳一次）、`sum-best`（最佳 N 次之和）或 `mean`（平均）。"),
                           enum=["best", "sum-best", "mean"]),
     "tie_break": {"type": "array", "items": {"type": "string"},
                   "description": Both("The tie-break keys, in order.", "决胜依据，按顺序。")},
     "frozen": field("boolean", Both("True while the public sees the standings as they stood at the freeze.",
                                     "公众看到的是冻结时的排名时为 true。")),
     "rows": {"type": "array", "items": ref("LeaderboardRow")}},
    ["round", "title", "challenge", "pack_hash", "ranking_mode", "tie_break", "frozen", "rows"],
    Both("A round's standings.", "一轮的排名。"))

PROJECTOR_ROW = obj(
    {"rank": nullable("integer", Both("The place; null for a team not revealed yet during the awards.",
                                      "名次；颁奖揭晓过程中尚未公布的队伍为 null。")),
     "team": field("string", Both("The team's name.", "队名。")),
     "school": field("string", Both("The team's school.", "学校。")),
     "score": nullable("number", Both("The ranking score; null for a team with no run before the freeze.",
                                      "排名得分；冻结前没有运行的队伍为 null。")),
     "runs": nullable("integer", Both("Counted runs.", "计入排名的运行次数。")),
     "time_s": nullable("number", Both("The best run's time, seconds.", "最佳运行的用时，秒。")),
     "best_run": nullable("integer", Both("The best run's number; null while not revealed.",
                                          "最佳运行的编号；尚未公布时为 null。")),
     "tie_break": {"oneOf": [ref("TieBreak"), {"type": "null"}]},
     "revealed": field("boolean", Both("During the awards: whether this team's final place is shown.",
                                       "颁奖过程中：这支队伍的最终名次是否已公布。")),
     "just_revealed": field("boolean", Both("During the awards: the team revealed last.",
                                            "颁奖过程中：最近一支公布的队伍。"))},
    ["rank", "team", "school", "score", "runs", "time_s", "best_run", "tie_break"],
    Both("One line of the projector: a leaderboard row, or during the awards a team still waiting.",
         "投影屏上的一行：排行榜的一行，或颁奖时尚未公布的队伍。"))

PROJECTOR_STATE = obj(
    {"round": field("integer", Both("The round's number.", "轮次编号。")),
     "title": field("string", Both("The round's title.", "轮次名称。")),
     "challenge": field("string", Both("The challenge's id.", "挑战编号。")),
     "challenge_title": ref("Message"),
     "view": field("string", Both("`public`, or `live` (admins asking for it: the standings through the freeze).",
                                  "`public`，或 `live`（管理员请求时：冻结期间的实时排名）。"), enum=["public", "live"]),
     "frozen": field("boolean", Both("True when these are the standings at the freeze.", "显示的是冻结时的排名时为 true。")),
     "frozen_at": nullable("string", Both("When the round was frozen (ISO 8601), or null.", "冻结时间（ISO 8601），或 null。")),
     "reveal": {"oneOf": [obj({"step": field("integer", Both("Teams revealed so far.", "已公布的队伍数。")),
                               "total": field("integer", Both("Teams to reveal.", "要公布的队伍总数。"))},
                              ["step", "total"]), {"type": "null"}],
                "description": Both("The awards' progress, from the bottom up; null when not revealing.",
                                    "颁奖进度（从最后一名开始）；不在颁奖时为 null。")},
     "notice": {"oneOf": [ref("Message"), {"type": "null"}],
                "description": Both("The banner above the standings.", "排名上方的横幅。")},
     "rows": {"type": "array", "items": ref("ProjectorRow")}},
    ["round", "title", "challenge", "challenge_title", "view", "frozen", "frozen_at", "reveal", "notice", "rows"],
    Both("Everything the projector shows, as each event and each poll carries it (never a change: the whole state).",
         "投影屏显示的全部内容，每个事件和每次轮询都带有完整状态（而不是变化部分）。"))

APPEAL = obj(
    {"appeal": field("integer", Both("The appeal's number.", "申诉编号。")),
     "run": field("integer", Both("The run appealed.", "被申诉的运行。")),
     "round": field("integer", Both("Its round.", "所在轮次。")),
     "team": field("string", Both("Its team.", "所属队伍。")),
     "status": field("string", Both("`open`, `upheld` or `rejected`.", "`open`（待处理）、`upheld`（支持）或 `rejected`（驳回）。"),
                     enum=["open", "upheld", "rejected"]),
     "reason": field("string", Both("Why the team appeals.", "申诉理由。")),
     "filed_by": field("string", Both("Who filed it.", "提交人。")),
     "created_at": field("string", Both("When (ISO 8601).", "提交时间（ISO 8601）。"), pattern=ISO_8601),
     "resolution": nullable("string", Both("The referee's answer, once resolved.", "处理后裁判的答复。")),
     "resolved_by": nullable("string", Both("Who resolved it.", "处理人。")),
     "resolved_at": nullable("string", Both("When it was resolved (ISO 8601).", "处理时间（ISO 8601）。")),
     "audit_id": nullable("integer", Both("The audit entry of what was done about it (a void, a re-score, or the "
                                          "resolution itself).", "处理结果的审计记录编号（作废、重新评分或处理本身）。"))},
    ["appeal", "run", "round", "team", "status", "reason", "filed_by", "created_at", "resolution", "resolved_by",
     "resolved_at", "audit_id"],
    Both("A team's appeal on one of its runs.", "队伍对自己某次运行的申诉。"))

AUDIT_ENTRY = obj(
    {"id": field("integer", Both("The entry's number.", "记录编号。")),
     "at": field("string", Both("When (ISO 8601, UTC).", "时间（ISO 8601，UTC）。"), pattern=ISO_8601),
     "user": nullable("string", Both("Who made the change (null: the server itself).", "修改人（null：服务器自身）。")),
     "action": field("string", Both("What was done, e.g. `run.void`, `round.freeze`, `appeal.resolve`.",
                                    "所做的操作，例如 `run.void`、`round.freeze`、`appeal.resolve`。")),
     "target": field("string", Both("What it was done to, e.g. `run 17`.", "操作对象，例如 `run 17`。")),
     "before": {"description": Both("The values before (any JSON).", "修改前的值（任意 JSON）。")},
     "after": {"description": Both("The values after (any JSON).", "修改后的值（任意 JSON）。")},
     "diff": {"oneOf": [{"type": "array", "items": obj(
                  {"path": field("string", Both("Where, e.g. `rows[2].score`.", "位置，例如 `rows[2].score`。")),
                   "before": {"description": Both("Absent if the key is new.", "新增的键没有此项。")},
                   "after": {"description": Both("Absent if the key was removed.", "被删除的键没有此项。")}},
                  ["path"])}, {"type": "null"}],
              "description": Both("What changed, leaf by leaf; null unless both sides are there.",
                                  "逐项列出的变化；只有修改前后都有值时才有。")}},
    ["id", "at", "user", "action", "target", "before", "after", "diff"],
    Both("One entry of a competition's audit log.", "比赛审计日志中的一条记录。"))

CROSSING = obj(
    {"id": field("integer", Both("The crossing's number.", "通过记录编号。")),
     "board_ms": field("integer", Both("The gate board's clock at the crossing, ms.", "通过时计时门主板的时钟，毫秒。")),
     "sensor": field("integer", Both("Which of the gate's sensors.", "计时门的哪个传感器。")),
     "device": field("string", Both("The gate's name.", "计时门的名称。")),
     "t_ms": nullable("integer", Both("On the run's timer, ms; null until the tablet's start time is known.",
                                      "在本次运行计时器上的时间，毫秒；平板的开始时间未知时为 null。")),
     "lap_time_s": nullable("number", Both("Since the same sensor's crossing before, seconds.",
                                           "距同一传感器上一次通过的时间，秒。"))},
    ["id", "board_ms", "sensor", "device", "t_ms", "lap_time_s"],
    Both("A timing gate's crossing, placed on the run's timer.", "计时门的一次通过，换算到本次运行的计时器上。"))

SHEET_STATE = {"allOf": [ref("Run"), obj(
    {"crossings": {"type": "array", "items": ref("Crossing")},
     "refused_sheets": field("integer", Both("Sheets sent for this run that were not applied (kept).",
                                             "为这次运行提交但未被采用的记分表数量（已保存）。")),
     "server_ms": field("integer", Both("The server's clock, ms since 1970: the tablet sets its timer by it.",
                                        "服务器时钟（自 1970 年起的毫秒数）：平板据此校准计时器。"))},
    ["crossings", "refused_sheets", "server_ms"])],
    "description": Both("What a referee's tablet polls: the run and the gate's crossings so far.",
                        "裁判平板轮询的内容：这次运行以及到目前为止计时门的通过记录。")}

SCHEMAS: dict[str, dict] = {
    "Message": MESSAGE, "Error": ERROR, "RuleResult": RULE_RESULT, "Run": RUN, "ScoreDetail": SCORE_DETAIL,
    "RunCreated": RUN_CREATED, "TieBreak": TIE_BREAK, "LeaderboardRow": LEADERBOARD_ROW, "Leaderboard": LEADERBOARD,
    "ProjectorRow": PROJECTOR_ROW, "ProjectorState": PROJECTOR_STATE, "Appeal": APPEAL, "AuditEntry": AUDIT_ENTRY,
    "Crossing": CROSSING, "SheetState": SHEET_STATE,
}

# --- the paths -------------------------------------------------------------------------------------

PATHS: dict[str, Callable[[], dict]] = {}


def path(template: str):
    """Register the function that describes ``template``'s operations."""
    def register(describe: Callable[[], dict]):
        if template in PATHS:
            raise ValueError(f"{template} is described twice")
        PATHS[template] = describe
        return describe
    return register


TAG_RUNS, TAG_STANDINGS, TAG_SETUP, TAG_DOCS = "runs", "standings", "setup", "docs"
TAG_REFEREE, TAG_APPEALS, TAG_AUDIT = "referee", "appeals", "audit"
TAGS = {
    TAG_RUNS: Both("Submitting and reading runs.", "提交和读取运行。"),
    TAG_STANDINGS: Both("Leaderboards and the projector.", "排行榜和投影屏。"),
    TAG_REFEREE: Both("Referees' sheets and timing gates.", "裁判记分表和计时门。"),
    TAG_APPEALS: Both("Appeals on runs.", "对运行的申诉。"),
    TAG_AUDIT: Both("Who changed what.", "谁修改了什么。"),
    TAG_SETUP: Both("Competitions, rounds and teams.", "比赛、轮次和队伍。"),
    TAG_DOCS: Both("This description of the API.", "本 API 的说明。"),
}


def _file_part(name: str, filename: str) -> dict:
    return {"contentType": "application/octet-stream", "headers": {"Content-Disposition": {
        "description": Both("The part's file name, which must end as shown.", "这一部分的文件名，结尾必须如示例所示。"),
        "schema": {"type": "string"}, "example": f'form-data; name="{name}"; filename="{filename}"'}}}


@path("/api/rounds/{round_id}/runs")
def _round_runs():
    trace_file = {"type": "string", "format": "binary",
                  "description": Both("A run trace (`.jsonl` or `.jsonl.gz`) from `roboarena sim` or `roboarena run`; "
                                      "the file name must end so.",
                                      "运行记录（`.jsonl` 或 `.jsonl.gz`，由 `roboarena sim` 或 `roboarena run` 生成）；"
                                      "文件名必须以此结尾。")}
    program_file = {"type": "string", "format": "binary",
                    "description": Both("A program (`.py`, UTF-8, at most 200 KB) for the server to run in the round's "
                                        "challenge.", "程序（`.py`，UTF-8，最多 200 KB），由服务器在本轮挑战中运行。")}
    team = {"type": "string", "minLength": 1, "maxLength": 200,
            "description": Both("The team's name, as registered in the round's competition.", "报名时的队名。")}
    body = {
        "required": True,
        "description": Both("Either a form with `team` and one file, `trace` or `program`; or the trace itself as "
                            "the body, with `?team=` and the header `X-Trace-Filename`.",
                            "可以是带 `team` 和一个文件（`trace` 或 `program`）的表单；也可以直接把运行记录作为正文，"
                            "同时用 `?team=` 和请求头 `X-Trace-Filename`。"),
        "content": {
            "multipart/form-data": {
                "schema": obj({"team": team, "trace": trace_file, "program": program_file}, ["team"])
                | {"additionalProperties": False},
                # The file's name says what it is: the server reads .jsonl/.jsonl.gz as a trace, .py as a program.
                "encoding": {"trace": _file_part("trace", "run.jsonl.gz"),
                             "program": _file_part("program", "robot.py")},
            },
            "application/octet-stream": {"schema": {"type": "string", "format": "binary"}},
        },
    }
    parameters = [
        ROUND_ID,
        {"name": "team", "in": "query", "required": False, "schema": {"type": "string", "maxLength": 200},
         "description": Both("The team, when the trace is the request body (a form's `team` field comes first).",
                             "当运行记录作为请求正文时使用的队名（表单中的 `team` 字段优先）。")},
        {"name": "X-Trace-Filename", "in": "header", "required": False,
         "schema": {"type": "string", "maxLength": 200, "default": "trace.jsonl"},
         "description": Both("The trace's file name when it is the request body: `.jsonl` or `.jsonl.gz` (gzip).",
                             "运行记录作为请求正文时的文件名：`.jsonl` 或 `.jsonl.gz`（gzip）。")},
        {"name": "Idempotency-Key", "in": "header", "required": False,
         "schema": {"type": "string", "maxLength": 200},
         "description": Both("Any string unique to this upload: a retry with the same key (after a lost answer) "
                             "returns the first run, with 200, instead of making a second one.",
                             "本次上传独有的任意字符串：用同一个键重试（比如没收到回答时）会以 200 返回第一次的运行，"
                             "而不会再建一个。")},
    ]
    return {"post": operation(
        "uploadRun",
        Both("Submit a run: a trace, or a program", "提交运行：运行记录或程序"),
        Both("A trace is scored at once against the round's pinned challenge pack. A program is stored and run "
             "on the server, then scored; until then the run is `pending`. Admins and referees submit for any team, "
             "a coach for their school's teams, a team account for its own team.",
             "运行记录会立即按本轮固定的挑战包评分。程序会先保存，再在服务器上运行并评分；在此之前运行状态为 "
             "`pending`。管理员和裁判可以为任何队伍提交，教练为本校队伍，队伍账号为自己的队伍。"),
        {"200": ok(Both("The same `Idempotency-Key` was sent before: the run it made.",
                        "之前已经用同一个 `Idempotency-Key` 提交过：返回当时建立的运行。"), ref("Run")),
         "201": ok(Both("The trace was scored (with `score_detail`), or the program was run at once.",
                        "运行记录已评分（带 `score_detail`），或程序已立即运行。"), ref("RunCreated")),
         "202": ok(Both("The program is stored and waits to be run: read the run later with GET /api/runs/{run_id}.",
                        "程序已保存，等待运行：稍后用 GET /api/runs/{run_id} 读取结果。"), ref("Run")),
         "400": refused(Both("No file, a file of the wrong kind, or a trace the scorer cannot read (the message "
                             "says where).", "没有文件、文件类型不对，或者评分程序读不懂运行记录（消息会指出位置）。"),
                        "judge.error.no_trace", "judge.error.bad_name", "judge.error.not_a_program",
                        "judge.error.empty_program", "judge.error.program_not_text", "trace.*"),
         "403": refused(Both("The token's user may not submit for this team.", "令牌的用户不能为这支队伍提交。"),
                        "judge.error.forbidden"),
         "404": refused(Both("No such round, or no such team in its competition.", "没有这一轮，或者比赛中没有这支队伍。"),
                        "judge.error.no_round", "judge.error.no_team"),
         "409": refused(Both("The trace is of another challenge, or of another version of the round's challenge pack.",
                             "运行记录属于别的挑战，或者属于本轮挑战包的另一个版本。"),
                        "judge.error.wrong_challenge", "judge.error.pack_mismatch", "trace.unknown_pack"),
         "413": refused(Both("The request, or the program in it, is larger than the server accepts (a program: "
                             "200 KB; the whole request: " f"{MAX_UPLOAD_MB} MB unless its admin set another limit).",
                             "请求或其中的程序超过了服务器接受的大小（程序：200 KB；整个请求：默认 "
                             f"{MAX_UPLOAD_MB} MB，管理员可能另有设置）。"),
                        "judge.error.program_too_large", "judge.error.too_large")},
        tags=[TAG_RUNS], parameters=parameters, body=body, sign_in="token", changes=True)}


@path("/api/runs/{run_id}")
def _run():
    return {"get": operation(
        "getRun", Both("Read a run", "读取一次运行"),
        Both("Its state and score, rule by rule: poll it after submitting a program.",
             "运行的状态和按规则的得分：提交程序后可以轮询它。"),
        {"200": ok(Both("The run.", "这次运行。"), ref("Run")),
         "404": refused(Both("There is no such run.", "没有这次运行。"), "judge.error.no_run")},
        tags=[TAG_RUNS], parameters=[RUN_ID], sign_in="optional")}


@path("/api/rounds/{round_id}/leaderboard")
def _leaderboard():
    return {"get": operation(
        "getLeaderboard", Both("A round's leaderboard", "一轮的排行榜"),
        Both("Teams ranked by the pack's ranking mode, ties explained. While the round is frozen, everyone but "
             "its admins sees the standings as they stood at the freeze (`frozen` is true).",
             "按挑战包的排名方式排列的队伍，并说明并列如何决出。本轮冻结期间，除管理员以外的所有人看到的是冻结时的排名"
             "（`frozen` 为 true）。"),
        {"200": ok(Both("The standings.", "排名。"), ref("Leaderboard")), "404": NO_ROUND},
        tags=[TAG_STANDINGS], parameters=[ROUND_ID], sign_in="optional")}


def _json_request(properties: dict, required: list[str]) -> dict:
    return {"required": True, "content": json_body(obj(properties, required))}


NAME = {"type": "string", "minLength": 1, "maxLength": 200}


@path("/api/competitions")
def _competitions():
    return {"post": operation(
        "createCompetition", Both("Open a competition", "创建比赛"), Both("Admins only.", "仅限管理员。"),
        {"201": ok(Both("The competition.", "新比赛。"),
                   obj({"competition": {"type": "integer"}, "name": {"type": "string"}}, ["competition", "name"])),
         "400": refused(Both("No name was given.", "没有给出名字。"), "judge.error.missing_field"),
         "403": NOT_ALLOWED,
         "409": refused(Both("A competition of that name exists.", "已经有同名的比赛。"), "judge.error.exists")},
        tags=[TAG_SETUP], body=_json_request({"name": NAME | {"description": Both("Its name.", "比赛名称。")}}, ["name"]),
        sign_in="token", changes=True)}


@path("/api/competitions/{competition_id}/rounds")
def _competition_rounds():
    return {"post": operation(
        "createRound", Both("Open a round", "创建轮次"),
        Both("Admins only. The round pins the version of the challenge pack installed now: its runs are judged by "
             "those rules even if the pack changes later.",
             "仅限管理员。轮次会固定使用现在安装的挑战包版本：即使以后挑战包有变化，本轮的运行仍按这一版规则评分。"),
        {"201": ok(Both("The round, with the pinned pack's hash.", "新轮次，以及固定的挑战包哈希。"),
                   obj({"round": {"type": "integer"}, "challenge": {"type": "string"},
                        "pack_hash": {"type": "string", "pattern": "^sha256:[0-9a-f]{64}$"},
                        "title": {"type": "string"}}, ["round", "challenge", "pack_hash", "title"])),
         "400": refused(Both("No such challenge is installed.", "没有安装这个挑战。"),
                        "judge.error.no_challenge"),
         "403": NOT_ALLOWED, "404": NO_COMPETITION},
        tags=[TAG_SETUP], parameters=[COMPETITION_ID],
        body=_json_request({"challenge": {"type": "string", "description": Both(
                                "An installed challenge's id (`roboarena challenges list`).",
                                "已安装挑战的编号（`roboarena challenges list`）。"), "example": "line-follow"},
                            "title": NAME | {"description": Both("Defaults to the challenge's title.",
                                                                 "默认为挑战的名称。")}}, ["challenge"]),
        sign_in="token", changes=True)}


@path("/api/competitions/{competition_id}/teams")
def _competition_teams():
    return {"post": operation(
        "createTeam", Both("Register a team", "报名一支队伍"),
        Both("Admins, and coaches for their own school. A team has a name and a school, never a student's "
             "personal data.", "管理员可以报名任何队伍，教练只能报名本校的队伍。队伍只有队名和学校，不含学生的个人信息。"),
        {"201": ok(Both("The team.", "新队伍。"),
                   obj({"team": {"type": "integer"}, "name": {"type": "string"}, "school": {"type": "string"}},
                       ["team", "name", "school"])),
         "400": refused(Both("No name was given.", "没有给出队名。"), "judge.error.missing_field"),
         "403": NOT_ALLOWED, "404": NO_COMPETITION,
         "409": refused(Both("A team of that name is registered already.", "已经有同名的队伍。"), "judge.error.exists")},
        tags=[TAG_SETUP], parameters=[COMPETITION_ID],
        body=_json_request({"name": NAME | {"description": Both("The team's name.", "队名。")},
                            "school": NAME | {"description": Both("Its school (a coach's own, for a coach).",
                                                                  "学校（教练只能填自己的学校）。")}}, ["name"]),
        sign_in="token", changes=True)}


# --- the projector --------------------------------------------------------------------------------

VIEW = {"name": "view", "in": "query", "required": False, "schema": {"type": "string", "enum": ["public", "live"]},
        "description": Both("`live`: the standings through the freeze, for admins (others get `public`).",
                            "`live`：冻结期间的实时排名，仅管理员可见（其他人得到 `public`）。")}


@path("/api/rounds/{round_id}/projector")
def _projector():
    return {"get": operation(
        "getProjectorState", Both("What the projector shows", "投影屏显示的内容"),
        Both("The projector's whole state: what its page polls when the event stream cannot get through.",
             "投影屏的完整状态：事件流无法连通时，投影页面轮询这里。"),
        {"200": ok(Both("The state; never cached (`Cache-Control: no-store`).", "当前状态；不缓存（`Cache-Control: no-store`）。"),
                   ref("ProjectorState")),
         "404": NO_ROUND},
        tags=[TAG_STANDINGS], parameters=[ROUND_ID, VIEW], sign_in="optional")}


SSE_EVENT = obj(
    {"data": {"type": "string", "contentMediaType": "application/json", "contentSchema": ref("ProjectorState"),
              "description": Both("The projector's whole state, in JSON.", "投影屏的完整状态，JSON 格式。")},
     "id": field("string", Both("The state's id: the same state, the same id.", "状态的 id：相同的状态有相同的 id。")),
     "retry": field("integer", Both("How long the browser waits before reconnecting, ms.", "浏览器重新连接前等待的时间，毫秒。")),
     "event": field("string", Both("Always the default, `message`.", "总是默认的 `message`。"))},
    description=Both("One server-sent event. An event with `retry` only means the browser has the state already.",
                     "一个服务器推送事件。只有 `retry` 的事件表示浏览器已经有当前状态。"))


@path("/api/rounds/{round_id}/events")
def _events():
    return {"get": operation(
        "streamProjectorEvents", Both("The projector's event stream", "投影屏的事件流"),
        Both("Server-sent events: the projector's state at connect (unless `Last-Event-ID` names it already) and "
             "again at each change; heartbeats as comments; after about half a minute the stream ends with a "
             "`retry:` hint and the browser reconnects. Each `data:` line is a ProjectorState in JSON, its `id:` "
             "the same for the same state.",
             "服务器推送事件：连接时发送投影屏状态（除非 `Last-Event-ID` 表明已经有了），之后每次变化再发送；"
             "心跳以注释行发送；大约半分钟后流带着 `retry:` 提示结束，浏览器会重新连接。每一行 `data:` 都是 JSON 格式的 "
             "ProjectorState，相同的状态有相同的 `id:`。"),
        {"200": ok(Both("The stream; each event as below.", "事件流；每个事件如下。"), SSE_EVENT, media_type="text/event-stream"),
         "404": NO_ROUND},
        tags=[TAG_STANDINGS], sign_in="optional",
        parameters=[ROUND_ID, VIEW, {"name": "Last-Event-ID", "in": "header", "required": False,
                                     "schema": {"type": "string"},
                                     "description": Both("The id of the last state received (browsers send it "
                                                         "when they reconnect).",
                                                         "最后收到的状态的 id（浏览器重新连接时会发送）。")}])}


# --- referees and timing gates -------------------------------------------------------------------------

REFEREE_ONLY = refused(Both("Only referees and admins of the competition may.", "只有本比赛的裁判和管理员可以。"),
                       "judge.error.not_allowed")
NO_RUN = refused(Both("There is no such run.", "没有这次运行。"), "judge.error.no_run")


@path("/api/runs/{run_id}/sheet")
def _sheet():
    tap = obj({"event": field("string", Both("A button of the round's sheet, e.g. `checkpoint`, `collision`, "
                                             "`finished` (which, if tapped, is last).",
                                             "本轮记分表上的按钮，例如 `checkpoint`、`collision`、`finished`"
                                             "（如果有，必须是最后一个）。")),
               "t_ms": field("number", Both("When, on the run's timer, ms (0 to the end of the run).",
                                            "在本次运行计时器上的时间，毫秒（0 到运行结束）。"), minimum=0)},
              ["event", "t_ms"])
    sheet = obj(
        {"base_version": field("integer", Both("The run's `version` the tablet loaded.", "平板加载时运行的 `version`。"),
                               minimum=1, maximum=MAX_INT),
         "elapsed_ms": field("integer", Both("The run's length on the tablet's timer, ms.", "平板计时器上的运行时长，毫秒。"),
                             minimum=0, maximum=3_600_000),
         "started_at_ms": field("integer", Both("When the timer started, on the server's clock (see `server_ms`).",
                                                "计时器开始的时间，以服务器时钟计（见 `server_ms`）。"), minimum=0),
         "taps": {"type": "array", "items": tap, "maxItems": 2000},
         "captain_confirmed": {"const": True, "description": Both("The team's captain confirmed the sheet.",
                                                                   "队长已确认记分表。")},
         "captain": field("string", Both("The captain's team name or initials, nothing more.",
                                         "队长的队名或姓名缩写，不要更多个人信息。"), maxLength=40)},
        ["base_version", "elapsed_ms", "captain_confirmed"])
    scored = {"allOf": [ref("Run"), obj({"score_detail": ref("ScoreDetail"),
                                         "repeated": field("boolean", Both("True: this very sheet had scored the run "
                                                                           "already (a retry).",
                                                                           "为 true：同一张记分表之前已经为这次运行评过分"
                                                                           "（重试）。"))})]}
    return {
        "get": operation(
            "getRefereeSheet", Both("A field run, for the referee's tablet", "场上运行（供裁判平板使用）"),
            Both("The run's state and the timing gate's crossings so far; `?started_at_ms=` places them on the "
                 "run's timer.", "运行的状态和到目前为止计时门的通过记录；`?started_at_ms=` 把它们换算到本次运行的计时器上。"),
            {"200": ok(Both("The run and its crossings.", "运行及其通过记录。"), ref("SheetState")),
             "403": REFEREE_ONLY, "404": NO_RUN},
            tags=[TAG_REFEREE], sign_in="token",
            parameters=[RUN_ID, {"name": "started_at_ms", "in": "query", "required": False,
                                 "schema": {"type": "integer", "minimum": 0},
                                 "description": Both("When the tablet's timer started, on the server's clock, ms.",
                                                     "平板计时器开始的时间，以服务器时钟计，毫秒。")}]),
        "post": operation(
            "submitRefereeSheet", Both("Send a referee's sheet", "提交裁判记分表"),
            Both("The sheet becomes the run's trace and is scored by the round's pack. Only a sheet made against the "
                 "run's current `version` is applied: a second tablet's gets 409, and is kept.",
                 "记分表会变成这次运行的运行记录，并按本轮的挑战包评分。只有基于运行当前 `version` 的记分表会被采用："
                 "另一台平板的记分表会得到 409，但会被保存下来。"),
            {"200": ok(Both("The run, scored (or, for a retry of the sheet that scored it, as it is).",
                            "已评分的运行（如果是对已评分记分表的重试，则原样返回）。"), scored),
             "400": refused(Both("The sheet is not JSON of this shape, or a tap is wrong (the message says which).",
                                 "记分表不是这种结构的 JSON，或者某个记录有误（消息会指出是哪一个）。"),
                            "judge.referee.not_json", "judge.referee.bad_number", "judge.referee.bad_taps",
                            "judge.referee.unknown_event", "judge.referee.tap_outside_run",
                            "judge.referee.finish_not_last", "judge.referee.no_captain", "judge.referee.bad_captain",
                            "trace.*"),
             "403": REFEREE_ONLY, "404": NO_RUN,
             "409": refused(Both("The run changed since the tablet loaded it, or is not on the field.",
                                 "平板加载之后运行已经改变，或者运行不在场上。"),
                            "judge.referee.not_on_field", "judge.referee.changed", "judge.referee.stale",
                            "trace.unknown_pack")},
            tags=[TAG_REFEREE], parameters=[RUN_ID], body={"required": True, "content": json_body(sheet)},
            sign_in="token", changes=True),
    }


@path("/api/rounds/{round_id}/gate")
def _gate():
    crossing = obj({"board_ms": field("integer", Both("The gate board's clock, ms.", "计时门主板的时钟，毫秒。"),
                                      minimum=0, maximum=MAX_INT),
                    "sensor": field("integer", Both("Which sensor (default 0).", "哪个传感器（默认 0）。"),
                                    minimum=0, maximum=MAX_INT),
                    "device": field("string", Both("The gate's name.", "计时门的名称。"), maxLength=100)},
                   ["board_ms"])
    return {"post": operation(
        "postGateCrossings", Both("Report timing-gate crossings", "上报计时门通过记录"),
        Both("One crossing, or a list a gate kept while the network was down (at most 500); they join the round's "
             "run on the field. A crossing sent again (a retry) is stored once. `roboarena gate --server` sends these.",
             "一次通过，或计时门在断网期间保存的一组通过记录（最多 500 条）；它们会归入本轮正在场上的运行。重复发送的"
             "通过记录（重试）只保存一次。`roboarena gate --server` 会发送这些数据。"),
        {"200": ok(Both("Every crossing had been stored before.", "所有通过记录之前都已保存。"), _gate_answer()),
         "201": ok(Both("New crossings were stored.", "保存了新的通过记录。"), _gate_answer()),
         "400": refused(Both("Not a crossing or a list of them, or a crossing with a wrong value.",
                             "不是通过记录或其列表，或者某条记录的值有误。"),
                        "judge.gate.not_json", "judge.gate.bad_crossing"),
         "403": REFEREE_ONLY, "404": NO_ROUND},
        tags=[TAG_REFEREE], parameters=[ROUND_ID], sign_in="token", changes=True,
        body={"required": True, "content": json_body(
            {"oneOf": [crossing, {"type": "array", "items": crossing, "minItems": 1, "maxItems": 500}]})})}


def _gate_answer() -> dict:
    return obj({"round": field("integer", Both("The round.", "轮次。")),
                "run": nullable("integer", Both("The run on the field they joined, or null if none was.",
                                                "归入的场上运行，没有则为 null。")),
                "stored": field("integer", Both("Crossings stored now.", "本次保存的通过记录数。")),
                "repeated": field("integer", Both("Crossings stored before (retries).", "之前已保存的（重试的）记录数。")),
                "crossings": {"type": "array", "items": {"type": "integer"},
                              "description": Both("The new crossings' numbers.", "新通过记录的编号。")}},
               ["round", "run", "stored", "repeated", "crossings"])


# --- appeals ---------------------------------------------------------------------------------------------

APPEAL_ID = id_in_path("appeal_id", Both("The appeal's number.", "申诉编号。"))
NOT_YOURS = refused(Both("Only the run's team, its coach, and the competition's referees and admins may.",
                         "只有这次运行的队伍、其教练以及本比赛的裁判和管理员可以。"), "judge.appeal.not_yours")
TEXT = {"type": "string", "minLength": 1, "maxLength": 2000}


def _appeal_list(key: str) -> dict:
    return obj({key: {"type": "integer"}, "appeals": {"type": "array", "items": ref("Appeal")}}, [key, "appeals"])


@path("/api/runs/{run_id}/appeals")
def _run_appeals():
    return {
        "get": operation(
            "listRunAppeals", Both("A run's appeals", "一次运行的申诉"),
            Both("Every appeal on the run, oldest first.", "这次运行的全部申诉，按时间先后排列。"),
            {"200": ok(Both("The appeals.", "申诉列表。"), _appeal_list("run")), "403": NOT_YOURS, "404": NO_RUN},
            tags=[TAG_APPEALS], parameters=[RUN_ID], sign_in="token"),
        "post": operation(
            "fileAppeal", Both("Appeal a run", "对运行提出申诉"),
            Both("The run's team (or its coach) asks for it to be looked at again. One appeal per run may be open "
                 "at a time. The body is JSON, or a form with the same field.",
                 "运行所属的队伍（或其教练）请求重新审查。每次运行同时只能有一个待处理的申诉。正文为 JSON，或带同名字段的表单。"),
            {"201": ok(Both("The appeal, open.", "已提交的申诉（待处理）。"), ref("Appeal")),
             "400": refused(Both("No reason, or one longer than 2000 characters.", "没有理由，或理由超过 2000 个字符。"),
                            "judge.appeal.need_reason"),
             "403": NOT_YOURS, "404": NO_RUN,
             "409": refused(Both("An appeal on this run is open already.", "这次运行已经有一个待处理的申诉。"),
                            "judge.appeal.already_open")},
            tags=[TAG_APPEALS], parameters=[RUN_ID], sign_in="token", changes=True,
            body={"required": True, "content": json_body(obj({"reason": TEXT | {"description": Both(
                "Why the run should be looked at again.", "为什么应该重新审查这次运行。")}}, ["reason"]))}),
    }


@path("/api/competitions/{competition_id}/appeals")
def _competition_appeals():
    return {"get": operation(
        "listCompetitionAppeals", Both("A competition's appeals", "一个比赛的申诉"),
        Both("For its referees and admins: the open appeals, or those with another `status`.",
             "供本比赛的裁判和管理员使用：待处理的申诉，或其他 `status` 的申诉。"),
        {"200": ok(Both("The appeals, oldest first.", "申诉列表，按时间先后排列。"), _appeal_list("competition")),
         "403": REFEREE_ONLY, "404": NO_COMPETITION},
        tags=[TAG_APPEALS], sign_in="token",
        parameters=[COMPETITION_ID, {"name": "status", "in": "query", "required": False,
                                     "schema": {"type": "string", "enum": ["open", "upheld", "rejected", "all"],
                                                "default": "open"},
                                     "description": Both("Which appeals.", "哪些申诉。")}])}


@path("/api/appeals/{appeal_id}/resolve")
def _resolve_appeal():
    body = obj({"decision": {"type": "string", "enum": ["uphold", "reject"]},
                "resolution": TEXT | {"description": Both("The answer the team reads.", "队伍会看到的答复。")},
                "action": {"type": "string", "enum": ["none", "void", "rescore"], "default": "none",
                           "description": Both("Upholding may void the run, or point at the re-score of its round "
                                               "that settled it (`rescore_audit_id`).",
                                               "支持申诉时可以作废这次运行，或指向解决问题的那次本轮重新评分"
                                               "（`rescore_audit_id`）。")},
                "rescore_audit_id": {"type": "integer", "description": Both(
                    "The audit entry of the round's re-score, for `action: rescore`.",
                    "本轮重新评分的审计记录编号，用于 `action: rescore`。")}},
               ["decision", "resolution"])
    return {"post": operation(
        "resolveAppeal", Both("Resolve an appeal", "处理申诉"),
        Both("A referee or admin upholds or rejects an open appeal, with a written resolution. The body is JSON, "
             "or a form with the same fields.",
             "裁判或管理员支持或驳回一个待处理的申诉，并写下答复。正文为 JSON，或带同名字段的表单。"),
        {"200": ok(Both("The appeal, resolved.", "已处理的申诉。"), ref("Appeal")),
         "400": refused(Both("A field is missing or wrong (the message says which).", "某个字段缺失或有误（消息会指出是哪一个）。"),
                        "judge.appeal.bad_decision", "judge.appeal.need_resolution", "judge.appeal.bad_action",
                        "judge.appeal.action_needs_uphold", "judge.appeal.no_rescore"),
         "403": REFEREE_ONLY,
         "404": refused(Both("There is no such appeal.", "没有这个申诉。"), "judge.appeal.no_appeal"),
         "409": refused(Both("The appeal is resolved already, or the run is void already.",
                             "申诉已经处理过，或者运行已经作废。"), "judge.appeal.not_open", "judge.appeal.already_void")},
        tags=[TAG_APPEALS], parameters=[APPEAL_ID], body={"required": True, "content": json_body(body)},
        sign_in="token", changes=True)}


# --- the audit log -----------------------------------------------------------------------------------------

@path("/api/competitions/{competition_id}/audit")
def _audit():
    def query(name: str, schema: dict, description: Both) -> dict:
        return {"name": name, "in": "query", "required": False, "schema": schema, "description": description}

    day = {"type": "string", "format": "date"}
    return {"get": operation(
        "getAuditLog", Both("A competition's audit log", "比赛的审计日志"),
        Both("For its admins: every change, newest first, 100 at a time; filters combine.",
             "供本比赛的管理员使用：所有修改，最新的在前，每次 100 条；筛选条件可以组合。"),
        {"200": ok(Both("One page of entries; `next_before` asks for the next (older) page.",
                        "一页记录；用 `next_before` 请求下一页（更早的记录）。"),
                   obj({"competition": {"type": "integer"}, "entries": {"type": "array", "items": ref("AuditEntry")},
                        "next_before": nullable("integer", Both("Pass as `before` for older entries; null at the end.",
                                                                "作为 `before` 传入以获取更早的记录；没有更多时为 null。"))},
                       ["competition", "entries", "next_before"])),
         "400": refused(Both("A date is not YYYY-MM-DD.", "日期不是 YYYY-MM-DD 格式。"), "judge.audit.bad_date"),
         "403": refused(Both("Only the competition's admins may.", "只有本比赛的管理员可以。"), "judge.error.not_allowed"),
         "404": NO_COMPETITION},
        tags=[TAG_AUDIT], sign_in="token",
        parameters=[COMPETITION_ID,
                    query("action", {"type": "string"},
                          Both("Only this action, e.g. `run.void`.", "只看这种操作，例如 `run.void`。")),
                    query("user", {"type": "string"}, Both("Only this user's changes.", "只看这个用户的修改。")),
                    query("target", {"type": "string"}, Both("Only targets containing this, e.g. `run 17`.",
                                                             "只看包含这段文字的对象，例如 `run 17`。")),
                    query("since", day, Both("From this day (UTC).", "从这一天开始（UTC）。")),
                    query("until", day, Both("To this day, inclusive (UTC).", "到这一天为止，包含当天（UTC）。")),
                    query("before", {"type": "integer"}, Both("Only entries older than this one (paging).",
                                                              "只看比这条更早的记录（翻页）。"))])}


LANG_PARAMETER = {"name": "lang", "in": "query", "required": False,
                  "schema": {"type": "string", "enum": list(LANGUAGES)},
                  "description": Both("`zh` or `en`.", "`zh` 或 `en`。")}


@path("/api/openapi.json")
def _openapi():
    return {"get": operation(
        "getOpenApi", Both("This document", "本文档"),
        Both("The API described in OpenAPI 3.1, in English, or in Chinese with `?lang=zh`.",
             "用 OpenAPI 3.1 描述的 API，英文；加 `?lang=zh` 为中文。"),
        {"200": ok(Both("The OpenAPI document.", "OpenAPI 文档。"), {"type": "object", "required": ["openapi", "paths"]})},
        tags=[TAG_DOCS], parameters=[LANG_PARAMETER])}


@path("/api/docs")
def _docs():
    return {"get": operation(
        "getApiDocs", Both("The API's documentation page", "API 说明页面"),
        Both("This document as a page, in the reader's language.", "本文档的网页版，使用读者的语言。"),
        {"200": ok(Both("An HTML page.", "HTML 页面。"), {"type": "string"}, media_type="text/html")},
        tags=[TAG_DOCS], parameters=[LANG_PARAMETER])}


# --- the document ---------------------------------------------------------------------------------

INFO = {
    "title": "roboarena judge API",
    "version": API_VERSION,
    "description": Both(
        "Submit runs (traces or programs), read runs, leaderboards and the projector's live state, send referees' "
        "sheets and timing-gate crossings, file and resolve appeals, read the audit log, and set competitions up. "
        "Devices and the "
        "command line sign in with a bearer token (`Authorization: Bearer ra_...`) that an admin makes with "
        "`roboarena judge token --user NAME`. Every refusal is JSON: "
        "`{\"error\": id, \"message\": {\"en\": ..., \"zh\": ...}, \"details\": {...}}`.",
        "提交运行（运行记录或程序），读取运行、排行榜和投影屏的实时状态，提交裁判记分表和计时门通过记录，提出和处理申诉，"
        "查看审计日志，以及设置比赛。设备和命令行用令牌登录"
        "（`Authorization: Bearer ra_...`），令牌由管理员用 `roboarena judge token --user 用户名` 生成。"
        "每一种拒绝都是 JSON：`{\"error\": 编号, \"message\": {\"en\": ..., \"zh\": ...}, \"details\": {...}}`。"),
}

SECURITY_SCHEMES = {BEARER: {
    "type": "http", "scheme": "bearer", "bearerFormat": "ra_...",
    "description": Both("A token made by `roboarena judge token --user NAME`; it starts with `ra_` and acts as that "
                        "user. " + CSRF_NOTE.en,
                        "由 `roboarena judge token --user 用户名` 生成的令牌，以 `ra_` 开头，代表该用户。" + CSRF_NOTE.zh)}}


def source() -> dict:
    """The whole document with its texts in both languages (``Both``), before resolving."""
    return {
        "openapi": OPENAPI_VERSION,
        "info": INFO,
        "tags": [{"name": name, "description": text} for name, text in TAGS.items()],
        "paths": {template: PATHS[template]() for template in sorted(PATHS)},
        "components": {"schemas": SCHEMAS, "securitySchemes": SECURITY_SCHEMES},
    }


def document(lang: str = "en") -> dict:
    """The OpenAPI document, its texts in ``lang`` ("en" or "zh")."""
    return resolve(source(), lang if lang in LANGUAGES else "en")


def operations(doc: dict) -> list[tuple[str, str, dict]]:
    """(method, path, operation) for every operation of ``doc``, in path order."""
    methods = ("get", "post", "put", "patch", "delete")
    return [(method, template, item[method]) for template, item in doc["paths"].items()
            for method in methods if method in item]
