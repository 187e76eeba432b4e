"""Package discovery that pyproject.toml cannot express: the protocol installs under a new name.

The protocol lives inside the Home Assistant integration (custom_components/e2ee_nvr/protocol/),
because HACS installs only that folder; the agent imports it as `e2ee_nvr_protocol`. setuptools'
`packages.find` cannot see a folder under another name, so the list is computed here instead of
kept by hand. Everything else is in pyproject.toml.
"""

from setuptools import find_packages, setup

PROTOCOL_DIR = "custom_components/e2ee_nvr/protocol"

setup(
    packages=[
        *find_packages(include=["camera_agent", "camera_agent.*"]),
        "e2ee_nvr_protocol",
        *(f"e2ee_nvr_protocol.{name}" for name in find_packages(PROTOCOL_DIR)),
    ],
)
