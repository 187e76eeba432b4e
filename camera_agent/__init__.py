"""E2EE NVR camera agent: capture, cut, encrypt, spool and upload; and offline recovery."""
