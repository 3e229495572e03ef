// A live output: replaces its HTML with what the server pushes over the feed socket, once
// the server has proved it is the output's own (the feed's address carries a secret token);
// where no address answers, the kernel channel of its server feeds it.
function (box, spec) {
  var delay = 500;
  function connect(url) {
    var socket = new WebSocket(url);
    socket.onmessage = function (event) {
      if (!document.contains(box)) { socket.close(); return; }
      box.innerHTML = event.data;
      delay = 500;
    };
    socket.onclose = function (event) {
      if (document.contains(box) && event.code !== 1000 && delay <= 8000) {
        setTimeout(start, delay);
        delay *= 2;
      }
    };
  }
  function start() {
    htmxwsFind(spec, spec.path, true, function (url) {
      if (url) connect(url);
      else htmxwsHandOver("feed", box, spec, function () {});
    });
  }
  start();
}
