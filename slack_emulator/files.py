"""Slack's external file uploads: reserve an upload URL, POST the bytes there, then complete.

files.getUploadURLExternal answers an upload URL and a file ID; the client POSTs the file's
bytes to that URL (files.slack.com on Slack, this emulator's /upload/v1/ path here); and
files.completeUploadExternal shares the files in channels, once. This is what slack_sdk's
`files_upload_v2` does. Shared files keep their bytes and alt text, so tests can read back what
was sent, and are served back, as Slack does at `url_private`, to a GET with the bot token.
"""

from __future__ import annotations

import mimetypes
import secrets
import threading
from dataclasses import dataclass

from slack_emulator.models import JsonDict, Message, SlackChannel, SlackEmulatorRejected
from slack_emulator.validation import as_text, decode_json
from slack_emulator.workspace import Workspace

UPLOAD_PREFIX = "/upload/v1/"
# Where shared files are served (url_private, url_private_download), as files.slack.com does.
FILES_PREFIX = "/files-pri/"
# How a POST of a file's bytes appears in the call log (it is not a Web API method).
UPLOAD_URL_METHOD = "upload_url"
MAX_ALT_TXT = 1_000


@dataclass
class _Reservation:
    file_id: str
    filename: str
    length: int
    alt_txt: str
    data: bytes | None = None


@dataclass(frozen=True)
class UploadedFile:
    """A file shared through files.completeUploadExternal, with the bytes that were uploaded."""

    id: str
    filename: str
    title: str
    content: bytes
    # Where it was shared (channel and DM ids); empty when the file was kept private.
    channels: tuple[str, ...]
    initial_comment: str
    thread_ts: str | None
    created: float
    alt_txt: str = ""

    @property
    def mimetype(self) -> str:
        return mimetypes.guess_type(self.filename)[0] or "application/octet-stream"

    @property
    def size(self) -> int:
        return len(self.content)

    @property
    def text(self) -> str:
        return self.content.decode("utf-8")


class FileStore:
    def __init__(self) -> None:
        # Upload URLs point at the emulator's own server, which sets this once it listens.
        self.base_url = ""
        self._lock = threading.Lock()
        self._reserved: dict[str, _Reservation] = {}
        self._by_path: dict[str, str] = {}
        self._shared: list[UploadedFile] = []

    def reserve(self, ws: Workspace, args: JsonDict) -> JsonDict:
        """files.getUploadURLExternal."""
        filename = as_text(args.get("filename")).strip()
        raw_length = as_text(args.get("length")).strip()
        missing = [
            name for name, value in (("filename", filename), ("length", raw_length)) if not value
        ]
        if missing:
            raise SlackEmulatorRejected(
                "invalid_arguments", [f"missing required field: {name}" for name in missing]
            )
        if not raw_length.isdigit() or int(raw_length) < 1:
            raise SlackEmulatorRejected(
                "invalid_arguments", ["length must be a whole number of bytes, at least 1"]
            )
        alt_txt = as_text(args.get("alt_txt"))
        if len(alt_txt) > MAX_ALT_TXT:
            raise SlackEmulatorRejected("alt_txt_too_large")
        file_id = ws.next_id("F")
        path = f"{UPLOAD_PREFIX}{secrets.token_urlsafe(24)}"
        with self._lock:
            self._reserved[file_id] = _Reservation(file_id, filename, int(raw_length), alt_txt)
            self._by_path[path] = file_id
        return {"upload_url": self.base_url + path, "file_id": file_id}

    def receive(self, path: str, data: bytes) -> tuple[int, str]:
        """A POST of the file's bytes to its upload URL: the HTTP status and body to answer.

        Each URL takes one upload, of exactly the length that was declared for it.
        """
        with self._lock:
            file_id = self._by_path.pop(path, None)
            reservation = self._reserved.get(file_id or "")
            if reservation is None:
                return 404, "not_found"
            if len(data) != reservation.length:
                self._by_path[path] = reservation.file_id
                return 400, f"length_mismatch: declared {reservation.length}, got {len(data)}"
            reservation.data = data
        return 200, f"OK - {len(data)}"

    def complete(self, ws: Workspace, args: JsonDict) -> JsonDict:
        """files.completeUploadExternal: share the uploaded files, each only once."""
        wanted = _file_list(args.get("files"))
        ids = [item["id"] for item in wanted]
        if len(set(ids)) != len(ids):
            raise SlackEmulatorRejected("invalid_arguments", ["each file may be listed once"])
        channels = _share_targets(ws, args)
        comment = as_text(args.get("initial_comment"))
        thread_ts = as_text(args.get("thread_ts")) or None
        with self._lock:
            ready = [self._reserved.get(item["id"]) for item in wanted]
            if any(r is None or r.data is None for r in ready):
                raise SlackEmulatorRejected("file_not_found")
            shared = [
                UploadedFile(
                    id=r.file_id,
                    filename=r.filename,
                    title=as_text(item.get("title")) or r.filename,
                    content=r.data,
                    channels=tuple(c.id for c in channels),
                    initial_comment=comment,
                    thread_ts=thread_ts,
                    created=ws.clock(),
                    alt_txt=r.alt_txt,
                )
                for item, r in zip(wanted, ready, strict=True)
                if r is not None and r.data is not None
            ]
            for file in shared:
                del self._reserved[file.id]
            self._shared.extend(shared)
        for channel in channels:
            # Slack posts one message per channel, carrying the comment and the files.
            ws.post(
                Message(
                    channel=channel.id,
                    ts=ws.next_ts(),
                    user=ws.identity.bot_user_id,
                    text=comment,
                    thread_ts=thread_ts,
                )
            )
        return {"files": [_file_json(ws, file, channels, self.base_url) for file in shared]}

    def download(self, ws: Workspace, path: str, token: str | None) -> tuple[int, str, bytes]:
        """A GET of a shared file's url_private: its status, content type and bytes. Slack
        wants the token that may read the file (here, the bot's) as a Bearer header."""
        if token != ws.identity.bot_token:
            return 403, "text/plain; charset=utf-8", b"not_authed"
        with self._lock:
            for file in self._shared:
                if path.startswith(_private_path(ws, file)) or path.startswith(
                    _private_path(ws, file, download=True)
                ):
                    return 200, file.mimetype, file.content
        return 404, "text/plain; charset=utf-8", b"file_not_found"

    def shared(self) -> list[UploadedFile]:
        with self._lock:
            return list(self._shared)

    def reset(self) -> None:
        with self._lock:
            self._reserved.clear()
            self._by_path.clear()
            self._shared.clear()


def _file_list(raw: object) -> list[JsonDict]:
    if raw is None or raw == "":
        raise SlackEmulatorRejected("invalid_arguments", ["missing required field: files"])
    files = decode_json(raw, "invalid_arguments")
    if (
        not isinstance(files, list)
        or not files
        or not all(isinstance(f, dict) and isinstance(f.get("id"), str) for f in files)
    ):
        raise SlackEmulatorRejected(
            "invalid_arguments", ["files must be a non-empty array of objects with an id"]
        )
    return files


def _share_targets(ws: Workspace, args: JsonDict) -> list[SlackChannel]:
    refs = [as_text(args.get("channel_id")).strip()]
    refs += [ref.strip() for ref in as_text(args.get("channels")).split(",")]
    targets: list[SlackChannel] = []
    for ref in dict.fromkeys(ref for ref in refs if ref):
        channel = ws.resolve_channel(ref)
        # Sharing a file is posting: the bot must be in the conversation.
        if ws.identity.bot_user_id not in channel.members:
            raise SlackEmulatorRejected("not_in_channel")
        targets.append(channel)
    return targets


def _private_path(ws: Workspace, file: UploadedFile, download: bool = False) -> str:
    where = "download/" if download else ""
    return f"{FILES_PREFIX}{where}{ws.identity.team_id}-{file.id}/"


def _file_json(
    ws: Workspace, file: UploadedFile, channels: list[SlackChannel], base_url: str
) -> JsonDict:
    ident = ws.identity
    mimetype = file.mimetype
    extension = file.filename.rpartition(".")[2].lower() if "." in file.filename else "binary"
    host = base_url or "https://files.slack.com"
    private_url = f"{host}{_private_path(ws, file)}{file.filename}"
    return {
        "id": file.id,
        "created": int(file.created),
        "timestamp": int(file.created),
        "name": file.filename,
        "title": file.title,
        "mimetype": mimetype,
        "filetype": extension,
        "pretty_type": extension.upper(),
        "user": ident.bot_user_id,
        "user_team": ident.team_id,
        "mode": "hosted",
        "editable": False,
        "is_external": False,
        "size": file.size,
        "is_public": any(not (c.is_private or c.is_im or c.is_mpim) for c in channels),
        "url_private": private_url,
        "url_private_download": f"{host}{_private_path(ws, file, download=True)}{file.filename}",
        "alt_txt": file.alt_txt,
        "permalink": f"https://{ident.team_domain}.slack.com/files/{ident.bot_user_id}/{file.id}",
        "channels": [c.id for c in channels if not (c.is_private or c.is_im or c.is_mpim)],
        "groups": [c.id for c in channels if c.is_private and not c.is_im],
        "ims": [c.id for c in channels if c.is_im],
        "comments_count": 0,
    }
