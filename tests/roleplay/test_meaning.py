"""Key points judged by meaning (webapp.roleplay.meaning) with the shipped synonym groups."""
import pytest

from tests.roleplay.test_blind import ROOT
from webapp.roleplay.meaning import Lexicon, judge_key_point
from webapp.roleplay.norms import load_norms, parse_norms


@pytest.fixture(scope="module")
def lexicon():
    norms = load_norms(ROOT / "quizzes/roleplay/norms.yaml")
    return Lexicon(norms.version, norms.synonym_groups, norms.rules.quote_pairs)


CONTACT_MANAGER = ("我马上为您联系当班班长", "答应为您联系负责人")
RECORD_FIRST = ("转接前我先记录您的情况，免得您重复",)
STAY_ON_LINE = ("请您稍等，不要挂机",)
READ_BACK = ("您的账号是#，地址在文三路，对吗",)


@pytest.mark.parametrize("examples, reply", [
    (CONTACT_MANAGER, "好的，我这就帮您联系当值的主管"),
    (CONTACT_MANAGER, "我帮您转给值班经理，请稍候"),
    (RECORD_FIRST, "我先把您的情况登记下来，这样您就不用再说一遍了"),
    (STAY_ON_LINE, "请您别挂断，稍候一下很快就能接通"),
    (READ_BACK, "账号05710003，地址文三路，我再跟您确认一遍没错吧"),
])
def test_paraphrases_meet_the_point(lexicon, examples, reply):
    match = judge_key_point(reply, examples, lexicon)
    assert match.met, match
    start, end = match.evidence
    assert reply[start:end]


@pytest.mark.parametrize("examples, reply", [
    (CONTACT_MANAGER, "班长和负责人今天都不在，没法联系"),
    (CONTACT_MANAGER, "找主管联系也没用"),
    (STAY_ON_LINE, "不想等您可以先挂机，稍等也没用"),
])
def test_negated_or_refused_points_are_contradicted(lexicon, examples, reply):
    match = judge_key_point(reply, examples, lexicon)
    assert not match.met and match.contradicted and match.evidence, match


CHECK_BEFORE_REFUND = ("先核实订购记录再退费", "确认是误收马上为您退费", "核实后确属误收就退还")


@pytest.mark.parametrize("reply", [
    "您担心钱退不回来，这个不可能，退款会原路返回到您的账户，我现在就帮您核实",
    "您是怕钱退不回来吧？不可能的，我先核实订购记录，确认误收就给您退",
])
def test_denying_what_the_customer_fears_does_not_refuse_the_point(lexicon, reply):
    assert judge_key_point(reply, CHECK_BEFORE_REFUND, lexicon).met


def test_the_same_denial_without_a_worry_still_refuses(lexicon):
    match = judge_key_point("这个不可能，核实订购记录也没用", CHECK_BEFORE_REFUND, lexicon)
    assert not match.met and match.contradicted


LINE_FAULT = ("线路的原因您听不到我的声音", "电话线路的问题您听不到我")
EXPLAIN_FAULT = ("刚才线路问题您听不到", "刚才电话线路出了问题")


@pytest.mark.parametrize("examples, reply", [
    (LINE_FAULT, "我们这边线路一切正常，问题不在电话线路上"),
    (EXPLAIN_FAULT, "刚才的情况我这边也不清楚，线路并没有出问题"),
])
def test_a_point_about_something_not_working_is_contradicted_by_denying_the_cause(lexicon, examples, reply):
    # 听不到 negates 听 only: the point says nothing negative of 原因 or 声音, so a denial of the
    # line's fault contradicts it instead of matching it
    match = judge_key_point(reply, examples, lexicon)
    assert not match.met and match.contradicted, match


@pytest.mark.parametrize("examples, reply", [
    (LINE_FAULT, "不好意思，因为电话线路的原因，您刚才听不到我的声音"),
    (EXPLAIN_FAULT, "刚才是电话线路出了点问题，所以您那边听不到"),
])
def test_the_same_point_is_met_when_said(lexicon, examples, reply):
    assert judge_key_point(reply, examples, lexicon).met


VERIFY_HOLDER = ("先核实一下机主身份", "确认一下您是否机主本人")
GREET_OPEN = ("请问有什么可以帮您", "您遇到了什么问题")
DATA_LEFT = ("本月剩余流量还有#", "套餐内还剩#")


def test_a_step_waived_is_not_taken(lexicon):
    match = judge_key_point("号码已收到，核实机主身份就免了，直接给您查", VERIFY_HOLDER, lexicon)
    assert not match.met and match.contradicted


@pytest.mark.parametrize("reply", ["18907551234，收到。核实机主身份这步就算了，账单谁都能查。",
                                   "核实机主身份这一步先不急，您先说说是哪笔多了。"])
def test_a_step_named_and_set_aside_is_not_taken(lexicon, reply):
    assert not judge_key_point(reply, VERIFY_HOLDER, lexicon).met


def test_a_phrasing_quoted_is_mentioned_not_said(lexicon):
    assert not judge_key_point("“请问有什么可以帮您”这句我就不多问了，先给您推荐套餐", GREET_OPEN, lexicon).met
    assert judge_key_point("您好，请问有什么可以帮您？", GREET_OPEN, lexicon).met


@pytest.mark.parametrize("reply, met", [
    ("您本月套餐内的剩余流量还有1.2GB", True),
    ("本月剩余流量还有……这个我这边看不到具体数字", False),   # # is the number the point tells
])
def test_a_point_with_a_number_is_met_only_with_a_number(lexicon, reply, met):
    assert judge_key_point(reply, DATA_LEFT, lexicon).met == met


def test_a_refused_step_is_not_met(lexicon):
    assert not judge_key_point("没法记录，您重复一遍也没用", RECORD_FIRST, lexicon).met


def test_announcing_a_check_without_the_number_is_not_a_read_back(lexicon):
    match = judge_key_point("好的，跟您核对一下账号和地址", READ_BACK, lexicon)
    assert not match.met
    assert match.closest == READ_BACK[0]  # shown to the trainee as what was expected


def test_unrelated_reply_gives_the_closest_phrasing_and_no_evidence(lexicon):
    match = judge_key_point("您好，请问有什么可以帮您？", CONTACT_MANAGER, lexicon)
    assert not match.met and match.evidence is None and match.closest in CONTACT_MANAGER


def test_a_keyword_of_function_words_must_appear_itself(lexicon):
    assert judge_key_point("您看需要我现在为您办理吗？", ("需要我",), lexicon).met
    assert not judge_key_point("您需要的话再说", ("需要我",), lexicon).met


def test_thesaurus_backs_off_for_words_outside_the_domain_groups():
    # 多谢 ≈ 谢谢 comes from 同义词词林, not from any domain group
    assert judge_key_point("多谢您的配合", ("谢谢您配合",), Lexicon()).met


def test_same_inputs_same_result(lexicon):
    first = judge_key_point("我帮您转给值班经理", CONTACT_MANAGER, lexicon)
    assert all(judge_key_point("我帮您转给值班经理", CONTACT_MANAGER, lexicon) == first for _ in range(3))


@pytest.mark.parametrize("snippet, message", [
    ("synonyms: {a: b}\n", "synonyms: expected a list of word groups"),
    ("synonyms:\n  - [班长]\n", "needs at least two words"),
    ("synonyms:\n  - [班长, '主管[甲|乙]']\n", "must be a plain word"),
])
def test_bad_synonym_groups_are_reported_at_their_line(snippet, message):
    text = (ROOT / "quizzes/roleplay/norms.yaml").read_text(encoding="utf-8")
    text = text[:text.index("\nsynonyms:")] + "\n" + snippet
    norms, problems = parse_norms(text, "norms.yaml")
    assert norms is None and any(message in p.message for p in problems), problems


def test_a_compound_kept_whole_is_met_by_its_words(lexicon):
    # the segmenter keeps 处理结果 whole; a reply says 处理有了结果
    match = judge_key_point("处理有了结果，我们会第一时间回复您", ("处理结果会及时回复您",), lexicon)
    assert match.met, match


def test_a_choice_left_to_the_customer_denies_the_step(lexicon):
    examples = ("您父亲带他的身份证", "两个人都要带身份证")
    match = judge_key_point("本人有效证件这些到时候看情况，带不带都行。", examples, lexicon)
    assert not match.met and match.contradicted, match
    assert judge_key_point("您父亲来的时候记得带上他的身份证。", examples, lexicon).met


ID_RULE = ("补卡需要机主本人的身份证",)


@pytest.mark.parametrize("reply, met", [
    # the refusal has its own object (补卡 by phone): the requirement said before it stands
    ("补卡必须由机主本人带着有效身份证件到营业厅办理，电话里没法直接办。", True),
    # a refusal that ends its clause denies what came before it, its object put first
    ("补卡要机主本人的身份证，这个我们办不了。", False),
    ("机主本人的身份证补卡，没法办。", False),
])
def test_a_refusal_denies_its_own_object(lexicon, reply, met):
    assert judge_key_point(reply, ID_RULE, lexicon).met is met


def test_a_denial_with_an_object_denies_the_object_not_the_word_before(lexicon):
    examples = ("信号和网络都正常",)
    assert judge_key_point("信号和网络都没有故障，是您开了呼叫转移。", examples, lexicon).met
    assert not judge_key_point("信号没有，网络也断了。", examples, lexicon).met


def test_words_a_negation_passes_over_may_be_said_either_way(lexicon):
    # 无法当场处理: the negation is of 处理; 当场 may come before the agent's 没法
    examples = ("无法当场处理",)
    assert judge_key_point("这个当场没法处理，我先给您登记。", examples, lexicon).met
    assert judge_key_point("这个当场就能处理。", examples, lexicon).contradicted


@pytest.mark.parametrize("examples, reply", [
    (("您先喝点水", "请您喝杯茶"), "您先喝口茶润润嗓子。"),     # a verb fused with its measure word
    (("请您稍等一下",), "麻烦您稍等，我这就查。"),                  # 稍等一下 tiled into 稍等 + 一下
    (("我给您回拨过去",), "我挂断后马上重新拨给您。"),              # 过去 after the verb carries nothing
])
def test_segmentation_does_not_hide_the_concept(lexicon, examples, reply):
    assert judge_key_point(reply, examples, lexicon).met


def test_a_step_named_and_waived_in_its_clause_is_not_taken(lexicon):
    examples = ("您平时手机主要做什么", "了解一下您的使用习惯")
    assert not judge_key_point("您平时的使用习惯我就不问了，这些套餐都差不多。", examples, lexicon).met
    # kept brief after the point is made: 我就不多说了 in its own clause takes nothing back
    leaflet = ("宣传单上有详细介绍",)
    assert judge_key_point("宣传单上都有详细介绍，我就不多说了。", leaflet, lexicon).met


def test_a_step_passed_to_someone_else_or_said_unrelated_is_not_taken(lexicon):
    record = ("先把情况记录下来",)
    assert not judge_key_point("记录这一步一般是经理来做的，您跟经理说。", record, lexicon).met
    cause = ("这10元是增值业务的费用",)
    assert not judge_key_point("这10元跟增值业务没有关系，是系统调整。", cause, lexicon).met
    assert judge_key_point("这10元就是增值业务的费用。", cause, lexicon).met


def test_a_negation_inside_a_de_phrase_does_not_deny_its_head(lexicon):
    # 两次报修未上门的情况: 未 denies 上门, not the 情况 the agent has passed on
    examples = ("班长已经了解了您的情况",)
    reply = "负责人已经接起电话，您宽带中断、两次报修未上门的情况我已经跟他讲了，他都了解了。"
    assert judge_key_point(reply, examples, lexicon).met


def test_a_separable_verb_split_by_its_aspect_particle_is_the_same_word(lexicon):
    examples = ("还有很多客户在排队等待",)
    assert judge_key_point("这会儿还有好多客户排着队等着办事。", examples, lexicon).met
