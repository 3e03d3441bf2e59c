"""Planted bugs as checked edits of the reference: ``variants.apply_edits`` and what selfcheck makes of it."""

import pytest

from course.authoring import mutate
from course.authoring.selfcheck import selfcheck
from course.errors import CourseError
from course.labs import markers, variants

BUG_FILE = "labs/demo/bugs/subtracts.py"


def test_apply_edits_replaces_each_old_text_once():
    assert variants.apply_edits("a = 1\nb = 2\n", [("b = 2", "b = 3")], "x.py") == "a = 1\nb = 3\n"


def test_apply_edits_applies_in_order_each_to_the_text_the_last_left():
    # The second edit's old text exists only once the first edit has been applied.
    edits = [("x = 1", "x = 2"), ("x = 2", "x = 3")]
    assert variants.apply_edits("x = 1\n", edits, "x.py") == "x = 3\n"


def test_apply_edits_old_text_absent_is_an_error_naming_bug_and_edit():
    with pytest.raises(CourseError, match=r"^labs/f1/bugs/x\.py:3: edit 2: old text occurs 0 times in the reference$"):
        variants.apply_edits("a = 1\n", [("a = 1", "a = 2"), ("b = 1", "b = 2")], "labs/f1/bugs/x.py:3")


def test_apply_edits_old_text_twice_is_an_error_naming_bug_and_edit():
    with pytest.raises(CourseError, match=r"^bug\.py: edit 1: old text occurs 2 times in the reference$"):
        variants.apply_edits("y = 1\ny = 1\n", [("y = 1", "y = 2")], "bug.py")


def test_apply_edits_counts_overlapping_occurrences():
    # str.count would say 1 here and the edit would land in the first of two possible places.
    with pytest.raises(CourseError, match="occurs 2 times"):
        variants.apply_edits("aaa", [("aa", "b")], "bug.py")


def test_bug_reads_docstring_caught_by_and_edits(demo_lab):
    (bug,) = variants.bugs(demo_lab)
    assert bug.name == "subtracts" and bug.caught_by == ("test_add_small", "test_add_many")
    assert bug.doc and bug.origin.startswith(BUG_FILE + ":")
    source = variants.bug_source(demo_lab, bug)
    assert "return a - b" in source and "return a + b" not in source
    assert source == variants.apply_edits(variants.reference_source(demo_lab), bug.edits, bug.origin)


def test_bug_without_replace_is_an_error_naming_the_file(demo_lab):
    (demo_lab.bugs_dir / "subtracts.py").write_text('"""Wrong."""\nCAUGHT_BY = ["test_add_small"]\n')
    with pytest.raises(CourseError, match=f"^{BUG_FILE}:1: planted bug without REPLACE"):
        variants.bugs(demo_lab)


def test_bug_with_malformed_replace_is_an_error_naming_file_and_line(demo_lab):
    (demo_lab.bugs_dir / "subtracts.py").write_text('"""Wrong."""\nCAUGHT_BY = ["test_add_small"]\nREPLACE = ["a"]\n')
    with pytest.raises(CourseError, match=f"^{BUG_FILE}:3: REPLACE must be"):
        variants.bugs(demo_lab)


def test_bug_with_a_computed_caught_by_is_an_error_naming_file_and_line(demo_lab):
    (demo_lab.bugs_dir / "subtracts.py").write_text('"""Wrong."""\n\nCAUGHT_BY = names()\nREPLACE = [("a", "b")]\n')
    with pytest.raises(CourseError, match=f"^{BUG_FILE}:3: CAUGHT_BY must be a list of test names"):
        variants.bugs(demo_lab)


def test_selfcheck_reports_a_bug_whose_edit_the_reference_no_longer_fits(demo_lab):
    # A fix to the reference that rewrites the line the bug edits: the bug must not silently
    # turn into the reference (or into some other variant), selfcheck names it.
    solution = demo_lab.solution_file
    solution.write_text(solution.read_text().replace("return a + b", "return b + a"))
    report = selfcheck(demo_lab, "none")
    assert "subtracts" not in report.bugs
    assert any(p.startswith(BUG_FILE + ":") and "edit 1: old text occurs 0 times in the reference" in p
               for p in report.problems), report.problems
    assert report.reference.full_marks  # the lab itself is fine: only the bug is reported


def test_mutants_are_edits_applied_through_apply_edits():
    source = "def f(x):\n    ### BEGIN SOLUTION\n    y = x + 1\n    return y + 1\n    ### END SOLUTION\n"
    found = mutate.mutants(source)
    assert found
    for m in found:
        old, new = m.edit
        assert variants.occurrences(source, old) == 1  # "1" alone occurs twice: widened to its line
        assert m.source == variants.apply_edits(source, [m.edit], m.id)
    one = next(m for m in found if m.id.endswith("+2:12: 1 -> 0"))
    assert one.edit == ("    y = x + 1\n", "    y = x + 0\n")


def test_bug_edit_widens_a_repeated_line_until_unique_and_round_trips():
    reference = "x = 1\ny = 2\nx = 1\nz = 3\n"
    variant = "x = 1\ny = 2\nx = 5\nz = 3\n"
    old, new = mutate.bug_edit(reference, variant)
    assert variants.occurrences(reference, old) == 1 and "x = 1" in old and "x = 5" in new
    assert reference.startswith(old) or ("\n" + old) in reference  # whole lines, not a fragment
    assert variants.apply_edits(reference, [(old, new)], "bug.py") == variant


def test_save_bug_writes_a_mutant_as_a_bug_file_that_selfcheck_grades(demo_lab):
    mutant = next(m for m in mutate.mutants(demo_lab.solution_file.read_text()) if m.id.startswith("scale+"))
    path, caught = mutate.save_mutant_as_bug(demo_lab, mutant.id, "saved")
    assert path == demo_lab.bugs_dir / "saved.py" and caught
    bug = next(b for b in variants.bugs(demo_lab) if b.name == "saved")
    assert bug.caught_by == tuple(caught)
    assert variants.bug_source(demo_lab, bug) == markers.strip_solution_markers(mutant.source)
    with pytest.raises(CourseError, match="already exists"):
        mutate.save_mutant_as_bug(demo_lab, mutant.id, "saved")
