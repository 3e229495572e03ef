// The page output: the served page in an iframe once the server proves it is the output's
// own, at the direct address or through the proxy; else the kernel channel's widget takes the
// output over; until then (and for good when the kernel is gone) a quiet "not running" line
// above the page as it was served (the snapshot, which is also all a saved copy shows).
function (root, spec) {
  var frame = root.querySelector("iframe");
  var status = root.querySelector(".htmxws-status");
  var snapshot = root.querySelector(".htmxws-snapshot");
  var handedOver = false;
  function live(on) {
    frame.style.display = on ? "" : "none";
    if (snapshot) snapshot.style.display = on ? "none" : "";
  }
  function attach(reload) {
    if (handedOver) return;
    htmxwsFind(spec, spec.path, false, function (url, mode) {
      if (!document.contains(root) || handedOver) return;
      if (url) {
        if (reload || frame.src !== url) frame.src = url;
        live(true);
        status.textContent = mode + ": " + url;
        return;
      }
      if (frame.src && frame.src !== "about:blank") frame.src = "about:blank";
      live(false);
      status.textContent = "Not running: run the cells above to use this page. Below, the page as it was served.";
      htmxwsHandOver("page", root, spec, function () {  // the widget's view shows it in our iframe
        handedOver = true;
        live(true);
      });
    });
  }
  window.addEventListener("message", function (event) {
    var data = event.data;
    if (handedOver || event.source !== frame.contentWindow || !data) return;
    if (data.htmxws === "resize" && !spec.height) {
      frame.style.height = Math.max(60, Math.min(data.height + 4, 2000)) + "px";
    } else if (data.htmxws === "lost" || data.htmxws === "replaced") {
      attach(data.htmxws === "replaced");  // the page lost its server, or found another: is ours still there?
    }
  });
  attach(false);
}
