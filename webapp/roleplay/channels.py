"""Where a role-play conversation happens and the timing rule each place has (pure).

A small registry keyed by the scenario's ``channel``. Each policy says how long a reply may take
(the scenario's ``seconds_per_reply`` must stay within ``max_seconds_per_reply``), how lateness
is counted (``late_penalty`` points per started ``check_in_seconds`` past the allowance) and
when a turn scores nothing (``wait_limit_seconds``).
"""
from dataclasses import dataclass

PHONE, HALL, CHAT = "phone", "hall", "chat"


@dataclass(frozen=True)
class TimingPolicy:
    channel: str
    max_seconds_per_reply: int
    check_in_seconds: int
    late_penalty: int
    wait_limit_seconds: int


TIMING_POLICIES = {
    # 002 应答服务礼仪: speak to a waiting caller every 15 s; no wait beyond 2 minutes.
    PHONE: TimingPolicy(PHONE, max_seconds_per_reply=120, check_in_seconds=15, late_penalty=2,
                        wait_limit_seconds=120),
    # 001 2.1 / 004: the customer stands at the counter, so the agent answers at once (a reply is
    # due within 30 s) and, as on the phone, says something at least every 15 s.
    HALL: TimingPolicy(HALL, max_seconds_per_reply=30, check_in_seconds=15, late_penalty=2,
                       wait_limit_seconds=120),
    # 003 客户满意度提升目标: answer a chat message within 30 s; each further 30 s costs.
    CHAT: TimingPolicy(CHAT, max_seconds_per_reply=30, check_in_seconds=30, late_penalty=2,
                       wait_limit_seconds=120),
}
CHANNELS = tuple(TIMING_POLICIES)
#: Scenario versions stored before channels existed are phone calls.
DEFAULT_CHANNEL = PHONE


def timing_policy(channel: str) -> TimingPolicy:
    return TIMING_POLICIES[channel]
