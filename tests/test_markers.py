"""The ``browser`` marker is on every test that drives Chromium, wherever the
test lives, so that ``pytest -m "not browser"`` runs the fast suite."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BROWSER_FILES = ["tests/browser/test_smoke.py", "tests/browser/test_take_exam.py",
                 "tests/org/test_browser_people.py", "tests/content/test_import_views_browser.py"]
FAST_FILES = ["tests/test_audit.py"]


def _collected(marker: str) -> set[str]:
    out = subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-p", "no:xdist", "--collect-only", "-q",
         "-m", marker, *BROWSER_FILES, *FAST_FILES],
        cwd=ROOT, capture_output=True, text=True, timeout=120)
    return {line.split("::", 1)[0] for line in out.stdout.splitlines() if "::" in line}


def test_browser_tests_are_marked_and_the_rest_are_not():
    assert _collected("browser") == set(BROWSER_FILES)
    assert _collected("not browser") == set(FAST_FILES)
