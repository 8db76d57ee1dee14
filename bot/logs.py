"""Log lines: the readable text format by default, or one JSON object a line for log pipelines
(LOG_FORMAT=json), gunicorn's error and access logs included.

A JSON line has `time` (UTC, ISO 8601), `level`, `logger` and `message`; `exception` when
there is a traceback; `team_id` when the line was logged while serving a workspace's request
(set by bot.listeners.workspace) or the record was given one (`extra={"team_id": ...}`); and,
for gunicorn's access log, `http` (method, path, status, duration).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Any

from gunicorn import glogging

TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"

# The workspace whose request this thread is serving, for the log lines written meanwhile.
serving_workspace: ContextVar[str | None] = ContextVar("serving_workspace", default=None)


class WorkspaceOnRecord(logging.Filter):
    """Puts the workspace being served on each record that does not name one itself."""

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "team_id", None) is None:
            record.team_id = serving_workspace.get()
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object a line, as log pipelines read them."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        team_id = getattr(record, "team_id", None)
        if team_id:
            entry["team_id"] = team_id
        if record.name == "gunicorn.access" and isinstance(record.args, Mapping):
            entry["http"] = _request_of(record.args)
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        if record.stack_info:
            entry["stack"] = self.formatStack(record.stack_info)
        return json.dumps(entry, ensure_ascii=False, default=str)


def _request_of(atoms: Mapping[str, Any]) -> dict[str, Any]:
    """What gunicorn's access log knows of a request (its atoms: m, U, s, D in µs)."""
    try:
        duration_ms: float | None = int(atoms["D"]) / 1000
    except (KeyError, TypeError, ValueError):
        duration_ms = None
    return {
        "method": atoms.get("m"),
        "path": atoms.get("U"),
        "status": atoms.get("s"),
        "duration_ms": duration_ms,
    }


def formatter_for(log_format: str) -> logging.Formatter:
    return JsonFormatter() if log_format == "json" else logging.Formatter(TEXT_FORMAT)


def configure_logging(level: str, log_format: str) -> None:
    """The root logger's one handler, on stderr, in `log_format` ("text" or "json")."""
    handler = logging.StreamHandler()
    handler.setFormatter(formatter_for(log_format))
    handler.addFilter(WorkspaceOnRecord())
    logging.basicConfig(level=level, handlers=[handler])


class JsonGunicornLogger(glogging.Logger):  # type: ignore[misc]
    """gunicorn's error and access logs as JSON lines too (gunicorn's `logger_class`)."""

    def setup(self, cfg: Any) -> None:
        super().setup(cfg)
        for log in (self.error_log, self.access_log):
            for handler in log.handlers:
                handler.setFormatter(JsonFormatter())
