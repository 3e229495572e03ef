// The kernel channel, part 3: the widget's view. (kernel_channel.py joins channel.js, frame.js
// and this file into the widget's ES module; `export default` is at the end.)
//
// A view is dormant until an output of its server asks for it: a page output (page.js) or a
// live output (feed.js) whose server answered at no address hands itself over through
// `window.htmxwsKernelChannels` (see locate.js `htmxwsHandOver`): a page output to the view
// whose key it names (the widget displayed with it), a live output to any view of its server.
// The view then shows the page in that output's iframe, or feeds that output's HTML, over the
// comm. With `standalone` (Colab, where each output is a document of its own) the view shows
// the page in its own element once the kernel answers. A view takes nothing until its kernel
// has answered a first (empty) batch, and nothing once the kernel is gone: a reopened notebook
// (where JupyterLab may restore the model from the saved widget state, with no kernel behind
// it) keeps each page output's snapshot and its "Not running" line.

const FEED_RETRY_MS = 1000;
const STAYED_MS = 1000; // after `beforeunload`, a tab still here did not leave

function hub() {
  window.htmxwsKernelChannels = window.htmxwsKernelChannels || { pending: [] };
  return window.htmxwsKernelChannels;
}

class ChannelView {
  constructor(model, el) {
    this.model = model;
    this.el = el;
    this.pages = [];
    this.feeds = new Map(); // element → channel socket id
    this.channel = new Channel(model, () => this.kernelGone(), () => this.lost());
    el.className = "htmxws-kernel-channel";
    this.onRequest = (event) => this.take(event.detail);
    document.addEventListener("htmxws:unreachable", this.onRequest);
    // A tab closed or reloaded sends no close frame for these sockets (there is no TCP
    // connection for the kernel to see drop): close them as the browser would, 1001, while
    // Jupyter's connection still works (by `pagehide` it no longer delivers). If the tab
    // stays after all ("leave the page?" cancelled), the pages load again.
    this.onLeave = () => {
      this.channel.closeAll(1001, "going away");
      setTimeout(() => { for (const page of this.pages) page.load(); }, STAYED_MS);
    };
    window.addEventListener("beforeunload", this.onLeave);
    this.channel.whenAlive(() => {
      if (model.get("standalone")) this.pages.push(new PageView(this, el, null));
      for (const request of [...hub().pending]) this.take(request);
    });
    this.channel.hello();
  }

  // An output asks for the kernel channel: take it if it is ours (and the kernel answered).
  take(request) {
    if (!this.channel.alive || this.channel.dead || request.done || !document.contains(request.element)) return;
    if (!this.model.get("running")) return; // its server was stopped: the output keeps its "Not running" line
    const spec = request.spec;
    if (spec.serverId !== this.model.get("server_id")) return;
    if (request.kind === "page" && spec.channel === this.model.get("key")) {
      this.pages.push(new PageView(this, request.element, spec));
    } else if (request.kind === "feed" && !this.feeds.has(request.element)) {
      this.feed(request.element, spec.path);
    } else {
      return;
    }
    request.done = true;
    const pending = hub().pending;
    pending.splice(pending.indexOf(request), 1);
    request.taken();
  }

  // A live output: the server pushes its new HTML over the feed socket.
  feed(box, path) {
    const id = this.channel.openSocket(new URL(path, this.model.get("base")).href, [], [], (ev) => {
      if (ev.type === "ws-send" && typeof ev.text === "string") box.innerHTML = ev.text;
      if (ev.type !== "ws-close") return;
      this.feeds.delete(box);
      // The output was stopped (1000) or the kernel went (1012); else (messages lost) open it again.
      if (![1000, 1012].includes(ev.code) && !this.channel.dead && document.contains(box)) {
        setTimeout(() => this.feed(box, path), FEED_RETRY_MS);
      }
    });
    this.feeds.set(box, id);
  }

  lost() {
    for (const page of this.pages) page.lost();
    for (const [box, id] of this.feeds) {
      this.channel.closeSocket(id, 1013, "messages lost");
      this.channel.closed(id, 1013, "messages lost");
    }
  }

  kernelGone() {
    for (const page of this.pages) page.showStatus();
  }

  dispose() {
    document.removeEventListener("htmxws:unreachable", this.onRequest);
    window.removeEventListener("beforeunload", this.onLeave);
    for (const page of this.pages) page.dispose();
    this.channel.dispose();
  }
}

class PageView {
  // `root`: the page output (display.page_html) whose iframe and status line it takes over, or
  // the widget's own element (nothing else shows the page there: Colab).
  constructor(view, root, spec) {
    const model = view.model;
    this.view = view;
    this.channel = view.channel;
    this.base = model.get("base");
    this.origin = new URL(this.base).origin;
    const path = spec ? spec.path : model.get("path");
    this.nav = { method: "GET", url: new URL(path, this.base).href, headers: [], body: null };
    this.jar = new CookieJar();
    this.frameSockets = new Map(); // channel id → sid, of the frame's current document
    const height = spec ? spec.height : model.get("height");
    this.fit = !height;
    this.frame = root.querySelector("iframe");
    this.status = root.querySelector(".htmxws-status");
    if (!this.frame) {
      this.frame = document.createElement("iframe");
      this.frame.title = `htmxws_nb page ${path}`;
      this.frame.style.cssText = "width:100%;border:1px solid #8884;border-radius:4px";
      this.status = document.createElement("div");
      this.status.className = "htmxws-status";
      this.status.style.cssText = "font-size:11px;opacity:0.65";
      root.append(this.frame, this.status);
    }
    this.frame.removeAttribute("src");
    this.frame.style.height = `${height || 150}px`;
    // No allow-same-origin: the page gets an opaque origin, as isolated from Jupyter as
    // http://127.0.0.1:PORT would be. Its cookies and origin are supplied by the bootstrap.
    this.frame.setAttribute("sandbox", "allow-scripts allow-forms allow-modals allow-popups allow-downloads");
    this.showStatus();
    this.onWindowMessage = (event) => this.fromFrame(event);
    window.addEventListener("message", this.onWindowMessage);
    this.timer = setInterval(() => this.showStatus(), 100);
    this.load();
  }

  // Frames were lost: the page is out of step with the app. 1013 (Try Again Later) makes
  // htmx reconnect, and the app's conn/disconn see it.
  lost() {
    for (const id of [...this.frameSockets.keys()]) {
      this.channel.closeSocket(id, 1013, "messages lost");
      this.channel.closed(id, 1013, "messages lost");
    }
  }

  load() {
    this.frame.srcdoc = loaderHtml({ base: this.base });
  }

  dispose() {
    clearInterval(this.timer);
    window.removeEventListener("message", this.onWindowMessage);
  }

  fromFrame(event) {
    if (event.source !== this.frame.contentWindow || !event.data) return;
    const data = event.data;
    if (data.htmxws === "hello") {
      // A new document in the frame (first load, reload, navigation): give it its own port.
      for (const id of this.frameSockets.keys()) this.channel.closeSocket(id, 1001, "going away");
      this.frameSockets.clear();
      const { port1, port2 } = new MessageChannel();
      port1.onmessage = (e) => this.fromPage(port1, e.data);
      event.source.postMessage({ htmxws: "port", nav: this.nav, cookies: this.jar.visible(this.nav.url) },
                               "*", [port2]);
    } else if (data.htmxws === "resize" && this.fit) {
      this.frame.style.height = Math.max(60, Math.min(data.height + 4, 2000)) + "px";
    }
  }

  fromPage(port, m) {
    if (m.op === "http") {
      this.http(m).then(
        (res) => port.postMessage({ op: "http", rid: m.rid, ...res }, res.body ? [res.body] : []),
        (err) => port.postMessage({ op: "http", rid: m.rid, error: String(err && err.message || err) }));
    } else if (m.op === "ws-open") {
      const headers = [["origin", this.origin], ["user-agent", navigator.userAgent]];
      const cookie = this.jar.header(m.url);
      if (cookie) headers.push(["cookie", cookie]);
      const id = this.channel.openSocket(m.url, headers, m.protocols, (ev, body) => {
        if (ev.type === "ws-close") this.frameSockets.delete(id);
        port.postMessage({ op: ev.type, sid: m.sid, text: ev.text, body, code: ev.code, reason: ev.reason,
                           protocol: ev.protocol }, body ? [body] : []);
      });
      this.frameSockets.set(id, m.sid);
    } else if (m.op === "ws-send" || m.op === "ws-close") {
      const id = [...this.frameSockets].find(([, sid]) => sid === m.sid)?.[0];
      if (id === undefined) return;
      if (m.op === "ws-close") return this.channel.closeSocket(id, m.code, m.reason);
      if (!this.channel.sendSocket(id, m.text, m.body)) { // as a server would: 1009 Message Too Big
        this.channel.closeSocket(id, 1009, "message too big");
        port.postMessage({ op: "ws-close", sid: m.sid, code: 1009,
                           reason: `frame over the kernel channel's ${mib(MAX_MESSAGE_BYTES)} limit` });
      }
    } else if (m.op === "navigate") {
      this.nav = m.nav;
      this.load(); // a fresh document (a new window): nothing of the old page survives
    } else if (m.op === "loaded") {
      this.nav = { method: "GET", url: m.url, headers: [], body: null }; // what a reload loads
    } else if (m.op === "cookie") {
      this.jar.store(m.text, m.url, true);
    }
  }

  // HTTP as a browser does it: cookies from the jar, Set-Cookie into it, redirects followed.
  async http({ method, url, headers, body }) {
    let redirected = false;
    for (let hop = 0; hop < 20; hop++) {
      const sent = headers.filter(([k]) => !/^(cookie|host|origin)$/i.test(k));
      const cookie = this.jar.header(url);
      if (cookie) sent.push(["cookie", cookie]);
      if (method !== "GET" && method !== "HEAD") sent.push(["origin", this.origin]);
      const res = await this.channel.request(method, url, sent, body);
      for (const [k, v] of res.headers) if (k.toLowerCase() === "set-cookie") this.jar.store(v, url, false);
      const location = res.headers.find(([k]) => k.toLowerCase() === "location");
      if ([301, 302, 303, 307, 308].includes(res.status) && location) {
        url = new URL(location[1], url).href;
        redirected = true;
        if (res.status === 303 || (res.status <= 302 && method === "POST")) {
          method = "GET";
          body = null;
          headers = headers.filter(([k]) => !/^content-/i.test(k));
        }
        continue;
      }
      return {
        status: res.status, statusText: STATUS_TEXT[res.status] || "", url, redirected, body: res.body,
        headers: res.headers.filter(([k]) => k.toLowerCase() !== "set-cookie"), cookies: this.jar.visible(url),
      };
    }
    throw new Error("too many redirects");
  }

  showStatus() {
    let text = "kernel channel";
    let color = "";
    const waited = this.channel.waited();
    if (this.channel.dead) {
      text = "the kernel restarted or stopped: run the cell again to bring the page back";
      color = "#b60";
    } else if (!this.view.model.get("running")) {
      text = "the server was stopped: run the cell again to bring the page back";
      color = "#b60";
    } else if (waited > WAIT_NOTICE_MS) {
      // Comm messages wait while a cell runs, unless the frontend sends them over a kernel
      // subshell (JupyterLab ≥ 4.4 with ipykernel ≥ 7 does); large transfers also take a while.
      text = `kernel channel: waiting for the kernel (is a cell running?) ${(waited / 1000).toFixed(1)} s`;
      color = "#b60";
    }
    if (this.channel.lost) text += ` · ${this.channel.lost} kernel messages lost to Jupyter's iopub rate limit`;
    if (this.status.textContent !== text) {
      this.status.textContent = text;
      this.status.style.color = color;
    }
  }
}

function render({ model, el }) {
  const view = new ChannelView(model, el);
  return () => view.dispose();
}

export default { render };
