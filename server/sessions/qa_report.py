"""The Q&A in the meeting's report: CSV rows and Markdown, anonymity kept, no formula injection."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping, Sequence

from server.sessions.protocol import iso
from server.sessions.qa import QAQueue, Question, QuestionStatus, QueueKey

CSV_HEADER: tuple[str, ...] = (
    "queue",
    "question_id",
    "status",
    "votes",
    "pinned",
    "author",
    "created_at",
    "answered_at",
    "merged_into",
    "text",
)

# Spreadsheets execute cells starting with these; participants' text must stay text.
_FORMULA_START = re.compile(r"^[=+\-@\t\r]")


def csv_cell(value: str) -> str:
    """Return a CSV cell a spreadsheet will show as text, never evaluate as a formula."""
    return "'" + value if _FORMULA_START.match(value) else value


def _queue_label(key: QueueKey, titles: Mapping[tuple[str, int], str] | None) -> str:
    if titles and key in titles:
        return titles[key]
    return f"{key[0]} {key[1]}"


def _report_author(question: Question) -> str:
    # The report leaves the meeting: anonymous stays anonymous, as promised to the author.
    if question.anonymous or not question.author_name:
        return ""
    return question.author_name


def questions_csv_rows(
    queues: Iterable[QAQueue], titles: Mapping[tuple[str, int], str] | None = None
) -> Iterator[tuple[str, ...]]:
    """Yield the CSV header, then one row per question of every queue, in display order."""
    yield CSV_HEADER
    for queue in queues:
        label = _queue_label(queue.key, titles)
        for q in queue.ordered():
            yield (
                csv_cell(label),
                str(q.id),
                q.status.value,
                str(len(q.voters)),
                "yes" if q.pinned else "",
                csv_cell(_report_author(q)),
                iso(q.created_at) or "",
                iso(q.answered_at) or "",
                "" if q.merged_into is None else str(q.merged_into),
                csv_cell(q.text),
            )


def questions_markdown(
    queues: Sequence[QAQueue],
    titles: Mapping[tuple[str, int], str] | None = None,
    *,
    include_dismissed: bool = False,
) -> str:
    """Return a Markdown section per queue listing its questions with votes and status."""
    lines: list[str] = ["# Questions", ""]
    for queue in queues:
        lines += [f"## {_md_escape(_queue_label(queue.key, titles))}", ""]
        shown = [
            q
            for q in queue.ordered()
            if include_dismissed or q.status is not QuestionStatus.DISMISSED
        ]
        if not shown:
            lines += ["_No questions._", ""]
            continue
        for q in shown:
            author = _report_author(q)
            by = f" — {_md_escape(author)}" if author else ""
            extra = f", merged into #{q.merged_into}" if q.merged_into is not None else ""
            votes = "vote" if len(q.voters) == 1 else "votes"
            lines.append(
                f"- **#{q.id}** ({len(q.voters)} {votes}, {q.status.value}{extra}){by}: "
                f"{_md_escape(q.text)}"
            )
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"


_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>#|])")


def _md_escape(text: str) -> str:
    # Participants' text must not turn into links, headings or HTML in the report.
    return _MD_SPECIAL.sub(r"\\\1", " ".join(text.split()))
