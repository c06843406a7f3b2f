"""The simulated account on disk: one JSON file per environment beside the offline state.

Terraform may run several provider processes at once (one per provider configuration) and each
applies up to ten objects in parallel, so every change is a read-modify-write under a lock held
across processes (flock on a file beside it) and threads.
"""

from __future__ import annotations

import fcntl
import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from tfgen.files import MiB, write_file
from tfgen.offline import ACCOUNT_ID, DEFAULT_REGION
from tfgen.offline.account import Account, record_of
from tfgen.offline.state_file import TerraformState, read_state
from tfgen.readback import read_model

ACCOUNT_LIMIT = 64 * MiB


def read_account(path: Path) -> Account:
    """The account at `path` (empty when there is none yet); InputError when it is not one."""
    if not path.exists() and not path.is_symlink():
        return Account()
    fix = "delete it (and the offline state beside it) to start the offline environment afresh"
    return read_model(path, Account, "the offline account", fix, ACCOUNT_LIMIT)


def write_account(path: Path, account: Account) -> None:
    write_file(path, account.model_dump_json(indent=1) + "\n")


def account_from_state(state: TerraformState) -> Account:
    """The account an offline state implies: every managed object in it, deposed ones too."""
    account = Account()
    for resource in state.resources:
        if resource.mode != "managed":
            continue
        for instance in resource.instances:
            attributes = instance.get("attributes")
            record = record_of(resource.type, attributes, ACCOUNT_ID, DEFAULT_REGION) if isinstance(attributes, dict) else None
            if record is not None:
                account.records.append(record)
    return account


def prepare_account(account_path: Path, state_path: Path) -> None:
    """Before Terraform runs offline: no state means nothing exists yet (a fresh or deliberately
    deleted environment), and a state applied before the account was kept seeds it; InputError
    when the account file is not one."""
    state = read_state(state_path)
    if state is None:
        account_path.unlink(missing_ok=True)
    elif not account_path.exists() and not account_path.is_symlink():
        write_account(account_path, account_from_state(state))
    else:
        read_account(account_path)  # a broken file is named here, not as a failed apply


class AccountStore:
    """Changes to one account, each seen whole by every other process and thread."""

    def __init__(self, path: Path | None) -> None:
        self.path = path
        self._memory = Account()  # without a file: an account for this provider process only
        self._lock = threading.Lock()

    @contextmanager
    def change(self) -> Iterator[Account]:
        """The current account; written back when the block ends without an exception."""
        with self._lock:
            if self.path is None:
                working = self._memory.model_copy(deep=True)
                yield working
                self._memory = working
                return
            with _file_lock(self.path):
                account = read_account(self.path)
                before = account.model_dump()
                yield account
                if account.model_dump() != before:
                    write_account(self.path, account)


@contextmanager
def _file_lock(path: Path) -> Iterator[None]:
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(path.parent / f".{path.name}.lock", os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX)
        yield
    finally:
        os.close(descriptor)
