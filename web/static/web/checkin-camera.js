// The camera at the door: the back camera's picture is searched for QR codes a few times a
// second, with the browser's BarcodeDetector where it reads QR codes (Android, macOS), else
// with jsQR (vendored, loaded only then). Every code seen is handed to onCode; the caller
// decides what to do with repeats.
const EVERY_MS = 150;
const MAX_WIDTH = 640;

function loadScript(src) {
  return new Promise((resolve, reject) => {
    const script = document.createElement("script");
    script.src = src;
    script.onload = resolve;
    script.onerror = reject;
    document.head.append(script);
  });
}

async function qrReader(video, jsqrUrl) {
  if ("BarcodeDetector" in window) {
    const formats = await window.BarcodeDetector.getSupportedFormats();
    if (formats.includes("qr_code")) {
      const detector = new window.BarcodeDetector({ formats: ["qr_code"] });
      return async () => (await detector.detect(video))[0]?.rawValue ?? null;
    }
  }
  if (!window.jsQR) await loadScript(jsqrUrl);
  const canvas = document.createElement("canvas");
  const context = canvas.getContext("2d", { willReadFrequently: true });
  return async () => {
    if (!video.videoWidth) return null;
    const scale = Math.min(1, MAX_WIDTH / video.videoWidth);
    canvas.width = Math.round(video.videoWidth * scale);
    canvas.height = Math.round(video.videoHeight * scale);
    context.drawImage(video, 0, 0, canvas.width, canvas.height);
    const image = context.getImageData(0, 0, canvas.width, canvas.height);
    return window.jsQR(image.data, image.width, image.height, { inversionAttempts: "attemptBoth" })
      ?.data || null;
  };
}

// Start the camera into `video`; returns a function that stops it.
export async function startCamera(video, onCode, { jsqrUrl }) {
  const stream = await navigator.mediaDevices.getUserMedia({
    video: { facingMode: "environment" }, audio: false,
  });
  video.srcObject = stream;
  await video.play();
  const read = await qrReader(video, jsqrUrl);
  let running = true;
  const tick = async () => {
    if (!running) return;
    try {
      const code = await read();
      if (code) onCode(code);
    } catch {
      // a frame that could not be read: the next one will be
    }
    setTimeout(tick, EVERY_MS);
  };
  tick();
  return () => {
    running = false;
    stream.getTracks().forEach((track) => track.stop());
    video.srcObject = null;
  };
}
