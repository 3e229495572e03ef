// A live output: replaces its HTML with what the server pushes over the feed socket, once
// the server has proved it is the output's own (the feed's address carries a secret token).
function (box, spec) {
  var delay = 500;
  function connect() {
    var socket = new WebSocket(htmxwsUrl(spec, spec.path, true));
    socket.onmessage = function (event) {
      if (!document.contains(box)) { socket.close(); return; }
      box.innerHTML = event.data;
      delay = 500;
    };
    socket.onclose = function (event) {
      if (document.contains(box) && event.code !== 1000 && delay <= 8000) {
        setTimeout(function () { htmxwsVerify(spec, function (ok) { if (ok) connect(); }); }, delay);
        delay *= 2;
      }
    };
  }
  htmxwsVerify(spec, function (ok) { if (ok) connect(); });
}
