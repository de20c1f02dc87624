"""The public tracking page as HTML: small, mobile-first, nothing fetched from elsewhere.

One self-contained document per answer (inline CSS, no script, no font, no image), in Chinese
or English. Every text that came from a window (names, the bundle, the materials) is escaped.
"""

from __future__ import annotations

import datetime as dt
from html import escape
from urllib.parse import quote, urlencode

from window_app.domain.words import Words
from window_app.exchange.tracking import TrackAnswer

CHINA_TIME = dt.timezone(dt.timedelta(hours=8), "CST")

_CSS = """
body{margin:0;font:16px/1.5 system-ui,-apple-system,"PingFang SC","Microsoft YaHei","Noto Sans CJK SC",sans-serif;
background:#f4f6f8;color:#1d2733}
main{max-width:34rem;margin:0 auto;padding:1rem}
h1{font-size:1.3rem;margin:.2rem 0 1rem}
.card{background:#fff;border-radius:.6rem;padding:1rem;margin:0 0 1rem;box-shadow:0 1px 3px #0002}
dl{margin:0;display:grid;grid-template-columns:auto 1fr;gap:.3rem .8rem}dt{color:#5b6875}dd{margin:0}
ol{list-style:none;margin:0;padding:0}li{padding:.6rem 0;border-top:1px solid #e3e7eb}li:first-child{border:0}
.dep{font-weight:600}.stage{color:#5b6875;font-size:.85rem}
.state{display:inline-block;margin-top:.2rem;padding:.1rem .5rem;border-radius:1rem;background:#e8eef5}
.approved,.concluded_at_window{background:#dff3e4}.refused,.cancelled{background:#f8e1e1}.supplement_needed{background:#fff1cc}
label{display:block;margin-bottom:.4rem}input{font:inherit;padding:.5rem;width:100%;box-sizing:border-box;
border:1px solid #b8c2cc;border-radius:.4rem;text-transform:uppercase;letter-spacing:.1em}
button{font:inherit;margin-top:.6rem;padding:.5rem 1.2rem;border:0;border-radius:.4rem;background:#1f5fa8;color:#fff}
.note{color:#5b6875;font-size:.85rem}.lang{float:right;font-size:.9rem}
"""

TITLE = Words("办件进度查询", "Application progress")
NOT_FOUND = Words(
    "没有查到：受理编号或查询码不正确。请核对受理回执上的受理编号和查询码（8 位字母数字）。",
    "Nothing found: the receipt number or the tracking code is not right. Check both on your receipt "
    "(the code has 8 letters and digits).",
)
ASK_CODE = Words("请输入受理回执上的查询码", "Enter the tracking code printed on your receipt")
TOO_MANY = Words("查询过于频繁，请 {s} 秒后再试。", "Too many look-ups: try again in {s} seconds.")
PRIVACY = Words(
    "本页只显示办理进度；申请人姓名已隐去部分，不显示证件号码等个人信息。",
    "This page shows progress only: the applicant's name is partly hidden; no ID number or other personal data is shown.",
)


def render(receipt_no: str, language: str, answer: TrackAnswer | None, *, code_given: bool, retry_after: int | None = None) -> str:
    """The page for ``receipt_no`` in ``language`` (``zh`` or ``en``).

    Args:
        answer: The progress when the code matched; ``None``: not found (or not asked).
        code_given: A code was sent (without one the page only asks for it).
        retry_after: The client is over its rate limit: the page says when to come back.
    """
    t = _in(language)
    body: list[str] = [f'<h1>{escape(t(TITLE))}</h1>']
    body.append(f'<div class="card"><dl><dt>{escape(t(Words("受理编号", "Receipt no.")))}</dt><dd>{escape(receipt_no)}</dd></dl></div>')
    if retry_after is not None:
        body.append(f'<div class="card" role="alert">{escape(t(TOO_MANY.format(s=retry_after)))}</div>')
    elif answer is not None:
        body.append(_progress(answer, t))
    else:
        if code_given:
            body.append(f'<div class="card" role="alert">{escape(t(NOT_FOUND))}</div>')
        body.append(_form(receipt_no, language, t))
    other = "en" if language == "zh" else "zh"
    switch = escape("English" if other == "en" else "中文")
    query = {"lang": other}
    head = (
        '<!doctype html><html lang="{lang}"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width,initial-scale=1">'
        '<meta name="robots" content="noindex,nofollow"><meta name="referrer" content="no-referrer">'
        "<title>{title}</title><style>{css}</style></head>"
    ).format(lang="zh-CN" if language == "zh" else "en", title=escape(t(TITLE)), css=_CSS)
    # The language switch keeps no code in its link: the page asks for it again (nothing secret in history).
    link = f'<a class="lang" href="{escape(_path(receipt_no))}?{escape(urlencode(query))}">{switch}</a>'
    foot = f'<p class="note">{escape(t(PRIVACY))}</p>'
    return f"{head}<body><main>{link}{''.join(body)}{foot}</main></body></html>"


def _progress(answer: TrackAnswer, t) -> str:
    record = answer.record
    facts = [
        (Words("办理事项", "Service"), t(record.offering)),
        (Words("申请人", "Applicant"), record.applicant),
        (Words("受理时间", "Accepted"), _moment(record.accepted_at)),
    ]
    if record.promised_by:
        facts.append((Words("承诺办结", "Promised by"), record.promised_by))
    if answer.concluded:
        facts.append((Words("办理状态", "Status"), t(Words("已全部办结", "concluded"))))
    rows = "".join(f"<dt>{escape(t(label))}</dt><dd>{escape(value)}</dd>" for label, value in facts)
    items = []
    for part in answer.parts:
        lead = f'<span class="lead">{escape(t(Words("（牵头）", " (lead)")))}</span>' if part.department.lead else ""
        stage = t(Words("第 {n} 环节", "stage {n}").format(n=part.department.stage))
        items.append(
            f'<li><div class="dep">{escape(t(part.department.name))}{lead}</div>'
            f'<div class="stage">{escape(stage)}</div>'
            f'<span class="state {escape(part.state)}">{escape(t(part.words))}</span></li>'
        )
    heading = escape(t(Words("各部门办理进度", "Progress per department")))
    return f'<div class="card"><dl>{rows}</dl></div><div class="card"><h2 style="font-size:1.05rem;margin:0 0 .4rem">{heading}</h2><ol>{"".join(items)}</ol></div>'


def _form(receipt_no: str, language: str, t) -> str:
    hidden = f'<input type="hidden" name="lang" value="{escape(language)}">'
    return (
        f'<form class="card" method="get" action="{escape(_path(receipt_no))}">'
        f'<label for="c">{escape(t(ASK_CODE))}</label>'
        '<input id="c" name="c" autocomplete="off" autocapitalize="characters" maxlength="16" required placeholder="XXXX-XXXX">'
        f'{hidden}<button type="submit">{escape(t(Words("查询", "Look up")))}</button></form>'
    )


def _path(receipt_no: str) -> str:
    return f"/t/{quote(receipt_no, safe='')}"


def _moment(text: str) -> str:
    try:
        moment = dt.datetime.fromisoformat(text)
    except ValueError:
        return text
    if moment.tzinfo is not None:
        moment = moment.astimezone(CHINA_TIME)
    return moment.strftime("%Y-%m-%d %H:%M")


def _in(language: str):
    def t(words: Words) -> str:
        return words.in_language(language)

    return t


def page_language(query_lang: str | None, accept_language: str) -> str:
    """``zh`` unless ``?lang=en``, or (no ``lang``) the browser prefers English to Chinese."""
    if query_lang in ("zh", "en"):
        return query_lang
    best: tuple[float, str] = (-1.0, "zh")
    for part in accept_language.split(","):
        tag, _, params = part.strip().partition(";")
        tag = tag.strip().lower()
        quality = 1.0
        params = params.strip()
        if params.startswith("q="):
            try:
                quality = float(params[2:])
            except ValueError:
                quality = 0.0
        for language in ("zh", "en"):
            if (tag == language or tag.startswith(language + "-")) and quality > best[0]:
                best = (quality, language)
    return best[1]
