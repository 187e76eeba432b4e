"""E2EE NVR protocol v1: one implementation of every role, with no Home Assistant import.

Imported as `e2ee_nvr_protocol` by the camera agent and the tests, and as
`custom_components.e2ee_nvr.protocol` inside Home Assistant. Relative imports only, so both
names load the same files. The normative description is docs/protocol.md.
"""

PROTOCOL_VERSION = 1
