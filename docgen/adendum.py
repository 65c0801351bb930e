"""An adendum: what changed between a signed text and its amendment, in the formulas of UU 12/2011
Lampiran II (Bab II huruf D), as the tree of an instrument of its own; and the footnotes of the
consolidated text. Pure: trees in, trees out; every word comes from the words file (amendment:).
"""
from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass

from .errors import DocgenError
from .instruments import Adendum
from .model import Agreement, Amendment, Article, Blank, Content, Item, Paragraph, Text, lines, merged
from .redline import article_key, content_key

KIND = "adendum"                       # Agreement.kind of an adendum
CHANGED, INSERTED, DELETED = "changed", "inserted", "deleted"


@dataclass(frozen=True)
class Step:
    """One numbered change of Pasal I: its formula, the articles it quotes, the clause ids it touches."""
    how: str                            # changed, inserted or deleted
    formula: str
    articles: tuple[Article, ...]       # as they read after the change (none for a deletion)
    clause_ids: tuple[str, ...]


def steps(previous: Agreement, amended: Agreement, words) -> list[Step]:
    """The changes from `previous` to `amended` (both with the signed numbers), in the order of the articles."""
    before = {a.clause_id: a for a in previous.articles}
    new = lambda article: before.get(article.clause_id) is None or before[article.clause_id].deleted
    found: list[Step] = []
    articles = amended.articles
    index = 0
    while index < len(articles):
        article = articles[index]
        old = before.get(article.clause_id)
        if article.deleted:
            if old is not None and not old.deleted:
                found.append(Step(DELETED, _word(words, "article_deleted", article=_pasal(words, article.number)),
                                  (), (article.clause_id,)))
            index += 1
        elif new(article):
            end = index
            while end < len(articles) and new(articles[end]) and not articles[end].deleted:
                end += 1
            found.append(_inserted(articles, index, end, words))
            index = end
        else:
            if _shape(old) != _shape(article):
                found.append(Step(CHANGED, _changed(old, article, words), (article,), (article.clause_id,)))
            index += 1
    return found


def _shape(article: Article) -> tuple:
    return article_key(article), tuple((str(p.number), p.deleted) for p in article.paragraphs)


def _pasal(words, number) -> str:
    return words.word("amendment", "article").format(number)


def _ayat(words, number) -> str:
    return words.word("amendment", "ayat").format(number)


def _word(words, key: str, **values) -> str:
    return words.word("amendment", key).format(**values)


def _inserted(articles: tuple[Article, ...], start: int, end: int, words) -> Step:
    """Articles inserted after one of the signed text: 'Di antara Pasal 5 dan Pasal 6 disisipkan …'."""
    run = articles[start:end]
    names = [_pasal(words, a.number) for a in run]
    values = {"before": _pasal(words, articles[start - 1].number), "count": words.bilangan(len(run)),
              "new": words.daftar(names)}
    if end < len(articles):
        formula = _word(words, "articles_inserted", after=_pasal(words, articles[end].number), **values)
    else:
        formula = _word(words, "articles_added", **values)
    return Step(INSERTED, formula, tuple(run), tuple(a.clause_id for a in run))


def _changed(old: Article, new: Article, words) -> str:
    """The formula of a changed article: which of its ayat were changed, deleted or inserted."""
    article = _pasal(words, new.number)
    whole = _word(words, "article_changed", article=article)
    if old.title != new.title or not all(p.number for p in old.paragraphs + new.paragraphs):
        return whole
    before = {str(p.number): p for p in old.paragraphs}
    changed = [p for p in new.paragraphs if str(p.number) in before and not p.deleted
               and _line_key(before[str(p.number)]) != _line_key(p)]
    deleted = [p for p in new.paragraphs if p.deleted and not before.get(str(p.number), p).deleted]
    groups = _inserted_ayat(new.paragraphs, before)
    parts = []
    if changed:
        parts.append(_word(words, "ayat_changed", ayat=words.daftar([_ayat(words, p.number) for p in changed])))
    if deleted:
        parts.append(_word(words, "ayat_deleted", ayat=words.daftar([_ayat(words, p.number) for p in deleted])))
    for after_number, run, next_number in groups:
        values = {"before": _ayat(words, after_number), "count": words.bilangan(len(run)),
                  "new": words.daftar([_ayat(words, p.number) for p in run])}
        if not changed and not deleted and len(groups) == 1:
            key = "ayat_inserted_only" if next_number else "ayat_added_only"
            return _word(words, key, article=article, after=_ayat(words, next_number), **values)
        key = "ayat_inserted" if next_number else "ayat_added"
        parts.append(_word(words, key, after=_ayat(words, next_number), **values))
    if not parts:
        return whole
    return _word(words, "parts_changed", article=article, parts=words.daftar(parts))


def _line_key(paragraph: Paragraph) -> tuple:
    return tuple(content_key(line.content) + ((line.deleted,) if isinstance(line, Item) else ())
                 for _, line in lines((paragraph,)))


def _inserted_ayat(paragraphs: tuple[Paragraph, ...], before: dict) -> list[tuple]:
    """Runs of inserted ayat: (the number they follow, the run, the number after them or None)."""
    groups, index = [], 0
    while index < len(paragraphs):
        if str(paragraphs[index].number) in before:
            index += 1
            continue
        end = index
        while end < len(paragraphs) and str(paragraphs[end].number) not in before:
            end += 1
        following = paragraphs[end].number if end < len(paragraphs) else None
        groups.append((paragraphs[index - 1].number, paragraphs[index:end], following))
        index = end
    return groups


# ---- the adendum as an instrument ----------------------------------------------------------------

def ordinal(words, number: int) -> str:
    """1 → 'PERTAMA' (ADENDUM PERTAMA), from the words file."""
    names = words.word("amendment", "ordinals")
    if number > len(names):
        raise DocgenError(f"no ordinal word for adendum {number}; add it to amendment.ordinals", words.path)
    return names[number - 1]


def body(found: list[Step], opening: tuple[Paragraph, ...], closing: tuple[Paragraph, ...],
         source: str) -> tuple[Article, ...]:
    """Pasal I (its opening words, then each change numbered with its articles) and Pasal II."""
    if not found:
        raise DocgenError("the text is the same as the signed one: there is nothing to amend; change a clause "
                          "or give another --to revision")
    points = tuple(Amendment(Item("number", index, ".", (Text(step.formula),)), step.articles)
                   for index, step in enumerate(found))
    return (Article("adendum-pasal-i", source, "I", "", opening, amendments=points),
            Article("adendum-pasal-ii", source, "II", "", closing))


def notes(found: list[Step], adendum: Adendum, numbers: tuple, words) -> dict[str, Content]:
    """The footnote of each article one adendum changed: 'Diubah dengan Adendum Pertama Nomor … tanggal …'."""
    before, _, rest = words.word("amendment", "note").partition("{numbers}")
    name = words.word("amendment", "name").format(ordinal(words, adendum.ordinal).capitalize())
    date = (Text(words.tanggal(adendum.date)),) if isinstance(adendum.date, dt.date) else (
        Blank(f"instruments {adendum.id} tanggal", f"{adendum.path}:{adendum.line()}"),)
    listed = _listed(numbers, words)
    found_notes = {}
    for step in found:
        how = words.word("amendment", "notes", step.how)
        head, _, tail = rest.partition("{date}")
        note = merged((Text(before.format(how=how, adendum=name)), *listed, Text(head), *date, Text(tail)))
        for clause_id in step.clause_ids:
            found_notes[clause_id] = note
    return found_notes


def _listed(numbers: tuple, words) -> tuple:
    """The parties' numbers of an adendum as one phrase ('1/2026, 2/2026, dan 3/2026'); a blank for each unknown."""
    parts: list = []
    for index, number in enumerate(numbers):
        if index:
            parts.append(Text(", " if index < len(numbers) - 1 else f" {words.word('lists', 'conjunction')} "))
        parts.append(number)
    return tuple(parts)


def noted(agreement: Agreement, found: dict[str, list]) -> Agreement:
    """The consolidated text: each article with the footnotes of the adenda that changed it."""
    return dataclasses.replace(agreement, articles=tuple(
        dataclasses.replace(a, notes=a.notes + tuple(found.get(a.clause_id, ()))) for a in agreement.articles))
