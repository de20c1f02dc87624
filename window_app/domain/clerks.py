"""Clerks, their roles and what each role may do.

A clerk (窗口人员) is a person with an account at this window: a 工号 (``id``), a name and one or
more roles. What a role may do is a set of :class:`Permission`; the services check the
permission (``Window.require``), the screens only hide what a clerk may not do.

========================  ===============  ==============================================
role                      中文              may
========================  ===============  ==============================================
``acceptor``              受理员            take intakes and drafts, accept, supplement (补正)
``sole_approver``         独任审批员        as an acceptor, and conclude 一类 items at the window
``helper``                帮办代办员        take intakes and drafts for an applicant; not accept
``supervisor``            值班长            see every application, the quarantine, statistics;
                                            rectify 差评 (assign, call back, fix, close);
                                            unlock accounts, backups
``administrator``         管理员            accounts, the window's keys, settings; unlock accounts,
                                            backups
========================  ===============  ==============================================

Who sees which applications: a supervisor sees all of them; anyone else the ones they accepted.
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass

from window_app.domain.errors import WindowAppError
from window_app.domain.words import Words


class Permission(enum.StrEnum):
    """One thing a clerk may do; checked by the services, not only hidden in the screens."""

    DRAFT = "draft"
    ACCEPT = "accept"
    SUPPLEMENT = "supplement"
    DECIDE_AT_WINDOW = "decide_at_window"
    VIEW_APPLICATIONS = "view_applications"
    VIEW_ALL_APPLICATIONS = "view_all_applications"
    QUARANTINE = "quarantine"
    STATISTICS = "statistics"
    RECTIFY = "rectify"
    UNLOCK_ACCOUNTS = "unlock_accounts"
    MANAGE_ACCOUNTS = "manage_accounts"
    MANAGE_KEYS = "manage_keys"
    SETTINGS = "settings"
    BACKUP = "backup"


class Role(enum.StrEnum):
    ACCEPTOR = "acceptor"
    SOLE_APPROVER = "sole_approver"
    HELPER = "helper"
    SUPERVISOR = "supervisor"
    ADMINISTRATOR = "administrator"

    @property
    def words(self) -> Words:
        return ROLE_WORDS[self]

    @property
    def permissions(self) -> frozenset[Permission]:
        return ROLE_PERMISSIONS[self]


ROLE_WORDS: dict[Role, Words] = {
    Role.ACCEPTOR: Words("受理员", "acceptor"),
    Role.SOLE_APPROVER: Words("独任审批员", "sole approver"),
    Role.HELPER: Words("帮办代办员", "helper"),
    Role.SUPERVISOR: Words("值班长", "supervisor"),
    Role.ADMINISTRATOR: Words("管理员", "administrator"),
}

_ACCEPTOR = frozenset({Permission.DRAFT, Permission.ACCEPT, Permission.SUPPLEMENT, Permission.VIEW_APPLICATIONS})

ROLE_PERMISSIONS: dict[Role, frozenset[Permission]] = {
    Role.ACCEPTOR: _ACCEPTOR,
    Role.SOLE_APPROVER: _ACCEPTOR | {Permission.DECIDE_AT_WINDOW},
    Role.HELPER: frozenset({Permission.DRAFT, Permission.VIEW_APPLICATIONS}),
    Role.SUPERVISOR: frozenset(
        {
            Permission.VIEW_APPLICATIONS,
            Permission.VIEW_ALL_APPLICATIONS,
            Permission.QUARANTINE,
            Permission.STATISTICS,
            Permission.RECTIFY,
            Permission.UNLOCK_ACCOUNTS,
            Permission.BACKUP,
        }
    ),
    Role.ADMINISTRATOR: frozenset(
        {
            Permission.MANAGE_ACCOUNTS,
            Permission.MANAGE_KEYS,
            Permission.SETTINGS,
            Permission.UNLOCK_ACCOUNTS,
            Permission.BACKUP,
        }
    ),
}

FIRST_ADMINISTRATOR_ROLES = (Role.ADMINISTRATOR, Role.SUPERVISOR, Role.ACCEPTOR)
"""The first account of a new window: a county window often starts with one person, who must be
able to set the window up, accept, and see what was accepted."""

PERMISSION_WORDS: dict[Permission, Words] = {
    Permission.DRAFT: Words("填写申请", "take an application"),
    Permission.ACCEPT: Words("受理", "accept"),
    Permission.SUPPLEMENT: Words("补正", "supply a requested material"),
    Permission.DECIDE_AT_WINDOW: Words("窗口直接办结一类事项", "conclude class-1 items at the window"),
    Permission.VIEW_APPLICATIONS: Words("查看办件", "see applications"),
    Permission.VIEW_ALL_APPLICATIONS: Words("查看全部办件", "see every application"),
    Permission.QUARANTINE: Words("处理被交换平台退回的件", "resend parts the exchange returned"),
    Permission.STATISTICS: Words("查看统计", "see statistics"),
    Permission.RECTIFY: Words("处理差评整改", "handle the rectification of poor ratings"),
    Permission.UNLOCK_ACCOUNTS: Words("解锁账号", "unlock accounts"),
    Permission.MANAGE_ACCOUNTS: Words("管理账号", "manage accounts"),
    Permission.MANAGE_KEYS: Words("管理密钥", "manage keys"),
    Permission.SETTINGS: Words("修改设置", "change settings"),
    Permission.BACKUP: Words("备份数据", "take backups"),
}

CLERK_ID_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,19}$")


def clerk_id_problem(clerk_id: str) -> Words | None:
    """Why ``clerk_id`` cannot be a 工号, or ``None``."""
    if not CLERK_ID_PATTERN.match(clerk_id):
        return Words(
            "工号须为 1–20 位字母、数字、- 或 _，以字母或数字开头", "a clerk id is 1–20 letters, digits, - or _, starting with a letter or digit"
        )
    return None


def roles_from(names: list[str] | tuple[str, ...]) -> tuple[Role, ...]:
    """Roles by name (``acceptor``, ``受理员`` …), in the order of :class:`Role`.

    Raises:
        UnknownRole: A name that is no role (or none at all).
    """
    chosen: set[Role] = set()
    for name in names:
        role = _ROLE_BY_NAME.get(name.strip().lower())
        if role is None:
            raise UnknownRole(name)
        chosen.add(role)
    if not chosen:
        raise UnknownRole("")
    return tuple(role for role in Role if role in chosen)


_ROLE_BY_NAME = {role.value: role for role in Role} | {words.zh: role for role, words in ROLE_WORDS.items()}


class UnknownRole(WindowAppError):
    """A role name that is not one of :class:`Role`."""

    def __init__(self, name: str):
        known = Words("、".join(f"{role.value}（{role.words.zh}）" for role in Role), ", ".join(role.value for role in Role))
        super().__init__(
            Words("没有角色“{name}”。可选：{known}", "No role “{name}”. Roles: {known}").format(name=name, known=known)
        )


@dataclass(frozen=True)
class Clerk:
    """A clerk's account as the services see it (no secrets).

    Attributes:
        id: The 工号, unique at this window.
        name: The clerk's name as printed on receipts and in the audit trail.
        roles: What the clerk is; :attr:`permissions` is what they may do.
        active: ``False`` once disabled (cannot sign in; their key wrap is gone).
        locked_until: UTC ISO time until which sign-in is refused after wrong PINs, or ``""``.
    """

    id: str
    name: str
    roles: tuple[Role, ...]
    active: bool = True
    locked_until: str = ""

    @property
    def permissions(self) -> frozenset[Permission]:
        return frozenset().union(*(role.permissions for role in self.roles)) if self.roles else frozenset()

    def may(self, permission: Permission) -> bool:
        return permission in self.permissions

    @property
    def label(self) -> str:
        """How the clerk is named in the audit trail and on paper: ``name（工号）``."""
        return f"{self.name}（{self.id}）" if self.name else self.id

    def roles_words(self) -> Words:
        return Words("、".join(role.words.zh for role in self.roles), ", ".join(role.words.en for role in self.roles))


class NotPermitted(WindowAppError):
    """The signed-in clerk (or nobody) may not do this; the words say what and who may."""

    def __init__(self, permission: Permission, clerk: Clerk | None):
        allowed = [role for role in Role if permission in role.permissions]
        who = Words("、".join(r.words.zh for r in allowed), ", ".join(r.words.en for r in allowed))
        if clerk is None:
            words = Words("请先登录：只有登录的{who}可以{what}", "Sign in first: only a signed-in {who} may {what}")
        else:
            words = Words("{clerk} 无权{what}（需要角色：{who}）", "{clerk} may not {what} (it takes the role: {who})")
        super().__init__(words.format(what=PERMISSION_WORDS[permission], who=who, clerk=clerk.label if clerk else ""))
        self.permission = permission


class AccountError(WindowAppError):
    """An account change or a sign-in was refused; the words say why and what to do.

    Attributes:
        kind: ``unknown``, ``wrong_pin``, ``locked``, ``disabled``, ``exists``, ``invalid``,
            ``last_administrator``, ``no_key``.
    """

    def __init__(self, words: Words, kind: str):
        super().__init__(words)
        self.kind = kind
