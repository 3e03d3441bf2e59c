"""The instructor's class report: concepts.csv and class-report.html, graded here or built from
downloaded results.json files, and rendered in a real headless browser where one is installed."""

from __future__ import annotations

import csv
import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from course.labs import variants
from course.labs.manifest import load_manifest

BROWSERS = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")


def _class(demo_course: Path, tmp_path: Path) -> list[Path]:
    """Four students: full marks, a bug in add (task 1), the untouched stub, and no file at all."""
    lab = load_manifest(demo_course).get("demo")
    root = tmp_path / "class"
    variants.write_variant(variants.reference_source(lab), root / "ann" / "demo", lab)
    variants.write_variant(variants.bug_source(lab, variants.bugs(lab)[0]), root / "ben" / "demo", lab)
    variants.write_variant(variants.stub_source(lab), root / "cy" / "demo", lab)
    (root / "dee").mkdir()
    return sorted(root.iterdir())


@pytest.fixture
def graded_class(demo_course, tmp_path, run_cli):
    out = tmp_path / "out"
    result = run_cli("--course-dir", demo_course, "grade", "demo", *_class(demo_course, tmp_path), "--out", out,
                     "--sandbox", "none", "--trust-submissions")
    assert result.exit_code == 0, result.output
    assert "concepts.csv and class-report.html" in result.output
    return out


def _rows(path: Path) -> list[dict]:
    return list(csv.DictReader(path.open(encoding="utf-8")))


def test_concepts_csv_per_task_and_card(graded_class):
    rows = _rows(graded_class / "concepts.csv")
    tasks = {r["task"]: r for r in rows if r["kind"] == "task"}
    # Three graded (the folder without demo.py is not): ben fails task 1, cy (the stub) both tasks.
    assert (tasks["1"]["failed"], tasks["1"]["graded"], tasks["1"]["share_failed"]) == ("2", "3", "0.667")
    assert (tasks["2"]["failed"], tasks["2"]["share_failed"], tasks["2"]["text"]) == ("1", "0.333", "Scale")
    cards = [r for r in rows if r["kind"] == "card"]
    assert ([(r["card"], r["task"], r["failed"], r["share_failed"]) for r in cards]
            == [("demo-add", "1;2", "2", "0.667")])
    assert cards[0]["text"] == "What is $2 + 3$?"


def test_report_is_self_contained_escaped_and_shows_no_test_messages(graded_class):
    page = (graded_class / "class-report.html").read_text(encoding="utf-8")
    assert len(re.findall(r'<img src="data:image/png;base64,[A-Za-z0-9+/=]+" width="\d+" height="\d+"', page)) == 3
    assert "<script" not in page and "<link" not in page and "http://" not in page and "https://" not in page
    assert "default-src 'none'" in page  # nothing but inline style and data: images may load
    assert "The 5 weakest tasks" in page and "tag:mmd::demo::task-1" in page and "demo-add" in page
    assert "Not graded (1)" in page and "no demo.py in" in page
    # No test's message (a hidden one's expected values least of all) reaches the report.
    instructor = (graded_class / "ben" / "instructor.md").read_text()
    assert "differs" in instructor or "expected" in instructor
    assert "expected" not in page and "differs" not in page


def _results_dir(graded_class: Path, tmp_path: Path) -> Path:
    """What Gradescope's export gives: one folder per submission, with its results.json."""
    downloaded = tmp_path / "downloaded"
    for student in ("ann", "ben", "cy", "dee"):
        (downloaded / f"submission_{student}").mkdir(parents=True)
        shutil.copy(graded_class / student / "results.json", downloaded / f"submission_{student}" / "results.json")
    return downloaded


def test_from_results_builds_the_same_report_without_grading(demo_course, graded_class, tmp_path, run_cli,
                                                            monkeypatch):
    import course.grading.grade

    downloaded = _results_dir(graded_class, tmp_path)
    monkeypatch.setattr(course.grading.grade, "grade", lambda *a, **k: pytest.fail("--from-results graded"))
    out = tmp_path / "report"
    result = run_cli("--course-dir", demo_course, "grade", "demo", "--from-results", downloaded, "--out", out)
    assert result.exit_code == 0, result.output
    assert "4 submissions, 3 with results" in " ".join(result.output.split())
    assert _rows(out / "concepts.csv") == _rows(graded_class / "concepts.csv")
    page = (out / "class-report.html").read_text()
    assert page.count("data:image/png;base64,") == 3 and "submission_dee" in page
    assert sorted(p.name for p in out.iterdir()) == ["class-report.html", "concepts.csv"]


def test_from_results_distrusts_what_it_reads(demo_course, graded_class, tmp_path, run_cli):
    downloaded = _results_dir(graded_class, tmp_path)
    evil = downloaded / '<img src=x onerror="alert(1)">'
    evil.mkdir()
    data = json.loads((graded_class / "ann" / "results.json").read_text())
    data["tests"].append({"name": "<script>alert(2)</script>", "status": "passed"})  # not a test of the lab
    data["tests"][0]["status"] = "failed"
    (evil / "results.json").write_text(json.dumps(data))
    broken = downloaded / "<b onmouseover=alert(3)>broken"
    broken.mkdir()
    (broken / "results.json").write_text("{not json")
    (downloaded / "other").mkdir()
    (downloaded / "other" / "results.json").write_text(json.dumps({"lab": "f1", "tests": []}))
    (downloaded / "linked").symlink_to(graded_class / "ann")
    out = tmp_path / "report"
    result = run_cli("--course-dir", demo_course, "grade", "demo", "--from-results", downloaded, "--out", out)
    assert result.exit_code == 0, result.output
    warnings = [line for line in result.output.splitlines() if line.startswith("warning:")]
    assert len(warnings) == 3 and any("not valid JSON" in w for w in warnings)
    assert any("results of lab 'f1', not 'demo'" in w for w in warnings)
    page = (out / "class-report.html").read_text()
    assert ("<img src=x" not in page
            and "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;" not in page)  # graded: not listed
    assert "<script" not in page and "alert(2)" not in page and "<b onmouseover" not in page
    assert "&lt;b onmouseover=alert(3)&gt;broken" in page  # not graded, listed, escaped
    rows = {r["task"]: r for r in _rows(out / "concepts.csv") if r["kind"] == "task"}
    assert rows["1"]["graded"] == "4" and rows["1"]["failed"] == "3"  # the link was not followed


@pytest.mark.parametrize("args, message", [
    (("--from-results", "{empty}"), "--from-results: no <student>/results.json in"),
    (("--from-results", "{missing}"), "--from-results"),
    (("{empty}", "--from-results", "{empty}"), "--from-results: give either SUBMISSIONS"),
    ((), "missing SUBMISSIONS"),
    (("--from-results", "{empty}", "--no-report"), "--no-report: --from-results only builds the report"),
])
def test_grade_report_options_fail_in_one_line(args, message, demo_course, tmp_path, run_cli):
    (tmp_path / "empty").mkdir()
    out = tmp_path / "out"
    args = [a.format(empty=tmp_path / "empty", missing=tmp_path / "missing") for a in args]
    result = run_cli("--course-dir", demo_course, "grade", "demo", *args, "--out", out)
    assert result.exit_code == 2 and message in result.output, result.output
    assert len(result.output.strip().splitlines()) == 1 and "Traceback" not in result.output
    assert not (out / "class-report.html").exists() and not (out / "concepts.csv").exists()


def test_no_report_writes_only_the_grades(demo_course, tmp_path, run_cli):
    lab = load_manifest(demo_course).get("demo")
    variants.write_variant(variants.reference_source(lab), tmp_path / "ann" / "demo", lab)
    out = tmp_path / "out"
    result = run_cli("--course-dir", demo_course, "grade", "demo", tmp_path / "ann", "--out", out, "--no-report",
                     "--sandbox", "none", "--trust-submissions")
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in out.iterdir()) == ["ann", "grades.csv", "test_pass_rates.csv"]


def test_report_of_a_class_with_nobody_graded(demo_course, tmp_path, run_cli):
    (tmp_path / "nobody").mkdir()
    out = tmp_path / "out"
    result = run_cli("--course-dir", demo_course, "grade", "demo", tmp_path / "nobody", "--out", out,
                     "--sandbox", "none", "--trust-submissions")
    assert result.exit_code == 0, result.output
    page = (out / "class-report.html").read_text()
    assert "No submission could be graded" in page and "<img" not in page
    assert {r["share_failed"] for r in _rows(out / "concepts.csv")} == {""}


# --- a real browser -------------------------------------------------------------------------

_PROBE = """<script>
window.addEventListener("load", () => {
  const width = document.documentElement.clientWidth;
  const out = {
    width, scrollWidth: document.documentElement.scrollWidth,
    images: [...document.images].map(i => ({natural: i.naturalWidth, naturalHeight: i.naturalHeight,
      shown: i.getBoundingClientRect().width, shownHeight: i.getBoundingClientRect().height,
      right: i.getBoundingClientRect().right, complete: i.complete})),
    cut: [...document.body.querySelectorAll("*")].filter(e => e.getBoundingClientRect().right > width + 1
      || e.scrollWidth > e.clientWidth + 1 && getComputedStyle(e).overflowX !== "visible").map(e => e.tagName),
  };
  const pre = document.createElement("pre");
  pre.id = "probe";
  pre.textContent = JSON.stringify(out);
  document.body.appendChild(pre);
});
</script>"""


def _browser() -> str | None:
    return next((path for name in BROWSERS if (path := shutil.which(name))), None)


@pytest.mark.skipif(_browser() is None, reason="no headless browser (chromium) installed")
@pytest.mark.parametrize("width", [1280, 600])
def test_report_renders_in_a_headless_browser(width, graded_class, tmp_path):
    page = (graded_class / "class-report.html").read_text(encoding="utf-8")
    # The probe is the only script; the report's own policy gets one exception for it.
    probed = page.replace("default-src 'none';", "default-src 'none'; script-src 'unsafe-inline';", 1)
    probed = probed.replace("</body>", _PROBE + "</body>")
    target = tmp_path / "probed.html"
    target.write_text(probed, encoding="utf-8")
    profile = tmp_path / "profile"
    done = subprocess.run(
        [_browser(), "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", f"--user-data-dir={profile}", f"--window-size={width},900",
         "--virtual-time-budget=10000", "--dump-dom", target.as_uri()],
        capture_output=True, text=True, timeout=120)
    match = re.search(r'<pre id="probe">(.*?)</pre>', done.stdout, re.S)
    assert match, done.stderr[-2000:]
    import html

    probe = json.loads(html.unescape(match.group(1)))
    assert len(probe["images"]) == 3
    for image in probe["images"]:
        assert image["complete"] and image["natural"] > 0 and image["shown"] > 0, image
        assert image["right"] <= probe["width"] + 1, image  # no figure runs off the page
        assert abs(image["shownHeight"] / image["shown"]
                   - image["naturalHeight"] / image["natural"]) < 0.02  # not squashed
    assert probe["scrollWidth"] <= probe["width"], probe  # nothing needs a horizontal scroll
    assert probe["cut"] == [], probe
