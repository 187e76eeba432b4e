// PKCS#10 requests from devices at pairing (section 8.3): proof that the device holds its key.
//
// Only the public key is used by the issuer; the subject and attributes are ignored, so
// nothing the device wrote into its request reaches the certificate (certs.py's verify_csr).

import { AsnConvert } from "@peculiar/asn1-schema";
import { CertificationRequest } from "@peculiar/asn1-csr";
import * as certs from "./certs";
import { children, content, readElement, whole } from "./der";
import { MalformedObject, ProtocolError } from "./errors";

export const MAX_CSR_BYTES = 8192;

/**
 * The device key of a CSR whose rsa-pss-sha256 self-signature verifies over the exact
 * certificationRequestInfo bytes received. MalformedObject when it does not parse; UntrustedKey
 * when the key breaks section 2 or the signature (or its declared parameters) fails.
 */
export async function verifyCsr(der: Uint8Array): Promise<certs.CertifiedKey & { kind: "rsa" }> {
  if (der.length > MAX_CSR_BYTES) throw new MalformedObject(`CSR larger than ${MAX_CSR_BYTES} bytes`);
  const bytes = new Uint8Array(der);
  let parsed: CertificationRequest;
  let info: Uint8Array;
  let spki: Uint8Array<ArrayBuffer>;
  let bits: Uint8Array;
  try {
    parsed = AsnConvert.parse(bytes, CertificationRequest);
    const outer = readElement(bytes, 0);
    const [infoEl, algEl, sigEl] = children(bytes, outer);
    if (outer.end !== bytes.length || infoEl === undefined || algEl === undefined || sigEl?.tag !== 0x03) {
      throw new Error("not a certification request");
    }
    const spkiEl = children(bytes, infoEl)[2]; // version, subject, subjectPKInfo, [0] attributes
    if (spkiEl === undefined) throw new Error("short certificationRequestInfo");
    info = whole(bytes, infoEl);
    spki = new Uint8Array(whole(bytes, spkiEl));
    bits = content(bytes, sigEl);
  } catch (err) {
    throw new MalformedObject(`not a DER certificate request: ${String(err)}`);
  }
  let raw: certs.CertifiedKey;
  try {
    raw = await certs.readKey(spki, parsed.certificationRequestInfo.subjectPKInfo);
  } catch (err) {
    if (err instanceof ProtocolError) throw err;
    throw new MalformedObject(`CSR public key does not parse: ${String(err)}`);
  }
  const key = certs.checkRoleKey(raw, "device");
  if (key.kind !== "rsa") throw new MalformedObject("unreachable: device keys are RSA");
  await certs.checkPss(parsed.signatureAlgorithm, info, bits.subarray(1), bits[0] ?? -1, key, "CSR");
  return key;
}
