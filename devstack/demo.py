"""`./scripts/demo`: a real HA with the integration, a simulated camera and a pairing agent.

Interactive (default): prints the login and the agent's pairing code, records on simulated
motion once paired, and runs until Ctrl-C. `--auto`: runs the whole flow with no one at the
keyboard (devstack/flow_driver.py), through the real panel and dashboard card in headless
Chromium (devstack/browser_driver.py), keeps a screenshot of every screen in
test-artifacts/demo/, and exits 0 when a clip was recorded, uploaded, and decrypted and played in
the panel and in the card. `--auto --driver python` plays the user with the protocol's Python
endpoint instead (no browser).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import signal
import socket
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

from devstack.agent_process import AgentFailed
from devstack.browser import fresh_dir
from devstack.browser_driver import BrowserDriver
from devstack.flow_driver import FlowDriver, PythonEndpointDriver, run_flow
from devstack.hass_process import REPO_ROOT
from devstack.stack import Stack, StackSettings, running_stack

LOG = logging.getLogger("demo")
DEMO_PORT = 8123
# Interactive demo: someone walks past the camera every 30 s for 5 s, so clips keep coming.
MOTION_EVERY_SECONDS = 30.0
MOTION_BURST_SECONDS = 5.0
PANEL_PATH = "/e2ee-nvr"
ACCOUNT_POLL_SECONDS = 1.0
# A code is valid for 10 minutes, after which `pair` exits and the demo shows a new one.
PAIRING_WAIT_SECONDS = 11 * 60.0
DEMO_SHOTS = REPO_ROOT / "test-artifacts" / "demo"
PYTHON_DRIVER_NOTE = (
    "This run played the user with the protocol's Python endpoint over HA's real websocket and "
    "HTTP APIs (--driver python); without it, the demo drives the panel in Chromium."
)


def port_is_free(port: int) -> bool:
    with socket.socket() as probe:
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def login_banner(stack: Stack) -> str:
    url = stack.hass.url
    return f"""
================================================================================
 E2EE NVR demo is running. Press Ctrl-C to stop everything.

 Home Assistant   {url}
 Login            user {stack.owner.username!r}, password {stack.owner.password!r}
 Panel            {url}{PANEL_PATH}

 1. Log in, open the panel and turn E2EE on (keep the passphrase it shows).
 2. The camera agent's pairing code appears here as soon as you have: the agent
    can only ask to pair once an account exists.
 Logs: {stack.hass.layout.log_path}
       {stack.agent.log_dir}
================================================================================
"""


def code_banner(code: str) -> str:
    return f"""
================================================================================
 Pairing code     {code}
 Enter it in the panel (Add camera agent) within 10 minutes. Once paired, the
 simulated camera reports motion every {MOTION_EVERY_SECONDS:.0f} s and clips appear in the panel.
================================================================================
"""


async def wait_for_account(stack: Stack) -> None:
    """Until someone turns E2EE on: HA refuses pairing requests before that (409 no_account)."""
    socket = await stack.api.websocket()
    try:
        while not (await socket.call("e2ee_nvr/account/get"))["enabled"]:
            await asyncio.sleep(ACCOUNT_POLL_SECONDS)
    finally:
        await socket.close()


async def pair_then_record(stack: Stack) -> None:
    """Show the agent's code once E2EE is on; when the user enters it, start recording."""
    await wait_for_account(stack)
    LOG.info("E2EE is on: starting `camera_agent pair`")
    while True:
        print(code_banner(await stack.agent.start_pairing()), flush=True)
        try:
            await stack.agent.wait_paired(timeout=PAIRING_WAIT_SECONDS)
            break
        except AgentFailed as err:
            # An expired or mistyped code ends `pair`; a new run shows a new code.
            LOG.warning("pairing did not complete (%s); here is a new code", err)
            await stack.agent.stop()
    LOG.info("agent paired: starting `camera_agent run`; motion every %.0f s", MOTION_EVERY_SECONDS)
    await stack.agent.start_running()
    stack.camera.start_periodic_motion(MOTION_EVERY_SECONDS, MOTION_BURST_SECONDS)


async def wait_for_stop() -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    await stop.wait()


async def interactive(settings: StackSettings) -> int:
    async with running_stack(settings) as stack:
        print(login_banner(stack), flush=True)
        flow = asyncio.create_task(pair_then_record(stack), name="demo:pair_then_record")
        stopped = asyncio.create_task(wait_for_stop(), name="demo:wait_for_stop")
        try:
            await asyncio.wait({flow, stopped}, return_when=asyncio.FIRST_COMPLETED)
            if flow.done():
                await flow  # re-raises a failure; a success leaves the demo recording
            await stopped
        finally:
            print("\nStopping: agent, camera, Home Assistant...", flush=True)
            for task in (flow, stopped):
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
    return 0


async def automatic(settings: StackSettings, driver: FlowDriver) -> int:
    async with running_stack(settings) as stack:
        try:
            played = await run_flow(stack, driver)
            if isinstance(driver, BrowserDriver):
                # The card as a user sets it up: live view (the card's default mode) above the
                # clips, with the day timeline on.
                dashboard = await driver.add_card(stack, mode=None, timeline=True)
                await driver.play_in_card(stack, dashboard, played.clip_id)
        finally:
            await driver.close()
    if isinstance(driver, BrowserDriver):
        note = (
            f"Chromium turned E2EE on, paired the camera by its code, and played the clip in the "
            f"panel and in the dashboard card; its download equals the clip decrypted from the "
            f"passphrase.\nScreenshots: {driver.screenshot_dir}"
        )
    else:
        note = PYTHON_DRIVER_NOTE
    print(
        f"\nOK: clip {played.clip_id} from camera {played.camera_id} was recorded on motion, "
        f"encrypted by the agent, stored by HA as ciphertext, and decrypted by the enrolled "
        f"endpoint ({played.size_bytes} bytes of MP4).\n{note}",
        flush=True,
    )
    return 0


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="scripts/demo", description=__doc__)
    parser.add_argument("--auto", action="store_true", help="run the whole flow headless, exit")
    parser.add_argument(
        "--driver",
        choices=("browser", "python"),
        default="browser",
        help="with --auto: who plays the user (default: Chromium through the panel)",
    )
    parser.add_argument("--port", type=int, default=DEMO_PORT, help="HA's port (default 8123)")
    parser.add_argument(
        "--work-dir", type=Path, help="where HA's config, media and the agent live (default: new)"
    )
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s: %(message)s")
    # The fake ONVIF server logs every pull-point poll (one a second): noise in a demo.
    logging.getLogger("aiohttp.access").setLevel(logging.WARNING)
    if not port_is_free(args.port):
        print(
            f"scripts/demo: port {args.port} on 127.0.0.1 is in use (another HA?)", file=sys.stderr
        )
        return 1
    work_dir = args.work_dir or Path(tempfile.mkdtemp(prefix="e2ee-nvr-demo-"))
    LOG.info("working in %s", work_dir)
    settings = StackSettings(work_dir=work_dir, port=args.port)
    try:
        if args.auto:
            driver: FlowDriver
            if args.driver == "python":
                # Real key-derivation parameters: the demo shows the product, not shortcuts.
                driver = PythonEndpointDriver(fast_kdf=False)
            else:
                driver = BrowserDriver(fresh_dir(DEMO_SHOTS), work_dir / "browser-profiles")
            return asyncio.run(automatic(settings, driver))
        return asyncio.run(interactive(settings))
    # Any failure: one readable line for the user; the details are in the logs named.
    except Exception as err:
        print(f"scripts/demo: FAILED: {type(err).__name__}: {err}", file=sys.stderr)
        print(f"scripts/demo: logs are in {work_dir}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
