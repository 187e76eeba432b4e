"""A fake ONVIF camera: an aiohttp server speaking SOAP 1.2 to the real onvif-zeep-async client.

It answers the operations the agent uses (device: GetSystemDateAndTime, GetServices,
GetDeviceInformation, GetCapabilities; media: GetProfiles, GetStreamUri, GetSnapshotUri;
events: CreatePullPointSubscription, PullMessages, Renew, Unsubscribe), checks WS-Security
UsernameToken PasswordDigest on every call but GetSystemDateAndTime (which ONVIF allows before
authentication, for clock sync), and emits motion events when the test calls `motion()`.
"""

from __future__ import annotations

import asyncio
import base64
import datetime as dt
import hashlib
import hmac
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from xml.sax.saxutils import escape

from aiohttp import web

from devstack.ports import free_port

NS = {
    "s": "http://www.w3.org/2003/05/soap-envelope",
    "wsse": "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd",
    "wsu": "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd",
}
DECLARATIONS = (
    'xmlns:s="http://www.w3.org/2003/05/soap-envelope" '
    'xmlns:tds="http://www.onvif.org/ver10/device/wsdl" '
    'xmlns:trt="http://www.onvif.org/ver10/media/wsdl" '
    'xmlns:tev="http://www.onvif.org/ver10/events/wsdl" '
    'xmlns:tt="http://www.onvif.org/ver10/schema" '
    'xmlns:wsnt="http://docs.oasis-open.org/wsn/b-2" '
    'xmlns:wsa="http://www.w3.org/2005/08/addressing" '
    'xmlns:ter="http://www.onvif.org/ver10/error" '
    'xmlns:tns1="http://www.onvif.org/ver10/topics"'
)
MOTION_TOPIC = "tns1:RuleEngine/CellMotionDetector/Motion"
PULL_WAIT_CAP_SECONDS = 1.0
OPEN_OPERATIONS = frozenset({"GetSystemDateAndTime"})


def _now() -> str:
    return dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _envelope(body: str) -> str:
    head = '<?xml version="1.0" encoding="UTF-8"?>'
    return f"{head}<s:Envelope {DECLARATIONS}><s:Body>{body}</s:Body></s:Envelope>"


def _fault(subcode: str, reason: str) -> web.Response:
    body = (
        "<s:Fault><s:Code><s:Value>s:Sender</s:Value><s:Subcode><s:Value>"
        f'{subcode}</s:Value></s:Subcode></s:Code><s:Reason><s:Text xml:lang="en">'
        f"{escape(reason)}</s:Text></s:Reason></s:Fault>"
    )
    return web.Response(status=400, text=_envelope(body), content_type="application/soap+xml")


def password_digest(nonce: bytes, created: str, password: str) -> str:
    """WS-Security UsernameToken Profile 1.0: Base64(SHA-1(nonce + created + password))."""
    raw = nonce + created.encode("utf-8") + password.encode("utf-8")
    return base64.b64encode(hashlib.sha1(raw).digest()).decode("ascii")  # noqa: S324 (the spec's)


@dataclass
class FakeOnvifCamera:
    """Configuration and observable state of the fake camera."""

    username: str
    password: str
    stream_uri: str
    port: int = 0
    events: asyncio.Queue[tuple[str, str, bool]] = field(default_factory=asyncio.Queue)
    calls: list[str] = field(default_factory=list)
    refused_logins: int = 0
    subscriptions: int = 0
    renewals: int = 0
    unsubscribes: int = 0

    def motion(self, active: bool, topic: str = MOTION_TOPIC, item: str = "IsMotion") -> None:
        """Queue one notification; the next PullMessages delivers it."""
        self.events.put_nowait((topic, item, active))

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}/onvif"

    # -- request handling ---------------------------------------------------------------------
    def _authenticated(self, envelope: ET.Element) -> bool:
        token = envelope.find("s:Header/wsse:Security/wsse:UsernameToken", NS)
        if token is None:
            return False
        username = token.findtext("wsse:Username", "", NS)
        digest = token.findtext("wsse:Password", "", NS)
        nonce = base64.b64decode(token.findtext("wsse:Nonce", "", NS))
        created = token.findtext("wsu:Created", "", NS)
        expected = password_digest(nonce, created, self.password)
        return username == self.username and hmac.compare_digest(digest, expected)

    async def handle(self, request: web.Request) -> web.Response:
        envelope = ET.fromstring(await request.read())  # noqa: S314 (trusted test input)
        body = envelope.find("s:Body", NS)
        if body is None or len(body) == 0:
            return _fault("ter:InvalidArgVal", "no SOAP body")
        operation = body[0].tag.rsplit("}", 1)[-1]
        self.calls.append(operation)
        if operation not in OPEN_OPERATIONS and not self._authenticated(envelope):
            self.refused_logins += 1
            return _fault("ter:NotAuthorized", "Sender not authorized")
        handler = getattr(self, f"op_{operation}", None)
        if handler is None:
            return _fault("ter:ActionNotSupported", f"{operation} not supported")
        answer: str = await handler(body[0])
        return web.Response(text=_envelope(answer), content_type="application/soap+xml")

    # -- device service -----------------------------------------------------------------------
    async def op_GetSystemDateAndTime(self, _request: ET.Element) -> str:
        now = dt.datetime.now(dt.UTC)
        return (
            "<tds:GetSystemDateAndTimeResponse><tds:SystemDateAndTime>"
            "<tt:DateTimeType>NTP</tt:DateTimeType><tt:DaylightSavings>false</tt:DaylightSavings>"
            f"<tt:UTCDateTime><tt:Time><tt:Hour>{now.hour}</tt:Hour><tt:Minute>{now.minute}"
            f"</tt:Minute><tt:Second>{now.second}</tt:Second></tt:Time><tt:Date><tt:Year>"
            f"{now.year}</tt:Year><tt:Month>{now.month}</tt:Month><tt:Day>{now.day}</tt:Day>"
            "</tt:Date></tt:UTCDateTime></tds:SystemDateAndTime></tds:GetSystemDateAndTimeResponse>"
        )

    async def op_GetServices(self, _request: ET.Element) -> str:
        services = [
            ("http://www.onvif.org/ver10/device/wsdl", "device_service"),
            ("http://www.onvif.org/ver10/media/wsdl", "media_service"),
            ("http://www.onvif.org/ver10/events/wsdl", "event_service"),
        ]
        entries = "".join(
            f"<tds:Service><tds:Namespace>{ns}</tds:Namespace><tds:XAddr>{self.base}/{path}"
            "</tds:XAddr><tds:Version><tt:Major>2</tt:Major><tt:Minor>60</tt:Minor>"
            "</tds:Version></tds:Service>"
            for ns, path in services
        )
        return f"<tds:GetServicesResponse>{entries}</tds:GetServicesResponse>"

    async def op_GetDeviceInformation(self, _request: ET.Element) -> str:
        return (
            "<tds:GetDeviceInformationResponse><tds:Manufacturer>E2EE NVR tests</tds:Manufacturer>"
            "<tds:Model>Fake ONVIF</tds:Model><tds:FirmwareVersion>1.0</tds:FirmwareVersion>"
            "<tds:SerialNumber>0001</tds:SerialNumber><tds:HardwareId>fake</tds:HardwareId>"
            "</tds:GetDeviceInformationResponse>"
        )

    async def op_GetCapabilities(self, _request: ET.Element) -> str:
        return (
            "<tds:GetCapabilitiesResponse><tds:Capabilities>"
            f"<tt:Device><tt:XAddr>{self.base}/device_service</tt:XAddr></tt:Device>"
            f"<tt:Events><tt:XAddr>{self.base}/event_service</tt:XAddr>"
            "<tt:WSSubscriptionPolicySupport>false</tt:WSSubscriptionPolicySupport>"
            "<tt:WSPullPointSupport>true</tt:WSPullPointSupport>"
            "<tt:WSPausableSubscriptionManagerInterfaceSupport>false"
            "</tt:WSPausableSubscriptionManagerInterfaceSupport></tt:Events>"
            f"<tt:Media><tt:XAddr>{self.base}/media_service</tt:XAddr><tt:StreamingCapabilities>"
            "<tt:RTPMulticast>false</tt:RTPMulticast><tt:RTP_TCP>true</tt:RTP_TCP>"
            "<tt:RTP_RTSP_TCP>true</tt:RTP_RTSP_TCP></tt:StreamingCapabilities></tt:Media>"
            "</tds:Capabilities></tds:GetCapabilitiesResponse>"
        )

    # -- media service ------------------------------------------------------------------------
    async def op_GetProfiles(self, _request: ET.Element) -> str:
        return (
            '<trt:GetProfilesResponse><trt:Profiles token="main" fixed="true">'
            "<tt:Name>mainStream</tt:Name>"
            '<tt:VideoEncoderConfiguration token="enc0"><tt:Name>enc0</tt:Name>'
            "<tt:UseCount>1</tt:UseCount><tt:Encoding>H264</tt:Encoding><tt:Resolution>"
            "<tt:Width>1280</tt:Width><tt:Height>720</tt:Height></tt:Resolution>"
            "<tt:Quality>5</tt:Quality></tt:VideoEncoderConfiguration>"
            "</trt:Profiles></trt:GetProfilesResponse>"
        )

    def _media_uri(self, element: str, uri: str) -> str:
        return (
            f"<trt:{element}Response><trt:MediaUri><tt:Uri>{escape(uri)}</tt:Uri>"
            "<tt:InvalidAfterConnect>false</tt:InvalidAfterConnect>"
            "<tt:InvalidAfterReboot>false</tt:InvalidAfterReboot><tt:Timeout>PT0S</tt:Timeout>"
            f"</trt:MediaUri></trt:{element}Response>"
        )

    async def op_GetStreamUri(self, _request: ET.Element) -> str:
        return self._media_uri("GetStreamUri", self.stream_uri)

    async def op_GetSnapshotUri(self, _request: ET.Element) -> str:
        return self._media_uri("GetSnapshotUri", f"{self.base}/snapshot.jpg")

    # -- events -------------------------------------------------------------------------------
    def _times(self) -> str:
        termination = dt.datetime.now(dt.UTC) + dt.timedelta(seconds=60)
        return (
            f"<wsnt:CurrentTime>{_now()}</wsnt:CurrentTime><wsnt:TerminationTime>"
            f"{termination.strftime('%Y-%m-%dT%H:%M:%SZ')}</wsnt:TerminationTime>"
        )

    async def op_CreatePullPointSubscription(self, _request: ET.Element) -> str:
        self.subscriptions += 1
        return (
            "<tev:CreatePullPointSubscriptionResponse><tev:SubscriptionReference><wsa:Address>"
            f"{self.base}/pullpoint/{self.subscriptions}</wsa:Address></tev:SubscriptionReference>"
            f"{self._times()}</tev:CreatePullPointSubscriptionResponse>"
        )

    def _notification(self, topic: str, item: str, active: bool) -> str:
        value = "true" if active else "false"
        return (
            "<wsnt:NotificationMessage><wsnt:Topic Dialect="
            '"http://www.onvif.org/ver10/tev/topicExpression/ConcreteSet">'
            f"{topic}</wsnt:Topic><wsnt:Message>"
            f'<tt:Message UtcTime="{_now()}" PropertyOperation="Changed"><tt:Source>'
            '<tt:SimpleItem Name="VideoSourceConfigurationToken" Value="vsc0"/></tt:Source>'
            f'<tt:Data><tt:SimpleItem Name="{item}" Value="{value}"/></tt:Data></tt:Message>'
            "</wsnt:Message></wsnt:NotificationMessage>"
        )

    async def op_PullMessages(self, _request: ET.Element) -> str:
        messages = []
        try:
            # A long poll, as cameras do, capped so a test's shutdown stays quick.
            first = await asyncio.wait_for(self.events.get(), PULL_WAIT_CAP_SECONDS)
            messages.append(self._notification(*first))
            while not self.events.empty():
                messages.append(self._notification(*self.events.get_nowait()))
        except TimeoutError:
            pass
        return (
            f"<tev:PullMessagesResponse><tev:CurrentTime>{_now()}</tev:CurrentTime>"
            f"<tev:TerminationTime>{_now()}</tev:TerminationTime>{''.join(messages)}"
            "</tev:PullMessagesResponse>"
        )

    async def op_Renew(self, _request: ET.Element) -> str:
        self.renewals += 1
        return f"<wsnt:RenewResponse>{self._times()}</wsnt:RenewResponse>"

    async def op_Unsubscribe(self, _request: ET.Element) -> str:
        self.unsubscribes += 1
        return "<wsnt:UnsubscribeResponse/>"

    async def op_SetSynchronizationPoint(self, _request: ET.Element) -> str:
        return "<tev:SetSynchronizationPointResponse/>"


async def serve(camera: FakeOnvifCamera) -> web.AppRunner:
    """Serve every /onvif/... path on a free loopback port (recorded in camera.port)."""
    app = web.Application()
    app.router.add_post("/onvif/{path:.*}", camera.handle)
    runner = web.AppRunner(app)
    await runner.setup()
    if camera.port == 0:
        camera.port = free_port()
    await web.TCPSite(runner, "127.0.0.1", camera.port).start()
    return runner
