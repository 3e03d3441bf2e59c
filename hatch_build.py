"""Build hook: the wheel carries the course content (cards/, labs/) as ``course/_content``.

An editable install gets no copy: the engine finds the content in the checkout, and a copy
in site-packages would be one more place for the grading sandbox to hide.
"""

from hatchling.builders.hooks.plugin.interface import BuildHookInterface


class CustomBuildHook(BuildHookInterface):
    def initialize(self, version: str, build_data: dict) -> None:
        if self.target_name == "wheel" and version != "editable":
            build_data["force_include"]["cards"] = "course/_content/cards"
            build_data["force_include"]["labs"] = "course/_content/labs"
