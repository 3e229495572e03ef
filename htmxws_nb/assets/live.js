// htmxws_nb page helper, loaded only when a notebook serves the app.
// 1. Inside an iframe: tell the notebook output how tall this page is (so the iframe fits
//    it), and when this page lost its server or found another one (the output then checks
//    whether its own server is still there).
// 2. Tell the app's websockets opened by this page where they come from (the notebook's
//    iframe or a browser tab), so the transcript can name them: `_htmxws_view` in the query.
// 3. Hold a socket to the server; reload when told to ("reload": a page route was re-run or
//    a new app took over), or, in a tab, when after a reconnect another server answers.
(function () {
  "use strict";
  var script = document.currentScript;
  var framed = window.parent !== window;
  var tell = function (message) { if (framed) window.parent.postMessage(message, "*"); };

  if (framed) {
    var lastHeight = -1;
    var report = function () {
      var body = document.body;
      if (!body) return;
      var style = getComputedStyle(body);
      var height = Math.ceil(body.getBoundingClientRect().bottom + parseFloat(style.marginBottom || "0"));
      if (height !== lastHeight) {
        lastHeight = height;
        tell({ htmxws: "resize", height: height });
      }
    };
    document.addEventListener("DOMContentLoaded", function () {
      new ResizeObserver(report).observe(document.body);
      report();
    });
  }

  var path = script && script.dataset.live;
  var Native = window.WebSocket;
  if (!path || !Native) return;

  // The page's own URL: its <base> where it has one (the kernel channel's frame is about:srcdoc).
  var here = new URL(document.baseURI);
  var prefix = path.slice(0, path.indexOf("/_htmxws"));  // a proxy's path prefix, if any
  var reserved = prefix + "/_htmxws";
  var page = here.pathname.indexOf(prefix) === 0 ? here.pathname.slice(prefix.length) : here.pathname;
  var view = (framed ? "iframe " : "tab ") + (page || "/");
  var Labelled = function (url, protocols) {
    try {
      var target = new URL(url, here.href);
      if (target.host === here.host && target.pathname.indexOf(reserved) !== 0) {
        target.searchParams.set("_htmxws_view", view);
        url = target.href;
      }
    } catch (e) { /* leave the URL as it is */ }
    return protocols === undefined ? new Native(url) : new Native(url, protocols);
  };
  Labelled.prototype = Native.prototype;
  ["CONNECTING", "OPEN", "CLOSING", "CLOSED"].forEach(function (name) { Labelled[name] = Native[name]; });
  window.WebSocket = Labelled;

  var url = new URL(path, here.href).href.replace(/^http/, "ws");
  var token = null;
  var delay = 250;
  var connect = function () {
    var socket = new Native(url);
    socket.onmessage = function (event) {
      if (event.data === "reload") {
        location.reload();
      } else if (token !== null && token !== event.data) {
        if (framed) tell({ htmxws: "replaced" });
        else location.reload();
      } else {
        token = event.data;
        delay = 250;
      }
    };
    socket.onclose = function () {
      if (delay === 250) tell({ htmxws: "lost" });
      setTimeout(connect, delay);
      delay = Math.min(delay * 2, 5000);
    };
  };
  connect();
})();
