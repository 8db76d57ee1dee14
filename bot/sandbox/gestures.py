"""What people do in the sandbox besides typing a command: write a message, react to one, click
a button, use the "Thank for this" shortcut, fill in the form it opens, open the Home tab.

Each gesture is delivered as Slack delivers it (bot.sandbox.driver): an Events API envelope, a
block_actions or message_action payload, a view_submission, all signed, to the real app.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from bot.sandbox._block_elements import button_labelled, label_of, label_words, words_of
from bot.sandbox._channel_gestures import Say, archive, move
from bot.sandbox._input_gestures import fill, pick
from bot.sandbox._message_gestures import latest_by_someone_else, react
from bot.sandbox.forms import form_state
from bot.sandbox.harness import Sandbox
from bot.sandbox.render import render_view
from bot.sandbox.transport import Delivery
from bot.slack.ids import THANK_FOR_THIS_SHORTCUT
from slack_emulator import Message, SlackChannel, SlackEmulator, SlackUser

Escape = Callable[[str], str]

GESTURES_HELP = """\
Besides commands, people can:
  alice: say the deploy is fixed     write a message in the channel
  bob: react :pray:                  react to the latest message someone else wrote there
  bob: unreact :pray:                take that reaction off again
  bob: click I can help              click a button (the start of its label will do)
  bob: thank for this                the "Thank for this" shortcut on that latest message
  bob: pick @carol @dave             choose in the newest picker or menu in a message
  bob: fill Digest hour: 9           fill in the open form's input labelled so (people as
                                     @names, channels as #names, options by their label,
                                     several options comma-separated, `none` for none)
  bob: submit for the quick fix      send the open form, these words in its first empty box
  bob: cancel                        close the open form
  bob: home                          open Goodwill's Home tab (`click` works there too)
  bob in #random: leave              leave the channel (`join` to come back)
  bob in #random: archive            archive the channel (`unarchive` to bring it back)"""


@dataclass
class Gestures:
    """Carries out one person's gesture in a channel and tells the shell what happened."""

    sandbox: Sandbox
    say: Say
    escape: Escape
    # Who is looking at their Home tab now: their clicks go there first.
    _on_home: set[str] = field(default_factory=set)
    # What people filled in, per open form, until they send it: {view_id: {block_id: ...}}.
    _filled: dict[str, dict[str, dict[str, Any]]] = field(default_factory=dict)

    def do(self, user: SlackUser, channel: SlackChannel, text: str) -> bool:
        """Act on `text` as `user` in `channel`; False when it is no gesture the sandbox knows."""
        verb, _, rest = text.strip().partition(" ")
        verb, rest = verb.casefold(), rest.strip()
        if verb not in {"home", "click"}:
            self.look_away(user)
        if writes(text):
            self._write(user, channel, rest)
        elif verb in {"react", "unreact"}:
            self._told(react(self.sandbox, self.say, user, channel, rest, added=verb == "react"))
        elif verb == "click":
            self._click(user, rest)
        elif verb == "pick":
            opened = set(self._emulator.open_views)
            self._told(pick(self.sandbox, self.say, user, lambda m: self._sees(user, m), rest))
            self.show_new_forms(user, opened)
        elif verb == "fill":
            self._fill(user, rest)
        elif text.strip().casefold() in {"thank for this", "thank"}:
            self._shortcut(user, channel)
        elif verb == "submit":
            self._submit(user, rest)
        elif verb == "cancel" and not rest:
            self._cancel(user)
        elif verb == "home" and not rest:
            self._home(user)
        elif verb in {"join", "leave"} and not rest:
            self._told(move(self.sandbox, self.say, user, channel, joining=verb == "join"))
        elif verb in {"archive", "unarchive"} and not rest:
            archived = verb == "archive"
            self._told(archive(self.sandbox, self.say, user, channel, archived=archived))
        else:
            return False
        return True

    @property
    def _emulator(self) -> SlackEmulator:
        return self.sandbox.emulator

    # -- messages and reactions ---------------------------------------------------------------

    def _write(self, user: SlackUser, channel: SlackChannel, text: str) -> None:
        if not text:
            self.say(f"Say what? For example `{user.name}: say the deploy is fixed`.")
            return
        self._emulator.post_user_message(channel.id, user.id, self.escape(text))

    # -- buttons ------------------------------------------------------------------------------

    def _click(self, user: SlackUser, label: str) -> None:
        """The button whose label starts with `label`: on the Home tab when the person is
        looking at it, else in the newest message they see that has one, else on the Home."""
        wanted = label_words(label)
        if not wanted:
            self.say(f"Click what? Name the button, for example `{user.name}: click I can help`.")
            return
        if user.id in self._on_home and self._click_on_home(user, wanted):
            return
        opened = set(self._emulator.open_views)
        for message in reversed(self._emulator.messages()):
            button = button_labelled(message.blocks, wanted) if self._sees(user, message) else None
            if button is not None:
                self.look_away(user)
                self.say(f"(@{user.name} clicks [{label_of(button)}])")
                self._confirm(user, button)
                self._answered(self.sandbox.driver.click(user.id, message, button["action_id"]))
                self.show_new_forms(user, opened)
                return
        if user.id not in self._on_home and self._click_on_home(user, wanted):
            return
        self.say(f"@{user.name} sees no button labelled {label!r}.")

    def _click_on_home(self, user: SlackUser, wanted: str) -> bool:
        home = self._emulator.published_views.get(user.id)
        button = button_labelled(home.get("blocks") or [], wanted) if home else None
        if home is None or button is None:
            return False
        self._on_home.add(user.id)
        self.say(f"(@{user.name} clicks [{label_of(button)}] in their Home tab)")
        self._confirm(user, button)
        opened = set(self._emulator.open_views)
        if self._answered(self.sandbox.driver.click_in_view(user.id, home, button["action_id"])):
            self.show_new_forms(user, opened)
            if self._emulator.published_views.get(user.id) != home:
                self._show_home(user)
        return True

    def _confirm(self, user: SlackUser, button: Mapping[str, Any]) -> None:
        """A button with a confirm dialog: Slack asks first; the shell shows the question and
        answers yes, as a click on that button means to."""
        dialog = button.get("confirm")
        if not isinstance(dialog, Mapping):
            return
        title, text = words_of(dialog.get("title")), words_of(dialog.get("text"))
        yes = words_of(dialog.get("confirm")) or "Confirm"
        self.say(f'(Slack asks first, "{title}" {text} @{user.name} answers [{yes}])')

    def look_away(self, user: SlackUser) -> None:
        """The person does something elsewhere: their next click is not meant for the Home."""
        self._on_home.discard(user.id)

    def _sees(self, user: SlackUser, message: Message) -> bool:
        if message.ephemeral_for is not None:
            return bool(message.ephemeral_for == user.id)
        channel = self._emulator.channels.get(message.channel)
        return channel is not None and (user.id in channel.members or not channel.members)

    # -- the shortcut and forms ---------------------------------------------------------------

    def _shortcut(self, user: SlackUser, channel: SlackChannel) -> None:
        message = latest_by_someone_else(
            self._emulator, self.say, user, channel, "Nothing to thank for"
        )
        if message is None:
            return
        author = self._emulator.users[message.user].name
        self.say(f"(@{user.name} uses *Thank for this* on @{author}'s message)")
        opened = set(self._emulator.open_views)
        driver = self.sandbox.driver
        self._answered(driver.message_shortcut(user.id, THANK_FOR_THIS_SHORTCUT, message))
        self.show_new_forms(user, opened)

    def show_new_forms(self, user: SlackUser, opened_before: set[str]) -> None:
        for view_id, view in self._emulator.open_views.items():
            if view_id not in opened_before:
                self._show_form(user, view)

    def _show_form(
        self, user: SlackUser, view: Mapping[str, Any], *, changed: bool = False
    ) -> None:
        self.say(
            f"(@{user.name}'s form changes)" if changed else f"(a form opens for @{user.name})"
        )
        self.say(render_view(view, self._emulator.users, self._emulator.channels))
        if view.get("submit"):
            self.say(f"(`{user.name}: submit WORDS` sends it, `{user.name}: cancel` closes it)")

    def _open_form(self, user: SlackUser) -> tuple[str, Mapping[str, Any]] | None:
        owned = [
            (view_id, view)
            for view_id, view in self._emulator.open_views.items()
            if self._emulator.view_owner(view_id) == user.id
        ]
        if not owned:
            self.say(f"@{user.name} has no form open.")
            return None
        return owned[-1]

    def _submit(self, user: SlackUser, text: str) -> None:
        found = self._open_form(user)
        if found is None:
            return
        view_id, view = found
        if not view.get("submit"):
            self.say("That form has nothing to send; `cancel` closes it.")
            return
        state = form_state(view, text, self._filled.get(view_id))
        delivery = self.sandbox.driver.submit_view(user.id, view, state)
        if not self._answered(delivery):
            return
        answer = delivery.json() if delivery.body else {}
        action = answer.get("response_action")
        if action == "errors":
            for problem in answer.get("errors", {}).values():
                self.say(f"(the form says: {problem})")
            return
        if action in {"update", "push"}:
            self._close(view_id)
            self._show_form(user, answer["view"])
            return
        self._close(view_id)
        self.say("(the form closes)")

    def _close(self, view_id: str) -> None:
        self._emulator.close_view(view_id)
        self._filled.pop(view_id, None)

    def _fill(self, user: SlackUser, text: str) -> None:
        found = self._open_form(user)
        if found is None:
            return
        view_id, view = found
        delivery = fill(
            self.sandbox, self.say, user, view, self._filled.setdefault(view_id, {}), text
        )
        if delivery is not None and self._answered(delivery):
            now = self._emulator.open_views.get(view_id)
            if now is not None and now != view:
                self._show_form(user, now, changed=True)  # the app updated it (views.update)

    def _cancel(self, user: SlackUser) -> None:
        found = self._open_form(user)
        if found is not None:
            self._close(found[0])
            self.say("(the form closes; nothing was sent)")

    # -- Home ---------------------------------------------------------------------------------

    def _home(self, user: SlackUser) -> None:
        if self._answered(self.sandbox.driver.open_home(user.id)):
            self._on_home.add(user.id)
            self._show_home(user)

    def _show_home(self, user: SlackUser) -> None:
        home = self._emulator.published_views.get(user.id)
        if home is None:
            self.say("(Goodwill published no Home for them)")
            return
        self.say(f"(@{user.name}'s Home tab)")
        self.say(render_view(home, self._emulator.users, self._emulator.channels))

    def _told(self, delivery: Delivery | None) -> None:
        """What Slack sent the app about a change, if it sent anything, and its answer."""
        if delivery is not None:
            self._answered(delivery)

    def _answered(self, delivery: Delivery) -> bool:
        if delivery.status == 200:
            return True
        self.say(f"(the bot answered HTTP {delivery.status}: {delivery.body[:200]})")
        return False


def writes(text: str) -> bool:
    """`text` is someone writing a message (`say ...`), the one thing a bot can do here too."""
    return text.strip().partition(" ")[0].casefold() in {"say", "says"}
