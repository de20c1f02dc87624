"""The catalog as typed, immutable objects.

The catalog is data (TOML files, see ``docs/catalog-format.md``); the loader turns it into these
dataclasses once and validates every cross-reference, so the rest of the application can trust
that an id it finds here exists.

Bilingual text: every user-visible text (``name``, ``hint`` …) is one :class:`Words`, Chinese and
English together; ``str(bundle.name)`` is the current language's, ``bundle.name.zh`` the Chinese
on purpose (search keys, sorting, what is sent to departments). The TOML keeps its ``name`` /
``name_en`` keys; the loader turns each pair into one :class:`Words`.

The ``Literal`` aliases below are the one source of each key's allowed values: the readers derive
their tuples from them with :func:`typing.get_args`.
"""

from __future__ import annotations

import dataclasses
import operator
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal, TypeVar, get_args

from window_app.domain.identifiers import Sex
from window_app.domain.words import NO_WORDS, Words

ApplicantKind = Literal["person", "enterprise"]
Theme = Literal["personal", "enterprise"]
RegionLevel = Literal["province", "city", "county"]
DepartmentKind = Literal["government", "enterprise", "bank"]
FieldType = Literal[
    "text",  # free text, optional min/max length and regex pattern
    "id_number",  # 居民身份证号码, GB 11643 check digit
    "uscc",  # 统一社会信用代码, GB 32100 check character
    "phone",  # mainland mobile (1[3-9]xxxxxxxxx) or landline (0851-xxxxxxx)
    "date",  # ISO date YYYY-MM-DD
    "number",  # decimal, optional min/max
    "choice",  # one of ``choices``
    "bool",  # yes / no
    "region",  # a GB/T 2260 code known to the catalog
]
HandlingClass = Literal[1, 2, 3]
RuleCheck = Literal[
    "equal",  # field holds the same value as ``other``
    "different",  # field does not hold the same value as ``other``
    "before",  # date order: field < other (a date field, an ID number's birth date, or "today")
    "after",  # field > other
    "not_before",  # field >= other
    "not_after",  # field <= other
    "sex",  # an ID number's sex digit (17th: odd male, even female) is ``sex``, or ``other``'s value
    "age",  # years since the birth date (date field or ID number) on the acceptance date
]
_Model = TypeVar("_Model", bound=type)


def _compact(cls: _Model) -> _Model:
    """Pickled as a call of its constructor with its field values.

    Every catalog class is a frozen dataclass with slots (no ``__dict__`` per object: a
    10,000-offering catalog holds tens of thousands of them). Pickle's default for such a class
    rebuilds each object field by field through :func:`dataclasses.fields` (~13 µs each); a
    constructor call is a few times faster, and the catalog snapshot is read at every start.
    """
    get = operator.attrgetter(*(field.name for field in dataclasses.fields(cls)))
    if len(dataclasses.fields(cls)) == 1:

        def __reduce__(self: object) -> tuple:
            return cls, (get(self),)
    else:

        def __reduce__(self: object) -> tuple:
            return cls, get(self)

    cls.__reduce__ = __reduce__
    return cls


TODAY = "today"
"""The ``other`` of a date-order rule that means the acceptance date (the window's today)."""


@_compact
@dataclass(frozen=True, slots=True)
class Region:
    """An administrative region (GB/T 2260 six-digit code)."""

    code: str
    name: Words
    level: RegionLevel
    parent: str | None = None


@_compact
@dataclass(frozen=True, slots=True)
class Department:
    """A government body or partner enterprise that receives dispatched parts."""

    id: str
    name: Words
    kind: DepartmentKind = "government"
    short_name: Words = NO_WORDS  # for narrow columns: 市场监管 / Market Reg.
    region: str = ""
    """The region whose body ``name`` names (贞丰县卫生健康局: 522325); "" when the name holds
    wherever the window is. A window elsewhere shows the local body's name instead
    (:func:`window_app.catalog.local_names.as_seen_from`)."""
    signing_key: str = ""
    """Public Ed25519 key (``ed25519:<base64>``): what this department signs (decisions)."""
    sealing_key: str = ""
    """Public X25519 key (``hpke-x25519-sha256-aes128gcm:<base64>``): what only it can open."""


OFFICE_ID_SEPARATOR = "-"
"""An office id is ``<department>-<region>`` (``tax-522325``), with ``-<name>`` after it where a
region has several offices of one department (``bank-522325-abc``): lowercase letters, digits,
``_`` and ``-`` only, so it is safe in file names (its key files) and in URLs."""


@_compact
@dataclass(frozen=True, slots=True)
class Office:
    """One body of a department kind in one region: the office a part is addressed to.

    An item names its department's kind (``tax``); a window's region resolves the office
    (国家税务总局贞丰县税务局 at a 贞丰县 window), the nearest one up the region levels
    (:meth:`Catalog.offices_for`). Where the nearest level has several (the banks of a county),
    the applicant chooses one.

    Attributes:
        id: ``<department>-<region>[-<name>]`` (:data:`OFFICE_ID_SEPARATOR`).
        department: The kind this office is a body of (a :class:`Department` id).
        region: The region it serves, and every region below it without an office of its own.
    """

    id: str
    department: str
    name: Words
    region: str
    signing_key: str = ""
    sealing_key: str = ""


@_compact
@dataclass(frozen=True, slots=True)
class Material:
    """A canonical application material (申请材料).

    Attributes:
        shareable: Government already holds it (电子证照 / data sharing): verified, not collected.
        key: A key material (关键材料) may not be accepted as deficient (容缺).
        source: Where shareable data comes from, e.g. "全国一体化政务服务平台电子证照库".
        note: Guidance for the clerk, e.g. "可在窗口现场采集电子照片。".
    """

    id: str
    name: Words
    shareable: bool = False
    key: bool = False
    source: Words = NO_WORDS
    note: Words = NO_WORDS


@_compact
@dataclass(frozen=True, slots=True)
class Choice:
    """One allowed value of a ``choice`` field."""

    value: str
    label: Words


# Where a field's ``prefill`` may point: the catalog validator accepts these and no others,
# and the unified form (``window_app.intake.form``) knows how to resolve each of them.
PREFILL_PATHS = (
    "applicant.person.name",
    "applicant.person.id_number",
    "applicant.person.phone",
    "applicant.enterprise.name",
    "applicant.enterprise.uscc",
    "applicant.enterprise.legal_representative.name",
    "applicant.enterprise.legal_representative.id_number",
    "applicant.enterprise.legal_representative.phone",
    "applicant.agent.name",
    "applicant.agent.id_number",
    "applicant.agent.phone",
    "window.region",
)


_PERSON: tuple[ApplicantKind, ...] = ("person",)
_ENTERPRISE: tuple[ApplicantKind, ...] = ("enterprise",)
_BOTH: tuple[ApplicantKind, ...] = ("person", "enterprise")

# What an item may declare its department needs to know of the applicant (``applicant_data``),
# and nothing else of the applicant goes to the department (``window_app.dispatch``): each datum
# ``role.what`` and the applicant kinds it exists for. Roles: ``applicant`` is the person or the
# enterprise applying; an enterprise acts through its ``legal_representative`` and a ``contact``
# (the intake's ``applicant.person`` of an enterprise application); an ``agent`` (代办人) may act
# for either. Addresses are form fields (``applicant_address``, ``business_address``), not data
# of the applicant step. The order here is the order an envelope and the guide list them in.
APPLICANT_DATA: dict[str, tuple[ApplicantKind, ...]] = {
    "applicant.name": _BOTH,  # the person's name, or the enterprise's
    "applicant.id_number": _PERSON,
    "applicant.phone": _PERSON,
    "applicant.uscc": _ENTERPRISE,
    "legal_representative.name": _ENTERPRISE,
    "legal_representative.id_number": _ENTERPRISE,
    "legal_representative.phone": _ENTERPRISE,
    "contact.name": _ENTERPRISE,
    "contact.id_number": _ENTERPRISE,
    "contact.phone": _ENTERPRISE,
    "agent.name": _BOTH,
    "agent.id_number": _BOTH,
    "agent.phone": _BOTH,
}

DEFAULT_APPLICANT_DATA: tuple[str, ...] = ("applicant.name",)
"""What an item without an ``applicant_data`` key declares: whose case it is, nothing more."""

# What a prefilled field hands its department, per applicant kind: the field's value IS that
# datum, so an item using the field receives it whatever it declares (the loader adds it).
PREFILL_DATA: dict[str, dict[ApplicantKind, str]] = {
    "applicant.person.name": {"person": "applicant.name", "enterprise": "contact.name"},
    "applicant.person.id_number": {"person": "applicant.id_number", "enterprise": "contact.id_number"},
    "applicant.person.phone": {"person": "applicant.phone", "enterprise": "contact.phone"},
    "applicant.enterprise.name": {"enterprise": "applicant.name"},
    "applicant.enterprise.uscc": {"enterprise": "applicant.uscc"},
    **{
        f"applicant.enterprise.legal_representative.{what}": {"enterprise": f"legal_representative.{what}"}
        for what in ("name", "id_number", "phone")
    },
    **{f"applicant.agent.{what}": {"person": f"agent.{what}", "enterprise": f"agent.{what}"} for what in ("name", "id_number", "phone")},
}


def applicant_data_for(items: Iterable[Item], kind: ApplicantKind) -> tuple[str, ...]:
    """What the items' department receives of an applicant of ``kind``: the union of the items'
    declarations that exist for that kind, in :data:`APPLICANT_DATA` order."""
    declared = {datum for item in items for datum in item.applicant_data}
    return tuple(datum for datum, kinds in APPLICANT_DATA.items() if datum in declared and kind in kinds)


@_compact
@dataclass(frozen=True, slots=True)
class FieldRule:
    """A check across fields, or of a field against the acceptance date (declared in the catalog).

    A rule applies when every field it names is on the application's form and filled in with a
    value that passes its own field check; otherwise the field's own check speaks.

    Attributes:
        check: What is checked (:data:`RuleCheck`).
        field: The field the rule is about (its row shows the failure first).
        other: ``equal`` / ``different`` / date order: the other field, or :data:`TODAY` (date
            order only); a date and an ID number compare the birth date in the number.
            ``sex``: instead of ``sex``, a choice field whose value (``male`` / ``female``) the
            ID number must show.
        within_days: Date order: the two dates are at most this many days apart.
        sex: ``sex``: the sex the ID number must show (or ``other``).
        minimum, maximum: ``age``: completed years on the acceptance date, inclusive bounds.
    """

    check: RuleCheck
    field: str
    other: str = ""
    within_days: int | None = None
    sex: Sex | None = None
    minimum: int | None = None
    maximum: int | None = None

    @property
    def fields(self) -> tuple[str, ...]:
        """The field ids the rule reads (``today`` is not a field)."""
        return (self.field,) if self.other in ("", TODAY) else (self.field, self.other)


@_compact
@dataclass(frozen=True, slots=True)
class FormField:
    """A canonical form field: asked once in the unified form, whatever items use it.

    Attributes:
        prefill: One of :data:`PREFILL_PATHS`, e.g. ``applicant.person.name``; empty for none.
        group: Section heading in the unified form, e.g. "申请人" / "企业" / "房屋"; fields are
            grouped by the Chinese heading (the loader checks one heading has one English wording).
        hint: Shown under the field and quoted when a value has the wrong format.
    """

    id: str
    label: Words
    type: FieldType = "text"
    required: bool = True
    prefill: str = ""
    group: Words = NO_WORDS
    choices: tuple[Choice, ...] = ()
    pattern: str = ""
    min_length: int | None = None
    max_length: int | None = None
    minimum: float | None = None
    maximum: float | None = None
    hint: Words = NO_WORDS
    rules: tuple[FieldRule, ...] = ()  # checks of this field wherever it is asked ([[field.rule]])
    replaces: tuple[str, ...] = ()  # ids of fields merged into this one (the same fact), read as this id


@_compact
@dataclass(frozen=True, slots=True)
class Condition:
    """Applies when the answer to ``question`` is one of ``any_of``."""

    question: str
    any_of: tuple[str, ...]

    def holds(self, answers: dict[str, str]) -> bool:
        return answers.get(self.question) in self.any_of


@_compact
@dataclass(frozen=True, slots=True)
class MaterialRequirement:
    """An item needs a material, possibly only under a condition."""

    material: str
    when: Condition | None = None
    original: bool = False  # the original must be seen (not only a copy)


@_compact
@dataclass(frozen=True, slots=True)
class FieldRequirement:
    """An item uses a form field, possibly only under a condition."""

    field: str
    when: Condition | None = None
    required: bool | None = None  # None: the field's own default
    label: Words = NO_WORDS  # the department's own name for the canonical field, in its part


@_compact
@dataclass(frozen=True, slots=True)
class Item:
    """One administrative service (事项) of one department.

    Attributes:
        handling_class: 1 一类直接办 (decided at the window), 2 二类融通办 (processed in the
            department's system), 3 三类登记办 (registered and forwarded).
        time_limit_days: Statutory time limit (法定时限) in working days.
        promised_days: Promised time limit (承诺时限), never above the statutory one; 0 = on the spot.
        prerequisites: Items whose results this one needs first (前置审批).
        standalone: Whether the item may be accepted on its own at a window (单项事项).
        regions / regions_under: Where it is offered alone (see :class:`Bundle`).
        result: What the department issues, e.g. "营业执照"; carried to later stages.
        keywords / synonyms: Search words and other names of a standalone item (see :class:`Bundle`).
        applicant_data: What its department receives of the applicant (keys of
            :data:`APPLICANT_DATA`): as declared (:data:`DEFAULT_APPLICANT_DATA` when the catalog
            says nothing), plus what the item's prefilled fields hold (added by the loader).
    """

    id: str
    name: Words
    department: str
    handling_class: HandlingClass
    time_limit_days: int
    promised_days: int
    materials: tuple[MaterialRequirement, ...] = ()
    fields: tuple[FieldRequirement, ...] = ()
    prerequisites: tuple[str, ...] = ()
    site_survey: bool = False
    applicant_kinds: tuple[ApplicantKind, ...] = get_args(ApplicantKind)  # both
    standalone: bool = False
    regions: tuple[str, ...] = ()
    regions_under: tuple[str, ...] = ()
    keywords: tuple[str, ...] = ()
    synonyms: tuple[str, ...] = ()
    result: str = ""
    theme: Theme = "personal"
    applicant_data: tuple[str, ...] = DEFAULT_APPLICANT_DATA


@_compact
@dataclass(frozen=True, slots=True)
class Option:
    """One answer to a situational question and the optional items it switches on."""

    value: str
    label: Words
    enables: tuple[str, ...] = ()


@_compact
@dataclass(frozen=True, slots=True)
class Question:
    """A situational question (情形引导)."""

    id: str
    text: Words
    options: tuple[Option, ...]
    default: str = ""

    def option(self, value: str) -> Option | None:
        return next((o for o in self.options if o.value == value), None)


@_compact
@dataclass(frozen=True, slots=True)
class Bundle:
    """An integrated package (集成套餐 / 一件事).

    Availability: offered at a window whose region code is in ``regions`` exactly, or is
    ``regions_under`` code itself or any region below it. The uneven three-level coverage the
    paper describes (企业开办 at city level only in 黔西南州 and 贵安新区) is written with ``regions``.

    Attributes:
        mandatory: Items every application of the bundle contains (bound by law or by design).
        optional: Items the applicant may choose; a question's option may switch them on.
        local: A bundle designed by a local centre (shown under 本地).
        survey: A joint site survey bundle (联合踏勘: one visit, one vehicle, one conclusion).
        keywords: Search words, either language (what the bundle contains: 刻章, invoice).
        synonyms: Other names of the bundle, either language (开公司 for 企业开办); found
            like its name.
    """

    id: str
    name: Words
    theme: Theme
    lead_department: str
    mandatory: tuple[str, ...]
    optional: tuple[str, ...] = ()
    questions: tuple[Question, ...] = ()
    regions: tuple[str, ...] = ()
    regions_under: tuple[str, ...] = ()
    hot: bool = False
    local: bool = False
    survey: bool = False
    keywords: tuple[str, ...] = ()
    synonyms: tuple[str, ...] = ()
    description: Words = NO_WORDS
    applicant_kind: ApplicantKind = "person"
    promised_days: int | None = None  # None: derived from the stages
    rules: tuple[FieldRule, ...] = ()  # checks across the bundle's fields ([[bundle.rule]])


@_compact
@dataclass(frozen=True, slots=True)
class Catalog:
    """A whole, validated catalog. Look-ups by id are dictionaries."""

    version: str
    name: str
    regions: dict[str, Region]
    departments: dict[str, Department]
    materials: dict[str, Material]
    fields: dict[str, FormField]
    items: dict[str, Item]
    bundles: dict[str, Bundle]
    digest: str = ""  # sha256 over the source files; keys the SQLite search-key cache
    source: str = ""  # directory it was loaded from
    offices: dict[str, Office] = dataclasses.field(default_factory=dict)
    """Office id → the office (each department kind's bodies per region)."""

    def offices_for(self, department: str, region: str) -> tuple[Office, ...]:
        """The offices of ``department`` that serve a window in ``region``: those of the region
        itself, else of the nearest region above it that has any (a 州-level centre, a city's
        power supply bureau); several where the applicant chooses (banks).

        A department of which the catalog lists no office at all is its own office everywhere
        (a catalog written before offices, or a body that is one for the whole catalog).
        """
        if department not in self.departments:
            return ()
        own = [office for office in self.offices.values() if office.department == department]
        if not own:
            return (department_as_office(self.departments[department]),)
        for code in self.region_chain(region):
            found = tuple(office for office in own if office.region == code)
            if found:
                return found
        return ()

    def body(self, receiver: str) -> Department | None:
        """What a part may be addressed to, as a :class:`Department` record: a department kind
        (its own id), or an office (its name, region and keys; the kind's short name)."""
        department = self.departments.get(receiver)
        if department is not None:
            return department
        office = self.offices.get(receiver)
        if office is None:
            return None
        kind = self.departments.get(office.department)
        return office_as_department(office, kind)

    def kind_of(self, receiver: str) -> str:
        """The department kind of an office id (a kind's own id for a kind; "" if unknown)."""
        if receiver in self.departments:
            return receiver
        office = self.offices.get(receiver)
        return office.department if office else ""

    def receives(self, receiver: str) -> bool:
        """Whether a part may be addressed to ``receiver``: an office, or a department kind
        without offices (its own office). One dictionary look-up for an office id: the
        exchange asks for every envelope."""
        if receiver in self.offices:
            return True
        return receiver in self.departments and not any(o.department == receiver for o in self.offices.values())

    def receivers(self) -> tuple[str, ...]:
        """Every id a part may be addressed to (tokens, keys, inboxes at the exchange): each
        office, and each department kind without offices (its own office)."""
        with_offices = {office.department for office in self.offices.values()}
        return (*self.offices, *(d for d in self.departments if d not in with_offices))

    def canonical_field(self, field_id: str) -> str:
        """The id a field is known by now: a field merged into another (its ``replaces``) is
        read as the canonical one, so drafts and files written before the merge still load."""
        for canonical in self.fields.values():
            if field_id in canonical.replaces:
                return canonical.id
        return field_id

    def region_chain(self, code: str) -> list[str]:
        """The code and its ancestors, nearest first (522325 → 522300 → 520000)."""
        chain: list[str] = []
        current: str | None = code
        while current is not None and current not in chain:
            chain.append(current)
            region = self.regions.get(current)
            current = region.parent if region else None
        return chain

    def offered_in(self, regions: tuple[str, ...], regions_under: tuple[str, ...], code: str) -> bool:
        """Whether something with this availability is offered at a window in ``code``."""
        if code in regions:
            return True
        return any(ancestor in regions_under for ancestor in self.region_chain(code))


def department_as_office(department: Department) -> Office:
    """A department without offices as its own one office (its id, name, region and keys)."""
    return Office(
        id=department.id,
        department=department.id,
        name=department.name,
        region=department.region,
        signing_key=department.signing_key,
        sealing_key=department.sealing_key,
    )


def office_as_department(office: Office, kind: Department | None) -> Department:
    """An office seen as a department record (what names, receipts and keys read): its name,
    region and keys, its kind's ``kind`` and short name."""
    return Department(
        id=office.id,
        name=office.name,
        kind=kind.kind if kind else "government",
        short_name=kind.short_name if kind else NO_WORDS,
        region=office.region,
        signing_key=office.signing_key,
        sealing_key=office.sealing_key,
    )


@_compact
@dataclass(frozen=True, slots=True)
class Offering:
    """What a clerk picks: a bundle, or a single standalone item seen as a one-item bundle."""

    kind: Literal["bundle", "item"]
    bundle: Bundle  # for kind == "item", a synthetic bundle with the item as its only mandatory

    @property
    def id(self) -> str:
        return self.bundle.id


def bilingual_keys(key: str, words: Words) -> dict[str, str]:
    """A catalog text under its documented ``key`` / ``key_en`` pair: how the TOML writes it,
    and how JSON made for others keeps it (guides, envelopes, the CLI's ``--json``)."""
    return {key: words.zh, f"{key}_en": words.en}


def item_as_bundle(item: Item) -> Bundle:
    """A standalone item seen as a one-item bundle, so one code path serves both."""
    return Bundle(
        id=item.id,
        name=item.name,
        theme=item.theme,
        lead_department=item.department,
        mandatory=(item.id,),
        regions=item.regions,
        regions_under=item.regions_under,
        keywords=item.keywords,
        synonyms=item.synonyms,
        applicant_kind="enterprise" if item.applicant_kinds == ("enterprise",) else "person",
        promised_days=item.promised_days,
    )


@_compact
@dataclass(frozen=True, slots=True)
class SearchKeys:
    """What an offering is found by, all lowercase.

    Attributes:
        hanzi: The Chinese name, e.g. ``企业开办``.
        pinyin: Full pinyin without tones or spaces, e.g. ``qiyekaiban``.
        initials: Pinyin initials, e.g. ``qykb``.
        keywords: The catalog's keywords, followed by each keyword's pinyin and initials
            (so ``yyzz`` finds a bundle with the keyword 营业执照).
        synonyms: The catalog's synonyms (other names of the offering: 房产过户 for
            二手房转移登记), followed by each one's pinyin and initials; found like the name.
    """

    hanzi: str
    pinyin: str
    initials: str
    keywords: tuple[str, ...]
    synonyms: tuple[str, ...] = ()
