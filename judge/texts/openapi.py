"""Texts of the API's documentation page (``/api/docs``): its headings and table columns.
What each operation does is written in the document itself (``judge/openapi.py``)."""

TEXTS = {
    "judge.apidocs.title": {"en": "The judge's JSON API", "zh": "评分服务器的 JSON API"},
    "judge.apidocs.machine_readable": {
        "en": "The same description for programs, in OpenAPI 3.1:",
        "zh": "供程序使用的同一份说明（OpenAPI 3.1）：",
    },
    "judge.apidocs.contents": {"en": "Operations", "zh": "操作列表"},
    "judge.apidocs.sign_in": {"en": "Signing in", "zh": "登录方式"},
    "judge.apidocs.sign_in.token": {"en": "Needs a token.", "zh": "需要令牌。"},
    "judge.apidocs.sign_in.optional": {
        "en": "Open to everyone; a token may show more (an admin sees a frozen round live).",
        "zh": "所有人都可以访问；带令牌可能看到更多（管理员能看到冻结轮次的实时排名）。",
    },
    "judge.apidocs.sign_in.none": {"en": "Open to everyone.", "zh": "所有人都可以访问。"},
    "judge.apidocs.parameters": {"en": "Parameters", "zh": "参数"},
    "judge.apidocs.body": {"en": "Request body", "zh": "请求正文"},
    "judge.apidocs.responses": {"en": "Answers", "zh": "回答"},
    "judge.apidocs.shapes": {"en": "Shapes of the answers", "zh": "回答的数据结构"},
    "judge.apidocs.col.name": {"en": "Name", "zh": "名称"},
    "judge.apidocs.col.where": {"en": "In", "zh": "位置"},
    "judge.apidocs.col.type": {"en": "Type", "zh": "类型"},
    "judge.apidocs.col.required": {"en": "Required", "zh": "必需"},
    "judge.apidocs.col.description": {"en": "Meaning", "zh": "含义"},
    "judge.apidocs.col.status": {"en": "Status", "zh": "状态码"},
    "judge.apidocs.col.body": {"en": "Body", "zh": "正文"},
    "judge.apidocs.col.errors": {"en": "Error ids", "zh": "错误编号"},
    "judge.apidocs.extends": {"en": "Every field of", "zh": "包含以下结构的全部字段："},
    "judge.apidocs.yes": {"en": "yes", "zh": "是"},
    "judge.apidocs.no": {"en": "no", "zh": "否"},
}
