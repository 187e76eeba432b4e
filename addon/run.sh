#!/bin/sh
# The add-on's main process: /data/options.json -> /data/agent.yaml, pair if needed (the code and
# QR code appear in the add-on log), then run the agent. See camera_agent/addon_options.py.
set -eu
exec python3 -m camera_agent.addon_options start --data-dir /data
