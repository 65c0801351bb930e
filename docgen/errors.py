"""The one exception a user can cause; the CLI prints it as a single line."""
from __future__ import annotations


class DocgenError(Exception):
    """A problem in the user's input, located at path:line when there is one."""

    def __init__(self, message: str, path: str | None = None, line: int | None = None):
        super().__init__(message)
        self.message = message
        self.path = path
        self.line = line

    def __reduce__(self):  # keep file and line when a worker process reports the error
        return (type(self), (self.message, self.path, self.line))

    def __str__(self) -> str:
        where = ""
        if self.path:
            where = f"{self.path}:{self.line}: " if self.line else f"{self.path}: "
        return where + self.message
