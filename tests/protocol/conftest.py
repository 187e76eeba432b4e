"""Fixtures for protocol tests: a real account, an enrolled endpoint and a paired device."""

from __future__ import annotations

import pytest

from e2ee_nvr_protocol import endpoint
from e2ee_nvr_protocol.passphrase import generate_passphrase
from tests.protocol.account_setup import AccountFixture, PairedDevice, fast_kdf_params, pair_device


@pytest.fixture(scope="session")
def account() -> AccountFixture:
    passphrase = generate_passphrase()
    document, first = endpoint.create_account(passphrase, kdf_params=fast_kdf_params())
    return AccountFixture(passphrase, document, first)


@pytest.fixture(scope="session")
def other_account() -> AccountFixture:
    passphrase = generate_passphrase()
    document, first = endpoint.create_account(passphrase, kdf_params=fast_kdf_params())
    return AccountFixture(passphrase, document, first)


@pytest.fixture(scope="session")
def device(account: AccountFixture) -> PairedDevice:
    return pair_device(account)
