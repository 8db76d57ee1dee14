"""The weekly digest message: it celebrates, and it never ranks anyone at the bottom."""

from __future__ import annotations

from typing import Any

from bot.digest.week import DigestData
from bot.slack.messages import Message, counted, join_names, mention
from bot.thanks.parsing import defuse_broadcasts

REASON_PREVIEW = 200


def digest_message(data: DigestData, *, quiet: bool) -> Message:
    names = _Names(data, quiet)
    if data.total == 0:
        text = (
            ":seedling: A quiet week for thanks. Who made your week easier? Tell them with "
            "`/thanks @someone for …`, or ask for a hand with `/favor ask …`."
        )
        return {"text": text, "blocks": [_section(text)]}

    blocks: list[dict[str, Any]] = [
        {"type": "header", "text": {"type": "plain_text", "text": "This week in goodwill"}},
        _section(_totals(data)),
    ]
    highlights = [
        f"• {names.person(h.helper_id)} — {_kind_phrase(h.kind)} {names.person(h.helped_id)}: "
        f"_{_preview(h.reason)}_"
        for h in data.highlights
        if names.nameable(h.helper_id)
    ]
    if highlights:
        blocks += [{"type": "divider"}, _section("*Highlights*\n" + "\n".join(highlights))]

    helpers = [(user_id, n) for user_id, n in data.helpers if names.nameable(user_id)]
    hidden = len(data.helpers) - len(helpers)
    if helpers or hidden:
        lines = [
            f"• {names.person(user_id)} helped {counted(n, 'person', 'people')}"
            for user_id, n in helpers
        ]
        if hidden:
            lines.append(f"• and {hidden:,} more who prefer not to be named")
        blocks.append(_section("*Helpers of the week*\n" + "\n".join(lines)))

    if data.new_connections:
        pairs = [
            join_names([names.person(a), names.person(b)])
            for a, b in data.new_connections
            if names.nameable(a) and names.nameable(b)
        ]
        extra = data.new_connection_count - len(pairs)
        text = "*New connections* — first exchanges this week\n" + "\n".join(
            f"• {pair}" for pair in pairs
        )
        if extra > 0:
            text += f"\n• and {extra:,} more"
        blocks.append(_section(text))

    if data.open_asks:
        asks = [
            f"• {names.person(ask.author_id)}: {_preview(ask.text, 150)}"
            + (f" in <#{ask.channel_id}>" if ask.channel_id else "")
            for ask in data.open_asks
        ]
        more = data.open_ask_count - len(asks)
        if more > 0:
            asks.append(f"• and {more:,} more")
        blocks += [
            {"type": "divider"},
            _section("*Asks that could use a hand*\n" + "\n".join(asks)),
        ]

    blocks.append(
        {
            "type": "context",
            "elements": [
                {
                    "type": "mrkdwn",
                    "text": "Thank someone with `/thanks`, ask with `/favor ask`. "
                    "Your own exchanges are private: `/favor balance`.",
                }
            ],
        }
    )
    return {"text": f"This week in goodwill: {_totals(data)}", "blocks": blocks}


def _totals(data: DigestData) -> str:
    parts = []
    for kind, word in (("thanks", "thank-you"), ("favor", "favour"), ("reaction", "reaction")):
        count = data.counts.get(kind, 0)
        if count:
            parts.append(counted(count, word))
    return f"{join_names(parts)} between {counted(data.people, 'person', 'people')}. :sparkles:"


def _kind_phrase(kind: str) -> str:
    return {"favor": "did a favour for", "reaction": "thanked with a reaction by"}.get(
        kind, "thanked by"
    )


def _preview(text: str, limit: int = REASON_PREVIEW) -> str:
    flat = " ".join(defuse_broadcasts(text).split()).replace("_", " ")
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def _section(text: str) -> dict[str, Any]:
    return {"type": "section", "text": {"type": "mrkdwn", "text": text}}


class _Names:
    """Mentions, or plain names when the workspace wants quiet mentions."""

    def __init__(self, data: DigestData, quiet: bool) -> None:
        self.members = data.members
        self.quiet = quiet

    def nameable(self, user_id: str) -> bool:
        member = self.members.get(user_id)
        return member is None or not (member.digest_mentions_opt_out or member.is_deactivated)

    def person(self, user_id: str) -> str:
        member = self.members.get(user_id)
        if member is not None and (member.digest_mentions_opt_out or member.is_deactivated):
            return "someone"
        if self.quiet:
            return f"*{member.label}*" if member is not None else "someone"
        return mention(user_id)
