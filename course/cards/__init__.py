"""The cards pipeline: ``cards/*.md`` to an Anki package, and terminal study of the same cards.

A card's path, one module per step:

* :mod:`~course.cards.parse` reads ``cards/*.md`` into ``Card`` objects (fences and hashtags
  as :mod:`~course.cards.markdown` reads them, the same for lint);
* :mod:`~course.cards.lint` checks them, one rule function per check, with
  :mod:`~course.cards.pairing` for the lab tasks that name cards (``cards = [...]`` in each
  ``lab.toml``);
* :mod:`~course.cards.select` filters them by tag and lab (``cards list``, ``study``, export);
* :mod:`~course.cards.notes` renders each card as an Anki note (HTML from
  :mod:`~course.cards.render`, tags, deck, a content digest);
* :mod:`~course.cards.lock` stamps the notes: a content hash and a modification time per card
  (``cards lock`` and the export both call it);
* :mod:`~course.cards.notetypes` holds the frozen Anki note types;
* :mod:`~course.cards.export` writes the ``.apkg``.

Beside them: :mod:`~course.cards.importer` (Quizlet TSV and the source layout to Markdown),
:mod:`~course.cards.study` (FSRS review in the terminal) and :mod:`~course.cards.loop` (a failed
lab task brings its cards forward).

May import: :mod:`course.errors`, :mod:`course.content`, :mod:`course.files` and, for the
pairing of tasks and cards, :mod:`course.labs.manifest`. Never the grader.
"""
