// htmxws_nb page helper, loaded only when a notebook serves the app.
// 1. Inside an iframe: tell the notebook page how tall this page is, so the
//    iframe can fit it (the notebook's output script listens for this).
// 2. Hold a socket to the app; reload when told to ("reload": a page route
//    was re-run) or when, after a reconnect, a new app answers on the port.
(function () {
  "use strict";
  var script = document.currentScript;

  if (window.parent !== window) {
    var lastHeight = -1;
    var report = function () {
      var body = document.body;
      if (!body) return;
      var style = getComputedStyle(body);
      var height = Math.ceil(body.getBoundingClientRect().bottom + parseFloat(style.marginBottom || "0"));
      if (height !== lastHeight) {
        lastHeight = height;
        window.parent.postMessage({ htmxws: "resize", height: height }, "*");
      }
    };
    document.addEventListener("DOMContentLoaded", function () {
      new ResizeObserver(report).observe(document.body);
      report();
    });
  }

  var path = script && script.dataset.live;
  if (!path || !window.WebSocket) return;
  var url = (location.protocol === "https:" ? "wss://" : "ws://") + location.host + path;
  var token = null;
  var delay = 250;
  var connect = function () {
    var socket = new WebSocket(url);
    socket.onmessage = function (event) {
      if (event.data === "reload" || (token !== null && token !== event.data)) {
        location.reload();
        return;
      }
      token = event.data;
      delay = 250;
    };
    socket.onclose = function () {
      setTimeout(connect, delay);
      delay = Math.min(delay * 2, 5000);
    };
  };
  connect();
})();
