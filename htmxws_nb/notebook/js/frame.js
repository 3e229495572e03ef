// The kernel channel, part 2: what runs inside the page's iframe (a sandboxed srcdoc frame).
// `bootstrap` is serialized into the frame, so it may use nothing from this module. It installs
// stand-ins for WebSocket, XMLHttpRequest, fetch, document.cookie and window.origin that send the
// app's traffic to the notebook page over a MessagePort, loads the page through them (the app's
// assets become blob: URLs made in the frame), writes it with document.write, and turns same-app
// link clicks and form posts into navigations through the kernel.

function loaderHtml(config) {
  const script = `(${bootstrap.toString()})(${JSON.stringify(config)});`.replace(/<\/script/gi, "<\\/script");
  return `<!doctype html><html><head><meta charset="utf-8"><script>${script}</script></head>` +
    `<body><p style="font:13px sans-serif;color:#999">loading through the kernel…</p></body></html>`;
}

// ---------------------------------------------------------------------------
// Runs inside the iframe (serialized into its srcdoc): it may use nothing from this module.
function bootstrap(config) {
  "use strict";
  const base = config.base;
  const appHost = new URL(base).host;
  const RealWebSocket = window.WebSocket;
  const RealXHR = window.XMLHttpRequest;
  const realFetch = window.fetch.bind(window);
  const calls = new Map(); // rid → {resolve, reject}
  const sockets = new Map(); // sid → KernelWebSocket
  const events = []; // what tests (and a curious person) can read: socket opens and closes
  let nextId = 1;
  let port = null;
  let cookies = "";
  let pageUrl = base; // where the page "is": what a reload loads, what relative URLs resolve against

  const isApp = (url) => {
    try {
      return new URL(url, document.baseURI).host === appHost;
    } catch (e) {
      return false;
    }
  };
  const toParent = (message, transfer) => port.postMessage(message, transfer || []);
  const header = (headers, name) => {
    const found = headers.filter(([k]) => k.toLowerCase() === name);
    return found.length ? found.map(([, v]) => v).join(", ") : null;
  };

  function request(method, url, headers, body) {
    return new Promise((resolve, reject) => {
      const rid = nextId++;
      calls.set(rid, { resolve, reject });
      toParent({ op: "http", rid, method, url, headers, body }, body ? [body] : []);
    });
  }

  async function bodyBytes(body) {
    if (body === null || body === undefined) return [null, null];
    const wrapped = new Response(body); // serializes FormData, URLSearchParams, Blob, strings, buffers
    const bytes = await wrapped.arrayBuffer();
    return [bytes.byteLength ? bytes : null, wrapped.headers.get("content-type")];
  }

  function fromParent(m) {
    if (m.op === "http") {
      const call = calls.get(m.rid);
      calls.delete(m.rid);
      if (!call) return;
      if (m.error) call.reject(new TypeError("kernel channel: " + m.error));
      else {
        cookies = m.cookies;
        call.resolve(m);
      }
    } else {
      const socket = sockets.get(m.sid);
      if (socket) socket._fromParent(m);
    }
  }

  // -- WebSocket ------------------------------------------------------------

  function wsUrl(url) {
    url = String(url);
    // "ws:///path": a page that built its URL from location.host, which is empty in a srcdoc frame
    if (/^wss?:\/\/\//i.test(url)) url = url.replace(/^wss?:\/\//i, "");
    const u = new URL(url, document.baseURI);
    if (u.protocol === "http:") u.protocol = "ws:";
    if (u.protocol === "https:") u.protocol = "wss:";
    return u.href;
  }

  class KernelWebSocket extends EventTarget {
    constructor(url, protocols) {
      const full = wsUrl(url);
      if (!isApp(full)) return new RealWebSocket(url, protocols); // other hosts: the real thing
      super();
      this.url = full;
      this.readyState = 0;
      this.protocol = "";
      this.extensions = "";
      this.bufferedAmount = 0;
      this.binaryType = "blob";
      this._sid = nextId++;
      this._handlers = {};
      this._failed = false;
      this._queue = Promise.resolve(); // keeps Blob sends in order with the rest
      sockets.set(this._sid, this);
      events.push({ type: "connecting", url: full });
      toParent({ op: "ws-open", sid: this._sid, url: full, protocols: [].concat(protocols || []) });
    }

    send(data) {
      if (this.readyState === 0) throw new DOMException("Still in CONNECTING state.", "InvalidStateError");
      if (this.readyState !== 1) return;
      const sid = this._sid;
      this._queue = this._queue.then(async () => {
        if (typeof data === "string") return toParent({ op: "ws-send", sid, text: data });
        const bytes = data instanceof Blob ? await data.arrayBuffer()
          : ArrayBuffer.isView(data) ? data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength)
          : data.slice(0);
        toParent({ op: "ws-send", sid, body: bytes }, [bytes]);
      });
    }

    close(code, reason) {
      if (code !== undefined && code !== 1000 && !(code >= 3000 && code <= 4999)) {
        throw new DOMException(`The code must be either 1000, or between 3000 and 4999. ${code} is neither.`,
                               "InvalidAccessError");
      }
      reason = reason === undefined ? "" : String(reason);
      if (new TextEncoder().encode(reason).length > 123) throw new DOMException("The reason is too long.", "SyntaxError");
      if (this.readyState >= 2) return;
      this._failed = this.readyState === 0; // closing while connecting fails the connection: 1006
      this.readyState = 2;
      toParent({ op: "ws-close", sid: this._sid, code: code === undefined ? 1005 : code, reason });
    }

    _fromParent(m) {
      if (m.op === "ws-accept" && this.readyState === 0) {
        this.readyState = 1;
        this.protocol = m.protocol || "";
        events.push({ type: "open", url: this.url });
        this.dispatchEvent(new Event("open"));
      } else if (m.op === "ws-send" && this.readyState === 1) {
        const data = m.text !== undefined && m.text !== null ? m.text
          : this.binaryType === "arraybuffer" ? (m.body || new ArrayBuffer(0)) : new Blob([m.body || ""]);
        this.dispatchEvent(new MessageEvent("message", { data, origin: new URL(this.url).origin }));
      } else if (m.op === "ws-close" && this.readyState !== 3) {
        const failed = this._failed || this.readyState === 0 || m.code === 1006;
        this.readyState = 3;
        sockets.delete(this._sid);
        const code = failed ? 1006 : m.code;
        events.push({ type: "close", url: this.url, code, reason: m.reason || "" });
        if (failed) this.dispatchEvent(new Event("error"));
        this.dispatchEvent(new CloseEvent("close", { code, reason: failed ? "" : m.reason || "",
                                                     wasClean: !failed }));
      }
    }
  }
  ["CONNECTING", "OPEN", "CLOSING", "CLOSED"].forEach((name, value) => {
    Object.defineProperty(KernelWebSocket, name, { value });
    Object.defineProperty(KernelWebSocket.prototype, name, { value });
  });
  for (const type of ["open", "message", "close", "error"]) {
    Object.defineProperty(KernelWebSocket.prototype, "on" + type, {
      get() { return this._handlers[type] ? this._handlers[type].fn : null; },
      set(fn) {
        if (this._handlers[type]) this.removeEventListener(type, this._handlers[type].listener);
        this._handlers[type] = null;
        if (typeof fn === "function") {
          const listener = (event) => fn.call(this, event);
          this._handlers[type] = { fn, listener };
          this.addEventListener(type, listener);
        }
      },
    });
  }

  // -- XMLHttpRequest (htmx 2) ------------------------------------------------

  class KernelXHR extends RealXHR {
    open(method, url, ...rest) {
      const full = new URL(url, document.baseURI).href;
      if (!isApp(full)) {
        this._k = null;
        return super.open(method, url, ...rest);
      }
      this._k = { method: method.toUpperCase(), url: full, headers: [], readyState: 1, status: 0,
                  responseHeaders: [], bytes: null, aborted: false, url2: "" };
      this._fire("readystatechange");
    }

    setRequestHeader(name, value) {
      if (!this._k) return super.setRequestHeader(name, value);
      if (/^hx-current-url$/i.test(name) && /^about:/.test(value)) value = pageUrl; // about:srcdoc means nothing to the app
      this._k.headers.push([name, String(value)]);
    }

    send(body) {
      const k = this._k;
      if (!k) return super.send(body);
      this._fire("loadstart", true);
      (async () => {
        let [bytes, type] = k.method === "GET" || k.method === "HEAD" ? [null, null] : await bodyBytes(body);
        if (type && !header(k.headers, "content-type")) k.headers.push(["Content-Type", type]);
        const res = await request(k.method, k.url, k.headers, bytes);
        if (k.aborted) return;
        Object.assign(k, { status: res.status, statusText: res.statusText, responseHeaders: res.headers,
                           bytes: res.body, url2: res.url });
        for (const state of [2, 3, 4]) {
          k.readyState = state;
          this._fire("readystatechange");
        }
        this._fire("progress", true);
        this._fire("load", true);
        this._fire("loadend", true);
      })().catch(() => {
        if (k.aborted) return;
        k.readyState = 4;
        this._fire("readystatechange");
        this._fire("error", true);
        this._fire("loadend", true);
      });
    }

    abort() {
      const k = this._k;
      if (!k) return super.abort();
      if (k.aborted || k.readyState === 4) return;
      k.aborted = true;
      k.readyState = 4;
      this._fire("readystatechange");
      this._fire("abort", true);
      this._fire("loadend", true);
      k.readyState = 0;
    }

    _fire(type, progress) {
      const size = this._k && this._k.bytes ? this._k.bytes.byteLength : 0;
      this.dispatchEvent(progress ? new ProgressEvent(type, { lengthComputable: true, loaded: size, total: size })
                                  : new Event(type));
    }

    getResponseHeader(name) {
      if (!this._k) return super.getResponseHeader(name);
      return this._k.readyState >= 2 ? header(this._k.responseHeaders, name.toLowerCase()) : null;
    }

    getAllResponseHeaders() {
      if (!this._k) return super.getAllResponseHeaders();
      return this._k.responseHeaders.map(([k, v]) => `${k.toLowerCase()}: ${v}\r\n`).join("");
    }

    overrideMimeType(type) {
      if (!this._k) return super.overrideMimeType(type);
    }

    get readyState() { return this._k ? this._k.readyState : super.readyState; }
    get status() { return this._k ? this._k.status : super.status; }
    get statusText() { return this._k ? this._k.statusText || "" : super.statusText; }
    get responseURL() { return this._k ? this._k.url2 : super.responseURL; }
    get responseText() {
      if (!this._k) return super.responseText;
      return this._k.bytes ? new TextDecoder().decode(this._k.bytes) : "";
    }
    get response() {
      const k = this._k;
      if (!k) return super.response;
      if (k.readyState !== 4) return this.responseType === "" || this.responseType === "text" ? "" : null;
      const bytes = k.bytes || new ArrayBuffer(0);
      switch (this.responseType) {
        case "arraybuffer": return bytes;
        case "blob": return new Blob([bytes], { type: header(k.responseHeaders, "content-type") || "" });
        case "json": try { return JSON.parse(this.responseText); } catch (e) { return null; }
        case "document": return new DOMParser().parseFromString(this.responseText, "text/html");
        default: return this.responseText;
      }
    }
  }

  // -- fetch (htmx 4) --------------------------------------------------------

  async function kernelFetch(input, init) {
    const req = new Request(input, init); // resolves the URL against the page's <base>
    if (!isApp(req.url)) return realFetch(input, init);
    const headers = [...req.headers];
    const body = req.method === "GET" || req.method === "HEAD" ? null : await req.arrayBuffer();
    if (req.signal.aborted) throw new DOMException("The operation was aborted.", "AbortError");
    const res = await request(req.method, req.url, headers, body && body.byteLength ? body : null);
    const empty = [101, 204, 205, 304].includes(res.status) || req.method === "HEAD";
    const response = new Response(empty ? null : res.body, { status: res.status, statusText: res.statusText,
                                                             headers: res.headers });
    Object.defineProperty(response, "url", { value: res.url });
    Object.defineProperty(response, "redirected", { value: res.redirected });
    return response;
  }

  // -- installing -------------------------------------------------------------

  // Run by the loader and again by the first script of the written page: whatever replaced
  // globals when document.open() ran (Playwright's WebSocket routing does) is replaced back.
  function install() {
    window.WebSocket = KernelWebSocket;
    window.XMLHttpRequest = KernelXHR;
    window.fetch = kernelFetch;
    // htmx 2 checks a request's origin against window.origin in an about: document: in this opaque
    // frame that is "null", which no URL can be resolved against. The app's origin stands in.
    Object.defineProperty(window, "origin", { value: new URL(base).origin, configurable: true, writable: true });
    Object.defineProperty(document, "cookie", {
      configurable: true,
      get: () => cookies,
      set: (text) => {
        const [pair] = String(text).split(";");
        const name = pair.split("=")[0].trim();
        const kept = cookies.split("; ").filter((c) => c && c.split("=")[0] !== name);
        cookies = [...kept, pair.trim()].join("; ");
        toParent({ op: "cookie", text: String(text), url: pageUrl });
      },
    });
    // htmx's HX-Redirect assigns htmx.location.href: make that a navigation through the kernel.
    let htmxValue = window.htmx;
    Object.defineProperty(window, "htmx", {
      configurable: true,
      get: () => htmxValue,
      set: (value) => {
        htmxValue = value;
        if (value && typeof value === "object") {
          value.location = { get href() { return pageUrl; }, set href(url) { navigate("GET", url); },
                             assign: (url) => navigate("GET", url), replace: (url) => navigate("GET", url),
                             reload: () => navigate("GET", pageUrl) };
        }
      },
    });
    // hx-push-url: an about:srcdoc document cannot change its URL; remember it as the page's instead.
    for (const name of ["pushState", "replaceState"]) {
      const real = History.prototype[name];
      history[name] = (state, title, url) => {
        if (url !== undefined && url !== null && isApp(url)) {
          pageUrl = new URL(url, document.baseURI).href;
          toParent({ op: "loaded", url: pageUrl });
        }
        return real.call(history, state, title);
      };
    }
  }
  install();

  // -- navigation ---------------------------------------------------------------

  function navigate(method, url, headers, body) {
    url = new URL(url, document.baseURI).href;
    toParent({ op: "navigate", nav: { method, url, headers: headers || [], body: body || null } },
             body ? [body] : []);
  }

  function onClick(event) {
    if (event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey
        || event.altKey) return;
    const link = event.target.closest && event.target.closest("a[href]");
    if (!link || (link.target && link.target !== "_self") || link.hasAttribute("download")) return;
    const url = new URL(link.getAttribute("href"), document.baseURI);
    if (!isApp(url.href)) return;
    if (url.hash && url.href.split("#")[0] === pageUrl.split("#")[0]) return; // an anchor in this page
    event.preventDefault();
    navigate("GET", url.href);
  }

  async function onSubmit(event) {
    if (event.defaultPrevented) return; // htmx handled it (hx-post, ws-send, ...)
    const form = event.target;
    const submitter = event.submitter;
    const method = ((submitter && submitter.getAttribute("formmethod")) || form.getAttribute("method") || "GET")
      .toUpperCase();
    const action = new URL((submitter && submitter.getAttribute("formaction")) || form.getAttribute("action") || "",
                           document.baseURI);
    if (!isApp(action.href) || method === "DIALOG") return;
    event.preventDefault();
    const data = new FormData(form, submitter);
    if (method === "GET") {
      action.search = new URLSearchParams(data).toString();
      return navigate("GET", action.href);
    }
    const [bytes, type] = await bodyBytes(form.enctype === "multipart/form-data" ? data : new URLSearchParams(data));
    navigate(method, action.href, type ? [["Content-Type", type]] : [], bytes);
  }

  // Called by the first script of every written page: document.open() erased the listeners.
  function pageStarted() {
    install();
    document.addEventListener("click", onClick);
    document.addEventListener("submit", onSubmit);
  }

  // -- loading the page ---------------------------------------------------------

  async function loadPage(nav) {
    let res;
    try {
      res = await request(nav.method, nav.url, nav.headers, nav.body);
    } catch (err) {
      document.body.textContent = `Could not load ${nav.url} through the kernel: ${err.message}`;
      return;
    }
    pageUrl = res.url;
    const type = header(res.headers, "content-type") || "";
    const text = new TextDecoder().decode(res.body);
    const doc = new DOMParser().parseFromString(type.includes("html") ? text : "<pre></pre>", "text/html");
    if (!type.includes("html")) doc.querySelector("pre").textContent = text;
    // The app's own assets: fetched through the kernel, given to the page as blob: URLs of this frame.
    const assets = doc.querySelectorAll("script[src], link[href][rel~=stylesheet], link[href][rel~=icon], img[src]");
    await Promise.all([...assets].map(async (el) => {
      const attr = el.hasAttribute("src") ? "src" : "href";
      const url = new URL(el.getAttribute(attr), pageUrl).href;
      if (!isApp(url)) return;
      try {
        const asset = await request("GET", url, [], null);
        const blob = new Blob([asset.body], { type: header(asset.headers, "content-type") || "" });
        el.setAttribute(attr, URL.createObjectURL(blob));
      } catch (err) {
        console.warn("kernel channel: could not load", url, err);
      }
    }));
    const first = doc.createElement("script");
    first.textContent = "window.__htmxws.pageStarted()";
    doc.head.prepend(first);
    if (!doc.querySelector("base[href]")) {
      const baseEl = doc.createElement("base");
      baseEl.href = pageUrl;
      doc.head.prepend(baseEl);
    }
    toParent({ op: "loaded", url: pageUrl });
    document.open();
    document.write("<!doctype html>" + doc.documentElement.outerHTML);
    document.close();
  }

  window.__htmxws = { pageStarted, events, sockets, get pageUrl() { return pageUrl; } };

  // Ask the notebook page for a port; it answers with the port and what to load.
  window.addEventListener("message", function onPort(event) {
    if (event.source !== window.parent || !event.data || event.data.htmxws !== "port") return;
    window.removeEventListener("message", onPort);
    port = event.ports[0];
    port.onmessage = (e) => fromParent(e.data);
    cookies = event.data.cookies || "";
    loadPage(event.data.nav);
  });
  window.parent.postMessage({ htmxws: "hello" }, "*");
}
