"""What every Web API method handler is given: the workspace and the stores beside it.

It sits below the modules of handlers (`methods`, `directory`), which both import it, so that
neither has to import the other.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from slack_emulator.files import FileStore
from slack_emulator.models import JsonDict
from slack_emulator.responses import Responder
from slack_emulator.traffic import Traffic
from slack_emulator.views import ViewStore
from slack_emulator.workspace import Workspace


@dataclass(frozen=True)
class Backend:
    workspace: Workspace
    views: ViewStore
    responder: Responder
    traffic: Traffic
    files: FileStore = field(default_factory=FileStore)


Handler = Callable[[Backend, JsonDict], JsonDict]
