"""How long the image takes from ``podman run … web`` to the first 200 of ``/readyz``, and
what the bytecode policy of ADR 0127 buys. Results: "Container image" in bench/README.md.

    make image && .venv/bin/python bench/image_start.py [--runs 5] [--port 8190] [--variants]

PostgreSQL and Redis run in containers and the database is migrated once (as in
``make test-image``, whose pieces this reuses); then ``web`` is started ``--runs`` times from
the image, each time on a fresh container with a read-only root file system, and the time
to the first 200 of ``/readyz`` (database, migrations, cache) is taken. ``--variants`` also
measures two throw-away images made from it: one without any bytecode, one with bytecode
for every module (``compileall``), to show what the bytecode of the start costs and saves.
Exit status 1 when the median start of the image exceeds 10 s.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "deploy"))
from test_image import START_LIMIT, ImageTest, podman

VARIANTS = {
    "no bytecode": "find /opt/vib /usr/lib/python3.13 -depth -name __pycache__ -exec rm -rf {} +",
    "all bytecode": "python3 -m compileall -q -j 0 /opt/vib/lib /usr/lib/python3.13 >/dev/null",
}


def variant(image: str, name: str, script: str) -> str:
    """A throw-away image: the image after `script` ran in it as root."""
    tag = f"localhost/vib-bench-start:{name.replace(' ', '-')}"
    container = "vib-bench-start-variant"
    podman("rm", "-f", container, check=False)
    podman("run", "--name", container, "--user", "0", "--entrypoint", "sh", image, "-c", script)
    # The image's own entry point, command and user, not those of the `sh -c` above.
    config = json.loads(podman("image", "inspect", image).stdout)[0]["Config"]
    podman(
        "commit",
        "-q",
        "--change",
        f"ENTRYPOINT {json.dumps(config['Entrypoint'])}",
        "--change",
        f"CMD {json.dumps(config['Cmd'])}",
        "--change",
        f"USER {config['User']}",
        container,
        tag,
    )
    podman("rm", "-f", container)
    return tag


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--image", default="localhost/vib:latest")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--port", type=int, default=8190, help="first of four ports (8190)")
    parser.add_argument("--variants", action="store_true")
    args = parser.parse_args()
    images = {"image": args.image}
    if args.variants:
        images |= {name: variant(args.image, name, script) for name, script in VARIANTS.items()}
    bench = ImageTest(args.image, args.port)
    results: dict[str, list[float]] = {}
    try:
        bench.services()
        migrate = bench.vib("migrate", "--verbosity", "0")
        if migrate.returncode:
            sys.exit(migrate.stderr[-400:])
        for _ in range(args.runs):  # interleaved, so load on the machine hits all alike
            for name, image in images.items():
                seconds = bench.web_ready(image)
                podman("rm", "-f", "-t", "5", bench.names["web"], check=False)
                results.setdefault(name, []).append(float("inf") if seconds is None else seconds)
    finally:
        for name in bench.names.values():
            podman("rm", "-f", "-t", "5", name, check=False)
        for name, image in images.items():
            if name != "image":
                podman("rmi", "-f", image, check=False)
    heading = f"{'':14} {'median':>7} {'min':>6} {'max':>6}"
    print(f"{heading}  ({args.runs} runs, podman run → the first 200 of /readyz)")
    for name, seconds in results.items():
        size = ""
        if name == "image":
            size = podman("image", "inspect", args.image, "--format", "{{.Size}}").stdout.strip()
            size = f"  image {int(size) / 1e6:.0f} MB"
        print(
            f"{name:14} {statistics.median(seconds):6.2f}s {min(seconds):5.2f}s "
            f"{max(seconds):5.2f}s{size}"
        )
    return 0 if statistics.median(results["image"]) <= START_LIMIT else 1


if __name__ == "__main__":
    sys.exit(main())
