"""Every error Goodwill raises on purpose.

GoodwillError            base; `user_message` is the kind, short text the person sees
├── ConfigError          the environment is missing or has invalid variables (all listed)
├── StartupError         Slack cannot be reached, or refuses the token, when Goodwill starts
├── DatabaseUnavailableError  the database cannot be reached just now; nothing was recorded
└── InputError           a person's input cannot be acted on; nothing was recorded
    ├── MalformedRequestError a request not in any shape Slack sends (a forged field, a bad ID)
    ├── NoRecipientError     /thanks without anyone mentioned
    ├── SelfCreditError      thanking yourself
    ├── NotAPersonError      a bot, an app or a deactivated member
    ├── UnknownMemberError   an ID this workspace does not know
    ├── LookupFailedError    Slack could not be asked who an unknown ID is (out of reach)
    ├── ReasonTooLongError   a reason over the limit
    ├── TooManyRecipientsError
    ├── DailyLimitError      the per-pair daily cap is reached
    ├── RepeatedReasonError  the same reason to the same person within a day
    ├── NothingRecordedError the ledger's rules refused a credit for a reason that then went away
    ├── NobodyThankedError   thanks to several people, none of whom the rules allow (each named)
    ├── NotAllowedError      a button or command meant for someone else
    ├── RequestClosedError   an ask, offer or favour that is closed, withdrawn or gone
    ├── AlreadyDoneError     a second click on something already done
    ├── NothingToUndoError   /favor undo with no entry of yours from the last 24 hours
    ├── MissingTextError     a form's required words left empty
    ├── PromptAnswersError   answers in the weekly prompt's form that cannot be recorded
    └── InvalidSettingsError settings in the settings form that cannot be saved (per field)
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence


class GoodwillError(Exception):
    user_message = "Something went wrong on Goodwill's side. Please try again in a minute."

    def __init__(self, user_message: str | None = None) -> None:
        if user_message is not None:
            self.user_message = user_message
        super().__init__(self.user_message)


class ConfigError(GoodwillError):
    def __init__(self, problems: Sequence[str]) -> None:
        self.problems = list(problems)
        super().__init__(
            "Goodwill's configuration has problems:\n" + "\n".join(f"  - {p}" for p in problems)
        )


class StartupError(GoodwillError):
    """Goodwill cannot start talking to Slack: the process stops with this message."""


class DatabaseUnavailableError(GoodwillError):
    """The database is down, restarting or out of reach: the request is refused whole."""

    user_message = (
        "Nothing was recorded: Goodwill can't reach its database just now. "
        "Please try again in a moment."
    )


class InputError(GoodwillError):
    """Bad input from a person: answered privately, and the ledger is left untouched."""


class MalformedRequestError(InputError):
    user_message = (
        "I couldn't read that request from Slack, so nothing was recorded. "
        "Please try again; if it keeps happening, tell whoever runs Goodwill."
    )


class NoRecipientError(InputError):
    pass


class SelfCreditError(InputError):
    pass


class NotAPersonError(InputError):
    pass


class UnknownMemberError(InputError):
    pass


class LookupFailedError(InputError):
    user_message = (
        "I couldn't reach Slack to check who that is, so nothing was recorded. "
        "Please try again in a minute."
    )


class ReasonTooLongError(InputError):
    pass


class TooManyRecipientsError(InputError):
    pass


class ValueTagError(InputError):
    """The Values field of the thanks modal holds something that is not a tag."""


class DailyLimitError(InputError):
    pass


class RepeatedReasonError(InputError):
    pass


class NothingRecordedError(InputError):
    user_message = (
        "Something changed while I was recording that, so nothing was recorded. "
        "Please send it again."
    )


class NobodyThankedError(InputError):
    """`plain_message`: the same words as plain text (a form's error), people by name."""

    def __init__(self, user_message: str, plain_message: str) -> None:
        super().__init__(user_message)
        self.plain_message = plain_message


class NotAllowedError(InputError):
    pass


class RequestClosedError(InputError):
    pass


class AlreadyDoneError(InputError):
    pass


class NothingToUndoError(InputError):
    pass


class MissingTextError(InputError):
    pass


class PromptAnswersError(InputError):
    """Some answers in the "Who helped you this week?" form can't be recorded; none were.

    `problems` holds, for each person whose answer was refused, the refusal itself, so the
    form can show each one beside that person.
    """

    def __init__(self, problems: Mapping[str, InputError]) -> None:
        self.problems = dict(problems)
        super().__init__("Some answers need another look; nothing was recorded yet.")


class InvalidSettingsError(InputError):
    """Some answers in the settings form are not valid; nothing was saved.

    `problems` holds, for each field that needs another look, what to change, in plain words
    (Slack shows a form's errors as plain text).
    """

    def __init__(self, problems: Mapping[str, str]) -> None:
        self.problems = dict(problems)
        super().__init__("Some settings need another look; nothing was saved yet.")
