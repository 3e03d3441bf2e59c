"""Model Monitoring and Debugging: the course engine.

The engine parses cards, exports Anki decks, hands out labs and grades them. It knows
nothing about any topic: the content lives in ``cards/`` and ``labs/`` and is found by
:func:`course.content.content_root`.
"""

__version__ = "0.1.0"
