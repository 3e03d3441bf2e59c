"""The Anki package, checked by importing it with the official Anki library."""

import json
import sqlite3
import zipfile
from pathlib import Path

import pytest

from course.cards import notetypes
from course.cards.notes import ROOT_DECK

anki_collection = pytest.importorskip("anki.collection")
from anki import import_export_pb2 as ie  # noqa: E402

# Frozen: a note type's fields must never change under the same id (Anki would refuse old notes).
FROZEN_FIELDS = {
    1_607_392_319: ("Id", "Front", "Back", "Lab"),
    1_607_392_320: ("Id", "Front", "Back", "Lab"),
    1_607_392_321: ("Id", "Text", "Extra", "Lab"),
}


def test_note_type_fields_are_frozen():
    assert notetypes.FIELDS == FROZEN_FIELDS
    for card_type in ("basic", "reversed", "cloze"):
        model = notetypes.model_for(card_type)
        assert tuple(f["name"] for f in model.fields) == FROZEN_FIELDS[model.model_id]


def _export(course: Path, out: Path, run_cli, *extra) -> Path:
    result = run_cli("--course-dir", course, "export", "anki", "-o", out, *extra)
    assert result.exit_code == 0, result.output
    return out


def _import(col_path: Path, apkg: Path):
    col = anki_collection.Collection(str(col_path))
    options = ie.ImportAnkiPackageOptions(
        update_notes=ie.IMPORT_ANKI_PACKAGE_UPDATE_CONDITION_IF_NEWER,
        update_notetypes=ie.IMPORT_ANKI_PACKAGE_UPDATE_CONDITION_IF_NEWER,
        with_scheduling=False,
    )
    col.import_anki_package(ie.ImportAnkiPackageRequest(package_path=str(apkg), options=options))
    return col


def test_anki_imports_the_deck(demo_course, tmp_path, run_cli):
    apkg = _export(demo_course, tmp_path / "demo.apkg", run_cli)
    col = _import(tmp_path / "col.anki2", apkg)
    try:
        assert col.note_count() == 3
        assert col.card_count() == 4  # basic 1, cloze 1, reversed 2
        decks = {d.name for d in col.decks.all_names_and_ids()}
        assert f"{ROOT_DECK}::Demo deck" in decks
        by_id = {col.get_note(nid)["Id"]: col.get_note(nid) for nid in col.find_notes("")}
        assert set(by_id) == {"demo-add", "demo-cloze", "demo-code"}
        add = by_id["demo-add"]
        assert "\\(2 + 3\\)" in add["Front"] and "$" not in add["Front"]
        assert "<strong>5</strong>" in add["Back"] and add["Lab"] == "demo"
        assert sorted(add.tags) == ["demo", "math::arithmetic", "mmd::demo::task-1", "mmd::demo::task-2"]
        code = by_id["demo-code"]
        assert 'class="highlight"' in code["Back"] and "&lt; &amp; &gt;" in code["Back"]
        cloze = by_id["demo-cloze"]
        assert cloze["Text"].count("{{c1::5}}") == 1 and cloze["Lab"] == ""
        media = [n for n in Path(col.media.dir()).iterdir()]
        assert len(media) == 1 and media[0].name.startswith("mmd-") and media[0].name.endswith("-demo-plot.png")
        assert media[0].name in cloze["Extra"]
        # New cards come in course order.
        new_cards = sorted(col.find_cards("is:new"), key=lambda c: (col.get_card(c).due, c))
        order = [col.get_card(cid).note()["Id"] for cid in new_cards]
        assert order[0] == "demo-add" and order[-1] == "demo-code"
        css = col.models.get(add.mid)["css"]
        assert ".nightMode .highlight" in css and "http" not in css
    finally:
        col.close()


def test_unchanged_sources_export_byte_identical(demo_course, tmp_path, run_cli):
    assert run_cli("--course-dir", demo_course, "cards", "lock").exit_code == 0
    a = _export(demo_course, tmp_path / "a.apkg", run_cli).read_bytes()
    b = _export(demo_course, tmp_path / "b.apkg", run_cli).read_bytes()
    assert a == b
    with zipfile.ZipFile(tmp_path / "a.apkg") as zf:
        assert sorted(zf.namelist()) == ["0", "collection.anki2", "media"]
        assert all(info.date_time == (1980, 1, 1, 0, 0, 0) for info in zf.infolist())


def _notes_by_id(col) -> dict:
    """Card id -> (note id, modification time, fields) of every note in the collection."""
    return {col.get_note(n)["Id"]: (n, col.get_note(n).mod, col.get_note(n).fields) for n in col.find_notes("")}


def _scheduling(col) -> dict:
    """Anki card id -> (due, interval, type) of every card in the collection."""
    return {cid: (col.get_card(cid).due, col.get_card(cid).ivl, col.get_card(cid).type) for cid in col.find_cards("")}


def test_update_keeps_reviews_and_changes_only_the_edited_note(demo_course, tmp_path, run_cli):
    assert run_cli("--course-dir", demo_course, "cards", "lock").exit_code == 0
    first = _export(demo_course, tmp_path / "v1.apkg", run_cli)
    col = _import(tmp_path / "col.anki2", first)
    try:
        # Review every card once, so each has history and a due date.
        col.decks.select(col.decks.id_for_name(ROOT_DECK))
        reviewed = 0
        while (card := col.sched.getCard()) is not None and reviewed < 10:
            col.sched.answerCard(card, 4)  # easy: straight to review
            reviewed += 1
        assert reviewed == 4
        before = _scheduling(col)
        revlog = col.db.scalar("select count() from revlog")
        notes_before = _notes_by_id(col)
    finally:
        col.close()

    card_file = demo_course / "cards" / "demo.md"
    card_file.write_text(card_file.read_text().replace("**5**, because", "**Five**, because"))
    second = _export(demo_course, tmp_path / "v2.apkg", run_cli)
    col = _import(tmp_path / "col.anki2", second)
    try:
        assert col.note_count() == 3 and col.card_count() == 4  # no duplicates
        notes_after = _notes_by_id(col)
        assert notes_after["demo-add"][0] == notes_before["demo-add"][0]  # updated in place
        assert "<strong>Five</strong>" in notes_after["demo-add"][2][2]
        for other in ("demo-cloze", "demo-code"):
            assert notes_after[other] == notes_before[other]  # untouched
        after = _scheduling(col)
        assert after == before  # scheduling kept for every card
        assert col.db.scalar("select count() from revlog") == revlog
    finally:
        col.close()


def test_filters_by_tag_and_lab(demo_course, tmp_path, run_cli):
    apkg = _export(demo_course, tmp_path / "t.apkg", run_cli, "--tag", "math")
    with zipfile.ZipFile(apkg) as zf:
        (tmp_path / "db").write_bytes(zf.read("collection.anki2"))
    db = sqlite3.connect(tmp_path / "db")
    assert db.execute("select count() from notes").fetchone()[0] == 1
    db.close()
    result = run_cli("--course-dir", demo_course, "export", "anki", "-o", tmp_path / "x.apkg", "--lab", "nope")
    assert result.exit_code == 2 and "--lab: unknown lab 'nope'" in result.output


def test_error_leaves_no_partial_file(demo_course, tmp_path, run_cli):
    out = tmp_path / "deck.apkg"
    out.write_bytes(b"previous")
    (demo_course / "cards" / "images" / "demo-plot.png").unlink()
    result = run_cli("--course-dir", demo_course, "export", "anki", "-o", out)
    assert result.exit_code == 2
    assert "missing image file cards/images/demo-plot.png" in result.output
    assert "Traceback" not in result.output
    assert out.read_bytes() == b"previous"
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".deck")] == []


def test_media_names_follow_content(demo_course, tmp_path):
    from course.cards.notes import media_name

    image = demo_course / "cards" / "images" / "demo-plot.png"
    before = media_name(image)
    image.write_bytes(image.read_bytes() + b"\0")
    assert media_name(image) != before and not before.startswith("_")


def test_lock_check_detects_stale_lock(demo_course, run_cli):
    assert run_cli("--course-dir", demo_course, "cards", "lock", "--check").exit_code == 1
    assert run_cli("--course-dir", demo_course, "cards", "lock").exit_code == 0
    assert run_cli("--course-dir", demo_course, "cards", "lock", "--check").exit_code == 0
    lock = json.loads((demo_course / "cards" / "cards.lock").read_text())
    assert set(lock) == {"demo-add", "demo-cloze", "demo-code", "~notetypes"}
    assert lock["demo-code"]["type"] == notetypes.REVERSED_ID


def test_css_change_reaches_existing_learners(demo_course, tmp_path, run_cli, monkeypatch):
    from course.cards import notetypes, render

    assert run_cli("--course-dir", demo_course, "cards", "lock").exit_code == 0
    col = _import(tmp_path / "col.anki2", _export(demo_course, tmp_path / "v1.apkg", run_cli))
    col.close()
    new_css = render.card_css() + "\n.card { letter-spacing: 0.01em; }\n"
    monkeypatch.setattr(render, "card_css", lambda: new_css)
    notetypes.model_for.cache_clear()
    try:
        col = _import(tmp_path / "col.anki2", _export(demo_course, tmp_path / "v2.apkg", run_cli))
        try:
            css = {m["name"]: m["css"] for m in col.models.all()}
            assert "letter-spacing: 0.01em" in css["MMD Basic"] and "letter-spacing: 0.01em" in css["MMD Cloze"]
            assert col.note_count() == 3
        finally:
            col.close()
    finally:
        monkeypatch.undo()
        notetypes.model_for.cache_clear()


def test_changing_a_cards_type_is_refused(demo_course, tmp_path, run_cli):
    assert run_cli("--course-dir", demo_course, "cards", "lock").exit_code == 0
    card = demo_course / "cards" / "demo.md"
    card.write_text(card.read_text().replace("## demo-code\ntype: reversed", "## demo-code\ntype: basic"))
    result = run_cli("--course-dir", demo_course, "export", "anki", "-o", tmp_path / "x.apkg")
    assert result.exit_code == 2 and "card 'demo-code' changed its type" in result.output
    assert not (tmp_path / "x.apkg").exists()


def _filtered_deck_ids(col, name: str, search: str) -> set[str]:
    """Build an Anki filtered deck on ``search`` and return the card ids (the Id field) it pulls in."""
    deck = col.sched.get_or_create_filtered_deck(deck_id=0)
    deck.name = name
    deck.config.search_terms[0].search = search
    deck.config.search_terms[0].limit = 1000
    del deck.config.search_terms[1:]  # Anki offers a second search; an empty one would match every card
    deck_id = col.sched.add_or_update_filtered_deck(deck).id
    found = {col.get_card(cid).note()["Id"] for cid in col.find_cards(f"did:{deck_id}")}
    col.sched.empty_filtered_deck(deck_id)  # a card is in one filtered deck at a time: free it for the next
    return found


def test_task_tags_select_exactly_a_tasks_cards_in_anki(tmp_path, run_cli):
    """Each note carries a tag per lab task that names it; Anki's filtered deck on the tag printed
    by `course lab check` holds exactly the cards lab.toml names for that task."""
    from course.cards.pairing import task_search
    from course.content import content_root
    from course.labs.manifest import load_manifest

    lab = load_manifest(content_root()).get("f1")
    apkg = _export(content_root(), tmp_path / "f1.apkg", run_cli, "--lab", "f1")
    col = _import(tmp_path / "col.anki2", apkg)
    try:
        for task in lab.tasks:
            found = _filtered_deck_ids(col, f"f1 task {task.number}", task_search("f1", task.number))
            assert found == set(task.cards), task.number
            assert {col.get_note(n)["Id"] for n in col.find_notes(task_search("f1", task.number))} == set(task.cards)
        tags = {t for n in col.find_notes("") for t in col.get_note(n).tags}
        assert "mmd::f1::task-3" in tags and "metrics::f1" in tags  # the same '::' tree as the hashtags
    finally:
        col.close()


def test_changed_task_tags_update_notes_in_place(demo_course, tmp_path, run_cli):
    assert run_cli("--course-dir", demo_course, "cards", "lock").exit_code == 0
    col = _import(tmp_path / "col.anki2", _export(demo_course, tmp_path / "v1.apkg", run_cli))
    try:
        before = {col.get_note(n)["Id"]: (n, sorted(col.get_note(n).tags)) for n in col.find_notes("")}
    finally:
        col.close()
    assert before["demo-add"][1] == ["demo", "math::arithmetic", "mmd::demo::task-1", "mmd::demo::task-2"]
    toml = demo_course / "labs" / "demo" / "lab.toml"
    toml.write_text(toml.read_text() + '[[task]]\nnumber = 3\ntitle = "Three"\npoints = 1\ncards = ["demo-add"]\n')
    assert run_cli("--course-dir", demo_course, "cards", "lock", "--check").exit_code == 1  # the lock covers tags
    col = _import(tmp_path / "col.anki2", _export(demo_course, tmp_path / "v2.apkg", run_cli))
    try:
        after = {col.get_note(n)["Id"]: (n, sorted(col.get_note(n).tags)) for n in col.find_notes("")}
        assert col.note_count() == 3
        assert after["demo-add"] == (before["demo-add"][0], before["demo-add"][1] + ["mmd::demo::task-3"])
        edited = "demo-add"
        assert {k: v for k, v in after.items() if k != edited} == {k: v for k, v in before.items() if k != edited}
        assert col.find_notes("tag:mmd::demo::task-3") == [before["demo-add"][0]]
    finally:
        col.close()
