// Node only: what the browser makes, the Python reference implementation and OpenSSL open.
// An account created here unlocks in Python with the passphrase alone; a backup made here
// opens with `openssl pkcs12 -passin pass:<hex(PDK)>`; a grant made here for a request the
// Python device made is accepted by that device. Needs .venv/py311 (./scripts/test builds it).

import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { accountToJson } from "../src/lib/crypto/account";
import { toHex } from "../src/lib/crypto/bytes";
import * as endpoint from "../src/lib/crypto/endpoint";
import * as envelope from "../src/lib/crypto/envelope";
import * as pairing from "../src/lib/crypto/pairing";
import { PASSPHRASE, cheapParams } from "./endpoint";
import { HAVE_PYTHON, PYTHON, python, run } from "./python";

const created = HAVE_PYTHON ? await endpoint.createAccount(PASSPHRASE, cheapParams()) : null;
const scratch = await mkdtemp(join(tmpdir(), "e2ee-nvr-interop-"));
afterAll(() => rm(scratch, { recursive: true, force: true }));

/** The account made above; only reached inside the suite that runs when Python is there. */
function made(): NonNullable<typeof created> {
  if (created === null) throw new Error("no account: the Python venv is missing");
  return created;
}

describe.skipIf(!HAVE_PYTHON)(`browser-made objects in Python (${PYTHON})`, () => {
  it("Python unlocks a TypeScript-made account with the passphrase and opens its data key", async () => {
    const { document } = made();
    const out = (await python(
      `
from e2ee_nvr_protocol import endpoint
from e2ee_nvr_protocol.account import AccountDocument
from e2ee_nvr_protocol.identifiers import key_id
document = AccountDocument.from_json(data["account"])
keys = endpoint.unlock_with_passphrase(document, data["passphrase"])
data_key = endpoint.open_data_key(document, keys.rdk)
print(json.dumps({"account_id": document.account_id, "signing": key_id(keys.signing.public_key()),
                  "data": key_id(data_key.public_key()), "epoch": endpoint.recipients.verify_recipient_set(
                      document.recipient_set, document.root_cert(),
                      pinned_data_key_id=key_id(data_key.public_key())).epoch,
                  "json_equal": document.to_json() == data["account"]}))
`,
      { account: accountToJson(document), passphrase: PASSPHRASE },
    )) as Record<string, unknown>;
    expect(out).toEqual({
      account_id: document.accountId,
      signing: document.accountId,
      data: (await endpoint.verifyCurrentSet(document, made().endpoint)).dataKeyId,
      epoch: 1,
      json_equal: true,
    });
  });

  it("openssl pkcs12 opens a TypeScript-made backup with pass:<hex(PDK)>", async () => {
    const { document } = made();
    const pdk = await endpoint.derivePdk(document, PASSPHRASE);
    const file = join(scratch, "signing.p12");
    await writeFile(file, document.backups.signing.p12);
    const out = await run("openssl", ["pkcs12", "-in", file, "-passin", `pass:${toHex(pdk)}`, "-nodes", "-info"], "");
    expect(out).toContain("-----BEGIN PRIVATE KEY-----");
    expect(out).toContain("friendlyName: signing");
    expect(out).toContain(document.accountId);
  });

  it("a Python device accepts a grant made here for its request", async () => {
    const { document, endpoint: self } = made();
    const now = Math.floor(Date.now() / 1000);
    const device = (await python(
      `
from cryptography.hazmat.primitives.serialization import Encoding, PrivateFormat, NoEncryption
from e2ee_nvr_protocol import pairing, primitives
from e2ee_nvr_protocol.encoding import b64encode
key = primitives.rsa_generate()
code = pairing.new_pairing_code()
maced, request = pairing.make_pairing_request(code, key, "box", [pairing.PairingCamera("cam", "Cam")], data["now"])
print(json.dumps({"code": pairing.format_code(code), "request": maced.to_json(), "expires_at": request.expires_at,
    "key": b64encode(key.private_bytes(Encoding.DER, PrivateFormat.PKCS8, NoEncryption()))}))
`,
      { now },
    )) as { code: string; request: Record<string, string>; expires_at: number; key: string };
    const keys = await endpoint.unlockWithInstance(document, self);
    const set = await endpoint.verifyCurrentSet(document, self);
    const request = envelope.macedFromJson(device.request);
    const { grant, deviceCert } = await pairing.makePairingGrant({
      request,
      typedCode: device.code.toLowerCase(),
      now,
      root: self.root,
      signingKey: keys.signing.privateKey,
      recipientSet: document.recipientSet,
      dataKeyId: set.dataKeyId,
    });
    const accepted = (await python(
      `
from cryptography.hazmat.primitives.serialization import load_der_private_key
from e2ee_nvr_protocol import pairing
from e2ee_nvr_protocol.encoding import b64decode
from e2ee_nvr_protocol.envelope import MacedEnvelope
from e2ee_nvr_protocol.identifiers import key_id
accepted = pairing.accept_pairing_grant(MacedEnvelope.from_json(data["grant"]), code=data["code"],
    request_payload_bytes=b64decode(data["request"]["payload"]),
    device_key=load_der_private_key(b64decode(data["key"]), None), expires_at=data["expires_at"],
    now=data["now"], already_used=False)
print(json.dumps({"account_id": accepted.account_id, "device_id": key_id(accepted.device_cert.public_key()),
                  "epoch": accepted.recipient_set.epoch}))
`,
      { ...device, grant: envelope.macedToJson(grant), now },
    )) as Record<string, unknown>;
    expect(accepted).toEqual({ account_id: document.accountId, device_id: deviceCert.key.keyId, epoch: 1 });
    keys.rdk.fill(0);
  });
});
