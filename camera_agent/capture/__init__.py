"""Capture: one ffmpeg per camera, fragmented MP4 parsed in memory, cut into clips for a sink."""
