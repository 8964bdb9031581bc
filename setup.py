"""Installs kerasgan.

TensorFlow comes from the ``tensorflow`` package by default. Machines that
want the smaller CPU-only wheel install with
``KERASGAN_TENSORFLOW=tensorflow-cpu pip install .`` (CI does this).
"""

import os
import pathlib
import re

import importlib.util

from setuptools import find_packages, setup

HERE = pathlib.Path(__file__).parent


def _bundled_zoo_files():
    # kerasgan/zoo/bundle.py decides which zoo files the wheel carries (small
    # entries' weights; every card); loaded by path, without importing kerasgan.
    spec = importlib.util.spec_from_file_location("_kerasgan_bundle", HERE / "kerasgan" / "zoo" / "bundle.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.bundled_files(HERE / "zoo")


VERSION = re.search(r'__version__ = "([^"]+)"', (HERE / "kerasgan" / "__init__.py").read_text()).group(1)
TENSORFLOW = os.environ.get("KERASGAN_TENSORFLOW", "tensorflow")
if TENSORFLOW not in ("tensorflow", "tensorflow-cpu"):
    raise SystemExit(f"KERASGAN_TENSORFLOW must be tensorflow or tensorflow-cpu, got {TENSORFLOW!r}")

setup(
    name="kerasgan",
    version=VERSION,
    description="A Keras 3 model zoo of generative adversarial networks",
    long_description=(HERE / "README.md").read_text(encoding="utf-8"),
    long_description_content_type="text/markdown",
    license="Apache-2.0",
    python_requires=">=3.10",
    # The released zoo entries live in the top-level zoo/ folder and ship
    # inside the wheel as the package data of ``kerasgan.zoo_files``.
    packages=find_packages(include=["kerasgan", "kerasgan.*"]) + ["kerasgan.zoo_files"],
    package_dir={"kerasgan.zoo_files": "zoo"},
    package_data={
        "kerasgan.zoo_files": _bundled_zoo_files(),
        "kerasgan.metrics": ["weights/*.h5"],
    },
    install_requires=[
        f"{TENSORFLOW}>=2.16",
        "keras>=3.3",
        "tensorflow-datasets",
        "importlib_resources",
        "numpy",
        "scipy",
        "pillow",
    ],
    extras_require={
        "tensorboard": ["tensorboard"],
        "test": ["pytest", "pytest-xdist", "hypothesis", "tensorboard"],
    },
    entry_points={"console_scripts": ["kerasgan=kerasgan.cli:main"]},
)
