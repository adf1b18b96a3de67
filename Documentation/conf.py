# SPDX-License-Identifier: GPL-2.0
# Sphinx configuration for `make htmldocs` (tools/htmldocs.sh; Sphinx is
# pinned in tools/versions.env). Plain reStructuredText, no extensions.
project = "ndis-shim"
copyright = "ndis-shim contributors"
root_doc = "index"
exclude_patterns = ["_build"]
html_theme = "alabaster"
html_static_path = []
