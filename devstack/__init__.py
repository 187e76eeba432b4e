"""A development stack on loopback: a real Home Assistant, simulated cameras, the real agent.

Used by `./scripts/demo` (devstack/demo.py) and by the end-to-end tests (tests/e2e/): a `hass`
process with the integration, a GStreamer RTSP camera with an ONVIF event endpoint, the camera
agent as a process, and the user's side driven through the real panel in Chromium or through the
Python endpoint role. Not shipped: neither HACS nor the agent's distribution installs it.
"""
