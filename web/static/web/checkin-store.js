// What the scanner keeps on the phone, in IndexedDB: each performance's check-in list (code
// hashes, never codes) and this phone's own scans — its check-ins, so that a second scan
// offline says "already used", and the queue of offline scans still to upload.
const DB_NAME = "sandali-checkin";
const LISTS = "lists"; // key: performance id -> {performance, version, etag, publicKey, ...}
const SCANS = "scans"; // key: local_id -> {local_id, performance, hash, code, scanned_at, ...}

function request(req) {
  return new Promise((resolve, reject) => {
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
}

export async function openStore() {
  const open = indexedDB.open(DB_NAME, 1);
  open.onupgradeneeded = () => {
    const db = open.result;
    db.createObjectStore(LISTS, { keyPath: "performance" });
    db.createObjectStore(SCANS, { keyPath: "local_id" }).createIndex("performance", "performance");
  };
  const db = await request(open);
  const store = (name, mode = "readonly") => db.transaction(name, mode).objectStore(name);
  return {
    list: (performance) => request(store(LISTS).get(performance)),
    saveList: (list) => request(store(LISTS, "readwrite").put(list)),
    scans: (performance) =>
      request(store(SCANS).index("performance").getAll(IDBKeyRange.only(performance))),
    pending: async () => (await request(store(SCANS).getAll())).filter((scan) => !scan.uploaded),
    saveScan: (scan) => request(store(SCANS, "readwrite").put(scan)),
    async clear() {
      await request(store(LISTS, "readwrite").clear());
      await request(store(SCANS, "readwrite").clear());
    },
  };
}
