// The page output: the served page in an iframe once the server proves it is the output's
// own; otherwise a quiet "not running" line above the page as it was served (the snapshot,
// which is also all that a saved copy without scripts shows).
function (root, spec) {
  var frame = root.querySelector("iframe");
  var status = root.querySelector(".htmxws-status");
  var snapshot = root.querySelector(".htmxws-snapshot");
  function live(on) {
    frame.style.display = on ? "" : "none";
    if (snapshot) snapshot.style.display = on ? "none" : "";
  }
  function attach(reload) {
    htmxwsVerify(spec, function (ok) {
      if (!document.contains(root)) return;
      if (ok) {
        var url = htmxwsUrl(spec, spec.path, false);
        if (reload || frame.src !== url) frame.src = url;
        live(true);
        status.textContent = "live: " + url;
      } else {
        if (frame.src && frame.src !== "about:blank") frame.src = "about:blank";
        live(false);
        status.textContent = "Not running: run the cells above to use this page. Below, the page as it was served.";
      }
    });
  }
  window.addEventListener("message", function (event) {
    var data = event.data;
    if (event.source !== frame.contentWindow || !data) return;
    if (data.htmxws === "resize" && !spec.height) {
      frame.style.height = Math.max(60, Math.min(data.height + 4, 2000)) + "px";
    } else if (data.htmxws === "lost" || data.htmxws === "replaced") {
      attach(data.htmxws === "replaced");  // the page lost its server, or found another: is ours still there?
    }
  });
  attach(false);
}
