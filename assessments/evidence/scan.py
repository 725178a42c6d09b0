"""The optional virus scan: clamd's INSTREAM command over its unix socket (settings.CLAMD_SOCKET).

The protocol is four lines of documented framing (clamd(8): "zINSTREAM\\0", then chunks each preceded by
their length as a 4-byte big-endian integer, a zero length to end; the reply is "stream: OK" or
"stream: <name> FOUND"), so it is spoken here rather than through the `clamd` package, which has not had a
release since 2014. An unreachable or failing scanner refuses the upload (fail closed): a file that could
not be scanned is never stored.
"""

import socket
import struct

from django.conf import settings
from django.core.exceptions import ValidationError

CHUNK = 64 * 1024


class ScanUnavailable(ValidationError):
    pass


class Infected(ValidationError):
    pass


def scan(file) -> None:
    """Raise Infected or ScanUnavailable (ValidationErrors) unless clamd says the file is clean.
    Does nothing when CLAMD_SOCKET is not set."""
    path = settings.CLAMD_SOCKET
    if not path:
        return
    try:
        reply = _instream(path, file)
    except OSError:
        raise ScanUnavailable(
            "The virus scanner could not be reached, so the file was not uploaded. "
            "Try again in a few minutes."
        ) from None
    finally:
        file.seek(0)
    if reply.endswith("FOUND"):
        signature = reply.removeprefix("stream:").removesuffix("FOUND").strip()
        raise Infected(f"The virus scanner found {signature} in this file; it was not uploaded.")
    if reply != "stream: OK":
        raise ScanUnavailable(
            "The virus scanner could not check this file, so it was not uploaded. "
            "Try again, or ask NAM staff for help."
        )


def _instream(path: str, file) -> str:
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
        sock.settimeout(settings.CLAMD_TIMEOUT_SECONDS)
        sock.connect(path)
        sock.sendall(b"zINSTREAM\0")
        file.seek(0)
        for chunk in iter(lambda: file.read(CHUNK), b""):
            sock.sendall(struct.pack("!L", len(chunk)) + chunk)
        sock.sendall(struct.pack("!L", 0))
        reply = b""
        while not reply.endswith(b"\0"):
            data = sock.recv(4096)
            if not data:
                break
            reply += data
    return reply.rstrip(b"\0").decode("utf-8", "replace").strip()
