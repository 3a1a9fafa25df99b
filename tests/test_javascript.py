"""The scripts' own unit tests (tests/js/, Node's built-in runner), run as part of the suite.

They live in tests/js/ rather than beside the modules because static/ is published as it is, by Flask and by
nginx: a test file there would be downloadable by anyone and kept by the service worker's list of modules.
Node comes from Debian's nodejs package (the Makefile installs it); no npm package is needed.
"""
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
JS_TESTS = sorted((ROOT / "tests" / "js").glob("*.test.js"))


def test_there_are_javascript_tests():
    assert {path.name for path in JS_TESTS} >= {"manifest.test.js", "locator.test.js", "controller.test.js"}


@pytest.mark.skipif(shutil.which("node") is None,
                    reason="Node.js is not on PATH: install Debian's nodejs package (make system-packages does)")
def test_javascript_unit_tests_pass():
    # Files named one by one: Node 18 (Debian 12) takes a folder, Node 22 takes only files and globs.
    result = subprocess.run(["node", "--test", *map(str, JS_TESTS)], cwd=ROOT, capture_output=True, text=True,
                            timeout=120)
    assert result.returncode == 0, f"node --test failed:\n{result.stdout}\n{result.stderr}"
