"""The load: pre-signed Slack requests (`/thanks` commands or `reaction_added` events) sent
over loopback by one asyncio process.

The client has to share two cores with the server and PostgreSQL, so it does as little as it
can while the clock runs: every request is built, signed and encoded to bytes beforehand; each
of the `concurrency` connections is an asyncio Protocol that writes the bytes, waits for the
head and exactly Content-Length bytes of body, and keeps the connection for the next request
unless the server closes it (gunicorn's sync worker answers `Connection: close`, and then the
next request's time includes opening a new connection). Responses are checked after timing.
"""

from __future__ import annotations

import asyncio
import json
import math
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from urllib.parse import urlencode

from bot.sandbox.driver import SlackDriver
from bot.sandbox.seed import CHANNELS
from bot.sandbox.transport import HttpTransport, sign
from slack_emulator import SlackEmulator

HOST = "127.0.0.1"
PATH = "/slack/events"
# The default credit emoji, with and without a skin tone.
CREDIT_EMOJI = ("pray", "raised_hands::skin-tone-3", "thankyou", "pray::skin-tone-5")
REASONS = (
    "for pairing on the flaky deploy #teamwork",
    "for reviewing my migration within the hour #care #quality",
    "for the demo prep",
    "for covering the on-call handover while I was out #reliability",
    "for explaining the billing edge cases, twice, with diagrams #mentoring",
    "for unblocking the release on a Friday evening #ownership",
    "for the thoughtful feedback on the design doc",
    "for finding the off-by-one in the digest #debugging #patience",
)


# Of every five requests, the last two come from a (giver, receiver) pair that first
# exchanged REPEAT_GAP requests earlier the same day, now for another reason; they start at
# request REPEATS_FROM, within the default warm-up. The gap is far more than the requests in
# flight at once (--concurrency), so the earlier credit is in before its pair comes back.
CYCLE, NEW_IN_CYCLE = 5, 3
REPEAT_GAP = 303  # % CYCLE == 3: a repeat's earlier request is always one of a new pair
REPEATS_FROM = 305  # a multiple of CYCLE, and at least REPEAT_GAP
# No pair exchanges more often in a run: well within the daily pair cap.
EXCHANGES_PER_PAIR = 2


@dataclass(frozen=True)
class Workforce:
    """Who thanks whom, in the order the load sends it: a day in a team where people also
    thank someone they already thanked earlier that day (40% of the requests), each time for
    another reason, so that the fair-use rules allow every one of them."""

    people: tuple[str, ...]

    @staticmethod
    def pairs_needed(requests: int) -> int:
        """How many ordered pairs a run of `requests` requests brings in."""
        if requests <= REPEATS_FROM:
            return requests
        cycles, rest = divmod(requests - REPEATS_FROM, CYCLE)
        return REPEATS_FROM + cycles * NEW_IN_CYCLE + min(rest, NEW_IN_CYCLE)

    @staticmethod
    def first_of(number: int) -> int:
        """The request that first brought in the pair of request `number`: `number` itself
        unless its pair already exchanged earlier in the run."""
        if number >= REPEATS_FROM and number % CYCLE >= NEW_IN_CYCLE:
            return number - REPEAT_GAP
        return number

    def thanks(self, number: int) -> tuple[str, str, str]:
        """The `number`th thanks of the run: (thanker, helper, reason), each ordered pair
        brought in once, and a different reason when it comes back."""
        first = self.first_of(number)
        pair = self.pairs_needed(first)  # the pairs brought in before it: its index
        size = len(self.people)
        if pair >= size * (size - 1):
            raise ValueError(f"{len(self.people)} people are too few for {number + 1} thanks")
        thanker = pair % size
        helper = (thanker + 1 + pair // size) % size
        again = int(first != number)
        return self.people[thanker], self.people[helper], REASONS[(pair + again) % len(REASONS)]


def thanks_requests(
    emulator: SlackEmulator,
    workforce: Workforce,
    signing_secret: str,
    port: int,
    numbers: range,
) -> list[bytes]:
    """Signed `/thanks` requests as raw HTTP/1.1 bytes, one for each of the run's thanks
    `numbers`, each with its own trigger_id, over the seeded channels."""
    driver = SlackDriver(emulator, signing_secret, HttpTransport(f"http://{HOST}:{port}{PATH}"))
    channels = [channel_id for channel_id, _ in CHANNELS]
    requests = []
    trigger_ids = set()
    for number in numbers:
        thanker, helper, reason = workforce.thanks(number)
        # Slack sends `<@U123|name>` or `<@U123>` depending on the client: send both.
        mention = f"<@{helper}>" if number % 2 else f"<@{helper}|someone>"
        channel = channels[number % len(channels)]
        payload = driver.command_payload(thanker, "/thanks", f"{mention} {reason}", channel)
        trigger_ids.add(payload["trigger_id"])
        body = urlencode(payload)
        requests.append(_raw(port, "application/x-www-form-urlencoded", body, signing_secret))
    if len(trigger_ids) != len(numbers):
        raise RuntimeError("trigger_ids repeated: the requests would not all be new")
    return requests


def reaction_requests(
    emulator: SlackEmulator,
    workforce: Workforce,
    signing_secret: str,
    port: int,
    numbers: range,
) -> list[bytes]:
    """Signed `reaction_added` Events API deliveries as raw HTTP/1.1 bytes: for each of the
    run's `numbers`, someone puts a credit emoji on a new message of a colleague's, who may be
    one they credited earlier in the run (Workforce), so that every event is a new credit (the
    worst case: most reactions are not credit emoji)."""
    driver = SlackDriver(emulator, signing_secret, HttpTransport(f"http://{HOST}:{port}{PATH}"))
    channels = [channel_id for channel_id, _ in CHANNELS]
    started = int(time.time()) - 86_400
    requests = []
    for number in numbers:
        reactor, author, _ = workforce.thanks(number)
        # Skin tones are how Slack sends many of them, and count as the base emoji.
        emoji = CREDIT_EMOJI[number % len(CREDIT_EMOJI)]
        event = {
            "type": "reaction_added",
            "user": reactor,
            "reaction": emoji,
            "item_user": author,
            "item": {
                "type": "message",
                "channel": channels[number % len(channels)],
                "ts": f"{started + number}.{number % 1_000_000:06d}",
            },
            "event_ts": f"{started + number}.000100",
        }
        body = json.dumps(driver.event_envelope(event))
        requests.append(_raw(port, "application/json", body, signing_secret))
    return requests


def _raw(port: int, content_type: str, body: str, signing_secret: str) -> bytes:
    headers = {
        "Host": f"{HOST}:{port}",
        "Content-Type": content_type,
        "Content-Length": str(len(body.encode())),
        **sign(signing_secret, body),
    }
    head = "".join(f"{name}: {value}\r\n" for name, value in headers.items())
    return f"POST {PATH} HTTP/1.1\r\n{head}\r\n{body}".encode()


@dataclass(frozen=True)
class LoadResult:
    latencies: list[float]  # seconds, from writing the request to reading its last byte
    statuses: list[int]
    bodies: list[bytes]
    elapsed: float  # wall seconds from the first request sent to the last response read
    connections: int
    client_cpu: float  # CPU seconds the client process used meanwhile

    @property
    def throughput(self) -> float:
        return len(self.latencies) / self.elapsed

    def percentile(self, percent: float) -> float:
        """Nearest-rank percentile of the latencies, in seconds."""
        ordered = sorted(self.latencies)
        return ordered[max(0, math.ceil(percent / 100 * len(ordered)) - 1)]

    def in_channel_replies(self) -> int:
        """Responses that are HTTP 200 with a JSON body whose response_type is in_channel."""
        return sum(
            1
            for status, body in zip(self.statuses, self.bodies, strict=True)
            if status == 200 and body and json.loads(body).get("response_type") == "in_channel"
        )

    def empty_replies(self) -> int:
        """Responses that are HTTP 200 with an empty body: an answer that shows nothing."""
        return sum(
            1
            for status, body in zip(self.statuses, self.bodies, strict=True)
            if status == 200 and not body
        )

    def ok_statuses(self) -> int:
        return sum(1 for status in self.statuses if status == 200)


def combine(results: Sequence[LoadResult]) -> LoadResult:
    """Several timed slices as one: their requests together, their clocks added up."""
    return LoadResult(
        latencies=[value for result in results for value in result.latencies],
        statuses=[value for result in results for value in result.statuses],
        bodies=[value for result in results for value in result.bodies],
        elapsed=sum(result.elapsed for result in results),
        connections=sum(result.connections for result in results),
        client_cpu=sum(result.client_cpu for result in results),
    )


def run_load(port: int, requests: Sequence[bytes], concurrency: int) -> LoadResult:
    return asyncio.run(_run(port, requests, concurrency))


async def _run(port: int, requests: Sequence[bytes], concurrency: int) -> LoadResult:
    load = _Load(asyncio.get_running_loop(), port, requests)
    cpu_before = time.process_time()
    started = time.perf_counter()
    await load.run(concurrency)
    elapsed = time.perf_counter() - started
    client_cpu = time.process_time() - cpu_before
    return LoadResult(
        load.latencies, load.statuses, load.bodies, elapsed, load.connections, client_cpu
    )


class _Load:
    """Closed loop: each of `concurrency` connections sends the next request as soon as the
    previous response is in. Protocol callbacks rather than streams: less client CPU a request.
    """

    def __init__(
        self, loop: asyncio.AbstractEventLoop, port: int, requests: Sequence[bytes]
    ) -> None:
        self.loop = loop
        self.port = port
        self.requests = requests
        self.latencies = [0.0] * len(requests)
        self.statuses = [0] * len(requests)
        self.bodies = [b""] * len(requests)
        self.connections = 0
        self._pending: Iterator[int] = iter(range(len(requests)))
        self._chains = 0
        self._done: asyncio.Future[None] = loop.create_future()

    async def run(self, concurrency: int) -> None:
        self._chains = concurrency
        for _ in range(concurrency):
            self.next_request(None)
        await self._done

    def next_request(self, connection: _Connection | None) -> None:
        """Send the next request on `connection`, or on a new one when it is None."""
        index = next(self._pending, None)
        if index is None:
            if connection is not None:
                connection.close()
            self._chains -= 1
            if self._chains == 0 and not self._done.done():
                self._done.set_result(None)
            return
        started = time.perf_counter()
        if connection is not None:
            connection.send(index, started)
            return
        self.connections += 1
        opening = self.loop.create_task(
            self.loop.create_connection(lambda: _Connection(self, index, started), HOST, self.port)
        )
        opening.add_done_callback(self._check_opened)

    def _check_opened(self, task: asyncio.Task[object]) -> None:
        if not task.cancelled() and task.exception() is not None:
            self.fail(task.exception())

    def record(self, index: int, started: float, status: int, body: bytes) -> None:
        self.latencies[index] = time.perf_counter() - started
        self.statuses[index] = status
        self.bodies[index] = body

    def fail(self, error: BaseException | None) -> None:
        if not self._done.done():
            self._done.set_exception(error or ConnectionError("the server closed a connection"))


class _Connection(asyncio.Protocol):
    def __init__(self, load: _Load, index: int, started: float) -> None:
        self.load = load
        self.index = index
        self.started = started
        self.waiting = True
        self.buffer = bytearray()
        self.transport: asyncio.Transport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport
        transport.write(self.load.requests[self.index])

    def send(self, index: int, started: float) -> None:
        assert self.transport is not None
        self.index, self.started, self.waiting = index, started, True
        self.transport.write(self.load.requests[index])

    def close(self) -> None:
        if self.transport is not None:
            self.transport.close()

    def data_received(self, data: bytes) -> None:
        buffer = self.buffer
        buffer += data
        end = buffer.find(b"\r\n\r\n")
        if end < 0:
            return
        head = bytes(buffer[:end]).lower()
        start = head.index(b"content-length:") + 15
        stop = head.find(b"\r\n", start)
        length = int(head[start : stop if stop >= 0 else len(head)])
        if len(buffer) < end + 4 + length:
            return
        self.waiting = False
        body = bytes(buffer[end + 4 : end + 4 + length])
        self.load.record(self.index, self.started, int(head[9:12]), body)
        del buffer[: end + 4 + length]
        if b"connection: close" in head:
            self.close()
            self.load.next_request(None)
        else:
            self.load.next_request(self)

    def connection_lost(self, exc: Exception | None) -> None:
        if self.waiting:
            self.load.fail(exc)
