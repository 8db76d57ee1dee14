"""Everyone in the sandbox has been with Goodwill for months, unless a test says otherwise:
nobody is nudged in their first three weeks (bot.nudges.rules), and the rules are tested here
for the members they apply to."""

from __future__ import annotations

import pytest

from tests.nudging import with_goodwill_since_june


@pytest.fixture(autouse=True)
def members_with_goodwill_for_months(request: pytest.FixtureRequest) -> None:
    if "sandbox" in request.fixturenames:
        request.getfixturevalue("sandbox")
        with_goodwill_since_june(request.getfixturevalue("sessions"))
