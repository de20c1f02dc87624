"""The catalog loader: a valid catalog loads; every malformed one names file, entry and reason."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from window_app.catalog.loader import (
    CatalogError,
    CatalogProblem,
    load_catalog,
    shipped_catalog_path,
    validate_catalog_dir,
)
from window_app.domain.catalog import Condition, MaterialRequirement
from window_app.domain.words import Words

SMALL = Path(__file__).parent / "catalogs" / "small"


@pytest.fixture
def catalog_dir(tmp_path: Path) -> Path:
    """A private copy of the small valid catalog, free to break."""
    target = tmp_path / "catalog"
    shutil.copytree(SMALL, target)
    return target


def edit(root: Path, rel: str, old: str, new: str) -> None:
    """Replace the first ``old`` in one catalog file (which must contain it)."""
    path = root / rel
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} is not in {rel}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def append(root: Path, rel: str, text: str) -> None:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    before = path.read_text(encoding="utf-8") if path.exists() else ""
    path.write_text(before + "\n" + text, encoding="utf-8")


def assert_problem(root: Path, file: str, entry: str, *fragments: str) -> CatalogProblem:
    """Exactly the problem a data author would look for: this file, this entry, these words."""
    problems = validate_catalog_dir(root)
    for problem in problems:
        if problem.file == file and problem.entry == entry and all(f in problem.reason for f in fragments):
            return problem
    listed = "\n".join(str(p) for p in problems) or "(no problems)"
    raise AssertionError(f"no problem {file}: {entry}: …{' … '.join(fragments)}… among:\n{listed}")


# -- a valid catalog --------------------------------------------------------------------------


def test_small_catalog_loads_with_every_kind_of_entry(catalog_dir: Path) -> None:
    assert validate_catalog_dir(catalog_dir) == []
    catalog = load_catalog(catalog_dir)

    assert catalog.version == "2026.11.2"
    assert catalog.name == "测试目录"
    assert catalog.source == str(catalog_dir)
    assert catalog.regions["522325"].parent == "522300"
    assert catalog.departments["bank"].kind == "bank"
    assert catalog.materials["id_card"].shareable and catalog.materials["id_card"].key
    assert [c.value for c in catalog.fields["invoice_kind"].choices] == ["ordinary", "special"]
    assert catalog.fields["postcode"].required is False
    assert catalog.fields["registered_capital"].minimum == 0
    # Each text and its English twin are one Words: names, short names, sources, notes, form groups.
    assert catalog.departments["tax"].short_name == Words("税务", "Tax")
    assert catalog.materials["id_card"].source.en.startswith("E-licence database")
    assert catalog.materials["marriage_certificate"].note.en.startswith("If the parents are not married")
    assert catalog.fields["postcode"].group == Words("企业", "Enterprise")

    licence = catalog.items["business_licence_registration"]
    assert licence.materials == (
        MaterialRequirement("id_card"),
        MaterialRequirement("articles_of_association", original=True),
    )
    assert licence.fields[2].field == "postcode" and licence.fields[2].required is False
    assert licence.applicant_kinds == ("person", "enterprise")  # the default: both
    hukou = catalog.items["hukou_registration"]
    assert hukou.materials[1].when == Condition("parents_married", ("yes",))
    assert catalog.items["food_business_licence"].prerequisites == ("business_licence_registration",)

    opening = catalog.bundles["enterprise_opening"]
    assert opening.hot and opening.theme == "enterprise" and opening.applicant_kind == "enterprise"
    assert opening.optional == ("bank_account_opening",)
    assert [q.id for q in opening.questions] == ["needs_invoice", "open_account"]
    assert opening.questions[1].option("yes").enables == ("bank_account_opening",)
    assert opening.questions[0].default == "no"
    # Catalog order is file order: enterprise.toml before personal.toml, entries as written.
    assert list(catalog.bundles) == ["enterprise_deregistration", "enterprise_opening", "newborn", "sole_trader_opening"]


def test_region_availability_exact_regions_versus_regions_under(catalog_dir: Path) -> None:
    catalog = load_catalog(catalog_dir)
    opening = catalog.bundles["enterprise_opening"]  # regions = 522300, 520900, 522325, 522323
    newborn = catalog.bundles["newborn"]  # regions_under = 520000
    food = catalog.items["food_business_licence"]  # regions_under = 522300

    def offered(thing, code: str) -> bool:
        return catalog.offered_in(thing.regions, thing.regions_under, code)

    # ``regions`` is exact: the city itself and the two listed counties, not 兴义市 below the city.
    assert offered(opening, "522300") and offered(opening, "522325") and offered(opening, "520900")
    assert not offered(opening, "522301")
    assert not offered(opening, "520000")
    # ``regions_under`` covers the region and every descendant, at any depth.
    assert all(offered(newborn, code) for code in ("520000", "520100", "520102", "522300", "522325"))
    assert offered(food, "522300") and offered(food, "522301")
    assert not offered(food, "520000") and not offered(food, "520102")


def test_digest_is_stable_across_copies_and_changes_with_content(catalog_dir: Path, tmp_path: Path) -> None:
    first = load_catalog(catalog_dir).digest
    assert len(first) == 64
    assert load_catalog(catalog_dir).digest == first
    elsewhere = tmp_path / "elsewhere"
    shutil.copytree(catalog_dir, elsewhere)
    assert load_catalog(elsewhere).digest == first  # relative paths, not where it lies

    edit(elsewhere, "items/market.toml", "promised_days = 10", "promised_days = 9")
    changed = load_catalog(elsewhere).digest
    assert changed != first

    (elsewhere / "bundles" / "personal.toml").rename(elsewhere / "bundles" / "people.toml")
    assert load_catalog(elsewhere).digest not in {first, changed}  # a renamed file is a change too


def test_loading_needs_no_pypinyin(catalog_dir: Path) -> None:
    """pypinyin costs ~0.5 s to import: loading the catalog at start-up must not pull it in."""
    import subprocess
    import sys

    script = (
        "import sys\n"
        "from window_app.catalog.loader import load_catalog\n"
        f"load_catalog({str(catalog_dir)!r})\n"
        "print('pypinyin' in sys.modules)\n"
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "False"


def test_shipped_catalog_path_is_the_package_data_directory() -> None:
    path = shipped_catalog_path()
    assert path.parts[-3:] == ("window_app", "data", "catalog")


# -- the directory itself ---------------------------------------------------------------------


def test_a_missing_directory_is_a_problem_not_a_traceback(tmp_path: Path) -> None:
    missing = tmp_path / "nowhere"
    problems = validate_catalog_dir(missing)
    assert [(p.file, p.reason) for p in problems] == [(str(missing), "no such directory")]


def test_a_file_instead_of_a_directory(tmp_path: Path) -> None:
    path = tmp_path / "catalog.toml"
    path.write_text("[catalog]\n", encoding="utf-8")
    (problem,) = validate_catalog_dir(path)
    assert problem.file == str(path) and "not a directory" in problem.reason


def test_a_directory_without_catalog_toml(catalog_dir: Path) -> None:
    (catalog_dir / "catalog.toml").unlink()
    assert_problem(catalog_dir, "catalog.toml", "(file)", "missing")


def test_an_unexpected_toml_file_is_reported_but_a_readme_is_not(catalog_dir: Path) -> None:
    (catalog_dir / "region.toml").write_text("", encoding="utf-8")  # a typo of regions.toml
    (catalog_dir / "README.md").write_text("notes", encoding="utf-8")
    problems = validate_catalog_dir(catalog_dir)
    assert [p.file for p in problems] == ["region.toml"]
    assert "unexpected file" in problems[0].reason


# -- file level ------------------------------------------------------------------------------


def test_toml_syntax_error_names_file_and_line(catalog_dir: Path) -> None:
    edit(catalog_dir, "departments.toml", 'short_name = "税务"', 'short_name = "税务')
    problem = assert_problem(catalog_dir, "departments.toml", "line 14, column 17", "TOML syntax error")
    assert str(problem).startswith("departments.toml: line 14")


def test_unsupported_format(catalog_dir: Path) -> None:
    edit(catalog_dir, "catalog.toml", "format = 1", "format = 2")
    assert_problem(catalog_dir, "catalog.toml", "catalog", "unsupported format 2")


def test_entries_of_the_wrong_kind_in_a_file(catalog_dir: Path) -> None:
    append(catalog_dir, "items/extra.toml", '[[bundle]]\nid = "misplaced"\n')
    assert_problem(catalog_dir, "items/extra.toml", "bundle", "unexpected top-level key 'bundle'", "[[item]]")


def test_a_table_where_an_array_of_tables_belongs(catalog_dir: Path) -> None:
    (catalog_dir / "materials.toml").write_text('[material]\nid = "x"\n', encoding="utf-8")
    assert_problem(catalog_dir, "materials.toml", "material", "array of tables [[material]]", "not table")


# -- keys and types --------------------------------------------------------------------------


def test_missing_required_key(catalog_dir: Path) -> None:
    edit(catalog_dir, "departments.toml", 'name_en = "Tax Bureau"\n', "")
    assert_problem(catalog_dir, "departments.toml", "department tax", "missing required key 'name_en'")


def test_entry_without_id_is_named_by_position(catalog_dir: Path) -> None:
    edit(catalog_dir, "materials.toml", 'id = "business_licence"\n', "")
    assert_problem(catalog_dir, "materials.toml", "material #2", "missing required key 'id'")


def test_wrong_types(catalog_dir: Path) -> None:
    edit(catalog_dir, "items/market.toml", "time_limit_days = 15", 'time_limit_days = "15"')
    edit(catalog_dir, "bundles/enterprise.toml", "hot = true", 'hot = "yes"')
    edit(catalog_dir, "items/people.toml", 'applicant_kinds = ["person"]', 'applicant_kinds = "person"')
    assert_problem(
        catalog_dir, "items/market.toml", "item business_licence_registration", "'time_limit_days' must be an integer, not string '15'"
    )
    assert_problem(catalog_dir, "bundles/enterprise.toml", "bundle enterprise_opening", "'hot' must be true or false")
    assert_problem(catalog_dir, "items/people.toml", "item birth_registration", "'applicant_kinds' must be an array")


def test_values_outside_their_enumeration(catalog_dir: Path) -> None:
    edit(catalog_dir, "items/market.toml", "handling_class = 2", "handling_class = 4")
    edit(catalog_dir, "departments.toml", 'kind = "bank"', 'kind = "company"')
    edit(catalog_dir, "regions.toml", 'level = "county"', 'level = "district"')
    assert_problem(catalog_dir, "items/market.toml", "item business_licence_registration", "'handling_class' must be one of 1, 2, 3")
    assert_problem(catalog_dir, "departments.toml", "department bank", "'kind'", "'company'")
    assert_problem(catalog_dir, "regions.toml", "region 520102", "'level'", "'district'")


def test_unknown_keys_are_typos_with_a_suggestion(catalog_dir: Path) -> None:
    edit(catalog_dir, "items/market.toml", "promised_days = 1\n", "promissed_days = 1\n")
    edit(catalog_dir, "bundles/enterprise.toml", "hot = true", "hot = true\nregion = [\"522300\"]")
    assert_problem(
        catalog_dir,
        "items/market.toml",
        "item business_licence_registration",
        "unknown key 'promissed_days' (did you mean 'promised_days'?)",
    )
    assert_problem(catalog_dir, "items/market.toml", "item business_licence_registration", "missing required key 'promised_days'")
    assert_problem(catalog_dir, "bundles/enterprise.toml", "bundle enterprise_opening", "unknown key 'region'", "'regions'")


def test_unknown_keys_inside_inline_tables_and_questions(catalog_dir: Path) -> None:
    edit(catalog_dir, "items/market.toml", "original = true", "orignal = true")
    edit(catalog_dir, "bundles/personal.toml", 'text_en = "Are the parents married?"', 'text_en = "Are the parents married?"\ntitle = "x"')
    assert_problem(
        catalog_dir,
        "items/market.toml",
        "item business_licence_registration / material articles_of_association",
        "unknown key 'orignal'",
    )
    assert_problem(catalog_dir, "bundles/personal.toml", "bundle newborn / question parents_married", "unknown key 'title'")


@pytest.mark.parametrize(
    ("rel", "old", "new", "entry", "missing"),
    [
        ("departments.toml", 'short_name_en = "Tax"\n', "", "department tax", "short_name_en"),
        ("materials.toml", 'source = "全国一体化政务服务平台电子证照库"\n', "", "material id_card", "source"),
        ("materials.toml", "note_en = ", "# note_en = ", "material marriage_certificate", "note_en"),
        ("fields.toml", 'group_en = "Applicant"\n', "", "field applicant_name", "group_en"),
        ("fields.toml", 'pattern = "^[0-9]{6}$"', 'pattern = "^[0-9]{6}$"\nhint = "6位数字"', "field postcode", "hint_en"),
        ("fields.toml", 'pattern = "^[0-9]{6}$"', 'pattern = "^[0-9]{6}$"\nhint_en = "6 digits"', "field postcode", "hint"),
        ("bundles/enterprise.toml", "description_en = ", "# description_en = ", "bundle enterprise_opening", "description_en"),
    ],
)
def test_a_text_without_its_twin(catalog_dir: Path, rel: str, old: str, new: str, entry: str, missing: str) -> None:
    edit(catalog_dir, rel, old, new)
    assert_problem(catalog_dir, rel, entry, f"'{missing}' is missing", "English twin")
    assert len(validate_catalog_dir(catalog_dir)) == 1  # the twin is a known key, never 'unknown key'


def test_one_form_section_has_one_english_heading(catalog_dir: Path) -> None:
    edit(catalog_dir, "fields.toml", 'group_en = "Enterprise"\nchoices', 'group_en = "Company"\nchoices')
    assert_problem(
        catalog_dir,
        "fields.toml",
        "field invoice_kind",
        "'group_en' 'Company' differs from 'Enterprise' given for group '企业' by field 'enterprise_name'",
    )


def test_invalid_id(catalog_dir: Path) -> None:
    edit(catalog_dir, "materials.toml", 'id = "marriage_certificate"', 'id = "Marriage-Certificate"')
    assert_problem(catalog_dir, "materials.toml", "material Marriage-Certificate", "not a valid id")


# -- references ------------------------------------------------------------------------------


def test_unknown_department_material_and_field(catalog_dir: Path) -> None:
    edit(catalog_dir, "items/market.toml", 'department = "tax"', 'department = "taxx"')
    edit(catalog_dir, "items/market.toml", 'materials = ["id_card", {', 'materials = ["id_crad", {')
    edit(catalog_dir, "items/people.toml", 'fields = ["applicant_name", "baby_name"]', 'fields = ["applicant_name", "baby_nmae"]')
    assert_problem(catalog_dir, "items/market.toml", "item tax_registration", "unknown department 'taxx' (did you mean 'tax'?)")
    assert_problem(catalog_dir, "items/market.toml", "item business_licence_registration", "unknown material 'id_crad'", "'id_card'")
    assert_problem(catalog_dir, "items/people.toml", "item birth_registration", "unknown field 'baby_nmae'")


def test_unknown_items_in_bundles_and_prerequisites(catalog_dir: Path) -> None:
    edit(catalog_dir, "bundles/enterprise.toml", 'mandatory = ["tax_clearance"]', 'mandatory = ["tax_clearence"]')
    edit(catalog_dir, "items/people.toml", 'prerequisites = ["birth_registration"]', 'prerequisites = ["birth_cert"]')
    edit(catalog_dir, "items/market.toml", 'prerequisites = ["business_licence_registration"]', 'prerequisites = ["enterprise_opening"]')
    assert_problem(catalog_dir, "bundles/enterprise.toml", "bundle enterprise_deregistration", "'mandatory'", "unknown item 'tax_clearence'")
    assert_problem(catalog_dir, "items/people.toml", "item hukou_registration", "unknown item 'birth_cert'")
    assert_problem(catalog_dir, "items/market.toml", "item food_business_licence", "'enterprise_opening' is a bundle")


def test_unknown_regions(catalog_dir: Path) -> None:
    edit(catalog_dir, "bundles/personal.toml", 'regions = ["522325"]', 'regions = ["522399"]')
    edit(catalog_dir, "items/identity.toml", 'regions_under = ["520000"]', 'regions_under = ["510000"]')
    assert_problem(catalog_dir, "bundles/personal.toml", "bundle sole_trader_opening", "'regions'", "unknown region '522399'")
    assert_problem(catalog_dir, "items/identity.toml", "item id_card_renewal", "'regions_under'", "unknown region '510000'")


def test_duplicate_ids_across_files(catalog_dir: Path) -> None:
    append(
        catalog_dir,
        "items/more.toml",
        '[[item]]\nid = "tax_clearance"\nname = "清税"\nname_en = "Clearance"\ndepartment = "tax"\n'
        "handling_class = 1\ntime_limit_days = 1\npromised_days = 1\n",
    )
    assert_problem(catalog_dir, "items/more.toml", "item tax_clearance", "duplicate id 'tax_clearance'", "items/market.toml")


def test_bundle_and_item_ids_share_one_space(catalog_dir: Path) -> None:
    edit(catalog_dir, "bundles/enterprise.toml", 'id = "enterprise_deregistration"', 'id = "tax_clearance"')
    assert_problem(catalog_dir, "bundles/enterprise.toml", "bundle tax_clearance", "duplicate id", "item in items/market.toml", "share one space")


def test_duplicate_region_code(catalog_dir: Path) -> None:
    append(catalog_dir, "regions.toml", '[[region]]\ncode = "522325"\nname = "贞丰"\nname_en = "Zhenfeng"\nlevel = "county"\nparent = "522300"\n')
    assert_problem(catalog_dir, "regions.toml", "region 522325", "duplicate id '522325'")


# -- regions ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("old", "new", "entry", "fragment"),
    [
        ('code = "522301"', 'code = "52230"', "region 52230", "not a six-digit"),
        ('code = "522301"', 'code = "522300a"', "region 522300a", "not a six-digit"),
        ('code = "522301"', 'code = "522400"', "region 522400", "a county code does not end in 00"),
        ('code = "520100"', 'code = "520101"', "region 520101", "a city code ends in 00"),
        ('code = "522301"', 'code = "522401"', "region 522401", "does not share the prefix '5223'"),
    ],
)
def test_malformed_region_codes(catalog_dir: Path, old: str, new: str, entry: str, fragment: str) -> None:
    edit(catalog_dir, "regions.toml", old, new)
    assert_problem(catalog_dir, "regions.toml", entry, fragment)


def test_region_parents_must_exist_and_be_one_level_up(catalog_dir: Path) -> None:
    append(
        catalog_dir,
        "regions.toml",
        '[[region]]\ncode = "522326"\nname = "望谟县"\nname_en = "Wangmo"\nlevel = "county"\nparent = "520000"\n\n'
        '[[region]]\ncode = "522327"\nname = "册亨县"\nname_en = "Ceheng"\nlevel = "county"\nparent = "522700"\n\n'
        '[[region]]\ncode = "522328"\nname = "安龙县"\nname_en = "Anlong"\nlevel = "county"\n\n'
        '[[region]]\ncode = "530000"\nname = "云南省"\nname_en = "Yunnan"\nlevel = "province"\nparent = "520000"\n',
    )
    assert_problem(catalog_dir, "regions.toml", "region 522326", "parent 520000 is a province", "must be a city")
    assert_problem(catalog_dir, "regions.toml", "region 522327", "unknown parent region '522700'")
    assert_problem(catalog_dir, "regions.toml", "region 522328", "needs a 'parent'")
    assert_problem(catalog_dir, "regions.toml", "region 530000", "a province has no 'parent'")


# -- items -----------------------------------------------------------------------------------


def test_prerequisite_cycle_is_named_in_full(catalog_dir: Path) -> None:
    # birth → hukou (existing), and now birth needs medical insurance, which needs hukou.
    edit(
        catalog_dir,
        "items/people.toml",
        'fields = ["applicant_name", "baby_name"]',
        'fields = ["applicant_name", "baby_name"]\nprerequisites = ["medical_insurance_enrolment"]',
    )
    problems = [p for p in validate_catalog_dir(catalog_dir) if "cycle" in p.reason]
    assert [str(p) for p in problems] == [
        "items/people.toml: item birth_registration: prerequisite cycle: "
        "birth_registration → medical_insurance_enrolment → hukou_registration → birth_registration"
    ]


def test_an_item_that_needs_itself(catalog_dir: Path) -> None:
    edit(catalog_dir, "items/market.toml", 'result = "营业执照"', 'result = "营业执照"\nprerequisites = ["business_licence_registration"]')
    assert_problem(
        catalog_dir,
        "items/market.toml",
        "item business_licence_registration",
        "prerequisite cycle: business_licence_registration → business_licence_registration",
    )


def test_two_separate_cycles_are_both_reported(catalog_dir: Path) -> None:
    edit(catalog_dir, "items/market.toml", 'result = "营业执照"', 'result = "营业执照"\nprerequisites = ["tax_clearance"]')
    edit(catalog_dir, "items/market.toml", "promised_days = 3\n", 'promised_days = 3\nprerequisites = ["business_licence_registration"]\n')
    edit(catalog_dir, "items/people.toml", 'prerequisites = ["birth_registration"]', 'prerequisites = ["birth_registration", "social_security_card"]')
    cycles = sorted(str(p) for p in validate_catalog_dir(catalog_dir) if "cycle" in p.reason)
    assert cycles == [
        "items/market.toml: item business_licence_registration: prerequisite cycle: "
        "business_licence_registration → tax_clearance → business_licence_registration",
        "items/people.toml: item hukou_registration: prerequisite cycle: "
        "hukou_registration → social_security_card → hukou_registration",
    ]


def test_a_syntax_error_does_not_echo_as_unknown_references(catalog_dir: Path) -> None:
    edit(catalog_dir, "departments.toml", 'short_name = "税务"', 'short_name = "税务')
    problems = validate_catalog_dir(catalog_dir)
    assert [p.file for p in problems] == ["departments.toml"]


def test_promised_days_above_the_statutory_limit(catalog_dir: Path) -> None:
    edit(catalog_dir, "items/identity.toml", "promised_days = 20", "promised_days = 90")
    assert_problem(catalog_dir, "items/identity.toml", "item id_card_renewal", "'promised_days' 90", "'time_limit_days' 60")


def test_standalone_item_offered_nowhere_and_regions_on_a_bundled_only_item(catalog_dir: Path) -> None:
    edit(catalog_dir, "items/identity.toml", 'regions_under = ["520000"]\n', "")
    edit(catalog_dir, "items/market.toml", 'result = "营业执照"', 'result = "营业执照"\nregions = ["522325"]')
    assert_problem(catalog_dir, "items/identity.toml", "item id_card_renewal", "standalone item offered nowhere")
    assert_problem(catalog_dir, "items/market.toml", "item business_licence_registration", "not 'standalone = true'")


def test_when_naming_a_question_no_containing_bundle_asks(catalog_dir: Path) -> None:
    edit(catalog_dir, "items/market.toml", 'question = "needs_invoice"', 'question = "parents_married"')
    assert_problem(
        catalog_dir,
        "items/market.toml",
        "item tax_registration / field invoice_kind / when",
        "no bundle containing this item (enterprise_opening, sole_trader_opening) asks question 'parents_married'",
    )


def test_when_on_an_item_no_bundle_contains(catalog_dir: Path) -> None:
    edit(catalog_dir, "items/identity.toml", 'materials = ["id_card"]', 'materials = [{ material = "id_card", when = { question = "lost", any_of = ["yes"] } }]')
    assert_problem(catalog_dir, "items/identity.toml", "item id_card_renewal / material id_card / when", "no bundle contains this item")


def test_when_with_a_value_that_is_not_an_option(catalog_dir: Path) -> None:
    edit(catalog_dir, "items/people.toml", 'any_of = ["yes"]', 'any_of = ["si"]')
    assert_problem(
        catalog_dir,
        "items/people.toml",
        "item hukou_registration / material marriage_certificate / when",
        "'si' is not an option of question 'parents_married'",
    )


# -- fields ----------------------------------------------------------------------------------


def test_choice_field_without_choices(catalog_dir: Path) -> None:
    append(catalog_dir, "fields.toml", '[[field]]\nid = "gender"\nlabel = "性别"\nlabel_en = "Gender"\ntype = "choice"\n')
    assert_problem(catalog_dir, "fields.toml", "field gender", "a choice field needs 'choices'")


def test_prefill_path_not_in_the_allowed_list(catalog_dir: Path) -> None:
    edit(catalog_dir, "fields.toml", 'prefill = "applicant.person.name"', 'prefill = "applicant.name"')
    assert_problem(catalog_dir, "fields.toml", "field applicant_name", "'prefill' must be one of", "not 'applicant.name'")


def test_invalid_regex_pattern(catalog_dir: Path) -> None:
    edit(catalog_dir, "fields.toml", 'pattern = "^[0-9]{6}$"', 'pattern = "^[0-9{6}$"')
    assert_problem(catalog_dir, "fields.toml", "field postcode", "'pattern' is not a valid regular expression")


def test_field_limits_that_contradict_each_other_or_the_type(catalog_dir: Path) -> None:
    edit(catalog_dir, "fields.toml", "max_length = 60", "max_length = 1")
    edit(catalog_dir, "fields.toml", "minimum = 0", "minimum = 0\nmax_length = 3")
    assert_problem(catalog_dir, "fields.toml", "field enterprise_name", "'min_length' 2 is above 'max_length' 1")
    assert_problem(catalog_dir, "fields.toml", "field registered_capital", "'max_length' applies to text fields only")


def test_duplicate_choice_values(catalog_dir: Path) -> None:
    edit(catalog_dir, "fields.toml", 'value = "special"', 'value = "ordinary"')
    assert_problem(catalog_dir, "fields.toml", "field invoice_kind / choice ordinary", "duplicate choice value 'ordinary'")


# -- bundles ---------------------------------------------------------------------------------


def test_default_not_among_the_options(catalog_dir: Path) -> None:
    edit(catalog_dir, "bundles/personal.toml", 'default = "no"', 'default = "maybe"')
    assert_problem(catalog_dir, "bundles/personal.toml", "bundle newborn / question wants_card", "'default' 'maybe' is not among the options ('yes', 'no')")


def test_enables_naming_an_item_that_is_not_optional(catalog_dir: Path) -> None:
    edit(catalog_dir, "bundles/enterprise.toml", 'enables = ["bank_account_opening"]', 'enables = ["seal_engraving", "tax_clearance"]')
    assert_problem(
        catalog_dir, "bundles/enterprise.toml", "bundle enterprise_opening / question open_account / option yes", "'seal_engraving'", "it is mandatory"
    )
    assert_problem(
        catalog_dir, "bundles/enterprise.toml", "bundle enterprise_opening / question open_account / option yes", "'tax_clearance'", "not among"
    )


def test_item_both_mandatory_and_optional(catalog_dir: Path) -> None:
    edit(catalog_dir, "bundles/enterprise.toml", 'optional = ["bank_account_opening"]', 'optional = ["bank_account_opening", "seal_engraving"]')
    assert_problem(catalog_dir, "bundles/enterprise.toml", "bundle enterprise_opening", "item 'seal_engraving' is both mandatory and optional")


def test_lead_department_owning_none_of_the_items(catalog_dir: Path) -> None:
    edit(catalog_dir, "bundles/enterprise.toml", 'lead_department = "tax"', 'lead_department = "bank"')
    assert_problem(catalog_dir, "bundles/enterprise.toml", "bundle enterprise_deregistration", "lead department 'bank' owns none", "tax")


def test_unknown_lead_department(catalog_dir: Path) -> None:
    edit(catalog_dir, "bundles/enterprise.toml", 'lead_department = "tax"', 'lead_department = "treasury"')
    assert_problem(catalog_dir, "bundles/enterprise.toml", "bundle enterprise_deregistration", "unknown department 'treasury'")


def test_bundle_offered_nowhere(catalog_dir: Path) -> None:
    edit(catalog_dir, "bundles/personal.toml", 'regions = ["522325"]\n', "")
    assert_problem(catalog_dir, "bundles/personal.toml", "bundle sole_trader_opening", "offered nowhere")


def test_bundle_applicant_the_items_do_not_accept(catalog_dir: Path) -> None:
    edit(catalog_dir, "bundles/enterprise.toml", 'applicant_kind = "enterprise"\nlead_department = "tax"', 'applicant_kind = "person"\nlead_department = "tax"')
    assert_problem(catalog_dir, "bundles/enterprise.toml", "bundle enterprise_deregistration", "'tax_clearance' does not accept person applicants")


def test_question_with_a_single_option_and_missing_options(catalog_dir: Path) -> None:
    append(
        catalog_dir,
        "bundles/personal.toml",
        '[[bundle.question]]\nid = "only"\ntext = "？"\ntext_en = "?"\n\n[[bundle.question.option]]\nvalue = "x"\nlabel = "x"\nlabel_en = "x"\n\n'
        '[[bundle.question]]\nid = "none"\ntext = "？"\ntext_en = "?"\n',
    )
    assert_problem(catalog_dir, "bundles/personal.toml", "bundle sole_trader_opening / question only", "at least two options")
    assert_problem(catalog_dir, "bundles/personal.toml", "bundle sole_trader_opening / question none", "missing required key 'option'")


# -- all at once -----------------------------------------------------------------------------


def test_load_raises_with_every_problem_not_only_the_first(catalog_dir: Path) -> None:
    edit(catalog_dir, "items/market.toml", 'department = "tax"', 'department = "taxx"')
    edit(catalog_dir, "bundles/personal.toml", 'regions = ["522325"]\n', "")
    edit(catalog_dir, "fields.toml", 'pattern = "^[0-9]{6}$"', 'pattern = "("')
    with pytest.raises(CatalogError) as raised:
        load_catalog(catalog_dir)
    problems = raised.value.problems
    assert {p.file for p in problems} == {"items/market.toml", "bundles/personal.toml", "fields.toml"}
    assert raised.value.words.en == "The catalog has 3 problems and cannot be used:"
    assert raised.value.words.zh == "目录有误（3 个问题），无法使用："
    assert raised.value.details == [str(problem) for problem in problems]


def test_a_syntax_error_in_one_file_does_not_hide_problems_in_others(catalog_dir: Path) -> None:
    edit(catalog_dir, "materials.toml", "shareable = true", "shareable = tru")
    edit(catalog_dir, "bundles/personal.toml", 'regions = ["522325"]\n', "")
    files = {p.file for p in validate_catalog_dir(catalog_dir)}
    assert {"materials.toml", "bundles/personal.toml"} <= files


def test_problem_reads_file_entry_reason() -> None:
    problem = CatalogProblem("bundles/newborn.toml", "bundle newborn / question has_car", "'default' 'maybe' is not among the options")
    assert str(problem) == "bundles/newborn.toml: bundle newborn / question has_car: 'default' 'maybe' is not among the options"


def test_shipped_catalog_validates() -> None:
    """The Guizhou catalog is package data: it must load cleanly (its load time is in bench/)."""
    problems = validate_catalog_dir(shipped_catalog_path())
    assert [str(p) for p in problems] == []


# -- at scale: what is read once and held once (issue 10) -------------------------------------


def test_equal_texts_and_lists_of_different_entries_are_one_object() -> None:
    """A large catalog repeats department ids, material lists and region lists thousands of
    times: each is held once, not once per entry (memory, and the snapshot's size)."""
    catalog = load_catalog(SMALL)
    food, seal, tax = (catalog.items[i] for i in ("food_business_licence", "seal_engraving", "tax_registration"))
    assert seal.materials == tax.materials == food.materials
    assert seal.materials is tax.materials is food.materials  # the same list of bare ids, read once
    assert seal.prerequisites is tax.prerequisites
    assert catalog.items["business_licence_registration"].department is food.department
    assert food.department is catalog.departments["market_regulation"].id


def test_the_same_catalog_without_rtoml(catalog_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """rtoml only parses faster: without it (``None`` in sys.modules makes its import fail, as
    on a machine where it is not installed) tomllib reads the same catalog and the same problems."""
    with_rtoml = load_catalog(SMALL)
    edit(catalog_dir, "departments.toml", 'short_name = "税务"', 'short_name = "税务')
    problems_with = validate_catalog_dir(catalog_dir)
    monkeypatch.setitem(__import__("sys").modules, "rtoml", None)
    assert load_catalog(SMALL) == with_rtoml
    assert validate_catalog_dir(catalog_dir) == problems_with
