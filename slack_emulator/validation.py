"""The checks Slack runs on message content, Block Kit and views before accepting them.

slack_sdk's Block Kit models carry most of Slack's length limits, so each block is parsed and
serialised through them; the few shapes they silently accept but Slack rejects (an unknown
element type, a text object with a made-up type) are checked here as well.
"""

from __future__ import annotations

import copy
import functools
import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from slack_sdk.errors import SlackObjectFormationError
from slack_sdk.models.blocks import Block
from slack_sdk.models.views import View

from slack_emulator.models import JsonDict, SlackEmulatorRejected

MAX_MESSAGE_BLOCKS = 50
MAX_VIEW_BLOCKS = 100
MAX_TEXT = 40_000
MAX_MARKDOWN_TEXT = 12_000
MAX_ATTACHMENTS = 100
MAX_VIEW_BYTES = 250 * 1024
MAX_VIEW_TEXT = 24
MAX_SECTION_FIELD = 2_000
MAX_TEXT_OBJECT = 3_000  # any text object's text (slack_sdk checks it only where it is named)
TEXT_TYPES = ("plain_text", "mrkdwn")
# chat.postMessage's arguments as Slack's Web API spec lists them (slackapi/slack-api-specs,
# web-api/slack_web_openapi_v2.json), with `markdown_text` and `metadata`, documented on the
# method's page since, and `team_id`, which slack_sdk adds to every call of a client Bolt made
# for a workspace (org-wide apps need it). Anything else, such as a slash command answer's
# `response_type` or `replace_original`, is a mistake the spec flags as `invalid_arg_name`.
# fmt: off
CHAT_POST_MESSAGE_ARGUMENTS = frozenset({
    "as_user", "attachments", "blocks", "channel", "icon_emoji", "icon_url", "link_names",
    "markdown_text", "metadata", "mrkdwn", "parse", "reply_broadcast", "team_id", "text",
    "thread_ts", "token", "unfurl_links", "unfurl_media", "username",
})
# fmt: on
CONTEXT_ELEMENT_TYPES = ("image", "plain_text", "mrkdwn")


def _block_classes(root: type[Block]) -> Iterator[type[Block]]:
    for sub in root.__subclasses__():
        yield sub
        yield from _block_classes(sub)


@functools.cache
def _known_block_types() -> frozenset[str]:
    # Asking the SDK keeps the emulator in step with the block types slack_sdk knows, and checking
    # first spares the terminal the SDK's "Unknown block detected" log line.
    found = (getattr(cls, "type", None) for cls in _block_classes(Block))
    return frozenset(kind for kind in found if isinstance(kind, str))


@dataclass(frozen=True)
class MessageContent:
    """What a message will show; `None` means the request left that part out."""

    text: str
    blocks: list[JsonDict] | None
    attachments: list[JsonDict] | None

    @property
    def is_empty(self) -> bool:
        return not (self.text.strip() or self.blocks or self.attachments)


def as_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    return json.dumps(value) if isinstance(value, dict | list) else str(value)


def truthy(value: object) -> bool:
    """Booleans arrive as true/false in JSON and as "1"/"0" or "true"/"false" in forms."""
    return value is True or (isinstance(value, str) and value.lower() in ("true", "1"))


def decode_json(value: object, error: str) -> Any:
    """Form-encoded requests carry `blocks`, `attachments` and `view` as JSON strings."""
    if not isinstance(value, str):
        return value
    try:
        return json.loads(value)
    except ValueError:
        raise SlackEmulatorRejected(error) from None


def _decode_list(value: object, error: str) -> list[JsonDict]:
    decoded = decode_json(value, error)
    if not isinstance(decoded, list) or not all(isinstance(item, dict) for item in decoded):
        raise SlackEmulatorRejected(error)
    return decoded


def check_arguments(args: Mapping[str, Any], known: frozenset[str]) -> None:
    """`invalid_arg_name`, naming them, for arguments the method does not take."""
    unknown = sorted(name for name in args if name not in known)
    if unknown:
        raise SlackEmulatorRejected(
            "invalid_arg_name", [f"unknown argument: {name}" for name in unknown]
        )


def message_content(args: Mapping[str, Any], *, validate: bool) -> MessageContent:
    """The text, blocks and attachments of a chat.* request or a response_url body."""
    text = as_text(args.get("text"))
    markdown = as_text(args.get("markdown_text"))
    blocks = _decode_list(args["blocks"], "invalid_blocks_format") if "blocks" in args else None
    attachments = None
    if "attachments" in args:
        attachments = _decode_list(args["attachments"], "invalid_attachments")
    if markdown and (text or blocks):
        raise SlackEmulatorRejected("markdown_text_conflict")
    content = MessageContent(text or markdown, blocks, attachments)
    if content.is_empty:
        raise SlackEmulatorRejected("no_text")
    if len(text) > MAX_TEXT or len(markdown) > MAX_MARKDOWN_TEXT:
        raise SlackEmulatorRejected("msg_too_long")
    if attachments is not None and len(attachments) > MAX_ATTACHMENTS:
        raise SlackEmulatorRejected("too_many_attachments")
    if validate:
        check_blocks(blocks or [], pointer="/blocks", limit=MAX_MESSAGE_BLOCKS)
        for index, attachment in enumerate(attachments or []):
            inner = decode_json(attachment.get("blocks", []), "invalid_attachments")
            if not isinstance(inner, list):
                raise SlackEmulatorRejected("invalid_attachments")
            check_blocks(inner, pointer=f"/attachments/{index}/blocks", limit=MAX_MESSAGE_BLOCKS)
    return content


def check_blocks(
    blocks: list[Any], *, pointer: str, limit: int, error: str = "invalid_blocks"
) -> None:
    problems = block_problems(blocks, pointer=pointer, limit=limit)
    if problems:
        raise SlackEmulatorRejected(error, problems)


def block_problems(blocks: list[Any], *, pointer: str, limit: int) -> list[str]:
    if len(blocks) > limit:
        return [f"no more than {limit} items allowed [json-pointer:{pointer}]"]
    problems: list[str] = []
    seen_ids: set[str] = set()
    for index, block in enumerate(blocks):
        problem = _block_problem(block)
        block_id = block.get("block_id") if isinstance(block, dict) else None
        if problem is None and isinstance(block_id, str):
            if block_id in seen_ids:
                problem = f"duplicate block_id: {block_id}"
            seen_ids.add(block_id)
        if problem is not None:
            problems.append(f"{problem} [json-pointer:{pointer}/{index}]")
    return problems


def _block_problem(block: object) -> str | None:
    if not isinstance(block, dict):
        return "expected an object"
    kind = block.get("type")
    if kind not in _known_block_types():
        return f"unsupported block type: {kind}"
    shape = _shape_problem(block)
    if shape is not None:
        return shape
    try:
        # parse() keeps references into the dict it is given; a copy keeps the request intact.
        parsed = Block.parse(copy.deepcopy(block))
        if parsed is None or type(parsed) is Block:
            return f"unsupported block type: {kind}"
        rendered = parsed.to_dict()
    except SlackObjectFormationError as exc:
        return str(exc)
    except (TypeError, ValueError, KeyError, AttributeError) as exc:
        return f"invalid {kind} block: {exc}"
    if _has_none(rendered):
        # The SDK drops elements of unknown types as None; Slack rejects the whole block.
        return "unsupported element type"
    return None


def _has_none(value: object) -> bool:
    if value is None:
        return True
    if isinstance(value, dict):
        return any(_has_none(v) for v in value.values())
    if isinstance(value, list):
        return any(_has_none(v) for v in value)
    return False


def _text_problem(value: object, allowed: tuple[str, ...], where: str) -> str | None:
    if not isinstance(value, dict) or value.get("type") not in allowed:
        return f"{where} must be a text object of type {' or '.join(allowed)}"
    if not isinstance(value.get("text"), str) or not value["text"]:
        return f"{where} must have non-empty text"
    return None


def _shape_problem(block: JsonDict) -> str | None:
    kind = block["type"]
    problems: list[str | None] = []
    if kind == "section":
        if "text" in block:
            problems.append(_text_problem(block["text"], TEXT_TYPES, "text"))
        for field in block.get("fields") or []:
            problems.append(_text_problem(field, TEXT_TYPES, "fields"))
            if isinstance(field, dict) and len(as_text(field.get("text"))) > MAX_SECTION_FIELD:
                problems.append(f"fields text cannot exceed {MAX_SECTION_FIELD} characters")
        problems.append(_element_problem(block.get("accessory")))
    elif kind == "header":
        problems.append(_text_problem(block.get("text"), ("plain_text",), "text"))
    elif kind == "context":
        for element in block.get("elements") or []:
            if not isinstance(element, dict) or element.get("type") not in CONTEXT_ELEMENT_TYPES:
                problems.append("context elements must be image, plain_text or mrkdwn")
            elif len(as_text(element.get("text"))) > MAX_TEXT_OBJECT:
                problems.append(f"context element text cannot exceed {MAX_TEXT_OBJECT} characters")
    elif kind == "actions":
        problems.extend(_element_problem(e) for e in block.get("elements") or [])
    return next((p for p in problems if p is not None), None)


def _element_problem(element: object) -> str | None:
    if isinstance(element, dict) and element.get("type") == "button":
        return _text_problem(element.get("text"), ("plain_text",), "button text")
    return None


def checked_view(raw: object, *, allowed_types: tuple[str, ...], validate: bool) -> JsonDict:
    """The view of a views.* request, or `invalid_arguments` with Slack-style reasons."""
    view = decode_json(raw, "invalid_arguments")
    if not isinstance(view, dict):
        raise SlackEmulatorRejected(
            "invalid_arguments", ["failed to match all allowed schemas [json-pointer:/view]"]
        )
    if view.get("type") not in allowed_types:
        raise SlackEmulatorRejected(
            "invalid_arguments",
            [f"type must be one of {', '.join(allowed_types)} [json-pointer:/view/type]"],
        )
    if len(json.dumps(view).encode()) > MAX_VIEW_BYTES:
        raise SlackEmulatorRejected("view_too_large")
    if validate:
        problems = _view_problems(view)
        if problems:
            raise SlackEmulatorRejected("invalid_arguments", problems)
    return view


def _view_problems(view: JsonDict) -> list[str]:
    blocks = view.get("blocks")
    if not isinstance(blocks, list):
        return ["missing required field: blocks [json-pointer:/view]"]
    problems = block_problems(blocks, pointer="/view/blocks", limit=MAX_VIEW_BLOCKS)
    if view["type"] == "modal":
        problems.extend(_modal_problems(view, blocks))
    if problems:
        return problems
    try:
        View(**view).to_dict()
    except SlackObjectFormationError as exc:
        return [f"{exc} [json-pointer:/view]"]
    except (TypeError, ValueError, KeyError, AttributeError) as exc:
        return [f"invalid view: {exc} [json-pointer:/view]"]
    return []


def _modal_problems(view: JsonDict, blocks: list[Any]) -> list[str]:
    problems: list[str] = []
    if "title" not in view:
        problems.append("missing required field: title [json-pointer:/view]")
    for key in ("title", "submit", "close"):
        if key not in view:
            continue
        text_problem = _text_problem(view[key], ("plain_text",), key)
        if text_problem is not None:
            problems.append(f"{text_problem} [json-pointer:/view/{key}]")
        elif len(view[key]["text"]) > MAX_VIEW_TEXT:
            limit = MAX_VIEW_TEXT + 1
            problems.append(f"must be less than {limit} characters [json-pointer:/view/{key}/text]")
    has_input = any(isinstance(b, dict) and b.get("type") == "input" for b in blocks)
    if has_input and "submit" not in view:
        problems.append("must provide submit when the modal has input blocks [json-pointer:/view]")
    return problems
