#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# `make htmldocs`: Documentation/ as HTML in $NDIS_BUILD/htmldocs (open
# index.html), with the Sphinx pinned in tools/versions.env (installed into
# the cache's venv by tools/setup.sh). Every Sphinx or docutils warning is
# an error (-W), all of them listed (--keep-going). About 2 s; `make check`
# runs it too.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

have=$("$VENV/bin/sphinx-build" --version 2>/dev/null | awk '{print $NF}' || true)
[ "$have" = "$SPHINX_VERSION" ] ||
	die "sphinx-build $SPHINX_VERSION not in $VENV (have: ${have:-none}): run tools/setup.sh"
out=$NDIS_BUILD/htmldocs
mkdir -p "$out"
stage "htmldocs: sphinx-build -W Documentation -> ${out#"$NDIS_TOP"/}"
"$VENV/bin/sphinx-build" -q -W --keep-going -b html -d "$NDIS_BUILD/doctrees" \
	"$NDIS_TOP/Documentation" "$out"
stage "htmldocs: ${out#"$NDIS_TOP"/}/index.html"
