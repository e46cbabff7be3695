"""The one packaging setting pyproject.toml cannot hold: the package list.

The top-level prompts/ folder (where the prompt templates are edited, beside their
README) ships inside the wheel as the package ``assistant.prompts``
([tool.setuptools.package-dir] in pyproject.toml maps it); pyproject's
``packages.find`` only finds folders that are inside assistant/, so the list is made
here. Everything else is in pyproject.toml.
"""

from setuptools import find_namespace_packages, setup

setup(packages=[*find_namespace_packages(include=["assistant", "assistant.*"]), "assistant.prompts"])
