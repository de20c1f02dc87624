"""Small catalogs built directly from the dataclasses, for the intake rule tests.

Two bundles modelled on Guizhou's: 企业开办 (enterprise opening: the licence first, then seal,
tax and optional bank account / invoices in parallel) and 出生一件事 (newborn: birth certificate,
then hukou, then medical insurance, with optional social security card and bank card). One
standalone item, 食品经营许可, needs the business licence the applicant already holds.
"""

from __future__ import annotations

import dataclasses
import datetime as dt

from window_app.domain.catalog import (
    Bundle,
    Catalog,
    Choice,
    Condition,
    Department,
    FieldRequirement,
    FormField,
    Item,
    Material,
    MaterialRequirement,
    Offering,
    Option,
    Question,
    Region,
    item_as_bundle,
)
from window_app.domain.intake import Applicant, Enterprise, Intake, MaterialStatus, Person
from window_app.domain.words import Words
from window_app.trust.demo import demo_sealing_key, demo_signing_key

TODAY = dt.date(2026, 11, 27)  # a Friday, the day the shared test clock is pinned to
WINDOW_REGION = "522325"

# Structurally valid numbers (GB 11643 / GB 32100); the first ID is the textbook example.
TEXTBOOK_ID = "11010519491231002X"
MOTHER_ID = "52232519900307002X"
AGENT_ID = "522325198805120012"
REPRESENTATIVE_ID = "522301197511030040"
HUAWEI_USCC = "914403001922038216"  # 华为技术有限公司, as printed on its public licence
MOBILE = "13985912345"
LANDLINE = "0859-4211234"


def regions() -> dict[str, Region]:
    return {
        region.code: region
        for region in (
            Region("520000", Words("贵州省", "Guizhou Province"), "province"),
            Region("522300", Words("黔西南布依族苗族自治州", "Qianxinan Prefecture"), "city", "520000"),
            Region("522325", Words("贞丰县", "Zhenfeng County"), "county", "522300"),
        )
    }


def keyed(department: Department) -> Department:
    """The department with its demo public keys (what the shipped demo catalog gives it)."""
    name = f"department:{department.id}"
    return dataclasses.replace(
        department,
        signing_key=demo_signing_key(name).public.text,
        sealing_key=demo_sealing_key(name).public.text,
    )


def departments() -> dict[str, Department]:
    return {
        department.id: keyed(department)
        for department in (
            Department("market_regulation", Words("贞丰县市场监督管理局", "Zhenfeng Market Regulation"), short_name=Words("市场监管")),
            Department("public_security", Words("贞丰县公安局", "Zhenfeng Public Security"), short_name=Words("公安")),
            Department("tax", Words("国家税务总局贞丰县税务局", "Zhenfeng Tax Bureau"), short_name=Words("税务")),
            Department("bank", Words("贵州银行贞丰支行", "Bank of Guizhou Zhenfeng"), "bank", Words("银行")),
            Department("health", Words("贞丰县卫生健康局", "Zhenfeng Health Commission"), short_name=Words("卫健")),
            Department("medical_insurance", Words("贞丰县医疗保障局", "Zhenfeng Medical Insurance"), short_name=Words("医保")),
            Department("social_security", Words("贞丰县人力资源和社会保障局", "Zhenfeng Human Resources"), short_name=Words("人社")),
        )
    }


def materials() -> dict[str, Material]:
    return {
        material.id: material
        for material in (
            Material("id_card", Words("居民身份证", "Resident ID card"), shareable=True, key=True),
            Material("premises_proof", Words("住所（经营场所）使用证明", "Proof of premises"), key=True),
            Material("articles_of_association", Words("公司章程", "Articles of association")),
            Material("seal_form", Words("印章刻制申请表", "Seal engraving form")),
            Material("bank_form", Words("开户申请书", "Account opening form")),
            Material("birth_medical_certificate", Words("出生医学证明", "Birth medical certificate"), key=True),
            Material("marriage_certificate", Words("结婚证", "Marriage certificate"), shareable=True),
            Material("hukou_booklet", Words("户口簿", "Household register"), shareable=True),
            Material("food_safety_plan", Words("食品安全管理制度", "Food safety rules")),
            Material("invoice_form", Words("发票领用申请表", "Invoice application form")),
        )
    }


def fields() -> dict[str, FormField]:
    sex = (Choice("male", Words("男", "Male")), Choice("female", Words("女", "Female")))
    return {
        field.id: field
        for field in (
            FormField("applicant_name", Words("申请人姓名", "Applicant name"), prefill="applicant.person.name", group=Words("申请人")),
            FormField(
                "applicant_id_number",
                Words("申请人身份证号码", "Applicant ID number"),
                "id_number",
                prefill="applicant.person.id_number",
                group=Words("申请人"),
            ),
            FormField(
                "applicant_phone", Words("联系电话", "Phone"), "phone", prefill="applicant.person.phone", group=Words("申请人")
            ),
            FormField(
                "enterprise_name",
                Words("企业名称", "Enterprise name"),
                prefill="applicant.enterprise.name",
                group=Words("企业"),
                min_length=4,
                max_length=50,
            ),
            FormField(
                "registered_capital", Words("注册资本（万元）", "Registered capital"), "number", group=Words("企业"), minimum=0.01, maximum=100000
            ),
            FormField(
                "business_region", Words("住所所在地", "Registered region"), "region", prefill="window.region", group=Words("企业")
            ),
            FormField("opening_date", Words("开业日期", "Opening date"), "date", required=False, group=Words("企业")),
            FormField(
                "postcode",
                Words("邮政编码", "Postcode"),
                pattern=r"\d{6}",
                required=False,
                group=Words("企业", "Enterprise"),
                hint=Words("6位数字", "6 digits"),
            ),
            FormField("child_name", Words("新生儿姓名", "Child's name"), group=Words("子女"), max_length=20),
            FormField("child_birth_date", Words("出生日期", "Date of birth"), "date", group=Words("子女")),
            FormField("child_sex", Words("性别", "Sex"), "choice", group=Words("子女"), choices=sex),
            FormField("needs_paper_card", Words("是否需要实体卡", "Needs a physical card"), "bool", group=Words("子女")),
            FormField("father_id_number", Words("父亲身份证号码", "Father's ID number"), "id_number", group=Words("申请人")),
        )
    }


def _materials(*entries: str | MaterialRequirement) -> tuple[MaterialRequirement, ...]:
    return tuple(e if isinstance(e, MaterialRequirement) else MaterialRequirement(e) for e in entries)


def _fields(*entries: str | FieldRequirement) -> tuple[FieldRequirement, ...]:
    return tuple(e if isinstance(e, FieldRequirement) else FieldRequirement(e) for e in entries)


def items() -> dict[str, Item]:
    married = Condition("parents_married", ("yes",))
    return {
        item.id: item
        for item in (
            # -- 企业开办 --
            Item(
                "business_licence", Words("企业设立登记", "Company registration"), "market_regulation", 1, 3, 1,
                materials=_materials(
                    "id_card", MaterialRequirement("premises_proof", original=True), "articles_of_association"
                ),
                fields=_fields(
                    "applicant_name", "applicant_id_number", "applicant_phone",
                    "enterprise_name", "registered_capital", "business_region", "opening_date", "postcode",
                ),
                result="营业执照",
                applicant_kinds=("enterprise",),
            ),
            Item(
                "seal_engraving", Words("公章刻制备案", "Seal engraving"), "public_security", 1, 1, 0,
                materials=_materials("id_card", "seal_form"),
                fields=_fields("enterprise_name", "applicant_name"),
                prerequisites=("business_licence",),
                applicant_kinds=("enterprise",),
            ),
            Item(
                "tax_registration", Words("新办纳税人套餐", "Tax registration"), "tax", 2, 5, 1,
                materials=_materials("id_card", "premises_proof"),
                fields=_fields("enterprise_name", FieldRequirement("applicant_phone", required=False)),
                prerequisites=("business_licence",),
                applicant_kinds=("enterprise",),
            ),
            Item(
                "bank_account", Words("银行开户", "Bank account"), "bank", 3, 2, 1,
                materials=_materials("id_card", "bank_form"),
                fields=_fields("enterprise_name", "applicant_phone"),
                prerequisites=("business_licence",),
                applicant_kinds=("enterprise",),
            ),
            Item(
                "invoice_application", Words("发票申领", "Invoice application"), "tax", 2, 5, 2,
                materials=_materials("invoice_form", "id_card"),
                fields=_fields("enterprise_name"),
                prerequisites=("tax_registration",),
                applicant_kinds=("enterprise",),
            ),
            # -- 出生一件事 --
            Item(
                "birth_certificate", Words("出生医学证明办理", "Birth medical certificate"), "health", 1, 10, 1,
                materials=_materials("id_card", MaterialRequirement("marriage_certificate", when=married)),
                fields=_fields("applicant_name", "applicant_id_number", "child_name", "child_birth_date", "child_sex"),
                result="出生医学证明",
                applicant_kinds=("person",),
            ),
            Item(
                "hukou_registration", Words("出生登记", "Birth registration (hukou)"), "public_security", 1, 5, 1,
                materials=_materials(
                    MaterialRequirement("birth_medical_certificate", original=True),
                    "id_card",
                    "hukou_booklet",
                    MaterialRequirement("marriage_certificate", when=married),
                ),
                fields=_fields(
                    "applicant_name", "applicant_id_number", "child_name", "child_sex",
                    FieldRequirement("father_id_number", when=married),
                ),
                prerequisites=("birth_certificate",),
                result="户口簿",
                applicant_kinds=("person",),
            ),
            Item(
                "medical_insurance_enrolment", Words("城乡居民医保参保登记", "Medical insurance"), "medical_insurance", 1, 5, 0,
                materials=_materials("id_card", "hukou_booklet"),
                fields=_fields("child_name", "applicant_phone"),
                prerequisites=("hukou_registration",),
                applicant_kinds=("person",),
            ),
            Item(
                "social_security_card", Words("社会保障卡申领", "Social security card"), "social_security", 1, 20, 10,
                materials=_materials("id_card"),
                fields=_fields("child_name", FieldRequirement("needs_paper_card", required=True)),
                prerequisites=("hukou_registration",),
                applicant_kinds=("person",),
            ),
            Item(
                "newborn_bank_card", Words("新生儿银行卡", "Newborn bank card"), "bank", 3, 2, 1,
                materials=_materials("id_card", "bank_form"),
                fields=_fields("child_name", "applicant_phone"),
                applicant_kinds=("person",),
            ),
            # -- offered alone --
            Item(
                "food_licence", Words("食品经营许可", "Food business licence"), "market_regulation", 1, 20, 10,
                materials=_materials(
                    "food_safety_plan",
                    "premises_proof",
                    MaterialRequirement("articles_of_association", when=Condition("needs_invoice", ("yes",))),
                ),
                fields=_fields("enterprise_name", "applicant_phone"),
                prerequisites=("business_licence",),
                standalone=True,
                applicant_kinds=("enterprise",),
                regions_under=("520000",),
                theme="enterprise",
                result="食品经营许可证",
            ),
            Item(
                "id_card_renewal", Words("居民身份证换领", "ID card renewal"), "public_security", 1, 60, 30,
                materials=_materials(MaterialRequirement("id_card", original=True)),
                fields=_fields("applicant_name", "applicant_id_number", "applicant_phone"),
                standalone=True,
                applicant_kinds=("person", "enterprise"),
                regions_under=("520000",),
            ),
        )
    }  # fmt: skip


def bundles() -> dict[str, Bundle]:
    return {
        bundle.id: bundle
        for bundle in (
            Bundle(
                "enterprise_opening", Words("企业开办", "Opening an enterprise"), "enterprise", "market_regulation",
                mandatory=("business_licence", "seal_engraving", "tax_registration"),
                optional=("bank_account", "invoice_application"),
                questions=(
                    Question(
                        "needs_invoice", Words("是否需要申领发票？", "Do you need invoices?"),
                        (
                            Option("yes", Words("需要", "Yes"), enables=("invoice_application",)),
                            Option("no", Words("不需要", "No")),
                        ),
                        default="no",
                    ),
                ),
                regions=("522300", "522325"),
                applicant_kind="enterprise",
            ),
            Bundle(
                "newborn", Words("出生一件事", "A child is born"), "personal", "public_security",
                mandatory=("birth_certificate", "hukou_registration", "medical_insurance_enrolment"),
                optional=("social_security_card", "newborn_bank_card"),
                questions=(
                    Question(
                        "parents_married", Words("父母是否已登记结婚？", "Are the parents married?"),
                        (Option("yes", Words("是", "Yes")), Option("no", Words("否", "No"))),
                        default="yes",
                    ),
                    Question(
                        "wants_social_card", Words("是否同时申领社保卡？", "Apply for a social security card too?"),
                        (
                            Option("yes", Words("是", "Yes"), enables=("social_security_card",)),
                            Option("no", Words("否", "No")),
                        ),
                        default="yes",
                    ),
                ),
                regions_under=("520000",),
                applicant_kind="person",
            ),
        )
    }  # fmt: skip


def build_catalog(extra_items: dict[str, Item] | None = None) -> Catalog:
    """The small test catalog; ``extra_items`` adds or replaces items (e.g. to make a cycle)."""
    return Catalog(
        version="test.1",
        name="测试目录",
        regions=regions(),
        departments=departments(),
        materials=materials(),
        fields=fields(),
        items={**items(), **(extra_items or {})},
        bundles=bundles(),
    )


def offering_of(catalog: Catalog, offering_id: str) -> Offering:
    """A bundle, or an item offered alone, as the pick screen would hand it on."""
    if offering_id in catalog.bundles:
        return Offering("bundle", catalog.bundles[offering_id])
    return Offering("item", item_as_bundle(catalog.items[offering_id]))


def newborn_intake() -> Intake:
    """A complete, valid 出生一件事 intake under default answers (married, social card wanted)."""
    return Intake(
        offering="newborn",
        answers={"parents_married": "yes", "wants_social_card": "yes"},
        applicant=Applicant(kind="person", person=Person("王小红", MOTHER_ID, MOBILE)),
        materials={
            "id_card": MaterialStatus("shared"),
            "marriage_certificate": MaterialStatus("shared"),
            "birth_medical_certificate": MaterialStatus("original"),
            "hukou_booklet": MaterialStatus("shared"),
        },
        fields={
            "child_name": "王小明",
            "child_birth_date": "2026-11-20",
            "child_sex": "male",
            "needs_paper_card": "true",
            "father_id_number": AGENT_ID,
        },
    )


def opening_intake() -> Intake:
    """A complete, valid 企业开办 intake: a new enterprise, so no USCC yet."""
    return Intake(
        offering="enterprise_opening",
        answers={"needs_invoice": "no"},
        applicant=Applicant(
            kind="enterprise",
            person=Person("李四", "", LANDLINE),
            enterprise=Enterprise("贞丰县好运来餐饮有限公司", "", Person("张三", REPRESENTATIVE_ID, MOBILE)),
        ),
        materials={
            "id_card": MaterialStatus("shared"),
            "premises_proof": MaterialStatus("original"),
            "articles_of_association": MaterialStatus("copy"),
            "seal_form": MaterialStatus("original"),
        },
        fields={"registered_capital": "50", "applicant_id_number": REPRESENTATIVE_ID},
    )
