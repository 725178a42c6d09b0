"""A tiny clamd for the tests: a real unix socket speaking the INSTREAM protocol (clamd itself is not
installed here). It reports EICAR's test signature as found and everything else as OK."""

import socket
import struct
import threading

EICAR = b"X5O!P%@AP[4\\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*"


class FakeClamd:
    def __init__(self, path: str):
        self.path = path
        self.received: list[bytes] = []
        self.server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.server.bind(path)
        self.server.listen(4)
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _read_exactly(self, conn, size: int) -> bytes:
        data = b""
        while len(data) < size:
            chunk = conn.recv(size - len(data))
            if not chunk:
                raise ConnectionError("closed")
            data += chunk
        return data

    def _serve(self):
        while True:
            try:
                conn, _ = self.server.accept()
            except OSError:
                return
            with conn:
                command = b""
                while not command.endswith(b"\0"):
                    command += conn.recv(1)
                assert command == b"zINSTREAM\0"
                body = b""
                while True:
                    (length,) = struct.unpack("!L", self._read_exactly(conn, 4))
                    if length == 0:
                        break
                    body += self._read_exactly(conn, length)
                self.received.append(body)
                reply = b"stream: Eicar-Test-Signature FOUND\0" if EICAR in body else b"stream: OK\0"
                conn.sendall(reply)

    def close(self):
        self.server.close()
