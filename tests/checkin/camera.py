"""A camera for Chromium's fake capture device: a YUV4MPEG2 (4:2:0) video that shows a QR code
for a moment, then nothing, in a loop, as a ticket held up to a phone and taken away."""

import io
from pathlib import Path

import segno
from PIL import Image


def qr_video(path: Path, text: str, *, size=(320, 240), fps=5, shown=8, hidden=22) -> Path:
    """Write the video to `path`: `shown` frames of the QR code, then `hidden` white frames."""
    width, height = size
    png = io.BytesIO()
    segno.make(text, error="m").save(png, kind="png", scale=4, border=4)
    code = Image.open(io.BytesIO(png.getvalue())).convert("L")
    frame = Image.new("L", size, 255)
    frame.paste(code, ((width - code.width) // 2, (height - code.height) // 2))
    chroma = bytes([128]) * ((width // 2) * (height // 2) * 2)  # no colour: U and V planes
    with_code = b"FRAME\n" + frame.tobytes() + chroma
    blank = b"FRAME\n" + bytes([255]) * (width * height) + chroma
    with path.open("wb") as video:
        video.write(f"YUV4MPEG2 W{width} H{height} F{fps}:1 Ip A1:1 C420jpeg\n".encode())
        video.write(with_code * shown + blank * hidden)
    return path
