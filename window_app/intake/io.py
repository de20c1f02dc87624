"""Reading an application file (``window-app accept FILE.json``) strictly.

:func:`parse_intake` checks the JSON shape documented in ``docs/accept-format.md`` and lists
every problem with its path; it never raises on malformed input. The content rules (valid
resident ID, known questions …) are :func:`window_app.intake.validate.validate_intake`'s job.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, get_args

from window_app.domain.intake import (
    STEPS,
    Applicant,
    ApplicantKind,
    AtWindowDecision,
    Enterprise,
    Intake,
    MaterialState,
    MaterialStatus,
    Person,
    Problem,
)
from window_app.domain.words import Words

ROOT = "$"  # path of the document itself
TOP_KEYS = (
    "offering",
    "answers",
    "chosen_optional",
    "declined_optional",
    "applicant",
    "materials",
    "fields",
    "step",
    "draft_id",
    "at_window",
)
APPLICANT_KEYS = ("kind", "person", "enterprise", "agent")
PERSON_KEYS = ("name", "id_number", "phone")
ENTERPRISE_KEYS = ("name", "uscc", "legal_representative")
STATUS_KEYS = ("state", "promised_date", "note", "verify_online")
AT_WINDOW_KEYS = ("decision", "result", "reason")
APPLICANT_KINDS: tuple[ApplicantKind, ...] = get_args(ApplicantKind)
MATERIAL_STATES: tuple[MaterialState, ...] = get_args(MaterialState)


class _Reader:
    """Collects problems while reading; every accessor returns a usable default on error."""

    def __init__(self) -> None:
        self.problems: list[Problem] = []

    def problem(self, path: str, words: Words) -> None:
        self.problems.append(Problem(path, words))

    def wrong_type(self, path: str, value: Any, expected: Words) -> None:
        must_be = Words("应为{expected}，而不是{found}", "Must be {expected}, not {found}")
        self.problem(path, must_be.format(expected=expected, found=_json_type(value)))

    def obj(self, value: Any, path: str, allowed: tuple[str, ...] | None = None) -> dict[str, Any]:
        if not isinstance(value, dict):
            self.wrong_type(path, value, Words("对象（{…}）", "an object"))
            return {}
        if allowed is not None:
            for key in value:
                if key not in allowed:
                    self.problem(
                        _join(path, key),
                        Words(f"未知的键“{key}”（可用：{'、'.join(allowed)}）",
                        f"Unknown key “{key}” (expected: {', '.join(allowed)})"),
                    )
        return value

    def text(self, value: Any, path: str) -> str:
        if not isinstance(value, str):
            self.wrong_type(path, value, Words("字符串", "a string"))
            return ""
        return value

    def one_of(self, value: Any, path: str, allowed: tuple[str, ...]) -> str | None:
        text = self.text(value, path)
        if isinstance(value, str) and text not in allowed:
            self.problem(path, Words(f"应为以下之一：{'、'.join(allowed)}", f"Must be one of: {', '.join(allowed)}"))
            return None
        return text if isinstance(value, str) else None

    def text_list(self, value: Any, path: str) -> list[str]:
        if not isinstance(value, list):
            self.wrong_type(path, value, Words("字符串数组", "an array of strings"))
            return []
        return [self.text(entry, f"{path}[{index}]") for index, entry in enumerate(value)]

    def text_map(self, value: Any, path: str) -> dict[str, str]:
        return {key: self.text(entry, _join(path, key)) for key, entry in self.obj(value, path).items()}

    def field_map(self, value: Any, path: str) -> dict[str, str]:
        return {key: self.field_value(entry, _join(path, key)) for key, entry in self.obj(value, path).items()}

    def field_value(self, value: Any, path: str) -> str:
        # a number or a yes/no written without quotes is unambiguous: take it as its text
        if isinstance(value, bool):
            return "true" if value else "false"
        if isinstance(value, (int, float)):
            return str(value)
        return self.text(value, path)

    def flag(self, value: Any, path: str) -> bool:
        if not isinstance(value, bool):
            self.wrong_type(path, value, Words("true或false", "true or false"))
            return False
        return value


def _join(path: str, key: str) -> str:
    return key if path == ROOT else f"{path}.{key}"


def _json_type(value: Any) -> Words:
    """What a JSON value is, in words."""
    if value is None:
        return Words("null", "null")
    if isinstance(value, bool):
        return Words("true/false", "true/false")
    if isinstance(value, (int, float)):
        return Words("数字", "a number")
    if isinstance(value, str):
        return Words("字符串", "a string")
    if isinstance(value, list):
        return Words("数组", "an array")
    if isinstance(value, dict):
        return Words("对象", "an object")
    return Words(type(value).__name__, type(value).__name__)


def parse_intake(data: Any) -> tuple[Intake | None, list[Problem]]:
    """Read an application file's parsed JSON into an :class:`Intake`.

    Args:
        data: Whatever ``json.load`` returned.

    Returns:
        ``(intake, [])`` when the shape is right, else ``(None, problems)`` with every wrong
        type, unknown key, missing key and bad enumeration value, each with its path
        (``applicant.person.phone``, ``materials.id_card.state``, ``chosen_optional[1]``).
    """
    reader = _Reader()
    top = reader.obj(data, ROOT, TOP_KEYS)
    if isinstance(data, dict):
        for required in ("offering", "applicant"):
            if required not in data:
                reader.problem(required, Words(f"缺少“{required}”", f"“{required}” is missing"))
    offering = reader.text(top["offering"], "offering") if "offering" in top else ""
    if isinstance(top.get("offering"), str) and not offering.strip():
        reader.problem("offering", Words("请填写申请的套餐或事项编号", "The bundle or item id is empty"))

    def read(key: str, parse: Callable[[Any, str], Any], default: Any) -> Any:
        return parse(top[key], key) if key in top else default

    intake = Intake(
        offering=offering,
        answers=read("answers", reader.text_map, {}),
        chosen_optional=read("chosen_optional", reader.text_list, []),
        declined_optional=read("declined_optional", reader.text_list, []),
        applicant=read("applicant", lambda value, _: _applicant(reader, value), Applicant()),
        materials=read("materials", lambda value, _: _materials(reader, value), {}),
        fields=read("fields", reader.field_map, {}),
        step=read("step", lambda value, path: reader.one_of(value, path, STEPS), "pick") or "pick",
        draft_id=read("draft_id", reader.text, ""),
        at_window=read("at_window", lambda value, _: _at_window(reader, value), {}),
    )
    if reader.problems:
        return None, reader.problems
    return intake, []


def _applicant(reader: _Reader, value: Any) -> Applicant:
    data = reader.obj(value, "applicant", APPLICANT_KEYS)
    if isinstance(value, dict) and "kind" not in data:
        reader.problem("applicant.kind", Words("缺少申请人类型（person 或 enterprise）", "“kind” is missing (person or enterprise)"))
    kind = reader.one_of(data["kind"], "applicant.kind", APPLICANT_KINDS) if "kind" in data else None
    agent_value = data.get("agent")
    return Applicant(
        kind=kind or "person",  # type: ignore[arg-type]
        person=_person(reader, data["person"], "applicant.person") if "person" in data else Person(),
        enterprise=_enterprise(reader, data["enterprise"]) if "enterprise" in data else Enterprise(),
        agent=None if agent_value is None else _person(reader, agent_value, "applicant.agent"),
    )


def _person(reader: _Reader, value: Any, path: str) -> Person:
    data = reader.obj(value, path, PERSON_KEYS)
    return Person(**{key: reader.text(data[key], f"{path}.{key}") for key in PERSON_KEYS if key in data})


def _enterprise(reader: _Reader, value: Any) -> Enterprise:
    path = "applicant.enterprise"
    data = reader.obj(value, path, ENTERPRISE_KEYS)
    representative = data.get("legal_representative")
    return Enterprise(
        name=reader.text(data["name"], f"{path}.name") if "name" in data else "",
        uscc=reader.text(data["uscc"], f"{path}.uscc") if "uscc" in data else "",
        legal_representative=Person()
        if representative is None
        else _person(reader, representative, f"{path}.legal_representative"),
    )


def _materials(reader: _Reader, value: Any) -> dict[str, MaterialStatus]:
    statuses = {}
    for material_id, entry in reader.obj(value, "materials").items():
        path = f"materials.{material_id}"
        data = reader.obj(entry, path, STATUS_KEYS)
        if isinstance(entry, dict) and "state" not in data:
            reader.problem(f"{path}.state", Words("缺少材料状态", "“state” is missing"))
        state = reader.one_of(data["state"], f"{path}.state", MATERIAL_STATES) if "state" in data else None
        statuses[material_id] = MaterialStatus(
            state=state or "pending",  # type: ignore[arg-type]
            promised_date=reader.text(data["promised_date"], f"{path}.promised_date") if "promised_date" in data else "",
            note=reader.text(data["note"], f"{path}.note") if "note" in data else "",
            verify_online=reader.flag(data["verify_online"], f"{path}.verify_online") if "verify_online" in data else False,
        )
    return statuses


def _at_window(reader: _Reader, value: Any) -> dict[str, AtWindowDecision]:
    """Items concluded at the window (一类直接办): shape only; who may, and for which items,
    is checked when accepting (:mod:`window_app.handling`)."""
    conclusions = {}
    for item_id, entry in reader.obj(value, "at_window").items():
        path = f"at_window.{item_id}"
        data = reader.obj(entry, path, AT_WINDOW_KEYS)
        if isinstance(entry, dict) and "decision" not in data:
            reader.problem(f"{path}.decision", Words("缺少结论（approved 或 rejected）", "“decision” is missing (approved or rejected)"))
        decision = reader.one_of(data["decision"], f"{path}.decision", ("approved", "rejected")) if "decision" in data else None
        conclusions[item_id] = AtWindowDecision(
            decision=decision or "approved",  # type: ignore[arg-type]
            result=reader.text(data["result"], f"{path}.result") if "result" in data else "",
            reason=reader.text(data["reason"], f"{path}.reason") if "reason" in data else "",
        )
    return conclusions
