"""The benchmark suite run by ./scripts/bench (never by ./scripts/test: it is too slow for CI)."""
