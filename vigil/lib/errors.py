"""The one exception type of the indicator core.

It lives in its own module so that every normaliser can raise it without
importing :mod:`vigil.lib.indicators`, which imports them all.
"""

from __future__ import annotations


class IndicatorError(ValueError):
    """A value is not a valid indicator of the kind asked for.

    The message always starts with what the value is not, then why:

    >>> str(IndicatorError("a URL", "no host"))
    'not a URL: no host'
    >>> str(IndicatorError("a crypto wallet address"))
    'not a crypto wallet address'
    """

    def __init__(self, what: str, detail: str = "") -> None:
        # Both parts stay in ``args`` so the error pickles (task queues) intact.
        super().__init__(what, detail)
        self.what = what
        self.detail = detail

    def __str__(self) -> str:
        return f"not {self.what}: {self.detail}" if self.detail else f"not {self.what}"

    def restated(self, what: str) -> IndicatorError:
        """The same reason, said about another kind of value.

        >>> str(IndicatorError("a host name", "empty label").restated("a URL"))
        'not a URL: empty label'
        """
        return IndicatorError(what, self.detail or f"not {self.what}")
