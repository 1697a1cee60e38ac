"""Score one agent reply against the service-language norms (pure, deterministic).

Pipeline: normalise the reply once (keeping a map back to original offsets), scan it once with
the norms' Aho-Corasick automaton (every occurrence; a key wholly inside a longer key is settled
by the longer key's precomputed inner table, keys that merely overlap all count), then apply the
context rules to each hit: quotation, overlap with a polite phrase, staff-number shape, negation
(elements only), time estimates, jargon explanations (after the term, or a marker just before
it), rhetorical-question openers (不是…了吗), intent rules (bare refusal, blame, impatience,
command tone: a marker word in the right position in its clause, with no softener or
alternative around it), and count the questions (whitespace between CJK
characters cuts a sentence; rhetorical questions are not counted). Every hit a rule cancels is
kept in ``suppressed`` with a human-readable reason.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from functools import lru_cache

import cython
import rjieba

from webapp.roleplay.learned import Reading, shipped_model
from webapp.roleplay.meaning import KeyPointMatch, Lexicon, judge_key_point, quoted_regions
from webapp.roleplay.meaning import Reply as MeaningReply
from webapp.roleplay.norms import (
    ELEMENT_CATEGORIES,
    FOLD_TABLE,
    KIND_ALLOW,
    KIND_CATEGORY,
    KIND_CLAUSE_WORD,
    KIND_EXPLANATION,
    KIND_EXPLANATION_MARKER,
    KIND_EXPLANATION_NEAR,
    KIND_INTENT,
    KIND_LOOKALIKE,
    KIND_NEGATOR,
    KIND_PLAIN_WORD,
    KIND_Q_CONDITIONAL,
    KIND_Q_COURTESY,
    KIND_Q_FORM,
    KIND_Q_PARTICLE,
    KIND_Q_WH,
    KIND_Q_WH_END,
    KIND_RHETORICAL,
    KIND_TIME_UNIT,
    QUESTION_KINDS,
    VIOLATION_CATEGORIES,
    Category,
    KeyMeaning,
    Norms,
    quick_fold,
)

QUESTION_MARKS = "?？"
STAFF_NUMBER_SEPARATORS = ":："
SPACE_CUT = "\n"  # whitespace between two CJK characters ends a sentence ("在哪里 电话多少")
FIRST_PERSON = "我"  # unpunctuated chat: "我帮您查一下是什么原因" states, it does not ask
LEAD_IN_FORM = "请问"  # "请问，您的号码是多少？" is one question, not two
# a whole run of two or more Latin letters; led by a character class so that the engine scans
# for a letter instead of trying a lookbehind at every position (greedy, the run ends at a non-letter)
_LATIN_WORD = re.compile(r"[a-z](?<![a-z]{2})[a-z]+(?:-[a-z]+)*")  # wi-fi, e-mail: one word
_EMAIL_ADDRESS = re.compile(r"[a-z0-9._+-]+@[a-z0-9.-]+")
_CHINESE_DIGIT_VALUES = str.maketrans("零〇一幺二两三四五六七八九", "0011223456789")


# A Cython dataclass, compiled: a C struct with generated __init__/__eq__/__repr__, several times
# quicker to build than a frozen dataclass (one object.__setattr__ per field); a plain dataclass uncompiled.
@cython.dataclasses.dataclass(frozen=True)
@cython.cclass
class Hit:
    category: str
    evidence: str  # the original text of the span
    span: tuple[int, int]  # offsets in the ORIGINAL reply, end exclusive
    phrase: str  # the norms phrase (as written in the norms file) that matched
    by_model: bool = False  # found by the learned model alone, no phrase of the norms
    #: found by the shape of a clause (a rhetorical question's opener and ending), which the
    #: model's character n-grams do not see: the model never vetoes it
    by_structure: bool = False


@cython.dataclasses.dataclass(frozen=True)
@cython.cclass
class Suppressed:
    category: str
    evidence: str
    span: tuple[int, int]
    reason: str


@cython.dataclasses.dataclass(frozen=True)  # compiled, like Hit: built once per reply
@cython.cclass
class ReplyVerdict:
    elements: list[Hit]
    violations: list[Hit]
    suppressed: list[Suppressed]
    points: int  # element points minus violation penalties, each category counted once
    feedback: list[str]
    reply: str = ""
    lexicon: Lexicon = cython.dataclasses.field(default_factory=Lexicon, compare=False, repr=False)
    #: the reply as key points read it (folded once for all the turn's key points)
    meaning_view: MeaningReply | None = cython.dataclasses.field(default=None, compare=False, repr=False)

    def key_point(self, examples: tuple[str, ...]) -> KeyPointMatch:
        """Whether this reply expresses a key point given by its example phrasings (by meaning)."""
        view = self.meaning_view if self.meaning_view is not None else MeaningReply(self.reply)
        return judge_key_point(view, examples, self.lexicon)

    @property
    def element_names(self) -> list[str]:
        return _distinct([hit.category for hit in self.elements])

    @property
    def violation_names(self) -> list[str]:
        return _distinct([hit.category for hit in self.violations])

    def as_json(self) -> dict:
        return {
            "elements": self.element_names,
            "violations": [
                {"category": h.category, "evidence": h.evidence, "span": [h.span[0], h.span[1]]}
                for h in self.violations
            ],
            "suppressed": [
                {"category": s.category, "evidence": s.evidence, "span": [s.span[0], s.span[1]],
                 "reason": s.reason}
                for s in self.suppressed
            ],
            "points": self.points,
            "feedback": list(self.feedback),
        }


def _distinct(names: list[str]) -> list[str]:
    distinct: list[str] = []  # a reply has a handful of categories: a list is quicker than a dict
    for name in names:
        if name not in distinct:
            distinct.append(name)
    return distinct


def _merged(hits: list[Hit], text: str) -> list[Hit]:
    """One hit per stretch of a category's evidence: two phrases of the norms that overlap
    (能体会 and 体会您的心情, 找别人 and 找别人去吧) are one piece of evidence, shown once. The
    merged hit is the model's alone only when every part was. ``hits`` are in reading order."""
    if len(hits) < 2:
        return hits
    merged: list[Hit] = []
    last_of: dict[str, int] = {}  # category → index in merged of its latest hit
    for hit in hits:
        index = last_of.get(hit.category)
        if index is None or hit.span[0] >= merged[index].span[1]:
            last_of[hit.category] = len(merged)
            merged.append(hit)
            continue
        last = merged[index]
        start, end = last.span[0], max(last.span[1], hit.span[1])
        longer = hit if hit.span[1] - hit.span[0] > last.span[1] - last.span[0] else last
        merged[index] = Hit(hit.category, text[start:end], (start, end), longer.phrase,
                            last.by_model and hit.by_model, last.by_structure or hit.by_structure)
    return merged


def _outermost(suppressed: list[Suppressed]) -> list[Suppressed]:
    """Cancelled hits without those inside another of the same category: each stretch of
    text is explained once (the longest match's reason)."""
    if len(suppressed) < 2 or len({item.category for item in suppressed}) == len(suppressed):
        return suppressed
    ordered = sorted(suppressed, key=lambda s: (s.category, s.span[0], -s.span[1], s.reason))
    kept: list[Suppressed] = []
    for item in ordered:
        if kept and kept[-1].category == item.category and item.span[1] <= kept[-1].span[1]:
            continue
        kept.append(item)
    return kept


_LEXICONS: dict[str, Lexicon] = {}  # one per norms version: key points compiled against it are cached


def _lexicon(norms: Norms) -> Lexicon:
    if norms.version not in _LEXICONS:
        if len(_LEXICONS) >= 64:  # bench drafts make new versions: keep the cache bounded
            _LEXICONS.clear()
        _LEXICONS[norms.version] = Lexicon(norms.version, norms.synonym_groups, norms.rules.quote_pairs)
    return _LEXICONS[norms.version]


def score_reply(text: str, norms: Norms) -> ReplyVerdict:
    """Score one reply. The same text and norms always give the same verdict."""
    return _ReplyScan(text, norms).verdict()


# --------------------------------------------------------------------------- normalisation


def _fold_with_origin(text: str) -> tuple[str, list[int] | None]:
    """Folded text plus, per folded character, its offset in ``text`` (None: identical), for a
    text that quick_fold could not fold."""
    folded = text.translate(FOLD_TABLE)
    if FOLD_TABLE.irregular.isdisjoint(text):
        return folded, None  # every character folded to exactly one: offsets unchanged
    origin: list[int] = []
    for index, char in enumerate(text):
        origin.extend([index] * len(FOLD_TABLE[ord(char)]))
    return folded, origin


@lru_cache(maxsize=32)
def _boundary_pattern(punctuation: str) -> re.Pattern[str]:
    """Clause or sentence punctuation; '.' and ',' between digits (0.29元, 1,000) do not cut."""
    if not punctuation:
        return re.compile(r"(?!)")
    # One character class, which the regex engine scans for quickly; the lookbehind takes back a
    # decimal mark with a digit on each side (an alternative per mark is tried at every position).
    pattern = f"[{re.escape(''.join(sorted(set(punctuation))))}]"
    decimal = "".join(mark for mark in ".," if mark in punctuation)
    if decimal:
        pattern += rf"(?<!\d[{re.escape(decimal)}](?=\d))"
    return re.compile(pattern)


# --------------------------------------------------------------------------- one reply


_WHITESPACE = re.compile(r"\s")


def _strip_fillers(text: str, fillers: tuple[str, ...]) -> str:
    """Remove filler words (这个, 真, 也 …; longest first) from the end of text."""
    while text and text.endswith(fillers):  # one C call tells the usual case: no filler at all
        for filler in fillers:
            if text.endswith(filler):
                text = text[:-len(filler)]
                break
        else:
            return text
    return text


def _occurrences(text: str, word: str) -> list[int]:
    found = []  # a list, not a generator: compiled, a generator object costs more than the search
    position = text.find(word)
    while position >= 0:
        found.append(position)
        position = text.find(word, position + 1)
    return found


#: Characters after a greeting given to the segmenter: 好 can begin a word of up to three (好几个).
WORD_LOOKAHEAD = 3


def _is_cjk(char: str) -> bool:
    return "\u4e00" <= char <= "\u9fff"


@cython.dataclasses.dataclass
@cython.cclass
class _Candidate:
    start: int
    end: int
    meaning: KeyMeaning
    key: str

#: A closing check (…，我这样解释您清楚吗？) is at most this long: longer clauses ask something new.
CHECK_CLAUSE_MAX = 14
SOFT_PARTICLE = "呢"
CORRELATIVE_GAP = 8  # 哪天用了流量才扣哪天: the second question word within this many characters
#: A reply this short gives the learned model too few n-grams to find a category on its own (你好).
MIN_CHARACTERS_FOR_MODEL = 6
EITHER_OR = "还是"
LIST_MARK = "、"
#: a chat message's last sentence ending in these (…都可以问我哦～, …免流量哦🎧) states something:
#: with no mark after it, it is not read as a question typed without its question mark
STATEMENT_TAILS = ("~", "哦", "啦", "哈", "噢", "喔", "嘞", "咯")
_ASKS_BY_ITSELF = (KIND_Q_WH, KIND_Q_WH_END, KIND_Q_FORM)
_NOT_ASKING_TAKES_BACK = (KIND_Q_WH, KIND_Q_WH_END, KIND_Q_PARTICLE)


@cython.cclass
class _ReplyScan:
    # Compiled, an extension type whose attributes are C slots: the engine reads them thousands
    # of times per reply, and a slot is one pointer away where an instance dict is a hash lookup.
    text = cython.declare(object)
    norms = cython.declare(object)
    rules = cython.declare(object)
    folded = cython.declare(object)
    origin = cython.declare(object)
    candidates = cython.declare(object)
    markers = cython.declare(object)
    suppressed = cython.declare(object)
    allowed = cython.declare(object)
    plain_words = cython.declare(object)
    question_clauses = cython.declare(object)
    _intent_suggestions = cython.declare(object)
    _readings = cython.declare(object)
    segments = cython.declare(object)
    cut_starts = cython.declare(object)
    cut_ends = cython.declare(object)
    quotes = cython.declare(object)
    meaning_view = cython.declare(object)

    def __init__(self, text: str, norms: Norms):
        self.text = text
        self.norms = norms
        self.rules = norms.rules
        quick = quick_fold(text)
        self.folded, self.origin = (quick, None) if quick is not None else _fold_with_origin(text)
        # quick-folded, the text is also what key points read: it is not folded a second time
        self.meaning_view = MeaningReply(text, quick)
        self.candidates: list[_Candidate] = []
        self.markers: dict[str, list[tuple[int, int, KeyMeaning]]] = {}
        self.suppressed: list[Suppressed] = []
        self.allowed: list[tuple[int, int, KeyMeaning]] = []
        self.plain_words: list[tuple[int, int]] = []  # rules.not_negating
        self.question_clauses: list[tuple[int, int]] = []  # folded; set by verdict()
        self._intent_suggestions: dict[tuple[str, str], str] = {}
        self._readings: dict[tuple[int, int] | None, Reading] = {}  # see _reading
        self._scan()
        self._cut_clauses()
        self._sequences()
        self.quotes = quoted_regions(self.folded, self.rules.quote_pairs)

    # ---- offsets

    @cython.ccall
    def _original_span(self, start: int, end: int) -> tuple[int, int]:
        if self.origin is None:
            return start, end
        return self.origin[start], self.origin[end - 1] + 1

    @cython.ccall
    def _evidence(self, start: int, end: int) -> str:
        begin, finish = self._original_span(start, end)
        return self.text[begin:finish]

    @cython.ccall
    def _suppress(self, category: str, start: int, end: int, reason: str) -> None:
        self.suppressed.append(
            Suppressed(category, self._evidence(start, end), self._original_span(start, end), reason))

    # ---- the single scan

    def _scan(self) -> None:
        # (start, -last) is unique per match: the same start and end can only be the same key
        infos = self.norms.phrases.values
        matches = sorted([(start, 1 - end, infos[index])
                          for index, start, end in self.norms.phrases.find(self.folded)])
        reach = -1
        for start, negative_last, info in matches:
            end = 1 - negative_last
            if end <= reach:
                continue  # inside a longer key: settled by that key's inner table
            reach = end
            for meaning in info.meanings:
                self._take(start, end, meaning, info.key)
            for inner in info.inner:
                inner_start = start + inner.offset
                inner_end = inner_start + inner.length
                if inner.suppress_reason is None:
                    self._take(inner_start, inner_end, inner.meaning,
                               self.folded[inner_start:inner_end])
                else:
                    reason = inner.suppress_reason.format(
                        inner=self._evidence(inner_start, inner_end),
                        outer=self._evidence(start, end))
                    self._suppress(inner.meaning.category, inner_start, inner_end, reason)

    def _sequences(self) -> None:
        """Categories said as words in order with a gap (rules.sequences): each match is a
        candidate like a phrase hit, so quotation, polite-phrase and negation rules apply."""
        rules = self.rules.sequences
        if not rules or not len(self.rules.sequence_anchors):
            matches = []
        else:
            starts: dict[int, set[int]] = {}  # rule → anchor positions
            anchors = self.rules.sequence_anchors.values
            for index, start, _ in self.rules.sequence_anchors.find(self.folded):
                for number in anchors[index]:
                    if number in starts:
                        starts[number].add(start)
                    else:
                        starts[number] = {start}
            matches = []
            for number, positions in sorted(starts.items()):
                rule = rules[number]
                if rule.anchored:
                    for position in sorted(positions):
                        match = rule.pattern.match(self.folded, position)
                        if match is not None:
                            matches.append((rule, match))
                else:
                    for match in rule.pattern.finditer(self.folded):
                        matches.append((rule, match))
        for rule, match in matches:
            start, end = match.span()
            if start == end:
                continue
            blocker = None
            if rule.unless:
                lo, hi = self._sentence_bounds(start)
                sentence = self.folded[lo:hi]
                for word in rule.unless:
                    if word in sentence:
                        blocker = word
                        break
            if blocker is None:  # a word overlapping the match
                for word in rule.unless_overlapping:
                    if word in self.folded[max(0, start - len(word) + 1):end + len(word) - 1]:
                        blocker = word
                        break
            if blocker is not None:
                self._suppress(rule.category, start, end,
                               f"{self._evidence(start, end)} ({rule.name}) cancelled by {blocker}")
                continue
            self.candidates.append(_Candidate(start, end, rule.meaning, match.group()))
        everyday = self.rules.everyday_latin
        if everyday is not None and _LATIN_WORD.search(self.folded):
            # a listed term inside a longer word (IMS in IMSI) is dropped later and decides nothing
            listed = [(c.start, c.end) for c in self.candidates
                      if c.meaning.jargon_term is not None and self._stands_alone(c.start, c.end)]
            # an e-mail address read back in parts (wang.jun@126.com，wang点jun; sina是新浪的拼音)
            addresses = " ".join(_EMAIL_ADDRESS.findall(self.folded))
            for match in _LATIN_WORD.finditer(self.folded):
                word, start = match.group(), match.start()
                if (word.replace("-", "") in everyday or set(word) == {"x"}  # wifi; xxxx masks digits
                        or self.folded[match.end():match.end() + 1].isdigit()  # TK2024…: an order number
                        or self._in_address(start, match.end())  # speedtest.cn, 账号@163.gd
                        or (addresses and word in addresses)
                        or self.folded[start - 1:start] == "."  # 结尾是.con: a domain's ending
                        or any(lo <= start < hi for lo, hi in listed)  # a listed term decides
                        or self.folded[max(0, start - 3):start].endswith(self.rules.latin_value_markers)):
                    continue  # 改成ctnet: a value the customer types, not a term
                meaning = KeyMeaning(KIND_CATEGORY, "rules.jargon_acronyms", "jargon", jargon_term=word)
                self.candidates.append(_Candidate(start, match.end(), meaning, word))  # PUK, OTA, QoS

    @cython.ccall
    def _take(self, start: int, end: int, meaning: KeyMeaning, key: str) -> None:
        if meaning.kind == KIND_CATEGORY:
            self.candidates.append(_Candidate(start, end, meaning, key))
        elif meaning.kind == KIND_ALLOW:
            self.allowed.append((start, end, meaning))
        elif meaning.kind == KIND_PLAIN_WORD:
            self.plain_words.append((start, end))
        elif meaning.kind != KIND_LOOKALIKE:
            self.markers.setdefault(meaning.kind, []).append((start, end, meaning))

    # ---- structure: clauses, sentences, quotations

    def _cut_clauses(self) -> None:
        """Clause cuts (punctuation and 但/不过 words) and punctuation-only segments."""
        punctuation = _boundary_pattern(self.rules.clause_punctuation)
        self.segments: list[tuple[int, int, str]] = []  # (start, end, terminating mark)
        cuts: list[tuple[int, int]] = []
        position = 0
        boundaries = [(m.start(), m.end(), m.group()) for m in punctuation.finditer(self.folded)]
        if self.origin is not None and _WHITESPACE.search(self.text):
            boundaries = sorted(boundaries + self._space_cuts())
        for cut_start, cut_end, mark in boundaries:
            if cut_start < position:
                continue
            self.segments.append((position, cut_start, mark))
            cuts.append((cut_start, cut_end))
            position = cut_end
        if position < len(self.folded):
            self.segments.append((position, len(self.folded), ""))
        cuts.extend((start, end) for start, end, _ in self.markers.get(KIND_CLAUSE_WORD, ()))
        cuts.sort()
        self.cut_starts = [start for start, _ in cuts]
        self.cut_ends = sorted(end for _, end in cuts)

    def _space_cuts(self) -> list[tuple[int, int, str]]:
        """Zero-width cuts where the original had whitespace between two CJK characters."""
        cuts = []
        origin, folded = self.origin, self.folded
        for index in range(1, len(folded)):
            if origin[index] - origin[index - 1] > 1 and _is_cjk(folded[index - 1]) and _is_cjk(folded[index]):
                gap = self.text[origin[index - 1] + 1:origin[index]]
                if gap and gap.isspace():
                    cuts.append((index, index, SPACE_CUT))
        return cuts

    @cython.ccall
    def _clause_start(self, position: int) -> int:
        index = bisect_right(self.cut_ends, position)
        return self.cut_ends[index - 1] if index else 0

    @cython.ccall
    def _clause_end(self, position: int) -> int:
        index = bisect_left(self.cut_starts, position)
        return self.cut_starts[index] if index < len(self.cut_starts) else len(self.folded)

    @cython.ccall
    def _sentence_bounds(self, position: int) -> tuple[int, int]:
        sentence_end = self.rules.sentence_end
        start = 0
        for seg_start, seg_end, mark in self.segments:
            if mark in sentence_end and mark:
                # a space cut (亲 您查的是…对吧 月租…) ends a sentence without a character of its own
                width = len(mark) if self.folded.startswith(mark, seg_end) else 0
                if position < seg_end + width:
                    return start, seg_end
                start = seg_end + width
        return start, len(self.folded)

    # ---- context rules per hit

    def _check(self, candidate: _Candidate) -> Hit | None:
        meaning = candidate.meaning
        category = meaning.category
        start, end = candidate.start, candidate.end
        evidence = self._evidence(start, end)

        for lo, hi in self.quotes:  # 连一句“不好意思”都没说: someone else's words, no apology of the agent's
            if lo < start and end < hi:
                self._suppress(category, start, end,
                               f"{evidence} is inside quotation marks (someone else's words)")
                return None
        if category in VIOLATION_CATEGORIES:
            # 听不太清 over 不太清楚; a longer violation that holds a whole polite phrase wins, as the
            # longest phrase does (我们网络肯定没问题 holds 没问题)
            polite = None
            if self.allowed:
                polite = next((self._evidence(lo, hi) for lo, hi, _ in self.allowed
                               if lo < end and start < hi and not (start <= lo and hi <= end)), None)
            if polite is not None:
                self._suppress(category, start, end, f"{evidence} overlaps the polite phrase {polite}")
                return None
            word = self._word_straddled(start, end)  # 别闹 in 特别闹心
            if word is not None:
                self._suppress(category, start, end, f"{evidence} takes a character of the word {word}")
                return None
            if meaning.unless:
                lo, hi = self._sentence_bounds(start)
                around = self.folded[lo:start] + "\0" + self.folded[end:hi]
                word = next((w for w in meaning.unless if w in around), None)
                if word is not None:
                    self._suppress(category, start, end, f"{evidence} cancelled by {word} in its sentence")
                    return None
        if meaning.staff_number_side is not None:
            start, end = self._with_staff_number(candidate)
            if start < 0:
                return None
            evidence = self._evidence(start, end)
        if meaning.jargon_term is not None and not self._stands_alone(start, end):
            return None  # "sp" inside an English word is not the jargon term SP
        if category in self.rules.negation_applies_to and self.norms.categories[category].negatable:
            negator = self._negator_before(start)
            if negator is not None:
                self._suppress(category, start, end,
                               f"{evidence} negated by {self._evidence(*negator)}")
                return None
        if category == "uncertain_language":
            estimate_end = self._time_estimate_after(candidate)
            if estimate_end is not None:
                self._suppress(category, start, end,
                               f"{evidence} is a time estimate ({self._evidence(start, estimate_end)})")
                return None
        if category == "greeting":
            word = self._word_run_on(start, end)
            if word is not None:
                self._suppress(category, start, end, f"{evidence} runs on into the word {word}")
                return None
        if category == "jargon":
            explanation = self._explanation_for(meaning.jargon_term, start, end)
            if explanation is not None:
                self._suppress(category, start, end,
                               f"{evidence} explained by {self._evidence(*explanation)}")
                return None
        return Hit(category, evidence, self._original_span(start, end), meaning.phrase)

    @cython.ccall
    def _with_staff_number(self, candidate: _Candidate) -> tuple[int, int]:
        """Extend 工号 / 号为您服务 over the staff number; (-1, -1) if there is none."""
        digits = self.rules.staff_digits
        start, end = candidate.start, candidate.end
        if candidate.meaning.staff_number_side == "after":
            if end < len(self.folded) and self.folded[end] in STAFF_NUMBER_SEPARATORS:
                end += 1  # 工号：7788
            number_end = end
            while number_end < len(self.folded) and self.folded[number_end] in digits:
                number_end += 1
            number_span = (end, number_end)
            span = (start, number_end)
        else:
            number_start = start
            while number_start > 0 and self.folded[number_start - 1] in digits:
                number_start -= 1
            number_span = (number_start, start)
            span = (number_start, end)
        number = self.folded[number_span[0]:number_span[1]]
        if len(number) < self.rules.staff_min_digits:
            return -1, -1
        if number.translate(_CHINESE_DIGIT_VALUES) in self.rules.service_numbers:
            self._suppress("self_identification", *span,
                           f"{self._evidence(*number_span)} is a service number, not a staff number")
            return -1, -1
        return span

    @cython.ccall
    def _in_address(self, start: int, end: int) -> bool:
        """A Latin word joined to a web address or account name by ".", "_", "/" or "@" is a value to
        type (speedtest.cn, zhang_li@163.com, help.10010.com/refund/status)."""
        text = self.folded
        before = text[start - 2:start] if start >= 2 else ""
        joined_before = before[-1:] == "@" or (before[-1:] in (".", "_", "/") and before[0].isascii() and before[0].isalnum())
        after = text[end:end + 2]
        joined_after = after[:1] in (".", "@", "_", "/") and after[1:].isascii() and after[1:].isalnum()
        return joined_before or joined_after

    @cython.ccall
    def _stands_alone(self, start: int, end: int) -> bool:
        """Latin-letter terms must not be part of a longer Latin word, nor codes (691) of a longer
        number (10086691)."""
        term = self.folded[start:end]
        if not term.isascii():
            return True
        before = self.folded[start - 1] if start > 0 else ""
        after = self.folded[end] if end < len(self.folded) else ""
        if term.isdigit():
            return not before.isdigit() and not after.isdigit()
        return not (before.isascii() and before.isalpha()) and not (after.isascii() and after.isalpha())

    @cython.ccall
    def _negator_before(self, start: int) -> tuple[int, int] | None:
        clause_start = self._clause_start(start)
        window = self.rules.negation_window
        for neg_start, neg_end, _ in self.markers.get(KIND_NEGATOR, ()):
            # a negation ends with its 的 phrase: 有什么不满意的随时叫我 still invites the customer back
            if (clause_start <= neg_start and neg_end <= start and start - neg_end <= window
                    and "的" not in self.folded[neg_end:start]):
                return neg_start, neg_end
        return None

    @cython.ccall
    def _time_estimate_after(self, candidate: _Candidate) -> int | None:
        if not candidate.key.startswith(self.rules.time_hedges):
            return None
        clause_end = self._clause_end(candidate.end)
        if self.folded[candidate.end:clause_end].rstrip().endswith(self.rules.time_hedged_by):
            return None  # 估计三五天吧: the estimate is hedged again
        for unit_start, unit_end, _ in self.markers.get(KIND_TIME_UNIT, ()):
            if (candidate.end < unit_start <= candidate.end + self.rules.time_max_gap
                    and unit_end <= clause_end
                    and self.folded[unit_start - 1] in self.rules.time_numerals
                    and not self.folded.endswith(self.rules.time_vague, 0, unit_start)):
                return unit_end
        return None

    def _explanation_for(self, term: str, start: int, end: int) -> tuple[int, int] | None:
        sentence_start, sentence_end = self._sentence_bounds(start)
        for ex_start, ex_end, meaning in self.markers.get(KIND_EXPLANATION, ()):
            if (meaning.jargon_term == term and sentence_start <= ex_start and ex_end <= sentence_end
                    and not (start <= ex_start and ex_end <= end)):
                return ex_start, ex_end
        before_gap = self.rules.explanation_before_gap
        for ex_start, ex_end, _ in self.markers.get(KIND_EXPLANATION_MARKER, ()):
            if end <= ex_start and ex_end <= sentence_end:
                return ex_start, ex_end
            if (sentence_start <= ex_start and ex_end <= start and start - ex_end <= before_gap
                    and self.folded[ex_start:ex_end] != "("):  # （已在CRM里冲抵）: a bracket explains what precedes it
                return ex_start, ex_end  # 维修申请，也就是工单
        near_gap = self.rules.explanation_near_gap
        # the term again later, in this sentence or a later one, may carry it: 输入PUK码的话，这个
        # PUK码就是…… / …端口被限速了。这里的“端口”指的是……
        mentions = [start]
        word = self.folded[start:end]
        while (later := self.folded.find(word, mentions[-1] + 1)) != -1:
            mentions.append(later)
        asked = {start for start, _, _ in self.markers.get(KIND_Q_WH, ())}
        for kind in (KIND_EXPLANATION_NEAR, KIND_EXPLANATION_MARKER):
            for ex_start, ex_end, _ in self.markers.get(kind, ()):
                # 鉴权，就是……; not 光猫SN码是多少, which asks for it, nor PUK码是40278135, which gives its value
                # (是一组8位的解锁码 describes it: only a marker ending in 是 gives a value)
                if (ex_end not in asked
                        and not (self.folded.endswith("是", 0, ex_end) and self.folded[ex_end:ex_end + 1].isdigit())
                        and any(0 <= ex_start - (at + len(word)) <= near_gap for at in mentions)):
                    return ex_start, ex_end
        return None

    # ---- questions

    def _question_clauses(self) -> list[tuple[int, int]]:
        """Clauses that ask the customer something, in reply order.

        A clause is a question when it ends with 吗/呢, contains 请问, or sits in a sentence
        ending with a question mark and contains a question form (是否, 有没有, 还是 …) or a
        question word (什么, 多少, 哪 …). Not counted: conditional clauses (如果是), a bare
        lead-in (请问，), and a courtesy tag closing a request (…好吗？ / 您看可以吗？). A
        question-marked sentence with no form at all counts once ("您是上个月办的？"), unless it
        is an interjection shorter than min_bare_question_chars ("喂？").
        """
        markers = [(start, end, kind) for kind in QUESTION_KINDS for start, end, _ in self.markers.get(kind, ())]
        if self.quotes:
            markers = [(start, end, kind) for start, end, kind in markers
                       if not any(lo < start and end < hi for lo, hi in self.quotes)]
        # words that ask nothing can only take back a question word or particle: looked for only
        # when the reply has one
        if not {kind for _, _, kind in markers}.isdisjoint(_NOT_ASKING_TAKES_BACK):
            not_asking = [(i, i + len(word)) for word in self.rules.not_asking
                          for i in _occurrences(self.folded, word)]  # 好几天, 等着呢 ask nothing
            not_asking += self._correlatives()
            if not_asking:
                markers = [(start, end, kind) for start, end, kind in markers
                           if not (kind in _NOT_ASKING_TAKES_BACK
                                   and any(lo <= start and end <= hi for lo, hi in not_asking))]
        markers.sort()
        starts = [start for start, _, _ in markers]
        questions: list[tuple[int, int]] = []
        sentence: list[tuple[int, int]] = []
        # Chat messages typed without any sentence-final mark ("您要改套餐还是加流量包 现在用的是
        # 哪个套餐"): each space-separated part is read as if it ended with a question mark
        # when it has a question form or word.
        unpunctuated = True
        for _, _, mark in self.segments:
            if mark and mark != SPACE_CUT and mark in self.rules.sentence_end:
                unpunctuated = False
                break
        listing = False  # the segment before ended with 、: this one may be the next item of a list
        for seg_start, seg_end, mark in self.segments:
            if listing and sentence and not any(
                    kind in _ASKS_BY_ITSELF for _, _, kind in markers[bisect_left(starts, seg_start):bisect_left(starts, seg_end)]):
                # 给手表、平板用呢？ one clause, not two; 几号出发、去几个国家？ two questions
                sentence[-1] = (sentence[-1][0], seg_end)
            elif seg_end > seg_start:
                sentence.append((seg_start, seg_end))
            listing = mark == LIST_MARK
            if mark in self.rules.sentence_end and (mark or seg_end == len(self.folded)):
                real_mark = bool(mark) and mark in QUESTION_MARKS
                stated = not mark and self._ends_as_statement(seg_end)
                marked = real_mark or (not mark and not stated) or (unpunctuated and mark == SPACE_CUT)
                questions.extend(self._questions_in_sentence(
                    sentence, marked, markers, starts, bare_counts=real_mark or (not mark and not unpunctuated and not stated),
                    stated_ok=not real_mark))
                sentence = []
        if sentence:
            questions.extend(self._questions_in_sentence(sentence, unpunctuated, markers, starts,
                                                         bare_counts=False, stated_ok=True))
        return questions

    def _bare_reply(self, violations: list[Hit]) -> Hit | None:
        """The whole reply a bare word or two (身份证。重启。没货。问那边的。): curt by its form alone,
        unless a courteous word, a question or a rude phrase already found says more."""
        limit = self.rules.bare_max_characters
        if not limit or any(h.category == "forbidden_phrase" for h in violations) or self.question_clauses:
            return None
        said = sum(1 for ch in self.folded if ch.isalnum())
        if said == 0 or said > limit or "?" in self.folded or any(w in self.folded for w in self.rules.bare_courteous):
            return None
        return Hit("forbidden_phrase", self.text, (0, len(self.text)), "rules.bare_replies")

    def _ends_as_statement(self, end: int) -> bool:
        text = self.folded[:end].rstrip()
        while text and not text[-1].isalnum() and text[-1] != "~" and ord(text[-1]) > 0x2000:
            text = text[:-1]  # emoji and other symbols after the words
        return text.endswith(STATEMENT_TAILS)

    def _correlatives(self) -> list[tuple[int, int]]:
        """A question word said twice in one clause with 就/才/算… between answers itself:
        用多少扣多少, 哪天用哪天扣 (whichever day), 谁先到谁先办."""
        found = []
        asked = [(start, end) for kind in (KIND_Q_WH, KIND_Q_WH_END) for start, end, _ in self.markers.get(kind, ())]
        for start, end, _ in self.markers.get(KIND_Q_WH, ()):
            word = self.folded[start:end]
            again = self.folded.find(word, end, end + CORRELATIVE_GAP + len(word))
            ends = [e for s, e in asked if s == again]  # 哪 … 哪天: to the end of the longer word
            if ends and not any(mark in self.folded[end:again] for mark in self.rules.clause_punctuation):
                found.append((start, max(ends)))
        return found

    def _questions_in_sentence(self, clauses: list[tuple[int, int]], question_marked: bool,
                               markers: list[tuple[int, int, str]], starts: list[int],
                               bare_counts: bool = True,
                               stated_ok: bool = False) -> list[tuple[int, int]]:
        """``markers`` sorted by start, and ``starts`` their starts."""
        found: list[tuple[int, int]] = []
        courtesy_only = False
        last = self.folded[slice(*clauses[-1])] if clauses else ""
        if len(clauses) > 1 and len(last) <= CHECK_CLAUSE_MAX and last.endswith(self.rules.question_check_tags):
            return [clauses[-1]]  # …，我理解得对吗？ one check of what came before
        lead_in_only = False  # the last clause found asks nothing but 请问
        asked_what = False  # the clause just before asked with a question word
        for clause_start, clause_end in clauses:
            if found and self.folded.startswith(EITHER_OR, clause_start):
                continue  # 您是要查话费，还是打详单？ the other half of one either-or question
            # markers are sorted by start: those starting in the clause are one slice of them
            kinds_here = [marker for marker in markers[bisect_left(starts, clause_start):bisect_left(starts, clause_end)]
                          if marker[1] <= clause_end]
            offers = [self.folded[s:e] == EITHER_OR for s, e, k in kinds_here if k != KIND_Q_PARTICLE]
            if asked_what and offers and all(offers):
                continue  # 哪个灯在闪，是LOS灯还是PON灯？ the choices offered for the same question
            if asked_what and any(word in self.folded[clause_start:clause_end] for word in self.rules.tell_requests):
                continue  # 今天发生了什么，能跟我说说吗？ asks to be told what was just asked
            asked_what = False
            if not kinds_here:
                lead_in_only = False  # no question marker: the clause asks nothing
                continue
            ends_with = set()
            conditional = has_form = has_wh = lead_in = False
            for s, e, k in kinds_here:  # one pass (compiled, each any() over a generator is an object)
                conditional = conditional or (k == KIND_Q_CONDITIONAL and s - clause_start <= 1)
                if e == clause_end:
                    ends_with.add(k)
                if self.folded[s:e] == LEAD_IN_FORM:
                    lead_in = True
                elif k == KIND_Q_FORM:
                    has_form = True
                has_wh = has_wh or k == KIND_Q_WH
            if conditional:
                continue
            if lead_in and clause_end - clause_start <= len(LEAD_IN_FORM) + 2 and len(kinds_here) == 1:
                continue
            if KIND_Q_COURTESY in ends_with and not (has_form or has_wh):
                courtesy_only = True
                continue
            # a chat's 呢 softens a statement (退款要排队半个月呢~): it asks only under a question
            # mark or beside a question word or form (订单号呢？ 您的意思呢)
            particle_asks = KIND_Q_PARTICLE in ends_with and not (
                stated_ok and not (has_form or has_wh)
                and all(self.folded[s:e] == SOFT_PARTICLE for s, e, k in kinds_here if k == KIND_Q_PARTICLE and e == clause_end))
            asks = (particle_asks or KIND_Q_WH_END in ends_with
                    or (question_marked and (has_form or has_wh)
                        and not (stated_ok and FIRST_PERSON in self.folded[clause_start:clause_end])))
            if asks and lead_in_only:
                found.pop()  # 请问您说的不能上网，是流量还是宽带？ the lead-in only named the topic
            if asks or lead_in:
                found.append((clause_start, clause_end))
            # 能先跟我说说吗，是哪里不满意？ asking to be told leads in to what is asked next
            telling = asks and not has_wh and any(
                word in self.folded[clause_start:clause_end] for word in self.rules.tell_requests)
            lead_in_only = (lead_in and not asks) or telling
            asked_what = asks and has_wh
        if question_marked and bare_counts and not found and not courtesy_only and clauses:
            length = sum(end - start for start, end in clauses)
            if length >= self.rules.min_bare_question_chars:
                found.append(clauses[-1])
        return found

    # ---- verdict

    def verdict(self) -> ReplyVerdict:
        elements: list[Hit] = []
        violations: list[Hit] = []
        for candidate in sorted(self.candidates, key=lambda c: (c.start, c.end, c.meaning.category)):
            hit = self._check(candidate)
            if hit is None:
                continue
            (elements if hit.category in ELEMENT_CATEGORIES else violations).append(hit)

        violations.extend(self._rhetorical_questions(violations))
        violations = self._intent_rules(violations, elements)
        questions = self.question_clauses = self._question_clauses()
        if questions:
            violations = self._estimates_asked(violations, questions)
        self._consult_model(elements, violations)
        bare = self._bare_reply(violations)
        if bare is not None:
            violations.append(bare)
        # a rhetorical question is not an information question: one the rules found rude, and the
        # model did not clear (不知道您平时…？ asks), is not counted
        forbidden = [h.span for h in violations if h.category == "forbidden_phrase" and not h.by_model]
        if forbidden and len(questions) > 1:
            questions = [(lo, hi) for lo, hi in questions
                         if not any(f_start < span[1] and span[0] < f_end
                                    for span in (self._original_span(lo, hi),)
                                    for f_start, f_end in forbidden)]
        if len(questions) > 1:
            start, end = questions[0][0], questions[-1][1]
            violations.append(Hit("multiple_questions", self._evidence(start, end),
                                  self._original_span(start, end),
                                  f"{len(questions)} questions in one reply"))
        self._cancel_hollow(elements, violations)
        elements = _merged(elements, self.text)  # found in reading order; the model's finds are of other categories
        violations.sort(key=lambda hit: (hit.span, hit.category))
        violations = _merged(violations, self.text)
        self.suppressed = _outermost(self.suppressed)
        self.suppressed.sort(key=lambda s: (s.span, s.category, s.reason))

        categories = self.norms.categories
        present_elements = _distinct([hit.category for hit in elements])
        present_violations = _distinct([hit.category for hit in violations])
        points = (sum([categories[name].points for name in present_elements])
                  - sum([categories[name].points for name in present_violations]))
        return ReplyVerdict(elements, violations, self.suppressed, points, self._feedback(violations),
                            self.text, _lexicon(self.norms), self.meaning_view)

    def _consult_model(self, elements: list[Hit], violations: list[Hit]) -> None:
        """Categories whose norms consult the learned model (``learned:``): a rule hit it rates
        below ``veto_below`` is cancelled -- kept in ``suppressed`` with the probability -- and
        from ``find_from`` it finds the category no rule found, with the clause that weighs most
        as evidence and that clause's heaviest n-grams named as cues."""
        if not self.norms.consulting:
            return
        by_category: dict[str, list[Hit]] = {}  # each category's hits; a veto or find touches only its own
        for hit in elements + violations:
            by_category.setdefault(hit.category, []).append(hit)
        for category in self.norms.consulting:
            learned, name = category.learned, category.name
            hits = elements if category.kind == "element" else violations
            found = by_category.get(name)
            if found:
                if learned.veto_below > 0.0:
                    self._veto(category, found, hits)
                continue
            threshold = learned.find_from
            if threshold is None or len(self.folded) < MIN_CHARACTERS_FOR_MODEL:
                continue
            reading = self._reading()
            probability = reading.probability(name)
            if learned.find_beside:  # beside these categories the model must be surer
                for other, least in learned.find_beside:
                    if other in by_category and least > threshold:
                        threshold = least
            if probability >= threshold:
                clauses = [(start, end) for start, end, _ in self.segments] or [(0, len(self.folded))]
                if learned.asks and not self._asks():
                    continue  # a check asks: 您是想改39元的那一档 states, it does not check
                if category.kind == "element":  # 真的很抱歉 says sorry and no more: no evidence of another element
                    clauses = [(start, end) for start, end in clauses
                               if self._clause_only_of(name, start, end, elements) is None]
                    if not clauses:
                        continue
                (start, end), cues = reading.evidence(name, clauses)
                span = self._original_span(start, end)
                judged = self._judged_by_rules(name, start, end, span, violations)
                if judged is not None:
                    self.suppressed.append(Suppressed(
                        name, self._evidence(start, end), span,
                        f"the learned model rates {name} at {probability:.2f}, but {judged}"))
                    continue
                hits.append(Hit(name, self._evidence(start, end), span,
                                f"learned model {probability:.2f}: {'、'.join(cues)}", by_model=True))

    def _estimates_asked(self, violations: list[Hit], questions: list[tuple[int, int]]) -> list[Hit]:
        """A hedge word said of the customer in a question that asks with a question word later on
        asks the customer for an estimate (您一年大概出去几次？): not a hedged answer."""
        if not any(hit.category == "uncertain_language" for hit in violations):
            return violations
        asked = [self._original_span(start, end)
                 for kind in (KIND_Q_WH, KIND_Q_WH_END) for start, end, _ in self.markers.get(kind, ())]
        clauses = [self._original_span(start, end) for start, end in questions]
        kept = []
        for hit in violations:
            clause = None
            if hit.category == "uncertain_language":
                clause = next((c for c in clauses if self._asks_for_estimate(hit.span, c, asked)), None)
            if clause is None:
                kept.append(hit)
            else:
                self.suppressed.append(Suppressed(
                    hit.category, hit.evidence, hit.span,
                    f"{hit.evidence} asks the customer for an estimate: {self.text[clause[0]:clause[1]]}"))
        return kept

    def _asks_for_estimate(self, span: tuple[int, int], clause: tuple[int, int],
                           asked: list[tuple[int, int]]) -> bool:
        """Original spans: the hedge lies in the question clause, a question word follows it there,
        and the customer is its subject, named (您一年大概…) or left out (一般都去哪些地方？)."""
        if not (clause[0] <= span[0] and span[1] <= clause[1]):
            return False
        before = self.text[clause[0]:span[0]]
        return (("您" in before or "你" in before or not before.strip())
                and any(span[1] <= start and end <= clause[1] for start, end in asked))

    def _asks(self) -> bool:
        """The reply asks the customer something or asks them to check (rules.questions)."""
        return bool(self.question_clauses) or any(word in self.folded for word in self.rules.check_requests)

    def _cancel_hollow(self, elements: list[Hit], violations: list[Hit]) -> None:
        """An element whose norms name it ``hollow_with`` a violation the reply also has is
        cancelled: 我能理解，您说快点 is a brush-off, not sympathy. So is an offer of further help
        made of the words of a rude phrase (以后坏了可别来找我们)."""
        categories = self.norms.categories
        for hit in [hit for hit in elements if categories[hit.category].hollow_with]:
            beside = next((v for v in violations if v.category in categories[hit.category].hollow_with), None)
            if beside is not None:
                elements.remove(hit)
                self.suppressed.append(Suppressed(
                    hit.category, hit.evidence, hit.span,
                    f"{hit.evidence}: hollow beside {beside.category} {beside.evidence}"))
        # the words of a brush-off are no invitation back: 以后坏了可别来找我们, 您明天再打过来找她吧
        rude = [v for v in violations if v.category == "forbidden_phrase" and not v.by_model]
        for hit in [hit for hit in elements if hit.category == "offer_further_help"]:
            within = next((v for v in rude if v.span[0] < hit.span[1] and hit.span[0] < v.span[1]), None)
            if within is not None:
                elements.remove(hit)
                self.suppressed.append(Suppressed(
                    hit.category, hit.evidence, hit.span,
                    f"{hit.evidence}: part of the brush-off {within.evidence}"))

    @cython.ccall
    def _reading(self, sentence: tuple[int, int] | None = None) -> Reading:
        """The learned model's reading of the reply, or of one of its sentences (folded bounds),
        made on first use: one n-gram scan per reply, a sentence read from the reply's matches."""
        if sentence not in self._readings:
            self._readings[sentence] = (shipped_model().read(self.folded) if sentence is None
                                        else self._reading().within(*sentence))
        return self._readings[sentence]

    def _veto(self, category: Category, found: list[Hit], hits: list[Hit]) -> None:
        """Cancel each hit whose sentence the model rates below ``veto_below``: judged on the
        sentence, not the reply, so one rude sentence is not outweighed by a polite greeting around
        it; with ``veto_with_hits``, the model of the category's phrase hits judges the whole reply."""
        name, below = category.name, category.learned.veto_below
        # the model of phrase hits judges the reply once, as it learned: whether the words were meant
        # so often shows only in the sentence after them (a reason, a next step)
        whole_reply = (shipped_model().hits[name].read(self.folded).probability(name)
                       if category.learned.veto_with_hits else None)
        for hit in [hit for hit in found if not hit.by_structure]:
            if whole_reply is not None:
                probability, judged, where = whole_reply, "the learned model of its phrase hits", ""
            else:
                lo, hi = self._sentence_bounds(self._folded_position(hit.span[0]))
                whole = lo == 0 and not self.folded[hi:].strip(self.rules.sentence_end)  # the reply is one sentence
                probability = self._reading(None if whole else (lo, hi)).probability(name)
                judged, where = "the learned model", " in its sentence"
            if probability < below:
                hits.remove(hit)
                self.suppressed.append(Suppressed(
                    name, hit.evidence, hit.span,
                    f"{hit.evidence} ({hit.phrase}): {judged} rates {name} at {probability:.2f}{where}, "
                    f"below {below:.2f}"))

    @cython.ccall
    def _folded_position(self, original: int) -> int:
        return original if self.origin is None else bisect_left(self.origin, original)

    def _judged_by_rules(self, category: str, start: int, end: int, span: tuple[int, int],
                         violations: list[Hit]) -> str | None:
        """Why the rules already settled ``category`` in this clause, if they did: a hit of it they
        cancelled there (negated, quoted, a look-alike …); for a check of understanding, a forbidden
        phrase they found there (你还不明白吗 reproaches, it checks nothing); for a violation, a polite phrase
        there (听不太清楚, 不必介意) or a condition opening it (如果…也没用) -- the model does not
        overrule a judgement the norms spell out."""
        for cancelled in self.suppressed:
            if cancelled.category == category and cancelled.span[0] < span[1] and span[0] < cancelled.span[1]:
                return f"the norms cancelled it here: {cancelled.reason}"
        if category == "confirmation":
            rude = next((hit for hit in violations if hit.category == "forbidden_phrase" and not hit.by_model
                         and hit.span[0] < span[1] and span[0] < hit.span[1]), None)
            return None if rude is None else f"the rules read {rude.evidence} here as a forbidden phrase"
        if category not in VIOLATION_CATEGORIES:
            return None
        opener = next((self._evidence(lo, hi) for lo, hi, _ in self.markers.get(KIND_Q_CONDITIONAL, ())
                       if start <= lo <= start + 1), None)
        if opener is not None:  # 如果重启了也没用，请您再拨…: what may happen to the customer, not the agent's stance
            return f"the clause opens with the condition {opener}"
        polite = self._polite_phrase_over(start, end)
        return None if polite is None else f"the clause holds the polite phrase {polite}"

    def _clause_only_of(self, category: str, start: int, end: int, elements: list[Hit]) -> Hit | None:
        """The hit of another element that, with intensifiers (rules.intensifiers) around it,
        makes up the whole clause start..end (folded), if one does."""
        covered = bytearray(end - start)
        inside = None
        for hit in elements:
            lo, hi = self._folded_position(hit.span[0]), self._folded_position(hit.span[1])
            if hit.category != category and start <= lo and hi <= end:
                inside = hit
                covered[lo - start:hi - start] = b"\1" * (hi - lo)
        if inside is None:
            return None
        rest = "".join(ch for ch, done in zip(self.folded[start:end], covered) if not done)
        for word in self.rules.intensifiers:
            rest = rest.replace(word, "")
        return inside if not rest.strip(self.rules.clause_punctuation) else None

    @cython.ccall
    def _word_run_on(self, start: int, end: int) -> str | None:
        """The word the segmenter reads across the end of start..end, if one: a greeting whose 好
        begins a longer word greets no one (您/好友代付, 晚上/好多人, 您/好心来办事)."""
        if end >= len(self.folded) or not _is_cjk(self.folded[end]):
            return None  # 您好， / 您好! : nothing to run on into
        length, position = end - start, 0
        for word in rjieba.cut(self.folded[start:end + WORD_LOOKAHEAD]):
            position += len(word)
            if position >= length:
                return word if position > length and position - len(word) < length else None
        return None

    def _word_straddled(self, start: int, end: int) -> str | None:
        """A word of rules.not_negating that start..end cuts through (特别 under 别闹 in 特别闹心)."""
        if not self.plain_words:
            return None
        return next((self._evidence(lo, hi) for lo, hi in self.plain_words
                     if lo < end and start < hi and not (start <= lo and hi <= end)), None)

    def _polite_phrase_over(self, start: int, end: int) -> str | None:
        """The polite phrase (rules.polite_allow) overlapping start..end, if one does."""
        if not self.allowed:
            return None
        return next((self._evidence(lo, hi) for lo, hi, _ in self.allowed if lo < end and start < hi), None)

    def _rhetorical_questions(self, violations: list[Hit]) -> list[Hit]:
        """A clause opened by a rhetorical opener and ending with one of its endings is a 反问
        (我不是已经给您发短信了吗 / 您就不能自己看看说明书吗): a forbidden phrase."""
        found: list[Hit] = []
        for start, end, meaning in self.markers.get(KIND_RHETORICAL, ()):
            clause_end = self._clause_end(end)
            clause = self.folded[end:clause_end]
            ending = next((e for e in meaning.endings if clause.endswith(e)), None)
            if ending is None:
                continue
            span = self._original_span(start, clause_end)
            if self.quotes and any(lo < start and clause_end <= hi for lo, hi in self.quotes):
                continue
            if any(h.category == "forbidden_phrase" and h.span[0] < span[1] and span[0] < h.span[1]
                   for h in violations + found):
                continue  # already a forbidden phrase there
            found.append(Hit("forbidden_phrase", self._evidence(start, clause_end), span,
                             f"{meaning.phrase}…{ending}", by_structure=True))
        return found

    def _intent_rules(self, violations: list[Hit], elements: list[Hit]) -> list[Hit]:
        """Intent-level forbidden phrases (rules.intent_rules): a marker fires when it stands in
        the position the rule names -- after an agent subject (我们不能…), after the customer as
        subject (您是不是没…), or at the start of its clause/sentence (不退，… / 先把…报过来) --
        and none of the rule's unless-words is in its clause, in the reply, right after or right
        before it, nor does its sentence go on, with no 但/可 between, to the customer's feelings
        the rules read (号码您自己用、话费您自己交，结果还办不了，心里肯定窝火: the situation that
        makes them feel so). Each cancelled marker is kept in ``suppressed`` with the reason."""
        found: list[Hit] = []
        absorbed: list[tuple[tuple[int, int], frozenset[str], str]] = []
        intent_rules = self.rules.intent_rules
        folded = self.folded
        for start, end, meaning in self.markers.get(KIND_INTENT, ()):
            rule = intent_rules[meaning.intent]
            if self.quotes and any(lo < start and end <= hi for lo, hi in self.quotes):
                continue  # the customer's words
            if self._polite_phrase_over(start, end) is not None or self._word_straddled(start, end) is not None:
                continue  # 如果还是不行 / 不怪您 …: polite_allow; 特别 under 别闹
            clause_start, clause_end = self._clause_start(start), self._clause_end(end)
            region_start = clause_start
            if rule.at_start == "sentence" and not rule.subjects:
                region_start = self._sentence_bounds(start)[0]
            pre = folded[region_start:start]
            fired = ""
            if rule.at_start and not _strip_fillers(pre, rule.fillers):
                fired = "at the start of its " + rule.at_start
            elif rule.subjects:
                if rule.fillers_only:
                    head = _strip_fillers(folded[clause_start:start], rule.fillers)
                    subject = next((s for s in rule.subjects if head.endswith(s)), None)
                else:
                    window = folded[max(clause_start, start - rule.max_gap - 8):start]
                    subject = next((s for s in rule.subjects
                                    if (i := window.rfind(s)) >= 0
                                    and len(window) - i - len(s) <= rule.max_gap), None)
                if subject is not None:
                    fired = f"after {subject}"
            if not fired:
                continue
            evidence = self._evidence(start, end)
            # the marker itself (听我说) is no unless-word of its own clause
            clause = folded[clause_start:start] + "\0" + folded[end:clause_end]
            reason = None
            word = next((w for w in rule.unless_clause if w in clause), None)
            if word is not None:
                reason = f"{word} in the same clause"
            if reason is None and (word := next((w for w in rule.unless_next
                                                 if folded.startswith(w, end)), None)):
                reason = f"followed by {word}"
            if reason is None and (word := next((w for w in rule.unless_before
                                                 if folded.endswith(w, 0, start)), None)):
                reason = f"preceded by {word}"
            rest = folded[:start] + "\0" + folded[end:]  # the marker itself (不可以) is no alternative
            if reason is None and (word := next((w for w in rule.unless_reply if w in rest), None)):
                reason = f"the reply has {word}"
            if reason is None and (word := next((w for w in rule.unless_after if folded.find(w, end) >= 0), None)):
                reason = f"the reply has {word} after it"
            if reason is None and (felt := self._feelings_after(start, end, elements)) is not None:
                reason = f"it is the situation before the customer's feelings {felt}"
            if reason is not None:
                self._suppress("forbidden_phrase", start, end,
                               f"{evidence} ({rule.name}, {fired}) cancelled: {reason}")
                continue
            lo = clause_start
            while lo < clause_end and folded[lo] in "“”\"'「」『』‘’":
                lo += 1
            span = self._original_span(lo, clause_end) if clause_end > lo else self._original_span(start, end)
            phrase = f"{rule.name}: {meaning.phrase}"
            if rule.absorbs:
                absorbed.append((span, rule.absorbs, phrase))
            if any(h.category == "forbidden_phrase" and h.span[0] < span[1] and span[0] < h.span[1]
                   for h in violations + found):
                continue  # already a forbidden phrase in this clause
            self._intent_suggestions[("forbidden_phrase", phrase)] = rule.suggestion
            found.append(Hit("forbidden_phrase", self.text[span[0]:span[1]], span, phrase))
        if not absorbed:
            return violations + found
        kept = []
        for hit in violations:
            owner = next((p for span, cats, p in absorbed if hit.category in cats
                          and span[0] <= hit.span[0] and hit.span[1] <= span[1]), None)
            if owner is None:
                kept.append(hit)
            else:  # 好像…似的 is sarcasm, not uncertainty
                self.suppressed.append(Suppressed(hit.category, hit.evidence, hit.span,
                                                  f"{hit.evidence} is part of {owner}"))
        return kept + found

    def _feelings_after(self, start: int, end: int, elements: list[Hit]) -> str | None:
        """The customer's feelings, read by the rules, later in the sentence of start..end
        (folded) with no turn of contrast between (rules.situation_contrasts), if any."""
        sentence_end = self._sentence_bounds(start)[1]
        for hit in elements:
            if hit.category != "empathy" or hit.by_model:
                continue
            lo = self._folded_position(hit.span[0])
            if end <= lo < sentence_end and not any(
                    word in self.folded[end:lo] for word in self.rules.situation_contrasts):
                return hit.evidence
        return None

    def _feedback(self, violations: list[Hit]) -> list[str]:
        """One line per distinct (category, suggestion): what was wrong and a better phrasing."""
        suggestions = dict(self._intent_suggestions)
        for candidate in self.candidates:
            if candidate.meaning.suggestion:
                suggestions[(candidate.meaning.category, candidate.meaning.phrase)] = candidate.meaning.suggestion
        lines: dict[tuple[str, str], str] = {}
        for hit in violations:
            category = self.norms.categories[hit.category]
            suggestion = suggestions.get((hit.category, hit.phrase), category.suggestion)
            key = (hit.category, suggestion)
            if key in lines:
                continue
            lines[key] = f"{category.label}：“{hit.evidence}”。建议：{suggestion}"
        return list(lines.values())
