"""A TCP gate between the API and Temporal: closing it is Temporal going away for the API while the workers carry on."""

from __future__ import annotations

import asyncio
import contextlib
import socket


class TemporalGate:
    """Forward 127.0.0.1:<port> to Temporal's frontend while open; refuse (and drop live) connections while closed."""

    def __init__(self, target: str) -> None:
        host, port = target.rsplit(":", 1)
        self.target_host, self.target_port = host, int(port)
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            self.port = sock.getsockname()[1]
        self._server: asyncio.Server | None = None
        self._writers: set[asyncio.StreamWriter] = set()

    @property
    def address(self) -> str:
        """host:port a Temporal client connects to."""
        return f"127.0.0.1:{self.port}"

    async def open(self) -> None:
        """Start forwarding (again, on the same port)."""
        self._server = await asyncio.start_server(self._connect, "127.0.0.1", self.port, reuse_address=True)

    async def close(self) -> None:
        """Refuse new connections and cut the open ones: to the API's client, Temporal is unreachable."""
        if self._server is not None:
            self._server.close()
            self._server = None
        for writer in list(self._writers):
            writer.transport.abort()
        self._writers.clear()

    async def _connect(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        """Pipe one client connection to Temporal both ways until either side closes."""
        try:
            upstream_reader, upstream_writer = await asyncio.open_connection(self.target_host, self.target_port)
        except OSError:
            writer.transport.abort()
            return
        self._writers |= {writer, upstream_writer}
        await asyncio.gather(self._pipe(reader, upstream_writer), self._pipe(upstream_reader, writer))

    async def _pipe(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        """Copy bytes one way; closing ends the other direction too."""
        with contextlib.suppress(OSError, asyncio.IncompleteReadError):
            while data := await reader.read(65536):
                writer.write(data)
                await writer.drain()
        self._writers.discard(writer)
        writer.transport.abort()
