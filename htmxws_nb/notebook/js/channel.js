// The kernel channel, part 1: one view's traffic over the widget's comm (anywidget's model):
// request ids, batching with ack-based flow control, size limits, lost-message detection,
// the kernel's death; and the cookie jar a page keeps. The comm's schema is described in
// htmxws_nb/server/messages.py. (kernel_channel.py joins channel.js, frame.js and
// transport.js into the widget's one ES module.)

const WAIT_NOTICE_MS = 300; // a batch the kernel has not picked up for this long: say why
const IN_FLIGHT = 2; // batches sent but not acked; the rest waits and goes as one comm message
const RESEND_MS = 250; // ...unless no ack came for this long (an ack lost to the iopub rate limit)
// One browser → server websocket message is capped at 10 MiB by tornado (jupyter_server's
// kernel websocket): past it the whole kernel connection drops. Keep every comm message below.
const MAX_MESSAGE_BYTES = 8 * 1024 * 1024;
const TEXT_AS_BUFFER = 64 * 1024; // longer text frames go as UTF-8 buffers: no JSON escaping

// One view's traffic over the widget's comm: ids, batching, acks, and the kernel's death.
class Channel {
  constructor(model, onGone, onLost = () => {}) {
    this.model = model;
    this.onGone = onGone;
    this.onLost = onLost;
    this.kernelSeq = 0; // the last kernel batch seen: a gap means Jupyter dropped some (iopub rate limit)
    this.lost = 0;
    this.viewId = Math.random().toString(36).slice(2, 10); // several views share one comm
    this.nextId = 0;
    this.seq = 0;
    this.unacked = new Map(); // seq → time sent
    this.outbox = [];
    this.buffers = [];
    this.outboxBytes = 0;
    this.timer = null;
    this.requests = new Map(); // id → {resolve, reject}
    this.sockets = new Map(); // id → onEvent(event, body)
    this.dead = false;
    // Alive once the kernel has answered: a model restored from a saved notebook's widget state
    // has no kernel behind it, and must not take over a page (the page says "Not running" instead).
    this.alive = false;
    this.onAlive = [];
    model.on("msg:custom", (msg, buffers) => this.fromKernel(msg, buffers));
    // ipywidgets sets comm_live = false (→ comm_live_update) when the kernel restarts (in
    // JupyterLab 4.6 also after a crash and auto-restart); the kernel's status is a second signal.
    for (const name of ["comm_live_update", "comm:close", "destroy"]) model.on(name, () => this.kernelGone());
    this.kernel = model.widget_manager && model.widget_manager.kernel; // JupyterLab, Notebook 7
    this.onStatus = (_, status) => {
      if (["restarting", "autorestarting", "dead"].includes(status)) this.kernelGone();
    };
    if (this.kernel && this.kernel.statusChanged) this.kernel.statusChanged.connect(this.onStatus);
  }

  // Ask the kernel for an ack (an empty batch): whenAlive's callbacks run when it comes.
  hello() {
    const seq = ++this.seq;
    this.unacked.set(seq, performance.now());
    try {
      this.model.send({ view: this.viewId, seq, events: [] }, undefined, []);
    } catch (err) {
      this.kernelGone();
    }
  }

  whenAlive(callback) {
    if (this.alive) callback();
    else this.onAlive.push(callback);
  }

  request(method, url, headers, body) {
    if (this.dead) return Promise.reject(new Error("the kernel is gone: run the cell again"));
    if (body && body.byteLength > MAX_MESSAGE_BYTES) {
      return Promise.reject(new Error(`request body of ${mib(body.byteLength)} is over the kernel channel's ` +
                                      `${mib(MAX_MESSAGE_BYTES)} limit`));
    }
    const id = this.newId();
    return new Promise((resolve, reject) => {
      this.requests.set(id, { resolve, reject });
      this.post({ type: "http", id, method, url: pathOf(url), headers }, body);
    });
  }

  openSocket(url, headers, protocols, onEvent) {
    const id = this.newId();
    this.sockets.set(id, onEvent);
    if (this.dead) queueMicrotask(() => this.closed(id, 1006, ""));
    else this.post({ type: "ws-open", id, url: pathOf(url), headers, protocols });
    return id;
  }

  // False if the frame is too big for the kernel channel (the caller closes with 1009).
  sendSocket(id, text, body) {
    if (!this.sockets.has(id)) return true;
    const event = { type: "ws-send", id };
    if (typeof text === "string" && text.length > TEXT_AS_BUFFER) {
      body = new TextEncoder().encode(text).buffer;
      event.utf8 = true;
    } else if (typeof text === "string") {
      event.text = text;
    }
    const size = body ? body.byteLength : 3 * (event.text || "").length;
    if (size > MAX_MESSAGE_BYTES) return false;
    this.post(event, body);
    return true;
  }

  closeSocket(id, code, reason) { // the handler stays until the kernel's ws-close (the echo) arrives
    if (this.sockets.has(id)) this.post({ type: "ws-close", id, code, reason });
  }

  closed(id, code, reason) {
    const onEvent = this.sockets.get(id);
    this.sockets.delete(id);
    if (onEvent) onEvent({ type: "ws-close", code, reason });
  }

  waited() { // ms the oldest batch has waited for the kernel to pick it up
    return this.unacked.size ? performance.now() - Math.min(...this.unacked.values()) : 0;
  }

  newId() {
    return `${this.viewId}.${++this.nextId}`;
  }

  // Events wait in the outbox while IN_FLIGHT batches are unacked, then go as one comm message:
  // no delay when the kernel keeps up, one message per round trip when it does not.
  post(event, body) {
    if (this.dead) return;
    const size = (body ? body.byteLength : 0) + 3 * ((event.text && event.text.length) || 0) + 200;
    if (this.outboxBytes + size > MAX_MESSAGE_BYTES) this.flush();
    if (body && body.byteLength) {
      event.body = this.buffers.length;
      this.buffers.push(body);
    }
    this.outbox.push(event);
    this.outboxBytes += size;
    if (this.outbox.length === 1) queueMicrotask(() => this.maybeFlush());
  }

  maybeFlush() {
    if (this.unacked.size < IN_FLIGHT) this.flush();
    else if (this.timer === null) this.timer = setTimeout(() => this.flush(), RESEND_MS);
  }

  flush() {
    clearTimeout(this.timer);
    this.timer = null;
    if (!this.outbox.length || this.dead) return;
    const seq = ++this.seq;
    const content = { view: this.viewId, seq, events: this.outbox };
    const buffers = this.buffers;
    this.outbox = [];
    this.buffers = [];
    this.outboxBytes = 0;
    this.unacked.set(seq, performance.now());
    try {
      this.model.send(content, undefined, buffers);
    } catch (err) {
      this.kernelGone();
    }
  }

  fromKernel(msg, buffers) {
    if (!msg || typeof msg.seq !== "number" || !msg.acks) return; // not our bridge's (a restored model's kernel)
    if (!this.alive && !this.dead && msg.acks[this.viewId]) {
      this.alive = true;
      for (const callback of this.onAlive.splice(0)) callback();
    }
    if (msg.seq) {
      const gap = this.kernelSeq ? msg.seq - this.kernelSeq - 1 : 0;
      this.kernelSeq = msg.seq;
      if (gap > 0) {
        this.lost += gap;
        console.warn(`kernel channel: ${gap} messages from the kernel were lost (Jupyter's iopub rate limit)`);
        this.onLost(gap);
      }
    }
    const ack = msg.acks && msg.acks[this.viewId];
    if (ack) {
      for (const seq of this.unacked.keys()) if (seq <= ack) this.unacked.delete(seq);
      if (this.outbox.length) this.maybeFlush();
    }
    for (const ev of msg.events || []) {
      if (!ev.id || !ev.id.startsWith(this.viewId + ".")) continue; // another view's
      const body = ev.body !== undefined && ev.body !== null ? toArrayBuffer(buffers[ev.body]) : null;
      if (ev.type === "http") {
        const request = this.requests.get(ev.id);
        this.requests.delete(ev.id);
        if (!request) continue;
        request.resolve({ status: ev.status, headers: ev.headers, body: body || new ArrayBuffer(0) });
      } else if (ev.type === "ws-close") {
        this.closed(ev.id, ev.code, ev.reason);
      } else {
        const onEvent = this.sockets.get(ev.id);
        if (ev.utf8) onEvent && onEvent({ ...ev, text: new TextDecoder().decode(body) }, null);
        else if (onEvent) onEvent(ev, body);
      }
    }
  }

  kernelGone() {
    if (this.dead) return;
    this.dead = true;
    // 1012 (Service Restart): htmx's ws extension reconnects, which works again once the cell ran.
    for (const id of [...this.sockets.keys()]) this.closed(id, 1012, "kernel restarted");
    for (const request of this.requests.values()) request.reject(new Error("the kernel restarted"));
    this.requests.clear();
    this.unacked.clear();
    this.onGone();
  }

  closeAll(code, reason) { // at once, not behind unacked batches
    for (const id of [...this.sockets.keys()]) this.closeSocket(id, code, reason);
    this.flush();
  }

  dispose() {
    if (this.kernel && this.kernel.statusChanged) this.kernel.statusChanged.disconnect(this.onStatus);
    this.closeAll(1001, "going away");
  }
}


// Cookies as a browser keeps them for one host (no Domain, no Secure: the app is http on one host).
class CookieJar {
  constructor() {
    this.cookies = new Map(); // "path name" → {name, value, path, expires, httpOnly}
  }

  store(line, url, fromScript) {
    const [pair, ...attrs] = line.split(";");
    const eq = pair.indexOf("=");
    if (eq < 0) return;
    const cookie = { name: pair.slice(0, eq).trim(), value: pair.slice(eq + 1).trim(), path: null,
                     expires: Infinity, httpOnly: false };
    let maxAge = null;
    for (const attr of attrs) {
      const [k, ...rest] = attr.split("=");
      const key = k.trim().toLowerCase();
      const value = rest.join("=").trim();
      if (key === "path" && value.startsWith("/")) cookie.path = value;
      else if (key === "max-age") maxAge = Number(value);
      else if (key === "expires") cookie.expires = Date.parse(value) || Infinity;
      else if (key === "httponly") cookie.httpOnly = true;
    }
    if (maxAge !== null) cookie.expires = Date.now() + maxAge * 1000;
    if (cookie.path === null) { // the default path: the request's directory
      const path = new URL(url).pathname;
      cookie.path = path.lastIndexOf("/") > 0 ? path.slice(0, path.lastIndexOf("/")) : "/";
    }
    const key = cookie.path + " " + cookie.name;
    const old = this.cookies.get(key);
    if (fromScript && old && old.httpOnly) return; // scripts cannot touch HttpOnly cookies
    if (cookie.expires <= Date.now()) this.cookies.delete(key);
    else this.cookies.set(key, cookie);
  }

  matching(url) {
    const path = new URL(url).pathname;
    const now = Date.now();
    return [...this.cookies.values()]
      .filter((c) => c.expires > now && (path === c.path || path.startsWith(c.path.endsWith("/") ? c.path : c.path + "/")))
      .sort((a, b) => b.path.length - a.path.length);
  }

  header(url) {
    return this.matching(url).map((c) => `${c.name}=${c.value}`).join("; ");
  }

  visible(url) {
    return this.matching(url).filter((c) => !c.httpOnly).map((c) => `${c.name}=${c.value}`).join("; ");
  }
}

const STATUS_TEXT = { 200: "OK", 201: "Created", 204: "No Content", 301: "Moved Permanently", 302: "Found",
  303: "See Other", 304: "Not Modified", 400: "Bad Request", 401: "Unauthorized", 403: "Forbidden",
  404: "Not Found", 405: "Method Not Allowed", 500: "Internal Server Error" };

function mib(bytes) {
  return `${(bytes / 1048576).toFixed(1)} MiB`;
}

function pathOf(url) {
  const u = new URL(url);
  return u.pathname + u.search;
}

function toArrayBuffer(view) {
  if (!view) return new ArrayBuffer(0);
  if (view instanceof ArrayBuffer) return view.slice(0);
  return view.buffer.slice(view.byteOffset, view.byteOffset + view.byteLength);
}
