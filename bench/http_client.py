"""The load drivers' HTTP client: one keep-alive HTTP/1.1 connection over asyncio streams.

A driver shares the two cores with the services it measures. httpx spent about 2-3 ms of CPU
per request there, a fifth of the machine at 150 requests/s; writing the request and reading the
answer off the socket here costs a small part of that (0.3-0.4 ms). It reads what the services
send: a status line, headers and a body sized by Content-Length or sent in chunks.
"""

from __future__ import annotations

import asyncio
import json
from typing import Any


class Connection:
    """One keep-alive connection to `host:port`, opened on the first request."""

    def __init__(self, host: str, port: int) -> None:
        self.host, self.port = host, port
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def post(self, path: str, body: dict[str, Any], token: str) -> tuple[int, bytes]:
        content = json.dumps(body).encode()
        return await self._request(
            f"POST {path}",
            token,
            f"Content-Type: application/json\r\nContent-Length: {len(content)}\r\n",
            content,
        )

    async def get(self, path: str, token: str) -> tuple[int, bytes]:
        return await self._request(f"GET {path}", token, "", b"")

    async def _request(
        self, line: str, token: str, headers: str, content: bytes
    ) -> tuple[int, bytes]:
        if self.writer is None or self.reader is None:
            self.reader, self.writer = await asyncio.open_connection(self.host, self.port)
        head = (
            f"{line} HTTP/1.1\r\nHost: {self.host}:{self.port}\r\n"
            f"Authorization: Bearer {token}\r\n{headers}\r\n"
        )
        self.writer.write(head.encode() + content)
        reader = self.reader
        status = int((await reader.readline()).split(b" ", 2)[1])
        length, chunked, close = 0, False, False
        while (header := await reader.readline()) not in (b"\r\n", b""):
            name, _, value = header.partition(b":")
            name = name.strip().lower()
            if name == b"content-length":
                length = int(value)
            elif name == b"transfer-encoding":
                chunked = b"chunked" in value.lower()
            elif name == b"connection":
                close = b"close" in value.lower()
        answer = await self._chunks() if chunked else await reader.readexactly(length)
        if close:
            self.close()
        return status, answer

    async def _chunks(self) -> bytes:
        assert self.reader is not None
        parts = []
        while size := int((await self.reader.readline()).split(b";")[0], 16):
            parts.append(await self.reader.readexactly(size))
            await self.reader.readline()
        await self.reader.readline()
        return b"".join(parts)

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
        self.reader = self.writer = None
