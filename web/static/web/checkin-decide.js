// Deciding a scan on the phone, without the server: a pass's Ed25519 signature is verified with
// the public key from the check-in list (WebCrypto), its performance compared with the door's,
// and its code's SHA-256 looked up in the list and in this phone's own check-ins. The answers
// are the server's codes, so the page shows an offline decision exactly as an online one.
const PREFIX = "SND1";
const CODE = /^[A-Z2-7]{16}$/;
const encoder = new TextEncoder();

export function fromBase64Url(text) {
  const base64 = text.replace(/-/g, "+").replace(/_/g, "/") + "===".slice((text.length + 3) % 4);
  return Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
}

export async function sha256Hex(text) {
  const digest = await crypto.subtle.digest("SHA-256", encoder.encode(text));
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, "0")).join("");
}

// What a scanned or typed text names: {code, performance, signed, message, signature}, or null
// when it is neither a pass nor a ticket code (as orders/passes.py read_pass reads it).
export function readPass(text) {
  text = text.trim();
  if (text.startsWith(`${PREFIX}:`)) {
    const parts = text.split(":");
    if (parts.length !== 4 || !/^\d+$/.test(parts[1]) || !CODE.test(parts[2])) return null;
    try {
      return {
        code: parts[2], performance: Number(parts[1]), signed: true,
        message: `${PREFIX}:${parts[1]}:${parts[2]}`, signature: fromBase64Url(parts[3]),
      };
    } catch {
      return null;
    }
  }
  const code = text.replace(/[\s-]/g, "").toUpperCase();
  return CODE.test(code) ? { code, performance: null, signed: false } : null;
}

const keys = new Map();
async function verifyKey(publicKey) {
  if (!keys.has(publicKey)) {
    keys.set(publicKey, crypto.subtle.importKey(
      "raw", fromBase64Url(publicKey), { name: "Ed25519" }, false, ["verify"],
    ));
  }
  return keys.get(publicKey);
}

// true or false; null where this browser's WebCrypto has no Ed25519 (older browsers, e.g.
// Chrome before 137): then only the list can vouch for a ticket.
export async function signatureValid(pass, publicKey) {
  let key;
  try {
    key = await verifyKey(publicKey);
  } catch (error) {
    keys.delete(publicKey);
    return error?.name === "NotSupportedError" ? null : false;
  }
  try {
    return await crypto.subtle.verify(
      { name: "Ed25519" }, key, pass.signature, encoder.encode(pass.message),
    );
  } catch {
    return false;
  }
}

// The decision for a scan: {result, hash, row?, checkedIn?, notInList?}. `list` maps a code's
// hash to its row of the check-in list; `mine` maps it to this phone's own check-in.
export async function decide(text, { performance, list, mine, publicKey }) {
  const pass = readPass(text);
  if (!pass) return { result: "ticket_not_found" };
  const hash = await sha256Hex(pass.code);
  const row = list.get(hash);
  if (pass.signed) {
    const valid = await signatureValid(pass, publicKey);
    if (valid === false || (valid === null && !row)) return { result: "ticket_not_found" };
    if (pass.performance !== performance) return { result: "wrong_performance", hash };
  } else if (!row) {
    return { result: "ticket_not_found" }; // a typed code is only as good as the list
  }
  if (row && !row.valid) return { result: "ticket_cancelled", hash, row };
  const checkedIn = mine.get(hash) ??
    (row?.checked_in_at ? { at: row.checked_in_at, device: row.checked_in_by } : null);
  if (checkedIn) return { result: "already_checked_in", hash, row, checkedIn };
  return { result: "admitted", hash, row, notInList: !row };
}
