"""Which released zoo files ship inside the wheel (read by setup.py, without importing kerasgan).

Package indexes cap one file at about 100 MB, and every install would carry
every entry. So the wheel holds the code, every entry's card, config and
sample grid, and the weights of the *small* entries only: an entry whose
weight files together exceed ``BUNDLE_LIMIT_BYTES`` is left out and resolved
like keras-hub/timm presets (``$KERASGAN_HOME``, a local zoo folder, then a
sha256-checked download; ``kerasgan download NAME``).
"""

import os

#: Largest total size of one entry's weight files that still ships in the wheel.
BUNDLE_LIMIT_BYTES = 20 * 2**20
#: Budget of the whole wheel, checked by tests/test_zoo.py.
WHEEL_BUDGET_BYTES = 48 * 2**20
#: Files every entry ships whatever its size (small text and images).
ALWAYS = (".json", ".md", ".png", ".svg")


def bundled_files(zoo_dir, limit=BUNDLE_LIMIT_BYTES):
    """Paths relative to ``zoo_dir`` (``NAME/FILE``) of the files the wheel carries, sorted."""
    out = []
    for name in sorted(os.listdir(zoo_dir)):
        folder = os.path.join(zoo_dir, name)
        if not os.path.isdir(folder) or name.startswith((".", "_")):
            continue
        files = sorted(f for f in os.listdir(folder) if os.path.isfile(os.path.join(folder, f)) and not f.startswith("."))
        weights = [f for f in files if f.endswith(".h5")]
        small = sum(os.path.getsize(os.path.join(folder, f)) for f in weights) <= limit
        out += [f"{name}/{f}" for f in files if f.endswith(ALWAYS) or (small and f in weights)]
    return out
