"""Form values that answer a drawn slot right (or wrong), through the order the page shows."""
from webapp.quizzes.questions import Question


def right_values(question: Question, order) -> list[str]:
    shown_of = {written: shown for shown, written in enumerate(order)} if order else None
    if question.type in ("single", "truefalse", "multiple"):
        return [str(shown_of[i] if shown_of else i) for i in question.correct]
    if question.type == "fill":
        return [question.accepted[0]]
    if question.type == "ordering":
        return [str(shown_of[place]) for place in range(len(question.options))]
    choices = list(dict.fromkeys(question.matches))
    return [str(shown_of[choices.index(right)]) for right in question.matches]


def wrong_values(question: Question, order) -> list[str]:
    if question.type in ("single", "truefalse"):
        wrong = next(i for i in range(len(question.options)) if i not in question.correct)
        return [str(order.index(wrong) if order else wrong)]
    if question.type == "fill":
        return ["完全不对"]
    return [""] * len(question.options) if question.type in ("ordering", "matching") else []
