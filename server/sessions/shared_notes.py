"""A room's shared notes as a CRDT: the Yjs document the browsers edit, merged on the server.

Every browser keeps its own copy of the document and sends its edits as Yjs updates; updates
commute, so two people typing at once both keep their text and nothing is doubled, whatever
order the server and the other browsers receive them in. The server stores the updates and
derives the plain text (for exports, the report and the plenary) from their merge.
Plain functions over bytes, with pycrdt (the Rust Yrs core, Yjs's twin) and nothing of the web.
"""

from __future__ import annotations

from collections.abc import Iterable

from pycrdt import Doc, Text, merge_updates

from server.sessions.live_state import NOTES_MAX_LENGTH
from server.sessions.protocol import LiveError

TEXT_NAME = "notes"  # the Y.Text inside the document; the browser uses the same name
MAX_UPDATE_BYTES = 256 * 1024


def _doc(state: bytes | None) -> Doc[Text]:
    doc: Doc[Text] = Doc()
    if state:
        doc.apply_update(state)
    return doc


def _text(doc: Doc[Text]) -> Text:
    text: Text = doc.get(TEXT_NAME, type=Text)
    return text


def merged(updates: Iterable[bytes]) -> bytes:
    """One update equal to all of them (empty document when there are none)."""
    parts = [u for u in updates if u]
    if not parts:
        return Doc().get_update()
    return parts[0] if len(parts) == 1 else merge_updates(*parts)


def text_of(state: bytes | None) -> str:
    return str(_text(_doc(state)))


def checked(state: bytes | None, update: bytes) -> str:
    """The text after applying ``update``; refuse an update that is not Yjs or makes the notes too long."""
    if not update or len(update) > MAX_UPDATE_BYTES:
        raise LiveError("update", f"must be a Yjs update of 1 to {MAX_UPDATE_BYTES} bytes")
    doc = _doc(state)
    try:
        doc.apply_update(update)
    except ValueError:
        raise LiveError("update", "is not a Yjs document update") from None
    text = str(_text(doc))
    if len(text) > NOTES_MAX_LENGTH:
        raise LiveError("update", f"the notes would be longer than {NOTES_MAX_LENGTH} characters")
    return text


def since(state: bytes | None, state_vector: bytes | None) -> bytes:
    """What a client that has ``state_vector`` is missing (everything when it has nothing)."""
    doc = _doc(state)
    return doc.get_update(state_vector) if state_vector else doc.get_update()


def replace_text(state: bytes | None, new_text: str) -> bytes:
    """The update that turns the document's text into ``new_text``, touching only what differs.

    Used for whole-text saves (``notes:edit`` and the first text of notes written before the
    notes were shared): the common start and end are kept, so a concurrent edit there survives.
    """
    doc = _doc(state)
    text = _text(doc)
    old = str(text)
    before = doc.get_state()
    start = 0
    while start < min(len(old), len(new_text)) and old[start] == new_text[start]:
        start += 1
    end_old, end_new = len(old), len(new_text)
    while end_old > start and end_new > start and old[end_old - 1] == new_text[end_new - 1]:
        end_old -= 1
        end_new -= 1
    with doc.transaction():
        if end_old > start:
            del text[start:end_old]
        if end_new > start:
            text.insert(start, new_text[start:end_new])
    return doc.get_update(before)
