"""The registry, the package's exports, purity, and detectors on hostile input."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import vigil.lib.detectors as detectors
from vigil.lib.detectors import DetectorResult, FormFacts, PageFacts, registry, run_all
from vigil.lib.detectors.base import DetectorRegistry

NAMES = (
    "apk_lure",
    "fake_government_notice",
    "fake_investment",
    "fake_loan",
    "fake_recruitment",
    "gambling",
    "phishing",
    "sms_spam",
)


def test_every_detector_is_registered_under_its_stable_name() -> None:
    assert registry.names() == NAMES
    assert detectors.run_all == registry.run_all
    assert {"DetectorResult", "FormFacts", "PageFacts", "registry", "run_all"} <= set(detectors.__all__)


def test_a_duplicate_name_is_refused() -> None:
    fresh = DetectorRegistry()
    fresh.register("x")(lambda facts: None)
    with pytest.raises(ValueError, match="registered twice"):
        fresh.register("x")(lambda facts: None)


def test_run_all_orders_by_score() -> None:
    facts = PageFacts(
        url="https://nhacai-vietcombank.top/",
        title="Vietcombank - Đăng nhập",
        text="Nhà cái uy tín, cá cược bóng đá, tài xỉu, nổ hũ, link vào nạp tiền.",
        forms=(FormFacts(input_types=("text", "password"), input_names=("u", "p")),),
    )
    results = run_all(facts)
    assert [(r.detector, r.score) for r in results] == [("phishing", 0.95), ("gambling", 0.91)]


SCRIPT = textwrap.dedent(
    """
    import builtins, socket, sys

    sys.modules["django"] = None
    sys.modules["sklearn"] = None  # scikit-learn is imported only when a model is trained or loaded

    def no_network(*args, **kwargs):
        raise AssertionError("a detector tried to use the network")

    socket.socket.connect = no_network
    socket.getaddrinfo = no_network
    real_open = builtins.open
    opened = []
    builtins.open = lambda file, *a, **k: (opened.append(str(file)), real_open(file, *a, **k))[1]
    import vigil.lib.detectors as d
    assert opened == [], opened
    r = d.run_all(d.PageFacts(url="https://vcb-xacthuc.com/", title="Vietcombank - Dang nhap",
                              forms=(d.FormFacts(input_types=("password",)),)))
    print(r[0].detector, r[0].label)
    """
)


def test_detectors_import_without_django_io_or_network() -> None:
    result = subprocess.run(
        [sys.executable, "-c", SCRIPT], capture_output=True, text=True, timeout=60, check=False
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "phishing phishing"


texts = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=300)
hosts = st.one_of(
    st.just(""),
    st.from_regex(r"https?://[a-z0-9.\-]{1,40}(/[a-z]{0,8})?", fullmatch=True),
    st.sampled_from(["http://[::1]/", "http://xn--zz.com/", "http://-a-.vn/", "http://192.168.0.1:8080/x"]),
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    url=hosts, title=texts, text=texts, links=st.lists(hosts, max_size=5), names=st.lists(texts, max_size=3)
)
def test_detectors_never_fail_on_odd_input(
    url: str, title: str, text: str, links: list[str], names: list[str]
) -> None:
    facts = PageFacts(
        url=url,
        final_url=url,
        title=title,
        text=text,
        links=tuple(links),
        downloads=tuple(f"{link}.apk" for link in links[:2]),
        forms=(FormFacts(action=url, input_names=tuple(names), labels=tuple(names)),),
    )
    for result in run_all(facts):
        assert isinstance(result, DetectorResult)
        assert 0.0 <= result.score <= 1.0 and result.label and result.explanation
