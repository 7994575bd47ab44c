"""The indicator core's errors, said in the reader's language.

``vigil.lib`` has no Django and speaks English: an :class:`IndicatorError` names the kind
of value it expected (``what``, a short fixed phrase) and a technical detail. Here the
phrase and the sentence around it are translated; the detail (a checksum, a label, the
value itself) stays as it is.
"""

from __future__ import annotations

from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from vigil.lib.errors import IndicatorError

__all__ = ["describe"]

# Every ``what`` the core raises with (see ``grep -rn IndicatorError vigil/lib``).
KINDS: dict[str, Promise] = {
    "a URL": gettext_lazy("a URL"),
    "a domain": gettext_lazy("a domain"),
    "a host name": gettext_lazy("a host name"),
    "an IP address": gettext_lazy("an IP address"),
    "a CIDR block": gettext_lazy("a CIDR block"),
    "an e-mail address": gettext_lazy("an e-mail address"),
    "a Vietnamese or international phone number": gettext_lazy("a Vietnamese or international phone number"),
    "a bank account": gettext_lazy("a bank account"),
    "a crypto wallet address": gettext_lazy("a crypto wallet address"),
    "a social account": gettext_lazy("a social account"),
    "an app id": gettext_lazy("an app id"),
    "an SMS sender": gettext_lazy("an SMS sender"),
    "a URL, domain or IP address": gettext_lazy("a URL, domain or IP address"),
    "a known indicator type": gettext_lazy("a known indicator type"),
    "a recognised indicator": gettext_lazy("a recognised indicator"),
    "a blocking RPZ record": gettext_lazy("a blocking RPZ record"),
    "a name trigger": gettext_lazy("a name trigger"),
}


def describe(error: IndicatorError) -> str:
    """``error`` as a sentence in the active language (English: exactly ``str(error)``)."""
    what = KINDS.get(error.what)
    if what is None:
        return str(error)
    if error.detail:
        return _("not %(what)s: %(detail)s") % {"what": what, "detail": error.detail}
    return _("not %(what)s") % {"what": what}
