"""Fixtures for protocol tests: a real account, an enrolled endpoint and a paired device."""

from __future__ import annotations

import pytest

from tests.protocol.account_setup import AccountFixture, PairedDevice, new_account, pair_device


@pytest.fixture(scope="session")
def account() -> AccountFixture:
    return new_account()


@pytest.fixture(scope="session")
def other_account() -> AccountFixture:
    return new_account()


@pytest.fixture(scope="session")
def device(account: AccountFixture) -> PairedDevice:
    return pair_device(account)
