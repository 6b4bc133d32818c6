"""tools/python-path.sh (called by tools/setup.sh): the .pth file that makes `import fathom` work without
PYTHONPATH. Written into a temporary site directory here (setup writes /usr/lib/python3/dist-packages)."""

import os
import subprocess
import sys

from cli_helpers import ROOT

DONE_WHEN = "import fathom; print(fathom.run(fathom.load('scenarios/deepseek-v3-r1-serving-day.json')).nodes.average)"


def test_pth_file_puts_the_module_on_the_path(tmp_path):
    script = ROOT / "tools" / "python-path.sh"
    for _ in range(2):  # idempotent: the second run leaves the same file
        done = subprocess.run([str(script), str(tmp_path)], capture_output=True, text=True)
        assert done.returncode == 0, done.stderr
    pth = tmp_path / "fathom-build.pth"
    assert pth.read_text().strip() == str(ROOT / "build" / "python")
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    # A site directory's .pth lines are added to sys.path; the line then runs without PYTHONPATH.
    code = f"import site; site.addsitedir({str(tmp_path)!r}); {DONE_WHEN}"
    run = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    assert float(run.stdout) > 0
