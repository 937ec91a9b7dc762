"""Fetch the OCA add-ons that ``make bench`` compares against (stdlib only).

    .venv/bin/python tools/bench_prepare.py
    # prints e.g. "contract,maintenance_plan,base_maintenance"

For each requested module (default: OCA's ``contract`` for the contract bench and
``maintenance_plan`` for the plan bench) this downloads its 19.0 wheel from PyPI
with ``pip download --no-deps`` into ``.local/bench_wheels/`` and unpacks the
add-on folder into ``.local/bench_addons/odoo/addons/<module>/``, then does the
same for the dependencies of its manifest that neither Odoo nor this repository
provides (``maintenance_plan`` needs OCA's ``base_maintenance``; Odoo's own
``maintenance`` is in Odoo's addons). Nothing is downloaded when the add-on is
already unpacked (``--refresh`` forces a new download), and a wheel already in
``.local/bench_wheels/`` is reused. These add-ons are for the benchmark only:
``.local/`` is not committed.

stdout: the comma-separated list of modules to install in the bench database, each
once (empty when unavailable, e.g. without network; a module that cannot be
provided is left out, the others are still printed); messages go to stderr.
Always exits 0 unless the arguments are wrong: the OCA comparison is optional.
Set BENCH_OCA=0 (or pass --skip) to print nothing and download nothing.
"""

import argparse
import ast
import os
import re
import shutil
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SERIES = "19.0"
NEXT_SERIES = "19.1"
DEFAULT_MODULES = "contract,maintenance_plan"


def log(msg):
    print(f"bench_prepare: {msg}", file=sys.stderr, flush=True)


class Unavailable(Exception):
    """The add-on (or one of its dependencies) cannot be provided."""


def _manifest(addon_dir):
    path = Path(addon_dir) / "__manifest__.py"
    try:
        return ast.literal_eval(path.read_text(encoding="utf-8"))
    except (OSError, ValueError, SyntaxError) as exc:
        raise Unavailable(f"cannot read {path}: {exc}") from exc


def _distribution(module):
    """PyPI distribution name of an OCA add-on: odoo-addon-<name with dashes>."""
    return "odoo-addon-" + module.replace("_", "-")


def _wheel_prefix(module):
    # wheel file names normalise '-' to '_': odoo_addon_<module>-<version>-...
    return f"odoo_addon_{module}-"


def _wheel_version(path, module):
    version = path.name[len(_wheel_prefix(module)) :].split("-", 1)[0]
    return tuple(int(p) if p.isdigit() else 0 for p in version.split("."))


def _cached_wheel(wheels_dir, module):
    """Newest cached 19.0 wheel of ``module`` in ``wheels_dir`` (or None)."""
    major, minor = (int(p) for p in SERIES.split("."))
    found = [
        p
        for p in Path(wheels_dir).glob(f"{_wheel_prefix(module)}*.whl")
        if _wheel_version(p, module)[:2] == (major, minor)
    ]
    return max(found, key=lambda p: _wheel_version(p, module)) if found else None


def _download(module, wheels_dir, pip, timeout):
    wheels_dir.mkdir(parents=True, exist_ok=True)
    spec = f"{_distribution(module)}>={SERIES},<{NEXT_SERIES}"
    cmd = [
        *pip,
        "download",
        "--no-deps",
        "--disable-pip-version-check",
        "--no-input",
        "--timeout",
        "20",
        "--retries",
        "1",
        "--only-binary",
        ":all:",
        "-d",
        str(wheels_dir),
        spec,
    ]
    log(f"downloading {spec} into {wheels_dir}")
    try:
        proc = subprocess.run(  # noqa: S603 - fixed command, no shell
            cmd, capture_output=True, text=True, timeout=timeout, check=False
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise Unavailable(f"pip download {spec} failed: {exc}") from exc
    if proc.returncode != 0:
        tail = " | ".join((proc.stderr or proc.stdout).strip().splitlines()[-3:])
        raise Unavailable(f"pip download {spec} failed (exit {proc.returncode}): {tail}")
    wheel = _cached_wheel(wheels_dir, module)
    if not wheel:
        raise Unavailable(f"pip download {spec} produced no {SERIES} wheel in {wheels_dir}")
    return wheel


def _unpack(wheel, module, target_root):
    """Extract odoo/addons/<module>/ of ``wheel`` into ``target_root``/odoo/addons/."""
    prefix = f"odoo/addons/{module}/"
    dest_parent = Path(target_root) / "odoo" / "addons"
    dest = dest_parent / module
    dest_parent.mkdir(parents=True, exist_ok=True)
    try:
        with zipfile.ZipFile(wheel) as zf:
            members = [m for m in zf.infolist() if m.filename.startswith(prefix)]
            if not any(m.filename == prefix + "__manifest__.py" for m in members):
                raise Unavailable(f"{wheel.name} has no {prefix}__manifest__.py")
            tmp = Path(tempfile.mkdtemp(prefix=f".{module}-", dir=dest_parent))
            try:
                for member in members:
                    rel = member.filename[len(prefix) :]
                    if not rel or member.is_dir():
                        continue
                    out = (tmp / rel).resolve()
                    if tmp.resolve() not in out.parents:  # no path escaping the folder
                        raise Unavailable(f"{wheel.name}: unsafe path {member.filename}")
                    out.parent.mkdir(parents=True, exist_ok=True)
                    with zf.open(member) as src, open(out, "wb") as dst:
                        shutil.copyfileobj(src, dst)
                if dest.exists():
                    shutil.rmtree(dest)
                tmp.rename(dest)
            finally:
                shutil.rmtree(tmp, ignore_errors=True)
    except (OSError, zipfile.BadZipFile) as exc:
        raise Unavailable(f"cannot unpack {wheel}: {exc}") from exc
    log(f"unpacked {wheel.name} into {dest}")
    return dest


def _provided_elsewhere(module, search_dirs):
    return any((Path(d) / module / "__manifest__.py").is_file() for d in search_dirs)


def _python_dep_present(requirement):
    """Is the Python dependency of a manifest installed? Manifests name either the
    distribution (``python-dateutil``, as Odoo's own check does) or the import name."""
    import importlib.metadata  # noqa: PLC0415
    import importlib.util  # noqa: PLC0415

    name = re.split(r"[<>=!~;\[ ]", requirement.strip(), maxsplit=1)[0]
    try:
        importlib.metadata.distribution(name)
        return True
    except importlib.metadata.PackageNotFoundError:
        pass
    try:
        return importlib.util.find_spec(name.replace("-", "_")) is not None
    except (ImportError, ValueError):
        return False


def _check_python_deps(module, manifest):
    missing = [
        name
        for name in manifest.get("external_dependencies", {}).get("python", [])
        if not _python_dep_present(name)
    ]
    if missing:
        raise Unavailable(f"{module} needs the Python packages {', '.join(missing)}")


def ensure_addon(module, opts, done, chain=()):
    """Make ``module`` and its non-core dependencies available; return their names."""
    if module in done:
        return []
    if module in chain:
        raise Unavailable(f"dependency cycle: {' -> '.join((*chain, module))}")
    dest = opts.addons_dir / "odoo" / "addons" / module
    if opts.refresh or not (dest / "__manifest__.py").is_file():
        wheel = None if opts.refresh else _cached_wheel(opts.wheels_dir, module)
        if wheel is None:
            if opts.offline:
                raise Unavailable(f"{module}: not unpacked and no cached wheel (offline)")
            wheel = _download(module, opts.wheels_dir, opts.pip, opts.timeout)
        dest = _unpack(wheel, module, opts.addons_dir)
    manifest = _manifest(dest)
    if not manifest.get("installable", True):
        raise Unavailable(f"{module} {manifest.get('version')} is not installable")
    version = str(manifest.get("version", ""))
    if not version.startswith(SERIES + "."):
        raise Unavailable(f"{module} is version {version}, not {SERIES}.x")
    _check_python_deps(module, manifest)
    done.add(module)
    modules = [module]
    for dep in manifest.get("depends", []):
        if dep in done or _provided_elsewhere(dep, opts.core_dirs):
            continue
        log(f"{module} depends on {dep}, which Odoo does not provide: fetching it")
        modules += ensure_addon(dep, opts, done, (*chain, module))
    return modules


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "modules",
        nargs="?",
        default=DEFAULT_MODULES,
        help=f"comma-separated OCA add-ons (default: {DEFAULT_MODULES})",
    )
    parser.add_argument("--root", type=Path, default=ROOT, help="repository root")
    parser.add_argument(
        "--odoo-src", type=Path, help="Odoo source tree (default: $ODOO_SRC or ~/.cache/odoo/19.0)"
    )
    parser.add_argument("--offline", action="store_true", help="never download")
    parser.add_argument("--refresh", action="store_true", help="download and unpack again")
    parser.add_argument("--skip", action="store_true", help="do nothing, print nothing")
    parser.add_argument("--timeout", type=int, default=180, help="seconds per download")
    opts = parser.parse_args(argv)

    if opts.skip or os.environ.get("BENCH_OCA", "1").strip().lower() in ("0", "no", "false"):
        log("OCA comparison disabled (BENCH_OCA=0 / --skip)")
        return 0
    root = opts.root.resolve()
    odoo_src = opts.odoo_src or Path(
        os.environ.get("ODOO_SRC") or Path.home() / ".cache" / "odoo" / SERIES
    )
    if not odoo_src.is_absolute():
        odoo_src = root / odoo_src
    opts.addons_dir = root / ".local" / "bench_addons"
    opts.wheels_dir = root / ".local" / "bench_wheels"
    opts.core_dirs = [odoo_src / "addons", odoo_src / "odoo" / "addons", root]
    opts.pip = [sys.executable, "-m", "pip"]

    wanted = [m.strip() for m in opts.modules.split(",") if m.strip()]
    to_install = []
    for module in wanted:
        try:
            to_install += [
                m for m in ensure_addon(module, opts, set(to_install)) if m not in to_install
            ]
        except Unavailable as exc:
            log(f"OCA add-on {module} unavailable, its comparison will be skipped: {exc}")
    if to_install:
        log(f"ready in {opts.addons_dir / 'odoo' / 'addons'}: {', '.join(to_install)}")
    print(",".join(to_install))
    return 0


if __name__ == "__main__":
    sys.exit(main())
