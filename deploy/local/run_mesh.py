"""`make run`: the whole mesh on one machine, on the embedded default.

Creates signing keys, migrates each service's database, loads the catalog, writes development
credentials (var/dev-credentials.json: department code → bearer token), starts the four
services as separate processes, waits until each is ready, prints their URLs, and stops them
cleanly on Ctrl-C. Defaults: SQLite per service and the embedded bus (var/bus.sqlite3). Any
JRP_<SERVICE>_* variable already set wins, so the same command runs on Kafka and PostgreSQL:
see README.md.
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
import time
from pathlib import Path

from jrp_shared.local_mesh import (
    ROOT,
    MeshError,
    ensure_keys,
    log,
    mesh_processes,
    prepare,
    service_env,
    stop_all,
    wait_ready,
)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--var-dir", type=Path, default=ROOT / "var")
    parser.add_argument("--no-seed", action="store_true", help="skip loading the catalog")
    parser.add_argument("--ready-timeout", type=float, default=60.0)
    parser.add_argument(
        "--enforcement-replicas",
        type=int,
        default=1,
        help="run enforcement as N processes on one database and consumer group (Kafka only); "
        "replica i > 1 listens on port 8003 + 10·(i-1)",
    )
    args = parser.parse_args()
    var: Path = args.var_dir.resolve()
    os.umask(0o077)  # the logs, keys and databases under var/ are the owner's only
    var.mkdir(mode=0o711, parents=True, exist_ok=True)
    # Others may pass through but not list it: the PostgreSQL of `make infra` runs as its own
    # OS user under var/infra/pg (0700, its own). Everything the mesh keeps here is 0600 in
    # 0700 directories (the umask above; jrp_shared.files).
    var.chmod(0o711)
    private, public = ensure_keys(var)
    env = service_env(var, private, public)
    replicas = max(args.enforcement_replicas, 1)
    if replicas > 1 and env.get("JRP_ENFORCEMENT_BUS") != "kafka":
        raise SystemExit("[mesh] several enforcement replicas need Kafka (JRP_ENFORCEMENT_BUS)")
    try:
        prepare(var, env, seed=not args.no_seed)
    except MeshError as exc:
        raise SystemExit(f"[mesh] {exc}") from exc
    processes = mesh_processes(env, var / "logs", replicas, console=True)
    for process in processes:
        process.start()

    stopping = False

    def stop(_signum: int, _frame: object) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    try:
        try:
            wait_ready(processes, args.ready_timeout)
        except MeshError as exc:
            raise SystemExit(f"[mesh] {exc}") from exc
        print("\nThe mesh is up (embedded default unless JRP_* variables say otherwise):")
        for process in processes:
            docs = "" if process.service == "console" else f"   docs: {process.url}/docs"
            print(f"  {process.label:<12} {process.url}{docs}")
        print(f"\nDevelopment tokens: {var / 'dev-credentials.json'}")
        print(f"Console sign-in (officers and passwords): {var / 'dev-officers.json'}")
        print(f"Logs: {var / 'logs'}/<service>.log     Stop: Ctrl-C\n", flush=True)
        while not stopping:
            for process in processes:
                code = process.exited()
                if code is not None:
                    log(f"{process.label} exited with {code}; stopping the mesh")
                    stopping = True
            time.sleep(0.3)
    finally:
        log("stopping")
        stop_all(processes)
        log("stopped")
    return 0


if __name__ == "__main__":
    sys.exit(main())
