// A room's shared notes: the textarea is bound to a Yjs document that everyone in the room
// edits at once. Local edits become Yjs updates sent over the page's Socket.IO connection
// (notes:update); others' updates arrive as notes:changed and merge without losing or doubling
// anyone's text. On every (re)connect the page asks for what it lacks (notes:sync) and re-sends
// what the server has not acknowledged. Who is typing is shown for a few seconds.
(function () {
  "use strict";
  const SEND_EVERY_MS = 150; // edits within this window travel as one update
  const TYPING_SHOWN_MS = 3000;
  const TYPING_SENT_EVERY_MS = 2000;

  function toBase64(bytes) {
    let s = "";
    for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode.apply(null, bytes.subarray(i, i + 0x8000));
    return btoa(s);
  }
  function fromBase64(text) {
    const s = atob(text);
    const out = new Uint8Array(s.length);
    for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i);
    return out;
  }

  // Where a cursor goes when someone else's change lands before it.
  function shift(pos, delta) {
    let index = 0;
    for (const op of delta) {
      if (op.retain) index += op.retain;
      else if (op.insert) { const n = op.insert.length; if (index < pos) pos += n; index += n; }
      else if (op.delete) { if (index < pos) pos -= Math.min(op.delete, pos - index); }
    }
    return pos;
  }

  class SharedNotes {
    constructor(socket, box, status, typing) {
      this.socket = socket; this.box = box; this.status = status; this.typing = typing;
      this.room = null; this.pending = []; this.timer = null; this.typingTimer = null; this.lastTypingSent = 0;
      socket.on("notes:changed", (m) => {
        if (this.doc && m.room_id === this.room) window.Y.applyUpdate(this.doc, fromBase64(m.update), "remote");
      });
      socket.on("notes:typist", (m) => { if (m.room_id === this.room) this.showTypist(m.name); });
      socket.on("connect", () => this.sync());
      box.addEventListener("input", () => this.local());
    }

    setRoom(roomId) {
      if (roomId === this.room) return;
      this.room = roomId; this.pending = [];
      if (this.doc) this.doc.destroy();
      this.doc = new window.Y.Doc();
      this.text = this.doc.getText("notes");
      this.doc.on("update", (update, origin) => { if (origin === "local") { this.pending.push(update); this.schedule(); } });
      this.text.observe((event, transaction) => { if (transaction.origin !== "local") this.render(event.delta); });
      this.box.value = "";
      if (roomId) this.sync();
    }

    sync() {
      if (!this.room || !this.socket.connected) return;
      const room = this.room;
      this.socket.timeout(8000).emit("notes:sync",
        { room_id: room, state_vector: toBase64(window.Y.encodeStateVector(this.doc)) }, (err, ack) => {
          if (err || !ack.ok || room !== this.room) return;
          window.Y.applyUpdate(this.doc, fromBase64(ack.update), "remote");
          this.flush(); // what we typed while offline
        });
    }

    // The notes stream's merged text (notes:state, heartbeats, snapshots) differs from ours while
    // we have nothing unsent: an update passed us by (a lost broadcast); ask for what we lack.
    compare(text) {
      if (!this.doc || this.pending.length || text === this.text.toString()) return;
      const at = Date.now();
      if (at - (this.lastCompareSync || 0) < 1000) return;
      this.lastCompareSync = at;
      this.sync();
    }

    local() {
      const was = this.text.toString();
      const now = this.box.value;
      let start = 0;
      while (start < was.length && start < now.length && was[start] === now[start]) start++;
      let endWas = was.length, endNow = now.length;
      while (endWas > start && endNow > start && was[endWas - 1] === now[endNow - 1]) { endWas--; endNow--; }
      this.doc.transact(() => {
        if (endWas > start) this.text.delete(start, endWas - start);
        if (endNow > start) this.text.insert(start, now.slice(start, endNow));
      }, "local");
      const at = Date.now();
      if (at - this.lastTypingSent > TYPING_SENT_EVERY_MS && this.socket.connected) {
        this.lastTypingSent = at;
        this.socket.emit("notes:typing", { room_id: this.room });
      }
    }

    schedule() {
      if (!this.timer) this.timer = setTimeout(() => { this.timer = null; this.flush(); }, SEND_EVERY_MS);
    }

    flush() {
      if (!this.pending.length || !this.socket.connected) return;
      const sending = this.pending;
      this.pending = [];
      const room = this.room;
      const update = sending.length === 1 ? sending[0] : window.Y.mergeUpdates(sending);
      this.socket.timeout(8000).emit("notes:update", { room_id: room, update: toBase64(update) }, (err, ack) => {
        if (room !== this.room) return;
        if (err || !ack.ok) {
          this.pending = sending.concat(this.pending); // kept; sent again after the next (re)connect
          this.say(err ? gettext("Not saved yet: offline.") : ack.error.reason);
          return;
        }
        this.say(gettext("Saved."));
      });
    }

    render(delta) {
      const box = this.box;
      const focused = document.activeElement === box;
      const start = shift(box.selectionStart, delta), end = shift(box.selectionEnd, delta);
      box.value = this.text.toString();
      if (focused) box.setSelectionRange(start, end);
    }

    say(message) {
      this.status.textContent = message;
      clearTimeout(this.sayTimer);
      this.sayTimer = setTimeout(() => { if (this.status.textContent === message) this.status.textContent = ""; }, 2500);
    }

    showTypist(name) {
      this.typing.textContent = gettext("%(name)s is typing…").replace("%(name)s", name);
      clearTimeout(this.typingTimer);
      this.typingTimer = setTimeout(() => { this.typing.textContent = ""; }, TYPING_SHOWN_MS);
    }
  }

  window.ConveneNotes = { SharedNotes, shift };
})();
