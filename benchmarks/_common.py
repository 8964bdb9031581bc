"""Shared helpers of the speed benchmarks: environment, machine description, timing, output.

Not a benchmark itself; imported by the ``benchmarks/*.py`` scripts.
"""

import datetime
import os
import pathlib
import platform
import statistics
import sys

ROOT = pathlib.Path(__file__).resolve().parents[1]
RESULTS = pathlib.Path(__file__).resolve().parent / "results"
_SHARED = ROOT.parent / "shared"


def setup_environment():
    """Quiet TF logs; default the data and FID-weight locations to the shared folder."""
    os.environ.setdefault("KERAS_BACKEND", "tensorflow")
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    if "KERASGAN_DATA_DIR" not in os.environ and (_SHARED / "data").is_dir():
        os.environ["KERASGAN_DATA_DIR"] = str(_SHARED / "data")
    weights = _SHARED / "weights" / "fid_inception" / "inception_2015_12_05_pool3.npz"
    if "KERASGAN_FID_WEIGHTS" not in os.environ and weights.is_file():
        os.environ["KERASGAN_FID_WEIGHTS"] = str(weights)
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))


def cpu_model():
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def cpu_vector_flags():
    """The vector extensions that decide GAN step speed here: AVX2, AVX-512F, AVX512-BF16, AMX-BF16."""
    names = {"avx2": "AVX2", "avx512f": "AVX-512F", "avx512_bf16": "AVX512-BF16", "amx_bf16": "AMX-BF16"}
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("flags"):
                    flags = set(line.split(":", 1)[1].split())
                    return "/".join(v for k, v in names.items() if k in flags) or "none of AVX2/AVX-512"
    except OSError:
        pass
    return "unknown"


def machine_description():
    """One line: device(s), CPU model and cores, load, TF/Keras/Python versions, date."""
    import keras
    import tensorflow as tf

    gpus = []
    for device in tf.config.list_physical_devices("GPU"):
        try:
            details = tf.config.experimental.get_device_details(device)
            gpus.append(details.get("device_name", device.name))
        except Exception:  # noqa: BLE001 - a name is all we want
            gpus.append(device.name)
    device = "GPU: " + ", ".join(gpus) if gpus else "CPU only"
    try:
        usable = len(os.sched_getaffinity(0))
    except AttributeError:
        usable = os.cpu_count()
    try:
        load = "load average %.2f %.2f %.2f" % os.getloadavg()
    except OSError:
        load = "load average n/a"
    date = datetime.datetime.now().astimezone().strftime("%Y-%m-%d %H:%M %Z")
    return (
        f"device: {device}; CPU: {cpu_model()} ({platform.machine()}, {cpu_vector_flags()}), {os.cpu_count()} cores "
        f"({usable} usable), {load} at start; TensorFlow {tf.__version__}, Keras {keras.__version__}, "
        f"Python {platform.python_version()}; {date}"
    )


def median(values):
    return statistics.median(values)


def spread(values, fmt="{:.1f}"):
    return f"{fmt.format(min(values))}–{fmt.format(max(values))}"


def write_result(name, text):
    """Prints ``text`` and writes it to ``benchmarks/results/<name>.md``."""
    print(text)
    RESULTS.mkdir(exist_ok=True)
    path = RESULTS / f"{name}.md"
    path.write_text(text.rstrip("\n") + "\n")
    print(f"\nwrote {path}")
    return path


def command_line():
    script = pathlib.Path(sys.argv[0]).name
    return " ".join(["python", f"benchmarks/{script}", *sys.argv[1:]])


def timed_fit(model, dataset, warmup, steps):
    """Runs ``model.fit(dataset, steps_per_epoch=warmup + steps)`` and times it.

    A callback stamps the start of the first step and the end of every step
    (Keras converts each step's logs before calling it, which syncs).
    Returns a ``types.SimpleNamespace`` with

    * ``steady``: seconds of the last ``steps`` steps (end of step ``warmup``
      to the end of the last step);
    * ``step_seconds``: the durations of those steps;
    * ``fit``: wall time of the whole ``fit`` call;
    * ``startup``: from the ``fit`` call to the start of the first step
      (argument checks, iterator creation);
    * ``teardown``: from the end of the last step until ``fit`` returns
      (callbacks' ends, iterator destruction).
    """
    import time
    import types

    import keras

    if warmup < 1:
        raise ValueError("warmup must be at least 1: the first step's start is not observable")

    class StepClock(keras.callbacks.Callback):
        def __init__(self):
            super().__init__()
            self.first_begin = None
            self.stamps = []

        def on_train_batch_begin(self, batch, logs=None):
            if self.first_begin is None:
                self.first_begin = time.perf_counter()

        def on_train_batch_end(self, batch, logs=None):
            self.stamps.append(time.perf_counter())

    clock = StepClock()
    t0 = time.perf_counter()
    model.fit(dataset, epochs=1, steps_per_epoch=warmup + steps, verbose=0, callbacks=[clock])
    t1 = time.perf_counter()
    if len(clock.stamps) != warmup + steps:
        raise RuntimeError(f"expected {warmup + steps} steps, saw {len(clock.stamps)}")
    timed = clock.stamps[warmup - 1 :]
    return types.SimpleNamespace(
        steady=timed[-1] - timed[0],
        step_seconds=[b - a for a, b in zip(timed[:-1], timed[1:])],
        fit=t1 - t0,
        startup=clock.first_begin - t0,
        teardown=t1 - clock.stamps[-1],
    )
