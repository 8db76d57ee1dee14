"""The Web API methods the emulator answers, one handler each, in one table.

A handler gets the request's arguments (already decoded from form, query or JSON) and returns
the fields of Slack's answer beside `"ok": true`, or raises `SlackEmulatorRejected` with the
error code Slack documents for that method. To emulate another method, write a handler and add
it to `HANDLERS`.
"""

from __future__ import annotations

from slack_emulator.backend import Backend, Handler
from slack_emulator.directory import usergroups_users_list, users_conversations, users_list
from slack_emulator.models import JsonDict, Message, SlackChannel, SlackEmulatorRejected
from slack_emulator.validation import (
    CHAT_POST_MESSAGE_ARGUMENTS,
    as_text,
    check_arguments,
    checked_view,
    message_content,
    truthy,
)
from slack_emulator.workspace import Workspace

MAX_DM_USERS = 8


def _message_json(b: Backend, message: Message) -> JsonDict:
    ident = b.workspace.identity
    from_bot = message.user == ident.bot_user_id
    return message.to_slack(
        team_id=ident.team_id,
        bot_id=ident.bot_id if from_bot else None,
        app_id=ident.app_id if from_bot else None,
    )


def auth_test(b: Backend, args: JsonDict) -> JsonDict:
    ident = b.workspace.identity
    return {
        "url": f"https://{ident.team_domain}.slack.com/",
        "team": ident.team_name,
        "user": b.workspace.user(ident.bot_user_id).name,
        "team_id": ident.team_id,
        "user_id": ident.bot_user_id,
        "bot_id": ident.bot_id,
        "is_enterprise_install": False,
    }


def team_info(b: Backend, args: JsonDict) -> JsonDict:
    ident = b.workspace.identity
    if args.get("team") not in (None, "", ident.team_id):
        raise SlackEmulatorRejected("team_not_found")
    team = {"id": ident.team_id, "name": ident.team_name, "domain": ident.team_domain}
    return {"team": {**team, "email_domain": "", "icon": {"image_default": True}}}


def users_info(b: Backend, args: JsonDict) -> JsonDict:
    user = b.workspace.user(args.get("user"))
    ident = b.workspace.identity
    return {"user": user.to_slack(bot_id=ident.bot_id if user.id == ident.bot_user_id else None)}


def conversations_info(b: Backend, args: JsonDict) -> JsonDict:
    """A conversation by ID, as Slack describes it to the app (is_private, is_im, …); a
    private channel or a DM the app is not in is channel_not_found, as Slack hides it."""
    ref = args.get("channel")
    channel = b.workspace.resolve_channel(ref)
    if channel.id != ref:  # an ID only: conversations.info does not look names up
        raise SlackEmulatorRejected("channel_not_found")
    direct = channel.is_im or channel.is_mpim
    if direct and b.workspace.identity.bot_user_id not in channel.members:
        raise SlackEmulatorRejected("channel_not_found")
    return {"channel": channel.to_slack()}


def conversations_open(b: Backend, args: JsonDict) -> JsonDict:
    ws = b.workspace
    wanted = [u.strip() for u in as_text(args.get("users")).split(",") if u.strip()]
    if not wanted and args.get("channel"):
        channel = ws.resolve_channel(args.get("channel"))
        if not (channel.is_im or channel.is_mpim):
            raise SlackEmulatorRejected("channel_not_found")
        return {"channel": {"id": channel.id}, "no_op": True, "already_open": True}
    if not wanted:
        raise SlackEmulatorRejected("users_list_not_supplied")
    if len(wanted) > MAX_DM_USERS:
        raise SlackEmulatorRejected("too_many_users")
    people = [ws.user(user_id) for user_id in dict.fromkeys(wanted)]
    if any(person.deleted for person in people):
        raise SlackEmulatorRejected("user_disabled")
    others = [p for p in people if p.id != ws.identity.bot_user_id]
    if not others or (len(others) == 1 and others[0].is_bot):
        raise SlackEmulatorRejected("cannot_dm_bot")
    if len(others) == 1:
        channel, existed = ws.open_dm(others[0].id)
    else:
        channel, existed = _open_group_dm(ws, [p.id for p in others])
    body = channel.to_slack() if truthy(args.get("return_im")) else {"id": channel.id}
    if channel.is_im:
        body["user"] = others[0].id
    if existed:
        return {"channel": body, "no_op": True, "already_open": True}
    return {"channel": body}


def _open_group_dm(ws: Workspace, user_ids: list[str]) -> tuple[SlackChannel, bool]:
    members = {*user_ids, ws.identity.bot_user_id}
    with ws.lock:
        for channel in ws.channels.values():
            if channel.is_mpim and channel.members == members:
                return channel, True
        names = "--".join(sorted(ws.users[u].name for u in members))
        channel = SlackChannel(
            id=ws.next_id("G"),
            name=f"mpdm-{names}-1",
            is_private=True,
            is_mpim=True,
            members=members,
        )
        ws.channels[channel.id] = channel
        return channel, False


def chat_post_message(b: Backend, args: JsonDict) -> JsonDict:
    check_arguments(args, CHAT_POST_MESSAGE_ARGUMENTS)
    ws = b.workspace
    channel = ws.writable_channel(args.get("channel"), allow_user=True)
    content = message_content(args, validate=ws.validate)
    message = Message(
        channel=channel.id,
        ts=ws.next_ts(),
        user=ws.identity.bot_user_id,
        text=content.text,
        blocks=content.blocks or [],
        thread_ts=as_text(args.get("thread_ts")) or None,
        attachments=content.attachments or [],
    )
    posted = ws.post(message)
    return {"channel": channel.id, "ts": posted.ts, "message": _message_json(b, posted)}


def chat_post_ephemeral(b: Backend, args: JsonDict) -> JsonDict:
    ws = b.workspace
    channel = ws.writable_channel(args.get("channel"))
    user = ws.user(args.get("user"))
    if user.id not in channel.members:
        raise SlackEmulatorRejected("user_not_in_channel")
    content = message_content(args, validate=ws.validate)
    message = Message(
        channel=channel.id,
        ts=ws.next_ts(),
        user=ws.identity.bot_user_id,
        text=content.text,
        blocks=content.blocks or [],
        thread_ts=as_text(args.get("thread_ts")) or None,
        ephemeral_for=user.id,
        attachments=content.attachments or [],
    )
    return {"message_ts": ws.post(message).ts}


def chat_update(b: Backend, args: JsonDict) -> JsonDict:
    ws = b.workspace
    channel = ws.resolve_channel(args.get("channel"))
    message = ws.find_message(channel.id, args.get("ts"))
    # Ephemeral messages are never stored by Slack, so chat.update cannot find them.
    if message is None or message.ephemeral_for is not None:
        raise SlackEmulatorRejected("message_not_found")
    if message.user != ws.identity.bot_user_id:
        raise SlackEmulatorRejected("cant_update_message")
    content = message_content(args, validate=ws.validate)
    updated = ws.edit(message, content)
    return {
        "channel": channel.id,
        "ts": updated.ts,
        "text": updated.text,
        "message": _message_json(b, updated),
    }


def views_open(b: Backend, args: JsonDict) -> JsonDict:
    trigger_id = as_text(args.get("trigger_id") or args.get("interactivity_pointer"))
    if not trigger_id:
        raise SlackEmulatorRejected(
            "invalid_arguments", ["missing required field: trigger_id [json-pointer:/]"]
        )
    view = checked_view(args.get("view"), allowed_types=("modal",), validate=b.workspace.validate)
    user_id = b.views.exchange_trigger(trigger_id)
    return {"view": b.views.open(user_id, view)}


def views_publish(b: Backend, args: JsonDict) -> JsonDict:
    user = b.workspace.user(args.get("user_id"))
    view = checked_view(args.get("view"), allowed_types=("home",), validate=b.workspace.validate)
    return {"view": b.views.publish(user.id, view, args.get("hash"))}


def views_update(b: Backend, args: JsonDict) -> JsonDict:
    view_id, external_id = args.get("view_id"), args.get("external_id")
    if not view_id and not external_id:
        raise SlackEmulatorRejected(
            "invalid_arguments", ["missing required field: view_id or external_id [json-pointer:/]"]
        )
    current = b.views.find(view_id, external_id)
    view = checked_view(
        args.get("view"), allowed_types=(current["type"],), validate=b.workspace.validate
    )
    return {"view": b.views.update(current["id"], view, args.get("hash"))}


def files_get_upload_url_external(b: Backend, args: JsonDict) -> JsonDict:
    return b.files.reserve(b.workspace, args)


def files_complete_upload_external(b: Backend, args: JsonDict) -> JsonDict:
    return b.files.complete(b.workspace, args)


HANDLERS: dict[str, Handler] = {
    "auth.test": auth_test,
    "team.info": team_info,
    "users.info": users_info,
    "users.list": users_list,
    "users.conversations": users_conversations,
    "usergroups.users.list": usergroups_users_list,
    "conversations.info": conversations_info,
    "conversations.open": conversations_open,
    "chat.postMessage": chat_post_message,
    "chat.postEphemeral": chat_post_ephemeral,
    "chat.update": chat_update,
    "views.open": views_open,
    "views.publish": views_publish,
    "views.update": views_update,
    "files.getUploadURLExternal": files_get_upload_url_external,
    "files.completeUploadExternal": files_complete_upload_external,
}
