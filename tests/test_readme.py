"""Every fenced Python and shell example of README.md runs, in README order, each in a fresh process.

Blocks share one working folder (a later block may use what an earlier one
wrote, as a reader's would). Training and scoring blocks run with small
counts: ``SMALL`` lists every rewrite, each must still match the README (a
rewrite that matches nothing fails, so the README cannot drift away from
what is tested), and after the rewrites no block may train for more than
``MAX_STEPS`` steps or epochs' worth of batches. Three shell commands need
more than a shell:

- ``pip install .`` installs for real (non-editable) into a new virtual
  environment that sees this environment's packages, with the CPU wheel
  (``KERASGAN_TENSORFLOW=tensorflow-cpu``, as the README allows) so nothing
  is downloaded, and the block's ``kerasgan`` is that install's;
- the multi-worker command runs as both of its workers on localhost;
- a training command followed by ``--resume`` without ``--steps`` is killed
  (SIGKILL) after its first checkpoint, the crash the README describes.
"""

import os
import pathlib
import re
import shlex
import signal
import socket
import subprocess
import sys
import time

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
MAX_STEPS = 100
TIMEOUT = 600

# (pattern, replacement): what makes a long example short. Every pattern must match.
SMALL = [
    (r"--steps 2000 ", "--steps 2 "),
    (r"--steps 20000 ", "--steps 30 "),
    (r"--steps 40000", "--steps 40"),
    (r"--checkpoint-every 500", "--checkpoint-every 5"),
    (r"--num 1000000 ", "--num 3000 "),
    (r"--num 1000 --out sample_pngs/", "--num 20 --out sample_pngs/"),
    (r"--num 10000 --features mnist", "--num 500 --features mnist"),
    (r"kerasgan train --recipe dcgan_mnist --output recipe_run/", "kerasgan train --recipe dcgan_mnist --output recipe_run/ --steps 8"),
    (r"epochs=1, callbacks=", "epochs=1, steps_per_epoch=2, callbacks="),
    (r'seed=1\), epochs=1\)', "seed=1), epochs=1, steps_per_epoch=2)"),
    (r"num=10000, reference=", "num=500, reference="),
    (r"labels=True, seed=0\), epochs=1, steps_per_epoch=50\)", "labels=True, seed=0), epochs=1, steps_per_epoch=2)"),
    # the paper-sized U-Net takes ~0.2 s per 64x64 image on 2 CPU cores: the test translates with a narrow one
    (r"'\{\"styles\": \[\"openmoji_black\", \"openmoji\"\]\}'", """'{"styles": ["openmoji_black", "openmoji"], "g_width": 8, "d_width": 8}'"""),
]


def _blocks():
    text = README.read_text(encoding="utf-8")
    found = []
    for match in re.finditer(r"^```(python|bash)\n(.*?)^```", text, flags=re.S | re.M):
        line = text[: match.start()].count("\n") + 1
        found.append((match.group(1), match.group(2), line))
    return found


BLOCKS = _blocks()


def _shorten(code):
    for pattern, replacement in SMALL:
        code = re.sub(pattern, replacement, code)
    return code


def _commands(code):
    """Shell lines of a block, continuation lines joined, comments kept (bash drops them)."""
    return [c for c in code.replace("\\\n", " ").splitlines() if c.strip() and not c.strip().startswith("#")]


def test_readme_has_the_examples_and_every_rewrite_matches():
    assert len(BLOCKS) >= 10
    text = "\n".join(code for _, code, _ in BLOCKS)
    unused = [p for p, _ in SMALL if not re.search(p, text)]
    assert not unused, f"rewrites that match no README example any more: {unused}"
    for lang, code, line in BLOCKS:
        short = _shorten(code)
        for steps in re.findall(r"--steps (\d+)", short):
            assert int(steps) <= MAX_STEPS, f"README line {line}: --steps {steps} is not shortened"
        if "fit(" in short:
            assert "steps_per_epoch=" in short or "fashion_mnist_900" in short, f"README line {line}: fit() runs a full epoch"
        assert "--num 10000" not in short and "num=10000" not in short, f"README line {line}"


@pytest.fixture(scope="module")
def workdir(tmp_path_factory):
    work = tmp_path_factory.mktemp("readme")
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST")}
    env["KERASGAN_HOME"] = str(tmp_path_factory.mktemp("home"))
    env["TF_CPP_MIN_LOG_LEVEL"] = "2"
    env["KERASGAN_TENSORFLOW"] = "tensorflow-cpu"
    _pytorch_dcgan_checkpoint(work)
    return work, env


def _pytorch_dcgan_checkpoint(folder):
    """netG.pth / netD.pth as pytorch/examples' dcgan writes them (small, random), for `kerasgan convert`."""
    import torch

    from test_convert import TorchDCGANDiscriminator, TorchDCGANGenerator

    torch.manual_seed(0)
    torch.save(TorchDCGANGenerator(16, 8, 3).state_dict(), folder / "netG.pth")
    torch.save(TorchDCGANDiscriminator(4, 3).state_dict(), folder / "netD.pth")


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _venv(work, env):
    venv = work / ".venv-readme"
    if not venv.exists():
        subprocess.run([sys.executable, "-m", "venv", "--system-site-packages", str(venv)], check=True, timeout=TIMEOUT)
    return venv


def _run_shell(command, work, env):
    return subprocess.run(["bash", "-eo", "pipefail", "-c", command], cwd=work, env=env, capture_output=True, text=True, timeout=TIMEOUT)


def _multiworker(command, work, env):
    ports = [_free_port(), _free_port()]
    command = command.replace("node1:12345", f"localhost:{ports[0]}").replace("node2:12345", f"localhost:{ports[1]}")
    other = command.replace('"index": 0', '"index": 1').replace("run_node0/", "run_node1/")
    assert other != command
    procs = [subprocess.Popen(["bash", "-c", c], cwd=work, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for c in (command, other)]
    outs = [p.communicate(timeout=TIMEOUT) for p in procs]
    for proc, (out, err) in zip(procs, outs):
        assert proc.returncode == 0, f"{command}\n{err[-3000:]}"
    assert (work / "run_node0" / "model.keras").is_file() and (work / "run_node1" / "model.keras").is_file()


def _kill_after_first_checkpoint(command, work, env, output):
    proc = subprocess.Popen(["bash", "-c", f"exec {command}"], cwd=work, env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, text=True)
    deadline = time.time() + TIMEOUT
    checkpoints = work / output / "checkpoints"
    while time.time() < deadline and proc.poll() is None:
        if checkpoints.is_dir() and any(p.suffix == ".json" for p in checkpoints.iterdir()):
            proc.send_signal(signal.SIGKILL)
            break
        time.sleep(0.05)
    proc.wait(timeout=60)
    assert proc.returncode == -signal.SIGKILL, "the training command finished before it could be killed: raise its --steps"
    assert not (work / output / "model.keras").exists()


def _run_bash_block(code, work, env):
    commands = _commands(_shorten(code))
    for i, command in enumerate(commands):
        if "TF_CONFIG=" in command:
            _multiworker(command, work, env)
            continue
        if "pip install ." in command:
            venv = _venv(work, env)
            command = command.replace("pip install .", f"{venv}/bin/python -m pip install -q --no-build-isolation {shlex.quote(str(ROOT))}")
            run_env = {**env, "PATH": f"{venv}/bin:{env['PATH']}"}
            result = _run_shell(command, work, run_env)
            assert result.returncode == 0, f"{command}\n{result.stderr[-3000:]}"
            where = _run_shell("python -c 'import kerasgan; print(kerasgan.__file__)'", work, run_env).stdout
            assert str(venv) in where, f"the block did not run the fresh install: {where}"
            continue
        following = commands[i + 1] if i + 1 < len(commands) else ""
        resumes = re.search(r"--resume --output (\S+)", following)
        if resumes and "--steps" not in following and "--resume" not in command:
            _kill_after_first_checkpoint(command, work, env, resumes.group(1))
            continue
        result = _run_shell(command, work, env)
        assert result.returncode == 0, f"{command}\n{result.stderr[-3000:]}"


@pytest.mark.parametrize("index", range(len(BLOCKS)), ids=[f"line{line}-{lang}" for lang, _, line in BLOCKS])
def test_readme_example_runs(workdir, index):
    work, env = workdir
    lang, code, line = BLOCKS[index]
    if lang == "python":
        result = subprocess.run([sys.executable, "-c", _shorten(code)], cwd=work, env=env, capture_output=True, text=True, timeout=TIMEOUT)
        assert result.returncode == 0, f"README line {line}:\n{result.stderr[-3000:]}"
    elif "python -m pytest" in code:
        # The test command itself: running it here would recurse; CI runs exactly it (.ci/run).
        assert code.strip() == "python -m pytest -q tests"
        assert (ROOT / ".ci" / "run").read_text().strip().endswith("python -m pytest -q tests")
    else:
        _run_bash_block(code, work, env)
