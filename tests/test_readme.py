"""clauses/README.md's table of variables agrees with what docgen gives a clause, both ways."""
import re

from docgen.sandbox import Marks

from conftest import PROJECT


def documented() -> set[str]:
    text = (PROJECT / "clauses/README.md").read_text(encoding="utf-8")
    table = text[text.index("## Variables a clause may use"):text.index("## Filters and functions")]
    rows = [line for line in table.split("\n") if line.startswith("| `")]
    return {name for row in rows for name in re.findall(r"`([a-z_]+(?:\.[a-z_]+)*)`", row)
            if name not in ("mou", "pks") and not name.endswith(".yaml")}


def given(value, prefix=""):
    """Every variable path of a context: keys of mappings, and of the mappings inside lists."""
    if prefix:
        yield prefix
    if isinstance(value, dict):
        for key, item in value.items():
            yield from given(item, f"{prefix}.{key}" if prefix else key)
    elif isinstance(value, list):
        for item in value:
            if isinstance(item, dict):
                yield from given(item, prefix)


def test_every_variable_is_documented_and_every_documented_one_exists(shipped):
    catalogue = shipped.catalogue
    actual = set()
    for request in (catalogue.requests("mou")[0], catalogue.requests("pks")[0]):
        actual |= set(given(shipped.contexts.build(request, Marks())))
    names = documented()
    assert names - actual == set()
    # programme.yaml is documented as a whole, with examples of its keys
    assert {p for p in actual if not p.startswith("program.")} - names == set()
    readme = (PROJECT / "clauses/README.md").read_text(encoding="utf-8")
    for function in shipped.contexts.names() - {p.split(".")[0] for p in actual}:
        assert f"{{{{ {function}(" in readme, function
