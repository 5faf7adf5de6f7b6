"""Print a CycloneDX 1.5 SBOM (JSON) of the packages VIB's image installs, read from uv.lock.

    python deploy/image/sbom.py uv.lock > sbom.cdx.json

Only the runtime packages: the dev dependency group is left out, as the image leaves it out.
Each component carries its package URL and the SHA-256 of the wheel or sdist the lock pins.
"""

from __future__ import annotations

import json
import sys
import tomllib
import uuid
from datetime import UTC, datetime
from typing import Any


def runtime_packages(lock: dict[str, Any]) -> list[dict[str, Any]]:
    """The packages reachable from the project's own runtime dependencies."""
    by_name = {p["name"]: p for p in lock["package"]}
    root = next(p for p in lock["package"] if p.get("source", {}).get("editable") == ".")
    seen: set[str] = set()
    todo = [d["name"] for d in root.get("dependencies", [])]
    while todo:
        name = todo.pop()
        if name in seen or name not in by_name:
            continue
        seen.add(name)
        pkg = by_name[name]
        todo.extend(d["name"] for d in pkg.get("dependencies", []))
        for extra in pkg.get("optional-dependencies", {}).values():
            todo.extend(d["name"] for d in extra)
    return [by_name[n] for n in sorted(seen)]


def component(pkg: dict[str, Any]) -> dict[str, Any]:
    hashes = [
        {"alg": "SHA-256", "content": artifact["hash"].removeprefix("sha256:")}
        for artifact in [*pkg.get("wheels", []), *([pkg["sdist"]] if "sdist" in pkg else [])]
        if artifact.get("hash", "").startswith("sha256:")
    ]
    return {
        "type": "library",
        "bom-ref": f"pkg:pypi/{pkg['name']}@{pkg['version']}",
        "name": pkg["name"],
        "version": pkg["version"],
        "purl": f"pkg:pypi/{pkg['name']}@{pkg['version']}",
        "hashes": hashes,
    }


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print("gebruik: sbom.py PAD/NAAR/uv.lock", file=sys.stderr)
        return 2
    with open(argv[0], "rb") as handle:
        lock = tomllib.load(handle)
    root = next(p for p in lock["package"] if p.get("source", {}).get("editable") == ".")
    bom = {
        "bomFormat": "CycloneDX",
        "specVersion": "1.5",
        "serialNumber": f"urn:uuid:{uuid.uuid4()}",
        "version": 1,
        "metadata": {
            "timestamp": datetime.now(UTC).isoformat(timespec="seconds"),
            "component": {"type": "application", "name": root["name"], "version": root["version"]},
        },
        "components": [component(p) for p in runtime_packages(lock)],
    }
    json.dump(bom, sys.stdout, indent=1)
    print()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
